//! `permscope check`: verdicts for every catalog API, worked out by hand from the EVS snapshot
//! permission table (see `common::EVS_ROWS` for the numbered rows).

mod common;

use serde_json::{Value, json};

use common::{EVS_ROWS, key_of, keys, permscope, policy, write};

/// Runs `check --json` on `policy_text` in `scope` and parses stdout.
fn check_json(policy_text: &str, scope: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "policy.json", policy_text);
    let output = permscope().arg("check").arg(&path).args(["--scope", scope, "--json"]).output().unwrap();
    assert!(output.status.success(), "stderr: {}", common::stderr_text(&output));
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON object")
}

fn apis(report: &Value) -> &Vec<Value> {
    report["apis"].as_array().expect("apis is an array")
}

/// `METHOD PATH` of the APIs whose `flag` ("callable" or "conditional") is true, in output order.
fn flagged(report: &Value, flag: &str) -> Vec<String> {
    apis(report).iter().filter(|api| api[flag] == json!(true)).map(key_of).collect()
}

/// Returns the APIs whose `flag` is true in project and in enterprise scope.
fn flagged_in_both_scopes(policy_text: &str, flag: &str) -> (Vec<String>, Vec<String>) {
    (flagged(&check_json(policy_text, "project"), flag), flagged(&check_json(policy_text, "enterprise"), flag))
}

fn strings(value: &Value) -> Vec<&str> {
    value.as_array().expect("an array").iter().map(|v| v.as_str().expect("a string")).collect()
}

fn warning_codes(report: &Value) -> Vec<&str> {
    report["warnings"].as_array().expect("warnings is an array").iter().map(|w| w["code"].as_str().unwrap()).collect()
}

/// The rows of the enterprise-project column marked √: the six cloudsnapshots APIs.
const ENTERPRISE_ROWS: [usize; 6] = [1, 4, 6, 8, 10, 11];

#[test]
fn read_only_wildcards_per_scope() {
    // evs:*:get* and evs:*:list* allow evs:snapshots:get, evs:snapshots:list and evs:volumes:get. The APIs
    // that need nothing else are rows 2, 3, 4 (list) and 7, 8, 14, 17 (get). Row 12 also needs rollback.
    // Of those seven, only rows 4 and 8 are marked √ under enterprise project.
    let text = policy(&[("Allow", &["evs:*:get*", "evs:*:list*"])]);
    let (project, enterprise) = flagged_in_both_scopes(&text, "callable");
    assert_eq!(project, keys(&[2, 3, 4, 7, 8, 14, 17]));
    assert_eq!(enterprise, keys(&[4, 8]));
}

#[test]
fn read_only_missing_actions() {
    let report = check_json(&policy(&[("Allow", &["evs:*:get*", "evs:*:list*"])]), "project");
    let apis = apis(&report);
    assert_eq!(strings(&apis[0]["missing"]), ["evs:snapshots:create"]);
    assert_eq!(strings(&apis[9]["missing"]), ["evs:snapshots:delete"]);
    assert_eq!(strings(&apis[12]["missing"]), ["evs:snapshots:rollback"]);
    assert_eq!(strings(&apis[15]["missing"]), ["evs:snapshots:update"]);
    assert!(strings(&apis[14]["missing"]).is_empty());
    assert!(apis.iter().all(|api| api["denied"] == json!([])), "no Deny in the policy");
}

#[test]
fn json_lists_every_api_in_catalog_order() {
    let report = check_json(&policy(&[("Allow", &["evs:snapshots:list"])]), "enterprise");
    assert_eq!(report["scope"], "enterprise");
    assert_eq!(report["warnings"], json!([]));
    let apis = apis(&report);
    assert_eq!(apis.len(), 19);
    for (index, (api, row)) in apis.iter().zip(&EVS_ROWS).enumerate() {
        let fields: Vec<&str> = api.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            ["name", "method", "path", "actions", "callable", "conditional", "missing", "denied", "scope_supported"],
            "row {index}"
        );
        assert_eq!(api["method"], row.method, "row {index}");
        assert_eq!(api["path"], row.path, "row {index}");
        assert_eq!(strings(&api["actions"]), row.actions, "row {index}");
        assert_eq!(api["scope_supported"], row.enterprise, "row {index}");
    }
    assert_eq!(apis[11]["name"], json!({"zh": "回滚快照到云硬盘", "en": "Roll back a snapshot to an EVS disk"}));
    assert_eq!(apis[12]["name"]["zh"], "回滚快照到云硬盘");
}

