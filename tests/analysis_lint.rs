//! `permscope lint` on real files: every finding code with its severity and position, the text and
//! JSON output, and the exit status rules.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

fn permscope() -> Command {
    cargo_bin_cmd!("permscope")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A policy whose fourth line is `statement`, so findings inside it are on line 4.
fn with_statement(statement: &str) -> String {
    format!("{{\n  \"Version\": \"1.1\",\n  \"Statement\": [\n    {statement}\n  ]\n}}\n")
}

/// Statements of `count` copies of evs:snapshots:get each.
fn repeated_get(counts: &[usize]) -> String {
    let statements: Vec<String> = counts
        .iter()
        .map(|count| {
            let actions = vec!["\"evs:snapshots:get\""; *count].join(",");
            format!("{{\"Effect\":\"Allow\",\"Action\":[{actions}]}}")
        })
        .collect();
    format!("{{\"Version\":\"1.1\",\"Statement\":[{}]}}", statements.join(","))
}

struct Linted {
    status: i32,
    findings: Vec<Value>,
}

fn lint_json(text: &str) -> Linted {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "policy.json", text);
    let output = permscope().args(["lint", "--json"]).arg(&path).output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {:?}", output));
    Linted { status: output.status.code().unwrap(), findings: report["findings"].as_array().unwrap().clone() }
}

fn find<'a>(findings: &'a [Value], code: &str) -> &'a Value {
    findings.iter().find(|f| f["code"] == code).unwrap_or_else(|| panic!("no {code} in {findings:#?}"))
}

/// One case: the policy, the code expected among its findings, its severity, line and column.
struct Case {
    text: String,
    code: &'static str,
    severity: &'static str,
    line: u64,
    column: u64,
}

fn case(text: impl Into<String>, code: &'static str, severity: &'static str, line: u64, column: u64) -> Case {
    Case { text: text.into(), code, severity, line, column }
}

fn check_cases(cases: Vec<Case>) {
    for case in cases {
        let linted = lint_json(&case.text);
        let finding = find(&linted.findings, case.code);
        assert_eq!(finding["severity"], case.severity, "{}: {finding}", case.code);
        assert_eq!(finding["line"], case.line, "{}: {finding}", case.code);
        assert_eq!(finding["column"], case.column, "{}: {finding}", case.code);
        let expected_status = if case.severity == "error" { 1 } else { 0 };
        assert_eq!(linted.status, expected_status, "{}: exit status", case.code);
    }
}

