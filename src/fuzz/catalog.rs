use crate::catalog::{Catalog, Scope};
use crate::eval;
use crate::policy::Policy;
use crate::search::SearchIndex;
use crate::text::escape_controls;

use super::{assert_pos_within, assert_terminal_safe};

/// Parses arbitrary text as a catalog. An error must point inside the text; a valid catalog must
/// survive a JSON round trip, evaluate, and be searchable.
pub fn catalog(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let catalog = match Catalog::parse("fuzz.json", text) {
        Ok(catalog) => catalog,
        Err(error) => {
            if let Some(pos) = error.pos {
                assert_pos_within(text, pos, &error.message);
            }
            assert_terminal_safe(&escape_controls(&error.to_string()), "escaped catalog error");
            return;
        }
    };

    assert!(!catalog.apis.is_empty());
    let json = serde_json::to_string(&catalog).expect("a catalog serializes");
    let reread = Catalog::parse("round-trip.json", &json).expect("a valid catalog written back must parse");
    assert_eq!(reread, catalog);

    // `*:*:*` matches every action, so exactly the APIs that support a scope are callable in it.
    let everything = Policy::allowing(["*:*:*"]);
    for scope in [Scope::Project, Scope::Enterprise] {
        let verdicts = eval::evaluate(&catalog, &everything, scope);
        for (verdict, api) in verdicts.iter().zip(&catalog.apis) {
            assert_eq!(verdict.callable, api.supports(scope), "{} in scope {scope}", api.key());
        }
    }

    // Every path is its own search query and contains no whitespace, so it must find its API.
    let index = SearchIndex::new(&catalog);
    for (i, api) in catalog.apis.iter().enumerate() {
        let hits = index.search(&api.path);
        assert!(hits.iter().any(|hit| hit.api == i), "searching {:?} does not find API {}", api.path, i + 1);
    }
}