#[test]
fn project_scope_supports_every_row() {
    let report = check_json(&policy(&[("Allow", &["evs:snapshots:list"])]), "project");
    assert_eq!(report["scope"], "project");
    assert!(apis(&report).iter().all(|api| api["scope_supported"] == json!(true)));
    assert!(EVS_ROWS.iter().all(|row| row.project));
}

#[test]
fn scope_defaults_to_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "p.json", policy(&[("Allow", &["evs:*:*"])]));
    let default = permscope().arg("check").arg(&path).arg("--json").output().unwrap();
    let project = permscope().arg("check").arg(&path).args(["--json", "--scope", "project"]).output().unwrap();
    assert!(default.status.success());
    assert_eq!(default.stdout, project.stdout);
    let report: Value = serde_json::from_slice(&default.stdout).unwrap();
    assert_eq!(report["scope"], "project");
}

#[test]
fn allow_all_per_scope() {
    let (project, enterprise) = flagged_in_both_scopes(&policy(&[("Allow", &["evs:*:*"])]), "callable");
    assert_eq!(project, keys(&(0..19).collect::<Vec<_>>()));
    assert_eq!(enterprise, keys(&ENTERPRISE_ROWS));
}

#[test]
fn unsupported_scope_not_callable() {
    // Row 0 needs create and volumes:get, both allowed, but the table marks × under enterprise project.
    let text = policy(&[("Allow", &["evs:snapshots:create", "evs:volumes:get"])]);
    let report = check_json(&text, "enterprise");
    let row0 = &apis(&report)[0];
    assert_eq!(row0["callable"], false);
    assert_eq!(row0["conditional"], false);
    assert_eq!(row0["scope_supported"], false);
    assert_eq!(row0["missing"], json!([]));
    // Row 1 needs only create and is marked √ in both columns.
    assert_eq!(flagged(&report, "callable"), keys(&[1]));
    assert_eq!(flagged(&check_json(&text, "project"), "callable"), keys(&[0, 1]));
}

#[test]
fn table_output_per_scope() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ro.json", policy(&[("Allow", &["evs:*:get*", "evs:*:list*"])]));

    let output = permscope().arg("check").arg(&path).output().unwrap();
    assert!(output.status.success());
    let text = common::stdout_text(&output);
    assert!(text.starts_with("scope: project (IAM project)\n"), "{text}");
    assert!(text.contains("STATUS"), "{text}");
    assert_eq!(text.matches("✔ callable").count(), 7, "{text}");
    assert_eq!(text.matches("✘ blocked").count(), 12, "{text}");
    assert!(text.contains("missing: evs:snapshots:rollback"), "{text}");
    assert!(text.contains("\n7 of 19 APIs callable, 0 conditional\n"), "{text}");
    assert!(!text.contains("warnings:"), "{text}");

    let output = permscope().arg("check").arg(&path).args(["--scope", "enterprise"]).output().unwrap();
    assert!(output.status.success());
    let text = common::stdout_text(&output);
    assert!(text.starts_with("scope: enterprise (enterprise project)\n"), "{text}");
    // 13 rows are × under enterprise project. Of the 6 others, rows 4 and 8 are callable.
    assert_eq!(text.matches("- no scope").count(), 13, "{text}");
    assert_eq!(text.matches("does not take effect when granted in enterprise project scope").count(), 13);
    assert_eq!(text.matches("✘ blocked").count(), 4, "{text}");
    assert!(text.contains("\n2 of 19 APIs callable, 0 conditional\n"), "{text}");
}

#[test]
fn table_names_follow_lang() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "p.json", policy(&[("Allow", &["evs:snapshots:rollback"])]));
    let zh = permscope().args(["--lang", "zh", "check"]).arg(&path).output().unwrap();
    assert!(common::stdout_text(&zh).contains("回滚快照到云硬盘"));
    let en = permscope().args(["--lang", "en", "check"]).arg(&path).output().unwrap();
    let en = common::stdout_text(&en);
    assert!(en.contains("Roll back a snapshot to an EVS disk"), "{en}");
    assert!(!en.contains("回滚"), "{en}");
}

