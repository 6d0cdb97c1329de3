//! The explorer's state machine driven by keys and actions, with no terminal. Expected rows and
//! policies are worked out by hand from the EVS snapshot permission table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use permscope::catalog::{Catalog, Lang, Scope};
use permscope::policy::Policy;
use permscope::tui::action::{Action, CopyOutcome, ExportResult};
use permscope::tui::app::{App, Effect, StatusKind};
use permscope::tui::keymap;
use permscope::tui::layout::Focus;
use permscope::tui::theme::Theme;

fn app() -> App {
    let mut app = App::new(Catalog::builtin(), Lang::En, Theme::new(false));
    app.state_path = Some("/nonexistent/draft.json".into());
    app.export_default = Some("/tmp/permscope-policy.json".into());
    app.update(Action::Resize(160, 45));
    app
}

/// Presses keys as the run loop would: each key is resolved in the context the previous one left.
fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in keys.chars() {
        let event = match c {
            '\n' => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
            '\x1b' => KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
            '\t' => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
            '↓' => KeyEvent::new(KeyCode::Down, KeyModifiers::NONE),
            c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
        };
        if let Some(action) = keymap::resolve(app.context(), &event) {
            effects.extend(app.update(action));
        }
    }
    effects
}

fn shown_keys(app: &App) -> Vec<String> {
    app.rows.iter().map(|hit| app.catalog.apis[hit.api].key()).collect()
}

fn callable_keys(app: &App) -> Vec<String> {
    app.catalog.apis.iter().zip(&app.verdicts).filter(|(_, v)| v.callable).map(|(api, _)| api.key()).collect()
}

const CLOUD_ROLLBACK: &str = "POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback";
const VENDOR_ROLLBACK: &str = "POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback";

#[test]
fn starts_with_every_api() {
    let app = app();
    assert_eq!(app.rows.len(), 19);
    assert_eq!(shown_keys(&app)[0], "POST /v2/{project_id}/snapshots");
    assert!(callable_keys(&app).is_empty());
    assert_eq!(app.focus, Focus::Table);
}

#[test]
fn search_filters_as_you_type() {
    let mut app = app();
    press(&mut app, "/hgkz");
    let mut shown = shown_keys(&app);
    shown.sort();
    assert_eq!(shown, [CLOUD_ROLLBACK, VENDOR_ROLLBACK]);
    // Typed letters went to the field, not to the table's keys (k would move, g would jump).
    assert_eq!(app.search.value(), "hgkz");
    press(&mut app, "\n");
    assert!(!app.searching);
    assert_eq!(app.rows.len(), 2, "Enter keeps the filter");
    press(&mut app, "/\x1b");
    assert_eq!(app.rows.len(), 19, "Esc clears the search");
    assert_eq!(app.search.value(), "");
}

#[test]
fn multi_term_search() {
    let mut app = app();
    press(&mut app, "/delete metadata\n");
    assert_eq!(shown_keys(&app), ["DELETE /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}"]);
}

#[test]
fn picking_rollbacks_then_enterprise_scope() {
    let mut app = app();
    press(&mut app, "/hgkz\n j ");
    // The cloudsnapshots rollback needs evs:snapshots:rollback; the os-vendor one also needs
    // evs:snapshots:get and evs:volumes:get. With those three granted, every API whose actions are a
    // subset is callable in project scope too.
    let mut callable = callable_keys(&app);
    callable.sort();
    assert_eq!(
        callable,
        [
            "GET /v2/{project_id}/cloudsnapshots/{snapshot_id}",
            "GET /v2/{project_id}/snapshots/{snapshot_id}",
            "GET /v2/{project_id}/snapshots/{snapshot_id}/metadata",
            "GET /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
            CLOUD_ROLLBACK,
            VENDOR_ROLLBACK,
        ]
    );

    press(&mut app, "s");
    assert_eq!(app.scope, Scope::Enterprise);
    // Enterprise project scope: only rows marked √ under 企业项目 remain callable.
    let mut callable = callable_keys(&app);
    callable.sort();
    assert_eq!(callable, ["GET /v2/{project_id}/cloudsnapshots/{snapshot_id}", CLOUD_ROLLBACK]);

    let expected = Policy::allowing(["evs:snapshots:get", "evs:snapshots:rollback", "evs:volumes:get"]).to_pretty_json();
    assert_eq!(app.exported_text(), expected);
}

