//! What the end-to-end tests share: fixture sites copied to a temporary folder.

use std::path::Path;

/// A copy of `tests/fixtures/<name>` with the repository's theme and interface strings
/// (unless the fixture brings its own).
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("tests/fixtures").join(name), dir.path());
    for shared in ["themes", "i18n"] {
        if !dir.path().join(shared).exists() {
            copy_dir(&repo.join(shared), &dir.path().join(shared));
        }
    }
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
