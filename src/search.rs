//! Fuzzy search over the catalog: names in both languages, pinyin of Chinese names, method, path,
//! aliases and actions.
//!
//! A query is split on whitespace and every term must match some field, as in fzf. Chinese names are
//! also matched through their full pinyin (`huigun`) and pinyin initials (`hgkz`), and those matches
//! are mapped back to the Chinese characters so the caller can highlight them.
//!
//! Speed matters for catalogs of every Huawei Cloud service (about 100,000 APIs). All texts live in
//! one string arena with a bit mask of the characters each contains. A text that lacks a character of
//! the term is skipped before fuzzy scoring. Ranking ([`SearchIndex::rank`]) computes no highlights;
//! callers ask [`SearchIndex::highlights`] for the rows they show. Large searches are split across
//! the machine's cores, and [`IncrementalSearch`] rescans only the previous matches while the user
//! keeps typing.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use nucleo_matcher::{Config, Matcher, Utf32Str};
use pinyin::ToPinyin;

use crate::catalog::{Api, Catalog};

/// The text of an API that a term matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    NameZh,
    NameEn,
    Method,
    Path,
    /// An alias, by index into the API's aliases.
    Alias(usize),
    /// A required action, by index into the API's actions.
    Action(usize),
}

/// Matched character indices (not byte offsets) within one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub field: Field,
    pub indices: Vec<usize>,
}

/// A matching API with its score and highlights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the API in the catalog.
    pub api: usize,
    pub score: i64,
    pub highlights: Vec<Highlight>,
}

impl Hit {
    /// Matched character indices in `field`, sorted and deduplicated.
    pub fn indices(&self, field: Field) -> Vec<usize> {
        field_indices(&self.highlights, field)
    }
}

/// Matched character indices in `field` over all `highlights`, sorted and deduplicated.
pub fn field_indices(highlights: &[Highlight], field: Field) -> Vec<usize> {
    let mut indices: Vec<usize> =
        highlights.iter().filter(|h| h.field == field).flat_map(|h| h.indices.iter().copied()).collect();
    indices.sort_unstable();
    indices.dedup();
    indices
}

/// A matching API and its score, without highlights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    /// Index of the API in the catalog.
    pub api: usize,
    pub score: i64,
}

/// The kind of a searchable text; pinyin forms report their matches as [`Field::NameZh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NameZh,
    NameEn,
    Method,
    Path,
    Alias,
    Action,
    /// Full pinyin of the Chinese name, matched only as a contiguous run: a long string of Latin
    /// letters would otherwise match almost any short query with gaps (`hgkz` in `chuangjian...kuaizhao`).
    PinyinFull,
    /// Pinyin initials of the Chinese name, one character per character of the name.
    PinyinInitials,
}

/// One searchable text: a slice of the arena and the mask of its characters.
#[derive(Debug, Clone, Copy)]
struct Text {
    start: u32,
    len: u32,
    mask: u64,
    kind: Kind,
    ascii: bool,
    /// Index into the API's aliases or actions.
    item: u16,
}

impl Text {
    fn field(&self) -> Field {
        match self.kind {
            Kind::NameZh | Kind::PinyinFull | Kind::PinyinInitials => Field::NameZh,
            Kind::NameEn => Field::NameEn,
            Kind::Method => Field::Method,
            Kind::Path => Field::Path,
            Kind::Alias => Field::Alias(self.item.into()),
            Kind::Action => Field::Action(self.item.into()),
        }
    }
}

/// A query term, prepared once per search. The matcher folds the case of the text it searches, so
/// the term is lowercased once here.
struct Term {
    lower: String,
    lower_chars: Vec<char>,
    mask: u64,
}

/// Longest term matched, in characters; a longer term is cut to this length. nucleo-matcher 0.3 keeps
/// scores in a u16, which overflows once about 2,000 characters of a term match (a panic in debug
/// builds, a wrong score in release builds).
pub const MAX_TERM_CHARS: usize = 1_000;

impl Term {
    fn new(text: &str) -> Term {
        let text = match text.char_indices().nth(MAX_TERM_CHARS) {
            Some((cut, _)) => &text[..cut],
            None => text,
        };
        let lower = text.to_lowercase();
        Term { lower_chars: lower.chars().collect(), mask: char_mask(&lower), lower }
    }

    fn needle(&self) -> Utf32Str<'_> {
        if self.lower.is_ascii() { Utf32Str::Ascii(self.lower.as_bytes()) } else { Utf32Str::Unicode(&self.lower_chars) }
    }
}

/// A matcher and a buffer for decoding non-ASCII texts, one per thread.
struct Scratch {
    matcher: Matcher,
    chars: Vec<char>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch { matcher: Matcher::new(matcher_config()), chars: Vec::new() });
}