// Columns below are counted by hand: on line 4, the statement's `{` is column 5, a value after
// `{"Effect": ` is column 16, and the first action after `"Action": [` is column 36.
#[test]
fn invalid_documents_are_errors() {
    check_cases(vec![
        case("{\"Version\": \"1.1\",\n \"Statement\": [}", "json-syntax", "error", 2, 16),
        case("", "json-syntax", "error", 1, 1),
        case("[]", "not-object", "error", 1, 1),
        case(r#"{"Version": "1.0", "Statement": []}"#, "version", "error", 1, 13),
        case(r#"{"Version": 1.1, "Statement": []}"#, "version", "error", 1, 13),
        case(r#"{"Version": "1.1", "Statement": {}}"#, "statement", "error", 1, 33),
        case(with_statement(r#"{"Effect": "Permit", "Action": ["evs:snapshots:get"]}"#), "effect", "error", 4, 16),
        case(with_statement(r#"{"Effect": "allow", "Action": ["evs:snapshots:get"]}"#), "effect", "error", 4, 16),
        case(with_statement(r#"{"Effect": "Allow"}"#), "action-missing", "error", 4, 5),
        case(with_statement(r#"{"Effect": "Allow", "Action": []}"#), "action-empty", "error", 4, 35),
        case(with_statement(r#"{"Effect": "Allow", "Action": "evs:snapshots:get"}"#), "action-type", "error", 4, 35),
        case(with_statement(r#"{"Effect": "Allow", "Action": [42]}"#), "action-type", "error", 4, 36),
        case(with_statement(r#"{"Effect": "Allow", "Action": ["evs:get"]}"#), "action-format", "error", 4, 36),
        case(with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshots:get:x"]}"#), "action-format", "error", 4, 36),
        case(with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshots:get"], "Condition": []}"#), "condition-type", "error", 4, 71),
        case(with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshots:get"], "Resource": "x"}"#), "resource-type", "error", 4, 70),
    ]);
}

#[test]
fn duplicate_keys_anywhere_are_errors() {
    check_cases(vec![
        // The Deny-then-Allow statement that serde_json would read as a plain Allow.
        case(with_statement(r#"{"Effect": "Deny", "Effect": "Allow", "Action": ["evs:snapshots:get"]}"#), "duplicate-key", "error", 4, 24),
        case(r#"{"Version": "1.1", "Version": "1.1", "Statement": []}"#, "duplicate-key", "error", 1, 20),
        case(
            with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshots:get"], "Condition": {"StringEquals": {"a": ["1"], "a": ["2"]}}}"#),
            "duplicate-key",
            "error",
            4,
            101,
        ),
    ]);
}

#[test]
fn limits_are_errors() {
    let nine: Vec<String> = (0..9).map(|_| r#"{"Effect":"Allow","Action":["evs:snapshots:get"]}"#.to_owned()).collect();
    let eleven_conditions: Vec<String> = (0..11).map(|i| format!("\"k{i}\": [\"v\"]")).collect();
    let eleven_resources = ["\"evs:*:*:snapshot:*\""; 11].join(", ");
    check_cases(vec![
        // Compact size: 32 + 3 commas + 4 × 30 + 400 × 19 + (400 − 4) commas = 8151 characters.
        case(repeated_get(&[100, 100, 100, 100]), "limit-chars", "error", 1, 1),
        case(format!("{{\"Version\":\"1.1\",\"Statement\":[{}]}}", nine.join(",")), "limit-statements", "error", 1, 1),
        case(repeated_get(&[101]), "limit-actions", "error", 1, 31),
        case(
            with_statement(&format!(
                r#"{{"Effect": "Allow", "Action": ["evs:snapshots:get"], "Condition": {{"StringEquals": {{{}}}}}}}"#,
                eleven_conditions.join(", ")
            )),
            "limit-conditions",
            "error",
            4,
            5,
        ),
        case(
            with_statement(&format!(r#"{{"Effect": "Allow", "Action": ["evs:snapshots:get"], "Resource": [{eleven_resources}]}}"#)),
            "limit-resources",
            "error",
            4,
            5,
        ),
    ]);
}

#[test]
fn likely_mistakes_are_warnings() {
    check_cases(vec![
        case(with_statement(r#"{"Effect": "Allow", "Action": ["EVS:snapshots:get"]}"#), "uppercase-service", "warning", 4, 36),
        case(with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshots:ge?"]}"#), "question-mark", "warning", 4, 36),
        case(with_statement(r#"{"Effect": "Allow", "Action": ["*:snapshots:get"]}"#), "service-wildcard", "warning", 4, 36),
        case(r#"{"Version": "1.1", "Id": "x", "Statement": [{"Effect": "Allow", "Action": ["evs:snapshots:get"]}]}"#, "unknown-key", "warning", 1, 20),
        case(
            with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshots:get"], "NotAction": ["evs:snapshots:delete"]}"#),
            "unsupported-key",
            "warning",
            4,
            58,
        ),
        case(
            with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshots:get"], "Principal": {"ID": ["x"]}}"#),
            "unsupported-key",
            "warning",
            4,
            58,
        ),
        case(r#"{"Version": "1.1", "Statement": []}"#, "no-statements", "warning", 1, 1),
        case(with_statement(r#"{"Effect": "Deny", "Action": ["evs:snapshots:delete"]}"#), "deny-only", "warning", 1, 1),
        case(with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshot:get"]}"#), "unknown-action", "warning", 4, 36),
        case(with_statement(r#"{"Effect": "Allow", "Action": ["evs:*:*"]}"#), "service-wide-wildcard", "warning", 4, 36),
        // 3 statements of 100, 100 and 71 actions: 32 + 2 + 3 × 30 + 271 × 19 + 268 = 5541 characters,
        // over 90 % of 6144 (5529.6).
        case(repeated_get(&[100, 100, 71]), "near-limit-chars", "warning", 1, 1),
    ]);
}

#[test]
fn question_mark_also_unknown() {
    let linted = lint_json(&with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshots:ge?"]}"#));
    let codes: Vec<&str> = linted.findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["question-mark", "unknown-action"]);
    assert_eq!(linted.findings[1]["fix"], "did you mean evs:snapshots:get?");
}

#[test]
fn unknown_action_suggests_nearest() {
    let linted = lint_json(&with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshot:get", "evs:snapshots:lists"]}"#));
    assert_eq!(linted.findings.len(), 2);
    assert_eq!(linted.findings[0]["message"], "\"evs:snapshot:get\" matches no action in the catalog of evs");
    assert_eq!(linted.findings[0]["fix"], "did you mean evs:snapshots:get?");
    assert_eq!(linted.findings[0]["statement"], 0);
    assert_eq!(linted.findings[0]["action"], 0);
    assert_eq!(linted.findings[1]["fix"], "did you mean evs:snapshots:list?");
    assert_eq!(linted.findings[1]["action"], 1);
    assert_eq!(linted.findings[1]["column"], 56);
}

#[test]
fn near_limit_boundary() {
    // 270 actions: 5521 characters, not over 90 %.
    let linted = lint_json(&repeated_get(&[100, 100, 70]));
    assert!(linted.findings.is_empty(), "{:#?}", linted.findings);
    let linted = lint_json(&repeated_get(&[100, 100, 71]));
    assert_eq!(linted.findings[0]["message"], "the policy has 5541 characters, over 90 % of Huawei's limit of 6144");
}

#[test]
fn cancelled_allow_names_deny() {
    let text = "{\"Version\": \"1.1\", \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": [\"evs:snapshots:get\", \"evs:snapshots:delete\"]},\n  {\"Effect\": \"Deny\", \"Action\": [\"evs:*:delete\"]}\n]}";
    let linted = lint_json(text);
    assert_eq!(linted.findings.len(), 1);
    let finding = &linted.findings[0];
    assert_eq!(finding["code"], "allow-cancelled");
    assert_eq!(finding["message"], "\"evs:snapshots:delete\" is allowed but always denied by statement 2, so it grants nothing");
    assert_eq!((finding["line"].as_u64(), finding["column"].as_u64()), (Some(2), Some(55)));
    assert_eq!(linted.status, 0);

    let whole = "{\"Version\": \"1.1\", \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": [\"evs:snapshots:*\"]},\n  {\"Effect\": \"Deny\", \"Action\": [\"evs:snapshots:*\"]}\n]}";
    let linted = lint_json(whole);
    assert_eq!(linted.findings[0]["message"], "statement 1 allows nothing: every action it allows is denied by statement 2");
    assert_eq!((linted.findings[0]["line"].as_u64(), linted.findings[0]["column"].as_u64()), (Some(2), Some(3)));
}

#[test]
fn service_wide_wildcard_names_apis() {
    // Alone, evs:*:* opens all 19 APIs of the table.
    let linted = lint_json(&with_statement(r#"{"Effect": "Allow", "Action": ["evs:*:*"]}"#));
    let message = linted.findings[0]["message"].as_str().unwrap();
    assert!(message.starts_with("\"evs:*:*\" allows every action of the evs service and opens 19 APIs in project scope"), "{message}");
    // With evs:snapshots:get and evs:volumes:get allowed, the four APIs that need only
    // evs:snapshots:get are already callable, so the wildcard adds the other 15.
    let linted = lint_json(&with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshots:get", "evs:volumes:get", "evs:*:*"]}"#));
    let message = linted.findings[0]["message"].as_str().unwrap();
    assert!(message.contains("opens 15 APIs"), "{message}");
    assert!(!message.contains("GET /v2/{project_id}/snapshots/{snapshot_id},"), "{message}");
    assert_eq!(
        linted.findings[0]["fix"],
        "list only the actions you need; these APIs need evs:snapshots:create, evs:snapshots:delete, evs:snapshots:list, evs:snapshots:rollback, evs:snapshots:update"
    );
}

#[test]
fn text_output_like_compilers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "p.json", &with_statement(r#"{"Effect": "Deny", "Effect": "Allow", "Action": ["evs:snapshot:get"]}"#));
    let output = permscope().current_dir(dir.path()).args(["lint", "p.json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let expected = "p.json:4:24: error[duplicate-key]: the key \"Effect\" appears more than once in this object; JSON readers disagree on which value wins
  fix: keep one of the values and delete the other
p.json:4:54: warning[unknown-action]: \"evs:snapshot:get\" matches no action in the catalog of evs
  fix: did you mean evs:snapshots:get?
p.json: 1 error and 1 warning
";
    assert_eq!(stdout, expected);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("p.json: 1 finding at severity error or above"), "{stderr}");
    assert!(path.exists());
}

#[test]
fn clean_policy_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.json", &with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshots:get"]}"#));
    let output = permscope().current_dir(dir.path()).args(["lint", "p.json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "p.json: no findings\n");
}

#[test]
fn fail_on_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "p.json", &with_statement(r#"{"Effect": "Allow", "Action": ["EVS:snapshots:get"]}"#));
    permscope().arg("lint").arg(&path).assert().code(0);
    permscope().args(["lint", "--fail-on", "error"]).arg(&path).assert().code(0);
    permscope().args(["lint", "--fail-on", "warning"]).arg(&path).assert().code(1);
    permscope().args(["lint", "--fail-on", "info"]).arg(&path).assert().code(2);
}

#[test]
fn json_report_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "p.json", "{\"Version\": \"1.1\", \"Statement\": [\n{\"Effect\": \"Allow\", \"Action\": [\"EVS:snapshots:get\"]}]}");
    let output = permscope().args(["lint", "--json"]).arg(&path).output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["file"], path.display().to_string());
    let expected = serde_json::json!([{
        "code": "uppercase-service",
        "severity": "warning",
        "statement": 0,
        "action": 0,
        "line": 2,
        "column": 32,
        "message": "the service name in \"EVS:snapshots:get\" is not lowercase; Huawei requires lowercase service names",
        "fix": "write \"evs:snapshots:get\"",
    }]);
    assert_eq!(report["findings"], expected);
}

#[test]
fn standard_input_read() {
    let output = permscope()
        .args(["lint", "--json", "-"])
        .write_stdin(with_statement(r#"{"Effect": "Allow", "Action": ["evs:snapshot:get"]}"#))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["file"], "<stdin>");
    assert_eq!(report["findings"][0]["code"], "unknown-action");
}

#[test]
fn unreadable_input_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let missing = permscope().args(["lint"]).arg(dir.path().join("missing.json")).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(missing.stdout.is_empty());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("missing.json: cannot open the file"));

    let binary = dir.path().join("latin1.json");
    std::fs::write(&binary, b"{\"Version\": \"1.1\xe9\"}").unwrap();
    let output = permscope().arg("lint").arg(&binary).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not valid UTF-8 (invalid byte at offset 16)"));

    permscope().arg("lint").arg(dir.path()).assert().code(2);

    let large = dir.path().join("large.json");
    std::fs::write(&large, vec![b' '; 8 * 1024 * 1024 + 1]).unwrap();
    let output = permscope().arg("lint").arg(&large).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("larger than the limit of 8 MiB"));
}

#[test]
fn help_states_exit_rule() {
    let output = permscope().args(["lint", "--help"]).output().unwrap();
    // clap wraps help text to the terminal width, so compare with line breaks folded into spaces.
    let help = String::from_utf8(output.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("invalid JSON is the finding json-syntax"), "{help}");
    assert!(help.contains("2 when the file cannot be read at all"), "{help}");
}
