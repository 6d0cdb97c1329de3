//! End-to-end tests of the full-screen explorer: the real binary runs in a private tmux server, keys
//! go in through `send-keys`, and the screen comes back through `capture-pane`.
//!
//! Expected screens are worked out from Huawei's EVS snapshot permission table (19 APIs, 7 actions).
//! Catalog order and the actions each API needs, with × marking APIs that do not take effect when
//! granted in an enterprise project. Paths start with `/v2/{project_id}/`, and every action is
//! `evs:snapshots:*` except `volumes:get`, which is `evs:volumes:get`:
//!
//! ```text
//!  0 POST   snapshots                          create, volumes:get        ×
//!  1 POST   cloudsnapshots                     create
//!  2 GET    snapshots                          list                       ×
//!  3 GET    snapshots/detail                   list                       ×
//!  4 GET    cloudsnapshots/detail              list
//!  5 PUT    snapshots/{id}                     update, get                ×
//!  6 PUT    cloudsnapshots/{id}                update
//!  7 GET    snapshots/{id}                     get                        ×
//!  8 GET    cloudsnapshots/{id}                get
//!  9 DELETE snapshots/{id}                     delete, get, volumes:get   ×
//! 10 DELETE cloudsnapshots/{id}                delete
//! 11 POST   cloudsnapshots/{id}/rollback       rollback
//! 12 POST   os-vendor-snapshots/{id}/rollback  rollback, get, volumes:get ×
//! 13 POST   snapshots/{id}/metadata            update, get                ×
//! 14 GET    snapshots/{id}/metadata            get                        ×
//! 15 PUT    snapshots/{id}/metadata/{key}      update, get                ×
//! 16 PUT    snapshots/{id}/metadata            update, get                ×
//! 17 GET    snapshots/{id}/metadata/{key}      get                        ×
//! 18 DELETE snapshots/{id}/metadata/{key}      delete, get                ×
//! ```

mod terminal;

use std::path::Path;

use terminal::{
    CLOUD_ROLLBACK, Home, Launch, ROLLBACK_POLICY, Tmux, VENDOR_ROLLBACK, action_entry, pick_both_rollbacks, resize_round_trip, row_marks, status_line,
    table_rows, tools_present, wait_started,
};

/// The seven actions of the catalog, in the order the action list shows them.
const ACTIONS: [&str; 7] = [
    "evs:snapshots:create",
    "evs:snapshots:delete",
    "evs:snapshots:get",
    "evs:snapshots:list",
    "evs:snapshots:rollback",
    "evs:snapshots:update",
    "evs:volumes:get",
];

/// Counts the characters of a policy in the compact form Huawei limits. That is the pretty form
/// without whitespace, because no action name contains whitespace.
fn compact_chars(pretty: &str) -> usize {
    pretty.chars().filter(|c| !c.is_whitespace()).count()
}

/// Returns the one table row that contains `text`.
fn row_containing(screen: &str, text: &str) -> String {
    let rows = table_rows(screen);
    let found: Vec<&String> = rows.iter().filter(|row| row.contains(text)).collect();
    assert_eq!(found.len(), 1, "expected one table row with {text:?}, found {found:?} in:\n{screen}");
    found[0].clone()
}

/// Moves the table selection onto the row that contains `text`, starting from row `selected`.
fn select_row(tmux: &Tmux, screen: &str, selected: usize, text: &str) {
    let target = table_rows(screen).iter().position(|row| row.contains(text)).expect("row on screen");
    let key = if target > selected { "j" } else { "k" };
    for _ in 0..target.abs_diff(selected) {
        tmux.keys(&[key]);
    }
}

/// Builds the expected marks of every row in catalog order from the callable rows, the rows that do
/// not take effect in the current scope and the picked rows.
fn expected_marks(callable: &[usize], out_of_scope: &[usize], picked: &[usize]) -> Vec<String> {
    (0..19)
        .map(|row| {
            let status = if callable.contains(&row) {
                '✔'
            } else if out_of_scope.contains(&row) {
                '-'
            } else {
                '✘'
            };
            let pick = if picked.contains(&row) { '*' } else { ' ' };
            format!("{status}{pick}")
        })
        .collect()
}