#[test]
fn second_space_unpicks() {
    let mut app = app();
    press(&mut app, "/hgkz\n");
    let vendor_row = shown_keys(&app).iter().position(|k| k == VENDOR_ROLLBACK).unwrap();
    for _ in 0..vendor_row {
        press(&mut app, "j");
    }
    press(&mut app, " ");
    assert_eq!(app.draft.granted_actions(&app.catalog).len(), 3);
    press(&mut app, " ");
    assert!(app.draft.granted_actions(&app.catalog).is_empty());
    assert!(app.policy_text.is_empty());
}

#[test]
fn action_list_toggles() {
    let mut app = app();
    press(&mut app, "\t");
    assert_eq!(app.focus, Focus::Actions);
    // Actions are sorted: create, delete, get, list, rollback, update, volumes:get.
    press(&mut app, "jjj ");
    assert_eq!(app.draft.grants.iter().collect::<Vec<_>>(), ["evs:snapshots:list"]);
    // evs:snapshots:list alone makes the three list rows callable.
    assert_eq!(
        callable_keys(&app),
        ["GET /v2/{project_id}/snapshots", "GET /v2/{project_id}/snapshots/detail", "GET /v2/{project_id}/cloudsnapshots/detail"]
    );
    press(&mut app, " ");
    assert!(app.draft.grants.is_empty());
}

#[test]
fn export_flow() {
    let mut app = app();
    press(&mut app, "\t ");
    press(&mut app, "e");
    assert!(app.export.is_some());
    let effects = press(&mut app, "\n");
    let [Effect::Export { path, contents, replace }] = effects.as_slice() else { panic!("expected one export, got {effects:?}") };
    assert_eq!(path, "/tmp/permscope-policy.json");
    assert!(!replace);
    assert_eq!(contents, &Policy::allowing(["evs:snapshots:create"]).to_pretty_json());

    // The run loop finds the file exists: the dialog asks, and Enter again replaces.
    app.update(Action::ExportDone { path: path.into(), result: ExportResult::Exists });
    assert!(app.export.as_ref().unwrap().message.as_ref().unwrap().text.contains("exists"));
    let effects = press(&mut app, "\n");
    assert!(matches!(effects.as_slice(), [Effect::Export { replace: true, .. }]));
    app.update(Action::ExportDone { path: path.into(), result: ExportResult::Written(120) });
    assert!(app.export.is_none());
    assert_eq!(app.status.as_ref().unwrap().kind, StatusKind::Success);
}

#[test]
fn export_edits_reset_replace_confirmation() {
    let mut app = app();
    press(&mut app, "\t e\n");
    app.update(Action::ExportDone { path: "/tmp/permscope-policy.json".into(), result: ExportResult::Exists });
    press(&mut app, "x");
    let effects = press(&mut app, "\n");
    let [Effect::Export { path, replace, .. }] = effects.as_slice() else { panic!("expected an export") };
    assert_eq!(path, "/tmp/permscope-policy.jsonx");
    assert!(!replace, "a changed path needs its own confirmation");
}

#[test]
fn export_failure_keeps_dialog() {
    let mut app = app();
    press(&mut app, "\t e\n");
    let error = "Permission denied (os error 13)".to_owned();
    app.update(Action::ExportDone { path: "/tmp/permscope-policy.json".into(), result: ExportResult::Failed(error) });
    let dialog = app.export.as_ref().expect("the dialog stays open so the path can be fixed");
    let message = &dialog.message.as_ref().unwrap().text;
    assert!(message.contains("/tmp/permscope-policy.json") && message.contains("Permission denied"), "{message}");
}

