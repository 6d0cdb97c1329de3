//! Matching concrete requests, as users copy them from a log or an SDK error, to catalog APIs.
//!
//! A request is `[METHOD] TARGET [HTTP/x]`, where TARGET is a path or a full URL. Scheme, host, query
//! string, fragment and one trailing slash are ignored. A `{param}` segment of a template matches one
//! non-empty path segment, literal segments compare exactly, and the method compares
//! case-insensitively. When templates of one method overlap (`/snapshots/detail` and
//! `/snapshots/{snapshot_id}`), the one with more literal segments wins, as a router would route it.

use std::collections::HashMap;
use std::fmt;

use crate::catalog::{Catalog, HTTP_METHODS};
use crate::suggest::nearest;

/// A request line reduced to what matching needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method in uppercase, when the line names one.
    pub method: Option<String>,
    /// The path without scheme, host, query string, fragment or trailing slash.
    pub path: String,
}

/// The reason a line is not a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    Empty,
    UnknownMethod { method: String, suggestion: Option<String> },
    NotAPath(String),
    TooManyParts(usize),
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Empty => write!(f, "the request is empty"),
            RequestError::UnknownMethod { method, suggestion } => {
                write!(f, "{method:?} is not an HTTP method")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean {s}?"),
                    None => write!(f, "; use one of {}", HTTP_METHODS.join(", ")),
                }
            }
            RequestError::NotAPath(target) => write!(
                f,
                "{target:?} is neither a path starting with '/' nor an http:// or https:// URL"
            ),
            RequestError::TooManyParts(count) => write!(f, "expected [METHOD] PATH-OR-URL [HTTP/x], found {count} words"),
        }
    }
}

impl std::error::Error for RequestError {}

/// A [`RequestError`] with the place in the line that it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedRequestError {
    pub error: RequestError,
    /// 1-based column, counted in characters, of the word that is wrong: the method, the target or
    /// the first word too many. 1 for an empty request.
    pub column: usize,
}

/// One catalog API a request matches, through its path or one of its aliases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiMatch {
    /// Index into [`Catalog::apis`].
    pub api: usize,
    /// The template that matched: the API's path or an alias such as its v3 twin.
    pub template: String,
    pub literal_segments: usize,
}

impl ApiMatch {
    /// True when the match went through an alias rather than the API's own path.
    pub fn is_alias(&self, catalog: &Catalog) -> bool {
        catalog.apis[self.api].path != self.template
    }
}

/// The outcome of one lookup: the matches in catalog order, or, when there are none, the closest
/// templates as `METHOD TEMPLATE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub request: Request,
    pub matches: Vec<ApiMatch>,
    pub suggestions: Vec<String>,
}

/// Parses a request line and matches it against the catalog.
pub fn match_request(catalog: &Catalog, line: &str) -> Result<Lookup, RequestError> {
    let request = parse_request(line)?;
    Ok(match_parsed(catalog, request))
}

/// Parses `[METHOD] TARGET [HTTP/x]`, optionally in double quotes as access logs write it.
pub fn parse_request(line: &str) -> Result<Request, RequestError> {
    parse_request_located(line).map_err(|located| located.error)
}

/// Parses like [`parse_request`] and, on error, also returns the column of the word at fault.
pub fn parse_request_located(line: &str) -> Result<Request, LocatedRequestError> {
    let trimmed = line.trim();
    let trimmed = logged_request(trimmed).unwrap_or(trimmed);
    let unquoted = trimmed.strip_prefix('"').and_then(|l| l.strip_suffix('"')).unwrap_or(trimmed).trim();
    // Every word is a slice of `line`, so its byte offset in `line` gives its column.
    let column_of = |word: &str| line[..word.as_ptr() as usize - line.as_ptr() as usize].chars().count() + 1;
    let located = |error: RequestError, word: &str| LocatedRequestError { error, column: column_of(word) };

    let mut words: Vec<&str> = unquoted.split_whitespace().collect();
    if words.len() >= 2 && words.last().is_some_and(|w| w.to_ascii_uppercase().starts_with("HTTP/")) {
        words.pop();
    }
    let (method, target) = match words.as_slice() {
        [] => return Err(LocatedRequestError { error: RequestError::Empty, column: 1 }),
        [target] => (None, *target),
        [method, target] => (Some(parse_method(method).map_err(|e| located(e, method))?), *target),
        more => return Err(located(RequestError::TooManyParts(more.len()), more[2])),
    };
    let path = target_path(target).map_err(|e| located(e, target))?;
    Ok(Request { method, path })
}

