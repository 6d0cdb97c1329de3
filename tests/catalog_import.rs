//! `permscope catalog import`: Huawei permission pages in, catalog JSON out.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use permscope::catalog::{Catalog, Scopes};
use permscope::import::Importer;
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn permscope() -> Command {
    Command::cargo_bin("permscope").unwrap()
}

fn import_fixture(name: &str) -> Catalog {
    let html = std::fs::read_to_string(fixture(name)).unwrap();
    let mut importer = Importer::new();
    importer.add_page(name, &html);
    let imported = importer.finish();
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    imported.catalog.unwrap()
}

/// The fixture is the EVS snapshot table typed into HTML; importing it must give the built-in catalog's
/// rows. The built-in English names and v3 aliases were added by hand, so they are not compared: the
/// import has no English names on a Chinese page and never invents aliases.
#[test]
fn fixture_rebuilds_builtin_catalog() {
    let imported = import_fixture("evs-snapshots-zh.html");
    let builtin = Catalog::builtin();
    assert_eq!(imported.service, builtin.service);
    assert_eq!(imported.apis.len(), builtin.apis.len());
    for (index, (got, expected)) in imported.apis.iter().zip(&builtin.apis).enumerate() {
        let row = index + 1;
        assert_eq!(got.name.zh, expected.name.zh, "row {row}: zh name");
        assert_eq!(got.method, expected.method, "row {row}: method");
        assert_eq!(got.path, expected.path, "row {row}: path");
        assert_eq!(got.actions, expected.actions, "row {row}: actions");
        assert_eq!(got.scopes, expected.scopes, "row {row}: scopes");
        assert_eq!(got.name.en, "", "row {row}: English name left for the user");
        assert!(got.aliases.is_empty(), "row {row}: no invented aliases");
    }
}

// Expected values below are read off the EVS snapshot table by hand.
#[test]
fn fixture_spot_checks() {
    let catalog = import_fixture("evs-snapshots-zh.html");
    let delete = &catalog.apis[9];
    assert_eq!(delete.key(), "DELETE /v2/{project_id}/snapshots/{snapshot_id}");
    assert_eq!(delete.actions, ["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"]);
    let rollbacks: Vec<&str> = catalog.apis.iter().filter(|a| a.name.zh == "回滚快照到云硬盘").map(|a| a.path.as_str()).collect();
    assert_eq!(
        rollbacks,
        ["/v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback", "/v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback"]
    );
    assert_eq!(catalog.apis.iter().filter(|a| a.scopes.enterprise_project).count(), 6);
    assert_eq!(catalog.actions().len(), 7);
}

#[test]
fn english_page_fills_en_names() {
    let catalog = import_fixture("evs-snapshots-en.html");
    let names: Vec<(&str, &str)> = catalog.apis.iter().map(|a| (a.name.zh.as_str(), a.name.en.as_str())).collect();
    assert_eq!(
        names,
        [
            ("", "Creating an EVS Snapshot (OpenStack Cinder API)"),
            ("", "Rolling Back a Snapshot to an EVS Disk"),
            ("", "Querying EVS Snapshots"),
        ]
    );
    // The English fixture puts Enterprise Project before IAM Project.
    assert_eq!(catalog.apis[0].scopes, Scopes { project: true, enterprise_project: false });
    assert_eq!(catalog.apis[1].scopes, Scopes { project: true, enterprise_project: true });
}

#[test]
fn cli_writes_catalog_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("evs.json");
    permscope()
        .args(["catalog", "import"])
        .arg(fixture("evs-snapshots-zh.html"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("imported 19 APIs (7 distinct actions, service evs) from 1 page"));
    let text = std::fs::read_to_string(&out).unwrap();
    let catalog = Catalog::parse("evs.json", &text).unwrap();
    assert_eq!(catalog.apis.len(), 19);
    assert!(text.starts_with("{\n  \"service\": \"evs\",\n  \"apis\": ["), "pretty JSON: {}", &text[..60]);

    // The written file is a catalog the other commands accept.
    permscope()
        .arg("--catalog")
        .arg(&out)
        .args(["search", "hgkz", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("/v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback"));
}

#[test]
fn cli_output_is_deterministic() {
    let run = || {
        let output = permscope().args(["catalog", "import"]).arg(fixture("evs-snapshots-zh.html")).output().unwrap();
        assert!(output.status.success());
        output.stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn cli_merges_chinese_and_english_pages() {
    let output = permscope()
        .args(["catalog", "import"])
        .arg(fixture("evs-snapshots-zh.html"))
        .arg(fixture("evs-snapshots-en.html"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let catalog = Catalog::parse("merged", &String::from_utf8(output.stdout).unwrap()).unwrap();
    assert_eq!(catalog.apis.len(), 19);
    assert_eq!(catalog.apis[0].name.zh, "创建云硬盘快照（OpenStack Cinder）");
    assert_eq!(catalog.apis[0].name.en, "Creating an EVS Snapshot (OpenStack Cinder API)");
    assert_eq!(catalog.apis[11].name.en, "Rolling Back a Snapshot to an EVS Disk");
    assert_eq!(catalog.apis[1].name.en, "", "no English row for the cloudsnapshots create API");
}

#[test]
fn cli_reports_bad_rows_and_keeps_good_ones() {
    let page = fixture("broken-rows.html");
    let page_name = page.display().to_string();
    let output = permscope().args(["catalog", "import"]).arg(&page).output().unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let expected = [
        format!("{page_name}: table 1, row 2: skipped: missing action"),
        format!("{page_name}: table 1, row 3: skipped: unknown mark \"Y\" in the IAM项目 cell"),
        format!("{page_name}: table 1, row 4: skipped: malformed API \"GET/v1/{{project_id}}/cloudservers\""),
        format!("{page_name}: table 1, row 5: skipped: duplicate API GET /v1/{{project_id}}/cloudservers/{{server_id}}"),
        "imported 1 API (1 distinct action, service ecs) from 1 page; 4 problems reported above".to_owned(),
    ];
    for line in &expected {
        assert!(stderr.contains(line.as_str()), "missing {line:?} in:\n{stderr}");
    }
    let catalog = Catalog::parse("out", &String::from_utf8(output.stdout).unwrap()).unwrap();
    assert_eq!(catalog.apis[0].key(), "GET /v1/{project_id}/cloudservers/{server_id}");
    assert_eq!(catalog.apis[0].actions, ["ecs:cloudServers:get"]);
}

#[test]
fn cli_strict_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.json");
    permscope()
        .args(["catalog", "import", "--strict"])
        .arg(fixture("broken-rows.html"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("4 rows or tables could not be read; nothing was written (--strict)"));
    assert!(!out.exists());
}

#[test]
fn cli_nothing_usable_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("notes.html");
    std::fs::write(&page, "<html><body><p>权限说明</p><table><tr><td>无关的表格</td></tr></table></body></html>").unwrap();
    let out = dir.path().join("c.json");
    permscope()
        .args(["catalog", "import"])
        .arg(&page)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("notes.html: no permission table found"))
        .stderr(predicate::str::contains("error: no API could be read from 1 page"));
    assert!(!out.exists());
}

#[test]
fn cli_missing_page_exits_2() {
    permscope()
        .args(["catalog", "import", "/nonexistent/page.html"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/page.html: cannot open the file"));
}

#[test]
fn cli_existing_output_kept_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("empty.html");
    std::fs::write(&page, "").unwrap();
    let out = dir.path().join("c.json");
    std::fs::write(&out, "previous").unwrap();
    permscope().args(["catalog", "import"]).arg(&page).arg("-o").arg(&out).assert().code(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
}