/// nucleo's default scoring (fzf's), with case folded. Latin normalization is off because the
/// character masks would not account for it (`é` must not match `e`).
fn matcher_config() -> Config {
    let mut config = Config::DEFAULT;
    config.normalize = false;
    config.ignore_case = true;
    config
}

/// Below this many APIs a search runs on the calling thread, where starting threads would cost more
/// than it saves.
const PARALLEL_MIN_APIS: usize = 4096;

/// The catalog prepared for searching. It copies the texts it needs, so it does not borrow the catalog;
/// results index into the catalog it was built from.
pub struct SearchIndex {
    /// Every text of every API, one after another.
    arena: String,
    texts: Vec<Text>,
    /// For API `i`, its texts are `texts[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    /// Per API, the union of its texts' masks.
    api_masks: Vec<u64>,
    /// Tells indexes apart, so an [`IncrementalSearch`] notices a new catalog.
    id: u64,
    threads: usize,
}

fn next_index_id() -> u64 {
    static NEXT_ID: AtomicU64 = AtomicU64::new(0);
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Returns the number of threads a large search is split across: the machine's cores, at most 16.
fn worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(16)
}

/// The index of a run of consecutive APIs, built on one thread.
#[derive(Default)]
struct Part {
    arena: String,
    texts: Vec<Text>,
    /// Start of each API's texts in `texts`.
    starts: Vec<u32>,
    api_masks: Vec<u64>,
}

/// Bytes of one text in the stored form: start, length, mask, kind, ASCII flag and item.
const STORED_TEXT_LEN: usize = 4 + 4 + 8 + 1 + 1 + 2;

/// The kinds in the order their stored number gives.
const KINDS: [Kind; 8] =
    [Kind::NameZh, Kind::NameEn, Kind::Method, Kind::Path, Kind::Alias, Kind::Action, Kind::PinyinFull, Kind::PinyinInitials];

impl SearchIndex {
    /// Writes the index to `out` in a fixed little-endian layout: the counts, the arena, then each
    /// text, start offset and mask as a record. Reading it back is a copy and a check per record, far
    /// faster than decoding a million small serde values.
    pub fn write_stored(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for count in [self.arena.len(), self.texts.len(), self.api_masks.len()] {
            out.write_all(&(count as u64).to_le_bytes())?;
        }
        out.write_all(self.arena.as_bytes())?;
        for text in &self.texts {
            let mut record = [0u8; STORED_TEXT_LEN];
            record[0..4].copy_from_slice(&text.start.to_le_bytes());
            record[4..8].copy_from_slice(&text.len.to_le_bytes());
            record[8..16].copy_from_slice(&text.mask.to_le_bytes());
            record[16] = KINDS.iter().position(|k| *k == text.kind).expect("every kind is listed") as u8;
            record[17] = u8::from(text.ascii);
            record[18..20].copy_from_slice(&text.item.to_le_bytes());
            out.write_all(&record)?;
        }
        for start in &self.starts {
            out.write_all(&start.to_le_bytes())?;
        }
        for mask in &self.api_masks {
            out.write_all(&mask.to_le_bytes())?;
        }
        Ok(())
    }

    /// Reads an index that [`SearchIndex::write_stored`] wrote. An index that does not fit together
    /// (offsets outside the texts or the arena, off a character boundary, an unknown kind) is rejected,
    /// so a damaged cache file cannot make a search panic.
    pub fn read_stored(bytes: &[u8]) -> Result<SearchIndex, String> {
        let mut reader = Reader { bytes };
        let [arena_len, text_count, api_count] =
            [reader.count()?, reader.count()?, reader.count()?];
        let arena = std::str::from_utf8(reader.take(arena_len)?).map_err(|e| format!("the arena is not UTF-8: {e}"))?;
        let records = reader.take(text_count.checked_mul(STORED_TEXT_LEN).ok_or("too many texts")?)?;
        let mut texts = Vec::with_capacity(text_count);
        for record in records.chunks_exact(STORED_TEXT_LEN) {
            let u32_at = |at: usize| u32::from_le_bytes(record[at..at + 4].try_into().expect("4 bytes"));
            let text = Text {
                start: u32_at(0),
                len: u32_at(4),
                mask: u64::from_le_bytes(record[8..16].try_into().expect("8 bytes")),
                kind: *KINDS.get(usize::from(record[16])).ok_or("a text has an unknown kind")?,
                ascii: record[17] != 0,
                item: u16::from_le_bytes([record[18], record[19]]),
            };
            let (start, end) = (text.start as usize, text.start as usize + text.len as usize);
            if end > arena.len() || !arena.is_char_boundary(start) || !arena.is_char_boundary(end) {
                return Err(format!("a text at byte {start} lies outside the arena"));
            }
            texts.push(text);
        }

        let starts_len = api_count.checked_add(1).and_then(|n| n.checked_mul(4)).ok_or("too many APIs")?;
        let starts: Vec<u32> =
            reader.take(starts_len)?.chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes"))).collect();
        let masks_len = api_count.checked_mul(8).ok_or("too many APIs")?;
        let api_masks: Vec<u64> =
            reader.take(masks_len)?.chunks_exact(8).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes"))).collect();
        if !reader.bytes.is_empty() {
            return Err("bytes follow the index".into());
        }


        if starts.first() != Some(&0) || starts.last().map(|&s| s as usize) != Some(texts.len()) {
            return Err("the text offsets do not cover the texts".into());
        }
        if starts.windows(2).any(|pair| pair[0] > pair[1]) {
            return Err("the text offsets are not in order".into());
        }
        Ok(SearchIndex {
            arena: arena.to_owned(),
            texts,
            starts,
            api_masks,
            id: next_index_id(),
            threads: worker_threads(),
        })
    }