/// Finds the request in a whole access-log line. The Common and Combined Log Formats (Apache's and
/// nginx's default access-log formats) put it in double quotes among other fields:
/// `203.0.113.5 - - [04/Dec/2026:10:00:00 +0000] "GET /v2/p/snapshots HTTP/1.1" 200 512`.
/// Returns the first quoted part whose first word is an HTTP method, with its quotes, when the line
/// is more than that part.
pub fn logged_request(line: &str) -> Option<&str> {
    let one_quoted_part = line.len() >= 2 && line.starts_with('"') && line.ends_with('"') && !line[1..line.len() - 1].contains('"');
    if one_quoted_part {
        return None;
    }
    let mut quotes = line.match_indices('"').map(|(at, _)| at);
    while let (Some(open), Some(close)) = (quotes.next(), quotes.next()) {
        let inside = &line[open + 1..close];
        if inside.split_whitespace().next().is_some_and(is_method) {
            return Some(&line[open..=close]);
        }
    }
    None
}

fn parse_method(word: &str) -> Result<String, RequestError> {
    let upper = word.to_ascii_uppercase();
    if HTTP_METHODS.contains(&upper.as_str()) {
        return Ok(upper);
    }
    let suggestion = nearest(&upper, HTTP_METHODS, 1).first().map(|s| (*s).to_owned());
    Err(RequestError::UnknownMethod { method: word.to_owned(), suggestion })
}

/// True when `word` is an HTTP method in any letter case.
pub fn is_method(word: &str) -> bool {
    HTTP_METHODS.contains(&word.to_ascii_uppercase().as_str())
}

fn target_path(target: &str) -> Result<String, RequestError> {
    let lower = target.to_ascii_lowercase();
    let after_scheme = ["https://", "http://"].iter().find(|scheme| lower.starts_with(**scheme)).map(|scheme| &target[scheme.len()..]);
    let path = match after_scheme {
        // The authority (host and port) ends at the first '/', '?' or '#'.
        Some(rest) => match rest.find(['/', '?', '#']) {
            Some(end) if rest[end..].starts_with('/') => &rest[end..],
            _ => "/",
        },
        None if target.starts_with('/') => target,
        None => return Err(RequestError::NotAPath(target.to_owned())),
    };
    let path = path.split('#').next().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    let path = match path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped,
        _ => path,
    };
    Ok(path.to_owned())
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').skip(1).collect()
}

fn is_parameter(segment: &str) -> bool {
    segment.len() >= 2 && segment.starts_with('{') && segment.ends_with('}')
}

/// Counts the literal segments of `template` when it matches `path_segments`.
fn match_template(template: &str, path_segments: &[&str]) -> Option<usize> {
    let template_segments = segments(template);
    if template_segments.len() != path_segments.len() {
        return None;
    }
    let mut literals = 0;
    for (expected, actual) in template_segments.iter().zip(path_segments) {
        if is_parameter(expected) {
            if actual.is_empty() {
                return None;
            }
        } else if expected == actual {
            literals += 1;
        } else {
            return None;
        }
    }
    Some(literals)
}

/// Matches a parsed request. For each method, only the templates with the most literal segments are
/// kept.
pub fn match_parsed(catalog: &Catalog, request: Request) -> Lookup {
    let path_segments = segments(&request.path);
    let mut matches: Vec<ApiMatch> = Vec::new();
    for (index, api) in catalog.apis.iter().enumerate() {
        if request.method.as_ref().is_some_and(|m| !api.method.eq_ignore_ascii_case(m)) {
            continue;
        }
        let best = api
            .templates()
            .filter_map(|template| match_template(template, &path_segments).map(|literals| (literals, template)))
            .max_by_key(|(literals, _)| *literals);
        if let Some((literal_segments, template)) = best {
            matches.push(ApiMatch { api: index, template: template.to_owned(), literal_segments });
        }
    }

    let mut most_specific: HashMap<&str, usize> = HashMap::new();
    for m in &matches {
        let best = most_specific.entry(catalog.apis[m.api].method.as_str()).or_default();
        *best = (*best).max(m.literal_segments);
    }
    let matches: Vec<ApiMatch> = matches
        .iter()
        .filter(|m| most_specific[catalog.apis[m.api].method.as_str()] == m.literal_segments)
        .cloned()
        .collect();

    let suggestions = if matches.is_empty() { closest_templates(catalog, &request) } else { Vec::new() };
    Lookup { request, matches, suggestions }
}

