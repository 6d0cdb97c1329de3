//! A cache of parsed catalogs and their search indexes, so a large catalog file loads in milliseconds
//! after its first use.
//!
//! Parsing and validating the JSON of 100,000 APIs and building their search index takes a few hundred
//! milliseconds, most of a `permscope search` or `check` run. The cache keeps one entry per catalog
//! file path, with a hash of the file's contents that must match on every load, so an edited file is
//! never served from an older entry. An entry has four parts, each with its own checksum: the catalog
//! (postcard), the search index, the action table with each API's scopes, and the texts a `check`
//! report prints. A command reads only the parts it needs: `search` the index, a cached `check` the
//! last two. Files below [`MIN_CACHED_BYTES`] parse faster than the cache could help.
//!
//! The cache is optional: an entry that cannot be read, does not match or does not decode is ignored
//! and written again, and a failed write only costs the next run the same parse.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use xxhash_rust::xxh3::Xxh3;

use crate::catalog::{Catalog, Scope, Scopes};
use crate::eval::ActionTable;
use crate::error::InputError;
use crate::search::SearchIndex;

/// Catalog files smaller than this (1 MiB, about 3,000 APIs) are parsed every time.
pub const MIN_CACHED_BYTES: usize = 1024 * 1024;

/// Entries kept in the cache directory; the least recently written are removed first.
const MAX_ENTRIES: usize = 4;

/// The first bytes of every entry. The format number changes whenever the stored layout does.
const MAGIC: &[u8; 16] = b"permscope-cat-05";

/// The parts of an entry, in the order they are stored, so `part as usize` is its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The catalog, in postcard.
    Catalog,
    /// The search index, in its own fixed layout.
    Index,
    /// The scopes of each API, then the action table.
    Evaluation,
    /// The method, path and names of each API, for reports that print them ([`StoredTexts`]).
    Texts,
}

const PARTS: [Part; 4] = [Part::Catalog, Part::Index, Part::Evaluation, Part::Texts];

/// Bytes of the header: the magic, the content key, then each part's length and each part's xxh3
/// checksum.
const HEADER_LEN: usize = 16 + 16 + 2 * PARTS.len() * 8;

/// The directory that cached catalogs are kept in.
#[derive(Debug, Clone)]
pub struct CatalogCache {
    dir: PathBuf,
}

/// An entry's header: what it was stored for and where its parts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    key: u128,
    /// Per part, in [`PARTS`] order.
    lens: [u64; PARTS.len()],
    sums: [u64; PARTS.len()],
}

impl Header {
    fn to_bytes(self) -> [u8; HEADER_LEN] {
        let mut bytes = [0; HEADER_LEN];
        bytes[..16].copy_from_slice(MAGIC);
        bytes[16..32].copy_from_slice(&self.key.to_le_bytes());
        for (i, value) in self.lens.into_iter().chain(self.sums).enumerate() {
            bytes[32 + 8 * i..40 + 8 * i].copy_from_slice(&value.to_le_bytes());
        }
        bytes
    }

    fn from_bytes(bytes: &[u8; HEADER_LEN]) -> Option<Header> {
        if &bytes[..16] != MAGIC {
            return None;
        }
        let word = |i: usize| u64::from_le_bytes(bytes[32 + 8 * i..40 + 8 * i].try_into().expect("8 bytes"));
        Some(Header {
            key: u128::from_le_bytes(bytes[16..32].try_into().expect("16 bytes")),
            lens: std::array::from_fn(word),
            sums: std::array::from_fn(|i| word(PARTS.len() + i)),
        })
    }

    /// Returns the size of the entry: the header and every part; `None` when the lengths overflow.
    fn size(&self) -> Option<u64> {
        self.lens.iter().try_fold(HEADER_LEN as u64, |size, len| size.checked_add(*len))
    }

    /// Returns where `part` starts in the entry, or `None` when the lengths overflow.
    fn offset(&self, part: Part) -> Option<u64> {
        self.lens[..part as usize].iter().try_fold(HEADER_LEN as u64, |offset, len| offset.checked_add(*len))
    }
}

/// An open entry, mapped into memory.
///
/// An entry is mapped rather than read: reading a part of 15 to 30 MB into fresh memory took a third of
/// a cached `check`, in page faults and copying.
struct Entry {
    map: Arc<memmap2::Mmap>,
    header: Header,
}

impl Entry {
    /// Opens the entry at `path` when its header is whole and its size matches the header.
    fn open(path: &Path) -> Option<Entry> {
        let file = File::open(path).ok()?;
        let size = file.metadata().ok()?.len();
        if size < HEADER_LEN as u64 {
            return None;
        }
        // SAFETY: the mapping stays valid only while no one shortens the file (a read past its end
        // raises SIGBUS). permscope never changes an entry in place: `CatalogCache::write` renames a
        // new file over it and pruning unlinks it, and on Unix a mapped file outlives both. The bytes
        // are checked against their checksums before use, and handed out only as checked slices.
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        let header = Header::from_bytes(map[..HEADER_LEN].try_into().expect("the header's length"))?;
        (header.size() == Some(size) && map.len() as u64 == size).then(|| Entry { map: Arc::new(map), header })
    }

