//! A cache of parsed catalogs and their search indexes, so a large catalog file loads in milliseconds
//! after its first use.
//!
//! Parsing and validating the JSON of 100,000 APIs and building their search index takes a few hundred
//! milliseconds, most of a `permscope search` or `check` run. The cache stores both in a compact binary
//! form (postcard), one entry per catalog file path, with a hash of the file's contents that must match
//! on every load, so an edited file is never served from an older entry. Files below
//! [`MIN_CACHED_BYTES`] parse faster than the cache could help.
//!
//! The cache is optional: an entry that cannot be read, does not match or does not decode is ignored
//! and written again, and a failed write only costs the next run the same parse.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::catalog::Catalog;
use crate::error::InputError;
use crate::search::{SearchIndex, StoredIndex};

/// Catalog files smaller than this (1 MiB, about 3,000 APIs) are parsed every time.
pub const MIN_CACHED_BYTES: usize = 1024 * 1024;

/// Entries kept in the cache directory; the least recently written are removed first.
const MAX_ENTRIES: usize = 4;

/// The first bytes of every entry. The format number changes whenever the stored layout does.
const MAGIC: &[u8; 16] = b"permscope-cat-02";

/// Bytes before the two parts: the magic, the content key and the length of the catalog part.
const HEADER_LEN: usize = 16 + 16 + 8;

/// Bytes after the two parts: their xxh3 checksum.
const TRAILER_LEN: usize = 8;

/// The directory that cached catalogs are kept in.
#[derive(Debug, Clone)]
pub struct CatalogCache {
    dir: PathBuf,
}

/// A catalog, with its search index when the cache supplied or built one.
pub struct LoadedCatalog {
    pub catalog: Catalog,
    pub index: Option<SearchIndex>,
    /// The reason the cache could not be written, for a warning. The catalog itself loaded.
    pub cache_warning: Option<String>,
}

/// An entry's parts, split but not decoded.
struct RawEntry<'a> {
    key: u128,
    catalog: &'a [u8],
    index: &'a [u8],
    checksum: u64,
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

    /// Reads the entry of a catalog file. The file is hashed on one thread while the entry is read and
    /// decoded on the others, so a hit costs about the larger of the two, not their sum.
    fn read_file_entry(&self, path: &Path) -> Option<(Catalog, SearchIndex)> {
        let slot = path_slot(path)?;
        std::thread::scope(|scope| {
            let key = scope.spawn(|| file_key(path));
            let decoded = self.read_slot(slot);
            let key = key.join().ok()??;
            decoded.filter(|(stored_key, ..)| *stored_key == key).map(|(_, catalog, index)| (catalog, index))
        })
    }

    /// Reads and decodes the entry in `slot`, returning the content key it was stored for. The index
    /// part is checked and decoded on a second thread while this one decodes the catalog part.
    fn read_slot(&self, slot: u128) -> Option<(u128, Catalog, SearchIndex)> {
        let bytes = std::fs::read(self.entry_path(slot)).ok()?;
        let raw = split_entry(&bytes)?;
        std::thread::scope(|scope| {
            let index = scope.spawn(|| {
                let mut hasher = xxhash_rust::xxh3::Xxh3::new();
                hasher.update(raw.catalog);
                hasher.update(raw.index);
                if hasher.digest() != raw.checksum {
                    return None;
                }
                postcard::from_bytes::<StoredIndex>(raw.index).ok()
            });
            let catalog: Option<Catalog> = postcard::from_bytes(raw.catalog).ok();
            let index = index.join().ok()??;
            let catalog = catalog?;
            let index = SearchIndex::from_stored(index, catalog.apis.len()).ok()?;
            Some((raw.key, catalog, index))
        })
    }

    /// Stores the catalog and its index in `slot` for contents with key `key`, then removes the oldest
    /// entries beyond [`MAX_ENTRIES`]. The entry is streamed to a temporary file that is renamed into
    /// place, so no copy of the whole entry is held in memory and a reader never sees half an entry.
    fn write(&self, slot: u128, key: u128, catalog: &Catalog, index: &SearchIndex) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let mut file = tempfile::Builder::new().prefix(".permscope-").suffix(".tmp").tempfile_in(&self.dir)?;
        let catalog_len = {
            let mut writer = std::io::BufWriter::with_capacity(1 << 20, file.as_file_mut());
            writer.write_all(MAGIC)?;
            writer.write_all(&key.to_le_bytes())?;
            // The catalog part's length is known once it is written, so it is filled in below.
            writer.write_all(&0u64.to_le_bytes())?;
            let mut part = PartWriter { inner: &mut writer, hasher: xxhash_rust::xxh3::Xxh3::new(), written: 0 };
            postcard::to_io(catalog, &mut part).map_err(std::io::Error::other)?;
            let catalog_len = part.written;
            postcard::to_io(&index.to_stored(), &mut part).map_err(std::io::Error::other)?;
            let checksum = part.hasher.digest();
            writer.write_all(&checksum.to_le_bytes())?;
            writer.flush()?;
            catalog_len
        };
        file.as_file_mut().seek(SeekFrom::Start(32))?;
        file.as_file_mut().write_all(&catalog_len.to_le_bytes())?;
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
        entries.sort_unstable_by(|a, b| b.0.cmp(&a.0));
        for (_, path) in entries.into_iter().skip(MAX_ENTRIES - 1) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Splits an entry into its parts, or returns `None` when it is not a whole entry of this format.