/// Rows marked × for the enterprise project in the table above.
const PROJECT_ONLY: [usize; 13] = [0, 2, 3, 5, 7, 9, 12, 13, 14, 15, 16, 17, 18];

#[test]
fn start_screen_english() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let tmux = Launch::explorer().start(&home);
    let screen = wait_started(&tmux);

    let header = screen.lines().next().unwrap();
    assert!(header.contains("permscope │ EVS │ Scope:  IAM project  │"), "header: {header}");
    assert!(header.contains("0/19 callable, 0 conditional"), "header: {header}");
    assert!(header.ends_with("│ EN"), "header: {header}");
    assert!(screen.contains("┌ APIs 19 ─"), "{screen}");
    assert_eq!(row_marks(&screen), expected_marks(&[], &[], &[]));
    assert!(table_rows(&screen)[0].contains("Create an EVS snapshot (Op"), "{screen}");

    assert!(screen.contains("┌ Actions 0/7 allowed ─"), "{screen}");
    // How many APIs need each action, counted in the table above.
    let needed_by = [("evs:snapshots:create", "2 APIs"), ("evs:snapshots:delete", "3 APIs"), ("evs:snapshots:get", "11 APIs")];
    for action in ACTIONS {
        assert_eq!(action_entry(&screen, action).as_deref(), Some(format!("[ ] . {action}").as_str()));
    }
    for (action, count) in needed_by {
        let line = screen.lines().find(|line| line.contains(&format!("{action} "))).unwrap();
        let after = line.split(action).nth(1).unwrap().trim_start();
        assert!(after.starts_with(count), "{action} should be needed by {count}: {line}");
    }

    assert!(screen.contains("┌ Policy 0/6144 characters ─"), "{screen}");
    assert!(screen.contains("Nothing granted yet. Press Space on an API"), "{screen}");

    // The first row is selected, so the details pane describes it.
    assert!(screen.contains("Create an EVS snapshot (OpenStack Cinder API)"), "{screen}");
    assert!(screen.contains("创建云硬盘快照（OpenStack Cinder）"), "{screen}");
    assert!(screen.contains("Aliases: /v3/{project_id}/snapshots"), "{screen}");
    assert!(screen.contains("Takes effect in: IAM project ✔  Enterprise project ✘"), "{screen}");
    assert!(screen.contains(". evs:snapshots:create  missing"), "{screen}");

    let footer = screen.lines().last().unwrap();
    assert_eq!(footer.trim(), "Space pick API  j/k move  Tab next pane  / search  s scope  e export  y copy  ? help  q quit");
    assert_eq!(status_line(&screen, 40), "", "nothing to report on a first start");

    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn start_screen_chinese() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let tmux = Launch::explorer().env("LANG", "zh_CN.UTF-8").start(&home);
    let screen = tmux.wait_for("可调用 0/19，有条件 0");

    let header = screen.lines().next().unwrap();
    assert!(header.contains("授权范围： IAM 项目  │"), "header: {header}");
    assert!(header.ends_with("│ 中文"), "header: {header}");
    assert!(screen.contains("┌ API 19 ─"), "{screen}");
    assert!(screen.contains("名称"), "{screen}");
    let rows = table_rows(&screen);
    assert_eq!(rows.len(), 19, "{screen}");
    assert_eq!(rows.iter().filter(|row| row.contains("回滚快照到云硬盘")).count(), 2, "{screen}");
    assert!(screen.contains("授权项 已允许 0/7"), "{screen}");
    assert!(screen.contains("策略 0/6144 字符"), "{screen}");
    assert!(screen.contains("生效范围：IAM 项目 ✔  企业项目 ✘"), "{screen}");
    let footer = screen.lines().last().unwrap();
    assert!(footer.contains("Space 选择 API"), "footer: {footer}");
    assert!(footer.contains("q 退出"), "footer: {footer}");

    // A Chinese search term matches the Chinese names.
    tmux.keys(&["/"]);
    tmux.type_text("回滚");
    let screen = tmux.wait_for("2 个匹配");
    assert!(screen.contains("API 2/19 匹配“回滚”"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("2 个匹配");

    // L switches the language while running.
    tmux.keys(&["L"]);
    let screen = tmux.wait_for("0/19 callable, 0 conditional");
    assert!(screen.lines().next().unwrap().ends_with("│ EN"), "{screen}");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn language_flag_and_locale() {
    if !tools_present(&["tmux"]) {
        return;
    }
    /// Extra arguments, locale variables, and text that only the expected language shows.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 4] = [
        (&["--lang", "en"], &[("LANG", "zh_CN.UTF-8")], "0/19 callable"),
        (&["--lang", "zh"], &[("LANG", "C.UTF-8")], "可调用 0/19"),
        (&[], &[("LANG", "C.UTF-8"), ("LC_ALL", "zh_TW.UTF-8")], "可调用 0/19"),
        (&[], &[("LANG", "en_US.UTF-8")], "0/19 callable"),
    ];
    for (args, vars, expected) in cases {
        let home = Home::new();
        let mut launch = Launch::explorer().args(args);
        for (name, value) in vars {
            launch = launch.env(name, value);
        }
        let tmux = launch.start(&home);
        let screen = tmux.wait_until(&format!("{expected:?} for {args:?} {vars:?}"), |s| s.contains("0/19"));
        assert!(screen.contains(expected), "{args:?} {vars:?} should show {expected:?}:\n{screen}");
    }
}

#[test]
fn search_hgkz_picks_rollbacks() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let tmux = Launch::explorer().start(&home);
    wait_started(&tmux);

    tmux.keys(&["/"]);
    tmux.type_text("hgkz");
    let screen = tmux.wait_for("2 matches");
    assert!(screen.contains("┌ APIs 2/19 matching \"hgkz\" ─"), "{screen}");
    assert!(status_line(&screen, 40).starts_with("Search: hgkz"), "{screen}");
    let rows = table_rows(&screen);
    assert_eq!(rows.len(), 2, "exactly the two rollback APIs:\n{screen}");
    for row in &rows {
        assert!(row.starts_with("✘  Roll back a snapshot to an"), "row: {row}");
        assert!(row.contains(" POST "), "row: {row}");
    }
    assert!(rows.iter().any(|row| row.contains("/v2/{project_id}/cloudsnapshots/")), "{screen}");
    assert!(rows.iter().any(|row| row.contains("/v2/{project_id}/os-vendor-snapshot")), "{screen}");

    // Enter keeps the filter; Space picks the selected row, j and Space the other.
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_gone("2 matches");
    assert!(screen.contains("matching \"hgkz\""), "the filter stays after Enter:\n{screen}");
    tmux.keys(&["Space"]);
    tmux.wait_for("Picked POST /v2/{project_id}/");
    tmux.keys(&["j", "Space"]);
    let screen = tmux.wait_for("6/19 callable, 0 conditional");

    // Both picked: evs:snapshots:rollback, evs:snapshots:get and evs:volumes:get are granted, which
    // makes rows 7, 8, 11, 12, 14 and 17 callable in the IAM project scope.
    assert_eq!(row_marks(&screen), ["✔*", "✔*"], "{screen}");
    assert!(screen.contains("┌ Actions 3/7 allowed ─"), "{screen}");
    for action in ACTIONS {
        let granted = ["evs:snapshots:get", "evs:snapshots:rollback", "evs:volumes:get"].contains(&action);
        let expected = if granted { format!("[x] ✔ {action}") } else { format!("[ ] . {action}") };
        assert_eq!(action_entry(&screen, action), Some(expected), "{screen}");
    }
    let title = format!("┌ Policy {}/6144 characters ─", compact_chars(ROLLBACK_POLICY));
    assert!(screen.contains(&title), "expected {title:?}:\n{screen}");
    for line in ROLLBACK_POLICY.lines() {
        assert!(screen.contains(line), "policy preview lacks {line:?}:\n{screen}");
    }

    // Unpicking the os-vendor API revokes what only it needed; the other rollback keeps its action.
    select_row(&tmux, &screen, 1, "os-vendor-snapshot");
    tmux.keys(&["Space"]);
    let screen = tmux.wait_for("1/19 callable, 0 conditional");
    let expected = format!("Unpicked {VENDOR_ROLLBACK}: revoked evs:snapshots:get, evs:volumes:get.");
    assert_eq!(status_line(&screen, 40), expected);
    assert!(row_containing(&screen, "os-vendor-snapshot").starts_with("✘  "), "{screen}");
    assert!(row_containing(&screen, "cloudsnapshots").starts_with("✔* "), "{screen}");
    assert_eq!(action_entry(&screen, "evs:snapshots:rollback").as_deref(), Some("[x] ✔ evs:snapshots:rollback"));
    assert_eq!(action_entry(&screen, "evs:snapshots:get").as_deref(), Some("[ ] . evs:snapshots:get"));
    assert_eq!(action_entry(&screen, "evs:volumes:get").as_deref(), Some("[ ] . evs:volumes:get"));

    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn scope_switch_changes_rows() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let tmux = Launch::explorer().start(&home);
    wait_started(&tmux);
    pick_both_rollbacks(&tmux);

    tmux.keys(&["s"]);
    let screen = tmux.wait_for("Scope:  Enterprise project  │");
    // Of the six granted-callable rows only 8 and 11 take effect in an enterprise project.
    assert!(screen.lines().next().unwrap().contains("2/19 callable, 0 conditional"), "{screen}");
    assert_eq!(status_line(&screen, 40), "Scope: Enterprise project.");
    assert!(row_containing(&screen, "cloudsnapshots").starts_with("✔* "), "{screen}");
    assert!(row_containing(&screen, "os-vendor-snapshot").starts_with("-* "), "{screen}");

    // The details of the os-vendor rollback say why it is not callable.
    let rows = table_rows(&screen);
    let selected = rows.len() - 1;
    select_row(&tmux, &screen, selected, "os-vendor-snapshot");
    let screen = tmux.wait_for("- does not take effect in Enterprise project scope");
    assert!(screen.contains("Takes effect in: IAM project ✔  Enterprise project ✘"), "{screen}");

    // Clearing the search shows every row.
    tmux.keys(&["/"]);
    tmux.wait_for("2 matches");
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("┌ APIs 19 ─");
    assert_eq!(row_marks(&screen), expected_marks(&[8, 11], &PROJECT_ONLY, &[11, 12]), "{screen}");

    // Back in the IAM project scope every granted row counts again.
    tmux.keys(&["s"]);
    let screen = tmux.wait_for("Scope:  IAM project  │");
    assert!(screen.lines().next().unwrap().contains("6/19 callable, 0 conditional"), "{screen}");
    assert_eq!(row_marks(&screen), expected_marks(&[7, 8, 11, 12, 14, 17], &[], &[11, 12]), "{screen}");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

/// Names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn export_writes_policy() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let exports = home.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    let tmux = Launch::explorer().start(&home);
    wait_started(&tmux);
    pick_both_rollbacks(&tmux);

    // The path is prefilled in the home directory, which has no documents directory configured.
    let default = home.path().join("permscope-policy.json");
    tmux.keys(&["e"]);
    let screen = tmux.wait_for("Export policy");
    assert!(screen.contains(&format!("File: {}", default.display())), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("Wrote {} ({} characters).", default.display(), ROLLBACK_POLICY.chars().count()));
    assert_eq!(std::fs::read_to_string(&default).unwrap(), ROLLBACK_POLICY);

    // A typed path in another directory.
    let typed = exports.join("rollback.json");
    tmux.keys(&["e"]);
    tmux.wait_for("Export policy");
    tmux.keys(&["C-u"]);
    tmux.type_text(&typed.display().to_string());
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("Wrote {}", typed.display()));
    assert_eq!(std::fs::read(&typed).unwrap(), ROLLBACK_POLICY.as_bytes());
    assert_eq!(file_names(&exports), ["rollback.json"], "no temporary file left behind");

    // `~/` means the home directory.
    tmux.keys(&["e"]);
    tmux.wait_for("Export policy");
    tmux.keys(&["C-u"]);
    tmux.type_text("~/tilde.json");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("Wrote {}/tilde.json", home.path().display()));
    assert_eq!(std::fs::read_to_string(home.path().join("tilde.json")).unwrap(), ROLLBACK_POLICY);

    // A missing directory: the dialog stays open with the error and nothing is created.
    let missing = home.path().join("no-such-dir/policy.json");
    tmux.keys(&["e"]);
    tmux.wait_for("Export policy");
    tmux.keys(&["C-u"]);
    tmux.type_text(&missing.display().to_string());
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Could not write");
    assert!(screen.contains("Export policy"), "the dialog stays open:\n{screen}");
    assert!(!home.path().join("no-such-dir").exists());
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Export policy");

    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn export_default_in_documents_dir() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let documents = home.path().join("Docs");
    std::fs::create_dir(&documents).unwrap();
    let config = home.path().join("xdg-config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(config.join("user-dirs.dirs"), "XDG_DOCUMENTS_DIR=\"$HOME/Docs\"\n").unwrap();
    let tmux = Launch::explorer().start(&home);
    wait_started(&tmux);
    tmux.keys(&["e"]);
    let screen = tmux.wait_for("Export policy");
    assert!(screen.contains(&format!("File: {}/permscope-policy.json", documents.display())), "{screen}");
}

