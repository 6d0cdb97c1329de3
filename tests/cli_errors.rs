//! Bad input to the real binary: every rejection exits with status 2 and one message on stderr that
//! names the file, the line and column where known, and the fix. Nothing may panic.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::json;

use common::{assert_input_error, permscope, write};

/// Runs `check FILE` on a file of `contents`. Returns the output, the path as printed and the directory
/// guard.
fn check_file(contents: impl AsRef<[u8]>) -> (std::process::Output, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "policy.json", contents);
    let output = permscope().arg("check").arg(&path).output().unwrap();
    (output, path.display().to_string(), dir)
}

/// Asserts a rejected policy file and returns the message after `PATH:`.
fn rejected(contents: impl AsRef<[u8]>) -> String {
    let (output, path, _dir) = check_file(contents);
    let stderr = assert_input_error(&output);
    let prefix = format!("permscope: error: {path}:");
    assert!(stderr.starts_with(&prefix), "the file is named: {stderr}");
    stderr[prefix.len()..].to_owned()
}

#[test]
fn byte_order_mark_accepted() {
    let text = format!("\u{feff}{}", common::policy(&[("Allow", &["evs:snapshots:list"])]));
    let (output, _, _dir) = check_file(text);
    assert!(output.status.success(), "{}", common::stderr_text(&output));
    // Rows 2, 3 and 4 need only evs:snapshots:list.
    assert!(common::stdout_text(&output).contains("\n3 of 19 APIs callable, 0 conditional\n"));
}

#[test]
fn byte_order_mark_on_stdin() {
    let text = format!("\u{feff}{}", common::policy(&[("Allow", &["evs:snapshots:list"])]));
    let output = permscope().args(["check", "-"]).write_stdin(text).output().unwrap();
    assert!(output.status.success(), "{}", common::stderr_text(&output));
}

#[test]
fn deep_nesting_rejected() {
    // The reader allows 64 levels, so the 65th '[' in column 65 is where it stops.
    let message = rejected("[".repeat(100_000));
    assert!(
        message.starts_with("1:65: invalid JSON: arrays and objects are nested more than 64 levels deep"),
        "{message}"
    );
}

#[test]
fn deep_nesting_on_stdin() {
    let output = permscope().args(["check", "-"]).write_stdin("[".repeat(100_000)).output().unwrap();
    let stderr = assert_input_error(&output);
    assert!(stderr.starts_with("permscope: error: <stdin>:1:65: "), "{stderr}");
}

#[test]
fn huge_number_version_rejected() {
    let message = rejected(r#"{"Version": 1e999, "Statement": []}"#);
    assert!(message.starts_with("1:13: Version must be \"1.1\", found the number 1e999"), "{message}");
    assert!(message.contains("fix: set \"Version\": \"1.1\""), "{message}");
}

#[test]
fn version_1_0_rejected() {
    let message = rejected(r#"{"Version":"1.0","Statement":[{"Effect":"Allow","Action":["evs:*:*"]}]}"#);
    assert!(message.starts_with("1:12: Version \"1.0\" is the role-based format"), "{message}");
    assert!(message.contains("fix: set \"Version\": \"1.1\""), "{message}");
}

#[test]
fn empty_file_rejected() {
    let message = rejected("");
    assert!(message.starts_with("1:1: invalid JSON: the file is empty"), "{message}");
}

#[test]
fn whitespace_only_stdin_rejected() {
    let output = permscope().args(["check", "-"]).write_stdin("\n\n  ").output().unwrap();
    let stderr = assert_input_error(&output);
    assert!(stderr.starts_with("permscope: error: <stdin>:3:3: invalid JSON: the file is empty"), "{stderr}");
}

#[test]
fn missing_file_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.json");
    let output = permscope().arg("check").arg(&path).output().unwrap();
    let stderr = assert_input_error(&output);
    assert!(stderr.starts_with(&format!("permscope: error: {}: cannot open the file: ", path.display())), "{stderr}");
    assert!(stderr.contains("fix: check the path"), "{stderr}");
}

#[test]
fn directory_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let output = permscope().arg("check").arg(dir.path()).output().unwrap();
    let stderr = assert_input_error(&output);
    assert!(
        stderr.starts_with(&format!("permscope: error: {}: this is a directory", dir.path().display())),
        "{stderr}"
    );
}

