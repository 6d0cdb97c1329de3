//! End-to-end test of the explorer on a 100,000-API synthetic catalog. The real binary writes the
//! catalog and the explorer opens it in a private tmux server. A query is then typed a character at a
//! time while the search worker is matching.
//!
//! The expected results are worked out from the catalog file itself, parsed as plain JSON, without
//! permscope's search. The query is Chinese, so only Chinese names can match it: the other fields
//! (English name, method, path, aliases, actions) and the pinyin forms of names contain no Chinese
//! characters. A term matches a text when its characters occur in the text in order.

mod terminal;

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use terminal::{BIN, Home, Launch, row_marks, status_line, table_rows, tools_present};

const APIS: usize = 100_000;

/// 回滚云硬盘快照, "roll back an EVS snapshot": every API of the synthetic catalog with this Chinese
/// name (or the name followed by （OpenStack）) matches it.
const QUERY: &str = "回滚云硬盘快照";

/// The pane's height; the status line is its second row from the bottom.
const HEIGHT: usize = 40;

/// How long a wait polls before the test fails. Writing, loading and searching 100,000 APIs in a debug
/// build take seconds each, and longer on a shared machine. Only a failing test spends this time.
const TIMEOUT: Duration = Duration::from_secs(120);

/// An API of the catalog file as the test reads it.
struct CatalogApi {
    zh: String,
    en: String,
    method: String,
    path: String,
    actions: Vec<String>,
    /// Every text a search term can match: names, method, path, aliases and actions.
    texts: Vec<String>,
}

impl CatalogApi {
    fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    fn matches(&self, query: &str) -> bool {
        query.split_whitespace().all(|term| self.texts.iter().any(|text| is_subsequence(term, text)))
    }
}

/// Tells whether the characters of `term` occur in `text` in order, ignoring case.
fn is_subsequence(term: &str, text: &str) -> bool {
    let text = text.to_lowercase();
    let mut rest = text.chars();
    term.to_lowercase().chars().all(|needed| rest.any(|c| c == needed))
}

/// Reads the APIs of a catalog file with serde_json alone.
fn read_catalog(path: &Path) -> Vec<CatalogApi> {
    let text = std::fs::read_to_string(path).expect("read the synthetic catalog");
    let catalog: Value = serde_json::from_str(&text).expect("the synthetic catalog is JSON");
    let string = |value: &Value| value.as_str().expect("a catalog string").to_owned();
    let strings = |value: &Value| -> Vec<String> { value.as_array().map_or(Vec::new(), |items| items.iter().map(string).collect()) };
    catalog["apis"]
        .as_array()
        .expect("the catalog has an apis array")
        .iter()
        .map(|api| {
            let (zh, en) = (string(&api["name"]["zh"]), string(&api["name"]["en"]));
            let (method, path) = (string(&api["method"]), string(&api["path"]));
            let actions = strings(&api["actions"]);
            let mut texts = vec![zh.clone(), en.clone(), method.clone(), path.clone()];
            texts.extend(strings(&api["aliases"]));
            texts.extend(actions.iter().cloned());
            CatalogApi { zh, en, method, path, actions, texts }
        })
        .collect()
}

/// Reads the query text and the match count from the search line, such as `Search: 回滚  5012 matches`.
/// Returns `None` when the status line is not the search line. Only queries without spaces are read.
fn search_line(screen: &str) -> Option<(String, usize)> {
    let line = status_line(screen, HEIGHT);
    let rest = line.strip_prefix("Search: ")?;
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (count, query) = match words.as_slice() {
        [count, "matches" | "match"] => (count, ""),
        [query, count, "matches" | "match"] => (count, *query),
        _ => return None,
    };
    Some((query.to_owned(), count.parse().ok()?))
}