#[test]
fn export_replace_needs_second_enter() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let target = home.path().join("permscope-policy.json");
    std::fs::write(&target, "old policy\n").unwrap();
    let tmux = Launch::explorer().start(&home);
    wait_started(&tmux);
    pick_both_rollbacks(&tmux);

    tmux.keys(&["e"]);
    tmux.wait_for("Export policy");
    tmux.keys(&["Enter"]);
    // The dialog wraps the message, so only its first part is on one line.
    let screen = tmux.wait_for("exists. Press Enter again");
    assert!(screen.contains(&format!("{} exists.", target.display())), "{screen}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old policy\n", "the first Enter must not write");

    // Editing the path withdraws the confirmation, even when the path ends up the same.
    tmux.type_text("x");
    tmux.wait_gone("exists. Press Enter again");
    tmux.keys(&["BSpace", "Enter"]);
    tmux.wait_for("exists. Press Enter again");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old policy\n", "an edited path needs a new confirmation");

    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("Wrote {}", target.display()));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), ROLLBACK_POLICY);
    let names: Vec<String> = file_names(home.path()).into_iter().filter(|n| n.starts_with(".permscope-")).collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn draft_restored_after_restart() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let draft = home.default_draft_path();
    {
        let tmux = Launch::explorer().unset("XDG_DATA_HOME").start(&home);
        wait_started(&tmux);
        pick_both_rollbacks(&tmux);
        tmux.keys(&["s"]);
        tmux.wait_for("Scope:  Enterprise project");
        tmux.keys(&["q"]);
        assert_eq!(tmux.wait_exit(), 0);
    }
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&draft).unwrap()).unwrap();
    assert_eq!(saved["search"], "hgkz");
    assert_eq!(saved["picked"], serde_json::json!([CLOUD_ROLLBACK, VENDOR_ROLLBACK]));

    let tmux = Launch::explorer().unset("XDG_DATA_HOME").start(&home);
    let screen = tmux.wait_for(&format!("Restored the draft from {}.", draft.display()));
    let header = screen.lines().next().unwrap();
    assert!(header.contains("Scope:  Enterprise project"), "{screen}");
    assert!(header.contains("2/19 callable, 0 conditional"), "{screen}");
    assert!(screen.contains("┌ APIs 2/19 matching \"hgkz\" ─"), "{screen}");
    assert!(row_containing(&screen, "cloudsnapshots").starts_with("✔* "), "{screen}");
    assert!(row_containing(&screen, "os-vendor-snapshot").starts_with("-* "), "{screen}");

    // The restored draft exports the same policy.
    tmux.keys(&["e"]);
    tmux.wait_for("Export policy");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Wrote ");
    assert_eq!(std::fs::read_to_string(home.path().join("permscope-policy.json")).unwrap(), ROLLBACK_POLICY);
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn corrupt_draft_moved_aside() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let cases = [
        ("{not json", "key must be a string"),
        (r#"{"version":99,"grants":[],"picked":[],"kept":null,"scope":"project","search":""}"#, "unknown version 99"),
    ];
    for (contents, reason) in cases {
        let home = Home::new();
        let draft = home.draft_path();
        std::fs::create_dir_all(draft.parent().unwrap()).unwrap();
        std::fs::write(&draft, contents).unwrap();

        // Wide enough for the whole message with two long paths on the one status line.
        let tmux = Launch::explorer().size(300, 40).start(&home);
        let screen = tmux.wait_for(&format!("The saved draft {} is invalid (", draft.display()));
        let status = status_line(&screen, 40);
        assert!(status.contains(reason), "expected {reason:?} in {status:?}");
        assert!(status.contains(&format!("moved it to {}.corrupt-", draft.display())), "{status}");
        assert!(screen.lines().next().unwrap().contains("0/19 callable"), "the draft starts empty:\n{screen}");

        let directory = draft.parent().unwrap();
        let names = file_names(directory);
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(names[0].starts_with("draft.json.corrupt-"), "{names:?}");
        let moved = directory.join(&names[0]);
        assert_eq!(std::fs::read_to_string(&moved).unwrap(), contents);

        // Saving writes a new draft and leaves the moved file alone.
        pick_both_rollbacks(&tmux);
        tmux.keys(&["q"]);
        assert_eq!(tmux.wait_exit(), 0);
        assert_eq!(std::fs::read_to_string(&moved).unwrap(), contents);
        let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&draft).unwrap()).unwrap();
        assert_eq!(saved["picked"], serde_json::json!([CLOUD_ROLLBACK, VENDOR_ROLLBACK]));
    }
}

