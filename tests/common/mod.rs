//! Helpers shared by the CLI tests: the binary under test, files in a temporary directory, and the EVS
//! snapshot permission table. The table is transcribed by hand from Huawei's EVS API reference
//! ("云硬盘快照", evs_04_0027), so expected verdicts come from it and not from the code under test.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Builds a command for the permscope binary with the locale variables removed, so API names print in
/// English.
pub fn permscope() -> assert_cmd::Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("permscope");
    command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANG");
    command
}

/// Path of the binary, for tests that need `std::process::Command` or a shell.
pub fn binary() -> &'static Path {
    assert_cmd::cargo::cargo_bin!("permscope")
}

/// Writes `contents` to `name` inside `dir` and returns the full path.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write a test file");
    path
}

pub fn stdout_text(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr_text(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Builds a policy of one unlimited statement per `(effect, actions)` pair.
pub fn policy(statements: &[(&str, &[&str])]) -> String {
    let statements: Vec<Value> =
        statements.iter().map(|(effect, actions)| serde_json::json!({"Effect": effect, "Action": actions})).collect();
    serde_json::json!({"Version": "1.1", "Statement": statements}).to_string()
}

/// One row of the permission table: the API, its actions in table order, and the √ marks under
/// "IAM项目 (Project)" and "企业项目 (Enterprise Project)".
pub struct Row {
    pub method: &'static str,
    pub path: &'static str,
    pub actions: &'static [&'static str],
    pub project: bool,
    pub enterprise: bool,
}

const CREATE: &str = "evs:snapshots:create";
const LIST: &str = "evs:snapshots:list";
const GET: &str = "evs:snapshots:get";
const UPDATE: &str = "evs:snapshots:update";
const DELETE: &str = "evs:snapshots:delete";
const ROLLBACK: &str = "evs:snapshots:rollback";
const VOLUME_GET: &str = "evs:volumes:get";

const fn row(method: &'static str, path: &'static str, actions: &'static [&'static str], enterprise: bool) -> Row {
    // Every row of the table has √ under IAM project.
    Row { method, path, actions, project: true, enterprise }
}

/// The 19 rows in table order, numbered as the tests refer to them.
pub const EVS_ROWS: [Row; 19] = [
    /* 0 */ row("POST", "/v2/{project_id}/snapshots", &[CREATE, VOLUME_GET], false),
    /* 1 */ row("POST", "/v2/{project_id}/cloudsnapshots", &[CREATE], true),
    /* 2 */ row("GET", "/v2/{project_id}/snapshots", &[LIST], false),
    /* 3 */ row("GET", "/v2/{project_id}/snapshots/detail", &[LIST], false),
    /* 4 */ row("GET", "/v2/{project_id}/cloudsnapshots/detail", &[LIST], true),
    /* 5 */ row("PUT", "/v2/{project_id}/snapshots/{snapshot_id}", &[UPDATE, GET], false),
    /* 6 */ row("PUT", "/v2/{project_id}/cloudsnapshots/{snapshot_id}", &[UPDATE], true),
    /* 7 */ row("GET", "/v2/{project_id}/snapshots/{snapshot_id}", &[GET], false),
    /* 8 */ row("GET", "/v2/{project_id}/cloudsnapshots/{snapshot_id}", &[GET], true),
    /* 9 */ row("DELETE", "/v2/{project_id}/snapshots/{snapshot_id}", &[DELETE, GET, VOLUME_GET], false),
    /* 10 */ row("DELETE", "/v2/{project_id}/cloudsnapshots/{snapshot_id}", &[DELETE], true),
    /* 11 */ row("POST", "/v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback", &[ROLLBACK], true),
    /* 12 */
    row("POST", "/v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback", &[ROLLBACK, GET, VOLUME_GET], false),
    /* 13 */ row("POST", "/v2/{project_id}/snapshots/{snapshot_id}/metadata", &[UPDATE, GET], false),
    /* 14 */ row("GET", "/v2/{project_id}/snapshots/{snapshot_id}/metadata", &[GET], false),
    /* 15 */ row("PUT", "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}", &[UPDATE, GET], false),
    /* 16 */ row("PUT", "/v2/{project_id}/snapshots/{snapshot_id}/metadata", &[UPDATE, GET], false),
    /* 17 */ row("GET", "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}", &[GET], false),
    /* 18 */ row("DELETE", "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}", &[DELETE, GET], false),
];

/// `METHOD PATH` of the numbered table rows.
pub fn keys(rows: &[usize]) -> Vec<String> {
    rows.iter().map(|&i| format!("{} {}", EVS_ROWS[i].method, EVS_ROWS[i].path)).collect()
}

/// `METHOD PATH` of a JSON object with "method" and "path" members.
pub fn key_of(api: &Value) -> String {
    format!("{} {}", api["method"].as_str().expect("method"), api["path"].as_str().expect("path"))
}

/// Builds a catalog file's text with service "evs" and the given API objects.
pub fn catalog(apis: &[Value]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({"service": "evs", "apis": apis})).expect("serialize a catalog")
}

/// Builds one catalog API object granted in both scopes.
pub fn api(zh: &str, en: &str, method: &str, path: &str, actions: &[&str]) -> Value {
    serde_json::json!({
        "name": {"zh": zh, "en": en},
        "method": method,
        "path": path,
        "actions": actions,
        "scopes": {"project": true, "enterprise_project": true},
    })
}

/// Checks the shape every rejected input must have: exit status 2, nothing on stdout, one
/// `permscope: error:` message on stderr with a fix, and no panic.
pub fn assert_input_error(output: &std::process::Output) -> String {
    let stderr = stderr_text(output);
    assert_eq!(output.status.code(), Some(2), "exit status; stderr: {stderr}");
    assert!(output.stdout.is_empty(), "stdout must be empty: {}", stdout_text(output));
    assert!(stderr.starts_with("permscope: error: "), "stderr: {stderr}");
    assert_eq!(stderr.matches("error:").count(), 1, "one message: {stderr}");
    assert!(stderr.contains("\n  fix: "), "a fix is named: {stderr}");
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    stderr
}