    /// Returns the API's text of `kind` (a name, the method or the path), or "" when it has none.
    fn api_text(&self, api: usize, kind: Kind) -> &str {
        let Some(range) = self.starts.get(api..api + 2) else { return "" };
        let texts = &self.texts[range[0] as usize..range[1] as usize];
        texts.iter().find(|t| t.kind == kind).map_or("", |t| self.text_str(t))
    }

    /// Returns the API's name in `lang`, falling back to the other language when that one is empty,
    /// as [`crate::catalog::Name::get`] does.
    pub fn api_name(&self, api: usize, lang: crate::catalog::Lang) -> &str {
        crate::catalog::name_in(self.api_text(api, Kind::NameZh), self.api_text(api, Kind::NameEn), lang)
    }

    /// Returns the API's Chinese and English names, either possibly empty.
    pub fn api_names(&self, api: usize) -> (&str, &str) {
        (self.api_text(api, Kind::NameZh), self.api_text(api, Kind::NameEn))
    }

    pub fn api_method(&self, api: usize) -> &str {
        self.api_text(api, Kind::Method)
    }

    pub fn api_path(&self, api: usize) -> &str {
        self.api_text(api, Kind::Path)
    }

    pub fn new(catalog: &Catalog) -> SearchIndex {
        let apis = &catalog.apis;
        let threads = worker_threads();
        let mut parts: Vec<Part> = if apis.len() >= PARALLEL_MIN_APIS && threads > 1 {
            let chunk = apis.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let workers: Vec<_> = apis.chunks(chunk).map(|apis| scope.spawn(|| Part::build(apis))).collect();
                workers.into_iter().map(|w| w.join().expect("an index thread does not panic")).collect()
            })
        } else {
            vec![Part::build(apis)]
        };

        // Append the later parts to the first, shifting their offsets. Large buffers grow in place
        // (realloc), so the peak memory is the index plus one part, not two indexes.
        let mut merged = parts.remove(0);
        for part in parts {
            let (arena_offset, text_offset) = (merged.arena.len() as u32, merged.texts.len() as u32);
            merged.arena.push_str(&part.arena);
            merged.texts.extend(part.texts.iter().map(|t| Text { start: t.start + arena_offset, ..*t }));
            merged.starts.extend(part.starts.iter().map(|s| s + text_offset));
            merged.api_masks.extend(part.api_masks);
        }
        merged.starts.push(merged.texts.len() as u32);
        merged.arena.shrink_to_fit();
        merged.texts.shrink_to_fit();
        SearchIndex {
            arena: merged.arena,
            texts: merged.texts,
            starts: merged.starts,
            api_masks: merged.api_masks,
            id: next_index_id(),
            threads,
        }
    }

    /// Returns the number of APIs indexed.
    pub fn len(&self) -> usize {
        self.api_masks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.api_masks.is_empty()
    }

    /// Ranks the APIs that match every term of `query`, best first, with highlights; ties keep catalog
    /// order. An empty query matches every API with score 0.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        self.with_highlights(self.rank(query), query)
    }

    /// [`SearchIndex::search`] over the APIs in `candidates` only, such as the matches of a shorter
    /// query. Indices out of range are ignored.
    pub fn search_within(&self, candidates: &[usize], query: &str) -> Vec<Hit> {
        self.with_highlights(self.rank_within(candidates, query), query)
    }

    /// Ranks the APIs that match every term of `query` as [`SearchIndex::search`] does, without
    /// computing highlights.
    pub fn rank(&self, query: &str) -> Vec<Ranked> {
        self.rank_apis(Candidates::All(self.len()), query)
    }

    /// [`SearchIndex::rank`] over the APIs in `candidates` only. Indices out of range are ignored.
    pub fn rank_within(&self, candidates: &[usize], query: &str) -> Vec<Ranked> {
        self.rank_apis(Candidates::Some(candidates), query)
    }

    /// Computes the highlights of API `api` for `query`: for each term, the characters it matched in
    /// the best-scoring field. Returns no highlights when the API does not match.
    pub fn highlights(&self, api: usize, query: &str) -> Vec<Highlight> {
        if api >= self.len() {
            return Vec::new();
        }
        SCRATCH.with(|scratch| {
            let scratch = &mut *scratch.borrow_mut();
            let mut highlights = Vec::new();
            for term in query.split_whitespace().map(Term::new) {
                let Some((_, text)) = self.best_text(scratch, api, &term) else { return Vec::new() };
                let Some(indices) = self.text_indices(scratch, api, &text, &term) else { return Vec::new() };
                highlights.push(Highlight { field: text.field(), indices });
            }
            highlights
        })
    }

    /// Returns the API's Chinese name, as stored in the arena.
    fn name_zh(&self, api: usize) -> &str {
        self.api_text(api, Kind::NameZh)
    }

    fn with_highlights(&self, ranked: Vec<Ranked>, query: &str) -> Vec<Hit> {
        let hits = |ranked: &[Ranked]| -> Vec<Hit> {
            ranked.iter().map(|r| Hit { api: r.api, score: r.score, highlights: self.highlights(r.api, query) }).collect()
        };
        if ranked.len() < PARALLEL_MIN_APIS || self.threads <= 1 {
            return hits(&ranked);
        }
        let chunk = ranked.len().div_ceil(self.threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = ranked.chunks(chunk).map(|part| scope.spawn(move || hits(part))).collect();
            workers.into_iter().flat_map(|w| w.join().expect("a highlight thread does not panic")).collect()
        })
    }

    fn rank_apis(&self, candidates: Candidates<'_>, query: &str) -> Vec<Ranked> {
        let terms: Vec<Term> = query.split_whitespace().map(Term::new).collect();
        let count = candidates.len();
        let threads = if count >= PARALLEL_MIN_APIS { self.threads } else { 1 };
        let mut ranked = if threads <= 1 {
            self.rank_range(&candidates, 0..count, &terms)
        } else {
            let chunk = count.div_ceil(threads);
            std::thread::scope(|scope| {
                let workers: Vec<_> = (0..count)
                    .step_by(chunk)
                    .map(|start| {
                        let (candidates, terms) = (&candidates, &terms);
                        scope.spawn(move || self.rank_range(candidates, start..(start + chunk).min(count), terms))
                    })
                    .collect();
                let mut all = Vec::new();
                for worker in workers {
                    all.extend(worker.join().expect("a search thread does not panic"));
                }
                all
            })
        };
        ranked.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.api.cmp(&b.api)));
        ranked
    }

    fn rank_range(&self, candidates: &Candidates<'_>, range: Range<usize>, terms: &[Term]) -> Vec<Ranked> {
        SCRATCH.with(|scratch| self.rank_range_with(&mut scratch.borrow_mut(), candidates, range, terms))
    }

    fn rank_range_with(&self, scratch: &mut Scratch, candidates: &Candidates<'_>, range: Range<usize>, terms: &[Term]) -> Vec<Ranked> {
        let query_mask = terms.iter().fold(0, |mask, term| mask | term.mask);
        let mut ranked = Vec::new();
        for position in range {
            let api = candidates.get(position);
            if api >= self.len() || query_mask & !self.api_masks[api] != 0 {
                continue;
            }
            let mut total = 0;
            let mut matched = true;
            for term in terms {
                match self.best_text(scratch, api, term) {
                    Some((score, _)) => total += score,
                    None => {
                        matched = false;
                        break;
                    }
                }
            }
            if matched {
                ranked.push(Ranked { api, score: total });
            }
        }
        ranked
    }

    /// Finds the best score of `term` over the API's texts and the text that gave it. On a tie the
    /// earlier text wins, so names come before paths and actions.
    fn best_text(&self, scratch: &mut Scratch, api: usize, term: &Term) -> Option<(i64, Text)> {
        let texts = &self.texts[self.starts[api] as usize..self.starts[api + 1] as usize];
        let mut best: Option<(i64, Text)> = None;
        for text in texts {
            if term.mask & !text.mask != 0 {
                continue;
            }
            if let Some(score) = self.text_score(scratch, text, term)
                && best.is_none_or(|(best_score, _)| score > best_score)
            {
                best = Some((score, *text));
            }
        }
        best
    }

    fn text_str(&self, text: &Text) -> &str {
        &self.arena[text.start as usize..(text.start + text.len) as usize]
    }

    fn text_score(&self, scratch: &mut Scratch, text: &Text, term: &Term) -> Option<i64> {
        let Scratch { matcher, chars } = scratch;
        let haystack = haystack(self.text_str(text), text.ascii, chars);
        let score = if text.kind == Kind::PinyinFull {
            matcher.substring_match(haystack, term.needle())
        } else {
            matcher.fuzzy_match(haystack, term.needle())
        };
        score.map(i64::from)
    }

    /// Character indices of the term's match in the field the text belongs to.
    fn text_indices(&self, scratch: &mut Scratch, api: usize, text: &Text, term: &Term) -> Option<Vec<usize>> {
        let Scratch { matcher, chars } = scratch;
        let haystack = haystack(self.text_str(text), text.ascii, chars);
        let mut indices = Vec::new();
        if text.kind == Kind::PinyinFull {
            matcher.substring_indices(haystack, term.needle(), &mut indices)?;
            let (mut full, mut initials, mut origin) = (String::new(), String::new(), Vec::new());
            pinyin_forms(self.name_zh(api), &mut full, &mut initials, Some(&mut origin));
            let mut mapped: Vec<usize> = indices.iter().filter_map(|&i| origin.get(i as usize).copied()).collect();
            mapped.dedup();
            return Some(mapped);
        }
        // The initials have one character per character of the name, so their indices carry over.
        matcher.fuzzy_indices(haystack, term.needle(), &mut indices)?;
        indices.sort_unstable();
        Some(indices.into_iter().map(|i| i as usize).collect())
    }
}

