//! `permscope lookup` on input it cannot parse, on the real binary: exit status 2, nothing on stdout,
//! and each invalid request named by its argument number or standard input line and column.

mod common;

use common::{permscope, stderr_text};

const ARGUMENT_FIX: &str = "  fix: write each request as [METHOD] PATH-OR-URL [HTTP/x], quoted as one argument, \
    such as `GET /v2/0a1b2c3d/snapshots/detail` or a full https:// URL\n";
const STDIN_FIX: &str = "  fix: write each request as [METHOD] PATH-OR-URL [HTTP/x], such as \
    `GET /v2/0a1b2c3d/snapshots/detail` or a full https:// URL, and start a line with # to skip it\n";

/// Runs `permscope lookup ARGS` with `stdin`, checks exit status 2 and an empty stdout, and returns
/// stderr.
fn rejected(args: &[&str], stdin: &str) -> String {
    let output = permscope().arg("lookup").args(args).write_stdin(stdin).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "nothing on stdout: {output:?}");
    stderr_text(&output)
}

#[test]
fn invalid_argument_exits_two() {
    let expected = format!(
        "permscope: error: argument 1: invalid request \"GTE /v2/p/snapshots\": \"GTE\" is not an HTTP method; did you mean GET?\n{ARGUMENT_FIX}"
    );
    assert_eq!(rejected(&["GTE /v2/p/snapshots"], ""), expected);
    // Unquoted, the misspelled method is still read as the method of the path after it.
    assert_eq!(rejected(&["GTE", "/v2/p/snapshots"], ""), expected);
}

#[test]
fn argument_numbers_count_requests() {
    // `-` is argument 2 and reads one valid line, the joined GET and path are argument 3, and x is 5.
    let stderr = rejected(&["--json", "GET /v2/p/snapshots", "-", "GET", "/v2/p/snapshots", "x"], "GET /v2/p/snapshots\n");
    let expected = "permscope: error: argument 5: invalid request \"x\": \"x\" is neither a path starting with '/' nor an http:// or \
                    https:// URL\n";
    assert_eq!(stderr, format!("{expected}{ARGUMENT_FIX}"));
}

#[test]
fn stdin_lines_named_with_columns() {
    // Line 5 starts with a tab and a quote, so its target starts at column 10. On line 6 the path
    // ends at column 22 and the word too many starts at 24.
    let input = "GET /v2/p/snapshots\n\
                 # a comment\n\
                 GTE /v2/p/snapshots\n\
                 \n\
                 \t\"DELETE evs.example.com/v2/p/snapshots/s1 HTTP/1.1\"\n\
                 PUT /v2/p/snapshots/s1 now\n";
    let expected = [
        "permscope: error: <stdin>:3:1: invalid request \"GTE /v2/p/snapshots\": \"GTE\" is not an HTTP method; did you mean GET?\n",
        "permscope: error: <stdin>:5:10: invalid request \"\\\"DELETE evs.example.com/v2/p/snapshots/s1 HTTP/1.1\\\"\": \
         \"evs.example.com/v2/p/snapshots/s1\" is neither a path starting with '/' nor an http:// or https:// URL\n",
        "permscope: error: <stdin>:6:24: invalid request \"PUT /v2/p/snapshots/s1 now\": expected [METHOD] PATH-OR-URL \
         [HTTP/x], found 3 words\n",
        "permscope: error: 3 of 4 requests are invalid, so none was looked up\n",
        STDIN_FIX,
    ]
    .concat();
    assert_eq!(rejected(&["-"], input), expected);
    assert_eq!(rejected(&["--json", "-"], input), expected, "the same with --json");
}

#[test]
fn one_bad_line_among_good() {
    let input = "GET /v2/p/snapshots\nPOST /v2/p/cloudsnapshots\nFROB /x\nDELETE /v2/p/snapshots/s1\n";
    let expected = format!(
        "permscope: error: <stdin>:3:1: invalid request \"FROB /x\": \"FROB\" is not an HTTP method; use one of GET, POST, \
         PUT, DELETE, PATCH, HEAD, OPTIONS\n{STDIN_FIX}"
    );
    assert_eq!(rejected(&["-"], input), expected);
}

#[test]
fn arguments_and_stdin_both_hinted() {
    let stderr = rejected(&["GET /v2/p x y", "-"], "FROB /x\n");
    let expected = [
        "permscope: error: argument 1: invalid request \"GET /v2/p x y\": expected [METHOD] PATH-OR-URL [HTTP/x], found 4 words\n",
        "permscope: error: <stdin>:1:1: invalid request \"FROB /x\": \"FROB\" is not an HTTP method; use one of GET, POST, \
         PUT, DELETE, PATCH, HEAD, OPTIONS\n",
        "permscope: error: 2 of 2 requests are invalid, so none was looked up\n",
        "  fix: write each request as [METHOD] PATH-OR-URL [HTTP/x], quoted as one argument, such as \
         `GET /v2/0a1b2c3d/snapshots/detail` or a full https:// URL, and start a line with # to skip it\n",
    ]
    .concat();
    assert_eq!(stderr, expected);
}