    /// Returns the range of `part` in the map when its checksum matches.
    fn part_range(&self, part: Part) -> Option<std::ops::Range<usize>> {
        let i = part as usize;
        let start = usize::try_from(self.header.offset(part)?).ok()?;
        let end = start.checked_add(usize::try_from(self.header.lens[i]).ok()?)?;
        let bytes = self.map.get(start..end)?;
        // Mapping the part's pages in one call costs far less than faulting them in as they are read,
        // which is what happens on kernels before 5.14, where this call fails.
        #[cfg(target_os = "linux")]
        let _ = self.map.advise_range(memmap2::Advice::PopulateRead, start, bytes.len());
        (xxhash_rust::xxh3::xxh3_64(bytes) == self.header.sums[i]).then_some(start..end)
    }

    /// Returns the bytes of `part` when its checksum matches.
    fn part(&self, part: Part) -> Option<&[u8]> {
        self.part_range(part).map(|range| &self.map[range])
    }

    fn catalog(&self) -> Option<Catalog> {
        postcard::from_bytes(self.part(Part::Catalog)?).ok()
    }

    fn index(&self) -> Option<SearchIndex> {
        SearchIndex::read_stored(self.part(Part::Index)?).ok()
    }

    fn check_data(&self) -> Option<CheckData> {
        let bytes = self.part(Part::Evaluation)?;
        // The part is the number of APIs, a byte of scope bits per API, then the action table.
        let count = usize::try_from(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)).ok()?;
        let end = count.checked_add(8)?;
        let scopes = bytes.get(8..end)?.to_vec();
        let table = ActionTable::read_stored(&bytes[end..]).ok()?;
        let texts = StoredTexts::read_stored(Arc::clone(&self.map), self.part_range(Part::Texts)?).ok()?;
        let fits = scopes.len() == table.api_count() && texts.len() == table.api_count() && scopes.iter().all(|&s| s < 4);
        fits.then_some(CheckData { texts, table, scopes })
    }
}

impl CatalogCache {
    pub fn new(dir: impl Into<PathBuf>) -> CatalogCache {
        CatalogCache { dir: dir.into() }
    }