/// Checks that a table row shows `api`: its English name and path, each cut to its column, and its
/// method. The visible part of the path must include the version, which distinguishes the rows.
fn assert_row_shows(row: &str, api: &CatalogApi) {
    let method = format!(" {} ", api.method);
    let at = row.find(&method).unwrap_or_else(|| panic!("row {row:?} lacks the method of {}", api.key()));
    let name = row[..at].chars().skip(2).collect::<String>();
    let name = name.trim();
    let path = row[at + method.len()..].trim();
    assert!(!name.is_empty(), "row {row:?} shows no name");
    assert!(api.en.starts_with(name), "row {row:?} should show the name {:?}", api.en);
    assert!(api.path.starts_with(path), "row {row:?} should show the path {}", api.path);
    let version_end = api.path.find("/{project_id}").expect("synthetic paths contain {project_id}");
    assert!(path.len() > version_end, "row {row:?} should show the version of {}", api.path);
}

fn write_catalog(home: &Home) -> std::path::PathBuf {
    let path = home.path().join("catalog-100k.json");
    let output = Command::new(BIN)
        .env("HOME", home.path())
        .args(["catalog", "synth", &APIS.to_string(), "--seed", "1", "-o"])
        .arg(&path)
        .output()
        .expect("run permscope catalog synth");
    assert!(output.status.success(), "catalog synth failed: {}", String::from_utf8_lossy(&output.stderr));
    path
}