/// Up to three `METHOD TEMPLATE` strings closest to an unmatched request, all at the same smallest
/// edit distance. The request's segments at the template's `{param}` positions are replaced by the
/// parameter, so concrete IDs cost nothing and only the literal parts and the method count as edits.
fn closest_templates(catalog: &Catalog, request: &Request) -> Vec<String> {
    let path_segments = segments(&request.path);
    let mut scored: Vec<(usize, String)> = Vec::new();
    for api in &catalog.apis {
        for template in api.templates() {
            let template_segments = segments(template);
            let projected: Vec<&str> = path_segments
                .iter()
                .enumerate()
                .map(|(i, actual)| match template_segments.get(i) {
                    Some(expected) if is_parameter(expected) => *expected,
                    _ => *actual,
                })
                .collect();
            let projected = format!("/{}", projected.join("/"));
            let mut distance = strsim::levenshtein(&projected, template);
            if let Some(method) = &request.method {
                distance += strsim::levenshtein(method, &api.method);
            }
            // Parameters match anything, so only the template's literal text sets how far off a
            // request may be and still get the template as a suggestion.
            let literal_chars: usize =
                template_segments.iter().filter(|s| !is_parameter(s)).map(|s| s.chars().count() + 1).sum();
            let limit = (literal_chars / 2).max(2);
            if distance <= limit {
                scored.push((distance, format!("{} {template}", api.method)));
            }
        }
    }
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    let best = scored.first().map_or(0, |(distance, _)| *distance);
    scored.into_iter().filter(|(distance, _)| *distance == best).take(3).map(|(_, key)| key).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(catalog: &Catalog, lookup: &Lookup) -> Vec<String> {
        lookup.matches.iter().map(|m| format!("{} {}", catalog.apis[m.api].method, m.template)).collect()
    }

    fn lookup_keys(line: &str) -> Vec<String> {
        let catalog = Catalog::builtin();
        let lookup = match_request(&catalog, line).unwrap();
        keys(&catalog, &lookup)
    }

    #[test]
    fn request_forms_parse() {
        let cases = [
            ("DELETE /v3/0a1b2c3d/snapshots/5e6f?force=true", Some("DELETE"), "/v3/0a1b2c3d/snapshots/5e6f"),
            ("https://evs.cn-north-4.myhuaweicloud.com/v2/0a1b/cloudsnapshots/detail", None, "/v2/0a1b/cloudsnapshots/detail"),
            ("get HTTPS://evs.example.com:443/v2/p/snapshots/#top", Some("GET"), "/v2/p/snapshots"),
            ("\"GET /v2/p/snapshots/detail?limit=5 HTTP/1.1\"", Some("GET"), "/v2/p/snapshots/detail"),
            (
                "203.0.113.5 - - [04/Dec/2026:10:00:00 +0000] \"DELETE /v3/p/snapshots/s1?force=true HTTP/1.1\" 202 0 \"-\" \"curl/8.5\"",
                Some("DELETE"),
                "/v3/p/snapshots/s1",
            ),
            ("\"-\" \"POST /v2/p/cloudsnapshots HTTP/2.0\" 200", Some("POST"), "/v2/p/cloudsnapshots"),
            ("  PUT\t/v2/p/cloudsnapshots/s1/  ", Some("PUT"), "/v2/p/cloudsnapshots/s1"),
            ("https://evs.example.com?x=1", None, "/"),
            ("/", None, "/"),
        ];
        for (line, method, path) in cases {
            let request = parse_request(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(request.method.as_deref(), method, "{line}");
            assert_eq!(request.path, path, "{line}");
        }
    }

    #[test]
    fn bad_requests_rejected() {
        assert_eq!(parse_request("   "), Err(RequestError::Empty));
        assert_eq!(
            parse_request("GTE /v2/p/snapshots"),
            Err(RequestError::UnknownMethod { method: "GTE".into(), suggestion: Some("GET".into()) })
        );
        assert_eq!(parse_request("evs.example.com/v2/p/snapshots"), Err(RequestError::NotAPath("evs.example.com/v2/p/snapshots".into())));
        assert_eq!(parse_request("GET /v2/p/snapshots extra words"), Err(RequestError::TooManyParts(4)));
    }

    #[test]
    fn error_columns_count_characters() {
        let column = |line: &str| parse_request_located(line).unwrap_err().column;
        assert_eq!(column("GTE /v2/p/snapshots"), 1);
        assert_eq!(column("  \tGTE /v2/p/snapshots"), 4);
        assert_eq!(column("GET evs.example.com/v2"), 5);
        // Inside access-log quotes, after a two-byte character on the line.
        assert_eq!(column("é \"GET evs.example.com/v2 HTTP/1.1\""), 8);
        assert_eq!(column("evs.example.com/v2"), 1);
        assert_eq!(column("GET /v2/p/snapshots extra words"), 21);
        // A lone quote is neither a quoted request nor a log line.
        assert_eq!(parse_request("\""), Err(RequestError::NotAPath("\"".into())));
        // In a whole access-log line the column counts from the start of the line.
        assert_eq!(column("1.2.3.4 \"GET foo HTTP/1.1\" 200"), 14);
        assert_eq!(column("\"\""), 1);
        assert_eq!(column("   "), 1);
    }

    // Expected APIs below are worked out by hand from the EVS snapshot permission table.
    #[test]
    fn v3_alias_matches() {
        let catalog = Catalog::builtin();
        let lookup = match_request(&catalog, "DELETE /v3/0a1b2c3d/snapshots/5e6f?force=true").unwrap();
        assert_eq!(keys(&catalog, &lookup), ["DELETE /v3/{project_id}/snapshots/{snapshot_id}"]);
        let api = &catalog.apis[lookup.matches[0].api];
        assert_eq!(api.path, "/v2/{project_id}/snapshots/{snapshot_id}");
        assert_eq!(api.actions, ["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"]);
        assert!(lookup.matches[0].is_alias(&catalog));
    }

    #[test]
    fn literal_beats_parameter() {
        assert_eq!(lookup_keys("GET /v2/p/snapshots/detail"), ["GET /v2/{project_id}/snapshots/detail"]);
        assert_eq!(lookup_keys("GET /v2/p/snapshots/5e6f"), ["GET /v2/{project_id}/snapshots/{snapshot_id}"]);
    }

    #[test]
    fn no_method_lists_every_method() {
        // GET routes "detail" to the list API; PUT and DELETE have no detail API, so for them it is a
        // snapshot ID.
        assert_eq!(
            lookup_keys("/v2/p/snapshots/detail"),
            [
                "GET /v2/{project_id}/snapshots/detail",
                "PUT /v2/{project_id}/snapshots/{snapshot_id}",
                "DELETE /v2/{project_id}/snapshots/{snapshot_id}",
            ]
        );
    }

    #[test]
    fn method_case_insensitive_path_exact() {
        assert_eq!(lookup_keys("post /v2/p/cloudsnapshots/s/rollback"), ["POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback"]);
        assert!(lookup_keys("GET /V2/p/snapshots").is_empty());
    }

    #[test]
    fn empty_segment_is_no_parameter() {
        assert!(lookup_keys("GET /v2//snapshots").is_empty());
        assert!(lookup_keys("GET /v2/p/snapshots//metadata").is_empty());
    }

    #[test]
    fn unmatched_suggests_closest() {
        let catalog = Catalog::builtin();
        let lookup = match_request(&catalog, "DELETE /v3/0a1b/snapshot/5e6f").unwrap();
        assert!(lookup.matches.is_empty());
        assert_eq!(lookup.suggestions, ["DELETE /v3/{project_id}/snapshots/{snapshot_id}"]);

        // POST has no template for one snapshot; PUT is two edits from POST, GET three.
        let lookup = match_request(&catalog, "POST /v2/p/snapshots/5e6f").unwrap();
        assert_eq!(lookup.suggestions[0], "PUT /v2/{project_id}/snapshots/{snapshot_id}");

        let lookup = match_request(&catalog, "GET /totally/unrelated/path/here/now").unwrap();
        assert!(lookup.suggestions.is_empty(), "{:?}", lookup.suggestions);
    }
}
