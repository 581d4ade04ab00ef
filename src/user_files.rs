//! Reads the user's files: regular files only, never more than a limit, whatever their metadata says.
//!
//! A FIFO waits forever for a writer when opened, a socket cannot be read, and a device such as
//! `/dev/zero` says it is empty and never ends: a build that opened one would hang or run out of
//! memory. Each is refused with the file's name, as a diagnostic: the site's files are wrong,
//! not the machine. (A warning would let a page or a file silently go missing from the site.)

use std::fs::{File, FileType, Metadata};
use std::io::Read;
use std::path::Path;

use crate::diag::{Diagnostic, Position};

/// Interface strings, templates, settings: no one writes one this big.
pub const MAX_TEXT_BYTES: u64 = 16 << 20;

/// Why a file of the user's is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a regular file: what it is instead (`a FIFO (named pipe)`).
    Special(&'static str),
    /// Longer than the limit; its size when the file says it (a regular file does).
    TooBig { size: Option<u64>, limit: u64 },
}

/// What a directory entry is when it is neither a regular file nor a folder.
pub fn special_kind(file_type: &FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_file() || file_type.is_dir() {
        None
    } else if file_type.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if file_type.is_socket() {
        Some("a socket")
    } else if file_type.is_char_device() {
        Some("a character device")
    } else if file_type.is_block_device() {
        Some("a block device")
    } else {
        Some("not a file or a folder")
    }
}

/// Opens a regular file for reading, never blocking: `O_NONBLOCK` keeps a FIFO put in its place
/// since it was listed from waiting for a writer, and the open file is checked again.
pub fn open(path: &Path) -> std::io::Result<Result<(File, Metadata), Refused>> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(kind) = special_kind(&std::fs::metadata(path)?.file_type()) {
        return Ok(Err(Refused::Special(kind)));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if let Some(kind) = special_kind(&meta.file_type()) {
        return Ok(Err(Refused::Special(kind)));
    }
    if meta.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a folder",
        ));
    }
    Ok(Ok((file, meta)))
}

/// The bytes of a regular file of at most `limit` bytes. Reads at most `limit + 1` bytes
/// whatever the file's length says: a file may grow while it is read.
pub fn read(path: &Path, limit: u64) -> std::io::Result<Result<Vec<u8>, Refused>> {
    let (file, meta) = match open(path)? {
        Ok(opened) => opened,
        Err(refused) => return Ok(Err(refused)),
    };
    let too_big = Refused::TooBig {
        size: Some(meta.len()),
        limit,
    };
    if meta.len() > limit {
        return Ok(Err(too_big));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Err(too_big));
    }
    Ok(Ok(bytes))
}

/// As `read`, for files whose I/O errors are the machine's: the path in the error's context.
pub fn read_or_refuse(path: &Path, limit: u64) -> anyhow::Result<Result<Vec<u8>, Refused>> {
    use anyhow::Context as _;
    read(path, limit).with_context(|| format!("cannot read `{}`", path.display()))
}

impl Refused {
    /// The error naming the file (as `shown`), saying what it is and what to do.
    pub fn diagnostic(self, shown: &Path) -> Diagnostic {
        let name = shown.file_name().map_or_else(
            || shown.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        match self {
            Refused::Special(kind) => Diagnostic::error(shown, Position::START, format!("`{name}` is {kind}, not a regular file"))
                .with_hint("only regular files are read: remove it, or put the file it stands for in its place"),
            Refused::TooBig { size, limit } => {
                let size = size.filter(|s| *s > limit).map_or_else(|| "more".to_string(), |s| format!("{} MiB,", s >> 20));
                Diagnostic::error(shown, Position::START, format!("file too big: {size} more than the {} MiB it may have", limit >> 20))
                    .with_hint("is it the right file? text files this big are not written by hand")
            }
        }
    }
}

/// Reads a text file of the user's (settings, strings, templates): its bytes, or the error
/// that names it. `shown` is how diagnostics name it.
pub fn read_text_file(path: &Path, shown: &Path) -> anyhow::Result<Result<Vec<u8>, Diagnostic>> {
    Ok(read_or_refuse(path, MAX_TEXT_BYTES)?.map_err(|refused| refused.diagnostic(shown)))
}

/// A folder's identity on its file system. A walk that follows symbolic links keeps those of the
/// folders it is in: a link back to one of them would have it walk in circles (two such links
/// make the walk exponential).
pub fn folder_id(meta: &Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// The error for a link that leads back to a folder holding it.
pub fn loop_diagnostic(shown: &Path) -> Diagnostic {
    let name = shown.file_name().map_or_else(
        || shown.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Diagnostic::error(
        shown,
        Position::START,
        format!("`{name}` is a symbolic link back to a folder that holds it"),
    )
    .with_hint("a folder cannot hold itself: remove the link")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read_and_never_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "hello").unwrap();
        assert_eq!(read(&file, 5).unwrap(), Ok(b"hello".to_vec()));
        assert_eq!(
            read(&file, 4).unwrap(),
            Err(Refused::TooBig {
                size: Some(5),
                limit: 4
            })
        );
        let fifo = dir.path().join("f.md");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(
            read(&fifo, 5).unwrap(),
            Err(Refused::Special("a FIFO (named pipe)"))
        );
        let zero = dir.path().join("zero.md");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert_eq!(
            read(&zero, 5).unwrap(),
            Err(Refused::Special("a character device"))
        );
        let shown = Path::new("content/f.md");
        assert_eq!(
            Refused::Special("a FIFO (named pipe)").diagnostic(shown).to_string(),
            "content/f.md:1:1: error: `f.md` is a FIFO (named pipe), not a regular file\n  = hint: only regular files are read: remove it, or put the file it stands for in its place"
        );
    }
}
