//! What the end-to-end tests share: fixture sites copied to a temporary folder, built sites read back.

// Each test binary uses some of these.
#![allow(dead_code)]

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

/// Every file under `dir` but the search index, by path relative to it.
pub fn site_files(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(
        dir: &std::path::Path,
        base: &std::path::Path,
        out: &mut std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if rel == "_search" {
                continue;
            }
            if path.is_dir() {
                walk(&path, base, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = std::collections::BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Writes `text` at `rel` under `root`, making folders as needed.
pub fn write_file(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The text at `rel` under `root`; the path in the panic if there is none.
pub fn read_file(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Builds the site at `root` cleanly into `clean` (the translation dashboard on, as the
/// preview server has it) and asserts that `patched` holds the same files, byte for byte;
/// on a difference, shows where the two part.
pub fn assert_same_as_clean_build(root: &Path, patched: &Path, clean: &Path, what: &str) {
    let built = plenary::build::build(plenary::build::Options {
        root: root.to_path_buf(),
        out: Some(clean.to_path_buf()),
        drafts: false,
        progress: None,
        dashboard: true,
    })
    .unwrap();
    assert!(
        matches!(built, plenary::build::Outcome::Built(_)),
        "{what}: builds clean"
    );
    let (got, want) = (site_files(patched), site_files(clean));
    let got_paths: Vec<&String> = got.keys().collect();
    let want_paths: Vec<&String> = want.keys().collect();
    assert_eq!(got_paths, want_paths, "{what}: the same files");
    for (rel, bytes) in &want {
        if got[rel] != *bytes {
            // Where they part, to see what was not rendered again.
            let at = got[rel]
                .iter()
                .zip(bytes)
                .take_while(|(a, b)| a == b)
                .count();
            let around = |b: &[u8]| {
                String::from_utf8_lossy(&b[at.saturating_sub(200)..(at + 200).min(b.len())])
                    .into_owned()
            };
            panic!(
                "{what}: `{rel}` differs from a clean build:\n{}\n---- clean:\n{}",
                around(&got[rel]),
                around(bytes)
            );
        }
    }
}

/// A generated archive in six languages from the UDHR fixture, like the benchmark trees.
pub mod corpus;

/// The Universal Declaration of Human Rights in the six UN languages (`tests/fixtures/udhr`).
pub fn udhr_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/udhr")
}

/// Starts `plenary serve` with `args` (`--port 0` is added) on the site at `root` and waits
/// for the address it prints: `127.0.0.1:PORT`. Its standard error is let go.
pub fn spawn_server(root: &Path, args: &[&str]) -> (std::process::Child, String) {
    spawn_server_with(root, args, &[])
}

/// As `spawn_server`, with environment variables set for the server.
pub fn spawn_server_with(
    root: &Path,
    args: &[&str],
    env: &[(&str, &Path)],
) -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_plenary"))
        .envs(env.iter().copied())
        .arg("serve")
        .args(args)
        .args(["--port", "0", "--root"])
        .arg(root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("serving http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("the server did not start: {line:?}"))
        .to_string();
    (child, address)
}

/// The preview server's options for a site at `root`, as `plenary serve` has them, on any
/// free port: for tests that drive `Served` in the process.
pub fn preview_options(root: &Path) -> plenary::serve::Options {
    plenary::serve::Options {
        root: root.to_path_buf(),
        bind: "127.0.0.1".into(),
        port: 0,
        drafts: false,
        watch: true,
        read_timeout: std::time::Duration::from_secs(10),
        max_connections: 16,
        max_connections_per_client: 16,
    }
}
