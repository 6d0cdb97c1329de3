//! `permscope search`: fuzzy ranking over names (Chinese, pinyin, English), method, path, aliases and
//! actions. Expected hits are reasoned out character by character in the comments.

mod common;

use serde_json::{Value, json};

use common::{key_of, keys, permscope, write};

/// Runs `search --json` with `args` (and `--catalog` when given) and returns the results.
fn search(catalog: Option<&std::path::Path>, args: &[&str]) -> Vec<Value> {
    let mut command = permscope();
    if let Some(path) = catalog {
        command.arg("--catalog").arg(path);
    }
    let output = command.arg("search").args(args).arg("--json").output().unwrap();
    assert!(output.status.success(), "stderr: {}", common::stderr_text(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let fields: Vec<&String> = report.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["results"]);
    report["results"].as_array().expect("results is an array").clone()
}

fn found(catalog: Option<&std::path::Path>, args: &[&str]) -> Vec<String> {
    search(catalog, args).iter().map(key_of).collect()
}

#[test]
fn pinyin_initials_find_rollbacks() {
    // 回滚快照到云硬盘 (hui gun kuai zhao ...) is the name of exactly rows 11 and 12. Equal scores keep
    // catalog order.
    assert_eq!(found(None, &["hgkz"]), keys(&[11, 12]));
}

#[test]
fn full_pinyin_finds_rollbacks() {
    assert_eq!(found(None, &["huigun"]), keys(&[11, 12]));
}

#[test]
fn chinese_query_finds_rollbacks() {
    // 回 and 滚 appear in no other name.
    assert_eq!(found(None, &["回滚"]), keys(&[11, 12]));
}

#[test]
fn result_fields_and_order() {
    let results = search(None, &["hgkz"]);
    let fields: Vec<&str> = results[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fields, ["name", "method", "path", "score"]);
    assert_eq!(results[0]["name"], json!({"zh": "回滚快照到云硬盘", "en": "Roll back a snapshot to an EVS disk"}));
    assert_eq!(results[1]["name"]["en"], "Roll back a snapshot to an EVS disk (os-vendor API)");
    assert!(results[0]["score"].as_i64().unwrap() > 0);
}

#[test]
fn scores_best_first() {
    let results = search(None, &["snapshot"]);
    assert!(results.len() > 2);
    let scores: Vec<i64> = results.iter().map(|r| r["score"].as_i64().unwrap()).collect();
    assert!(scores.windows(2).all(|pair| pair[0] >= pair[1]), "{scores:?}");
}

#[test]
fn every_term_must_match() {
    // Only row 12 has a '-' anywhere (os-vendor-snapshots, "(os-vendor API)"), so "os-vendor" narrows
    // the two rollbacks to one.
    let rollbacks = found(None, &["rollback"]);
    assert!(rollbacks.starts_with(&keys(&[11, 12])) || rollbacks.starts_with(&keys(&[12, 11])), "{rollbacks:?}");
    assert_eq!(found(None, &["rollback", "os-vendor"]), keys(&[12]));
    assert_eq!(found(None, &["rollback os-vendor"]), keys(&[12]));
    assert!(found(None, &["os-vendor", "zzzz"]).is_empty());
}

#[test]
fn action_query_finds_requiring_apis() {
    // After "evs:" only an action continuing with 'v' can match, and evs:volumes:get is needed by rows
    // 0, 9 and 12.
    let mut hits = found(None, &["evs:volumes:get"]);
    hits.sort();
    let mut expected = keys(&[0, 9, 12]);
    expected.sort();
    assert_eq!(hits, expected);
}

#[test]
fn alias_query_finds_v3_twin() {
    // Only row 3 has a path or alias with both '3' and "detail" after "snapshots".
    assert_eq!(found(None, &["v3/{project_id}/snapshots/detail"]), keys(&[3]));
}

#[test]
fn no_match_is_not_error() {
    assert!(search(None, &["zzzzqq"]).is_empty());
    let output = permscope().args(["search", "zzzzqq"]).output().unwrap();
    assert!(output.status.success());
    assert_eq!(common::stdout_text(&output), "no API matches \"zzzzqq\"\n");
}

#[test]
fn table_output_lists_hits() {
    let output = permscope().args(["search", "hgkz"]).output().unwrap();
    assert!(output.status.success());
    let text = common::stdout_text(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("POST    /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback"), "{text}");
    assert!(lines[0].ends_with("Roll back a snapshot to an EVS disk"), "{text}");
    assert!(lines[1].contains("/os-vendor-snapshots/"), "{text}");
}

#[test]
fn query_is_required() {
    let output = permscope().arg("search").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(common::stderr_text(&output).contains("QUERY"));
}

/// Writes a catalog whose names and fields are chosen so each query below has one hand-checkable result.
fn small_catalog(dir: &std::path::Path) -> std::path::PathBuf {
    let catalog = common::catalog(&[
        common::api("创建快照", "Create snapshot", "POST", "/v1/snap", &["evs:snap:create"]),
        common::api("删除快照", "Remove snapshot", "DELETE", "/v1/snap/{id}", &["evs:snap:delete"]),
        common::api("查询快照列表", "List snapshots", "GET", "/v1/snap", &["evs:snap:list"]),
        common::api("修改快照", "Modify snapshot", "PATCH", "/v1/snap/{id}", &["evs:snap:modify"]),
    ]);
    write(dir, "catalog.json", catalog)
}

#[test]
fn custom_catalog_pinyin() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = small_catalog(dir.path());
    // 删除快照 is shan chu kuai zhao. No other field has an 's' followed by 'c', 'k' and 'z'.
    assert_eq!(found(Some(&catalog), &["sckz"]), ["DELETE /v1/snap/{id}"]);
    // Full pinyin matches only a contiguous run, and no English text has "shanchu" in order.
    assert_eq!(found(Some(&catalog), &["shanchu"]), ["DELETE /v1/snap/{id}"]);
    // 修改 is xiu gai.
    assert_eq!(found(Some(&catalog), &["xiugai"]), ["PATCH /v1/snap/{id}"]);
    // Every name has 快照 (kuai zhao), so the initials "kz" match all four.
    assert_eq!(found(Some(&catalog), &["kz"]).len(), 4);
}