#[test]
fn policy_file_wildcards_and_deny() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let policy = home.path().join("team.json");
    std::fs::write(
        &policy,
        r#"{"Version": "1.1", "Statement": [
            {"Effect": "Allow", "Action": ["evs:*:get", "evs:snapshots:list"]},
            {"Effect": "Deny", "Action": ["evs:snapshots:rollback"]}
        ]}"#,
    )
    .unwrap();
    // 160 columns, so the details pane shows each reason on one line.
    let tmux = Launch::explorer().size(160, 45).args(&["--policy", &policy.display().to_string()]).start(&home);
    let screen = tmux.wait_for(&format!("Loaded {} (2 statements).", policy.display()));

    // evs:*:get allows evs:snapshots:get and evs:volumes:get; with evs:snapshots:list that makes
    // rows 2, 3, 4 (list) and 7, 8, 14, 17 (get) callable. The Deny blocks both rollbacks.
    assert!(screen.lines().next().unwrap().contains("7/19 callable, 0 conditional"), "{screen}");
    assert_eq!(row_marks(&screen), expected_marks(&[2, 3, 4, 7, 8, 14, 17], &[], &[]), "{screen}");
    assert!(screen.contains("┌ Actions 3/7 allowed ─"), "{screen}");
    let entries = [
        "[ ] . evs:snapshots:create",
        "[ ] . evs:snapshots:delete",
        "[ ] ✔ evs:snapshots:get",
        "[x] ✔ evs:snapshots:list",
        "[ ] ✘ evs:snapshots:rollback",
        "[ ] . evs:snapshots:update",
        "[ ] ✔ evs:volumes:get",
    ];
    for (action, entry) in ACTIONS.iter().zip(entries) {
        assert_eq!(action_entry(&screen, action).as_deref(), Some(entry), "{screen}");
    }

    // The preview keeps the wildcard and the Deny, normalized: Allow first, actions sorted.
    let compact = r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:*:get","evs:snapshots:list"]},{"Effect":"Deny","Action":["evs:snapshots:rollback"]}]}"#;
    assert!(screen.contains(&format!("┌ Policy {}/6144 characters ─", compact.chars().count())), "{screen}");
    for line in ["\"evs:*:get\",", "\"evs:snapshots:list\"", "\"Effect\": \"Deny\",", "\"evs:snapshots:rollback\""] {
        assert!(screen.contains(line), "preview lacks {line:?}:\n{screen}");
    }

    // Row 11, the cloudsnapshots rollback: denied by the second statement.
    tmux.keys(&["g", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j"]);
    tmux.wait_for("✘ evs:snapshots:rollback  denied by evs:snapshots:rollback (statement 2)");
    tmux.keys(&["Space"]);
    let screen = tmux.wait_for("Still not callable: denied evs:snapshots:rollback.");
    let expected = format!("Picked {CLOUD_ROLLBACK}: granted evs:snapshots:rollback. Still not callable: denied evs:snapshots:rollback.");
    assert_eq!(status_line(&screen, 45), expected);
    assert_eq!(action_entry(&screen, "evs:snapshots:rollback").as_deref(), Some("[x] ✘ evs:snapshots:rollback"));
    assert!(screen.lines().next().unwrap().contains("7/19 callable"), "a Deny wins over the pick:\n{screen}");

    // Row 8, GET cloudsnapshots/{id}: allowed by the wildcard.
    tmux.keys(&["k", "k", "k"]);
    tmux.wait_for("✔ evs:snapshots:get  allowed by evs:*:get (statement 1)");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn hangup_saves_draft_and_exits() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let tmux = Launch::explorer().start(&home);
    wait_started(&tmux);
    pick_both_rollbacks(&tmux);
    let explorers = tmux.explorer_pids();
    assert_eq!(explorers.len(), 1, "one explorer process: {explorers:?}");

    // Killing the tmux server closes the terminal under the explorer, as closing a terminal window does.
    tmux.run(&["kill-server"]);
    let start = std::time::Instant::now();
    while terminal::process_running(explorers[0]) {
        assert!(start.elapsed() < terminal::TIMEOUT, "the explorer kept running after its terminal closed");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(home.draft_path()).unwrap()).unwrap();
    assert_eq!(saved["picked"], serde_json::json!([CLOUD_ROLLBACK, VENDOR_ROLLBACK]));
}

#[test]
fn help_overlay_shows_whole_legend() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let legends = [
        ("C.UTF-8", "✔ callable  ? conditional  ✘ not callable  - not in this scope  * picked"),
        ("zh_CN.UTF-8", "✔ 可调用  ? 有条件  ✘ 不可调用  - 此范围不生效  * 已选"),
    ];
    for (locale, legend) in legends {
        let home = Home::new();
        let tmux = Launch::explorer().env("LANG", locale).start(&home);
        tmux.wait_for("0/19");
        tmux.keys(&["?"]);
        let screen = tmux.wait_for("Esc");
        assert!(screen.contains(legend), "the {locale} help should show the whole legend:\n{screen}");
    }
}

