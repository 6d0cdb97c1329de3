use std::sync::LazyLock;

use crate::catalog::{Api, Catalog};
use crate::search::{Field, SearchIndex};

/// Names with characters whose lowercase or uppercase has another length in UTF-8 or in characters
/// (`İ`, `ẞ`, `ǅ`, `Ω`), next to Chinese with pinyin and full-width punctuation.
const CASE_MAPPING_CATALOG: &str = r#"{"service": "evs", "apis": [
  {"name": {"zh": "İstanbul 快照（ẞ）", "en": "İSTANBUL ǅ Ω snapshot"}, "method": "GET", "path": "/v2/İ/ẞ/{id}", "actions": ["evs:snapshots:get"], "scopes": {"project": true, "enterprise_project": true}},
  {"name": {"zh": "回滚ΣΑΣ", "en": ""}, "method": "POST", "path": "/v2/σας/rollback", "aliases": ["/v3/ΣΑΣ"], "actions": ["evs:snapshots:rollback", "evs:volumes:get"], "scopes": {"project": true, "enterprise_project": false}}
]}"#;

/// A Chinese name and a path of 3,000 characters each. The built-in names and paths are too short
/// for matches of the length where nucleo-matcher 0.3's u16 score overflows, which
/// `search::MAX_TERM_CHARS` prevents by cutting terms.
fn long_catalog() -> Catalog {
    let text = serde_json::json!({
        "service": "evs",
        "apis": [{
            "name": {"zh": "快照".repeat(1_500), "en": "Long snapshot"},
            "method": "GET",
            "path": format!("/v2/{{project_id}}/{}", "s".repeat(2_983)),
            "actions": ["evs:snapshots:get"],
            "scopes": {"project": true, "enterprise_project": true},
        }],
    });
    Catalog::parse("long.json", &text.to_string()).expect("the long catalog is valid")
}

static INDEXES: LazyLock<Vec<(Catalog, SearchIndex)>> = LazyLock::new(|| {
    let builtin = Catalog::builtin();
    let case_mapping = Catalog::parse("case-mapping.json", CASE_MAPPING_CATALOG).expect("the case-mapping catalog is valid");
    [builtin, case_mapping, long_catalog()]
        .into_iter()
        .map(|catalog| {
            let index = SearchIndex::new(&catalog);
            (catalog, index)
        })
        .collect()
});

/// Searches the built-in catalog, a catalog of names whose case mapping changes their length and a
/// catalog of very long texts with an arbitrary query. Every hit and highlight must be valid and the
/// ranking ordered.
pub fn search(data: &[u8]) {
    let Ok(query) = std::str::from_utf8(data) else { return };
    let terms = query.split_whitespace().count();
    for (catalog, index) in INDEXES.iter() {
        let hits = index.search(query);
        if terms == 0 {
            assert_eq!(hits.len(), catalog.apis.len(), "an empty query lists every API");
        }
        for pair in hits.windows(2) {
            let ordered = pair[0].score > pair[1].score || (pair[0].score == pair[1].score && pair[0].api < pair[1].api);
            assert!(ordered, "hits out of order: {pair:?}");
        }
        for hit in &hits {
            let api = &catalog.apis[hit.api];
            assert_eq!(hit.highlights.len(), terms, "one highlight per term");
            for highlight in &hit.highlights {
                let length = field_text(api, highlight.field).chars().count();
                if let Some(&index) = highlight.indices.iter().find(|&&i| i >= length) {
                    panic!("query {query:?}: index {index} is outside {:?} ({length} characters)", highlight.field);
                }
            }
        }
    }
}

fn field_text(api: &Api, field: Field) -> &str {
    match field {
        Field::NameZh => &api.name.zh,
        Field::NameEn => &api.name.en,
        Field::Method => &api.method,
        Field::Path => &api.path,
        Field::Alias(i) => &api.aliases[i],
        Field::Action(i) => &api.actions[i],
    }
}
