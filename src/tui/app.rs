//! The explorer's state and its single entry point, [`App::update`]. Update never touches the terminal,
//! the clipboard or files: it returns [`Effect`]s for the run loop to perform, and the results come back
//! as actions. Tests drive it with actions alone.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::Event;
use ratatui::layout::{Position, Rect};
use tui_input::{Input, InputRequest};
use tui_input::backend::crossterm::EventHandler;

use super::action::{Action, CopyOutcome, ExportResult};
use super::export::ExportDialog;
use super::keymap::Context;
use super::layout::{self, Areas, Focus};
use super::state::SavedDraft;
use super::strings::{Strings, strings};
use super::theme::Theme;
use crate::catalog::{Catalog, Lang, Scope};
use crate::draft::{ActionToggle, ApiToggle, Draft};
use crate::eval::{ActionStatus, ActionTable, ApiVerdict, Evaluator, Match};
use crate::formats::{self, ExportError};
use crate::lint;
use crate::lookup::{self, RequestError};
use crate::policy::{Finding, MAX_CHARS, Policy};
use crate::text::{escape_controls, wrap_columns};
use crate::search::{Highlight, IncrementalSearch, Ranked, SearchIndex};

/// Work for the run loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Copy(String),
    /// Write `contents` to `path`; `replace` allows replacing an existing file.
    Export { path: String, contents: String, replace: bool },
    Save(SavedDraft),
    /// Match `query` on the search worker; results come back as [`Action::SearchDone`] with the same
    /// generation. Used for catalogs too large to search between two keystrokes.
    Search { query: String, generation: u64 },
}

/// Catalogs up to this many APIs are searched on the UI thread, where a keystroke costs about a millisecond
/// or less (an estimate from the 20,000-API benchmark). Larger catalogs are searched on a worker, so
/// typing does not wait for matching.
pub const INLINE_SEARCH_MAX_APIS: usize = 5_000;

/// Rows the status line grows to for a long message.
const MAX_STATUS_LINES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Success,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub kind: StatusKind,
}

/// The content of the policy pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PolicyView {
    /// The draft's policy, as export writes it.
    #[default]
    Draft,
    /// The policy file given with `--policy`, as written.
    Source,
}

/// The policy file the explorer started from.
pub struct Source {
    pub name: String,
    pub text: String,
}

/// A selection and scroll position in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    fn move_by(&mut self, delta: isize, len: usize) {
        if len == 0 {
            self.selected = 0;
            return;
        }
        self.selected = self.selected.saturating_add_signed(delta).min(len - 1);
    }

    /// Keeps the selection inside the visible window of `rows` rows.
    fn scroll_into_view(&mut self, len: usize, rows: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        let rows = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(len.saturating_sub(rows));
    }
}

/// One entry of the action list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRow {
    pub action: String,
    pub status: ActionStatus,
    /// Granted by the draft itself (a single grant or a picked API), not only by a kept statement.
    pub granted: bool,
    /// How many catalog APIs need it.
    pub needed_by: usize,
}

pub struct App {
    pub catalog: Catalog,
    /// Columns of the API table's method column, from [`crate::catalog::method_columns`].
    pub method_width: u16,
    search_index: Arc<SearchIndex>,
    /// The catalog's distinct actions and each API's positions among them, built once.
    action_table: ActionTable,
    /// Positions in `action_table` of the distinct actions, sorted by action, for the action list.
    action_order: Vec<usize>,
    /// How many APIs need each distinct action, by position in `action_table`.
    needed_by: Vec<usize>,
    /// Identifies the latest search request, so results of an older query are dropped.
    search_generation: u64,
    /// True while the worker is matching the current query.
    pub search_pending: bool,
    pub lang: Lang,
    pub theme: Theme,
    pub draft: Draft,
    pub scope: Scope,

    evaluator: Evaluator,
    pub verdicts: Vec<ApiVerdict>,
    pub action_rows: Vec<ActionRow>,
    pub policy: Policy,
    pub policy_text: String,
    pub policy_chars: usize,
    pub limit_findings: Vec<Finding>,

