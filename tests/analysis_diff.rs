//! `permscope diff` on real files. Expected APIs are worked out by hand from the EVS snapshot
//! permission table.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::{Value, json};

fn permscope() -> Command {
    cargo_bin_cmd!("permscope")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn allow(actions: &[&str]) -> String {
    let actions: Vec<String> = actions.iter().map(|a| format!("{a:?}")).collect();
    format!(r#"{{"Version": "1.1", "Statement": [{{"Effect": "Allow", "Action": [{}]}}]}}"#, actions.join(", "))
}

/// Runs `diff --json` in a temporary directory holding old.json and new.json.
fn diff_json(old: &str, new: &str, extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.json", old);
    write(dir.path(), "new.json", new);
    let output = permscope().current_dir(dir.path()).args(["diff", "--json", "old.json", "new.json"]).args(extra).output().unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {output:?}"));
    (output.status.code().unwrap(), report)
}

fn paths(report: &Value, group: &str) -> Vec<String> {
    report["apis"][group]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{} {}", a["method"].as_str().unwrap(), a["path"].as_str().unwrap()))
        .collect()
}

#[test]
fn added_action_opens_apis() {
    // The three rows that need evs:volumes:get besides snapshot actions.
    let (status, report) = diff_json(&allow(&["evs:snapshots:*"]), &allow(&["evs:snapshots:*", "evs:volumes:get"]), &[]);
    assert_eq!(status, 0);
    assert_eq!(report["differ"], true);
    assert_eq!(
        paths(&report, "became_callable"),
        [
            "POST /v2/{project_id}/snapshots",
            "DELETE /v2/{project_id}/snapshots/{snapshot_id}",
            "POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback",
        ]
    );
    assert_eq!(report["apis"]["became_callable"][0]["before"], "not_callable");
    assert_eq!(report["apis"]["became_callable"][0]["after"], "callable");
    assert_eq!(paths(&report, "stopped_callable"), Vec::<String>::new());
    assert_eq!(report["actions"]["added"], json!([{"effect": "Allow", "action": "evs:volumes:get", "condition": null, "resource": null}]));
    assert_eq!(report["actions"]["removed"], json!([]));
    assert_eq!(report["action_statuses"], json!([{"action": "evs:volumes:get", "before": "not_allowed", "after": "allowed"}]));
}

#[test]
fn new_deny_stops_apis() {
    let old = allow(&["evs:*:*"]);
    let new = r#"{"Version": "1.1", "Statement": [
        {"Effect": "Allow", "Action": ["evs:*:*"]},
        {"Effect": "Deny", "Action": ["evs:snapshots:rollback"]}]}"#;
    let (_, report) = diff_json(&old, new, &[]);
    assert_eq!(
        paths(&report, "stopped_callable"),
        [
            "POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback",
            "POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback",
        ]
    );
    assert_eq!(report["actions"]["added"], json!([{"effect": "Deny", "action": "evs:snapshots:rollback", "condition": null, "resource": null}]));
    assert_eq!(report["action_statuses"], json!([{"action": "evs:snapshots:rollback", "before": "allowed", "after": "denied"}]));
}

#[test]
fn enterprise_scope_counts_fewer_apis() {
    // In enterprise-project scope only the cloudsnapshots rollback takes effect.
    let old = allow(&["evs:*:*"]);
    let new = r#"{"Version": "1.1", "Statement": [
        {"Effect": "Allow", "Action": ["evs:*:*"]},
        {"Effect": "Deny", "Action": ["evs:snapshots:rollback"]}]}"#;
    let (_, report) = diff_json(&old, new, &["--scope", "enterprise"]);
    assert_eq!(report["scope"], "enterprise");
    assert_eq!(paths(&report, "stopped_callable"), ["POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback"]);
}

#[test]
fn condition_moves_apis_to_conditional() {
    let plain = allow(&["evs:snapshots:get"]);
    let limited = r#"{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["evs:snapshots:get", "evs:snapshots:list"],
        "Condition": {"StringEquals": {"g:ProjectName": ["cn-north-4"]}}}]}"#;
    let (_, report) = diff_json(&plain, limited, &[]);
    // The four APIs that need only evs:snapshots:get stop being callable and become conditional; the
    // three list APIs go from not callable to conditional.
    assert_eq!(
        paths(&report, "stopped_callable"),
        [
            "GET /v2/{project_id}/snapshots/{snapshot_id}",
            "GET /v2/{project_id}/cloudsnapshots/{snapshot_id}",
            "GET /v2/{project_id}/snapshots/{snapshot_id}/metadata",
            "GET /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
        ]
    );
    assert!(report["apis"]["stopped_callable"].as_array().unwrap().iter().all(|a| a["after"] == "conditional"));
    assert_eq!(
        paths(&report, "conditional_changed"),
        ["GET /v2/{project_id}/snapshots", "GET /v2/{project_id}/snapshots/detail", "GET /v2/{project_id}/cloudsnapshots/detail"]
    );
    let condition = json!({"StringEquals": {"g:ProjectName": ["cn-north-4"]}});
    assert_eq!(
        report["actions"]["added"],
        json!([
            {"effect": "Allow", "action": "evs:snapshots:get", "condition": condition, "resource": null},
            {"effect": "Allow", "action": "evs:snapshots:list", "condition": condition, "resource": null},
        ])
    );
    assert_eq!(report["actions"]["removed"], json!([{"effect": "Allow", "action": "evs:snapshots:get", "condition": null, "resource": null}]));

    // The reverse direction: conditional back to callable.
    let (_, back) = diff_json(limited, &plain, &[]);
    assert_eq!(paths(&back, "became_callable").len(), 4);
    assert_eq!(back["apis"]["became_callable"][0]["before"], "conditional");
    assert_eq!(paths(&back, "conditional_changed").len(), 3);
}