#[test]
fn export_without_home_needs_path() {
    let mut app = app();
    app.export_default = None;
    press(&mut app, "\t e");
    assert_eq!(app.export.as_ref().unwrap().path.value(), "");
    let effects = press(&mut app, "\n");
    assert!(effects.is_empty());
    press(&mut app, "/tmp/p.json");
    let effects = press(&mut app, "\n");
    assert!(matches!(effects.as_slice(), [Effect::Export { path, .. }] if path == "/tmp/p.json"));
}

#[test]
fn copy_reports_each_way() {
    let mut app = app();
    let effects = press(&mut app, "y");
    assert!(matches!(effects.as_slice(), [Effect::Copy(_)]));
    app.update(Action::CopyDone(CopyOutcome::Terminal { through_tmux: false, fallback_reason: None }));
    assert!(app.status.as_ref().unwrap().text.contains("OSC 52"));
    app.update(Action::CopyDone(CopyOutcome::System { persistent: true }));
    assert!(app.status.as_ref().unwrap().text.contains("stays there after permscope exits"));
    app.update(Action::CopyDone(CopyOutcome::Terminal { through_tmux: false, fallback_reason: Some("no X".into()) }));
    assert!(app.status.as_ref().unwrap().text.contains("no X"));
}

#[test]
fn quit_saves_draft() {
    let mut app = app();
    press(&mut app, "\t ");
    let effects = press(&mut app, "q");
    assert!(app.should_quit());
    let [Effect::Save(saved)] = effects.as_slice() else { panic!("expected a save, got {effects:?}") };
    assert_eq!(saved.grants, ["evs:snapshots:create"]);
}

#[test]
fn changes_saved_after_pause() {
    let mut app = app();
    press(&mut app, "\t ");
    assert!(app.update(Action::Tick).is_empty(), "the first tick after a change waits");
    assert!(matches!(app.update(Action::Tick).as_slice(), [Effect::Save(_)]));
    assert!(app.update(Action::Tick).is_empty(), "nothing to save until the next change");
}

#[test]
fn no_state_path_no_save() {
    let mut app = app();
    app.state_path = None;
    press(&mut app, "\t ");
    assert!(press(&mut app, "q").is_empty());
}

#[test]
fn resize_keeps_selection_and_search() {
    let mut app = app();
    press(&mut app, "/snap\njjj");
    let selected = app.selected_api();
    let query = app.search.value().to_owned();
    for (width, height) in [(1, 1), (10, 3), (80, 2), (120, 40)] {
        app.update(Action::Resize(width, height));
        assert_eq!(app.selected_api(), selected, "after resize to {width}x{height}");
        assert_eq!(app.search.value(), query);
    }
}

#[test]
fn page_and_ends_move() {
    let mut app = app();
    press(&mut app, "G");
    assert_eq!(app.table.selected, 18);
    press(&mut app, "g");
    assert_eq!(app.table.selected, 0);
    app.update(Action::Resize(160, 14));
    app.update(Action::PageDown);
    assert!(app.table.selected > 0);
    assert!(app.table.offset <= app.table.selected);
}

#[test]
fn click_selects_row() {
    let mut app = app();
    // Wide layout: the table's top border is row 1, headings row 2, first API row 3.
    app.update(Action::Click { column: 10, row: 5 });
    assert_eq!(app.table.selected, 2);
    app.update(Action::Scroll { column: 10, row: 5, down: true });
    assert_eq!(app.table.selected, 5);
}

