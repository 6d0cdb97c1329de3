//! Search on large synthetic catalogs: incremental and parallel search must give exactly the results of
//! a plain search, whatever is typed.

use std::sync::LazyLock;

use permscope::catalog::Catalog;
use permscope::search::{Field, IncrementalSearch, SearchIndex};
use permscope::synth::synthesize;
use proptest::prelude::*;

/// Large enough that searches run on several threads (the index splits work from 4,096 APIs).
static CATALOG: LazyLock<Catalog> = LazyLock::new(|| synthesize(6000, 11));
static INDEX: LazyLock<SearchIndex> = LazyLock::new(|| SearchIndex::new(&CATALOG));

/// Keys typed: letters common in the catalog, Chinese characters of its names, and separators.
const KEYS: &[char] = &[
    'a', 'c', 'd', 'e', 'g', 'i', 'l', 'n', 'o', 'p', 's', 't', 'v', 'y', 'z', 'q', ':', '/', '{', '_', '创', '建', '云',
    '快', '照', '删', '除', ' ',
];

/// One edit of the query: type a key, or delete the last character.
#[derive(Debug, Clone)]
enum Edit {
    Type(char),
    Backspace,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(Edit::Type),
        1 => Just(Edit::Backspace),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn incremental_equals_full_search(edits in prop::collection::vec(edit(), 1..14)) {
        let mut incremental = IncrementalSearch::new();
        let mut query = String::new();
        for edit in edits {
            match edit {
                Edit::Type(c) => query.push(c),
                Edit::Backspace => {
                    query.pop();
                }
            }
            let expected = INDEX.rank(&query);
            prop_assert_eq!(incremental.search(&INDEX, &query), expected.as_slice(), "query {:?}", query);
        }
    }
}

#[test]
fn parallel_rank_keeps_catalog_order_on_ties() {
    let ranked = INDEX.rank("");
    assert_eq!(ranked.len(), 6000);
    for (position, r) in ranked.iter().enumerate() {
        assert_eq!(r.api, position);
        assert_eq!(r.score, 0);
    }

    let ranked = INDEX.rank("get");
    for pair in ranked.windows(2) {
        assert!(
            pair[0].score > pair[1].score || (pair[0].score == pair[1].score && pair[0].api < pair[1].api),
            "{pair:?}"
        );
    }
}

#[test]
fn parallel_highlights_keep_rank_order() {
    // "e" matches more APIs than the parallel threshold, so highlights are computed on several threads.
    let ranked = INDEX.rank("e");
    assert!(ranked.len() > 4096, "{} hits", ranked.len());
    let hits = INDEX.search("e");
    let from_search: Vec<(usize, i64)> = hits.iter().map(|h| (h.api, h.score)).collect();
    let from_rank: Vec<(usize, i64)> = ranked.iter().map(|r| (r.api, r.score)).collect();
    assert_eq!(from_search, from_rank);
    assert!(hits.iter().all(|h| h.highlights.len() == 1));
}

#[test]
fn every_hit_contains_its_terms() {
    // Each term of "delete tags" must be highlighted in a field whose text contains its letters in order.
    let catalog = &*CATALOG;
    let hits = INDEX.search("delete tags");
    assert!(!hits.is_empty());
    for hit in hits.iter().take(200) {
        let api = &catalog.apis[hit.api];
        assert_eq!(hit.highlights.len(), 2, "{}", api.key());
        for (highlight, term) in hit.highlights.iter().zip(["delete", "tags"]) {
            let text: Vec<char> = match highlight.field {
                Field::NameZh => api.name.zh.chars().collect(),
                Field::NameEn => api.name.en.chars().collect(),
                Field::Method => api.method.chars().collect(),
                Field::Path => api.path.chars().collect(),
                Field::Alias(i) => api.aliases[i].chars().collect(),
                Field::Action(i) => api.actions[i].chars().collect(),
            };
            let picked: String = highlight.indices.iter().map(|&i| text[i].to_ascii_lowercase()).collect();
            assert_eq!(picked, term, "{} {:?}", api.key(), highlight);
        }
    }
}