#[test]
fn stdin_dash_reads_policy() {
    let text = policy(&[("Allow", &["evs:*:get*", "evs:*:list*"])]);
    let from_stdin = permscope().args(["check", "-", "--json"]).write_stdin(text.clone()).output().unwrap();
    assert!(from_stdin.status.success(), "{}", common::stderr_text(&from_stdin));
    let report: Value = serde_json::from_slice(&from_stdin.stdout).unwrap();
    assert_eq!(flagged(&report, "callable"), keys(&[2, 3, 4, 7, 8, 14, 17]));
    assert_eq!(report, check_json(&text, "project"));
}

#[test]
fn stdin_warnings_name_stdin() {
    let text =
        "{\"Version\": \"1.1\", \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": [\"EVS:snapshots:get\"]}]}";
    let output = permscope().args(["check", "-"]).write_stdin(text).output().unwrap();
    assert!(output.status.success());
    // The action string starts in column 34 of line 2.
    assert!(common::stdout_text(&output).contains("  <stdin>:2:34: the service name in \"EVS:snapshots:get\""));
}

#[test]
fn deny_wins_over_allow() {
    // Rows 9, 10 and 18 need evs:snapshots:delete. Every other row becomes callable in project scope.
    let allow_then_deny = policy(&[("Allow", &["evs:*:*"]), ("Deny", &["evs:snapshots:delete"])]);
    let deny_then_allow = policy(&[("Deny", &["evs:snapshots:delete"]), ("Allow", &["evs:*:*"])]);
    let all_but_delete: Vec<usize> = (0..19).filter(|i| ![9, 10, 18].contains(i)).collect();
    for text in [allow_then_deny, deny_then_allow] {
        let report = check_json(&text, "project");
        assert_eq!(flagged(&report, "callable"), keys(&all_but_delete));
        assert!(flagged(&report, "conditional").is_empty());
        let apis = apis(&report);
        for row in [9, 10, 18] {
            assert_eq!(strings(&apis[row]["denied"]), ["evs:snapshots:delete"], "row {row}");
            assert!(strings(&apis[row]["missing"]).is_empty(), "row {row}");
        }
        let enterprise = check_json(&text, "enterprise");
        assert_eq!(flagged(&enterprise, "callable"), keys(&[1, 4, 6, 8, 11]));
    }
}

#[test]
fn deny_shown_in_table() {
    let dir = tempfile::tempdir().unwrap();
    let text = policy(&[("Allow", &["evs:snapshots:*"]), ("Deny", &["evs:snapshots:delete"])]);
    let path = write(dir.path(), "p.json", text);
    let output = permscope().arg("check").arg(&path).output().unwrap();
    // Row 9 needs delete (denied), get (allowed) and volumes:get (not allowed).
    assert!(common::stdout_text(&output).contains("denied: evs:snapshots:delete; missing: evs:volumes:get"));
}

#[test]
fn deny_only_policy_grants_nothing() {
    let report = check_json(&policy(&[("Deny", &["evs:snapshots:delete"])]), "project");
    assert!(flagged(&report, "callable").is_empty());
    assert!(flagged(&report, "conditional").is_empty());
    assert_eq!(warning_codes(&report), ["deny-only"]);
    let apis = apis(&report);
    assert_eq!(strings(&apis[9]["denied"]), ["evs:snapshots:delete"]);
    assert_eq!(strings(&apis[9]["missing"]), ["evs:snapshots:get", "evs:volumes:get"]);
    assert_eq!(strings(&apis[10]["denied"]), ["evs:snapshots:delete"]);
    assert!(strings(&apis[10]["missing"]).is_empty());
    assert_eq!(strings(&apis[0]["missing"]), ["evs:snapshots:create", "evs:volumes:get"]);
    assert!(strings(&apis[0]["denied"]).is_empty());
}

fn with_condition(effect: &str, actions: &[&str]) -> Value {
    json!({
        "Effect": effect,
        "Action": actions,
        "Condition": {"StringEquals": {"g:ProjectName": ["cn-north-4"]}},
    })
}

fn document(statements: Vec<Value>) -> String {
    json!({"Version": "1.1", "Statement": statements}).to_string()
}

#[test]
fn conditional_allow_never_callable() {
    // Every row needs at least one evs:snapshots action, which only the conditional statement allows.
    // evs:volumes:get is allowed outright. So all 19 rows are conditional and none is callable.
    let text = document(vec![
        with_condition("Allow", &["evs:snapshots:*"]),
        json!({"Effect": "Allow", "Action": ["evs:volumes:get"]}),
    ]);
    let (project, enterprise) = flagged_in_both_scopes(&text, "conditional");
    assert_eq!(project, keys(&(0..19).collect::<Vec<_>>()));
    assert_eq!(enterprise, keys(&ENTERPRISE_ROWS));
    let (project, enterprise) = flagged_in_both_scopes(&text, "callable");
    assert!(project.is_empty());
    assert!(enterprise.is_empty());
    let report = check_json(&text, "project");
    assert!(apis(&report).iter().all(|api| api["missing"] == json!([]) && api["denied"] == json!([])));
}

#[test]
fn conditional_shown_in_table() {
    let dir = tempfile::tempdir().unwrap();
    let text = document(vec![with_condition("Allow", &["evs:*:*"])]);
    let path = write(dir.path(), "p.json", text);
    let output = permscope().arg("check").arg(&path).output().unwrap();
    let text = common::stdout_text(&output);
    assert_eq!(text.matches("? conditional").count(), 19, "{text}");
    assert!(text.contains("depends on a Condition or Resource"), "{text}");
    assert!(text.contains("\n0 of 19 APIs callable, 19 conditional\n"), "{text}");
}

#[test]
fn conditional_deny_makes_conditional() {
    // The Deny on delete applies only under its condition. So the three rows needing delete may or may
    // not be callable, and the other 16 are callable.
    let text = document(vec![
        json!({"Effect": "Allow", "Action": ["evs:*:*"]}),
        with_condition("Deny", &["evs:snapshots:delete"]),
    ]);
    let report = check_json(&text, "project");
    assert_eq!(flagged(&report, "conditional"), keys(&[9, 10, 18]));
    assert_eq!(flagged(&report, "callable").len(), 16);
    assert!(apis(&report).iter().all(|api| api["denied"] == json!([])));
}

#[test]
fn plain_deny_beats_conditional_allow() {
    // Rows needing evs:snapshots:get are blocked outright: 5, 7, 8, 9, 12 to 18. The rest are conditional.
    let text = document(vec![
        with_condition("Allow", &["evs:*:*"]),
        json!({"Effect": "Deny", "Action": ["evs:snapshots:get"]}),
    ]);
    let report = check_json(&text, "project");
    assert_eq!(flagged(&report, "conditional"), keys(&[0, 1, 2, 3, 4, 6, 10, 11]));
    assert!(flagged(&report, "callable").is_empty());
    for row in [5, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18] {
        assert_eq!(strings(&apis(&report)[row]["denied"]), ["evs:snapshots:get"], "row {row}");
    }
}

#[test]
fn resource_makes_conditional() {
    let text = document(vec![json!({
        "Effect": "Allow",
        "Action": ["evs:snapshots:list"],
        "Resource": ["evs:*:*:snapshot:*"],
    })]);
    let report = check_json(&text, "project");
    assert_eq!(flagged(&report, "conditional"), keys(&[2, 3, 4]));
    assert!(flagged(&report, "callable").is_empty());
    assert_eq!(apis(&report)[2]["missing"], json!([]));
}

#[test]
fn wildcards_in_every_position() {
    // Each pattern alone, project scope. The seven actions are create, list, get, update, delete and
    // rollback on snapshots, and get on volumes.
    let cases: [(&str, &[usize]); 14] = [
        ("*:*:*", &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]),
        // Whole resource-type segment: snapshots:get and volumes:get.
        ("evs:*:get", &[7, 8, 14, 17]),
        // Whole operation segment: every snapshot action, but not volumes:get (rows 0, 9, 12 need it).
        ("evs:snapshots:*", &[1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 14, 15, 16, 17, 18]),
        ("*:volumes:get", &[]),
        // Prefix, suffix and infix of the resource type.
        ("evs:snap*:*", &[1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 14, 15, 16, 17, 18]),
        ("evs:*shots:rollback", &[11]),
        ("evs:s*s:*", &[1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 14, 15, 16, 17, 18]),
        // "o" is in both snapshots and volumes.
        ("evs:*o*:*", &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]),
        // Operations ending in "e" are create, update and delete. Rows needing only those are 1, 6, 10.
        ("evs:snapshots:*e", &[1, 6, 10]),
        // Operations ending in "t" are get and list (l-i-s-t), on both resource types.
        ("evs:*:*t", &[2, 3, 4, 7, 8, 14, 17]),
        ("evs:*:*date", &[6]),
        // Part of the service, of the resource type and of the operation at once: snapshots:list.
        ("e*:s*:l*", &[2, 3, 4]),
        // The service without a wildcard must match in full.
        ("ev:*:*", &[]),
        ("evs:snapshots:get*", &[7, 8, 14, 17]),
    ];
    for (pattern, expected) in cases {
        let report = check_json(&policy(&[("Allow", &[pattern])]), "project");
        assert_eq!(flagged(&report, "callable"), keys(expected), "pattern {pattern}");
    }
}