    pub focus: Focus,
    pub searching: bool,
    pub search: Input,
    /// Rows of the table: every API, or the search hits best first. Highlights are computed per frame
    /// for the visible rows only ([`App::highlights`]), so a long result list draws as fast as a short one.
    pub rows: Vec<Ranked>,
    /// The query `rows` match, which lags the typed query while the worker is matching.
    rows_query: String,
    /// Narrows the previous results as the query grows, for searches on the UI thread.
    incremental: IncrementalSearch,
    pub table: Cursor,
    pub actions: Cursor,
    pub policy_scroll: usize,
    pub size: (u16, u16),
    pub status: Option<Status>,
    pub export: Option<ExportDialog>,
    /// The request prompt's text, while it is open.
    pub request: Option<Input>,
    /// Lint findings of the policy file, sorted by position.
    pub findings: Vec<Finding>,
    pub findings_cursor: Cursor,
    pub source: Option<Source>,
    pub policy_view: PolicyView,
    /// The source line (1-based) a finding jumped to, highlighted in the source view.
    pub source_line: Option<usize>,
    pub show_help: bool,
    /// Default export path, when a home directory is known.
    pub export_default: Option<String>,
    /// The state file the draft is saved to; `None` when there is no data directory.
    pub state_path: Option<PathBuf>,

    dirty: bool,
    quiet_ticks: u32,
    quitting: bool,
}

impl App {
    pub fn new(catalog: Catalog, lang: Lang, theme: Theme) -> App {
        App::with_index(catalog, None, lang, theme)
    }

    /// Creates the explorer with the catalog's search index, when one was loaded with the catalog.
    pub fn with_index(catalog: Catalog, index: Option<SearchIndex>, lang: Lang, theme: Theme) -> App {
        let search_index = Arc::new(index.unwrap_or_else(|| SearchIndex::new(&catalog)));
        let action_table = ActionTable::new(&catalog);
        let mut action_order: Vec<usize> = (0..action_table.actions().len()).collect();
        action_order.sort_unstable_by_key(|&position| &action_table.actions()[position]);
        let needed_by = action_table.needed_by();
        let draft = Draft::default();
        let evaluator = draft.evaluator(&catalog);
        let method_width = crate::catalog::method_columns(catalog.apis.iter().map(|api| api.method.as_str())) as u16;
        let mut app = App {
            method_width,
            search_index,
            action_table,
            action_order,
            needed_by,
            search_generation: 0,
            search_pending: false,
            lang,
            theme,
            draft,
            scope: Scope::Project,
            evaluator,
            verdicts: Vec::new(),
            action_rows: Vec::new(),
            policy: Policy::default(),
            policy_text: String::new(),
            policy_chars: 0,
            limit_findings: Vec::new(),
            focus: Focus::Table,
            searching: false,
            search: Input::default(),
            rows: Vec::new(),
            rows_query: String::new(),
            incremental: IncrementalSearch::new(),
            table: Cursor::default(),
            actions: Cursor::default(),
            policy_scroll: 0,
            size: (120, 40),
            status: None,
            export: None,
            request: None,
            findings: Vec::new(),
            findings_cursor: Cursor::default(),
            source: None,
            policy_view: PolicyView::Draft,
            source_line: None,
            show_help: false,
            export_default: None,
            state_path: None,
            dirty: false,
            quiet_ticks: 0,
            quitting: false,
            catalog,
        };
        app.refresh();
        app.apply_search();
        app
    }

