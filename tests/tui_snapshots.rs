//! Whole-screen snapshots of the explorer's main states in English and Chinese, drawn on ratatui's
//! TestBackend. Review a changed snapshot by reading it as a screen: symbols, not colours, carry state.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use permscope::catalog::{Catalog, Lang};
use permscope::policy::Policy;
use permscope::tui::action::Action;
use permscope::tui::app::App;
use permscope::tui::keymap;
use permscope::tui::theme::Theme;
use permscope::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app(lang: Lang, width: u16, height: u16) -> App {
    let mut app = App::new(Catalog::builtin(), lang, Theme::new(false));
    app.export_default = Some("/home/user/permscope-policy.json".into());
    app.update(Action::Resize(width, height));
    app
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        if let Some(action) = keymap::resolve(app.context(), &KeyEvent::new(code, KeyModifiers::NONE)) {
            app.update(action);
        }
    }
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|frame| view::render(frame, app)).unwrap();
    terminal.backend().to_string()
}

fn both(name: &str, setup: impl Fn(&mut App), width: u16, height: u16) {
    for (lang, suffix) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut app = app(lang, width, height);
        setup(&mut app);
        insta::assert_snapshot!(format!("{name}_{suffix}"), screen(&app));
    }
}

#[test]
fn start_screen() {
    both("start", |_| {}, 140, 40);
}

#[test]
fn search_and_pick_rollbacks() {
    both("rollbacks_picked", |app| press(app, "/hgkz\n j "), 140, 40);
}

#[test]
fn enterprise_scope() {
    both("enterprise", |app| press(app, "/hgkz\n j s"), 140, 40);
}

#[test]
fn search_field_open() {
    both("searching", |app| press(app, "/huigun"), 140, 40);
}

#[test]
fn export_dialog() {
    both("export", |app| press(app, "\t e"), 140, 40);
}

#[test]
fn help_overlay() {
    both("help", |app| press(app, "?"), 140, 44);
}

#[test]
fn narrow_stacked_actions() {
    both("narrow_actions", |app| press(app, "\t j "), 72, 30);
}

#[test]
fn narrow_table_wide_chars() {
    // Chinese names and full-width parentheses cut at a column edge must not be split.
    both("narrow_table", |app| press(app, "jj"), 50, 24);
}

#[test]
fn common_terminal_keeps_required_actions() {
    // Row 10 needs three actions. At 80x24 the aliases, scopes and other-language name give way so
    // that all three show.
    both("details_80x24", |app| press(app, "jjjjjjjjj"), 80, 24);
}

#[test]
fn long_path_keeps_required_actions() {
    // A 139-character OPTIONS path wraps to three rows at 80 columns, so the lines that give way
    // must make room for those rows too.
    let path = format!("/v2/{{project_id}}/{}", "snapshots/{snapshot_id}/metadata/".repeat(4));
    let text = serde_json::json!({"service": "evs", "apis": [{
        "name": {"zh": "很长路径的接口", "en": "An API with a long path"},
        "method": "OPTIONS", "path": path, "aliases": ["/v3/x"],
        "actions": ["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"],
        "scopes": {"project": true, "enterprise_project": false}}]})
    .to_string();
    let catalog = Catalog::parse("long.json", &text).unwrap();
    for lang in [Lang::En, Lang::Zh] {
        for (width, height) in [(80, 24), (100, 30)] {
            let mut app = App::new(catalog.clone(), lang, Theme::new(false));
            app.update(Action::Resize(width, height));
            let drawn = screen(&app);
            for action in ["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"] {
                assert!(drawn.contains(action), "{lang:?} {width}x{height}: {action}\n{drawn}");
            }
            assert!(drawn.contains("OPTIONS "), "{lang:?} {width}x{height}\n{drawn}");
        }
    }
}

#[test]
fn too_small() {
    both("too_small", |_| {}, 30, 8);
}

#[test]
fn loaded_policy_with_deny() {
    both(
        "loaded_policy",
        |app| {
            let text = r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:*:get*","evs:snapshots:list"]},{"Effect":"Deny","Action":["evs:volumes:get"]}]}"#;
            let parsed = Policy::parse("p.json", text).unwrap();
            app.load_policy("p.json", text, &parsed.policy);
            press(app, "jjjjjjjjj");
        },
        140,
        40,
    );
}