/// Prepares the text for the matcher: its bytes when ASCII, else its characters decoded into `chars`.
/// Decoding by `char` (not by grapheme, as `Utf32Str::new` does) keeps match indices equal to
/// character indices.
fn haystack<'a>(text: &'a str, ascii: bool, chars: &'a mut Vec<char>) -> Utf32Str<'a> {
    if ascii {
        return Utf32Str::Ascii(text.as_bytes());
    }
    chars.clear();
    chars.extend(text.chars());
    Utf32Str::Unicode(chars)
}

impl Part {
    fn build(apis: &[Api]) -> Part {
        let mut part = Part {
            arena: String::with_capacity(apis.len() * 256),
            texts: Vec::with_capacity(apis.len() * 8),
            starts: Vec::with_capacity(apis.len() + 1),
            api_masks: Vec::with_capacity(apis.len()),
        };
        let (mut full, mut initials) = (String::new(), String::new());
        for api in apis {
            part.starts.push(part.texts.len() as u32);
            part.add_api(api, &mut full, &mut initials);
        }
        part
    }

    fn add_api(&mut self, api: &Api, full: &mut String, initials: &mut String) {
        let first_text = self.texts.len();
        self.push_text(Kind::NameZh, 0, &api.name.zh);
        self.push_text(Kind::NameEn, 0, &api.name.en);
        self.push_text(Kind::Method, 0, &api.method);
        self.push_text(Kind::Path, 0, &api.path);
        if !api.name.zh.is_ascii() && pinyin_forms(&api.name.zh, full, initials, None) {
            self.push_text(Kind::PinyinFull, 0, full);
            self.push_text(Kind::PinyinInitials, 0, initials);
        }
        // Items past u16::MAX could not be distinguished in highlights, and no real API has that many.
        for (i, alias) in api.aliases.iter().enumerate().take(u16::MAX.into()) {
            self.push_text(Kind::Alias, i as u16, alias);
        }
        for (i, action) in api.actions.iter().enumerate().take(u16::MAX.into()) {
            self.push_text(Kind::Action, i as u16, action);
        }
        self.api_masks.push(self.texts[first_text..].iter().fold(0, |mask, text| mask | text.mask));
    }