#[test]
fn deny_wildcard_blocks_matching_operations() {
    // Deny evs:*:*e blocks create, update and delete. Rows needing none of them: 2, 3, 4 (list),
    // 7, 8, 14, 17 (get), 11 (rollback) and 12 (rollback, get, volumes:get).
    let text = policy(&[("Allow", &["*:*:*"]), ("Deny", &["evs:*:*e"])]);
    let report = check_json(&text, "project");
    assert_eq!(flagged(&report, "callable"), keys(&[2, 3, 4, 7, 8, 11, 12, 14, 17]));
    assert_eq!(strings(&apis(&report)[0]["denied"]), ["evs:snapshots:create"]);
    assert_eq!(strings(&apis(&report)[5]["denied"]), ["evs:snapshots:update"]);
    assert_eq!(warning_codes(&report), ["service-wildcard"]);
}

#[test]
fn mixed_case_actions_match() {
    let text =
        r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["EVS:Snapshots:GET","evs:SNAPSHOTS:List"]}]}"#;
    let report = check_json(text, "project");
    assert_eq!(flagged(&report, "callable"), keys(&[2, 3, 4, 7, 8, 14, 17]));
    // Only the first action has an uppercase service. Its opening quote is in column 59.
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0]["code"], "uppercase-service");
    assert_eq!(warnings[0]["severity"], "warning");
    assert_eq!(warnings[0]["statement"], 0);
    assert_eq!(warnings[0]["action"], 0);
    assert_eq!(warnings[0]["line"], 1);
    assert_eq!(warnings[0]["column"], 59);
    assert_eq!(warnings[0]["fix"], "write \"evs:Snapshots:GET\"");
}

