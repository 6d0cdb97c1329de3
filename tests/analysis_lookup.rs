//! `permscope lookup` on the real binary. Expected APIs, actions and scope marks are worked out by hand
//! from the EVS snapshot permission table.

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::{Value, json};

fn permscope() -> Command {
    cargo_bin_cmd!("permscope")
}

fn lookup_json(requests: &[&str]) -> (i32, Value) {
    let output = permscope().args(["lookup", "--json"]).args(requests).output().unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {output:?}"));
    (output.status.code().unwrap(), report)
}

/// `METHOD TEMPLATE` of each match of the first request.
fn matched(report: &Value) -> Vec<String> {
    report["requests"][0]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{} {}", m["method"].as_str().unwrap(), m["template"].as_str().unwrap()))
        .collect()
}

#[test]
fn v3_delete_with_query() {
    let (status, report) = lookup_json(&["DELETE /v3/0a1b2c3d/snapshots/5e6f?force=true"]);
    assert_eq!(status, 0);
    let request = &report["requests"][0];
    assert_eq!(request["method"], "DELETE");
    assert_eq!(request["path"], "/v3/0a1b2c3d/snapshots/5e6f");
    let expected = json!([{
        "name": {"zh": "删除云硬盘快照（OpenStack Cinder）", "en": "Delete an EVS snapshot (OpenStack Cinder API)"},
        "method": "DELETE",
        "path": "/v2/{project_id}/snapshots/{snapshot_id}",
        "template": "/v3/{project_id}/snapshots/{snapshot_id}",
        "actions": ["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"],
        "scopes": {"project": true, "enterprise_project": false},
    }]);
    assert_eq!(request["matches"], expected);
}

#[test]
fn full_url_with_method() {
    let (status, report) = lookup_json(&["GET https://evs.cn-north-4.myhuaweicloud.com/v2/0a1b/cloudsnapshots/detail"]);
    assert_eq!(status, 0);
    assert_eq!(matched(&report), ["GET /v2/{project_id}/cloudsnapshots/detail"]);
    let api = &report["requests"][0]["matches"][0];
    assert_eq!(api["actions"], json!(["evs:snapshots:list"]));
    assert_eq!(api["scopes"], json!({"project": true, "enterprise_project": true}));
}

#[test]
fn url_without_method_lists_each_method() {
    // GET has a literal detail template; PUT and DELETE only have {snapshot_id}, which "detail" fills.
    let (status, report) = lookup_json(&["https://evs.cn-north-4.myhuaweicloud.com/v2/0a1b/cloudsnapshots/detail"]);
    assert_eq!(status, 0);
    assert_eq!(report["requests"][0]["method"], Value::Null);
    assert_eq!(
        matched(&report),
        [
            "GET /v2/{project_id}/cloudsnapshots/detail",
            "PUT /v2/{project_id}/cloudsnapshots/{snapshot_id}",
            "DELETE /v2/{project_id}/cloudsnapshots/{snapshot_id}",
        ]
    );
}

#[test]
fn literal_segment_wins() {
    let (_, report) = lookup_json(&["GET /v2/p/snapshots/detail"]);
    assert_eq!(matched(&report), ["GET /v2/{project_id}/snapshots/detail"]);
    let (_, report) = lookup_json(&["GET /v2/p/snapshots/detail2"]);
    assert_eq!(matched(&report), ["GET /v2/{project_id}/snapshots/{snapshot_id}"]);
}

#[test]
fn ignored_parts_of_target() {
    let cases = [
        "get /v2/p/snapshots/s1/metadata/k1/",
        "GET https://evs.example.com:8443/v2/p/snapshots/s1/metadata/k1#frag",
        "\"GET /v2/p/snapshots/s1/metadata/k1?x=1 HTTP/1.1\"",
        "GET\thttp://evs.example.com/v2/p/snapshots/s1/metadata/k1/?a=b#c",
    ];
    for line in cases {
        let (status, report) = lookup_json(&[line]);
        assert_eq!(status, 0, "{line}");
        assert_eq!(matched(&report), ["GET /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}"], "{line}");
    }
}

#[test]
fn metadata_key_delete_needs_delete() {
    let (_, report) = lookup_json(&["DELETE /v3/p/snapshots/s/metadata/k"]);
    let api = &report["requests"][0]["matches"][0];
    assert_eq!(api["path"], "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}");
    assert_eq!(api["actions"], json!(["evs:snapshots:delete", "evs:snapshots:get"]));
}

#[test]
fn literals_compare_exactly() {
    let (status, report) = lookup_json(&["GET /v2/p/Snapshots"]);
    assert_eq!(status, 1);
    assert_eq!(matched(&report), Vec::<String>::new());
    assert_eq!(report["requests"][0]["suggestions"], json!(["GET /v2/{project_id}/snapshots"]));
}

#[test]
fn empty_parameter_does_not_match() {
    let (status, report) = lookup_json(&["GET /v2//snapshots"]);
    assert_eq!(status, 1);
    assert!(report["requests"][0]["matches"].as_array().unwrap().is_empty());
}