    fn push_text(&mut self, kind: Kind, item: u16, text: &str) {
        if text.is_empty() {
            return;
        }
        let start = self.arena.len() as u32;
        self.arena.push_str(text);
        self.texts.push(Text { start, len: text.len() as u32, mask: char_mask(text), kind, ascii: text.is_ascii(), item });
    }
}

/// Reads a stored index front to back.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], String> {
        if len > self.bytes.len() {
            return Err("the index is cut short".into());
        }
        let (taken, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(taken)
    }

    fn count(&mut self) -> Result<usize, String> {
        let bytes = self.take(8)?;
        usize::try_from(u64::from_le_bytes(bytes.try_into().expect("8 bytes"))).map_err(|_| "a count is too large".into())
    }
}

/// The APIs a search looks at: all of them, or a caller's list.
enum Candidates<'a> {
    All(usize),
    Some(&'a [usize]),
}

impl Candidates<'_> {
    fn len(&self) -> usize {
        match self {
            Candidates::All(count) => *count,
            Candidates::Some(list) => list.len(),
        }
    }

    fn get(&self, position: usize) -> usize {
        match self {
            Candidates::All(_) => position,
            Candidates::Some(list) => list[position],
        }
    }
}

/// A search that follows a query as it is typed. A new query may only extend the previous one, with
/// more characters at the end of its last term or more terms. Then every match of the new query is a
/// match of the old one, so only the old matches are scanned. Earlier results are kept, so deleting
/// characters returns to them without a search.
#[derive(Default)]
pub struct IncrementalSearch {
    index_id: Option<u64>,
    /// Queries typed so far and their results; each entry's query extends the one before it.
    steps: Vec<(String, Vec<Ranked>)>,
}

