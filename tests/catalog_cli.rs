//! `permscope catalog check|synth|actions|list`.

use assert_cmd::Command;
use permscope::catalog::Catalog;
use predicates::prelude::*;

fn permscope() -> Command {
    Command::cargo_bin("permscope").unwrap()
}

const GOOD: &str = r#"{"service": "ecs,evs", "apis": [
  {"name": {"zh": "查询云服务器", "en": ""}, "method": "GET", "path": "/v1/{project_id}/cloudservers/{server_id}",
   "actions": ["ecs:cloudServers:get"], "scopes": {"project": true, "enterprise_project": true}},
  {"name": {"zh": "", "en": "Create a snapshot"}, "method": "POST", "path": "/v2/{project_id}/cloudsnapshots",
   "actions": ["evs:snapshots:create", "ecs:cloudServers:get"], "scopes": {"project": true, "enterprise_project": false}}
]}"#;

#[test]
fn check_prints_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.json");
    std::fs::write(&file, GOOD).unwrap();
    permscope()
        .args(["catalog", "check"])
        .arg(&file)
        .assert()
        .success()
        .stdout(format!("{}: valid catalog: 2 APIs, 2 distinct actions, 2 services (ecs, evs)\n", file.display()));
}

#[test]
fn check_reads_stdin() {
    permscope()
        .args(["catalog", "check", "-"])
        .write_stdin(GOOD)
        .assert()
        .success()
        .stdout("<stdin>: valid catalog: 2 APIs, 2 distinct actions, 2 services (ecs, evs)\n");
}

#[test]
fn check_names_file_api_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, GOOD.replace("evs:snapshots:create", "evs:snapshots")).unwrap();
    permscope()
        .args(["catalog", "check"])
        .arg(&file)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "{}: invalid catalog: API 2 (POST /v2/{{project_id}}/cloudsnapshots): action \"evs:snapshots\" is malformed",
            file.display()
        )));
}

#[test]
fn check_rejects_both_names_empty() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, GOOD.replace("\"zh\": \"查询云服务器\"", "\"zh\": \"\"")).unwrap();
    permscope()
        .args(["catalog", "check"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("API 1 (GET /v1/{project_id}/cloudservers/{server_id}): the name is empty"));
}

#[test]
fn check_syntax_error_has_position() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, "{\"service\": \"evs\",\n  \"apis\": [,]}").unwrap();
    permscope()
        .args(["catalog", "check"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:2:", file.display())));
}

#[test]
fn check_missing_file() {
    permscope()
        .args(["catalog", "check", "/nonexistent/c.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/c.json: cannot open the file"));
}

#[test]
fn synth_is_deterministic_and_valid() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.json");
    let second = dir.path().join("b.json");
    for path in [&first, &second] {
        permscope()
            .args(["catalog", "synth", "3000", "--seed", "42", "-o"])
            .arg(path)
            .assert()
            .success()
            .stderr(predicate::str::contains("(3000 APIs, seed 42)"));
    }
    let text = std::fs::read_to_string(&first).unwrap();
    assert_eq!(text, std::fs::read_to_string(&second).unwrap());
    let catalog = Catalog::parse("a.json", &text).unwrap();
    assert_eq!(catalog.apis.len(), 3000);
    permscope()
        .args(["catalog", "check"])
        .arg(&first)
        .assert()
        .success()
        .stdout(predicate::str::contains("valid catalog: 3000 APIs"));

    let other_seed = permscope().args(["catalog", "synth", "3000", "--seed", "43"]).output().unwrap();
    assert_ne!(other_seed.stdout, text.as_bytes());
}

#[test]
fn synth_rejects_zero() {
    permscope()
        .args(["catalog", "synth", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot synthesize 0 APIs"));
}

// The seven distinct actions of the EVS snapshot permission table, sorted.
const EVS_ACTIONS: [&str; 7] = [
    "evs:snapshots:create",
    "evs:snapshots:delete",
    "evs:snapshots:get",
    "evs:snapshots:list",
    "evs:snapshots:rollback",
    "evs:snapshots:update",
    "evs:volumes:get",
];

#[test]
fn actions_of_builtin_catalog() {
    let expected: String = EVS_ACTIONS.iter().map(|a| format!("{a}\n")).collect();
    permscope().args(["catalog", "actions"]).assert().success().stdout(expected);
}

#[test]
fn actions_json() {
    let output = permscope().args(["catalog", "actions", "--json"]).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value, serde_json::json!(EVS_ACTIONS));
}

#[test]
fn actions_of_given_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.json");
    std::fs::write(&file, GOOD).unwrap();
    permscope()
        .arg("--catalog")
        .arg(&file)
        .args(["catalog", "actions"])
        .assert()
        .success()
        .stdout("ecs:cloudServers:get\nevs:snapshots:create\n");
}

#[test]
fn list_shows_method_path_name() {
    let output = permscope().args(["--lang", "zh", "catalog", "list"]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 19);
    let first: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(first, ["POST", "/v2/{project_id}/snapshots", "创建云硬盘快照（OpenStack", "Cinder）"]);
    assert!(lines[12].contains("/v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback"));
    assert!(lines[12].ends_with("回滚快照到云硬盘"));
}

#[test]
fn list_falls_back_to_other_language() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.json");
    std::fs::write(&file, GOOD).unwrap();
    let output = permscope().arg("--catalog").arg(&file).args(["--lang", "en", "catalog", "list"]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.lines().next().unwrap().ends_with("查询云服务器"), "{text}");
    assert!(text.lines().nth(1).unwrap().ends_with("Create a snapshot"), "{text}");
}

#[test]
fn list_json() {
    let output = permscope().args(["catalog", "list", "--json"]).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let apis = value["apis"].as_array().unwrap();
    assert_eq!(apis.len(), 19);
    assert_eq!(apis[11]["path"], "/v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback");
    assert_eq!(apis[11]["name"]["zh"], "回滚快照到云硬盘");
}

#[test]
fn unknown_action_points_to_catalog_actions() {
    permscope()
        .args(["policy", "--grant", "zzz:yyy:xxx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("permscope catalog actions"));
}