    /// Returns the user's cache directory for permscope (`$XDG_CACHE_HOME/permscope/catalogs` or
    /// `~/.cache/permscope/catalogs` on Linux), or `None` without a home directory.
    pub fn for_user() -> Option<CatalogCache> {
        // Without HOME the directories crate falls back to the password database, which in `env -i`
        // or on a shared jump host is rarely where the user expects files to appear.
        let home_set = std::env::var_os("HOME").is_some_and(|h| !h.is_empty());
        let dirs = directories::ProjectDirs::from("", "", "permscope").filter(|_| home_set)?;
        Some(CatalogCache::new(dirs.cache_dir().join("catalogs")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Returns the path of the entry in slot `slot`.
    fn entry_path(&self, slot: u128) -> PathBuf {
        self.dir.join(format!("{slot:032x}.bin"))
    }

    /// Opens the entry in `slot` when it was stored for contents with key `key`.
    fn open(&self, slot: u128, key: u128) -> Option<Entry> {
        Entry::open(&self.entry_path(slot)).filter(|entry| entry.header.key == key)
    }

    /// Stores the catalog and its index in `slot` for contents with key `key`, then removes the oldest
    /// entries beyond [`MAX_ENTRIES`]. The entry is streamed to a temporary file that is renamed into
    /// place, so no copy of the whole entry is held in memory and a reader never sees half an entry.
    fn write(&self, slot: u128, key: u128, catalog: &Catalog, index: &SearchIndex) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let mut file = tempfile::Builder::new().prefix(".permscope-").suffix(".tmp").tempfile_in(&self.dir)?;
        let header = {
            let mut writer = std::io::BufWriter::with_capacity(1 << 20, file.as_file_mut());
            // The header is known once every part is written, so it is filled in below.
            writer.write_all(&[0; HEADER_LEN])?;
            let mut header = Header { key, lens: [0; PARTS.len()], sums: [0; PARTS.len()] };
            for (i, part) in PARTS.into_iter().enumerate() {
                let mut out = PartWriter::new(&mut writer);
                match part {
                    Part::Catalog => postcard::to_io(catalog, &mut out).map(drop).map_err(std::io::Error::other)?,
                    Part::Index => index.write_stored(&mut out)?,
                    Part::Evaluation => {
                        let scopes: Vec<u8> = catalog.apis.iter().map(|api| scope_bits(&api.scopes)).collect();
                        out.write_all(&(scopes.len() as u64).to_le_bytes())?;
                        out.write_all(&scopes)?;
                        ActionTable::new(catalog).write_stored(&mut out)?;
                    }
                    Part::Texts => StoredTexts::write_stored(catalog, &mut out)?,
                }
                (header.lens[i], header.sums[i]) = out.finish();
            }
            writer.flush()?;
            header
        };
        file.as_file_mut().seek(SeekFrom::Start(0))?;
        file.as_file_mut().write_all(&header.to_bytes())?;
        let path = self.entry_path(slot);
        file.persist(&path).map_err(|e| e.error)?;
        self.prune(&path);
        Ok(path)
    }

    /// Removes the least recently written entries beyond [`MAX_ENTRIES`], never `keep`. Only files
    /// named like entries are touched.
    fn prune(&self, keep: &Path) {
        let Ok(listing) = std::fs::read_dir(&self.dir) else { return };
        let mut entries: Vec<(SystemTime, PathBuf)> = listing
            .filter_map(Result::ok)
            .filter(|e| is_entry_name(&e.file_name().to_string_lossy()))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .filter(|(_, path)| path != keep)
            .collect();
        entries.sort_unstable_by_key(|entry| std::cmp::Reverse(entry.0));
        for (_, path) in entries.into_iter().skip(MAX_ENTRIES - 1) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The parts of a cached catalog that `check` reads: the texts it prints, the action table and, per
/// API, the scopes its grants take effect in.
pub struct CheckData {
    pub texts: StoredTexts,
    pub table: ActionTable,
    /// Per API: bit 0 set when grants take effect in an IAM project, bit 1 in an enterprise project.
    scopes: Vec<u8>,
}

impl CheckData {
    /// True when grants in `scope` take effect for API `api`.
    pub fn supports(&self, api: usize, scope: Scope) -> bool {
        let bit = match scope {
            Scope::Project => 1,
            Scope::Enterprise => 2,
        };
        self.scopes.get(api).is_some_and(|s| s & bit != 0)
    }
}

/// The method, path and names of every API, as a cache entry keeps them apart from the catalog. A
/// `check` report prints these for 100,000 APIs; reading them from the search index would mean
/// reading and decoding all of its 30 MB. [`StoredTexts::check`] gives them as [`ApiTexts`].
pub struct StoredTexts {
    /// The cache entry the texts are kept in.
    map: Arc<memmap2::Mmap>,
    /// The arena's range in `map`: each API's method, path, Chinese name and English name, one after
    /// another.
    arena: std::ops::Range<usize>,
    /// Field `f` of API `i` is `arena[bounds[4 * i + f]..bounds[4 * i + f + 1]]`.
    bounds: Vec<u32>,
}

/// The fields [`StoredTexts`] keeps per API.
const TEXT_FIELDS: usize = 4;

/// The method, path and names of every API, read from [`StoredTexts`].
pub struct ApiTexts<'a> {
    arena: &'a str,
    bounds: &'a [u32],
}

impl ApiTexts<'_> {
    pub fn len(&self) -> usize {
        self.bounds.len() / TEXT_FIELDS
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn field(&self, api: usize, field: usize) -> &str {
        let at = TEXT_FIELDS * api + field;
        &self.arena[self.bounds[at] as usize..self.bounds[at + 1] as usize]
    }

    pub fn method(&self, api: usize) -> &str {
        self.field(api, 0)
    }

    pub fn path(&self, api: usize) -> &str {
        self.field(api, 1)
    }

    /// Returns the Chinese and the English name.
    pub fn names(&self, api: usize) -> (&str, &str) {
        (self.field(api, 2), self.field(api, 3))
    }
}

impl StoredTexts {
    pub fn len(&self) -> usize {
        self.bounds.len() / TEXT_FIELDS
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks that the texts are UTF-8 and that each field starts and ends on a character, and returns
    /// them. Returns `None` when they are not, which only a forged entry can be once its checksum
    /// matched. Checking 100,000 APIs takes a few milliseconds, so a caller may run it on a second thread.
    pub fn check(&self) -> Option<ApiTexts<'_>> {
        let arena = std::str::from_utf8(&self.map[self.arena.clone()]).ok()?;
        self.bounds.iter().all(|&b| arena.is_char_boundary(b as usize)).then_some(ApiTexts { arena, bounds: &self.bounds })
    }

    /// Writes the texts of `catalog`'s APIs: the number of APIs and the arena's length, the arena, then
    /// the bounds, all little-endian. The arena is written as it is walked, never built in memory.
    fn write_stored(catalog: &Catalog, out: &mut impl Write) -> std::io::Result<()> {
        fn fields(api: &crate::catalog::Api) -> [&str; TEXT_FIELDS] {
            [&api.method, &api.path, &api.name.zh, &api.name.en]
        }
        let mut bounds = Vec::with_capacity(TEXT_FIELDS * catalog.apis.len() + 1);
        let mut end = 0u32;
        bounds.push(end);
        for api in &catalog.apis {
            for field in fields(api) {
                end = u32::try_from(field.len()).ok().and_then(|len| end.checked_add(len)).ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, "the catalog's texts exceed 4 GiB")
                })?;
                bounds.push(end);
            }
        }
        out.write_all(&(catalog.apis.len() as u64).to_le_bytes())?;
        out.write_all(&u64::from(end).to_le_bytes())?;
        for api in &catalog.apis {
            for field in fields(api) {
                out.write_all(field.as_bytes())?;
            }
        }
        for bound in bounds {
            out.write_all(&bound.to_le_bytes())?;
        }
        Ok(())
    }