/// The number of earlier results kept; older ones are dropped first.
const MAX_STEPS: usize = 32;

impl IncrementalSearch {
    pub fn new() -> IncrementalSearch {
        IncrementalSearch::default()
    }

    /// Ranks the APIs of `index` that match `query`, as [`SearchIndex::rank`] does.
    pub fn search(&mut self, index: &SearchIndex, query: &str) -> &[Ranked] {
        if self.index_id != Some(index.id) {
            self.steps.clear();
            self.index_id = Some(index.id);
        }
        while let Some((previous, _)) = self.steps.last() {
            if previous == query || extends(query, previous) {
                break;
            }
            self.steps.pop();
        }
        let reuse = matches!(self.steps.last(), Some((previous, _)) if previous == query);
        if !reuse {
            let ranked = match self.steps.last() {
                Some((_, previous)) => {
                    let candidates: Vec<usize> = previous.iter().map(|r| r.api).collect();
                    index.rank_within(&candidates, query)
                }
                None => index.rank(query),
            };
            if self.steps.len() == MAX_STEPS {
                self.steps.remove(0);
            }
            self.steps.push((query.to_owned(), ranked));
        }
        &self.steps.last().expect("a step was just pushed or kept").1
    }
}

/// Tells whether every API matching `query` also matches `previous`: each term of `previous` is the term
/// at the same place in `query`, except the last, which may be a prefix of its counterpart. A prefix of
/// a term is a subsequence of it (fuzzy fields) and a substring of it (full pinyin), so it matches
/// wherever the term does.
fn extends(query: &str, previous: &str) -> bool {
    let old: Vec<&str> = previous.split_whitespace().collect();
    let new: Vec<&str> = query.split_whitespace().collect();
    let Some((last, rest)) = old.split_last() else { return true };
    new.len() >= old.len() && rest.iter().zip(&new).all(|(a, b)| a == b) && new[rest.len()].starts_with(last)
}

/// A 64-bit summary of the characters in `text`: one bit per ASCII letter and digit, and the other
/// characters hashed onto the remaining 28 bits. Case is folded: a non-ASCII character sets the bits of
/// both its own and its lowercase form, and terms are lowercased before their mask is taken. So a text
/// can match a term only if the text's mask contains the term's mask.
fn char_mask(text: &str) -> u64 {
    let mut mask = 0u64;
    if text.is_ascii() {
        for byte in text.bytes() {
            mask |= ASCII_BITS[usize::from(byte)];
        }
        return mask;
    }
    for c in text.chars() {
        if c.is_ascii() {
            mask |= char_bit(c.to_ascii_lowercase());
        } else {
            mask |= char_bit(c);
            if c.is_uppercase() {
                for lower in c.to_lowercase() {
                    mask |= char_bit(lower);
                }
            }
        }
    }
    mask
}

const fn char_bit(c: char) -> u64 {
    let bit = match c {
        'a'..='z' => c as u32 - 'a' as u32,
        '0'..='9' => 26 + (c as u32 - '0' as u32),
        _ => 36 + (c as u32).wrapping_mul(0x9e37_79b9) % 28,
    };
    1 << bit
}

/// [`char_bit`] of each ASCII character, case folded, so masks of ASCII texts need no arithmetic.
const ASCII_BITS: [u64; 128] = {
    let mut bits = [0; 128];
    let mut byte = 0;
    while byte < 128 {
        bits[byte] = char_bit((byte as u8).to_ascii_lowercase() as char);
        byte += 1;
    }
    bits
};

