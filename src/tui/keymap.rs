//! The one table of key bindings. Key handling, the footer hints and the help overlay all read it, so
//! a hint can never name a key that does something else.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::strings::Strings;

/// The part of the interface a binding applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Whenever no dialog or field has the keyboard.
    Global,
    /// Any of the three panes: movement keys.
    Panes,
    Table,
    Actions,
    Policy,
    Findings,
    Search,
    Request,
    Export,
    Help,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

const fn plain(code: KeyCode) -> Key {
    Key { code, modifiers: KeyModifiers::NONE }
}

const fn ch(c: char) -> Key {
    plain(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), modifiers: KeyModifiers::CONTROL }
}

impl Key {
    fn matches(&self, event: &KeyEvent) -> bool {
        // Terminals report Shift with upper-case letters and some symbols (`?`, `G`); the character
        // already carries it.
        let mut modifiers = event.modifiers;
        if matches!(event.code, KeyCode::Char(_)) {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        self.code == event.code && self.modifiers == modifiers
    }

    /// Formats the key as the footer and help show it.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift-Tab".to_owned(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) { format!("Ctrl-{}", base.to_uppercase()) } else { base }
    }
}

pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub action: Action,
    pub label: fn(&Strings) -> &'static str,
    /// Shown in the footer as well as in the help.
    pub footer: bool,
}

const fn bind(context: Context, keys: &'static [Key], action: Action, label: fn(&Strings) -> &'static str, footer: bool) -> Binding {
    Binding { context, keys, action, label, footer }
}

use Context::*;

/// Every binding, in the order the footer and help list them.
pub const BINDINGS: &[Binding] = &[
    bind(Panes, &[ch('j'), plain(KeyCode::Down)], Action::MoveDown, |s| s.key_move, true),
    bind(Panes, &[ch('k'), plain(KeyCode::Up)], Action::MoveUp, |s| s.key_move, true),
    bind(Panes, &[plain(KeyCode::PageDown), ctrl('d')], Action::PageDown, |s| s.key_page, false),
    bind(Panes, &[plain(KeyCode::PageUp), ctrl('u')], Action::PageUp, |s| s.key_page, false),
    bind(Panes, &[ch('g'), plain(KeyCode::Home)], Action::Top, |s| s.key_top_bottom, false),
    bind(Panes, &[ch('G'), plain(KeyCode::End)], Action::Bottom, |s| s.key_top_bottom, false),
    bind(Table, &[ch(' ')], Action::Toggle, |s| s.key_pick, true),
    bind(Actions, &[ch(' ')], Action::Toggle, |s| s.key_toggle, true),
    bind(Findings, &[plain(KeyCode::Enter)], Action::Activate, |s| s.key_jump, true),
    bind(Global, &[plain(KeyCode::Tab)], Action::FocusNext, |s| s.key_focus, true),
    bind(Global, &[plain(KeyCode::BackTab)], Action::FocusPrevious, |s| s.key_focus, false),
    bind(Global, &[ch('/')], Action::OpenSearch, |s| s.key_search, true),
    bind(Global, &[ch('s')], Action::ToggleScope, |s| s.key_scope, true),
    bind(Global, &[ch('r')], Action::OpenRequest, |s| s.key_request, false),
    bind(Global, &[ch('v')], Action::ToggleSource, |s| s.key_source, false),
    bind(Global, &[ch('e')], Action::OpenExport, |s| s.key_export, true),
    bind(Global, &[ch('y')], Action::Copy, |s| s.key_copy, true),
    bind(Global, &[ch('L')], Action::ToggleLang, |s| s.key_lang, false),
    bind(Global, &[ch('?')], Action::ToggleHelp, |s| s.key_help, true),
    bind(Global, &[ch('q'), ctrl('c')], Action::Quit, |s| s.key_quit, true),
    bind(Search, &[plain(KeyCode::Enter)], Action::SearchAccept, |s| s.key_accept, true),
    bind(Search, &[plain(KeyCode::Esc)], Action::SearchCancel, |s| s.key_clear, true),
    bind(Search, &[plain(KeyCode::Down)], Action::MoveDown, |s| s.key_move, true),
    bind(Search, &[plain(KeyCode::Up)], Action::MoveUp, |s| s.key_move, true),
    bind(Search, &[ctrl('c')], Action::Quit, |s| s.key_quit, false),
    bind(Request, &[plain(KeyCode::Enter)], Action::RequestSubmit, |s| s.key_find, true),
    bind(Request, &[plain(KeyCode::Esc)], Action::RequestCancel, |s| s.key_cancel, true),
    bind(Request, &[ctrl('c')], Action::Quit, |s| s.key_quit, false),
    bind(Export, &[plain(KeyCode::Enter)], Action::ExportConfirm, |s| s.key_write, true),
    bind(Export, &[plain(KeyCode::Tab)], Action::ExportNextFormat, |s| s.key_format, true),
    bind(Export, &[plain(KeyCode::Down)], Action::ExportNextField, |s| s.key_field, true),
    bind(Export, &[plain(KeyCode::Up)], Action::ExportPreviousField, |s| s.key_field, true),
    bind(Export, &[plain(KeyCode::Esc)], Action::ExportCancel, |s| s.key_cancel, true),
    bind(Export, &[ctrl('c')], Action::Quit, |s| s.key_quit, false),
    bind(Help, &[ch('?'), plain(KeyCode::Esc), ch('q')], Action::ToggleHelp, |s| s.key_close, true),
    bind(Help, &[ctrl('c')], Action::Quit, |s| s.key_quit, false),
];

