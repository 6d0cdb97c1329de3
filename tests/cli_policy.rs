//! `permscope policy`: the least-privilege policy for chosen actions and APIs, worked out by hand from
//! the EVS snapshot permission table.

mod common;

use serde_json::{Value, json};

use common::{permscope, write};

/// Returns the exact pretty output for one Allow statement of `actions`.
fn expected_policy(actions: &[&str]) -> String {
    let lines: Vec<String> = actions.iter().map(|a| format!("        \"{a}\"")).collect();
    let head = "{\n  \"Version\": \"1.1\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\n";
    let tail = "\n      ]\n    }\n  ]\n}\n";
    format!("{head}{}{tail}", lines.join(",\n"))
}

fn policy_stdout(args: &[&str]) -> String {
    let output = permscope().arg("policy").args(args).output().unwrap();
    assert!(output.status.success(), "stderr: {}", common::stderr_text(&output));
    common::stdout_text(&output)
}

#[test]
fn grant_and_api_merged() {
    // The Cinder delete (row 9) needs delete, get and volumes:get. The granted get is not repeated.
    let text =
        policy_stdout(&["--grant", "evs:snapshots:get", "--api", "DELETE /v2/{project_id}/snapshots/{snapshot_id}"]);
    assert_eq!(text, expected_policy(&["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"]));
}

#[test]
fn api_actions_sorted() {
    // Row 12 lists rollback, get, volumes:get, and the output sorts them.
    let text = policy_stdout(&["--api", "POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback"]);
    assert_eq!(text, expected_policy(&["evs:snapshots:get", "evs:snapshots:rollback", "evs:volumes:get"]));
}

#[test]
fn several_apis_union() {
    // Rows 1 (create) and 11 (rollback) on cloudsnapshots.
    let text = policy_stdout(&[
        "--api",
        "POST /v2/{project_id}/cloudsnapshots",
        "--api",
        "POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback",
    ]);
    assert_eq!(text, expected_policy(&["evs:snapshots:create", "evs:snapshots:rollback"]));
}

#[test]
fn v3_alias_and_lowercase_method() {
    // The EVS reference states that a v3 API with the same function as a v2 one needs the same
    // authorization. GET /v3/.../snapshots/detail is the twin of row 3.
    let text = policy_stdout(&["--api", "get /v3/{project_id}/snapshots/detail"]);
    assert_eq!(text, expected_policy(&["evs:snapshots:list"]));
}

#[test]
fn grants_normalized_and_deduplicated() {
    let a =
        policy_stdout(&["--grant", "evs:volumes:get", "--grant", "EVS:Snapshots:GET", "--grant", "evs:snapshots:get"]);
    let b = policy_stdout(&["--grant", "evs:snapshots:get", "--grant", "evs:volumes:get"]);
    assert_eq!(a, b);
    assert_eq!(a, expected_policy(&["evs:snapshots:get", "evs:volumes:get"]));
}

#[test]
fn wildcard_grant_kept_lowercase() {
    let text = policy_stdout(&["--grant", "EVS:Snapshots:*", "--grant", "evs:*:get*"]);
    assert_eq!(text, expected_policy(&["evs:*:get*", "evs:snapshots:*"]));
}

#[test]
fn output_file_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.json");
    let output = permscope().args(["policy", "--grant", "evs:snapshots:get", "-o"]).arg(&path).output().unwrap();
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    // Compact form: {"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:snapshots:get"]}]},
    // 62 characters of frame plus the 19-character quoted action.
    assert_eq!(common::stderr_text(&output), format!("wrote {} (81 of 6144 characters)\n", path.display()));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected_policy(&["evs:snapshots:get"]));
}

#[test]
fn output_file_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");
    let second = dir.path().join("second.json");
    let args =
        ["policy", "--api", "PUT /v2/{project_id}/snapshots/{snapshot_id}/metadata", "--grant", "evs:snapshots:list"];
    permscope().args(args).arg("-o").arg(&first).assert().success();
    permscope().args(args).arg("--output").arg(&second).assert().success();
    let first = std::fs::read(&first).unwrap();
    assert_eq!(first, std::fs::read(&second).unwrap());
    let stdout = permscope().args(args).output().unwrap().stdout;
    assert_eq!(first, stdout);
}