/// Writes the full pinyin (`huigunkuaizhao...`) and the initials (`hgkz...`) of a Chinese name into
/// `full` and `initials`, and, when `origin` is given, the index of the name's character that each
/// character of `full` came from. Characters without pinyin (Latin letters, digits, punctuation) are
/// kept in both forms, ASCII-lowercased so they match as other lowercase text does. Returns whether any
/// character had pinyin.
fn pinyin_forms(name: &str, full: &mut String, initials: &mut String, mut origin: Option<&mut Vec<usize>>) -> bool {
    full.clear();
    initials.clear();
    let mut any = false;
    for (index, c) in name.chars().enumerate() {
        match c.to_pinyin() {
            Some(pinyin) => {
                any = true;
                for p in pinyin.plain().chars() {
                    full.push(p);
                    if let Some(origin) = origin.as_deref_mut() {
                        origin.push(index);
                    }
                }
                initials.push(pinyin.plain().chars().next().unwrap_or(c));
            }
            None => {
                full.push(c.to_ascii_lowercase());
                initials.push(c.to_ascii_lowercase());
                if let Some(origin) = origin.as_deref_mut() {
                    origin.push(index);
                }
            }
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_index_round_trip() {
        let catalog = Catalog::builtin();
        let index = SearchIndex::new(&catalog);
        let mut bytes = Vec::new();
        index.write_stored(&mut bytes).unwrap();
        let read = SearchIndex::read_stored(&bytes).unwrap();
        for query in ["hgkz", "kuaizhao", "delete metadata", "evs:snapshots:get", ""] {
            assert_eq!(read.rank(query), index.rank(query), "{query}");
        }
        let top = index.rank("hgkz")[0].api;
        assert_eq!(read.highlights(top, "hgkz"), index.highlights(top, "hgkz"));
        for (api, row) in catalog.apis.iter().enumerate() {
            assert_eq!(read.api_names(api), (row.name.zh.as_str(), row.name.en.as_str()));
            assert_eq!(read.api_method(api), row.method);
            assert_eq!(read.api_path(api), row.path);
            assert_eq!(read.api_name(api, crate::catalog::Lang::Zh), row.name.get(crate::catalog::Lang::Zh));
        }
    }

    #[test]
    fn damaged_stored_index_rejected() {
        let index = SearchIndex::new(&Catalog::builtin());
        let mut bytes = Vec::new();
        index.write_stored(&mut bytes).unwrap();
        let arena_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let first_record = 24 + arena_len;

        assert!(SearchIndex::read_stored(&bytes[..bytes.len() - 1]).is_err(), "cut short");
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(SearchIndex::read_stored(&longer).is_err(), "trailing byte");
        let mut unknown_kind = bytes.clone();
        unknown_kind[first_record + 16] = 200;
        assert!(SearchIndex::read_stored(&unknown_kind).is_err(), "unknown kind");
        let mut outside = bytes.clone();
        outside[first_record..first_record + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(SearchIndex::read_stored(&outside).is_err(), "text outside the arena");
        let mut huge_count = bytes.clone();
        huge_count[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(SearchIndex::read_stored(&huge_count).is_err(), "API count overflows");
    }

    fn keys(query: &str) -> Vec<String> {
        let catalog = Catalog::builtin();
        SearchIndex::new(&catalog).search(query).iter().map(|h| catalog.apis[h.api].key()).collect()
    }

    const ROLLBACKS: [&str; 2] = [
        "POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback",
        "POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback",
    ];

    #[test]
    fn pinyin_initials_find_rollback() {
        let mut found = keys("hgkz");
        found.sort();
        assert_eq!(found, ROLLBACKS);
    }

    #[test]
    fn full_pinyin_finds_rollback() {
        let mut found = keys("huigun");
        found.sort();
        assert_eq!(found, ROLLBACKS);
    }

    #[test]
    fn pinyin_highlights_chinese_characters() {
        let catalog = Catalog::builtin();
        let hits = SearchIndex::new(&catalog).search("hgkz");
        // 回滚快照到云硬盘: 回 0, 滚 1, 快 2, 照 3.
        assert_eq!(hits[0].indices(Field::NameZh), [0, 1, 2, 3]);
    }

    #[test]
    fn full_pinyin_highlights_characters() {
        let catalog = Catalog::builtin();
        let hits = SearchIndex::new(&catalog).search("kuaizhao");
        let rollback = hits.iter().find(|h| catalog.apis[h.api].name.zh == "回滚快照到云硬盘").unwrap();
        // 快 is character 2 and 照 character 3 of 回滚快照到云硬盘.
        assert_eq!(rollback.indices(Field::NameZh), [2, 3]);
    }

    #[test]
    fn chinese_query_matches_name() {
        let found = keys("回滚");
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn pinyin_forms_of_mixed_name() {
        let (mut full, mut initials, mut origin) = (String::new(), String::new(), Vec::new());
        pinyin_forms("快照（OpenStack）", &mut full, &mut initials, Some(&mut origin));
        assert_eq!(full, "kuaizhao（openstack）");
        assert_eq!(initials, "kz（openstack）");
        // 快 gives k-u-a-i, 照 gives z-h-a-o, then one character each for （, O, p, e, ...
        assert_eq!(origin[..10], [0, 0, 0, 0, 1, 1, 1, 1, 2, 3]);
        assert_eq!(origin.len(), full.chars().count());
    }

    #[test]
    fn all_terms_must_match() {
        let found = keys("delete metadata");
        assert_eq!(found, ["DELETE /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}"]);
        assert!(keys("rollback zzzz").is_empty());
    }

    #[test]
    fn matches_actions_and_aliases() {
        assert!(keys("volumes:get").contains(&"POST /v2/{project_id}/snapshots".to_owned()));
        let v3 = SearchIndex::new(&Catalog::builtin()).search("v3/{project_id}/snapshots/detail");
        assert!(v3[0].highlights.iter().any(|h| matches!(h.field, Field::Alias(0))));
    }

    #[test]
    fn empty_query_lists_everything() {
        assert_eq!(keys("").len(), 19);
        assert_eq!(keys("   ").len(), 19);
    }

    #[test]
    fn english_indices_are_characters() {
        let catalog = Catalog::builtin();
        let hits = SearchIndex::new(&catalog).search("Roll");
        let hit = &hits[0];
        assert_eq!(hit.indices(Field::NameEn), [0, 1, 2, 3]);
    }

    #[test]
    fn search_within_limits_to_candidates() {
        let catalog = Catalog::builtin();
        let index = SearchIndex::new(&catalog);
        // APIs 11 and 12 are the two rollbacks; 0 matches "rollback" nowhere, 99 does not exist.
        let hits = index.search_within(&[0, 12, 99], "rollback");
        let apis: Vec<usize> = hits.iter().map(|h| h.api).collect();
        assert_eq!(apis, [12]);
    }

    #[test]
    fn rank_equals_search_without_highlights() {
        let catalog = Catalog::builtin();
        let index = SearchIndex::new(&catalog);
        for query in ["snap get", "hgkz", "v3", "元数据", ""] {
            let ranked: Vec<(usize, i64)> = index.rank(query).iter().map(|r| (r.api, r.score)).collect();
            let searched: Vec<(usize, i64)> = index.search(query).iter().map(|h| (h.api, h.score)).collect();
            assert_eq!(ranked, searched, "query {query:?}");
        }
    }

    #[test]
    fn highlights_of_non_match_are_empty() {
        let index = SearchIndex::new(&Catalog::builtin());
        assert!(index.highlights(0, "rollback").is_empty());
        assert!(index.highlights(500, "snap").is_empty());
    }

    #[test]
    fn extends_rules() {
        assert!(extends("sna", "sn"));
        assert!(extends("snap get", "snap"));
        assert!(extends("snap get", "snap ge"));
        assert!(extends("snap", ""));
        assert!(!extends("sn", "snap"));
        assert!(!extends("snap", "snap get"));
        assert!(!extends("xsnap", "snap"));
        assert!(!extends("snapget", "snap ge"));
    }

    #[test]
    fn incremental_search_matches_full_search() {
        let catalog = Catalog::builtin();
        let index = SearchIndex::new(&catalog);
        let mut incremental = IncrementalSearch::new();
        let typed = ["d", "de", "del", "dele", "delet", "delete", "delete ", "delete m", "delete me", "delete m", "del", "x", ""];
        for query in typed {
            assert_eq!(incremental.search(&index, query), index.rank(query).as_slice(), "query {query:?}");
        }
    }

    #[test]
    fn incremental_search_resets_on_new_index() {
        let catalog = Catalog::builtin();
        let first = SearchIndex::new(&catalog);
        let mut incremental = IncrementalSearch::new();
        assert_eq!(incremental.search(&first, "rollback").len(), 2);
        let mut smaller = catalog.clone();
        smaller.apis.truncate(12);
        let second = SearchIndex::new(&smaller);
        // The same query on another index must not reuse the first index's results.
        assert_eq!(incremental.search(&second, "rollback").len(), 1);
    }

    #[test]
    fn char_mask_folds_ascii_case() {
        assert_eq!(char_mask("ABC"), char_mask("cba"));
        assert_eq!(char_mask("a") & char_mask("b"), 0);
        assert_ne!(char_mask("快") & !char_mask("a"), 0);
    }
}