    /// Reads texts that [`StoredTexts::write_stored`] wrote at `part` in `map`. Bounds out of order or
    /// outside the arena are rejected here, and text that is not UTF-8 by [`StoredTexts::check`], so a
    /// damaged entry cannot make a report panic.
    fn read_stored(map: Arc<memmap2::Mmap>, part: std::ops::Range<usize>) -> Result<StoredTexts, String> {
        let bytes = &map[part.clone()];
        let word = |at: usize| -> Result<u64, String> {
            let word = bytes.get(at..at + 8).ok_or("the texts are cut short")?;
            Ok(u64::from_le_bytes(word.try_into().expect("8 bytes")))
        };
        let (api_count, arena_len) = (word(0)?, word(8)?);
        let arena_end = usize::try_from(arena_len).ok().and_then(|len| len.checked_add(16)).ok_or("the arena is too long")?;
        let bounds_len = usize::try_from(api_count)
            .ok()
            .and_then(|n| n.checked_mul(TEXT_FIELDS))
            .and_then(|n| n.checked_add(1))
            .and_then(|n| n.checked_mul(4))
            .ok_or("too many APIs")?;
        if arena_end.checked_add(bounds_len) != Some(bytes.len()) {
            return Err("the texts' lengths do not add up to the part".into());
        }
        let bounds: Vec<u32> =
            bytes[arena_end..].chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes"))).collect();
        let ordered = bounds.first() == Some(&0) && bounds.windows(2).all(|pair| pair[0] <= pair[1]);
        if !ordered || bounds.last().is_none_or(|&end| u64::from(end) != arena_len) {
            return Err("the bounds of the texts do not fit the arena".into());
        }
        let arena = part.start + 16..part.start + arena_end;
        Ok(StoredTexts { map, arena, bounds })
    }
}

fn scope_bits(scopes: &Scopes) -> u8 {
    u8::from(scopes.project) | u8::from(scopes.enterprise_project) << 1
}

/// Passes bytes on to `inner`, hashing and counting them on the way.
struct PartWriter<W> {
    inner: W,
    hasher: Xxh3,
    written: u64,
}

impl<W: Write> PartWriter<W> {
    fn new(inner: W) -> PartWriter<W> {
        PartWriter { inner, hasher: Xxh3::new(), written: 0 }
    }

    /// Returns the length and the xxh3 checksum of what was written.
    fn finish(self) -> (u64, u64) {
        (self.written, self.hasher.digest())
    }
}

impl<W: Write> Write for PartWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        self.written += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Bytes of a catalog hashed as one piece of its content key. The pieces of a file are hashed on all
/// cores: hashing a 37 MB catalog on one took longer than everything else a cached `check` does.
const KEY_PIECE: usize = 4 << 20;

/// Names a catalog's contents, together with the build of permscope that parses them, because
/// another build may validate or index the same file differently. The key is a hash of the length and
/// of each [`KEY_PIECE`] bytes' hash.
///
/// xxh3 is not a cryptographic hash. Someone able to craft two catalogs with the same key gains
/// nothing from it: they would have to supply both files, and each loads as one of them.
fn content_key(contents: &[u8]) -> u128 {
    let digests: Vec<u128> = contents.chunks(KEY_PIECE).map(xxhash_rust::xxh3::xxh3_128).collect();
    key_of(contents.len() as u64, &digests)
}

/// Returns the key of contents of `len` bytes whose pieces hash to `digests`.
fn key_of(len: u64, digests: &[u128]) -> u128 {
    let mut hasher = key_hasher();
    hasher.update(&len.to_le_bytes());
    for digest in digests {
        hasher.update(&digest.to_le_bytes());
    }
    hasher.digest128()
}

/// Starts a key with the version and the running executable's size and modification time, so a
/// rebuilt binary never reads entries an older build wrote.
fn key_hasher() -> Xxh3 {
    let mut hasher = Xxh3::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(&[0]);
    if let Some(metadata) = std::env::current_exe().ok().and_then(|exe| std::fs::metadata(exe).ok()) {
        hasher.update(&metadata.len().to_le_bytes());
        let modified = metadata.modified().ok().and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok());
        hasher.update(&modified.unwrap_or_default().as_nanos().to_le_bytes());
    }
    hasher
}

