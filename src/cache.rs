//! A cache of parsed catalogs and their search indexes, so a large catalog file loads in milliseconds
//! after its first use.
//!
//! Parsing and validating the JSON of 100,000 APIs and building their search index takes a few hundred
//! milliseconds, most of a `permscope search` or `check` run. The cache stores both, one entry per
//! catalog file path, with a hash of the file's contents that must match on every load, so an edited
//! file is never served from an older entry. The catalog part is postcard; the index part is the
//! index's own fixed layout. Each part is read only when a command needs it: `search` reads only the
//! index. Files below [`MIN_CACHED_BYTES`] parse faster than the cache could help.
//!
//! The cache is optional: an entry that cannot be read, does not match or does not decode is ignored
//! and written again, and a failed write only costs the next run the same parse.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::catalog::{Catalog, Scope, Scopes};
use crate::eval::ActionTable;
use crate::error::InputError;
use crate::search::SearchIndex;

/// Catalog files smaller than this (1 MiB, about 3,000 APIs) are parsed every time.
pub const MIN_CACHED_BYTES: usize = 1024 * 1024;

/// Entries kept in the cache directory; the least recently written are removed first.
const MAX_ENTRIES: usize = 4;

/// The first bytes of every entry. The format number changes whenever the stored layout does.
const MAGIC: &[u8; 16] = b"permscope-cat-04";

/// Bytes of the header: the magic, the content key, then each part's length and xxh3 checksum.
const HEADER_LEN: usize = 16 + 16 + 6 * 8;

/// The directory that cached catalogs are kept in.
#[derive(Debug, Clone)]
pub struct CatalogCache {
    dir: PathBuf,
}

/// An entry's header: what it was stored for and where its parts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    key: u128,
    catalog_len: u64,
    index_len: u64,
    evaluation_len: u64,
    catalog_sum: u64,
    index_sum: u64,
    evaluation_sum: u64,
}

impl Header {
    fn to_bytes(self) -> [u8; HEADER_LEN] {
        let mut bytes = [0; HEADER_LEN];
        bytes[..16].copy_from_slice(MAGIC);
        bytes[16..32].copy_from_slice(&self.key.to_le_bytes());
        let words = [self.catalog_len, self.index_len, self.evaluation_len, self.catalog_sum, self.index_sum, self.evaluation_sum];
        for (i, value) in words.into_iter().enumerate() {
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
            catalog_len: word(0),
            index_len: word(1),
            evaluation_len: word(2),
            catalog_sum: word(3),
            index_sum: word(4),
            evaluation_sum: word(5),
        })
    }
}

/// An open entry whose header matched the catalog's contents.
struct Entry {
    file: File,
    header: Header,
}

impl Entry {
    /// Opens the entry at `path` when its header is whole and its size matches the header.
    fn open(path: &Path) -> Option<Entry> {
        let mut file = File::open(path).ok()?;
        let mut bytes = [0; HEADER_LEN];
        file.read_exact(&mut bytes).ok()?;
        let header = Header::from_bytes(&bytes)?;
        let size = (HEADER_LEN as u64)
            .checked_add(header.catalog_len)?
            .checked_add(header.index_len)?
            .checked_add(header.evaluation_len)?;
        (file.metadata().ok()?.len() == size).then_some(Entry { file, header })
    }

    /// Reads a part and checks it against its checksum.
    fn part(&mut self, offset: u64, len: u64, sum: u64) -> Option<Vec<u8>> {
        self.file.seek(SeekFrom::Start(offset)).ok()?;
        let mut bytes = vec![0; usize::try_from(len).ok()?];
        self.file.read_exact(&mut bytes).ok()?;
        (xxhash_rust::xxh3::xxh3_64(&bytes) == sum).then_some(bytes)
    }

    fn catalog(&mut self) -> Option<Catalog> {
        let Header { catalog_len, catalog_sum, .. } = self.header;
        postcard::from_bytes(&self.part(HEADER_LEN as u64, catalog_len, catalog_sum)?).ok()
    }

    fn index(&mut self) -> Option<SearchIndex> {
        let Header { catalog_len, index_len, index_sum, .. } = self.header;
        SearchIndex::read_stored(&self.part(HEADER_LEN as u64 + catalog_len, index_len, index_sum)?).ok()
    }