/// Returns the contexts searched for a key, most specific first.
pub fn contexts_for(mode: Context) -> &'static [Context] {
    match mode {
        Table => &[Table, Panes, Global],
        Actions => &[Actions, Panes, Global],
        Policy => &[Policy, Panes, Global],
        Findings => &[Findings, Panes, Global],
        Search => &[Search],
        Request => &[Request],
        Export => &[Export],
        Help => &[Help],
        Global | Panes => &[Global],
    }
}

/// Resolves a key press in `mode` to its action. Keys without a binding become text edits in the search,
/// request and export fields and are ignored elsewhere.
pub fn resolve(mode: Context, event: &KeyEvent) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    for context in contexts_for(mode) {
        if let Some(binding) = BINDINGS.iter().find(|b| b.context == *context && b.keys.iter().any(|k| k.matches(event))) {
            return Some(binding.action.clone());
        }
    }
    matches!(mode, Search | Request | Export).then(|| Action::Edit(*event))
}

/// One hint: the keys' labels and what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: Vec<String>,
    pub label: &'static str,
}

impl Hint {
    /// Formats the keys as shown: `j/k`.
    pub fn keys_text(&self) -> String {
        self.keys.join("/")
    }
}

/// Hints for `mode`'s contexts. Bindings with the same label are merged (`j/k move`), each showing
/// its first key.
pub fn hints(mode: Context, strings: &Strings, footer_only: bool) -> Vec<Hint> {
    let mut hints: Vec<Hint> = Vec::new();
    for context in contexts_for(mode) {
        for binding in BINDINGS.iter().filter(|b| b.context == *context && (b.footer || !footer_only)) {
            let label = (binding.label)(strings);
            let key = binding.keys[0].label();
            match hints.iter_mut().find(|h| h.label == label) {
                Some(hint) => {
                    if !hint.keys.contains(&key) {
                        hint.keys.push(key);
                    }
                }
                None => hints.push(Hint { keys: vec![key], label }),
            }
        }
    }
    hints
}

/// Lists every binding of one context with all its keys, for the help overlay.
pub fn help_rows(context: Context, strings: &Strings) -> Vec<(String, &'static str)> {
    let mut rows: Vec<(String, &'static str)> = Vec::new();
    for binding in BINDINGS.iter().filter(|b| b.context == context) {
        let keys = binding.keys.iter().map(Key::label).collect::<Vec<_>>().join(" ");
        let label = (binding.label)(strings);
        match rows.iter_mut().find(|(_, l)| *l == label) {
            Some(row) => row.0 = format!("{} {keys}", row.0),
            None => rows.push((keys, label)),
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Lang;
    use crate::tui::strings::strings;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn table_keys_resolve() {
        assert_eq!(resolve(Table, &key(KeyCode::Char('j'), KeyModifiers::NONE)), Some(Action::MoveDown));
        assert_eq!(resolve(Table, &key(KeyCode::Char(' '), KeyModifiers::NONE)), Some(Action::Toggle));
        assert_eq!(resolve(Table, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Action::Bottom));
        assert_eq!(resolve(Table, &key(KeyCode::Char('?'), KeyModifiers::SHIFT)), Some(Action::ToggleHelp));
        assert_eq!(resolve(Table, &key(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::Quit));
        assert_eq!(resolve(Table, &key(KeyCode::Char('x'), KeyModifiers::NONE)), None);
    }

    #[test]
    fn search_keys_become_edits() {
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(resolve(Search, &q), Some(Action::Edit(q)));
        assert_eq!(resolve(Search, &key(KeyCode::Esc, KeyModifiers::NONE)), Some(Action::SearchCancel));
        assert_eq!(resolve(Search, &key(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::Quit));
    }

    #[test]
    fn footer_hints_come_from_bindings() {
        let hints = hints(Table, strings(Lang::En), true);
        let text: Vec<String> = hints.iter().map(|h| format!("{} {}", h.keys_text(), h.label)).collect();
        assert_eq!(text[0], "Space pick API");
        assert_eq!(text[1], "j/k move");
        assert!(text.contains(&"q quit".to_owned()));
        for hint in &hints {
            for key in &hint.keys {
                let bound = BINDINGS.iter().any(|b| contexts_for(Table).contains(&b.context) && b.keys.iter().any(|k| k.label() == *key));
                assert!(bound, "hint key {key} is not bound in the table");
            }
        }
    }

    #[test]
    fn no_key_bound_twice_in_one_context() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                if a.context == b.context {
                    for key in a.keys {
                        assert!(!b.keys.contains(key), "{:?} bound twice in {:?}", key, a.context);
                    }
                }
            }
        }
    }
}