#[test]
fn help_and_language() {
    let mut app = app();
    press(&mut app, "?");
    assert!(app.show_help);
    press(&mut app, "j");
    assert_eq!(app.table.selected, 0, "keys do not reach the table under the help");
    press(&mut app, "?");
    assert!(!app.show_help);
    press(&mut app, "L");
    assert_eq!(app.lang, Lang::Zh);
    press(&mut app, "s");
    assert!(app.status.as_ref().unwrap().text.contains("企业项目"));
}

#[test]
fn paste_into_search() {
    let mut app = app();
    press(&mut app, "/");
    app.update(Action::Paste("huigun\n".into()));
    assert_eq!(app.search.value(), "huigun ");
    assert_eq!(app.rows.len(), 2);
}

#[test]
fn loaded_policy_shows_wildcards_and_denies() {
    let mut app = app();
    let text = r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:*:get*","evs:snapshots:list"]},{"Effect":"Deny","Action":["evs:volumes:get"]}]}"#;
    let parsed = Policy::parse("p.json", text).unwrap();
    app.load_policy("p.json", text, &parsed.policy);
    assert_eq!(app.draft.grants.iter().collect::<Vec<_>>(), ["evs:snapshots:list"]);
    let row = app.action_rows.iter().find(|r| r.action == "evs:volumes:get").unwrap();
    assert_eq!(row.status, permscope::eval::ActionStatus::Denied);
    let row = app.action_rows.iter().find(|r| r.action == "evs:snapshots:get").unwrap();
    assert_eq!(row.status, permscope::eval::ActionStatus::Allowed);
    assert!(!row.granted, "allowed by the kept wildcard, not by a grant of the draft");
    // Export keeps the wildcard and the Deny.
    let exported = app.exported_text();
    assert!(exported.contains("evs:*:get*") && exported.contains("\"Deny\""), "{exported}");
}

#[test]
fn request_prompt_selects_api() {
    let mut app = app();
    press(&mut app, "/metadata\n");
    press(&mut app, "r");
    app.update(Action::Paste("DELETE https://evs.cn-north-4.myhuaweicloud.com/v3/0a1b2c/snapshots/5e6f?force=true".into()));
    press(&mut app, "\n");
    assert!(app.request.is_none());
    assert_eq!(app.search.value(), "", "the filter is cleared so the row is visible");
    // The v3 alias of DELETE /v2/{project_id}/snapshots/{snapshot_id}.
    let selected = app.selected_api().unwrap();
    assert_eq!(app.catalog.apis[selected].key(), "DELETE /v2/{project_id}/snapshots/{snapshot_id}");
    assert_eq!(app.status.as_ref().unwrap().kind, StatusKind::Success);
}

#[test]
fn request_prompt_reports_no_match() {
    let mut app = app();
    press(&mut app, "r");
    app.update(Action::Paste("GET /v2/p/cloudsnapshot".into()));
    press(&mut app, "\n");
    assert!(app.request.is_none(), "the prompt closes so the status line shows why");
    let status = app.status.as_ref().unwrap();
    assert_eq!(status.kind, StatusKind::Warning);
    assert!(status.text.contains("Closest"), "{}", status.text);
}

#[test]
fn findings_jump_to_statement() {
    let mut app = app();
    let text = "{\"Version\": \"1.1\", \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": [\"evs:snapshots:get\"]},\n  {\"Effect\": \"Allow\", \"Action\": [\"evs:snapshot:list\"]}\n]}\n";
    let parsed = Policy::parse("p.json", text).unwrap();
    app.load_policy("p.json", text, &parsed.policy);
    let codes: Vec<&str> = app.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["unknown-action"]);
    press(&mut app, "\t\t");
    assert_eq!(app.focus, Focus::Findings);
    press(&mut app, "\n");
    assert_eq!(app.focus, Focus::Policy);
    assert_eq!(app.policy_view, permscope::tui::app::PolicyView::Source);
    assert_eq!(app.source_line, Some(3));
    press(&mut app, "v");
    assert_eq!(app.policy_view, permscope::tui::app::PolicyView::Draft);
}

