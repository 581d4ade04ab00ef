//! The reading half of the body store (`body_store`): a page's body, a chunk at a time, from
//! a `bodies.bin` read at any offset. A file of its own because the search compiled to
//! WebAssembly (`src/wasm/`) includes it; there the bytes are in memory, not in a file.

use anyhow::Context as _;

pub const FILE: &str = "bodies.bin";
pub(crate) const MAGIC: &[u8; 8] = b"PLBODY1\n";
pub(crate) const DICTIONARY_BYTES: usize = 64 << 10;
/// A body longer than this is not kept (it is still indexed): u32 lengths, and a bound on
/// what one hit may make the server read.
pub(crate) const MAX_BODY_BYTES: usize = 64 << 20;

/// Where a store's bytes are: a file natively, memory in the browser.
pub trait Source: Send + Sync {
    /// Fills `buf` from `offset`, or fails if the store is shorter.
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()>;
}

impl Source for Vec<u8> {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        let bytes = usize::try_from(offset)
            .ok()
            .and_then(|start| self.get(start..start.checked_add(buf.len())?))
            .ok_or(std::io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(bytes);
        Ok(())
    }
}

/// A language's `bodies.bin`, opened for reading.
pub struct Reader {
    source: Box<dyn Source>,
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
    /// Reads the store's head from `source`; `name` is how messages name it (its path).
    pub fn from_source(source: Box<dyn Source>, name: &str) -> anyhow::Result<Reader> {
        let mut head = [0; 12];
        source
            .read_exact_at(&mut head, 0)
            .with_context(|| format!("cannot read `{name}`"))?;
        let length = read_u32(&head, 8).unwrap_or_default() as usize;
        if &head[..8] != MAGIC || length > DICTIONARY_BYTES {
            anyhow::bail!("`{name}` is not a Plenary body store: rebuild the site");
        }
        let mut dictionary = vec![0; length];
        source
            .read_exact_at(&mut dictionary, 12)
            .with_context(|| format!("cannot read `{name}`"))?;
        static READERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = READERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Reader {
            source,
            dictionary,
            id,
        })
    }

    /// The zstd dictionary the store's chunks are compressed with.
    pub fn dictionary(&self) -> &[u8] {
        &self.dictionary
    }

    /// The body at `(offset, length)`; `None` when the file does not hold one there.
    pub fn body(&self, (offset, length): (u64, u64)) -> Option<Body<'_>> {
        if length as usize > MAX_BODY_BYTES + (MAX_BODY_BYTES >> 4) {
            return None;
        }
        let mut bytes = vec![0; length as usize];
        self.source.read_exact_at(&mut bytes, offset).ok()?;
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
