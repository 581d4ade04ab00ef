//! The files of a built site's `_search/` folder, handed over by the page's script, in memory
//! or to be read in parts through it (lazy.rs): what the searcher opens (`IndexSource`), and
//! each language's tantivy files as a read-only tantivy `Directory`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::Directory;

use crate::body_store;
use crate::lazy::Lazy;
use crate::query::IndexSource;

/// What messages call the folder the files come from.
const FOLDER: &str = "_search";

/// The files handed over, by their path under `_search/` (`meta.json`, `en/bodies.bin`, ...).
#[derive(Default)]
pub struct Files(BTreeMap<String, File>);

/// A file's bytes, handed over whole or read through the worker when asked for.
#[derive(Clone, Debug)]
enum File {
    Whole(OwnedBytes),
    Lazy(Lazy),
}

impl File {
    fn to_vec(&self) -> std::io::Result<Vec<u8>> {
        match self {
            File::Whole(bytes) => Ok(bytes.to_vec()),
            File::Lazy(lazy) => lazy.read_all(),
        }
    }
}

impl Files {
    pub fn add(&mut self, path: String, bytes: Vec<u8>) {
        self.0.insert(path, File::Whole(OwnedBytes::new(bytes)));
    }

    /// A file of `len` bytes that the worker reads in parts, as file number `id`.
    pub fn add_lazy(&mut self, path: String, id: u32, len: usize) {
        self.0.insert(path, File::Lazy(Lazy { id, len }));
    }

    fn get(&self, path: &str) -> anyhow::Result<&File> {
        self.0
            .get(path)
            .with_context(|| format!("`{FOLDER}/{path}` was not handed over"))
    }
}

impl IndexSource for Files {
    fn name(&self) -> String {
        FOLDER.to_string()
    }

    fn meta(&self) -> anyhow::Result<Vec<u8>> {
        Ok(self.get("meta.json")?.to_vec()?)
    }

    fn directory(&self, lang: &str) -> anyhow::Result<Box<dyn Directory>> {
        let prefix = format!("{lang}/");
        let files = self
            .0
            .iter()
            .filter_map(|(path, file)| {
                let name = path.strip_prefix(&prefix)?;
                (name != body_store::FILE).then(|| (PathBuf::from(name), file.clone()))
            })
            .collect();
        Ok(Box::new(ReadOnly {
            files: Arc::new(files),
        }))
    }

    fn bodies(&self, lang: &str) -> anyhow::Result<body_store::Reader> {
        let path = format!("{lang}/{}", body_store::FILE);
        let source: Box<dyn body_store::Source> = match self.get(&path)? {
            File::Whole(bytes) => Box::new(Bytes(bytes.clone())),
            File::Lazy(lazy) => Box::new(*lazy),
        };
        body_store::Reader::from_source(source, &format!("{FOLDER}/{path}"))
    }
}

/// A body store's bytes, shared with `Files` rather than copied.
struct Bytes(OwnedBytes);

impl body_store::Source for Bytes {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        let bytes = usize::try_from(offset)
            .ok()
            .and_then(|start| self.0.get(start..start.checked_add(buf.len())?))
            .ok_or(std::io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(bytes);
        Ok(())
    }
}

/// One language's tantivy files, read-only: a searcher only reads, and there is no file to
/// write to in a browser.
#[derive(Clone)]
struct ReadOnly {
    files: Arc<BTreeMap<PathBuf, File>>,
}

impl std::fmt::Debug for ReadOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.files.keys()).finish()
    }
}

fn read_only(path: &Path) -> std::io::Error {
    std::io::Error::other(format!("`{}`: the index is read-only", path.display()))
}

impl Directory for ReadOnly {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        match self.files.get(path) {
            Some(File::Whole(bytes)) => Ok(Arc::new(bytes.clone())),
            Some(File::Lazy(lazy)) => Ok(Arc::new(*lazy)),
            None => Err(OpenReadError::FileDoesNotExist(path.to_path_buf())),
        }
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        Ok(self.files.contains_key(path))
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        match self.files.get(path) {
            Some(file) => file.to_vec().map_err(|e| OpenReadError::IoError {
                io_error: Arc::new(e),
                filepath: path.to_path_buf(),
            }),
            None => Err(OpenReadError::FileDoesNotExist(path.to_path_buf())),
        }
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> std::io::Result<()> {
        Err(read_only(path))
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        Ok(())
    }

    /// A reader takes the meta lock while it loads the segments, which tantivy does by writing
    /// a lock file: with nothing ever writing here, the lock is granted at once.
    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    /// The files never change.
    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}