#[test]
fn text_report_for_review() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.json", &allow(&["evs:snapshots:list", "evs:snapshots:get"]));
    write(dir.path(), "new.json", &allow(&["evs:snapshots:list", "evs:snapshots:delete"]));
    let output = permscope().current_dir(dir.path()).args(["--lang", "en", "diff", "old.json", "new.json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    // Only the cloudsnapshots delete needs nothing but evs:snapshots:delete; the four get-only APIs
    // lose evs:snapshots:get.
    let expected = "--- old.json
+++ new.json
scope: project

APIs that become callable (1):
  + DELETE /v2/{project_id}/cloudsnapshots/{snapshot_id}  Delete an EVS snapshot  (not callable → callable)

APIs that stop being callable (4):
  - GET /v2/{project_id}/snapshots/{snapshot_id}  Query details about an EVS snapshot (OpenStack Cinder API)  (callable → not callable)
  - GET /v2/{project_id}/cloudsnapshots/{snapshot_id}  Query details about an EVS snapshot  (callable → not callable)
  - GET /v2/{project_id}/snapshots/{snapshot_id}/metadata  Query the metadata of an EVS snapshot (OpenStack Cinder API)  (callable → not callable)
  - GET /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}  Query one metadata item of an EVS snapshot (OpenStack Cinder API)  (callable → not callable)

Action patterns added (1):
  + Allow evs:snapshots:delete

Action patterns removed (1):
  - Allow evs:snapshots:get

Catalog actions whose status changes (2):
  evs:snapshots:delete: not allowed → allowed
  evs:snapshots:get: allowed → not allowed
";
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

#[test]
fn reformatted_policy_has_no_differences() {
    let old = allow(&["evs:snapshots:get", "evs:snapshots:list"]);
    let new = "{\n  \"Statement\": [\n    {\"Action\": [\"EVS:Snapshots:List\"], \"Effect\": \"Allow\"},\n    {\"Effect\": \"Allow\", \"Action\": [\"evs:snapshots:get\", \"evs:snapshots:get\"]}\n  ],\n  \"Version\": \"1.1\"\n}\n";
    let (status, report) = diff_json(&old, new, &["--exit-code"]);
    assert_eq!(status, 0);
    assert_eq!(report["differ"], false);

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.json", &old);
    write(dir.path(), "b.json", new);
    let output = permscope().current_dir(dir.path()).args(["diff", "a.json", "b.json"]).output().unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "--- a.json\n+++ b.json\nscope: project\n\nno differences\n");
}

#[test]
fn exit_code_flag() {
    let old = allow(&["evs:snapshots:get"]);
    let new = allow(&["evs:snapshots:list"]);
    let (status, _) = diff_json(&old, &new, &[]);
    assert_eq!(status, 0);
    let (status, report) = diff_json(&old, &new, &["--exit-code"]);
    assert_eq!(status, 1);
    assert_eq!(report["differ"], true);
}

#[test]
fn pattern_only_change_counts() {
    // evs:snapshots:l* grants exactly evs:snapshots:list in this catalog, so no API or status changes,
    // but the pattern does.
    let (status, report) = diff_json(&allow(&["evs:snapshots:list"]), &allow(&["evs:snapshots:l*"]), &["--exit-code"]);
    assert_eq!(status, 1);
    assert_eq!(report["action_statuses"], json!([]));
    assert_eq!(report["apis"]["became_callable"], json!([]));
    assert_eq!(report["actions"]["added"][0]["action"], "evs:snapshots:l*");
    assert_eq!(report["actions"]["removed"][0]["action"], "evs:snapshots:list");
}

#[test]
fn invalid_input_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.json", &allow(&["evs:snapshots:get"]));
    write(dir.path(), "bad.json", "{\"Version\": \"1.1\",\n \"Statement\": [{\"Effect\": \"Deny\", \"Effect\": \"Allow\", \"Action\": [\"evs:*:*\"]}]}");
    let output = permscope().current_dir(dir.path()).args(["diff", "good.json", "bad.json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("bad.json:2:35: the key \"Effect\" appears more than once"), "{stderr}");

    permscope().current_dir(dir.path()).args(["diff", "good.json", "missing.json"]).assert().code(2);
    permscope().current_dir(dir.path()).args(["diff", "-", "-"]).write_stdin("{}").assert().code(2);
}

#[test]
fn standard_input_as_old() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "new.json", &allow(&["evs:snapshots:get"]));
    let output = permscope()
        .current_dir(dir.path())
        .args(["diff", "--json", "-", "new.json"])
        .write_stdin(allow(&["evs:snapshots:get"]))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["old"], "<stdin>");
    assert_eq!(report["differ"], false);
}
