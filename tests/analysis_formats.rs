//! `permscope policy --format json|iam-api|terraform` on the real binary, with Huawei's limits checked
//! before anything is written. When a `terraform` executable is on PATH, the Terraform output is also
//! checked by `terraform fmt` and evaluated by `terraform console`.

use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;
use base64::Engine;
use serde_json::{Value, json};

fn permscope() -> Command {
    cargo_bin_cmd!("permscope")
}

/// The OpenStack snapshot delete, which needs evs:snapshots:delete, evs:snapshots:get and evs:volumes:get.
const DELETE_API: &str = "DELETE /v2/{project_id}/snapshots/{snapshot_id}";

fn stdout_of(args: &[&str]) -> (i32, String, String) {
    let output = permscope().args(args).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    (output.status.code().unwrap(), stdout, stderr)
}

#[test]
fn json_format_is_default() {
    let (status, default, _) = stdout_of(&["policy", "--api", DELETE_API]);
    assert_eq!(status, 0);
    let (_, explicit, _) = stdout_of(&["policy", "--api", DELETE_API, "--format", "json"]);
    assert_eq!(default, explicit);
    let policy: Value = serde_json::from_str(&default).unwrap();
    let expected = json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"]}]});
    assert_eq!(policy, expected);
}

#[test]
fn iam_api_request_body() {
    let (status, stdout, _) = stdout_of(&[
        "policy",
        "--api",
        DELETE_API,
        "--format",
        "iam-api",
        "--name",
        "evs-snapshot-cleanup",
        "--description",
        "删除快照",
    ]);
    assert_eq!(status, 0);
    let body: Value = serde_json::from_str(&stdout).unwrap();
    let expected = json!({"role": {
        "display_name": "evs-snapshot-cleanup",
        "type": "XA",
        "description": "删除快照",
        "policy": {"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"]}]},
    }});
    assert_eq!(body, expected);
    let keys: Vec<&String> = body["role"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["display_name", "type", "description", "policy"]);
}

const TERRAFORM_DELETE: &str = r#"resource "huaweicloud_identity_role" "evs_snapshot_cleanup" {
  name        = "EVS snapshot cleanup"
  description = "Deletes snapshots named \"tmp-*\" in $${project}"
  type        = "XA"

  policy = jsonencode({
    Version = "1.1"
    Statement = [
      {
        Effect = "Allow"
        Action = ["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"]
      },
    ]
  })
}
"#;

fn terraform_delete() -> String {
    let (status, stdout, stderr) = stdout_of(&[
        "policy",
        "--api",
        DELETE_API,
        "--format",
        "terraform",
        "--name",
        "EVS snapshot cleanup",
        "--description",
        "Deletes snapshots named \"tmp-*\" in ${project}",
    ]);
    assert_eq!(status, 0, "{stderr}");
    stdout
}

#[test]
fn terraform_resource_text() {
    assert_eq!(terraform_delete(), TERRAFORM_DELETE);
}

#[test]
fn terraform_labels_from_names() {
    let cases = [("EVS 快照只读", "evs_kuai_zhao_zhi_du"), ("2024 audit", "policy_2024_audit"), ("只读", "zhi_du")];
    for (name, label) in cases {
        let (status, stdout, _) = stdout_of(&["policy", "--grant", "evs:snapshots:get", "--format", "terraform", "--name", name, "--description", "d"]);
        assert_eq!(status, 0);
        let first_line = stdout.lines().next().unwrap();
        assert_eq!(first_line, format!("resource \"huaweicloud_identity_role\" \"{label}\" {{"), "{name}");
    }
}

/// Runs `terraform` with `args` in `dir`, feeding `input`; `None` when no terraform is installed.
fn run_terraform(dir: &Path, args: &[&str], input: &str) -> Option<std::process::Output> {
    let mut child = std::process::Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    use std::io::Write;
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    Some(child.wait_with_output().unwrap())
}

#[test]
fn terraform_accepts_and_evaluates_output() {
    let text = terraform_delete();
    let dir = tempfile::tempdir().unwrap();

    // `terraform fmt -` prints its input reformatted; identical output means valid, canonical HCL.
    let Some(formatted) = run_terraform(dir.path(), &["fmt", "-"], &text) else {
        eprintln!("NOTE: no terraform on PATH, so the HCL is checked only by terraform_resource_text");
        return;
    };
    assert!(formatted.status.success(), "{}", String::from_utf8_lossy(&formatted.stderr));
    assert_eq!(String::from_utf8(formatted.stdout).unwrap(), text);

    // The resource body is also a valid `locals` block, which `terraform console` evaluates without a
    // provider, so the escaped strings and the policy can be compared with what was meant.
    let locals = text.replacen("resource \"huaweicloud_identity_role\" \"evs_snapshot_cleanup\" {", "locals {", 1);
    std::fs::write(dir.path().join("main.tf"), locals).unwrap();
    let expression = "base64encode(jsonencode({name = local.name, description = local.description, type = local.type, policy = local.policy}))\n";
    let evaluated = run_terraform(dir.path(), &["console"], expression).unwrap();
    assert!(evaluated.status.success(), "{}", String::from_utf8_lossy(&evaluated.stderr));
    let printed = String::from_utf8(evaluated.stdout).unwrap();
    let encoded = printed.trim().trim_matches('"');
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
    let values: Value = serde_json::from_slice(&decoded).unwrap();
    assert_eq!(values["name"], "EVS snapshot cleanup");
    assert_eq!(values["description"], "Deletes snapshots named \"tmp-*\" in ${project}");
    assert_eq!(values["type"], "XA");
    let policy: Value = serde_json::from_str(values["policy"].as_str().unwrap()).unwrap();
    let expected = json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"]}]});
    assert_eq!(policy, expected);
}