    fn evaluation(&mut self) -> Option<Evaluation> {
        let Header { catalog_len, index_len, evaluation_len, evaluation_sum, .. } = self.header;
        let bytes = self.part(HEADER_LEN as u64 + catalog_len + index_len, evaluation_len, evaluation_sum)?;
        // The part is the number of APIs, a byte of scope bits per API, then the action table.
        let count = usize::try_from(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)).ok()?;
        let end = count.checked_add(8)?;
        let scopes = bytes.get(8..end)?.to_vec();
        let table = ActionTable::read_stored(&bytes[end..]).ok()?;
        (scopes.len() == table.api_count() && scopes.iter().all(|&s| s < 4)).then_some(Evaluation { table, scopes })
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
            // The header is known once both parts are written, so it is filled in below.
            writer.write_all(&[0; HEADER_LEN])?;
            let mut part = PartWriter::new(&mut writer);
            postcard::to_io(catalog, &mut part).map_err(std::io::Error::other)?;
            let (catalog_len, catalog_sum) = part.finish();
            let mut part = PartWriter::new(&mut writer);
            index.write_stored(&mut part)?;
            let (index_len, index_sum) = part.finish();
            let mut part = PartWriter::new(&mut writer);
            let scopes: Vec<u8> = catalog.apis.iter().map(|api| scope_bits(&api.scopes)).collect();
            part.write_all(&(scopes.len() as u64).to_le_bytes())?;
            part.write_all(&scopes)?;
            ActionTable::new(catalog).write_stored(&mut part)?;
            let (evaluation_len, evaluation_sum) = part.finish();
            writer.flush()?;
            Header { key, catalog_len, index_len, evaluation_len, catalog_sum, index_sum, evaluation_sum }
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

/// The data `check` needs of a cached catalog besides its search index: the action table and, per
/// API, the scopes its grants take effect in.
pub struct Evaluation {
    pub table: ActionTable,
    /// Per API: bit 0 set when grants take effect in an IAM project, bit 1 in an enterprise project.
    scopes: Vec<u8>,
}

impl Evaluation {
    /// True when grants in `scope` take effect for API `api`.
    pub fn supports(&self, api: usize, scope: Scope) -> bool {
        let bit = match scope {
            Scope::Project => 1,
            Scope::Enterprise => 2,
        };
        self.scopes.get(api).is_some_and(|s| s & bit != 0)
    }
}

fn scope_bits(scopes: &Scopes) -> u8 {
    u8::from(scopes.project) | u8::from(scopes.enterprise_project) << 1
}

/// Passes bytes on to `inner`, hashing and counting them on the way.
struct PartWriter<W> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
    written: u64,
}

impl<W: Write> PartWriter<W> {
    fn new(inner: W) -> PartWriter<W> {
        PartWriter { inner, hasher: xxhash_rust::xxh3::Xxh3::new(), written: 0 }
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

/// Names a catalog's contents, together with the build of permscope that parses them, because
/// another build may validate or index the same file differently.
///
/// xxh3 is not a cryptographic hash. Someone able to craft two catalogs with the same key gains
/// nothing from it: they would have to supply both files, and each loads as one of them.
fn content_key(contents: &[u8]) -> u128 {
    let mut hasher = key_hasher();
    hasher.update(contents);
    hasher.digest128()
}

/// Starts a key with the version and the running executable's size and modification time, so a
/// rebuilt binary never reads entries an older build wrote.
fn key_hasher() -> xxhash_rust::xxh3::Xxh3 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(&[0]);
    if let Some(metadata) = std::env::current_exe().ok().and_then(|exe| std::fs::metadata(exe).ok()) {
        hasher.update(&metadata.len().to_le_bytes());
        let modified = metadata.modified().ok().and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok());
        hasher.update(&modified.unwrap_or_default().as_nanos().to_le_bytes());
    }
    hasher
}