#[test]
fn resize_keeps_state() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let tmux = Launch::explorer().start(&home);
    wait_started(&tmux);
    pick_both_rollbacks(&tmux);

    // The help overlay, open across the resizes.
    tmux.keys(&["?"]);
    let before = tmux.wait_for("Press ? or Esc to close");
    resize_round_trip(&tmux);
    let after = tmux.wait_for("Press ? or Esc to close");
    assert_eq!(after, before, "the screen should come back unchanged");
    tmux.keys(&["?"]);
    let screen = tmux.wait_gone("Press ? or Esc to close");
    assert!(screen.contains("┌ APIs 2/19 matching \"hgkz\" ─"), "the search survives:\n{screen}");
    assert_eq!(row_marks(&screen), ["✔*", "✔*"], "{screen}");

    // The export dialog, open across the resizes, with a half-typed path.
    tmux.keys(&["e"]);
    tmux.wait_for("Export policy");
    tmux.keys(&["C-u"]);
    tmux.type_text("/tmp/half-typed");
    let before = tmux.wait_for("/tmp/half-typed");
    resize_round_trip(&tmux);
    let after = tmux.wait_for("/tmp/half-typed");
    assert_eq!(after, before, "the dialog should come back unchanged");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Export policy");

    // Selection: the second row is still the selected one, so k and Space unpick the first row.
    tmux.keys(&["k", "Space"]);
    let screen = tmux.wait_for("Unpicked ");
    assert_eq!(table_rows(&screen).iter().filter(|row| row.starts_with("✔*")).count(), 1, "{screen}");
    assert!(tmux.explorer_running());
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn quit_restores_shell() {
    if !tools_present(&["tmux", "bash"]) {
        return;
    }
    let home = Home::new();
    let tmux = Launch::shell().start(&home);
    tmux.wait_for("e2e$");
    tmux.type_text("stty -g > before.txt");
    tmux.keys(&["Enter"]);

    for (round, quit_key) in ["q", "C-c"].iter().enumerate() {
        tmux.type_text(&format!("\"$PERMSCOPE\"; echo \"exit{round}=$?\""));
        tmux.keys(&["Enter"]);
        wait_started(&tmux);
        // The explorer switched the terminal over, so the checks after quitting can fail.
        assert_eq!(tmux.format("#{alternate_on} #{mouse_any_flag}"), "1 1");

        tmux.keys(&[quit_key]);
        tmux.wait_for(&format!("exit{round}=0"));
        assert_eq!(tmux.format("#{alternate_on}"), "0", "left the alternate screen");
        assert_eq!(tmux.format("#{mouse_any_flag} #{mouse_button_flag} #{mouse_sgr_flag}"), "0 0 0", "mouse reporting off");
        assert_eq!(tmux.format("#{cursor_flag}"), "1", "cursor visible");

        let after = format!("after{round}.txt");
        tmux.type_text(&format!("stty -g > {after}; echo ok-$((40+{round}))"));
        tmux.keys(&["Enter"]);
        tmux.wait_for(&format!("ok-{}", 40 + round));
        let before = std::fs::read_to_string(home.path().join("before.txt")).unwrap();
        let restored = std::fs::read_to_string(home.path().join(&after)).unwrap();
        assert!(!before.trim().is_empty());
        assert_eq!(restored, before, "terminal settings after quitting with {quit_key}");
    }
}