#[test]
fn output_file_replaced_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "policy.json", "old contents that are longer than the new policy ".repeat(20));
    permscope().args(["policy", "--grant", "evs:snapshots:list", "-o"]).arg(&path).assert().success();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected_policy(&["evs:snapshots:list"]));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["policy.json"], "no temporary file left behind");
}

#[test]
fn failed_write_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("policy.json");
    let output = permscope().args(["policy", "--grant", "evs:snapshots:get", "-o"]).arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = common::stderr_text(&output);
    assert!(stderr.starts_with(&format!("permscope: error: cannot write {}: ", path.display())), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(stderr.ends_with("\n  fix: create the directory, or choose another path with -o\n"), "{stderr}");
    assert!(!stderr.contains(".permscope-"), "the temporary file name means nothing to the user: {stderr}");
    assert!(!path.exists());
    assert!(!dir.path().join("missing").exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn unknown_action_suggests_nearest() {
    let output = permscope().args(["policy", "--grant", "evs:snapshot:get"]).output().unwrap();
    let stderr = common::assert_input_error(&output);
    assert!(stderr.contains("unknown action \"evs:snapshot:get\""), "{stderr}");
    assert!(stderr.contains("fix: did you mean evs:snapshots:get?"), "{stderr}");
}

#[test]
fn unknown_action_without_close_match() {
    let output = permscope().args(["policy", "--grant", "foo:bar:baz"]).output().unwrap();
    let stderr = common::assert_input_error(&output);
    assert!(stderr.contains("unknown action \"foo:bar:baz\""), "{stderr}");
    // The fix names the seven actions of the built-in catalog.
    assert!(
        stderr.contains(
            "fix: the catalog's actions are evs:snapshots:create, evs:snapshots:delete, evs:snapshots:get, \
             evs:snapshots:list, evs:snapshots:rollback, evs:snapshots:update, evs:volumes:get"
        ),
        "{stderr}"
    );
}

#[test]
fn pattern_matching_nothing_rejected() {
    let output = permscope().args(["policy", "--grant", "evs:snapshot:*"]).output().unwrap();
    let stderr = common::assert_input_error(&output);
    assert!(stderr.contains("the pattern \"evs:snapshot:*\" matches no action in the catalog"), "{stderr}");
    assert!(stderr.contains("fix: the catalog's actions are evs:snapshots:create, "), "{stderr}");
}

#[test]
fn unknown_api_suggests_nearest() {
    let output = permscope().args(["policy", "--api", "GET /v2/{project_id}/snapshot"]).output().unwrap();
    let stderr = common::assert_input_error(&output);
    assert!(stderr.contains("unknown API \"GET /v2/{project_id}/snapshot\""), "{stderr}");
    assert!(stderr.contains("\"GET /v2/{project_id}/snapshots\""), "{stderr}");
}

#[test]
fn unknown_method_suggests_nearest() {
    let output =
        permscope().args(["policy", "--api", "FETCH /v2/{project_id}/cloudsnapshots/detail"]).output().unwrap();
    let stderr = common::assert_input_error(&output);
    assert!(stderr.contains("did you mean \"GET /v2/{project_id}/cloudsnapshots/detail\""), "{stderr}");
}

#[test]
fn malformed_arguments_rejected() {
    let cases: [(&[&str], &str); 4] = [
        (&["--api", "GET"], "invalid API \"GET\""),
        (&["--api", "GET /a /b"], "invalid API \"GET /a /b\""),
        (&["--grant", "evs:snapshots"], "invalid action \"evs:snapshots\""),
        (&[], "nothing to grant"),
    ];
    for (args, expected) in cases {
        let output = permscope().arg("policy").args(args).output().unwrap();
        let stderr = common::assert_input_error(&output);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn custom_catalog_splits_at_100_actions() {
    // Huawei allows at most 100 actions per statement, so 101 actions become two Allow statements.
    let dir = tempfile::tempdir().unwrap();
    let actions: Vec<String> = (0..101).map(|i| format!("svc:r{i:03}:get")).collect();
    let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
    let catalog = write(
        dir.path(),
        "catalog.json",
        common::catalog(&[common::api("", "Everything", "GET", "/v1/all", &actions)]),
    );

    let output = permscope().arg("--catalog").arg(&catalog).args(["policy", "--api", "GET /v1/all"]).output().unwrap();
    assert!(output.status.success(), "{}", common::stderr_text(&output));
    let policy: Value = serde_json::from_slice(&output.stdout).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[0]["Action"].as_array().unwrap().len(), 100);
    assert_eq!(statements[0]["Action"][0], "svc:r000:get");
    assert_eq!(statements[1]["Action"], json!(["svc:r100:get"]));
    assert_eq!(statements[1]["Effect"], "Allow");
}

#[test]
fn over_character_limit_rejected() {
    // 80 actions of 75 characters in one statement make 61 + 80 * (75 + 3) = 6,301 characters.
    let dir = tempfile::tempdir().unwrap();
    let actions: Vec<String> = (0..80).map(|i| format!("svc:r{i:02}{}:get", "x".repeat(64))).collect();
    assert!(actions.iter().all(|a| a.len() == 75));
    let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
    let catalog = write(
        dir.path(),
        "catalog.json",
        common::catalog(&[common::api("", "Everything", "GET", "/v1/all", &actions)]),
    );

    let output = permscope().arg("--catalog").arg(&catalog).args(["policy", "--api", "GET /v1/all"]).output().unwrap();
    let stderr = common::assert_input_error(&output);
    assert!(stderr.contains("the policy has 6301 characters; Huawei allows at most 6144"), "{stderr}");
}

#[test]
fn custom_catalog_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = common::catalog(&[common::api("列出", "List", "GET", "/v1/items", &["svc:items:list"])]);
    let catalog = write(dir.path(), "catalog.json", catalog);
    let output =
        permscope().arg("--catalog").arg(&catalog).args(["policy", "--grant", "svc:item:list"]).output().unwrap();
    let stderr = common::assert_input_error(&output);
    assert!(stderr.contains("did you mean svc:items:list?"), "{stderr}");
    // The built-in catalog is not consulted.
    let output =
        permscope().arg("--catalog").arg(&catalog).args(["policy", "--grant", "evs:snapshots:get"]).output().unwrap();
    common::assert_input_error(&output);
}

#[test]
fn large_catalog_lists_first_actions() {
    let dir = tempfile::tempdir().unwrap();
    let actions: Vec<String> = (0..12).map(|i| format!("svc:r{i:02}:get")).collect();
    let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
    let catalog = write(
        dir.path(),
        "catalog.json",
        common::catalog(&[common::api("", "Everything", "GET", "/v1/all", &actions)]),
    );
    let output =
        permscope().arg("--catalog").arg(&catalog).args(["policy", "--grant", "zzz:qqq:www"]).output().unwrap();
    let stderr = common::assert_input_error(&output);
    assert!(
        stderr.contains(
            "fix: the catalog's actions include svc:r00:get, svc:r01:get, svc:r02:get, svc:r03:get, svc:r04:get, \
             svc:r05:get, svc:r06:get, svc:r07:get, svc:r08:get, svc:r09:get, and 2 more; \
             `permscope catalog actions` lists them all\n"
        ),
        "{stderr}"
    );
}

#[test]
fn unknown_api_without_close_match() {
    let output = permscope().args(["policy", "--api", "GET /zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"]).output().unwrap();
    let stderr = common::assert_input_error(&output);
    assert!(stderr.contains("fix: find the API with `permscope search QUERY`"), "{stderr}");
}
