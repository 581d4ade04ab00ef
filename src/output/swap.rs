//! Replacing one built site by the next: one build per output folder at a time, and a whole
//! site in place at every instant, also when a build is killed halfway.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The names a build uses beside its output folder `<name>`: the lock, the next site being
/// written, and the previous site while it is put aside (when the system cannot swap two
/// folders in one step).
pub struct Beside {
    pub lock: PathBuf,
    pub staging: PathBuf,
    pub old: PathBuf,
}

impl Beside {
    /// The names beside `target`, a canonical path.
    pub fn of(target: &Path) -> Beside {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let parent = target.parent().unwrap_or(Path::new("/"));
        Beside {
            lock: parent.join(format!(".{name}.lock")),
            staging: parent.join(format!(".{name}.staging")),
            old: parent.join(format!(".{name}.staging.old")),
        }
    }
}

/// Held while a build writes one output folder: an exclusive `flock` on a file beside it
/// (beside, so that swapping the folder leaves the lock where it is) that holds the PID of
/// the build, for the message another build gets.
pub struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock, or fails at once naming the build that has it: waiting would leave
    /// a script or a second terminal hanging with no word of why.
    pub fn take(path: &Path, shown: &Path) -> anyhow::Result<Lock> {
        loop {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .with_context(|| format!("cannot create the lock file `{}`", path.display()))?;
            if let Err(e) = try_lock(&file) {
                if e.kind() == std::io::ErrorKind::WouldBlock {
                    anyhow::bail!("{}", busy_message(path, shown));
                }
                return Err(e).with_context(|| format!("cannot lock `{}`", path.display()));
            }
            // The build before may have removed the file between our opening and locking
            // it: a lock on a removed file keeps no one out, so open the path again.
            if is_same_file(&file, path) {
                let mut lock = Lock {
                    file,
                    path: path.to_path_buf(),
                };
                lock.write_pid()
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
                return Ok(lock);
            }
        }
    }

    fn write_pid(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        writeln!(self.file, "{}", std::process::id())
    }
}

impl Drop for Lock {
    /// Removed while still locked, so that no one can take a lock on a file about to go.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// "another build (process 1234) is writing `public`; ...". The holder writes its PID just
/// after it takes the lock: a moment's wait gives it time to.
fn busy_message(path: &Path, shown: &Path) -> String {
    let mut pid = String::new();
    for _ in 0..20 {
        pid.clear();
        if let Ok(mut file) = File::open(path) {
            let _ = file.read_to_string(&mut pid);
        }
        if !pid.trim().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let who = match pid.trim() {
        "" => "another build".to_string(),
        pid => format!("another build (process {pid})"),
    };
    format!(
        "{who} is writing `{}`; wait for it to finish, then build again",
        shown.display()
    )
}

#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this function borrows; it touches no memory.
    let done = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if done == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(unix)]
fn is_same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Puts back what a build killed during its swap left: the previous site moved aside with
/// no site in its place goes back; beside a site, it is removed, as is a half-written next
/// site. Run with the lock held.
pub fn recover(target: &Path, beside: &Beside) -> anyhow::Result<()> {
    if exists(&beside.old) {
        if exists(target) {
            super::remove_tree(&beside.old)?;
        } else {
            std::fs::rename(&beside.old, target).with_context(|| {
                format!(
                    "cannot put the previous site `{}` back in place",
                    beside.old.display()
                )
            })?;
        }
    }
    if exists(&beside.staging) {
        super::remove_tree(&beside.staging)?;
    }
    Ok(())
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Puts the site at `next` in place of the one at `target` (if there is one), so that
/// `target` holds one site or the other at every instant; the previous site is removed.
pub fn replace(next: &Path, target: &Path, beside: &Beside) -> anyhow::Result<()> {
    if !exists(target) {
        return std::fs::rename(next, target)
            .with_context(|| format!("cannot move the new site into `{}`", target.display()));
    }
    match exchange(next, target) {
        // `next` now holds the previous site.
        Ok(()) => super::remove_tree(next),
        Err(e) if cannot_exchange(&e) => replace_in_two_steps(next, target, &beside.old),
        Err(e) => {
            Err(e).with_context(|| format!("cannot swap the new site into `{}`", target.display()))
        }
    }
}

/// Whether the system or the file system has no exchange of two folders.
fn cannot_exchange(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported
        || matches!(
            e.raw_os_error(),
            Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP)
        )
}

/// The previous site moved aside, then the new one in. A build killed between the two steps
/// leaves no site at `target`: `recover` puts the previous one back at the next start.
fn replace_in_two_steps(next: &Path, target: &Path, old: &Path) -> anyhow::Result<()> {
    std::fs::rename(target, old)
        .with_context(|| format!("cannot move the previous site `{}` aside", target.display()))?;
    if let Err(e) = std::fs::rename(next, target) {
        // Put the previous site back so that nothing is lost.
        let _ = std::fs::rename(old, target);
        return Err(e)
            .with_context(|| format!("cannot move the new site into `{}`", target.display()));
    }
    super::remove_tree(old)
}

/// Swaps the entries at `a` and `b` in one step (Linux's `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
pub fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: two NUL-terminated paths that live until the call returns. The raw system
    // call rather than glibc's wrapper, which older glibc and musl lack.
    let done = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if done == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
pub fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(path: &Path, text: &str) {
        std::fs::create_dir_all(path).unwrap();
        std::fs::write(path.join("index.html"), text).unwrap();
    }