#[test]
fn name_and_description_required() {
    for format in ["iam-api", "terraform"] {
        let (status, stdout, stderr) = stdout_of(&["policy", "--grant", "evs:snapshots:get", "--format", format, "--description", "d"]);
        assert_eq!(status, 2, "{format}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(&format!("--format {format} needs the custom policy's name")), "{stderr}");
        assert!(stderr.contains("fix: add --name NAME"), "{stderr}");

        let (status, _, stderr) = stdout_of(&["policy", "--grant", "evs:snapshots:get", "--format", format, "--name", "n"]);
        assert_eq!(status, 2, "{format}");
        assert!(stderr.contains("needs a description"), "{stderr}");
    }
}

#[test]
fn name_length_limit() {
    let longest = "快".repeat(128);
    let (status, _, _) = stdout_of(&["policy", "--grant", "evs:snapshots:get", "--format", "iam-api", "--name", &longest, "--description", "d"]);
    assert_eq!(status, 0);
    let too_long = "a".repeat(129);
    let (status, _, stderr) = stdout_of(&["policy", "--grant", "evs:snapshots:get", "--format", "iam-api", "--name", &too_long, "--description", "d"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("the name has 129 characters; Huawei allows at most 128"), "{stderr}");
    let (status, _, stderr) = stdout_of(&["policy", "--grant", "evs:snapshots:get", "--format", "terraform", "--name", "a\tb", "--description", "d"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("the name contains the control character U+0009"), "{stderr}");
}

#[test]
fn name_rejected_for_json() {
    let (status, stdout, stderr) = stdout_of(&["policy", "--grant", "evs:snapshots:get", "--name", "n"]);
    assert_eq!(status, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("--name and --description apply only to --format iam-api and --format terraform"), "{stderr}");
}

/// Writes a catalog of `count` APIs, each needing its own action `evs:rNNNN:get`.
fn large_catalog(dir: &Path, count: usize) -> String {
    let apis: Vec<Value> = (0..count)
        .map(|i| {
            json!({
                "name": {"zh": "", "en": format!("R{i:04}")},
                "method": "GET",
                "path": format!("/v2/r{i:04}"),
                "actions": [format!("evs:r{i:04}:get")],
                "scopes": {"project": true, "enterprise_project": false},
            })
        })
        .collect();
    let path = dir.join("catalog.json");
    std::fs::write(&path, json!({"service": "evs", "apis": apis}).to_string()).unwrap();
    path.display().to_string()
}

#[test]
fn oversized_policy_rejected_in_every_format() {
    // 400 actions of 13 characters in 4 statements of 100: 31 + 30 × 4 + 16 × 400 = 6551 characters.
    let dir = tempfile::tempdir().unwrap();
    let catalog = large_catalog(dir.path(), 400);
    let grants: Vec<String> = (0..400).map(|i| format!("--grant=evs:r{i:04}:get")).collect();
    let output_path = dir.path().join("out.txt");
    for format in ["json", "iam-api", "terraform"] {
        let mut command = permscope();
        command.args(["--catalog", &catalog, "policy", "--format", format]).args(&grants);
        if format != "json" {
            command.args(["--name", "n", "--description", "d"]);
        }
        let output = command.arg("-o").arg(&output_path).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{format}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains("Huawei would reject this policy: the policy has 6551 characters; Huawei allows at most 6144"), "{stderr}");
        assert!(!output_path.exists(), "{format}: nothing is written");
    }

    // 300 actions fit: 31 + 30 × 3 + 16 × 300 = 4921 characters.
    let fitting: Vec<String> = (0..300).map(|i| format!("--grant=evs:r{i:04}:get")).collect();
    let output = permscope().args(["--catalog", &catalog, "policy", "--format", "terraform", "--name", "n", "--description", "d"]).args(&fitting).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn output_file_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("role.tf");
    let output = permscope()
        .args(["policy", "--api", DELETE_API, "--format", "terraform", "--name", "EVS snapshot cleanup", "--description"])
        .arg("Deletes snapshots named \"tmp-*\" in ${project}")
        .arg("-o")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), TERRAFORM_DELETE);
}