/// Computes [`content_key`] of a file by streaming it, so a cache hit never keeps the catalog's text in
/// memory. Returns `None` for anything but a readable regular file.
fn file_key(path: &Path) -> Option<u128> {
    let mut file = File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut hasher = key_hasher();
    let mut buffer = vec![0; 256 * 1024];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Some(hasher.digest128()),
            Ok(read) => hasher.update(&buffer[..read]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
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
    warning: Option<String>,
}

impl CatalogFile {
    /// Opens the cache entry of the file at `path` when `cache` is given, the file is large enough to
    /// gain from it and the entry matches its contents. The file is hashed on a second thread while
    /// the entry's header is read. Nothing here fails: problems with the file itself are reported by
    /// [`CatalogFile::load`].
    pub fn open(path: &str, cache: Option<CatalogCache>) -> CatalogFile {
        let mut file = CatalogFile { path: path.to_owned(), cache, entry: None, warning: None };
        let Some(cache) = &file.cache else { return file };
        let large = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() >= MIN_CACHED_BYTES as u64);
        if path == "-" || !large {
            return file;
        }
        let Some(slot) = path_slot(Path::new(path)) else { return file };
        file.entry = std::thread::scope(|scope| {
            let key = scope.spawn(|| file_key(Path::new(path)));
            let entry = Entry::open(&cache.entry_path(slot));
            let key = key.join().ok()??;
            entry.filter(|entry| entry.header.key == key)
        });
        file
    }

    /// Reads the cached search index without decoding the catalog; `None` without a usable entry. An
    /// entry whose index does not decode is dropped, so [`CatalogFile::load`] parses and rewrites it.
    pub fn cached_index(&mut self) -> Option<SearchIndex> {
        let index = self.entry.as_mut()?.index();
        if index.is_none() {
            self.entry = None;
        }
        index
    }

    /// Reads the cached action table and scopes without decoding the catalog; `None` without a usable
    /// entry. An entry whose evaluation part does not decode is dropped, as in
    /// [`CatalogFile::cached_index`].
    pub fn cached_evaluation(&mut self) -> Option<Evaluation> {
        let evaluation = self.entry.as_mut()?.evaluation();
        if evaluation.is_none() {
            self.entry = None;
        }
        evaluation
    }

    /// Loads the catalog: from the cache entry when it decodes, else by parsing the file, and then
    /// caching it. The index is returned when it was built here, on a miss. Errors are those of
    /// [`Catalog::load`]; cache problems never are, and a failed write is kept for
    /// [`CatalogFile::warning`].
    pub fn load(&mut self) -> Result<(Catalog, Option<SearchIndex>), InputError> {
        if let Some(catalog) = self.entry.as_mut().and_then(Entry::catalog) {
            return Ok((catalog, None));
        }
        self.entry = None;

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
            && let Some(mut entry) = cache.open(key, key)
            && let Some(catalog) = entry.catalog()
        {
            // Kept, so the index and the evaluation data come from the same entry.
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
        let from_cache = file.entry.is_some();
        let cached = file.cached_index();
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
        let mut entry = cache.open(key, key).unwrap();
        assert_eq!(entry.catalog().unwrap(), catalog);
        assert_eq!(entry.index().unwrap().rank("snapshot"), index.rank("snapshot"));
    }

    #[test]
    fn damaged_entry_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::new(dir.path().join("cache"));
        let text = catalog_text(4000);
        let path = write_catalog(dir.path(), &text);
        load_catalog(&path, Some(&cache)).unwrap();
        let entry = entries(&cache).remove(0);

        for damage in [Damage::Truncate, Damage::FlipCatalogByte, Damage::FlipIndexByte, Damage::Empty] {
            let mut bytes = std::fs::read(&entry).unwrap();
            match damage {
                Damage::Truncate => bytes.truncate(bytes.len() / 2),
                Damage::FlipCatalogByte => bytes[HEADER_LEN + 100] ^= 0x20,
                Damage::FlipIndexByte => {
                    let near_end = bytes.len() - 100;
                    bytes[near_end] ^= 0x20;
                }
                Damage::Empty => bytes.clear(),
            }
            std::fs::write(&entry, &bytes).unwrap();
            let loaded = load_catalog(&path, Some(&cache)).unwrap();
            assert_eq!(loaded.catalog, Catalog::parse("x", &text).unwrap(), "{damage:?}");
            assert!(loaded.cache_warning.is_none(), "{damage:?}");
            let rewritten = Entry::open(&entry).expect("the entry was rewritten");
            assert_eq!(rewritten.header.key, content_key(text.as_bytes()), "{damage:?}");
        }
    }

    #[derive(Debug)]
    enum Damage {
        Truncate,
        FlipCatalogByte,
        FlipIndexByte,
        Empty,
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