#[test]
fn non_utf8_file_rejected() {
    // Line 3 starts with `  "Statement": "` (16 characters) and 快 (one character, three bytes), so the
    // invalid byte 0xff is in column 18.
    let mut bytes = b"{\n  \"Version\": \"1.1\",\n  \"Statement\": \"".to_vec();
    bytes.extend("快".as_bytes());
    bytes.extend(b"\xff\"\n}");
    let message = rejected(bytes);
    assert!(message.starts_with("3:18: the file is not valid UTF-8"), "{message}");
    assert!(message.contains("fix: save the file as UTF-8"), "{message}");
}

#[test]
fn non_utf8_stdin_rejected() {
    let output = permscope().args(["check", "-"]).write_stdin(b"\xfe\xff{}".to_vec()).output().unwrap();
    let stderr = assert_input_error(&output);
    assert!(stderr.starts_with("permscope: error: <stdin>:1:1: the file is not valid UTF-8"), "{stderr}");
}

#[test]
fn oversized_file_rejected() {
    // One byte over the 8 MiB policy size limit. The file is sparse, so the test writes almost nothing.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    std::fs::File::create(&path).unwrap().set_len(8 * 1024 * 1024 + 1).unwrap();
    let output = permscope().arg("check").arg(&path).output().unwrap();
    let stderr = assert_input_error(&output);
    assert!(stderr.contains("the input is larger than the limit of 8 MiB"), "{stderr}");
}

#[test]
fn oversized_stdin_rejected() {
    let output = permscope().args(["check", "-"]).write_stdin(vec![b' '; 8 * 1024 * 1024 + 1]).output().unwrap();
    let stderr = assert_input_error(&output);
    assert!(stderr.starts_with("permscope: error: <stdin>: the input is larger than the limit of 8 MiB"), "{stderr}");
}

#[test]
fn duplicate_effect_is_error() {
    // Read as its last value, this statement would allow everything.
    let message = rejected(
        "{\"Version\":\"1.1\",\"Statement\":[{\"Effect\":\"Deny\",\n\"Effect\":\"Allow\",\"Action\":[\"evs:*:*\"]}]}",
    );
    assert!(message.starts_with("2:1: the key \"Effect\" appears more than once"), "{message}");
}

