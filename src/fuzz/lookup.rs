use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use crate::catalog::{Catalog, HTTP_METHODS};
use crate::lookup::{self, Lookup, Request, RequestError, match_parsed, parse_request};
use crate::text::escape_controls;

use super::assert_terminal_safe;

/// Templates that overlap in the ways matching must settle. They include the root path, a parameter
/// as the whole path, a literal segment and a parameter at the same place, and the same template
/// under two methods. One parameter has an empty name (`{}`) and one literal is not ASCII.
const ROUTING_CATALOG: &str = r#"{"service": "evs", "apis": [
  {"name": {"zh": "根", "en": "Root"}, "method": "GET", "path": "/", "actions": ["evs:root:get"], "scopes": {"project": true, "enterprise_project": true}},
  {"name": {"zh": "任一段", "en": "Any segment"}, "method": "GET", "path": "/{id}", "aliases": ["/v3/{}"], "actions": ["evs:segments:get"], "scopes": {"project": true, "enterprise_project": false}},
  {"name": {"zh": "详情", "en": "Detail"}, "method": "GET", "path": "/v2/detail", "actions": ["evs:details:list"], "scopes": {"project": true, "enterprise_project": true}},
  {"name": {"zh": "单个", "en": "One"}, "method": "GET", "path": "/v2/{id}", "actions": ["evs:details:get"], "scopes": {"project": true, "enterprise_project": true}},
  {"name": {"zh": "删除", "en": "Delete"}, "method": "DELETE", "path": "/v2/{id}", "aliases": ["/{a}/{b}"], "actions": ["evs:details:delete"], "scopes": {"project": true, "enterprise_project": true}},
  {"name": {"zh": "操作", "en": "Action"}, "method": "POST", "path": "/v2/{id}/action/{name}", "actions": ["evs:details:act"], "scopes": {"project": true, "enterprise_project": false}},
  {"name": {"zh": "快照", "en": "Snapshot"}, "method": "PATCH", "path": "/v2/{project_id}/快照/{id}", "actions": ["evs:snapshots:update"], "scopes": {"project": true, "enterprise_project": true}}
]}"#;

static CATALOGS: LazyLock<[Catalog; 2]> = LazyLock::new(|| {
    let routing = Catalog::parse("routing.json", ROUTING_CATALOG).expect("the routing catalog is valid");
    [Catalog::builtin(), routing]
});

/// Parses arbitrary text as a request line of `permscope lookup` and matches it against the built-in
/// catalog and a catalog of overlapping templates. An error must name a real problem of the line. A
/// request must match exactly the most specific templates of each method, which are worked out here
/// segment by segment, and it gets suggestions only when nothing matches.
pub fn lookup(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else { return };
    let request = match parse_request(line) {
        Ok(request) => request,
        Err(error) => {
            check_error(line, &error);
            return;
        }
    };

    if let Some(method) = &request.method {
        assert!(HTTP_METHODS.contains(&method.as_str()), "method {method:?} is not an uppercase HTTP method");
    }
    let path = &request.path;
    assert!(path.starts_with('/'), "path {path:?} does not start with '/'");
    assert!(!path.contains(['?', '#']), "path {path:?} keeps a query string or fragment");
    assert!(!path.contains(char::is_whitespace), "path {path:?} contains whitespace");
    assert!(line.contains(path.as_str()), "path {path:?} is not part of {line:?}");

    for catalog in CATALOGS.iter() {
        let lookup = match_parsed(catalog, request.clone());
        assert_eq!(lookup.request, request);
        check_matches(catalog, &lookup);
        check_suggestions(catalog, &lookup);
    }
}