#[test]
fn question_mark_is_not_wildcard() {
    let report = check_json(&policy(&[("Allow", &["evs:snapshots:ge?"])]), "project");
    assert!(flagged(&report, "callable").is_empty());
    assert_eq!(warning_codes(&report), ["question-mark"]);
}

/// Builds `count` distinct actions, each exactly `length` characters long.
fn actions_of_length(count: usize, length: usize) -> Vec<String> {
    // "evs:" + "r" + two digits + padding + ":get" is 11 characters plus the padding.
    (0..count).map(|i| format!("evs:r{i:02}{}:get", "x".repeat(length - 11))).collect()
}

#[test]
fn character_limit_boundary() {
    // permscope counts the characters of the compact document, the form the IAM API receives. One Allow
    // statement with n actions of length L has 62 characters of frame, which are
    // {"Version":"1.1","Statement":[{"Effect":"Allow","Action":[ and ]}]}. Adding n quoted actions and
    // n - 1 commas gives 61 + n * (L + 3), exactly 6,144 for n = 79 and L = 74.
    let mut actions = actions_of_length(79, 74);
    let at_limit = json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": actions}]});
    // Whitespace in the file does not count.
    let report = check_json(&serde_json::to_string_pretty(&at_limit).unwrap(), "project");
    assert_eq!(warning_codes(&report), Vec::<&str>::new());

    actions[0].insert(5, 'y');
    let over = json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": actions}]});
    let report = check_json(&over.to_string(), "project");
    assert_eq!(warning_codes(&report), ["limit-chars"]);
    assert_eq!(report["warnings"][0]["message"], "the policy has 6145 characters; Huawei allows at most 6144");
}

