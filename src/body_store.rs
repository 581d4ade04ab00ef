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

pub const FILE: &str = "bodies.bin";
const MAGIC: &[u8; 8] = b"PLBODY1\n";
const DICTIONARY_BYTES: usize = 64 << 10;
const DICTIONARY_PIECE: usize = 2 << 10;
/// Text per chunk before it is cut at the next word's end.
const CHUNK_BYTES: usize = 4096;
/// zstd's fastest levels compress prose about as well as its default here, at twice the speed.
const LEVEL: i32 = 1;
/// A body longer than this is not kept (it is still indexed): u32 lengths, and a bound on
/// what one hit may make the server read.
const MAX_BODY_BYTES: usize = 64 << 20;

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
            compressor: zstd::bulk::Compressor::with_dictionary(LEVEL, &reader.dictionary)?,
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

/// A language's `bodies.bin`, opened for reading.
pub struct Reader {
    file: File,
    dictionary: Vec<u8>,
    /// Tells this reader's decompressors apart from other readers' in `DECOMPRESSORS`.
    id: u64,
}

/// One page's body as read: the chunks' table and their compressed bytes.
pub struct Body<'r> {
    chunks: Vec<Chunk>,
    data: Vec<u8>,
    reader: &'r Reader,
}

struct Chunk {
    first_position: usize,
    start: usize,
    compressed: usize,
    length: usize,
}

impl Reader {
    pub fn open(path: &Path) -> anyhow::Result<Reader> {
        let file = File::open(path).with_context(|| format!("cannot open `{}`", path.display()))?;
        let mut head = [0; 12];
        file.read_exact_at(&mut head, 0)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        let length = read_u32(&head, 8).unwrap_or_default() as usize;
        if &head[..8] != MAGIC || length > DICTIONARY_BYTES {
            anyhow::bail!(
                "`{}` is not a Plenary body store: rebuild the site",
                path.display()
            );
        }
        let mut dictionary = vec![0; length];
        file.read_exact_at(&mut dictionary, 12)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        static READERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = READERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Reader {
            file,
            dictionary,
            id,
        })
    }

    /// The body at `(offset, length)`; `None` when the file does not hold one there.
    pub fn body(&self, (offset, length): (u64, u64)) -> Option<Body<'_>> {
        if length as usize > MAX_BODY_BYTES + (MAX_BODY_BYTES >> 4) {
            return None;
        }
        let mut bytes = vec![0; length as usize];
        self.file.read_exact_at(&mut bytes, offset).ok()?;
        let count = read_u32(&bytes, 0)? as usize;
        let table = 4 + count.checked_mul(12)?;
        let mut chunks = Vec::with_capacity(count.min(bytes.len() / 12));
        let mut start = table;
        for i in 0..count {
            let at = 4 + i * 12;
            let compressed = read_u32(&bytes, at + 4)? as usize;
            chunks.push(Chunk {
                first_position: read_u32(&bytes, at)? as usize,
                start,
                compressed,
                length: read_u32(&bytes, at + 8)? as usize,
            });
            start = start.checked_add(compressed)?;
        }
        (start <= bytes.len()).then_some(Body {
            chunks,
            data: bytes,
            reader: self,
        })
    }
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

thread_local! {
    /// Each thread's decompressors, by reader: making one (and loading its dictionary) costs
    /// more than decompressing a chunk.
    static DECOMPRESSORS: std::cell::RefCell<Vec<(u64, zstd::bulk::Decompressor<'static>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Decompressors a thread keeps: one per language of the site, and a few of sites served
/// before a rebuild.
const KEPT_DECOMPRESSORS: usize = 16;

impl Body<'_> {
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// The chunk holding the word at `position`.
    pub fn chunk_at(&self, position: usize) -> usize {
        self.chunks
            .partition_point(|c| c.first_position <= position)
            .saturating_sub(1)
    }

    pub fn first_position(&self, chunk: usize) -> usize {
        self.chunks.get(chunk).map_or(0, |c| c.first_position)
    }

    /// The text of chunk `i`; `None` if it is damaged.
    pub fn chunk(&self, i: usize) -> Option<String> {
        let chunk = self.chunks.get(i)?;
        let packed = self.data.get(chunk.start..chunk.start + chunk.compressed)?;
        let reader = self.reader;
        let bytes = DECOMPRESSORS.with_borrow_mut(|kept| {
            let at = match kept.iter().position(|(id, _)| *id == reader.id) {
                Some(at) => at,
                None => {
                    if kept.len() >= KEPT_DECOMPRESSORS {
                        kept.remove(0);
                    }
                    let made = zstd::bulk::Decompressor::with_dictionary(&reader.dictionary);
                    kept.push((reader.id, made.ok()?));
                    kept.len() - 1
                }
            };
            kept[at].1.decompress(packed, chunk.length).ok()
        })?;
        String::from_utf8(bytes).ok()
    }

    /// The whole text; `None` if any of it is damaged.
    pub fn text(&self) -> Option<String> {
        let mut text = String::new();
        for i in 0..self.chunks.len() {
            text.push_str(&self.chunk(i)?);
        }
        Some(text)
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