    pub fn strings(&self) -> &'static Strings {
        strings(self.lang)
    }

    pub fn should_quit(&self) -> bool {
        self.quitting
    }

    /// Returns the keymap context that receives keys now.
    pub fn context(&self) -> Context {
        if self.show_help {
            Context::Help
        } else if self.export.is_some() {
            Context::Export
        } else if self.request.is_some() {
            Context::Request
        } else if self.searching {
            Context::Search
        } else {
            match self.focus {
                Focus::Table => Context::Table,
                Focus::Actions => Context::Actions,
                Focus::Policy => Context::Policy,
                Focus::Findings => Context::Findings,
            }
        }
    }

    pub fn areas(&self) -> Option<Areas> {
        let screen = Rect::new(0, 0, self.size.0, self.size.1);
        let status_lines = self.status_lines().len() as u16;
        layout::areas(screen, self.focus, self.rows.len(), self.action_rows.len(), self.findings.len(), status_lines)
    }

    /// Returns the status message as the status line shows it: escaped and wrapped to the screen's
    /// width, at most three lines. Empty while a prompt or the search field takes the line.
    pub fn status_lines(&self) -> Vec<String> {
        match &self.status {
            Some(status) if self.request.is_none() && !self.searching => {
                wrap_columns(&escape_controls(&status.text), usize::from(self.size.0), MAX_STATUS_LINES)
            }
            _ => Vec::new(),
        }
    }

    /// Returns the catalog index of the selected API, if the table has rows.
    pub fn selected_api(&self) -> Option<usize> {
        self.rows.get(self.table.selected).map(|r| r.api)
    }

    pub fn set_status(&mut self, kind: StatusKind, text: String) {
        self.status = Some(Status { text, kind });
    }

    pub fn evaluator_matches(&self, action: &str) -> Vec<Match> {
        self.evaluator.matches(action)
    }

    /// Starts from a policy file instead of an empty draft, and lints it for the findings pane.
    pub fn load_policy(&mut self, name: &str, text: &str, policy: &Policy) {
        self.draft = Draft::from_policy(policy);
        self.findings = lint::lint(text, &self.catalog);
        self.source = Some(Source { name: name.to_owned(), text: text.to_owned() });
        self.set_status(StatusKind::Info, (self.strings().policy_loaded)(name, policy.statements.len()));
        self.changed();
    }

    /// Restores a saved draft. Picked APIs missing from this catalog are dropped and reported.
    pub fn restore(&mut self, saved: &SavedDraft, restore_grants: bool) {
        let (draft, dropped) = saved.to_draft(&self.catalog);
        if restore_grants {
            self.draft = draft;
        }
        self.scope = saved.scope;
        self.search = Input::new(saved.search.clone());
        if dropped > 0 {
            self.set_status(StatusKind::Warning, (self.strings().dropped_picks)(dropped));
        }
        self.refresh();
        self.apply_search();
    }

    pub fn snapshot(&self) -> SavedDraft {
        SavedDraft::from_draft(&self.draft, &self.catalog, self.scope, self.search.value())
    }

    /// Recomputes everything the draft and scope decide: verdicts, action statuses and the policy.
    fn refresh(&mut self) {
        self.policy = self.draft.to_policy(&self.catalog);
        self.evaluator = Evaluator::new(&self.policy);
        let (statuses, verdicts) = self.action_table.evaluate(&self.catalog, &self.evaluator, self.scope);
        self.verdicts = verdicts;
        let granted = self.draft.granted_actions(&self.catalog);
        let actions = self.action_table.actions();
        self.action_rows = self
            .action_order
            .iter()
            .map(|&position| ActionRow {
                action: actions[position].clone(),
                status: statuses[position],
                granted: granted.contains(&actions[position].to_lowercase()),
                needed_by: self.needed_by[position],
            })
            .collect();
        self.policy_text = if self.policy.statements.is_empty() { String::new() } else { self.policy.to_pretty_json() };
        self.policy_chars = if self.policy.statements.is_empty() { 0 } else { self.policy.char_count() };
        self.limit_findings = self.policy.limit_findings();
        self.clamp_cursors();
    }

    /// Marks the draft changed: derived state is recomputed and a save is scheduled.
    fn changed(&mut self) {
        self.refresh();
        self.dirty = true;
        self.quiet_ticks = 0;
    }

    /// Returns the search index, shared with the run loop's search worker.
    pub fn search_index(&self) -> Arc<SearchIndex> {
        Arc::clone(&self.search_index)
    }

    /// Starts matching the current query: inline for small catalogs, else as an effect for the worker.
    fn request_search(&mut self) -> Vec<Effect> {
        self.search_generation += 1;
        if self.catalog.apis.len() <= INLINE_SEARCH_MAX_APIS {
            self.apply_search();
            return Vec::new();
        }
        self.search_pending = true;
        vec![Effect::Search { query: self.search.value().to_owned(), generation: self.search_generation }]
    }

    /// Matches the current query on this thread.
    fn apply_search(&mut self) {
        let query = self.search.value().to_owned();
        let ranked = self.incremental.search(&self.search_index, &query).to_vec();
        self.show_rows(query, ranked);
    }

    fn show_rows(&mut self, query: String, ranked: Vec<Ranked>) {
        let previous = self.selected_api();
        // An empty query ranks every API with score 0, which keeps catalog order.
        self.rows = ranked;
        self.rows_query = query;
        self.table.selected = previous.and_then(|api| self.rows.iter().position(|r| r.api == api)).unwrap_or(0);
        if !self.searching || previous.is_none() {
            self.table.offset = 0;
        }
        self.clamp_cursors();
    }

    /// Returns what the query of the shown rows matched in API `api`, or nothing when there is no query.
    pub fn highlights(&self, api: usize) -> Vec<Highlight> {
        if self.rows_query.trim().is_empty() {
            return Vec::new();
        }
        self.search_index.highlights(api, &self.rows_query)
    }

    fn viewport(&self, focus: Focus) -> usize {
        let Some(areas) = self.areas() else { return 1 };
        match focus {
            Focus::Table => layout::inner_rows(areas.table, 1),
            Focus::Actions => areas.actions.map_or(1, |a| layout::inner_rows(a, 0)),
            Focus::Policy => areas.policy.map_or(1, |a| layout::inner_rows(a, 0)),
            Focus::Findings => areas.findings.map_or(1, |a| layout::inner_rows(a, 0)),
        }
    }

    /// Lines of the text the policy pane shows.
    pub fn policy_lines(&self) -> usize {
        match (self.policy_view, &self.source) {
            (PolicyView::Source, Some(source)) => source.text.lines().count(),
            _ => self.policy_text.lines().count(),
        }
    }

    fn clamp_cursors(&mut self) {
        let table_rows = self.viewport(Focus::Table);
        self.table.scroll_into_view(self.rows.len(), table_rows);
        let action_rows = self.viewport(Focus::Actions);
        self.actions.scroll_into_view(self.action_rows.len(), action_rows);
        let findings_rows = self.viewport(Focus::Findings);
        self.findings_cursor.scroll_into_view(self.findings.len(), findings_rows);
        self.policy_scroll = self.policy_scroll.min(self.policy_lines().saturating_sub(1));
    }

    fn move_selection(&mut self, focus: Focus, delta: isize) {
        match focus {
            Focus::Table => self.table.move_by(delta, self.rows.len()),
            Focus::Actions => self.actions.move_by(delta, self.action_rows.len()),
            Focus::Policy => {
                let lines = self.policy_lines();
                self.policy_scroll = self.policy_scroll.saturating_add_signed(delta).min(lines.saturating_sub(1));
            }
            Focus::Findings => self.findings_cursor.move_by(delta, self.findings.len()),
        }
        self.clamp_cursors();
    }

    /// Applies one action and returns the effects for the run loop.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => {
                self.quitting = true;
                return self.save_effect(true);
            }
            Action::MoveUp => self.move_selection(self.focus, -1),
            Action::MoveDown => self.move_selection(self.focus, 1),
            Action::PageUp => self.move_selection(self.focus, -(self.viewport(self.focus).max(1) as isize)),
            Action::PageDown => self.move_selection(self.focus, self.viewport(self.focus).max(1) as isize),
            Action::Top => self.move_selection(self.focus, isize::MIN / 2),
            Action::Bottom => self.move_selection(self.focus, isize::MAX / 2),
            Action::FocusNext => self.cycle_focus(true),
            Action::FocusPrevious => self.cycle_focus(false),
            Action::Activate => self.jump_to_finding(),
            Action::ToggleSource => {
                if self.source.is_some() {
                    self.policy_view = match self.policy_view {
                        PolicyView::Draft => PolicyView::Source,
                        PolicyView::Source => PolicyView::Draft,
                    };
                    self.policy_scroll = 0;
                    self.clamp_cursors();
                }
            }
            Action::OpenRequest => self.request = Some(Input::default()),
            Action::RequestCancel => self.request = None,
            Action::RequestSubmit => self.submit_request(),
            Action::Toggle => self.toggle(),
            Action::OpenSearch => {
                self.searching = true;
                self.focus = Focus::Table;
            }
            Action::SearchAccept => self.searching = false,
            Action::SearchCancel => {
                self.searching = false;
                self.search.reset();
                self.changed_view();
                return self.request_search();
            }
            Action::SearchDone { generation, query, ranked } => {
                if generation == self.search_generation {
                    self.search_pending = false;
                    self.show_rows(query, ranked);
                }
            }
            Action::ToggleScope => {
                self.scope = self.scope.toggled();
                let label = self.scope_label();
                self.set_status(StatusKind::Info, (self.strings().scope_switched)(label));
                self.changed();
            }
            Action::ToggleLang => {
                self.lang = match self.lang {
                    Lang::En => Lang::Zh,
                    Lang::Zh => Lang::En,
                };
            }
            Action::ToggleHelp => self.show_help = !self.show_help,
            Action::OpenExport => self.open_export(),
            Action::Copy => {
                self.set_status(StatusKind::Info, self.strings().copying.to_owned());
                return vec![Effect::Copy(self.exported_text())];
            }
            Action::Edit(key) => return self.edit(|input| input.handle_event(&Event::Key(key)).is_some_and(|c| c.value)),
            Action::Paste(text) => return self.edit(|input| {
                // A field is one line: line breaks in pasted text become spaces.
                let mut changed = false;
                for c in text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }) {
                    changed |= input.handle(InputRequest::InsertChar(c)).is_some_and(|c| c.value);
                }
                changed
            }),
            Action::ExportConfirm => return self.confirm_export(),
            Action::ExportCancel => self.export = None,
            Action::ExportNextFormat => {
                if let Some(dialog) = &mut self.export {
                    dialog.cycle_format();
                }
            }
            Action::ExportNextField | Action::ExportPreviousField => {
                if let Some(dialog) = &mut self.export {
                    dialog.move_field(action == Action::ExportNextField);
                }
            }
            Action::Resize(width, height) => {
                self.size = (width, height);
                self.clamp_cursors();
            }
            Action::Click { column, row } => self.click(column, row),
            Action::Scroll { column, row, down } => {
                if let Some(focus) = self.pane_at(column, row) {
                    self.move_selection(focus, if down { 3 } else { -3 });
                }
            }
            Action::Tick => {
                if self.dirty {
                    self.quiet_ticks += 1;
                    if self.quiet_ticks >= 2 {
                        return self.save_effect(false);
                    }
                }
            }
            Action::CopyDone(outcome) => self.copy_done(outcome),
            Action::ExportDone { path, result } => self.export_done(path, result),
            Action::SaveDone { path, result } => {
                if let Err(error) = result {
                    let text = (self.strings().state_save_failed)(&path.display().to_string(), &error);
                    self.set_status(StatusKind::Error, text);
                }
            }
        }
        Vec::new()
    }

    /// Schedules a save after a change to what is shown (the search text), not to the draft.
    fn changed_view(&mut self) {
        self.dirty = true;
        self.quiet_ticks = 0;
    }

    fn save_effect(&mut self, always: bool) -> Vec<Effect> {
        if self.state_path.is_none() || (!self.dirty && !always) {
            return Vec::new();
        }
        self.dirty = false;
        self.quiet_ticks = 0;
        vec![Effect::Save(self.snapshot())]
    }

    /// Moves the focus to the next pane, skipping the findings pane when there are no findings.
    fn cycle_focus(&mut self, forward: bool) {
        let mut focus = self.focus;
        loop {
            focus = if forward { focus.next() } else { focus.previous() };
            if focus != Focus::Findings || !self.findings.is_empty() {
                break;
            }
        }
        self.focus = focus;
        self.clamp_cursors();
    }

    /// Shows the policy file at the selected finding's line.
    fn jump_to_finding(&mut self) {
        if self.focus != Focus::Findings || self.source.is_none() {
            return;
        }
        let Some(line) = self.findings.get(self.findings_cursor.selected).and_then(|f| f.pos).map(|p| p.line) else { return };
        self.policy_view = PolicyView::Source;
        self.source_line = Some(line);
        // Two lines of context above the finding.
        self.policy_scroll = line.saturating_sub(3);
        self.focus = Focus::Policy;
        self.clamp_cursors();
    }

    /// Looks up the request line and selects the API it calls.
    fn submit_request(&mut self) {
        let Some(input) = self.request.take() else { return };
        let line = input.value().trim().to_owned();
        if line.is_empty() {
            return;
        }
        let strings = self.strings();
        let lookup = match lookup::match_request(&self.catalog, &line) {
            Ok(lookup) => lookup,
            Err(error) => {
                // The prompt closes so the status line can show why; `r` opens it again.
                self.set_status(StatusKind::Error, (strings.request_invalid)(&escape_controls(&line), &request_error_text(strings, &error)));
                return;
            }
        };
        let Some(first) = lookup.matches.first() else {
            let closest = lookup.suggestions.first().cloned().unwrap_or_default();
            self.set_status(StatusKind::Warning, (strings.request_no_match)(&escape_controls(&line), &closest));
            return;
        };
        let api = first.api;
        if !self.search.value().is_empty() {
            self.search.reset();
            self.apply_search();
            self.changed_view();
        }
        self.focus = Focus::Table;
        if let Some(row) = self.rows.iter().position(|r| r.api == api) {
            self.table.selected = row;
        }
        self.clamp_cursors();
        let key = self.catalog.apis[api].key();
        self.set_status(StatusKind::Success, (strings.request_matched)(&escape_controls(&line), &key, lookup.matches.len()));
    }

    pub fn scope_label(&self) -> &'static str {
        match self.scope {
            Scope::Project => self.strings().scope_project,
            Scope::Enterprise => self.strings().scope_enterprise,
        }
    }

    fn toggle(&mut self) {
        match self.focus {
            Focus::Table => {
                let Some(index) = self.selected_api() else { return };
                let key = self.catalog.apis[index].key();
                let outcome = self.draft.toggle_api(&self.catalog, index);
                self.changed();
                let strings = self.strings();
                let text = match &outcome {
                    ApiToggle::Picked(granted) => (strings.picked)(&key, granted),
                    ApiToggle::Unpicked(revoked) => (strings.unpicked)(&key, revoked),
                };
                let denied: Vec<String> = self.verdicts[index].denied(&self.catalog.apis[index]).into_iter().map(str::to_owned).collect();
                if matches!(outcome, ApiToggle::Picked(_)) && !denied.is_empty() {
                    self.set_status(StatusKind::Warning, format!("{text} {}", (strings.still_blocked)(&denied)));
                } else {
                    self.set_status(StatusKind::Success, text);
                }
            }
            Focus::Actions => {
                let Some(row) = self.action_rows.get(self.actions.selected) else { return };
                let action = row.action.clone();
                let outcome = self.draft.toggle(&self.catalog, &action);
                self.changed();
                let text = match outcome {
                    ActionToggle::Granted => (self.strings().granted_action)(&action),
                    ActionToggle::Revoked(unpicked) => (self.strings().revoked_action)(&action, unpicked.len()),
                };
                self.set_status(StatusKind::Success, text);
            }
            Focus::Policy | Focus::Findings => {}
        }
    }

    /// Applies an edit to the field that has the keyboard; `edit` returns whether the text changed.
    fn edit(&mut self, edit: impl FnOnce(&mut Input) -> bool) -> Vec<Effect> {
        if let Some(request) = &mut self.request {
            edit(request);
        } else if let Some(dialog) = &mut self.export {
            if edit(dialog.focused_input()) {
                dialog.confirm_replace = None;
                dialog.message = None;
            }
        } else if self.searching && edit(&mut self.search) {
            self.changed_view();
            return self.request_search();
        }
        Vec::new()
    }

    /// Returns the text that export and copy produce.
    pub fn exported_text(&self) -> String {
        self.policy.to_pretty_json()
    }

    fn open_export(&mut self) {
        let mut dialog = ExportDialog::new(self.export_default.clone(), &self.catalog.service);
        if self.export_default.is_none() {
            dialog.message = Some(Status { text: self.strings().export_no_default.to_owned(), kind: StatusKind::Info });
        }
        self.export = Some(dialog);
    }

    fn confirm_export(&mut self) -> Vec<Effect> {
        let strings = self.strings();
        let policy = &self.policy;
        let Some(dialog) = &mut self.export else { return Vec::new() };
        if dialog.writing {
            return Vec::new();
        }
        let path = dialog.path.value().trim().to_owned();
        if path.is_empty() {
            dialog.message = Some(Status { text: strings.export_empty_path.to_owned(), kind: StatusKind::Warning });
            return Vec::new();
        }
        let contents = match formats::render(policy, dialog.format, &dialog.options()) {
            Ok(contents) => contents,
            Err(error) => {
                dialog.message = Some(Status { text: export_error_text(strings, &error), kind: StatusKind::Error });
                return Vec::new();
            }
        };
        let replace = dialog.confirm_replace.as_deref() == Some(path.as_str());
        dialog.writing = true;
        vec![Effect::Export { path, contents, replace }]
    }

    fn export_done(&mut self, path: PathBuf, result: ExportResult) {
        let shown = path.display().to_string();
        let strings = self.strings();
        match result {
            ExportResult::Written(chars) => {
                // The next export starts from the file just written.
                if let Some(dialog) = self.export.take() {
                    self.export_default = Some(dialog.path.value().trim().to_owned());
                }
                self.set_status(StatusKind::Success, (strings.exported)(&shown, chars));
            }
            ExportResult::Exists => {
                if let Some(dialog) = &mut self.export {
                    dialog.writing = false;
                    dialog.confirm_replace = Some(dialog.path.value().trim().to_owned());
                    dialog.message = Some(Status { text: (strings.export_exists)(&shown), kind: StatusKind::Warning });
                }
            }
            ExportResult::Failed(error) => {
                let text = (strings.export_failed)(&shown, &error);
                match &mut self.export {
                    Some(dialog) => {
                        dialog.writing = false;
                        dialog.message = Some(Status { text, kind: StatusKind::Error });
                    }
                    None => self.set_status(StatusKind::Error, text),
                }
            }
        }
    }

    fn copy_done(&mut self, outcome: CopyOutcome) {
        let strings = self.strings();
        let (kind, text) = match outcome {
            CopyOutcome::System { persistent: true } => (StatusKind::Success, strings.copied_system.to_owned()),
            CopyOutcome::System { persistent: false } => (StatusKind::Warning, strings.copied_system_transient.to_owned()),
            CopyOutcome::Terminal { fallback_reason: Some(reason), .. } => (StatusKind::Warning, (strings.copy_fallback)(&reason)),
            CopyOutcome::Terminal { through_tmux: true, .. } => (StatusKind::Info, strings.copied_osc52_tmux.to_owned()),
            CopyOutcome::Terminal { through_tmux: false, .. } => (StatusKind::Info, strings.copied_osc52.to_owned()),
            CopyOutcome::Failed(error) => (StatusKind::Error, (strings.copy_failed)(&error)),
        };
        self.set_status(kind, text);
    }

    /// Returns the pane drawn at a screen cell.
    fn pane_at(&self, column: u16, row: u16) -> Option<Focus> {
        let areas = self.areas()?;
        let position = Position::new(column, row);
        if areas.table.contains(position) {
            Some(Focus::Table)
        } else if areas.actions.is_some_and(|a| a.contains(position)) {
            Some(Focus::Actions)
        } else if areas.policy.is_some_and(|a| a.contains(position)) {
            Some(Focus::Policy)
        } else if areas.findings.is_some_and(|a| a.contains(position)) {
            Some(Focus::Findings)
        } else {
            None
        }
    }

    fn click(&mut self, column: u16, row: u16) {
        if self.show_help || self.export.is_some() || self.request.is_some() {
            return;
        }
        let Some(areas) = self.areas() else { return };
        let Some(focus) = self.pane_at(column, row) else { return };
        self.focus = focus;
        match focus {
            // Rows start below the top border and, in the table, the column headings.
            Focus::Table => {
                let first = areas.table.y + 2;
                if row >= first && row < areas.table.bottom().saturating_sub(1) {
                    let index = self.table.offset + (row - first) as usize;
                    if index < self.rows.len() {
                        self.table.selected = index;
                    }
                }
            }
            Focus::Actions => {
                let area = areas.actions.expect("pane_at found the action list");
                if let Some(index) = list_row(area, row, self.actions.offset, self.action_rows.len()) {
                    self.actions.selected = index;
                }
            }
            Focus::Findings => {
                let area = areas.findings.expect("pane_at found the findings pane");
                if let Some(index) = list_row(area, row, self.findings_cursor.offset, self.findings.len()) {
                    self.findings_cursor.selected = index;
                }
            }
            Focus::Policy => {}
        }
        self.clamp_cursors();
    }

    /// Callable and conditional counts for the header.
    pub fn counts(&self) -> (usize, usize) {
        (self.verdicts.iter().filter(|v| v.callable).count(), self.verdicts.iter().filter(|v| v.conditional).count())
    }

    pub fn max_chars(&self) -> usize {
        MAX_CHARS
    }
}