#[test]
fn statement_limit_boundary() {
    let statement: (&str, &[&str]) = ("Allow", &["evs:snapshots:get"]);
    let report = check_json(&policy(&[statement; 8]), "project");
    assert_eq!(warning_codes(&report), Vec::<&str>::new());
    let report = check_json(&policy(&[statement; 9]), "project");
    assert_eq!(warning_codes(&report), ["limit-statements"]);
    // A policy over a limit is still evaluated: rows 7, 8, 14, 17 need only evs:snapshots:get.
    assert_eq!(flagged(&report, "callable"), keys(&[7, 8, 14, 17]));
}

#[test]
fn action_limit_boundary() {
    let hundred: Vec<String> = (0..100).map(|i| format!("evs:r{i:03}:get")).collect();
    let report = check_json(
        &json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": hundred}]}).to_string(),
        "project",
    );
    assert_eq!(warning_codes(&report), Vec::<&str>::new());

    let mut more = hundred.clone();
    more.push("evs:snapshots:get".into());
    let report = check_json(
        &json!({"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": more}]}).to_string(),
        "project",
    );
    assert_eq!(warning_codes(&report), ["limit-actions"]);
    assert_eq!(report["warnings"][0]["message"], "statement 1 has 101 actions; Huawei allows at most 100");
}

#[test]
fn condition_limit_boundary() {
    // permscope counts one condition per key under each operator.
    let condition = |keys: usize| {
        let mut string_equals = serde_json::Map::new();
        for i in 0..keys {
            string_equals.insert(format!("g:Key{i}"), json!(["v"]));
        }
        document(vec![json!({
            "Effect": "Allow",
            "Action": ["evs:snapshots:get"],
            "Condition": {"StringEquals": string_equals},
        })])
    };
    assert_eq!(warning_codes(&check_json(&condition(10), "project")), Vec::<&str>::new());
    let report = check_json(&condition(11), "project");
    assert_eq!(warning_codes(&report), ["limit-conditions"]);
    assert_eq!(report["warnings"][0]["message"], "statement 1 has 11 conditions; Huawei allows at most 10");
}

#[test]
fn custom_catalog_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let mut project_only = common::api("列出", "List", "GET", "/v1/items", &["svc:items:list"]);
    project_only["scopes"]["enterprise_project"] = json!(false);
    let catalog = common::catalog(&[
        project_only,
        common::api("删除", "Delete", "DELETE", "/v1/items/{id}", &["svc:items:delete", "svc:items:get"]),
    ]);
    let catalog_path = write(dir.path(), "catalog.json", catalog);
    let policy_path = write(dir.path(), "p.json", policy(&[("Allow", &["svc:items:*"]), ("Deny", &["svc:*:get"])]));

    let output =
        permscope().arg("--catalog").arg(&catalog_path).arg("check").arg(&policy_path).arg("--json").output().unwrap();
    assert!(output.status.success(), "{}", common::stderr_text(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(apis(&report).len(), 2);
    assert_eq!(flagged(&report, "callable"), ["GET /v1/items"]);
    assert_eq!(strings(&apis(&report)[1]["denied"]), ["svc:items:get"]);

    let output = permscope()
        .arg("--catalog")
        .arg(&catalog_path)
        .args(["check", "--scope", "enterprise", "--json"])
        .arg(&policy_path)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(apis(&report)[0]["scope_supported"], false);
    assert!(flagged(&report, "callable").is_empty());
}

#[test]
fn control_characters_escaped_in_table() {
    let dir = tempfile::tempdir().unwrap();
    let name = "Snap\u{1b}[2J\u{1b}]52;c;aGk=\u{7}shot\nline\u{7f}\u{9b}1m\u{202e}end";
    let catalog = common::catalog(&[common::api("快照\u{1b}[31m", name, "GET", "/v1/snap", &["svc:snap:get"])]);
    let catalog_path = write(dir.path(), "catalog.json", catalog);
    let policy_path = write(dir.path(), "p.json", policy(&[("Allow", &["svc:*:*"])]));

    let output = permscope().arg("--catalog").arg(&catalog_path).arg("check").arg(&policy_path).output().unwrap();
    assert!(output.status.success());
    let text = common::stdout_text(&output);
    assert!(text.contains("Snap\\x1b[2J\\x1b]52;c;aGk=\\x07shot\\nline\\x7f\\x9b1m\\u{202e}end"), "{text}");
    for c in ['\u{1b}', '\u{7}', '\u{7f}', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(c), "raw {c:?} in the table: {text:?}");
    }
}

