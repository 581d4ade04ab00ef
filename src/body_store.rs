//! Page bodies for excerpts, kept beside each language's index in chunks of a few kilobytes,
//! each compressed with zstd: showing a hit reads its body's bytes and decompresses only the
//! chunk its best passage is in.
//!
//! Tantivy's document store compresses whole blocks with lz4 and validates the whole body on
//! every hit; small lz4 blocks made hits fast but the index a tenth bigger. zstd compresses
//! text better, and here one decompressor is kept per thread (tantivy makes one per block).
//!
//! `bodies.bin` is the bodies one after another; a page's stored fields say where its body
//! is (offset, length). A body is: a little-endian `u32` chunk count, then for each chunk
//! three `u32`: the position (word count, as the index counts positions) of its first word,
//! its compressed length and its length; then the compressed chunks. Chunks end between
//! words, so a position can be found by counting words from the chunk's start.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::analysis;

mod read;
pub use read::{Body, Reader, Source, FILE};
use read::{DICTIONARY_BYTES, MAGIC, MAX_BODY_BYTES};

const DICTIONARY_PIECE: usize = 2 << 10;
/// Text per chunk before it is cut at the next word's end.
const CHUNK_BYTES: usize = 4096;
/// zstd's fastest levels compress prose about as well as its default here, at twice the speed.
const LEVEL: i32 = 1;

pub struct Writer {
    path: PathBuf,
    file: BufWriter<File>,
    written: u64,
    compressor: zstd::bulk::Compressor<'static>,
}

impl Writer {
    /// A store for bodies like `samples` (all of them, or an even selection): zstd is given
    /// pieces of them as a dictionary, so that each small chunk can refer to the language's
    /// common words and phrases instead of spelling them out again.
    pub fn create(path: &Path, samples: &[&str]) -> anyhow::Result<Writer> {
        let dictionary = dictionary(samples);
        let mut file =
            File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
        let mut head = MAGIC.to_vec();
        head.extend((dictionary.len() as u32).to_le_bytes());
        head.extend(&dictionary);
        file.write_all(&head)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        Ok(Writer {
            path: path.to_path_buf(),
            file: BufWriter::new(file),
            written: head.len() as u64,
            compressor: zstd::bulk::Compressor::with_dictionary(LEVEL, &dictionary)?,
        })
    }

    /// Opens an existing store to add bodies at its end, compressed with the dictionary it has.
    pub fn append(path: &Path) -> anyhow::Result<Writer> {
        let reader = Reader::open(path)?;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open `{}`", path.display()))?;
        let written = file
            .metadata()
            .with_context(|| format!("cannot read `{}`", path.display()))?
            .len();
        Ok(Writer {
            path: path.to_path_buf(),
            file: BufWriter::new(file),
            written,
            compressor: zstd::bulk::Compressor::with_dictionary(LEVEL, reader.dictionary())?,
        })
    }

    /// Appends a body and says where it is: (offset, length). `count_positions` is false for
    /// languages whose excerpts find terms without positions (Chinese).
    pub fn add(&mut self, body: &str, count_positions: bool) -> anyhow::Result<Option<(u64, u64)>> {
        if body.len() > MAX_BODY_BYTES {
            return Ok(None);
        }
        let mut header = Vec::new();
        let mut compressed = Vec::new();
        let pieces = chunks(body);
        header.extend((pieces.len() as u32).to_le_bytes());
        let mut position = 0;
        for piece in pieces {
            let text = &body[piece];
            let packed = self.compressor.compress(text.as_bytes())?;
            header.extend((position as u32).to_le_bytes());
            header.extend((packed.len() as u32).to_le_bytes());
            header.extend((text.len() as u32).to_le_bytes());
            compressed.extend(packed);
            if count_positions {
                position += analysis::count_words(text);
            }
        }
        let at = self.written;
        let write = |file: &mut BufWriter<File>| -> std::io::Result<()> {
            file.write_all(&header)?;
            file.write_all(&compressed)
        };
        write(&mut self.file).with_context(|| format!("cannot write `{}`", self.path.display()))?;
        let length = (header.len() + compressed.len()) as u64;
        self.written += length;
        Ok(Some((at, length)))
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        self.file
            .flush()
            .with_context(|| format!("cannot write `{}`", self.path.display()))
    }
}

/// A raw dictionary: `DICTIONARY_PIECE` bytes from the start of up to `DICTIONARY_BYTES /
/// DICTIONARY_PIECE` samples spread evenly.
fn dictionary(samples: &[&str]) -> Vec<u8> {
    let pieces = DICTIONARY_BYTES / DICTIONARY_PIECE;
    let step = samples.len().div_ceil(pieces).max(1);
    let mut dictionary = Vec::with_capacity(DICTIONARY_BYTES);
    for sample in samples.iter().step_by(step) {
        let mut end = sample.len().min(DICTIONARY_PIECE);
        while !sample.is_char_boundary(end) {
            end -= 1;
        }
        dictionary.extend(&sample.as_bytes()[..end]);
    }
    dictionary
}

/// `body` cut into pieces of about `CHUNK_BYTES`, each ending where a word does.
fn chunks(body: &str) -> Vec<std::ops::Range<usize>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let mut end = (start + CHUNK_BYTES).min(body.len());
        while !body.is_char_boundary(end) {
            end += 1;
        }
        let end = analysis::word_end(body, end);
        pieces.push(start..end);
        start = end;
    }
    pieces
}

/// How many bytes a store's head takes (its magic, the length of its dictionary and the
/// dictionary): what opening it reads. `None` if `bytes` do not start as a store does.
pub fn head_len(bytes: &[u8]) -> Option<usize> {
    let length = u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?) as usize;
    (bytes.starts_with(MAGIC) && length <= DICTIONARY_BYTES).then_some(12 + length)
}

impl Reader {
    pub fn open(path: &Path) -> anyhow::Result<Reader> {
        let file = File::open(path).with_context(|| format!("cannot open `{}`", path.display()))?;
        Reader::from_source(Box::new(file), &path.display().to_string())
    }
}

impl Source for File {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        FileExt::read_exact_at(self, buf, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_come_back_whole_and_by_the_chunk_of_a_position() {
        let dir = std::env::temp_dir().join(format!("plenary-bodies-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE);
        let long: String = (0..3000).map(|i| format!("word{i} ")).collect();
        let mut writer = Writer::create(&path, &["Всеобщая декларация прав", &long]).unwrap();
        let short_at = writer.add("Всеобщая декларация", true).unwrap().unwrap();
        let long_at = writer.add(&long, true).unwrap().unwrap();
        writer.finish().unwrap();

        let reader = Reader::open(&path).unwrap();
        let short = reader.body(short_at).unwrap();
        assert_eq!(short.chunk_count(), 1);
        assert_eq!(short.text().unwrap(), "Всеобщая декларация");
        let body = reader.body(long_at).unwrap();
        assert!(body.chunk_count() > 3, "{}", body.chunk_count());
        assert_eq!(body.text().unwrap(), long);
        let chunk = body.chunk_at(2500);
        let text = body.chunk(chunk).unwrap();
        let skip = 2500 - body.first_position(chunk);
        let word = text.split_whitespace().nth(skip).unwrap();
        assert_eq!(word, "word2500");
        // A damaged location gives nothing rather than garbage.
        assert!(reader.body((long_at.0, 10)).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