#[test]
fn focus_skips_empty_findings() {
    let mut app = app();
    press(&mut app, "\t\t");
    assert_eq!(app.focus, Focus::Policy);
}

#[test]
fn export_terraform_format() {
    let mut app = app();
    press(&mut app, "\t ");
    press(&mut app, "e");
    let dialog = app.export.as_mut().unwrap();
    dialog.cycle_format();
    dialog.cycle_format();
    let effects = press(&mut app, "\n");
    let [Effect::Export { path, contents, .. }] = effects.as_slice() else { panic!("expected an export, got {effects:?}") };
    assert_eq!(path, "/tmp/permscope-policy.tf");
    assert!(contents.starts_with("resource \"huaweicloud_identity_role\" "), "{contents}");
    assert!(contents.contains("evs:snapshots:create"));
}

#[test]
fn export_requires_description() {
    let mut app = app();
    press(&mut app, "\t ");
    press(&mut app, "e");
    app.export.as_mut().unwrap().cycle_format();
    // Down moves to the name, Down again to the description; Ctrl-U clears it.
    press(&mut app, "↓↓");
    app.update(Action::Edit(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
    assert_eq!(app.export.as_ref().unwrap().description.value(), "");
    let effects = press(&mut app, "\n");
    assert!(effects.is_empty());
    let message = &app.export.as_ref().unwrap().message.as_ref().unwrap().text;
    assert!(message.contains("description"), "{message}");
}

#[test]
fn export_empty_policy_rejected() {
    let mut app = app();
    let effects = press(&mut app, "e\n");
    assert!(effects.is_empty());
    assert!(app.export.as_ref().unwrap().message.as_ref().unwrap().text.contains("grant at least one action"));
}

/// Catalogs over the inline limit are matched on the run loop's worker: typing returns a search effect
/// per key, results of an older query are dropped, and the rows shown are highlighted for the query
/// they match.
#[test]
fn large_catalog_searches_on_the_worker() {
    use permscope::search::Ranked;
    use permscope::tui::app::INLINE_SEARCH_MAX_APIS;

    let catalog = permscope::synth::synthesize(INLINE_SEARCH_MAX_APIS + 1000, 1);
    let path = catalog.apis[10].path.clone();
    let mut app = App::new(catalog, Lang::En, Theme::new(false));
    app.update(Action::Resize(160, 45));
    assert_eq!(app.rows.len(), INLINE_SEARCH_MAX_APIS + 1000);

    let first = press(&mut app, "/x");
    let [Effect::Search { query, generation: old }] = &first[..] else { panic!("expected one search effect, got {first:?}") };
    assert_eq!(query, "x");
    assert!(app.search_pending);
    assert_eq!(app.rows.len(), INLINE_SEARCH_MAX_APIS + 1000, "the rows stay until results arrive");

    // Replace the query with the path of API 11 (catalog index 10).
    press(&mut app, "\x1b/");
    let typed = press(&mut app, &path);
    let Some(Effect::Search { query, generation }) = typed.last() else { panic!("expected a search effect, got {typed:?}") };
    assert_eq!(query, &path);

    app.update(Action::SearchDone { generation: *old, query: "x".into(), ranked: vec![Ranked { api: 3, score: 1 }] });
    assert!(app.search_pending, "a result for an older query is dropped");
    assert_eq!(app.rows.len(), INLINE_SEARCH_MAX_APIS + 1000);

    let ranked = vec![Ranked { api: 10, score: 500 }];
    app.update(Action::SearchDone { generation: *generation, query: path.clone(), ranked });
    assert!(!app.search_pending);
    assert_eq!(app.selected_api(), Some(10));
    // The whole path matches itself, character for character.
    let marks = app.highlights(10);
    let in_path = permscope::search::field_indices(&marks, permscope::search::Field::Path);
    assert_eq!(in_path, (0..path.chars().count()).collect::<Vec<_>>());
}