#[test]
fn control_characters_kept_as_json_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let name = "Snap\u{1b}[2J\u{7}\nline\u{7f}\u{9b}1m\u{202e}end";
    let catalog = common::catalog(&[common::api("快照\u{1b}[31m", name, "GET", "/v1/snap", &["svc:snap:get"])]);
    let catalog_path = write(dir.path(), "catalog.json", catalog);
    let policy_path = write(dir.path(), "p.json", policy(&[("Allow", &["svc:*:*"])]));

    let output =
        permscope().arg("--catalog").arg(&catalog_path).arg("check").arg(&policy_path).arg("--json").output().unwrap();
    assert!(output.status.success());
    let raw = common::stdout_text(&output);
    assert!(raw.contains(r#""en": "Snap\u001b[2J\u0007\nline\u007f\u009b1m\u202eend""#), "{raw}");
    assert!(raw.contains(r#""zh": "快照\u001b[31m""#), "{raw}");
    for c in ['\u{1b}', '\u{7}', '\u{7f}', '\u{9b}', '\u{202e}'] {
        assert!(!raw.contains(c), "raw {c:?} in the JSON output");
    }
    let report: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(report["apis"][0]["name"]["en"], name, "the escapes decode to the catalog's name");
}

#[test]
fn output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "p.json", policy(&[("Allow", &["evs:*:*"]), ("Deny", &["evs:*:delete"])]));
    let first = permscope().arg("check").arg(&path).output().unwrap();
    let second = permscope().arg("check").arg(&path).output().unwrap();
    assert_eq!(first.stdout, second.stdout);
}

/// Two OPTIONS APIs whose 90-character paths differ only in their last segment, and a GET API with a
/// short path.
fn catalog_with_long_paths() -> String {
    let long = format!("/v2/{{project_id}}/{}", "notifications/message_template/".repeat(2));
    let api = |name: &str, method: &str, path: String| {
        json!({"name": {"zh": name, "en": name}, "method": method, "path": path, "aliases": [],
               "actions": ["smn:templates:get"], "scopes": {"project": true, "enterprise_project": true}})
    };
    let apis = [
        api("first", "OPTIONS", format!("{long}alpha")),
        api("second", "OPTIONS", format!("{long}beta")),
        api("third", "GET", "/v2/x/template".into()),
    ];
    json!({"service": "smn", "apis": apis}).to_string()
}

#[test]
fn tables_keep_long_paths_whole() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = write(dir.path(), "catalog.json", catalog_with_long_paths());
    let policy_path = write(dir.path(), "policy.json", policy(&[("Allow", &["smn:templates:get"])]));
    let long = "/v2/{project_id}/notifications/message_template/notifications/message_template/";
    let runs: [&[&str]; 3] = [&["check", policy_path.to_str().unwrap()], &["search", "template"], &["catalog", "list"]];
    for args in runs {
        let output = permscope().arg("--catalog").arg(&catalog).args(args).output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", common::stderr_text(&output));
        let text = common::stdout_text(&output);
        // A path longer than the column is followed by the usual two spaces and the name.
        assert!(text.contains(&format!("OPTIONS  {long}alpha  first")), "{args:?}:\n{text}");
        assert!(text.contains(&format!("OPTIONS  {long}beta  second")), "{args:?}:\n{text}");
        assert!(!text.contains('…'), "{args:?}:\n{text}");
        // The method column is as wide as OPTIONS, so shorter methods line up after it.
        assert!(text.contains("GET      /v2/x/template"), "{args:?}:\n{text}");
    }
}