/// Computes [`content_key`] of a file by streaming its pieces, one run of pieces per core, so a cache
/// hit never keeps the catalog's text in memory. Returns `None` for anything but a readable regular
/// file, or one whose length changes while it is read.
fn file_key(path: &Path) -> Option<u128> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    let len = metadata.len();
    let pieces = usize::try_from(len.div_ceil(KEY_PIECE as u64)).ok()?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, pieces.max(1));
    let per_thread = pieces.div_ceil(threads).max(1);
    let runs: Option<Vec<(Vec<u128>, u64)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..pieces)
            .step_by(per_thread)
            .map(|first| scope.spawn(move || piece_digests(path, first..(first + per_thread).min(pieces))))
            .collect();
        workers.into_iter().map(|worker| worker.join().ok().flatten()).collect()
    });
    let (digests, read): (Vec<Vec<u128>>, Vec<u64>) = runs?.into_iter().unzip();
    let unchanged = read.iter().sum::<u64>() == len && std::fs::metadata(path).is_ok_and(|m| m.len() == len);
    unchanged.then(|| key_of(len, &digests.concat()))
}

/// Hashes pieces `pieces` of the file at `path`, and returns their digests and the bytes read; `None`
/// when the file cannot be read.
fn piece_digests(path: &Path, pieces: std::ops::Range<usize>) -> Option<(Vec<u128>, u64)> {
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start((pieces.start * KEY_PIECE) as u64)).ok()?;
    let mut buffer = vec![0; 256 * 1024];
    let mut digests = Vec::with_capacity(pieces.len());
    let mut read = 0;
    for _ in pieces {
        let mut hasher = Xxh3::new();
        let mut piece = (&mut file).take(KEY_PIECE as u64);
        loop {
            match piece.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    hasher.update(&buffer[..n]);
                    read += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        digests.push(hasher.digest128());
    }
    Some((digests, read))
}

/// Returns the slot of a catalog file: a hash of its absolute path, so the entry can be opened while
/// the file is hashed. The entry's content key decides whether it still matches the file; an edited
/// file's new entry replaces the old one.
fn path_slot(path: &Path) -> Option<u128> {
    let absolute = std::fs::canonicalize(path).ok()?;
    let mut hasher = key_hasher();
    hasher.update(b"path\0");
    hasher.update(absolute.as_os_str().as_encoded_bytes());
    Some(hasher.digest128())
}