fn split_entry(bytes: &[u8]) -> Option<RawEntry<'_>> {
    if bytes.len() < HEADER_LEN + TRAILER_LEN || &bytes[..16] != MAGIC {
        return None;
    }
    let key = u128::from_le_bytes(bytes[16..32].try_into().ok()?);
    let catalog_len = usize::try_from(u64::from_le_bytes(bytes[32..HEADER_LEN].try_into().ok()?)).ok()?;
    let (parts, trailer) = bytes[HEADER_LEN..].split_at(bytes.len() - HEADER_LEN - TRAILER_LEN);
    if catalog_len > parts.len() {
        return None;
    }
    let (catalog, index) = parts.split_at(catalog_len);
    Some(RawEntry { key, catalog, index, checksum: u64::from_le_bytes(trailer.try_into().ok()?) })
}

/// Passes bytes on to `inner`, hashing and counting them on the way.
struct PartWriter<W> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
    written: u64,
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
/// memory beside the entry. Returns `None` for anything but a readable regular file.
fn file_key(path: &Path) -> Option<u128> {
    let mut file = std::fs::File::open(path).ok()?;
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

/// Returns the slot of a catalog file: a hash of its absolute path, so the entry can be read before
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

/// Loads the catalog at `path` (`-` for standard input), through `cache` when given and the file is
/// large enough to gain from it. Errors are those of [`Catalog::load`]; cache problems never are.
pub fn load_catalog(path: &str, cache: Option<&CatalogCache>) -> Result<LoadedCatalog, InputError> {
    let from_stdin = path == "-";
    if let Some(cache) = cache
        && !from_stdin
        && std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() >= MIN_CACHED_BYTES as u64)
        && let Some((catalog, index)) = cache.read_file_entry(Path::new(path))
    {
        return Ok(LoadedCatalog { catalog, index: Some(index), cache_warning: None });
    }

    // Standard input, or a miss. The entry is stored under the key of the text actually read, which
    // stays right even if the file changed since it was hashed above.
    let (name, text) = crate::input::read_text(path, crate::input::MAX_CATALOG_BYTES)?;
    let Some(cache) = cache.filter(|_| text.len() >= MIN_CACHED_BYTES) else {
        return Ok(LoadedCatalog { catalog: Catalog::parse(&name, &text)?, index: None, cache_warning: None });
    };
    let key = content_key(text.as_bytes());
    // Standard input has no path, so its entry's slot is its content key.
    let slot = if from_stdin { Some(key) } else { path_slot(Path::new(path)) };
    if from_stdin
        && let Some((stored_key, catalog, index)) = cache.read_slot(key)
        && stored_key == key
    {
        return Ok(LoadedCatalog { catalog, index: Some(index), cache_warning: None });
    }
    let catalog = Catalog::parse(&name, &text)?;
    drop(text);
    let index = SearchIndex::new(&catalog);
    let Some(slot) = slot else {
        return Ok(LoadedCatalog { catalog, index: Some(index), cache_warning: None });
    };
    let cache_warning = cache.write(slot, key, &catalog, &index).err().map(|e| {
        format!("cannot write the catalog cache in {}: {e}; the next run parses {name} again", cache.dir().display())
    });
    Ok(LoadedCatalog { catalog, index: Some(index), cache_warning })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(entries(&cache).len(), 1);
        let second = load_catalog(&path, Some(&cache)).unwrap();
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
        let (stored_key, read, _) = cache.read_slot(key).unwrap();
        assert_eq!(stored_key, key);
        assert_eq!(read, catalog);
    }

    #[test]
    fn damaged_entry_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::new(dir.path().join("cache"));
        let text = catalog_text(4000);
        let path = write_catalog(dir.path(), &text);
        load_catalog(&path, Some(&cache)).unwrap();
        let entry = entries(&cache).remove(0);

        for damage in [Damage::Truncate, Damage::FlipPayloadByte, Damage::Empty] {
            let mut bytes = std::fs::read(&entry).unwrap();
            match damage {
                Damage::Truncate => bytes.truncate(bytes.len() / 2),
                Damage::FlipPayloadByte => {
                    let middle = bytes.len() / 2;
                    bytes[middle] ^= 0x20;
                }
                Damage::Empty => bytes.clear(),
            }
            std::fs::write(&entry, &bytes).unwrap();
            let loaded = load_catalog(&path, Some(&cache)).unwrap();
            assert_eq!(loaded.catalog, Catalog::parse("x", &text).unwrap(), "{damage:?}");
            assert!(loaded.cache_warning.is_none(), "{damage:?}");
            let rewritten = std::fs::read(&entry).unwrap();
            let raw = split_entry(&rewritten).expect("the entry was rewritten");
            assert_eq!(raw.key, content_key(text.as_bytes()), "{damage:?}");
        }
    }

    #[derive(Debug)]
    enum Damage {
        Truncate,
        FlipPayloadByte,
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
