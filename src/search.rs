//! Fuzzy search over the catalog: names in both languages, pinyin of Chinese names, method, path,
//! aliases and actions.
//!
//! A query is split on whitespace and every term must match some field, as in fzf. Chinese names are
//! also matched through their full pinyin (`huigun`) and pinyin initials (`hgkz`), and those matches
//! are mapped back to the Chinese characters so the caller can highlight them.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use pinyin::ToPinyin;

use crate::catalog::Catalog;

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
        let mut indices: Vec<usize> =
            self.highlights.iter().filter(|h| h.field == field).flat_map(|h| h.indices.iter().copied()).collect();
        indices.sort_unstable();
        indices.dedup();
        indices
    }
}

/// A searchable text and, for pinyin forms, the Chinese character each of its characters came from.
struct Text {
    field: Field,
    text: String,
    /// For a pinyin form: for each character of `text`, the index of the character in the Chinese name.
    origin: Option<Vec<usize>>,
    /// Match only a contiguous run. Full pinyin needs this: a long string of Latin letters would
    /// otherwise match almost any short query with gaps (`hgkz` in `chuangjian...kuaizhao`).
    contiguous: bool,
}

impl Text {
    fn plain(field: Field, text: &str) -> Text {
        Text { field, text: text.to_owned(), origin: None, contiguous: false }
    }
}

struct Entry {
    texts: Vec<Text>,
}

/// Largest score matrix that the skim matcher fills for one term and one text, in cells: (term
/// characters + 1) × (text characters + 1). Larger pairs get the matcher's greedy match, which runs in
/// linear time, so a very long term or name cannot make a search quadratic. Queries and names of
/// normal length stay far below the limit, where scores and highlights are unchanged.
const MAX_SCORE_MATRIX_CELLS: usize = 100_000;

/// The catalog prepared for searching.
pub struct SearchIndex {
    entries: Vec<Entry>,
    matcher: SkimMatcherV2,
}

impl SearchIndex {
    pub fn new(catalog: &Catalog) -> SearchIndex {
        let entries = catalog
            .apis
            .iter()
            .map(|api| {
                let mut texts = vec![
                    Text::plain(Field::NameZh, &api.name.zh),
                    Text::plain(Field::NameEn, &api.name.en),
                    Text::plain(Field::Method, &api.method),
                    Text::plain(Field::Path, &api.path),
                ];
                if api.name.zh.chars().any(|c| c.to_pinyin().is_some()) {
                    let (full, initials) = pinyin_forms(&api.name.zh);
                    texts.push(full);
                    texts.push(initials);
                }
                for (i, alias) in api.aliases.iter().enumerate() {
                    texts.push(Text::plain(Field::Alias(i), alias));
                }
                for (i, action) in api.actions.iter().enumerate() {
                    texts.push(Text::plain(Field::Action(i), action));
                }
                Entry { texts }
            })
            .collect();
        SearchIndex { entries, matcher: SkimMatcherV2::default().ignore_case().element_limit(MAX_SCORE_MATRIX_CELLS) }
    }

    /// Ranks the APIs that match every term of `query`, best first; ties keep catalog order. An empty
    /// query matches every API with score 0.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let terms: Vec<&str> = query.split_whitespace().collect();
        let mut hits: Vec<Hit> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(api, entry)| self.match_entry(entry, &terms).map(|(score, highlights)| Hit { api, score, highlights }))
            .collect();
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.api.cmp(&b.api)));
        hits
    }

    fn match_entry(&self, entry: &Entry, terms: &[&str]) -> Option<(i64, Vec<Highlight>)> {
        let mut total = 0;
        let mut highlights = Vec::new();
        for term in terms {
            let (score, text, indices) = entry
                .texts
                .iter()
                .filter_map(|text| self.match_text(text, term).map(|(score, indices)| (score, text, indices)))
                .max_by_key(|(score, _, _)| *score)?;
            total += score;
            let indices = match &text.origin {
                Some(origin) => {
                    let mut mapped: Vec<usize> = indices.iter().map(|&i| origin[i]).collect();
                    mapped.dedup();
                    mapped
                }
                None => indices,
            };
            highlights.push(Highlight { field: text.field, indices });
        }
        Some((total, highlights))
    }

    fn match_text(&self, text: &Text, term: &str) -> Option<(i64, Vec<usize>)> {
        if !text.contiguous {
            return self.matcher.fuzzy_indices(&text.text, term);
        }
        let term = term.to_lowercase();
        let byte_start = text.text.find(&term)?;
        let start = text.text[..byte_start].chars().count();
        let indices = (start..start + term.chars().count()).collect();
        // fuzzy_indices, not fuzzy_match: only the former is bounded by MAX_SCORE_MATRIX_CELLS, because
        // fuzzy_match fills a matrix of two rows in time proportional to the term times the text.
        let (score, _) = self.matcher.fuzzy_indices(&text.text, &term)?;
        Some((score, indices))
    }
}

/// Builds the full pinyin (`huigunkuaizhao...`) and the initials (`hgkz...`) of a Chinese name. Characters
/// without pinyin (Latin letters, digits, punctuation) are kept as they are in both forms.
fn pinyin_forms(name: &str) -> (Text, Text) {
    let mut full = String::new();
    let mut full_origin = Vec::new();
    let mut initials = String::new();
    let mut initials_origin = Vec::new();
    for (index, c) in name.chars().enumerate() {
        match c.to_pinyin() {
            Some(pinyin) => {
                for p in pinyin.plain().chars() {
                    full.push(p);
                    full_origin.push(index);
                }
                for p in pinyin.first_letter().chars() {
                    initials.push(p);
                    initials_origin.push(index);
                }
            }
            None => {
                full.push(c);
                full_origin.push(index);
                initials.push(c);
                initials_origin.push(index);
            }
        }
    }
    (
        Text { field: Field::NameZh, text: full, origin: Some(full_origin), contiguous: true },
        Text { field: Field::NameZh, text: initials, origin: Some(initials_origin), contiguous: false },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn chinese_query_matches_name() {
        let found = keys("回滚");
        assert_eq!(found.len(), 2);
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
    fn term_over_matrix_limit_highlights_match() {
        // 20,000 × 20,000 cells is far over MAX_SCORE_MATRIX_CELLS, so the matcher's greedy match runs.
        let path = format!("/{}", "p".repeat(19_999));
        let api = serde_json::json!({
            "name": {"zh": "", "en": "Long"},
            "method": "GET",
            "path": path,
            "actions": ["evs:x:get"],
            "scopes": {"project": true, "enterprise_project": false},
        });
        let text = serde_json::json!({"service": "evs", "apis": [api]}).to_string();
        let catalog = Catalog::parse("long.json", &text).unwrap();
        let hits = SearchIndex::new(&catalog).search(&"p".repeat(19_999));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].indices(Field::Path), (1..20_000).collect::<Vec<_>>());
    }

    #[test]
    fn english_indices_are_characters() {
        let catalog = Catalog::builtin();
        let hits = SearchIndex::new(&catalog).search("Roll");
        let hit = &hits[0];
        assert_eq!(hit.indices(Field::NameEn), [0, 1, 2, 3]);
    }
}