/// True for the names [`CatalogCache::entry_path`] gives: 32 hexadecimal digits and `.bin`.
fn is_entry_name(name: &str) -> bool {
    name.strip_suffix(".bin").is_some_and(|stem| stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A `--catalog` file (`-` for standard input) and its cache entry, whose parts are read on demand.
pub struct CatalogFile {
    path: String,
    cache: Option<CatalogCache>,
    entry: Option<Entry>,
    /// The file's content key, computed on a second thread while the entry is read. Until it is
    /// compared with the entry's key, nothing read from the entry is handed out.
    key: Option<std::thread::JoinHandle<Option<u128>>>,
    warning: Option<String>,
}

impl CatalogFile {
    /// Opens the cache entry of the file at `path` when `cache` is given and the file is large enough
    /// to gain from it, and starts hashing the file on a second thread to check the entry against.
    /// Nothing here fails: problems with the file itself are reported by [`CatalogFile::load`].
    pub fn open(path: &str, cache: Option<CatalogCache>) -> CatalogFile {
        let mut file = CatalogFile { path: path.to_owned(), cache, entry: None, key: None, warning: None };
        let Some(cache) = &file.cache else { return file };
        let large = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() >= MIN_CACHED_BYTES as u64);
        if path == "-" || !large {
            return file;
        }
        let Some(slot) = path_slot(Path::new(path)) else { return file };
        file.entry = Entry::open(&cache.entry_path(slot));
        // The file is hashed only when there is an entry to check it against.
        if file.entry.is_some() {
            let path = PathBuf::from(path);
            file.key = Some(std::thread::spawn(move || file_key(&path)));
        }
        file
    }

    /// Reads from the entry with `read`, and returns the value once the entry is known to match the
    /// file's contents. An entry that does not match, or that `read` finds damaged, is dropped, so
    /// [`CatalogFile::load`] parses the file and rewrites it.
    fn read_entry<T>(&mut self, read: impl FnOnce(&Entry) -> Option<T>) -> Option<T> {
        let value = self.entry.as_ref().and_then(read);
        if let Some(key) = self.key.take() {
            let key = key.join().ok().flatten();
            self.entry = self.entry.take().filter(|entry| Some(entry.header.key) == key);
        }
        if value.is_none() {
            self.entry = None;
        }
        value.filter(|_| self.entry.is_some())
    }

    /// Reads the cached search index without decoding the catalog; `None` without a usable entry.
    pub fn cached_index(&mut self) -> Option<SearchIndex> {
        self.read_entry(Entry::index)
    }

    /// Reads what `check` needs (texts, action table and scopes) without decoding the catalog; `None`
    /// without a usable entry.
    pub fn cached_check(&mut self) -> Option<CheckData> {
        self.read_entry(Entry::check_data)
    }

    /// Loads the catalog: from the cache entry when it decodes, else by parsing the file, and then
    /// caching it. The index is returned when it was built here, on a miss. Errors are those of
    /// [`Catalog::load`]; cache problems never are, and a failed write is kept for
    /// [`CatalogFile::warning`].
    pub fn load(&mut self) -> Result<(Catalog, Option<SearchIndex>), InputError> {
        if let Some(catalog) = self.read_entry(Entry::catalog) {
            return Ok((catalog, None));
        }

        let (name, text) = crate::input::read_text(&self.path, crate::input::MAX_CATALOG_BYTES)?;
        let Some(cache) = self.cache.as_ref().filter(|_| text.len() >= MIN_CACHED_BYTES) else {
            return Ok((Catalog::parse(&name, &text)?, None));
        };
        // The entry is stored under the key of the text actually read, which stays right even if the
        // file changed since it was hashed. Standard input has no path, so its slot is that key.
        let key = content_key(text.as_bytes());
        let from_stdin = self.path == "-";
        let slot = if from_stdin { Some(key) } else { path_slot(Path::new(&self.path)) };
        if from_stdin
            && let Some(entry) = cache.open(key, key)
            && let Some(catalog) = entry.catalog()
        {
            // Kept, so the index and the check data come from the same entry.
            self.entry = Some(entry);
            return Ok((catalog, None));
        }

        let catalog = Catalog::parse(&name, &text)?;
        drop(text);
        let index = SearchIndex::new(&catalog);
        if let Some(slot) = slot
            && let Err(e) = cache.write(slot, key, &catalog, &index)
        {
            self.warning = Some(format!(
                "cannot write the catalog cache in {}: {e}; the next run parses {name} again",
                cache.dir().display()
            ));
        }
        Ok((catalog, Some(index)))
    }

    /// Returns why the cache could not be written, after [`CatalogFile::load`].
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The result of one load: the catalog, the index from the entry or built on a miss, and the warning.
    struct Loaded {
        catalog: Catalog,
        index: Option<SearchIndex>,
        cache_warning: Option<String>,
        from_cache: bool,
    }

    fn load_catalog(path: &str, cache: Option<&CatalogCache>) -> Result<Loaded, InputError> {
        let mut file = CatalogFile::open(path, cache.cloned());
        let cached = file.cached_index();
        let from_cache = cached.is_some();
        let (catalog, built) = file.load()?;
        Ok(Loaded { catalog, index: cached.or(built), cache_warning: file.warning().map(str::to_owned), from_cache })
    }

    fn catalog_text(apis: usize) -> String {
        serde_json::to_string_pretty(&crate::synth::synthesize(apis, 7)).unwrap()
    }

    fn write_catalog(dir: &Path, text: &str) -> String {
        let path = dir.join("catalog.json");
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    fn entries(cache: &CatalogCache) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(cache.dir()).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        paths
    }

    #[test]
    fn second_load_comes_from_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::new(dir.path().join("cache"));
        let text = catalog_text(4000);
        assert!(text.len() >= MIN_CACHED_BYTES);
        let path = write_catalog(dir.path(), &text);

        let first = load_catalog(&path, Some(&cache)).unwrap();
        assert!(first.cache_warning.is_none());
        assert!(!first.from_cache);
        assert_eq!(entries(&cache).len(), 1);
        let second = load_catalog(&path, Some(&cache)).unwrap();
        assert!(second.from_cache);
        assert_eq!(second.catalog, first.catalog);
        assert_eq!(second.catalog, Catalog::parse("x", &text).unwrap());

        let (index, parsed) = (second.index.unwrap(), SearchIndex::new(&first.catalog));
        for query in ["snapshot", "delete tags", "cjyfwq", "ecs:*"] {
            assert_eq!(index.rank(query), parsed.rank(query), "{query}");
        }
        let top = parsed.rank("delete tags")[0].api;
        assert_eq!(index.highlights(top, "delete tags"), parsed.highlights(top, "delete tags"));
    }

    #[test]
    fn small_catalogs_are_not_cached() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::new(dir.path().join("cache"));
        let path = write_catalog(dir.path(), crate::catalog::BUILTIN_JSON);
        let loaded = load_catalog(&path, Some(&cache)).unwrap();
        assert_eq!(loaded.catalog.apis.len(), 19);
        assert!(loaded.index.is_none());
        assert!(!cache.dir().exists());
    }

    #[test]
    fn edited_file_replaces_its_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::new(dir.path().join("cache"));
        let text = catalog_text(4000);
        let path = write_catalog(dir.path(), &text);
        load_catalog(&path, Some(&cache)).unwrap();

        // Rename the first API in place: same size, other contents.
        let catalog = Catalog::parse("x", &text).unwrap();
        let old_name = &catalog.apis[0].name.en;
        let new_name: String = old_name.chars().rev().collect();
        assert_ne!(old_name, &new_name);
        let edited = text.replacen(&format!("\"en\": \"{old_name}\""), &format!("\"en\": \"{new_name}\""), 1);
        write_catalog(dir.path(), &edited);
        let loaded = load_catalog(&path, Some(&cache)).unwrap();
        assert_eq!(loaded.catalog.apis[0].name.en, new_name);
        assert_eq!(entries(&cache).len(), 1);
        let again = load_catalog(&path, Some(&cache)).unwrap();
        assert_eq!(again.catalog.apis[0].name.en, new_name);
    }

    #[test]
    fn standard_input_is_cached_by_contents() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::new(dir.path().join("cache"));
        let text = catalog_text(4000);
        let key = content_key(text.as_bytes());
        let catalog = Catalog::parse("x", &text).unwrap();
        let index = SearchIndex::new(&catalog);
        cache.write(key, key, &catalog, &index).unwrap();
        let entry = cache.open(key, key).unwrap();
        assert_eq!(entry.catalog().unwrap(), catalog);
        assert_eq!(entry.index().unwrap().rank("snapshot"), index.rank("snapshot"));
    }

    #[test]
    fn damaged_entry_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::new(dir.path().join("cache"));
        let text = catalog_text(4000);
        let parsed = Catalog::parse("x", &text).unwrap();
        let path = write_catalog(dir.path(), &text);
        load_catalog(&path, Some(&cache)).unwrap();
        let entry = entries(&cache).remove(0);

        let flips = PARTS.map(Damage::Flip);
        for damage in [Damage::Truncate, Damage::Empty].iter().chain(&flips) {
            let mut bytes = std::fs::read(&entry).unwrap();
            match damage {
                Damage::Truncate => bytes.truncate(bytes.len() / 2),
                Damage::Empty => bytes.clear(),
                Damage::Flip(part) => {
                    let header = Header::from_bytes(bytes[..HEADER_LEN].try_into().unwrap()).unwrap();
                    let i = *part as usize;
                    let middle = header.offset(*part).unwrap() + header.lens[i] / 2;
                    bytes[middle as usize] ^= 0x20;
                }
            }
            std::fs::write(&entry, &bytes).unwrap();

            // Every part a command reads is checked; a damaged one is never handed out.
            let mut file = CatalogFile::open(&path, Some(cache.clone()));
            let check = file.cached_check();
            let index = file.cached_index();
            let (catalog, _) = file.load().unwrap();
            assert_eq!(catalog, parsed, "{damage:?}");
            assert!(file.warning().is_none(), "{damage:?}");
            match damage {
                Damage::Flip(Part::Evaluation | Part::Texts) => assert!(check.is_none(), "{damage:?}"),
                Damage::Flip(Part::Index) => assert!(index.is_none(), "{damage:?}"),
                _ => {}
            }
            drop((check, index, file));

            let rewritten = Entry::open(&entry).expect("the entry was rewritten");
            assert_eq!(rewritten.header.key, content_key(text.as_bytes()), "{damage:?}");
            assert!(rewritten.catalog().is_some(), "{damage:?}");
            assert!(rewritten.index().is_some(), "{damage:?}");
            assert!(rewritten.check_data().is_some(), "{damage:?}");
        }
    }

    #[derive(Debug)]
    enum Damage {
        Truncate,
        Empty,
        Flip(Part),
    }

    #[test]
    fn cached_check_data_matches_the_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::new(dir.path().join("cache"));
        let mut catalog = crate::synth::synthesize(4000, 3);
        catalog.apis[5].name.zh = "快照\u{1b}[31m".into();
        catalog.apis[6].name.en = String::new();
        catalog.apis[7].scopes.enterprise_project = !catalog.apis[7].scopes.enterprise_project;
        let text = serde_json::to_string_pretty(&catalog).unwrap();
        let catalog = Catalog::parse("x", &text).unwrap();
        let path = write_catalog(dir.path(), &text);
        load_catalog(&path, Some(&cache)).unwrap();

        let data = CatalogFile::open(&path, Some(cache)).cached_check().expect("a cached entry");
        let texts = data.texts.check().expect("texts that are UTF-8");
        assert_eq!(texts.len(), catalog.apis.len());
        for (i, api) in catalog.apis.iter().enumerate() {
            assert_eq!(texts.method(i), api.method);
            assert_eq!(texts.path(i), api.path);
            assert_eq!(texts.names(i), (api.name.zh.as_str(), api.name.en.as_str()));
            assert_eq!(data.table.api_actions(i).collect::<Vec<_>>(), api.actions);
            assert_eq!(data.supports(i, Scope::Project), api.scopes.project);
            assert_eq!(data.supports(i, Scope::Enterprise), api.scopes.enterprise_project);
        }
    }

    /// Maps `bytes` from a file in `dir`, as an entry is mapped.
    fn mapped(dir: &Path, bytes: &[u8]) -> Arc<memmap2::Mmap> {
        let path = dir.join("part.bin");
        std::fs::write(&path, bytes).unwrap();
        // SAFETY: the file belongs to this test, which does not change it while it is mapped.
        Arc::new(unsafe { memmap2::Mmap::map(&File::open(&path).unwrap()) }.unwrap())
    }

    /// Returns a texts part of one API: the counts, the arena `arena` and the bounds `bounds`.
    fn texts_part(api_count: u64, arena: &[u8], bounds: &[u32]) -> Vec<u8> {
        let mut bytes = api_count.to_le_bytes().to_vec();
        bytes.extend((arena.len() as u64).to_le_bytes());
        bytes.extend(arena);
        bytes.extend(bounds.iter().flat_map(|b| b.to_le_bytes()));
        bytes
    }

    #[test]
    fn forged_texts_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let read = |bytes: Vec<u8>| {
            let map = mapped(dir.path(), &bytes);
            let len = map.len();
            StoredTexts::read_stored(map, 0..len)
        };

        let good = read(texts_part(1, "GET/v1快照snap".as_bytes(), &[0, 3, 6, 12, 16])).unwrap();
        let texts = good.check().unwrap();
        assert_eq!(texts.method(0), "GET");
        assert_eq!(texts.path(0), "/v1");
        assert_eq!(texts.names(0), ("快照", "snap"));

        // Bounds out of order, past the arena, or not ending at its end.
        assert!(read(texts_part(1, b"GET/v1ab", &[0, 3, 2, 7, 8])).is_err());
        assert!(read(texts_part(1, b"GET/v1ab", &[0, 3, 6, 7, 9])).is_err());
        assert!(read(texts_part(1, b"GET/v1ab", &[0, 3, 6, 7, 7])).is_err());
        // Counts that do not add up to the part, or overflow.
        assert!(read(texts_part(2, b"GET/v1ab", &[0, 3, 6, 7, 8])).is_err());
        assert!(read(texts_part(u64::MAX, b"GET/v1ab", &[0, 3, 6, 7, 8])).is_err());
        assert!(read(vec![1, 2, 3]).is_err());
        // A bound inside a character, or an arena that is not UTF-8, is found by `check`.
        assert!(read(texts_part(1, "GET/v1快b".as_bytes(), &[0, 3, 6, 7, 10])).unwrap().check().is_none());
        assert!(read(texts_part(1, b"GET/v1\xffb", &[0, 3, 6, 7, 8])).unwrap().check().is_none());
    }

    #[test]
    fn file_key_hashes_pieces_as_content_key_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("large.json");
        let mut bytes: Vec<u8> = (0..2 * KEY_PIECE + 12_345).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(file_key(&path), Some(content_key(&bytes)));

        bytes[KEY_PIECE + 1] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(file_key(&path), Some(content_key(&bytes)));
        bytes[KEY_PIECE + 1] ^= 1;
        assert_ne!(file_key(&path), Some(content_key(&bytes)));
        assert_eq!(file_key(dir.path()), None);
    }

    #[test]
    fn invalid_catalog_reports_as_without_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::new(dir.path().join("cache"));
        let mut text = catalog_text(4000);
        text.push_str("\n]");
        let path = write_catalog(dir.path(), &text);
        let error = load_catalog(&path, Some(&cache)).err().unwrap();
        assert_eq!(error, Catalog::load(&path).err().unwrap());
        assert!(!cache.dir().exists());
    }

    #[test]
    fn unwritable_cache_warns_and_loads() {
        let dir = tempfile::tempdir().unwrap();
        // A regular file where the cache directory should be.
        std::fs::write(dir.path().join("cache"), "not a directory").unwrap();
        let cache = CatalogCache::new(dir.path().join("cache").join("catalogs"));
        let path = write_catalog(dir.path(), &catalog_text(4000));
        let loaded = load_catalog(&path, Some(&cache)).unwrap();
        assert_eq!(loaded.catalog.apis.len(), 4000);
        let warning = loaded.cache_warning.unwrap();
        assert!(warning.contains(&cache.dir().display().to_string()), "{warning}");
        assert!(warning.contains("parses"), "{warning}");
    }

    #[test]
    fn keeps_the_newest_entries() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::new(dir.path().join("cache"));
        std::fs::create_dir_all(cache.dir()).unwrap();
        let unrelated = cache.dir().join("notes.txt");
        std::fs::write(&unrelated, "kept").unwrap();
        let text = catalog_text(4000);
        let mut newest = PathBuf::new();
        for copy in 0..MAX_ENTRIES + 2 {
            let folder = dir.path().join(format!("copy{copy}"));
            std::fs::create_dir(&folder).unwrap();
            let path = write_catalog(&folder, &text);
            load_catalog(&path, Some(&cache)).unwrap();
            newest = cache.entry_path(path_slot(Path::new(&path)).unwrap());
        }
        let names: Vec<PathBuf> = entries(&cache).into_iter().filter(|p| p != &unrelated).collect();
        assert_eq!(names.len(), MAX_ENTRIES);
        assert!(names.contains(&newest));
        assert!(unrelated.exists());
    }

    #[test]
    fn entry_names() {
        assert!(is_entry_name("0123456789abcdef0123456789ABCDEF.bin"));
        assert!(!is_entry_name("0123456789abcdef0123456789abcdef.tmp"));
        assert!(!is_entry_name("draft.bin"));
    }
}
