//! Files of the index read in parts, as the search asks for them, rather than handed over
//! whole: the page's worker answers each read (`plenary.read`, imported) from its block cache,
//! filled by HTTP range requests. This is how a browser searches a large language without
//! downloading it: a search reads a few hundred KiB of an index of many MiB.

use std::ops::Range;

use tantivy::directory::{FileHandle, OwnedBytes};
use tantivy::HasLen;

#[cfg(target_family = "wasm")]
#[link(wasm_import_module = "plenary")]
extern "C" {
    /// Copies `len` bytes of the file the caller numbered `file`, from `offset`, to `dest`:
    /// 0 when it did, anything else when they could not be had.
    #[link_name = "read"]
    fn imported_read(file: u32, offset: usize, len: usize, dest: *mut u8) -> i32;
}

/// Outside a browser nothing answers reads: the module's files are only ever read there.
#[cfg(not(target_family = "wasm"))]
unsafe fn imported_read(_file: u32, _offset: usize, _len: usize, _dest: *mut u8) -> i32 {
    1
}

/// A file read through the worker: its number (the worker's) and its length in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Lazy {
    pub id: u32,
    pub len: usize,
}

impl Lazy {
    /// Fills `buf` with the bytes at `offset`.
    pub fn read_into(&self, buf: &mut [u8], offset: usize) -> std::io::Result<()> {
        let fits = offset
            .checked_add(buf.len())
            .is_some_and(|end| end <= self.len);
        if !fits {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if buf.is_empty() {
            return Ok(());
        }
        // SAFETY: `buf` is valid for writes of `buf.len()` bytes, and the worker writes no more.
        match unsafe { imported_read(self.id, offset, buf.len(), buf.as_mut_ptr()) } {
            0 => Ok(()),
            _ => Err(std::io::Error::other(format!(
                "file {} could not be read at {offset} (+{})",
                self.id,
                buf.len()
            ))),
        }
    }

    pub fn read_all(&self) -> std::io::Result<Vec<u8>> {
        let mut bytes = vec![0; self.len];
        self.read_into(&mut bytes, 0)?;
        Ok(bytes)
    }
}

impl HasLen for Lazy {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for Lazy {
    fn read_bytes(&self, range: Range<usize>) -> std::io::Result<OwnedBytes> {
        let mut bytes = vec![0; range.end.saturating_sub(range.start)];
        self.read_into(&mut bytes, range.start)?;
        Ok(OwnedBytes::new(bytes))
    }
}

/// A body store read through the worker.
impl crate::body_store::Source for Lazy {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        let offset = usize::try_from(offset).map_err(|_| std::io::ErrorKind::UnexpectedEof)?;
        self.read_into(buf, offset)
    }
}