#[test]
fn findings_and_source() {
    both(
        "findings_source",
        |app| {
            let text = "{\"Version\": \"1.1\", \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": [\"evs:*:*\"]},\n  {\"Effect\": \"Deny\", \"Action\": [\"EVS:snapshot:delete\"]}\n]}\n";
            let parsed = Policy::parse("p.json", text).unwrap();
            app.load_policy("p.json", text, &parsed.policy);
            press(app, "\t\tj\n");
        },
        140,
        40,
    );
}

#[test]
fn export_terraform_dialog() {
    both(
        "export_terraform",
        |app| {
            press(app, "\t e");
            app.update(Action::ExportNextFormat);
            app.update(Action::ExportNextFormat);
        },
        140,
        40,
    );
}

#[test]
fn request_prompt() {
    both(
        "request",
        |app| {
            press(app, "r");
            app.update(Action::Paste("DELETE /v3/0a1b/snapshots/5e6f".into()));
        },
        140,
        40,
    );
}

#[test]
fn control_characters_escaped() {
    let catalog = Catalog::parse(
        "evil.json",
        r#"{"service": "evs", "apis": [{"name": {"zh": "快照\u001b[2J", "en": "Snap\u001b]52;c;aGk=\u0007shot"}, "method": "GET", "path": "/v2/x\u009b", "actions": ["evs:snapshots:get"], "scopes": {"project": true, "enterprise_project": false}}]}"#,
    );
    // Paths must not contain control characters, so the catalog is rejected...
    assert!(catalog.is_err());
    // ...but names may, and are shown escaped.
    let catalog = Catalog::parse(
        "evil.json",
        r#"{"service": "evs", "apis": [{"name": {"zh": "快照\u001b[2J", "en": "Snap\u001b]52;c;aGk=\u0007shot"}, "method": "GET", "path": "/v2/x", "actions": ["evs:snapshots:get"], "scopes": {"project": true, "enterprise_project": false}}]}"#,
    )
    .unwrap();
    let mut app = App::new(catalog, Lang::En, Theme::new(false));
    app.update(Action::Resize(120, 20));
    let text = screen(&app);
    assert!(!text.contains('\u{1b}'), "an escape character reached the screen");
    assert!(text.contains("Snap\\x1b]52;c;aGk=\\x07shot"), "{text}");
}

/// A catalog of many services and APIs: the header gives the service list's room to the scope and the
/// counts, and the long table leaves room for the detail pane.
#[test]
fn many_services_header() {
    let catalog = permscope::synth::synthesize(500, 1);
    let services = catalog.service.split(',').count();
    assert!(services > 20, "the synthetic catalog spans {services} services");
    for (lang, expected) in [(Lang::En, format!("{services} services")), (Lang::Zh, format!("{services} 个服务"))] {
        let mut app = App::new(catalog.clone(), lang, Theme::new(false));
        app.update(Action::Resize(120, 40));
        let header = screen(&app).lines().next().unwrap().to_owned();
        assert!(header.contains(&expected), "{header}");
        let counts = match lang {
            Lang::En => "0/500 callable, 0 conditional",
            Lang::Zh => "可调用 0/500，有条件 0",
        };
        assert!(header.contains(counts), "{header}");
        assert!(header.contains(match lang { Lang::En => "EN", Lang::Zh => "中文" }), "{header}");
        // 500 rows do not push the detail pane off the screen.
        let required = match lang {
            Lang::En => "Required actions:",
            Lang::Zh => "所需授权项：",
        };
        let shown = screen(&app);
        assert!(shown.replace(' ', "").contains(&required.replace(' ', "")), "{shown}");
    }
}

/// A status message longer than the screen is wide wraps onto more lines instead of being cut.
#[test]
fn long_status_wraps() {
    use permscope::tui::action::CopyOutcome;

    both(
        "long_status",
        |app| {
            press(app, " ");
            let reason = Some("X11 server connection timed out".to_owned());
            app.update(Action::CopyDone(CopyOutcome::Terminal { through_tmux: true, fallback_reason: reason }));
        },
        80,
        24,
    );
}