#[test]
fn large_catalog_stays_responsive() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let catalog_path = write_catalog(&home);
    let apis = read_catalog(&catalog_path);
    assert_eq!(apis.len(), APIS);

    // The count of every prefix of the query, and the APIs of the whole query in catalog order.
    let prefixes: Vec<&str> = QUERY.char_indices().map(|(i, c)| &QUERY[..i + c.len_utf8()]).collect();
    let prefix_counts: Vec<usize> = prefixes.iter().map(|prefix| apis.iter().filter(|api| api.matches(prefix)).count()).collect();
    let expected: Vec<&CatalogApi> = apis.iter().filter(|api| api.matches(QUERY)).collect();
    assert!(expected.len() >= 2, "the synthetic catalog should have several matches, found {}", expected.len());
    // Every match has the query as the start of its Chinese name, a run of adjacent characters at the
    // same place, so all get the same score. Ties keep catalog order, so the table shows that order.
    for api in &expected {
        assert!(api.zh.starts_with(QUERY), "{} ({}) matches the query in another way; choose another query", api.key(), api.zh);
    }

    let mut distinct_actions: Vec<&str> = apis.iter().flat_map(|api| api.actions.iter().map(String::as_str)).collect();
    distinct_actions.sort_unstable();
    distinct_actions.dedup();

    // The header is cut at 120 columns before its counts, because the catalog names 45 services, so
    // the start is recognised by the pane titles.
    let catalog_arg = catalog_path.display().to_string();
    let tmux = Launch::explorer().args(&["--catalog", &catalog_arg]).start(&home);
    let titles = [format!("┌ APIs {APIS} "), format!("┌ Actions 0/{} allowed ", distinct_actions.len())];
    tmux.wait_until_within(TIMEOUT, &format!("{titles:?}"), |screen| titles.iter().all(|title| screen.contains(title)));

    tmux.keys(&["/"]);
    let opened = tmux.wait_until_within(TIMEOUT, "the search field", |screen| search_line(screen).is_some());
    assert_eq!(search_line(&opened), Some((String::new(), APIS)));

    // Each character must appear in the search field. The test waits only for that, not for the
    // results, before typing the next one, so the worker is usually still matching an earlier prefix.
    // The count beside the field then belongs to an earlier prefix.
    let mut stale_counts = 0;
    for (typed, prefix) in prefixes.iter().enumerate() {
        let character = &prefix[prefix.len() - prefix.chars().last().expect("a prefix is not empty").len_utf8()..];
        tmux.type_text(character);
        let screen =
            tmux.wait_until_within(TIMEOUT, &format!("{prefix:?} in the search field"), |screen| search_line(screen).is_some_and(|(query, _)| query == *prefix));
        let (_, count) = search_line(&screen).expect("the wait found the search line");
        let earlier_counts = &prefix_counts[..=typed];
        assert!(count == APIS || earlier_counts.contains(&count), "after typing {prefix:?} the count {count} belongs to no query typed so far ({earlier_counts:?})");
        stale_counts += usize::from(count != prefix_counts[typed]);
    }
    // Written to the process's stderr, which the test harness does not capture.
    let _ = writeln!(std::io::stderr(), "{stale_counts} of {} typed characters appeared before their results", prefixes.len());

    let awaited = format!("{} matches for {QUERY:?}", expected.len());
    let screen = tmux.wait_until_within(TIMEOUT, &awaited, |screen| search_line(screen) == Some((QUERY.to_owned(), expected.len())));
    let title = format!("┌ APIs {}/{APIS} matching \"{QUERY}\" ", expected.len());
    assert!(screen.contains(&title), "expected the title {title:?} in:\n{screen}");
    let rows = table_rows(&screen);
    assert!(rows.len() <= expected.len(), "more rows than matches in:\n{screen}");
    assert!(rows.len() >= 2, "expected at least two rows in:\n{screen}");
    for (row, api) in rows.iter().zip(&expected) {
        assert_row_shows(row, api);
    }
    assert!(row_marks(&screen).iter().all(|marks| marks == "✘ "), "nothing is granted yet:\n{screen}");

    // Enter keeps the filter; j selects the second match, which the details pane then shows in full.
    tmux.keys(&["Enter"]);
    tmux.wait_until_within(TIMEOUT, "the search field to close", |screen| search_line(screen).is_none());
    let (first, second) = (expected[0].key(), expected[1].key());
    tmux.keys(&["j"]);
    tmux.wait_until_within(TIMEOUT, &format!("{second} in the details"), |screen| screen.contains(&second) && !screen.contains(&first));

    // Picking the API grants its actions. A shown API whose actions are all among them becomes
    // callable, because every synthetic API takes effect in an IAM project, the default scope.
    tmux.keys(&["Space"]);
    let picked = format!("Picked {second}");
    // A long status message wraps onto more lines above the footer, so the whole screen is searched.
    let screen = tmux.wait_until_within(TIMEOUT, &picked, |screen| screen.contains(&picked));
    let granted = &expected[1].actions;
    let allowed = format!("┌ Actions {}/{} allowed ", granted.len(), distinct_actions.len());
    assert!(screen.contains(&allowed), "expected the title {allowed:?} in:\n{screen}");
    let marks = row_marks(&screen);
    let expected_marks: Vec<String> = expected[..marks.len()]
        .iter()
        .enumerate()
        .map(|(row, api)| {
            let status = if api.actions.iter().all(|action| granted.contains(action)) { '✔' } else { '✘' };
            let pick = if row == 1 { '*' } else { ' ' };
            format!("{status}{pick}")
        })
        .collect();
    assert_eq!(marks, expected_marks, "marks of the shown rows:\n{screen}");
    assert_eq!(marks[1], "✔*", "the picked row is callable");

    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit_within(TIMEOUT), 0);
    assert!(!tmux.explorer_running());
}

/// Guards the reading of the search line, which the test above relies on.
#[test]
fn search_line_parsing() {
    let screen = |line: &str| {
        let mut lines = vec![String::new(); HEIGHT];
        lines[HEIGHT - 2] = line.to_owned();
        lines.join("\n")
    };
    assert_eq!(search_line(&screen("Search:                  100000 matches")), Some((String::new(), 100_000)));
    assert_eq!(search_line(&screen("Search: 回滚云        25 matches")), Some(("回滚云".to_owned(), 25)));
    assert_eq!(search_line(&screen("Search: 回        1 match")), Some(("回".to_owned(), 1)));
    assert_eq!(search_line(&screen("Picked POST /v1/x")), None);
}