#[test]
fn listing_stops_at_twenty() {
    let input = "FROB /x\n".repeat(25);
    let stderr = rejected(&["-"], &input);
    let listed: Vec<&str> = stderr.lines().filter(|line| line.starts_with("permscope: error: <stdin>:")).collect();
    assert_eq!(listed.len(), 20, "{stderr}");
    assert!(listed[19].starts_with("permscope: error: <stdin>:20:1: "), "{stderr}");
    assert!(stderr.contains("permscope: error: 25 of 25 requests are invalid (5 not listed), so none was looked up\n"), "{stderr}");
}

#[test]
fn long_request_quoted_short() {
    // 60 characters at most: 59 of the request and an ellipsis.
    let line = format!("GTE /{}", "a".repeat(100));
    let stderr = rejected(&[&line], "");
    let quoted = format!("\"GTE /{}…\"", "a".repeat(54));
    let expected = format!("argument 1: invalid request {quoted}: \"GTE\" is not an HTTP method; did you mean GET?\n");
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn control_characters_escaped() {
    let stderr = rejected(&["-"], "GE\u{1b}[2JT /x\n");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(stderr.starts_with("permscope: error: <stdin>:1:1: invalid request \"GE\\u{1b}[2JT /x\""), "{stderr}");
}

#[test]
fn policy_with_invalid_request() {
    let stderr = rejected(&["--policy", "GET /v2/p/cloudsnapshots/s", "FROB /x"], "");
    assert!(stderr.starts_with("permscope: error: argument 2: invalid request \"FROB /x\""), "{stderr}");
    assert!(stderr.ends_with(ARGUMENT_FIX), "{stderr}");
}

#[test]
fn unmatched_request_still_exits_one() {
    // Valid but unknown to the catalog: a result, not an input error.
    let output = permscope().args(["lookup", "GET /v2/p/snapshots", "GET /nothing/here"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(!output.stdout.is_empty());
    assert_eq!(stderr_text(&output), "permscope: error: 1 of 2 requests matched no API\n");
}

/// Whole access-log lines (Combined Log Format) are read as the quoted request in them. Expected rows
/// from the EVS snapshot table: the snapshot detail list (OpenStack Cinder) needs evs:snapshots:list,
/// and deleting a snapshot (OpenStack Cinder, reached here through its v3 twin) needs
/// evs:snapshots:delete, evs:snapshots:get and evs:volumes:get.
#[test]
fn access_log_lines_are_looked_up() {
    let log = concat!(
        "203.0.113.5 - - [04/Dec/2026:10:00:00 +0000] \"GET /v2/0a1b/snapshots/detail?limit=5 HTTP/1.1\" 200 512 \"-\" \"curl/8.5\"\n",
        "203.0.113.5 - - [04/Dec/2026:10:00:01 +0000] \"DELETE /v3/0a1b/snapshots/5e6f HTTP/1.1\" 202 0 \"-\" \"sdk\"\n",
    );
    let output = permscope().args(["lookup", "--json", "-"]).write_stdin(log).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let requests = report["requests"].as_array().expect("requests is an array");
    assert_eq!(requests.len(), 2);
    let first = &requests[0]["matches"][0];
    assert_eq!(first["path"], "/v2/{project_id}/snapshots/detail");
    assert_eq!(first["actions"], serde_json::json!(["evs:snapshots:list"]));
    let second = &requests[1]["matches"][0];
    assert_eq!(second["method"], "DELETE");
    assert_eq!(second["path"], "/v2/{project_id}/snapshots/{snapshot_id}");
    assert_eq!(second["actions"], serde_json::json!(["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"]));
}

/// `--skip-invalid` looks up the valid lines of a log and warns about the rest; with no valid line
/// left it fails as without the flag.
#[test]
fn skip_invalid_warns_and_continues() {
    let log = concat!(
        "203.0.113.5 - - [04/Dec/2026:10:00:00 +0000] \"GET /v2/0a1b/snapshots HTTP/1.1\" 200 512\n",
        "203.0.113.9 - - [04/Dec/2026:10:00:02 +0000] \"-\" 400 0\n",
    );
    let output = permscope().args(["lookup", "--skip-invalid", "--json", "-"]).write_stdin(log).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stderr = stderr_text(&output);
    assert!(stderr.starts_with("permscope: warning: <stdin>:2:"), "{stderr}");
    assert!(stderr.trim_end().ends_with("; skipped"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let requests = report["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1);
    // GET /v2/{project_id}/snapshots needs evs:snapshots:list in the EVS snapshot table.
    assert_eq!(requests[0]["matches"][0]["actions"], serde_json::json!(["evs:snapshots:list"]));

    let only_invalid = rejected(&["--skip-invalid", "-"], "\"-\"\n");
    assert!(only_invalid.starts_with("permscope: error: <stdin>:1:"), "{only_invalid}");
}
