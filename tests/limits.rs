//! Size and shape limits on hostile input: oversized files are rejected before parsing, very long
//! strings are handled in bounded time, and deep nesting is an error instead of a stack overflow.

use std::io::Write;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use permscope::catalog::{Catalog, Scope};
use permscope::eval::{self, ActionStatus, Evaluator};
use permscope::input::{self, MAX_CATALOG_BYTES, MAX_POLICY_BYTES};
use permscope::json::{self, MAX_DEPTH};
use permscope::policy::{self, Policy};
use permscope::search::{MAX_TERM_CHARS, Field, SearchIndex};
use permscope::text::escape_controls;
use tempfile::TempDir;

const MIB: u64 = 1024 * 1024;

/// Length of the long names, actions and queries below, in characters.
const LONG: usize = 20_000;

/// Time allowed for work on one long input: far more than the linear-time work needs (this whole file
/// ran in about 3 s in a debug build on a 2-core machine), far less than the quadratic search it
/// guards against took there (over 30 s).
const HANG_LIMIT: Duration = Duration::from_secs(30);

const SMALL_POLICY: &str = r#"{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["evs:snapshots:get"]}]}"#;

fn permscope() -> Command {
    Command::cargo_bin("permscope").unwrap()
}

/// Runs `work` on another thread and fails the test when it takes longer than [`HANG_LIMIT`].
fn within_limit<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || sender.send(work()));
    match receiver.recv_timeout(HANG_LIMIT) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} took longer than {HANG_LIMIT:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked after {:?}", start.elapsed()),
    }
}

/// Writes `head`, then spaces up to `size` bytes.
fn write_padded(path: &Path, head: &str, size: u64) {
    let mut file = std::fs::File::create(path).unwrap();
    file.write_all(head.as_bytes()).unwrap();
    let padding = vec![b' '; (size - head.len() as u64) as usize];
    file.write_all(&padding).unwrap();
}

// ---- File size ----

#[test]
fn documented_size_limits() {
    assert_eq!(MAX_POLICY_BYTES, 8 * MIB);
    assert_eq!(MAX_CATALOG_BYTES, 512 * MIB);
}

#[test]
fn read_file_limit_boundary() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("ten.txt");
    std::fs::write(&path, "0123456789").unwrap();
    assert_eq!(input::read_file(&path, 10).unwrap(), "0123456789");
    let error = input::read_file(&path, 9).unwrap_err();
    assert!(error.message.contains("larger than the limit"), "{error}");
}

#[test]
fn policy_at_limit_accepted() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("policy.json");
    write_padded(&path, SMALL_POLICY, MAX_POLICY_BYTES);
    let parsed = Policy::load(path.to_str().unwrap()).unwrap();
    assert_eq!(parsed.policy.statements[0].actions, ["evs:snapshots:get"]);
}