#[test]
fn escaped_duplicate_key_is_error() {
    // "Eff\u0065ct" decodes to "Effect".
    let message =
        rejected(r#"{"Version":"1.1","Statement":[{"Effect":"Deny","Eff\u0065ct":"Allow","Action":["evs:*:*"]}]}"#);
    assert!(message.starts_with("1:48: the key \"Effect\" appears more than once"), "{message}");
}

#[test]
fn duplicate_top_level_key_is_error() {
    let message = rejected(r#"{"Version":"1.1","Statement":[],"Statement":[{"Effect":"Allow","Action":["evs:*:*"]}]}"#);
    assert!(message.starts_with("1:33: the key \"Statement\" appears more than once"), "{message}");
}

#[test]
fn syntax_error_position() {
    // A trailing comma: the closing brace on line 3 is where a key was expected.
    let message = rejected("{\"Version\": \"1.1\",\n \"Statement\": [],\n}");
    assert!(message.starts_with("3:1: invalid JSON: expected a key in double quotes, found '}'"), "{message}");
}

#[test]
fn invalid_statements_rejected() {
    let cases = [
        (
            r#"{"Version":"1.1","Statement":[{"Effect":"allow","Action":["evs:*:*"]}]}"#,
            "1:41: statement 1: Effect \"allow\" is neither",
        ),
        (
            r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:get"]}]}"#,
            "1:59: statement 1: action \"evs:get\" is invalid",
        ),
        (r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":[]}]}"#, "1:58: statement 1: Action is empty"),
        (r#"{"Version":"1.1","Statement":[{"Effect":"Allow"}]}"#, "1:31: statement 1 has no \"Action\""),
        (r#"["Version"]"#, "1:1: a policy is a JSON object, found an array"),
    ];
    for (text, expected) in cases {
        let message = rejected(text);
        assert!(message.starts_with(expected), "{text}: {message}");
    }
}

#[test]
fn unknown_scope_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "p.json", common::policy(&[("Allow", &["evs:*:*"])]));
    let output = permscope().arg("check").arg(&path).args(["--scope", "global"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = common::stderr_text(&output);
    assert!(stderr.contains("invalid value 'global' for '--scope <SCOPE>'"), "{stderr}");
    assert!(stderr.contains("[possible values: project, enterprise]"), "{stderr}");
}

/// Builds a valid catalog API that each invalid case below changes in one place.
fn good_api() -> serde_json::Value {
    common::api("甲", "A", "GET", "/v2/a", &["evs:a:get"])
}

/// Runs `search a` with a catalog file of `text`, checks the rejection and returns stderr after `PATH:`.
fn catalog_rejected(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "catalog.json", text);
    let output = permscope().arg("--catalog").arg(&path).args(["search", "a"]).output().unwrap();
    let stderr = assert_input_error(&output);
    let prefix = format!("permscope: error: {}:", path.display());
    assert!(stderr.starts_with(&prefix), "the file is named: {stderr}");
    stderr[prefix.len()..].to_owned()
}

#[test]
fn invalid_catalogs_rejected() {
    let with = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut api = good_api();
        change(&mut api);
        common::catalog(&[good_api(), api])
    };
    let cases: Vec<(String, &str)> = vec![
        (
            with(&|api| api["path"] = json!("/v2/b")).replace("\"evs\"", "\"evs\", \"version\": 2"),
            "unknown field `version`, expected `service` or `apis`",
        ),
        (with(&|api| api["verb"] = json!("GET")), "unknown field `verb`"),
        (with(&|api| api["name"]["fr"] = json!("B")), "unknown field `fr`"),
        (with(&|api| api["scopes"]["global"] = json!(true)), "unknown field `global`"),
        (with(&|api| api["actions"] = json!([])), " API 2 (GET /v2/a): \"actions\" is empty"),
        (with(&|api| api["actions"] = json!(["evs:a"])), " API 2 (GET /v2/a): action \"evs:a\" is malformed"),
        (with(&|api| api["actions"] = json!(["evs:*:get"])), " API 2 (GET /v2/a): action \"evs:*:get\" is malformed"),
        (
            with(&|api| api["actions"] = json!(["EVS:a:get"])),
            "action \"EVS:a:get\" is malformed: the service name must be lowercase",
        ),
        (with(&|_| {}), " API 2 (GET /v2/a): `GET /v2/a` is already API 1"),
        (
            with(&|api| {
                api["path"] = json!("/v2/b");
                api["aliases"] = json!(["/v2/a"]);
            }),
            " API 2 (GET /v2/b): `GET /v2/a` is already API 1",
        ),
        (with(&|api| api["method"] = json!("FETCH")), " API 2 (FETCH /v2/a): method \"FETCH\" is not an HTTP method"),
        (with(&|api| api["method"] = json!("get")), "method \"get\" is not an HTTP method"),
        (with(&|api| api["name"] = json!({"zh": "", "en": " "})), " API 2 (GET /v2/a): the name is empty"),
        (r#"{"service": "evs", "apis": []}"#.to_owned(), "\"apis\" is empty"),
        (
            r#"{"service": "evs", "service": "evs", "apis": []}"#.to_owned(),
            "1:28: invalid catalog: duplicate field `service`",
        ),
    ];
    for (text, expected) in cases {
        let message = catalog_rejected(&text);
        assert!(message.contains(expected), "expected {expected:?} in {message}");
        assert!(message.contains("invalid catalog"), "{message}");
    }
}

#[test]
fn catalog_error_column_counts_characters() {
    // serde_json reports the byte column of the unknown key's closing quote, and the message counts
    // characters, so the six bytes of 快照 count as two columns. In line 2,
    // `{"name": {"zh": "快照", "en": "A"}, "bad"`, that quote is in column 39 (byte column 43).
    let text = "{\"service\": \"evs\", \"apis\": [\n{\"name\": {\"zh\": \"快照\", \"en\": \"A\"}, \"bad\": 1}]}";
    let message = catalog_rejected(text);
    assert!(message.starts_with("2:39: invalid catalog: unknown field `bad`"), "{message}");
}

#[test]
fn empty_catalog_file_rejected() {
    let message = catalog_rejected("");
    assert!(message.starts_with("1:1: invalid catalog: "), "columns start at 1: {message}");
}

#[test]
fn catalog_syntax_and_nesting_rejected() {
    let message = catalog_rejected("{\"service\": \"evs\",\n \"apis\": [}");
    assert!(message.starts_with("2:11: invalid catalog: "), "{message}");
    catalog_rejected(&"[".repeat(100_000));
    catalog_rejected(&"{\"service\":".repeat(100_000));
    catalog_rejected(r#"{"service": 1e999, "apis": []}"#);
}

#[test]
fn catalog_missing_and_directory_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.json");
    let output = permscope().arg("--catalog").arg(&missing).args(["search", "a"]).output().unwrap();
    let stderr = assert_input_error(&output);
    assert!(stderr.starts_with(&format!("permscope: error: {}: cannot open the file", missing.display())), "{stderr}");

    let output = permscope().arg("--catalog").arg(dir.path()).args(["search", "a"]).output().unwrap();
    let stderr = assert_input_error(&output);
    assert!(stderr.contains("this is a directory"), "{stderr}");
}

#[test]
fn catalog_checked_for_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = write(dir.path(), "catalog.json", common::catalog(&[good_api(), good_api()]));
    let policy = write(dir.path(), "p.json", common::policy(&[("Allow", &["evs:*:*"])]));
    let runs: [Vec<&std::ffi::OsStr>; 3] = [
        vec!["check".as_ref(), policy.as_os_str()],
        vec!["search".as_ref(), "a".as_ref()],
        vec!["policy".as_ref(), "--grant".as_ref(), "evs:a:get".as_ref()],
    ];
    for args in runs {
        let output = permscope().arg("--catalog").arg(&catalog).args(&args).output().unwrap();
        let stderr = assert_input_error(&output);
        assert!(stderr.contains("is already API 1"), "{args:?}: {stderr}");
    }
}

#[test]
fn catalog_error_escapes_control_characters() {
    // An invalid catalog's text reaches stderr, and escape sequences in it must not reach the terminal.
    let mut api = good_api();
    api["method"] = json!("GE\u{1b}[2JT");
    let message = catalog_rejected(&common::catalog(&[api]));
    assert!(message.contains("API 1 (GE\\x1b[2JT /v2/a)"), "{message}");
    assert!(!message.contains('\u{1b}'), "{message:?}");

    let mut api = good_api();
    api["\u{1b}]52;c;aGk=\u{7}"] = json!(1);
    let message = catalog_rejected(&common::catalog(&[api]));
    assert!(message.contains("unknown field `\\x1b]52;c;aGk=\\x07`"), "{message}");
    assert!(!message.contains('\u{1b}'), "{message:?}");
}

/// Spawns the binary with stdout on a pipe, reads one line, closes the pipe and waits. The output is
/// larger than a pipe buffer, so the binary is still writing when the pipe closes.
fn run_into_closed_pipe(args: &[&std::ffi::OsStr]) -> std::process::Output {
    let mut child = Command::new(common::binary())
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(!line.is_empty());
    drop(reader);
    child.wait_with_output().unwrap()
}

#[test]
fn closed_pipe_ends_quietly() {
    // 3,000 APIs print well over the 64 KiB a Linux pipe buffers.
    let dir = tempfile::tempdir().unwrap();
    let apis: Vec<serde_json::Value> = (0..3000)
        .map(|i| {
            common::api(
                "快照",
                &format!("Snapshot number {i}"),
                "GET",
                &format!("/v1/snapshots/{i}"),
                &["evs:snapshots:get"],
            )
        })
        .collect();
    let catalog = write(dir.path(), "catalog.json", common::catalog(&apis));
    let policy = write(dir.path(), "p.json", common::policy(&[("Allow", &["evs:*:*"])]));
    let catalog_arg = ["--catalog".as_ref(), catalog.as_os_str()];
    let runs: [Vec<&std::ffi::OsStr>; 4] = [
        vec!["search".as_ref(), "snapshot".as_ref()],
        vec!["search".as_ref(), "snapshot".as_ref(), "--json".as_ref()],
        vec!["check".as_ref(), policy.as_os_str()],
        vec!["check".as_ref(), policy.as_os_str(), "--json".as_ref()],
    ];
    for args in runs {
        let args: Vec<&std::ffi::OsStr> = catalog_arg.iter().copied().chain(args).collect();
        let output = run_into_closed_pipe(&args);
        let stderr = common::stderr_text(&output);
        assert_eq!(stderr, "", "{args:?}");
        assert_eq!(output.status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn catalog_from_stdin() {
    let catalog =
        common::catalog(&[common::api("删除快照", "Remove snapshot", "DELETE", "/v1/snap/{id}", &["svc:snap:delete"])]);
    let output =
        permscope().args(["--catalog", "-", "search", "sckz", "--json"]).write_stdin(catalog).output().unwrap();
    assert!(output.status.success(), "{}", common::stderr_text(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["results"][0]["path"], "/v1/snap/{id}");
}

#[test]
fn stdin_read_only_once() {
    // Both files would have to come from the same stream, so the catalog would swallow the policy.
    let catalog = common::catalog(&[good_api()]);
    let policy = common::policy(&[("Allow", &["evs:*:*"])]);
    let output = permscope()
        .args(["--catalog", "-", "check", "-"])
        .write_stdin(format!("{catalog}\n{policy}"))
        .output()
        .unwrap();
    let stderr = assert_input_error(&output);
    assert!(stderr.contains("standard input can be read only once, but --catalog and POLICY are both `-`"), "{stderr}");
}