#[test]
fn custom_catalog_method() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = small_catalog(dir.path());
    // Only the PATCH method has p, a, t, c, h in order, because "snapshot" has no 'a' after its 'p'.
    assert_eq!(found(Some(&catalog), &["patch"]), ["PATCH /v1/snap/{id}"]);
}

#[test]
fn limit_truncates_results() {
    assert_eq!(search(None, &["hgkz", "--limit", "1"]).len(), 1);
}

#[test]
fn limit_zero_is_usage_error() {
    let output = permscope().args(["search", "hgkz", "--limit", "0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = common::stderr_text(&output);
    assert!(stderr.contains("--limit"), "{stderr}");
    assert!(stderr.contains("the limit must be 1 or more"), "{stderr}");

    // A negative limit reaches the same check instead of being taken for an option.
    let output = permscope().args(["search", "hgkz", "--limit", "-1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = common::stderr_text(&output);
    assert!(stderr.contains("give a whole number of 1 or more"), "{stderr}");
}

#[test]
fn closed_pipe_prints_no_panic() {
    // The pipeline from the documentation: head exits after one line.
    let script = format!("'{}' search snapshot | head -1", common::binary().display());
    let output = std::process::Command::new("sh")
        .args(["-c", &script])
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = common::stdout_text(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("/v2/{project_id}/"), "{text}");
    assert_eq!(common::stderr_text(&output), "", "nothing on stderr");
}

#[test]
fn control_characters_escaped_in_results() {
    let dir = tempfile::tempdir().unwrap();
    let name = "Snap\u{1b}[2Jshot\u{7}\tx\u{9b}\u{202e}";
    let catalog =
        common::catalog(&[common::api("快照\u{1b}]52;c;aGk=\u{7}", name, "GET", "/v1/snap", &["evs:snap:get"])]);
    let catalog = write(dir.path(), "catalog.json", catalog);

    let output = permscope().arg("--catalog").arg(&catalog).args(["search", "snap"]).output().unwrap();
    let text = common::stdout_text(&output);
    assert!(text.contains("Snap\\x1b[2Jshot\\x07\\tx\\x9b\\u{202e}"), "{text}");
    let output = permscope().arg("--catalog").arg(&catalog).args(["--lang", "zh", "search", "kz"]).output().unwrap();
    let text = common::stdout_text(&output);
    assert!(text.contains("快照\\x1b]52;c;aGk=\\x07"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");

    let output = permscope().arg("--catalog").arg(&catalog).args(["search", "snap", "--json"]).output().unwrap();
    let raw = common::stdout_text(&output);
    assert!(raw.contains(r#""en": "Snap\u001b[2Jshot\u0007\tx\u009b\u202e""#), "{raw}");
    assert!(raw.contains(r#""zh": "快照\u001b]52;c;aGk=\u0007""#), "{raw}");
    let results: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(results["results"][0]["name"]["en"], name);
}