#[test]
fn refuses_without_terminal_in_shell() {
    if !tools_present(&["tmux", "bash"]) {
        return;
    }
    let home = Home::new();
    // Wide enough for the error message on one line.
    let tmux = Launch::shell().size(200, 20).start(&home);
    tmux.wait_for("e2e$");

    tmux.type_text("\"$PERMSCOPE\" > out.txt; echo \"piped-exit=$?\"");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("piped-exit=2");
    assert!(screen.contains("permscope: error: The explorer needs an interactive terminal."), "{screen}");
    assert!(screen.contains("permscope check, search, policy"), "{screen}");
    assert_eq!(std::fs::read(home.path().join("out.txt")).unwrap(), b"", "nothing written to stdout");

    tmux.type_text("TERM=dumb \"$PERMSCOPE\"; echo \"dumb-exit=$?\"");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("dumb-exit=2");
    assert!(screen.contains("The explorer cannot run with TERM=dumb."), "{screen}");
    assert!(!home.draft_path().exists(), "no draft is saved when the explorer does not start");
}

/// The binary with a clean environment in a temporary home.
fn bare_command(home: &Home) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(terminal::BIN);
    command.env_clear().env("HOME", home.path()).env("XDG_DATA_HOME", home.data_home()).env("PATH", "/usr/bin:/bin");
    command
}

#[test]
fn dumb_terminal_exits_2() {
    let home = Home::new();
    let assert = bare_command(&home).env("TERM", "dumb").env("LANG", "C.UTF-8").assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("cannot run with TERM=dumb"), "{stderr}");
    assert!(stderr.contains("permscope check, search, policy"), "{stderr}");
    assert!(assert.get_output().stdout.is_empty());

    let assert = bare_command(&home).env("TERM", "dumb").env("LANG", "zh_CN.UTF-8").assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("TERM=dumb 时无法运行全屏界面"), "{stderr}");
    assert!(!home.draft_path().exists());
}

#[test]
fn piped_stdout_exits_2() {
    let home = Home::new();
    let assert = bare_command(&home).env("TERM", "xterm-256color").env("LANG", "C.UTF-8").assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("needs an interactive terminal"), "{stderr}");
    assert!(stderr.contains("permscope check, search, policy (see permscope --help)"), "{stderr}");
    assert!(assert.get_output().stdout.is_empty());
    assert!(!home.draft_path().exists());
}