#[test]
fn policy_over_limit_rejected_before_parsing() {
    // The document is valid JSON, so only the size check can reject it.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("policy.json");
    write_padded(&path, SMALL_POLICY, MAX_POLICY_BYTES + 1);
    let error = Policy::load(path.to_str().unwrap()).unwrap_err();
    assert_eq!(error.message, "the input is larger than the limit of 8 MiB");
    assert_eq!(error.pos, None);

    let output = permscope().arg("check").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("policy.json: the input is larger than the limit of 8 MiB"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn policy_over_limit_on_stdin_rejected() {
    let mut text = SMALL_POLICY.to_owned();
    text.push_str(&" ".repeat(MAX_POLICY_BYTES as usize + 1 - SMALL_POLICY.len()));
    let output = permscope().args(["check", "-"]).write_stdin(text).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("<stdin>: the input is larger than the limit of 8 MiB"), "{stderr}");
}

#[test]
fn catalog_over_limit_rejected_before_reading() {
    // A sparse file: its size is over the limit but it takes no disk space. Only the size check can
    // give this error, because read and parsed, its NUL bytes would be invalid JSON.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("catalog.json");
    std::fs::File::create(&path).unwrap().set_len(MAX_CATALOG_BYTES + 1).unwrap();

    let path_text = path.to_str().unwrap().to_owned();
    let error = within_limit("loading an oversized catalog", move || Catalog::load(&path_text).unwrap_err());
    assert_eq!(error.message, "the input is larger than the limit of 512 MiB");

    let output = permscope().arg("--catalog").arg(&path).args(["search", "snapshot"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("catalog.json: the input is larger than the limit of 512 MiB"), "{stderr}");
}

// ---- Long strings ----

/// Builds a catalog with one API whose names, path, alias and first action are each about [`LONG`]
/// characters long.
fn long_catalog() -> Catalog {
    let api = serde_json::json!({
        "name": {"zh": "快照".repeat(LONG / 2), "en": "snapshot ".repeat(LONG / 9)},
        "method": "GET",
        "path": format!("/{}", "p".repeat(LONG - 1)),
        "aliases": [format!("/{}", "快".repeat(LONG - 1))],
        "actions": [format!("evs:{}:get", "s".repeat(LONG - 8)), "evs:snapshots:get"],
        "scopes": {"project": true, "enterprise_project": false},
    });
    let text = serde_json::json!({"service": "evs", "apis": [api]}).to_string();
    Catalog::parse("long.json", &text).unwrap()
}

#[test]
fn search_long_fields_and_queries() {
    let hits = within_limit("searching long fields", || {
        let catalog = long_catalog();
        let index = SearchIndex::new(&catalog);
        let queries = [
            "kuaizhao".repeat(LONG / 8),
            "kz".repeat(LONG / 2),
            "快照".repeat(LONG / 2),
            "p".repeat(LONG - 1),
            "s".repeat(5_000),
            "x".repeat(5_000),
            " ".repeat(LONG),
        ];
        queries.map(|query| index.search(&query))
    });
    let hit_counts: Vec<usize> = hits.iter().map(Vec::len).collect();
    // `x` appears in no field; a query of only spaces has no terms and lists every API.
    assert_eq!(hit_counts, [1, 1, 1, 1, 1, 0, 1]);

    // Terms are cut to MAX_TERM_CHARS (1,000) characters before matching. The name is 快照 repeated
    // 10,000 times. Its full pinyin is kuaizhao repeated, so 1,000 pinyin letters cover the first 250
    // characters; its initials are kz repeated, one letter per character.
    assert_eq!(MAX_TERM_CHARS, 1_000);
    assert_eq!(hits[0][0].indices(Field::NameZh), (0..250).collect::<Vec<_>>());
    assert_eq!(hits[1][0].indices(Field::NameZh), (0..1_000).collect::<Vec<_>>());
    assert_eq!(hits[2][0].indices(Field::NameZh), (0..1_000).collect::<Vec<_>>());
    // The path is `/` and then 19,999 `p`.
    assert_eq!(hits[3][0].indices(Field::Path), (1..1_001).collect::<Vec<_>>());
    // Only the long action has many `s`. The leftmost ones match: the `s` of `evs` and then 999 of
    // the 19,992 after `evs:`.
    let expected: Vec<usize> = std::iter::once(2).chain(4..1_003).collect();
    assert_eq!(hits[4][0].indices(Field::Action(0)), expected);
}

#[test]
fn search_long_query_in_builtin_catalog() {
    let hits = within_limit("searching with a 5,000-character query", || {
        let catalog = Catalog::builtin();
        SearchIndex::new(&catalog).search(&"snapshots ".repeat(500))
    });
    // Every one of the 19 paths contains "snapshots".
    assert_eq!(hits.len(), 19);
}

#[test]
fn evaluate_long_patterns_and_actions() {
    let (statuses, callable) = within_limit("evaluating long patterns", || {
        let catalog = long_catalog();
        let long_action = catalog.apis[0].actions[0].clone();
        // Many stars are the worst case of the glob matcher's backtracking.
        let many_stars = format!("evs:{}:get", "*s".repeat((LONG - 8) / 2));
        let cannot_match = format!("evs:{}x:get", "*s".repeat((LONG - 8) / 2));
        let policy = Policy::allowing([many_stars.clone(), cannot_match.clone()]);
        let evaluator = Evaluator::new(&Policy::allowing([cannot_match]));
        let statuses = [evaluator.status(&long_action), Evaluator::new(&policy).status(&long_action)];
        let callable: Vec<bool> = eval::evaluate(&catalog, &policy, Scope::Project).iter().map(|v| v.callable).collect();
        (statuses, callable)
    });
    assert_eq!(statuses, [ActionStatus::NotAllowed, ActionStatus::Allowed]);
    // The API also needs evs:snapshots:get, which `*s` repeated 9,996 times cannot match.
    assert_eq!(callable, [false]);
}

#[test]
fn read_policy_with_long_action() {
    let action = format!("evs:{}:get", "a".repeat(LONG));
    let text = format!(r#"{{"Version": "1.1", "Statement": [{{"Effect": "Allow", "Action": ["{action}"]}}]}}"#);
    let document = within_limit("reading a policy with a long action", move || policy::read_document(&text));
    let policy = document.policy.expect("a long action is valid");
    assert_eq!(policy.statements[0].actions[0].chars().count(), LONG + 8);
    // Over Huawei's 6,144-character limit: a warning, not a failure to read.
    assert!(document.findings.iter().any(|f| f.code == "limit-chars"), "{:?}", document.findings);
}

#[test]
fn escape_long_control_text() {
    let text = "\u{1b}".repeat(LONG) + &"\u{202e}".repeat(LONG);
    let escaped = within_limit("escaping long text", move || escape_controls(&text).into_owned());
    assert_eq!(escaped.len(), LONG * "\\x1b".len() + LONG * "\\u{202e}".len());
    assert!(!escaped.chars().any(char::is_control));
    assert!(!escaped.contains('\u{202e}'));
}

// ---- Nesting ----

fn nested_arrays(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

#[test]
fn json_depth_boundary() {
    assert!(json::parse(&nested_arrays(MAX_DEPTH)).is_ok());
    let error = json::parse(&nested_arrays(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(error.message, format!("arrays and objects are nested more than {MAX_DEPTH} levels deep"));
    // The 65th `[` is at column 65.
    assert_eq!((error.pos.line, error.pos.column), (1, MAX_DEPTH + 1));
}

#[test]
fn deep_nesting_is_error_not_overflow() {
    let text = "{\"a\":".repeat(1_000_000) + &"[".repeat(1_000_000);
    let error = json::parse(&text).unwrap_err();
    assert!(error.message.contains("nested more than"), "{error}");

    let document = policy::read_document(&text);
    assert!(document.policy.is_none());
    assert_eq!(document.findings[0].code, "json-syntax");
}

#[test]
fn deeply_nested_catalog_rejected() {
    let inside_apis = format!(r#"{{"service": "evs", "apis": {}}}"#, nested_arrays(100_000));
    let inside_unknown = format!(r#"{{"service": "evs", "extra": {}}}"#, nested_arrays(100_000));
    for text in [nested_arrays(100_000), inside_apis, inside_unknown] {
        assert!(Catalog::parse("deep.json", &text).is_err());
    }
}

#[test]
fn deep_files_exit_with_status_2() {
    let dir = TempDir::new().unwrap();
    let policy_path = dir.path().join("deep-policy.json");
    std::fs::write(&policy_path, format!("{{\"Version\": \"1.1\",\n\"Statement\": {}}}", nested_arrays(100_000))).unwrap();
    let output = permscope().arg("check").arg(&policy_path).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    // The root object and 63 arrays fill the 64 levels. The 64th `[` is at line 2, column 77: after
    // `"Statement": ` (13 characters) and 63 `[`.
    assert!(stderr.contains("deep-policy.json:2:77: invalid JSON: arrays and objects are nested more than 64 levels deep"), "{stderr}");

    let catalog_path = dir.path().join("deep-catalog.json");
    std::fs::write(&catalog_path, nested_arrays(100_000)).unwrap();
    let output = permscope().arg("--catalog").arg(&catalog_path).args(["search", "x"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    // serde_json stops at the second `[`, where a string is expected, and reports the last character it
    // consumed: the first `[`.
    assert!(stderr.contains("deep-catalog.json:1:1: invalid catalog: invalid type: sequence, expected a string"), "{stderr}");
}