    fn index(path: &Path) -> String {
        std::fs::read_to_string(path.join("index.html")).unwrap()
    }

    #[test]
    fn an_exchange_swaps_two_folders_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        folder(&a, "a");
        folder(&b, "b");
        std::fs::write(b.join("only-b"), "").unwrap();
        exchange(&a, &b).unwrap();
        assert_eq!((index(&a), index(&b)), ("b".into(), "a".into()));
        assert!(a.join("only-b").exists() && !b.join("only-b").exists());
        // Nothing to exchange with is an error, not a rename.
        assert!(exchange(&a, &tmp.path().join("none")).is_err());
    }

    #[test]
    fn both_ways_of_replacing_leave_the_new_site_and_nothing_beside_it() {
        for in_two_steps in [false, true] {
            let tmp = tempfile::tempdir().unwrap();
            let target = tmp.path().join("public");
            let beside = Beside::of(&target);
            folder(&target, "old");
            folder(&beside.staging, "new");
            if in_two_steps {
                replace_in_two_steps(&beside.staging, &target, &beside.old).unwrap();
            } else {
                replace(&beside.staging, &target, &beside).unwrap();
            }
            assert_eq!(index(&target), "new", "in two steps: {in_two_steps}");
            let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
            assert_eq!(names.len(), 1, "in two steps: {in_two_steps}");
        }
    }

    #[test]
    fn recovery_puts_back_the_site_moved_aside_or_removes_it() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let beside = Beside::of(&target);
        // Killed between the two steps: no site, the previous one aside.
        folder(&beside.old, "previous");
        folder(&beside.staging, "half");
        recover(&target, &beside).unwrap();
        assert_eq!(index(&target), "previous");
        assert!(!beside.old.exists() && !beside.staging.exists());
        // Killed after the second step: the previous one aside is of no use.
        folder(&beside.old, "older");
        recover(&target, &beside).unwrap();
        assert_eq!(index(&target), "previous");
        assert!(!beside.old.exists());
    }

    #[test]
    fn a_second_lock_on_one_output_fails_naming_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(".public.lock");
        let first = Lock::take(&path, Path::new("public")).unwrap();
        let second = Lock::take(&path, Path::new("public")).err().unwrap();
        assert_eq!(
            second.to_string(),
            format!(
                "another build (process {}) is writing `public`; wait for it to finish, then build again",
                std::process::id()
            )
        );
        drop(first);
        assert!(!path.exists(), "the lock file goes with the lock");
        let third = Lock::take(&path, Path::new("public"));
        assert!(third.is_ok(), "free again once the first is done");
    }
}