/// Returns the item at screen `row` of a bordered list scrolled to `offset`, if there is one.
fn list_row(area: Rect, row: u16, offset: usize, len: usize) -> Option<usize> {
    let first = area.y + 1;
    if row < first || row >= area.bottom().saturating_sub(1) {
        return None;
    }
    let index = offset + (row - first) as usize;
    (index < len).then_some(index)
}

/// Describes, in the explorer's language, an export the formats module rejected.
fn export_error_text(strings: &Strings, error: &ExportError) -> String {
    match error {
        ExportError::Rejected(reasons) => (strings.export_refused)(&reasons.join("; ")),
        ExportError::Empty => strings.export_empty_policy.to_owned(),
        ExportError::MissingName(_) => strings.export_missing_name.to_owned(),
        ExportError::MissingDescription(_) => strings.export_missing_description.to_owned(),
        ExportError::NameTooLong(count) => (strings.export_name_too_long)(*count, formats::MAX_NAME_CHARS),
        ExportError::ControlCharacter { .. } => strings.export_control_character.to_owned(),
    }
}

/// Describes, in the explorer's language, a request line that cannot be parsed.
fn request_error_text(strings: &Strings, error: &RequestError) -> String {
    match error {
        RequestError::Empty => strings.request_empty.to_owned(),
        RequestError::UnknownMethod { method, suggestion } => (strings.request_unknown_method)(&escape_controls(method), suggestion.as_deref()),
        RequestError::NotAPath(target) => (strings.request_not_a_path)(&escape_controls(target)),
        RequestError::TooManyParts(count) => (strings.request_too_many_parts)(*count),
    }
}