#[test]
fn text_output_names_api() {
    let output = permscope().args(["--lang", "en", "lookup", "POST /v2/0a1b/os-vendor-snapshots/5e6f/rollback"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let expected = "POST /v2/0a1b/os-vendor-snapshots/5e6f/rollback
  POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback
    name:    Roll back a snapshot to an EVS disk (os-vendor API)
    actions: evs:snapshots:rollback, evs:snapshots:get, evs:volumes:get
    scopes:  IAM project √, enterprise project ×
";
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

#[test]
fn chinese_names_with_lang() {
    let output = permscope().args(["--lang", "zh", "lookup", "PUT /v3/p/snapshots/s/metadata"]).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("  PUT /v3/{project_id}/snapshots/{snapshot_id}/metadata  (alias of /v2/{project_id}/snapshots/{snapshot_id}/metadata)\n"), "{stdout}");
    assert!(stdout.contains("    name:    更新云硬盘快照的元数据（OpenStack Cinder）\n"), "{stdout}");
    assert!(stdout.contains("    actions: evs:snapshots:update, evs:snapshots:get\n"), "{stdout}");
}

#[test]
fn unquoted_method_and_path_joined() {
    let (status, report) = lookup_json(&["DELETE", "/v2/p/cloudsnapshots/s", "GET", "/v2/p/cloudsnapshots/s"]);
    assert_eq!(status, 0);
    let requests = report["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["request"], "DELETE /v2/p/cloudsnapshots/s");
    assert_eq!(requests[0]["matches"][0]["actions"], json!(["evs:snapshots:delete"]));
    assert_eq!(requests[1]["matches"][0]["actions"], json!(["evs:snapshots:get"]));
}

#[test]
fn unmatched_request_suggests_template() {
    let output = permscope().args(["lookup", "GET /v2/p/snapshots/detail", "DELETE /v3/0a1b/snapshot/5e6f"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("DELETE /v3/0a1b/snapshot/5e6f\n  no API matches this request\n  closest: DELETE /v3/{project_id}/snapshots/{snapshot_id}\n"),
        "{stdout}"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("1 of 2 requests matched no API"), "{stderr}");
}

#[test]
fn wrong_method_suggests_other_method() {
    // No POST template takes one snapshot ID; PUT is two edits from POST, GET three, DELETE five.
    let (status, report) = lookup_json(&["POST /v2/p/snapshots/5e6f"]);
    assert_eq!(status, 1);
    assert_eq!(report["requests"][0]["suggestions"], json!(["PUT /v2/{project_id}/snapshots/{snapshot_id}"]));
}

#[test]
fn invalid_requests_reported() {
    // Invalid input exits 2 with nothing on stdout; tests/cli_lookup.rs covers the messages in full.
    let output = permscope().args(["lookup", "--json", "GTE /v2/p/snapshots", "evs.example.com/v2/p/snapshots"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("argument 1: invalid request \"GTE /v2/p/snapshots\": \"GTE\" is not an HTTP method; did you mean GET?"), "{stderr}");
    assert!(
        stderr.contains("\"evs.example.com/v2/p/snapshots\" is neither a path starting with '/' nor an http:// or https:// URL"),
        "{stderr}"
    );
}

#[test]
fn standard_input_lines() {
    let input = "# copied from the SDK log\n\nGET /v2/p/snapshots\n   \nPUT /v2/p/cloudsnapshots/s1\n";
    let output = permscope().args(["lookup", "--json", "-"]).write_stdin(input).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let requests = report["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["line"], 3);
    assert_eq!(requests[0]["matches"][0]["actions"], json!(["evs:snapshots:list"]));
    assert_eq!(requests[1]["line"], 5);
    assert_eq!(requests[1]["matches"][0]["actions"], json!(["evs:snapshots:update"]));

    let text = permscope().args(["lookup", "-"]).write_stdin(input).output().unwrap();
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(stdout.starts_with("<stdin>:3: GET /v2/p/snapshots\n"), "{stdout}");
}

#[test]
fn least_privilege_policy() {
    // Create (cloudsnapshots) needs create; its rollback needs rollback; the OpenStack detail list
    // needs list.
    let output = permscope()
        .args(["lookup", "--policy", "POST /v2/p/cloudsnapshots", "POST /v2/p/cloudsnapshots/s/rollback", "-"])
        .write_stdin("GET https://evs.example.com/v3/p/snapshots/detail\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let expected = "{
  \"Version\": \"1.1\",
  \"Statement\": [
    {
      \"Effect\": \"Allow\",
      \"Action\": [
        \"evs:snapshots:create\",
        \"evs:snapshots:list\",
        \"evs:snapshots:rollback\"
      ]
    }
  ]
}
";
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

#[test]
fn policy_rejects_ambiguous_request() {
    let output = permscope().args(["lookup", "--policy", "GET /v2/p/snapshots", "/v2/p/snapshots/s1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no policy is printed");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("/v2/p/snapshots/s1: the request matches 3 APIs that need different actions; add the HTTP method"),
        "{stderr}"
    );
}

#[test]
fn policy_with_json() {
    let (status, report) = lookup_json(&["--policy", "GET /v2/p/cloudsnapshots/s"]);
    assert_eq!(status, 0);
    assert_eq!(report["policy"], json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["evs:snapshots:get"]}]}));
    let (status, report) = lookup_json(&["--policy", "GET /nothing"]);
    assert_eq!(status, 1);
    assert_eq!(report["policy"], Value::Null);
}

#[test]
fn unreadable_stdin_exits_two() {
    let output = permscope().args(["lookup", "-"]).write_stdin(vec![b'G', b'E', b'T', b' ', 0xff]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("<stdin>:1:5: the file is not valid UTF-8"));
    permscope().args(["lookup", "-", "-"]).write_stdin("GET /v2/p/snapshots\n").assert().code(2);
}