/// Checks that the error names a real problem of `line`, and that its message is safe on a terminal
/// once escaped, as `permscope lookup` prints it.
fn check_error(line: &str, error: &RequestError) {
    // A whole access-log line is read as the quoted request in it.
    let unquoted = line.trim();
    let unquoted = lookup::logged_request(unquoted).unwrap_or(unquoted);
    let unquoted = unquoted.strip_prefix('"').and_then(|l| l.strip_suffix('"')).unwrap_or(unquoted);
    let words: Vec<&str> = unquoted.split_whitespace().collect();
    match error {
        RequestError::Empty => assert!(words.is_empty(), "{line:?} has words {words:?} but is called empty"),
        RequestError::UnknownMethod { method, suggestion } => {
            assert_eq!(words.first(), Some(&method.as_str()), "the method is not the first word of {line:?}");
            assert!(!HTTP_METHODS.contains(&method.to_ascii_uppercase().as_str()), "{method:?} is an HTTP method");
            if let Some(suggestion) = suggestion {
                assert!(HTTP_METHODS.contains(&suggestion.as_str()), "suggestion {suggestion:?} is not an HTTP method");
            }
        }
        RequestError::NotAPath(target) => {
            assert!(words.contains(&target.as_str()), "{target:?} is not a word of {line:?}");
            let lower = target.to_ascii_lowercase();
            let is_url = lower.starts_with("http://") || lower.starts_with("https://");
            assert!(!target.starts_with('/'), "{target:?} is a path");
            assert!(!is_url, "{target:?} is a URL");
        }
        RequestError::TooManyParts(count) => {
            assert!(*count >= 3, "{count} words are not too many");
            assert!(*count <= words.len(), "{count} words counted in {line:?}, which has {}", words.len());
        }
    }
    assert_terminal_safe(&escape_controls(&error.to_string()), "escaped request error");
}

/// Compares the matches with the rule in the `lookup` module documentation, computed here apart from
/// that module. An API is a candidate when the request names its method or no method, and its path or
/// an alias fits the path segment by segment. The expected matches are, per method, the candidates
/// with the most literal segments, in catalog order.
fn check_matches(catalog: &Catalog, lookup: &Lookup) {
    let request: &Request = &lookup.request;
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    for (index, api) in catalog.apis.iter().enumerate() {
        if request.method.as_ref().is_some_and(|method| *method != api.method) {
            continue;
        }
        if let Some(literals) = api.templates().filter_map(|template| literal_segments(template, &request.path)).max() {
            candidates.push((index, literals));
        }
    }
    let mut most_literals: HashMap<&str, usize> = HashMap::new();
    for &(index, literals) in &candidates {
        let best = most_literals.entry(catalog.apis[index].method.as_str()).or_default();
        *best = (*best).max(literals);
    }
    let expected: Vec<(usize, usize)> = candidates
        .into_iter()
        .filter(|&(index, literals)| most_literals[catalog.apis[index].method.as_str()] == literals)
        .collect();

    let found: Vec<(usize, usize)> = lookup.matches.iter().map(|m| (m.api, m.literal_segments)).collect();
    assert_eq!(found, expected, "matches of {request:?} as (API index, literal segments)");
    for found in &lookup.matches {
        let api = &catalog.apis[found.api];
        assert!(api.templates().any(|t| t == found.template), "{:?} is not a template of {}", found.template, api.key());
        assert_eq!(literal_segments(&found.template, &request.path), Some(found.literal_segments), "{request:?}");
        assert_terminal_safe(&escape_controls(&found.template), "escaped template");
    }
}

/// Counts the literal segments of `template` when it fits `path`. A segment written `{name}` fits
/// any non-empty segment, and every other segment must be equal.
fn literal_segments(template: &str, path: &str) -> Option<usize> {
    let expected: Vec<&str> = template.split('/').collect();
    let actual: Vec<&str> = path.split('/').collect();
    if expected.len() != actual.len() {
        return None;
    }
    let mut literals = 0;
    // Both start with '/', so the first pair is two empty strings and not a segment.
    for (expected, actual) in expected.iter().zip(&actual).skip(1) {
        let is_parameter = expected.len() >= 2 && expected.starts_with('{') && expected.ends_with('}');
        if is_parameter && !actual.is_empty() {
            continue;
        }
        if is_parameter || expected != actual {
            return None;
        }
        literals += 1;
    }
    Some(literals)
}

/// Checks that suggestions come only without a match, number at most three, differ from each other,
/// and each name a method and template of the catalog.
fn check_suggestions(catalog: &Catalog, lookup: &Lookup) {
    if !lookup.matches.is_empty() {
        assert!(lookup.suggestions.is_empty(), "suggestions {:?} next to matches", lookup.suggestions);
        return;
    }
    assert!(lookup.suggestions.len() <= 3, "{} suggestions", lookup.suggestions.len());
    let distinct: BTreeSet<&String> = lookup.suggestions.iter().collect();
    assert_eq!(distinct.len(), lookup.suggestions.len(), "repeated suggestions {:?}", lookup.suggestions);
    for suggestion in &lookup.suggestions {
        let known = catalog
            .apis
            .iter()
            .any(|api| api.templates().any(|template| *suggestion == format!("{} {template}", api.method)));
        assert!(known, "suggestion {suggestion:?} is no method and template of the catalog");
    }
}
