//! Drawing. Render functions read the app and never change it; each splits its area into named parts
//! and draws one part per call.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Cell, Clear, List, ListItem, ListState, Paragraph, Row, Table, TableState, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{App, PolicyView, StatusKind};
use super::export::{ExportDialog, ExportField, FORMATS, format_label};
use super::keymap::{self, Context};
use super::layout::{self, Areas, Focus};
use super::theme::Theme;
use crate::catalog::{Api, Lang, Scope};
use crate::eval::{ActionStatus, ApiVerdict};
use crate::policy::Severity;
use crate::search::{Field, field_indices};
use crate::text::{escape_controls, width};

pub fn render(frame: &mut Frame, app: &App) {
    let screen = frame.area();
    let status_lines = app.status_lines().len() as u16;
    let Some(areas) = layout::areas(screen, app.focus, app.rows.len(), app.action_rows.len(), app.findings.len(), status_lines) else {
        render_too_small(frame, screen, app);
        return;
    };

    render_header(frame, areas.header, app);
    render_table(frame, &areas, app);
    if let Some(area) = areas.detail {
        render_detail(frame, area, app);
    }
    if let Some(area) = areas.actions {
        render_actions(frame, area, app);
    }
    if let Some(area) = areas.findings {
        render_findings(frame, area, app);
    }
    if let Some(area) = areas.policy {
        render_policy(frame, area, app);
    }
    render_status(frame, areas.status, app);
    render_footer(frame, areas.footer, app);

    if let Some(dialog) = &app.export {
        render_export(frame, screen, app, dialog);
    }
    if app.show_help {
        render_help(frame, screen, app);
    }
}

fn render_too_small(frame: &mut Frame, screen: Rect, app: &App) {
    let text = (app.strings().too_small)(screen.width, screen.height, layout::MIN_WIDTH, layout::MIN_HEIGHT);
    let paragraph = Paragraph::new(text).style(app.theme.warning()).wrap(Wrap { trim: true }).alignment(Alignment::Center);
    frame.render_widget(paragraph, screen);
}

fn pane_block<'a>(title: Line<'a>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::new().borders(Borders::ALL).border_style(theme.border(focused)).title(title.style(theme.title(focused)))
}

fn render_header(frame: &mut Frame, area: Rect, app: &App) {
    let strings = app.strings();
    let (callable, conditional) = app.counts();
    let language = match app.lang {
        Lang::En => "EN",
        Lang::Zh => "中文",
    };
    let title = format!(" {} ", strings.app_title);
    let counts = (strings.callable_count)(callable, conditional, app.catalog.apis.len());
    // The scope and the counts matter most, so a service list too long for the line (a catalog of
    // every service lists dozens) gives way to the number of services.
    let services = escape_controls(&app.catalog.service.to_uppercase()).into_owned();
    let fixed = [title.as_str(), "│ ", " │ ", strings.scope_label, app.scope_label(), "  │ ", &counts, " │ ", language];
    let room = usize::from(area.width).saturating_sub(fixed.iter().map(|part| width(part)).sum());
    let count = (strings.services_count)(app.catalog.service.split(',').count());
    let services = if width(&services) <= room || width(&services) <= width(&count) { services } else { count };
    let line = Line::from(vec![
        Span::styled(title, app.theme.header()),
        Span::raw("│ "),
        Span::raw(services),
        Span::raw(" │ "),
        Span::raw(strings.scope_label),
        Span::styled(format!(" {} ", app.scope_label()), app.theme.scope()),
        Span::raw(" │ "),
        Span::styled(counts, app.theme.callable()),
        Span::raw(" │ "),
        Span::raw(language),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// Returns the status symbol of an API row. Symbols are single-width in every terminal (no East Asian
/// ambiguous characters), so columns stay aligned where ambiguous characters are drawn double-width.
fn api_mark(verdict: &ApiVerdict, theme: &Theme) -> Span<'static> {
    if verdict.callable {
        Span::styled("✔", theme.callable())
    } else if verdict.conditional {
        Span::styled("?", theme.conditional())
    } else if !verdict.scope_supported {
        Span::styled("-", theme.out_of_scope())
    } else if verdict.statuses.contains(&ActionStatus::Denied) {
        Span::styled("✘", theme.denied())
    } else {
        Span::styled("✘", theme.missing())
    }
}

fn action_mark(status: ActionStatus, theme: &Theme) -> Span<'static> {
    match status {
        ActionStatus::Allowed => Span::styled("✔", theme.callable()),
        ActionStatus::Conditional => Span::styled("?", theme.conditional()),
        ActionStatus::Denied => Span::styled("✘", theme.denied()),
        ActionStatus::NotAllowed => Span::styled(".", theme.missing()),
    }
}

fn action_style(status: ActionStatus, theme: &Theme) -> Style {
    match status {
        ActionStatus::Allowed => theme.granted(),
        ActionStatus::Conditional => theme.conditional(),
        ActionStatus::Denied => theme.denied(),
        ActionStatus::NotAllowed => theme.missing(),
    }
}

/// Text with matched characters highlighted. Each character is escaped on its own, so the indices
/// (characters of the original text) stay valid for text with control characters.
fn highlighted(text: &str, indices: &[usize], base: Style, matched: Style) -> Line<'static> {
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_matched = false;
    for (index, c) in text.chars().enumerate() {
        let is_match = indices.binary_search(&index).is_ok();
        if is_match != run_matched && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), if run_matched { matched } else { base }));
        }
        run_matched = is_match;
        let mut buffer = [0; 4];
        run.push_str(&escape_controls(c.encode_utf8(&mut buffer)));
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_matched { matched } else { base }));
    }
    Line::from(spans)
}

fn render_table(frame: &mut Frame, areas: &Areas, app: &App) {
    let area = areas.table;
    let strings = app.strings();
    let theme = &app.theme;
    let focused = app.focus == Focus::Table && app.export.is_none();
    let query = app.search.value().trim();
    let title = if query.is_empty() {
        format!(" {} {} ", strings.apis_title, app.catalog.apis.len())
    } else {
        format!(" {} ", (strings.apis_filtered_title)(app.rows.len(), app.catalog.apis.len(), &escape_controls(query)))
    };
    let block = pane_block(Line::from(title), focused, theme);

    if app.rows.is_empty() {
        let paragraph = Paragraph::new(strings.no_matches).style(theme.muted()).block(block).wrap(Wrap { trim: true });
        frame.render_widget(paragraph, area);
        return;
    }

    let name_field = match app.lang {
        Lang::Zh if !app.catalog.apis.is_empty() => Field::NameZh,
        _ => Field::NameEn,
    };
    let visible = layout::inner_rows(area, 1);
    let start = app.table.offset.min(app.rows.len());
    let end = (start + visible).min(app.rows.len());

    // Only the visible window is built, so a catalog of any size costs the same per frame.
    let rows: Vec<Row> = app.rows[start..end]
        .iter()
        .map(|row| {
            let api = &app.catalog.apis[row.api];
            let verdict = &app.verdicts[row.api];
            let marks = app.highlights(row.api);
            let name = api.name.get(app.lang);
            // The displayed name falls back to the other language when empty; highlight the field shown.
            let field = if name == api.name.zh { Field::NameZh } else { name_field };
            let picked = if app.draft.picked.contains(&row.api) { Span::styled("*", theme.callable()) } else { Span::raw(" ") };
            let matched = |text: &str, field: Field| highlighted(text, &field_indices(&marks, field), Style::new(), theme.matched());
            let mut cells = vec![
                Cell::from(Line::from(vec![api_mark(verdict, theme), picked])),
                Cell::from(matched(name, field)),
                Cell::from(matched(&api.method, Field::Method)),
            ];
            if areas.wide {
                cells.push(Cell::from(matched(&api.path, Field::Path)));
            }
            if area.width >= 150 {
                cells.push(Cell::from(actions_line(api, verdict, theme)));
            }
            Row::new(cells)
        })
        .collect();

    let mut widths = vec![Constraint::Length(2), Constraint::Fill(3), Constraint::Length(app.method_width)];
    let mut headings = vec![strings.column_status, strings.column_name, strings.column_method];
    if areas.wide {
        widths.push(Constraint::Fill(4));
        headings.push(strings.column_path);
    }
    if area.width >= 150 {
        widths.push(Constraint::Fill(3));
        headings.push(strings.column_actions);
    }
    let header = Row::new(headings).style(theme.column_header());
    let table = Table::new(rows, widths).header(header).block(block).row_highlight_style(theme.selected(focused));
    let mut state = TableState::new().with_selected(Some(app.table.selected.saturating_sub(start)));
    frame.render_stateful_widget(table, area, &mut state);
}

fn actions_line(api: &Api, verdict: &ApiVerdict, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (action, status)) in api.actions.iter().zip(&verdict.statuses).enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(escape_controls(action).into_owned(), action_style(*status, theme)));
    }
    Line::from(spans)
}

fn scope_name(app: &App, scope: Scope) -> &'static str {
    match scope {
        Scope::Project => app.strings().scope_project,
        Scope::Enterprise => app.strings().scope_enterprise,
    }
}

fn render_detail(frame: &mut Frame, area: Rect, app: &App) {
    let strings = app.strings();
    let theme = &app.theme;
    let block = pane_block(Line::from(format!(" {} ", strings.detail_title)), false, theme);
    let Some(index) = app.selected_api() else {
        frame.render_widget(block, area);
        return;
    };
    let api = &app.catalog.apis[index];
    let verdict = &app.verdicts[index];

    // Each line comes with the rank at which it is left out when the pane is too short (0: never), so
    // an 80x24 terminal still shows the required actions. The aliases go first, then the scopes, the
    // name in the other language, and the method and path.
    let mut lines = vec![(0, Line::from(Span::styled(escape_controls(api.name.get(app.lang)).into_owned(), theme.title(true))))];
    let other_name = match app.lang {
        Lang::En => &api.name.zh,
        Lang::Zh => &api.name.en,
    };
    if !other_name.is_empty() && other_name != api.name.get(app.lang) {
        lines.push((3, Line::from(Span::styled(escape_controls(other_name).into_owned(), theme.muted()))));
    }
    // The table row shows the method and the start of the path, so a long path gives way last.
    lines.push((4, Line::from(format!("{} {}", api.method, escape_controls(&api.path)))));
    let aliases = if api.aliases.is_empty() {
        strings.detail_no_aliases.to_owned()
    } else {
        api.aliases.iter().map(|a| escape_controls(a).into_owned()).collect::<Vec<_>>().join(", ")
    };
    lines.push((1, Line::from(vec![Span::styled(strings.detail_aliases, theme.muted()), Span::raw(aliases)])));

    let mark = |supported: bool| if supported { Span::styled(strings.supported, theme.callable()) } else { Span::styled(strings.unsupported, theme.denied()) };
    lines.push((
        2,
        Line::from(vec![
            Span::styled(strings.detail_scopes, theme.muted()),
            Span::raw(format!("{} ", strings.scope_project)),
            mark(api.scopes.project),
            Span::raw(format!("  {} ", strings.scope_enterprise)),
            mark(api.scopes.enterprise_project),
        ]),
    ));

    let (status_text, status_style) = if verdict.callable {
        (strings.status_callable.to_owned(), theme.callable())
    } else if verdict.conditional {
        (strings.status_conditional.to_owned(), theme.conditional())
    } else if !verdict.scope_supported {
        ((strings.status_out_of_scope)(scope_name(app, app.scope)), theme.out_of_scope())
    } else {
        (strings.status_blocked.to_owned(), theme.denied())
    };
    let mut status_line = vec![Span::styled(status_text, status_style)];
    if app.draft.picked.contains(&index) {
        status_line.push(Span::styled(format!("  * {}", strings.detail_picked), theme.callable()));
    }
    lines.push((0, Line::from(status_line)));

    lines.push((0, Line::from(Span::styled(strings.detail_actions, theme.muted()))));
    for (action, status) in api.actions.iter().zip(&verdict.statuses) {
        let reason = action_reason(app, action, *status);
        lines.push((
            0,
            Line::from(vec![
                Span::raw("  "),
                action_mark(*status, theme),
                Span::raw(" "),
                Span::styled(escape_controls(action).into_owned(), action_style(*status, theme)),
                Span::styled(format!("  {reason}"), theme.muted()),
            ]),
        ));
    }
    let inner = block.inner(area);
    let lines = lines_that_fit(lines, inner.width, inner.height);
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), area);
}

/// Leaves out lines by rank until the rest fit `height` rows of `width` columns: rank 1 first, then 2,
/// and so on, while rank 0 always stays.
fn lines_that_fit(mut lines: Vec<(u8, Line<'_>)>, width: u16, height: u16) -> Vec<Line<'_>> {
    let rows = |lines: &[(u8, Line)]| -> usize {
        lines
            .iter()
            .map(|(_, line)| {
                let text: String = line.spans.iter().map(|span| span.content.as_ref()).collect();
                wrapped_rows(&text, usize::from(width))
            })
            .sum()
    };
    let highest = lines.iter().map(|(rank, _)| *rank).max().unwrap_or(0);
    for rank in 1..=highest {
        if rows(&lines) <= usize::from(height) {
            break;
        }
        lines.retain(|(own, _)| *own != rank);
    }
    lines.into_iter().map(|(_, line)| line).collect()
}

/// Returns the rows `text` takes when wrapped to `width` columns at spaces, a word wider than a row
/// being broken between characters. This estimates the paragraph's own word wrapping, closely enough
/// to decide which detail lines fit.
fn wrapped_rows(text: &str, width: usize) -> usize {
    let width = width.max(1);
    let (mut rows, mut used) = (1, 0);
    for (i, word) in text.split(' ').enumerate() {
        let word_width = crate::text::width(word);
        let start = if i == 0 { 0 } else { used + 1 };
        if start + word_width <= width {
            used = start + word_width;
            continue;
        }
        if i > 0 {
            rows += 1;
        }
        rows += word_width.saturating_sub(1) / width;
        used = if word_width == 0 { 0 } else { (word_width - 1) % width + 1 };
    }
    rows
}

/// Why an action has its status: the draft's own grant, or the statement and pattern that decide it.
fn action_reason(app: &App, action: &str, status: ActionStatus) -> String {
    let strings = app.strings();
    let matches = app.evaluator_matches(action);
    let first = |wanted: crate::policy::Effect, limited: bool| matches.iter().find(|m| m.effect == wanted && m.limited == limited);
    let shown = |pattern: &str| escape_controls(pattern).into_owned();
    match status {
        ActionStatus::Denied => first(crate::policy::Effect::Deny, false)
            .map(|m| (strings.action_denied_by)(&shown(&m.pattern), m.statement + 1))
            .unwrap_or_default(),
        ActionStatus::Conditional => matches
            .iter()
            .find(|m| m.limited)
            .map(|m| (strings.action_conditional_by)(&shown(&m.pattern), m.statement + 1))
            .unwrap_or_default(),
        ActionStatus::NotAllowed => strings.action_missing.to_owned(),
        ActionStatus::Allowed => {
            let picked = app.draft.picked.iter().any(|&i| app.catalog.apis[i].actions.iter().any(|a| a.eq_ignore_ascii_case(action)));
            if app.draft.grants.contains(&action.to_lowercase()) {
                strings.action_granted_single.to_owned()
            } else if picked {
                strings.action_granted_picked.to_owned()
            } else {
                first(crate::policy::Effect::Allow, false)
                    .map(|m| (strings.action_allowed_by)(&shown(&m.pattern), m.statement + 1))
                    .unwrap_or_default()
            }
        }
    }
}

fn render_actions(frame: &mut Frame, area: Rect, app: &App) {
    let strings = app.strings();
    let theme = &app.theme;
    let focused = app.focus == Focus::Actions && app.export.is_none();
    let allowed = app.action_rows.iter().filter(|r| r.status == ActionStatus::Allowed).count();
    let block = pane_block(Line::from(format!(" {} ", (strings.actions_title)(allowed, app.action_rows.len()))), focused, theme);

    let visible = layout::inner_rows(area, 0);
    let start = app.actions.offset.min(app.action_rows.len());
    let end = (start + visible).min(app.action_rows.len());
    let name_width = app.action_rows.iter().map(|r| escape_controls(&r.action).width()).max().unwrap_or(0);
    let items: Vec<ListItem> = app.action_rows[start..end]
        .iter()
        .map(|row| {
            let checkbox = if row.granted { "[x] " } else { "[ ] " };
            let name = escape_controls(&row.action);
            let padding = " ".repeat(name_width - name.width());
            ListItem::new(Line::from(vec![
                Span::raw(checkbox),
                action_mark(row.status, theme),
                Span::raw(" "),
                Span::styled(format!("{name}{padding}"), action_style(row.status, theme)),
                Span::styled(format!("  {}", (strings.actions_needed_by)(row.needed_by)), theme.muted()),
            ]))
        })
        .collect();
    let list = List::new(items).block(block).highlight_style(theme.selected(focused));
    let mut state = ListState::default().with_selected(Some(app.actions.selected.saturating_sub(start)));
    frame.render_stateful_widget(list, area, &mut state);
}

fn render_findings(frame: &mut Frame, area: Rect, app: &App) {
    let strings = app.strings();
    let theme = &app.theme;
    let focused = app.focus == Focus::Findings && app.export.is_none();
    let errors = app.findings.iter().filter(|f| f.severity == Severity::Error).count();
    let title = (strings.findings_title)(errors, app.findings.len() - errors);
    let block = pane_block(Line::from(format!(" {title} ")), focused, theme);

    let visible = layout::inner_rows(area, 0);
    let start = app.findings_cursor.offset.min(app.findings.len());
    let end = (start + visible).min(app.findings.len());
    let items: Vec<ListItem> = app.findings[start..end]
        .iter()
        .map(|finding| {
            let (mark, style) = match finding.severity {
                Severity::Error => ("✘", theme.error()),
                Severity::Warning => ("!", theme.warning()),
            };
            let place = finding.pos.map(|p| format!("{}:{} ", p.line, p.column)).unwrap_or_default();
            let title = (strings.finding_title)(finding.code).unwrap_or(finding.code);
            ListItem::new(Line::from(vec![
                Span::styled(format!("{mark} "), style),
                Span::styled(place, theme.muted()),
                Span::styled(format!("{title} · "), style),
                Span::raw(escape_controls(&finding.message).into_owned()),
            ]))
        })
        .collect();
    let list = List::new(items).block(block).highlight_style(theme.selected(focused));
    let mut state = ListState::default().with_selected(Some(app.findings_cursor.selected.saturating_sub(start)));
    frame.render_stateful_widget(list, area, &mut state);
}

fn render_policy(frame: &mut Frame, area: Rect, app: &App) {
    if let (PolicyView::Source, Some(source)) = (app.policy_view, &app.source) {
        render_source(frame, area, app, &source.name, &source.text);
        return;
    }
    let strings = app.strings();
    let theme = &app.theme;
    let focused = app.focus == Focus::Policy && app.export.is_none();
    let chars = app.policy_chars;
    let title_style = if chars > app.max_chars() {
        theme.error()
    } else if chars * 10 > app.max_chars() * 9 {
        theme.warning()
    } else {
        theme.title(focused)
    };
    let title = Line::from(Span::styled(format!(" {} ", (strings.policy_title)(chars, app.max_chars())), title_style));
    let block = Block::new().borders(Borders::ALL).border_style(theme.border(focused)).title(title);

    let [warnings_area, json_area] = {
        let inner = block.inner(area);
        let warning_rows = app.limit_findings.len().min(3) as u16;
        Layout::vertical([Constraint::Length(warning_rows), Constraint::Min(0)]).areas(inner)
    };
    frame.render_widget(block, area);

    let warnings: Vec<Line> = app
        .limit_findings
        .iter()
        .map(|f| {
            let style = if f.severity == Severity::Error { theme.error() } else { theme.warning() };
            Line::styled(format!("! {}", f.message), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(warnings).wrap(Wrap { trim: true }), warnings_area);

    if app.policy_text.is_empty() {
        frame.render_widget(Paragraph::new(strings.policy_empty).style(theme.muted()).wrap(Wrap { trim: true }), json_area);
        return;
    }
    let lines: Vec<Line> = app
        .policy_text
        .lines()
        .skip(app.policy_scroll)
        .take(json_area.height as usize)
        .map(|line| Line::styled(escape_controls(line).into_owned(), theme.json()))
        .collect();
    frame.render_widget(Paragraph::new(lines), json_area);
}

/// Draws the policy file as written, with line numbers and the line a finding jumped to highlighted.
fn render_source(frame: &mut Frame, area: Rect, app: &App, name: &str, text: &str) {
    let theme = &app.theme;
    let focused = app.focus == Focus::Policy && app.export.is_none();
    let title = (app.strings().source_title)(&escape_controls(name));
    let block = pane_block(Line::from(format!(" {title} ")), focused, theme);
    let inner_height = layout::inner_rows(area, 0);
    let number_width = text.lines().count().max(1).to_string().len();
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .skip(app.policy_scroll)
        .take(inner_height)
        .map(|(index, line)| {
            let number = Span::styled(format!("{:>number_width$} ", index + 1), theme.muted());
            let style = if app.source_line == Some(index + 1) { theme.selected(true) } else { theme.json() };
            Line::from(vec![number, Span::styled(escape_controls(line).into_owned(), style)])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_status(frame: &mut Frame, area: Rect, app: &App) {
    let strings = app.strings();
    let theme = &app.theme;
    if let Some(request) = &app.request {
        let prompt = strings.request_prompt;
        let [prompt_area, input_area] = Layout::horizontal([Constraint::Length(prompt.width() as u16), Constraint::Min(1)]).areas(area);
        frame.render_widget(Paragraph::new(Span::styled(prompt, theme.key())), prompt_area);
        render_input(frame, input_area, request.value(), request);
        return;
    }
    if app.searching {
        let prompt = strings.search_prompt;
        let count = (strings.search_matches)(app.rows.len());
        let [prompt_area, input_area, count_area] = Layout::horizontal([
            Constraint::Length(prompt.width() as u16),
            Constraint::Min(1),
            Constraint::Length(count.width() as u16 + 1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(Span::styled(prompt, theme.key())), prompt_area);
        render_input(frame, input_area, app.search.value(), &app.search);
        frame.render_widget(Paragraph::new(count).style(theme.muted()).alignment(Alignment::Right), count_area);
        return;
    }
    if let Some(status) = &app.status {
        let style = status_style(status.kind, theme);
        let lines: Vec<Line> = app.status_lines().into_iter().map(|line| Line::from(Span::styled(line, style))).collect();
        frame.render_widget(Paragraph::new(lines), area);
    }
}

fn status_style(kind: StatusKind, theme: &Theme) -> Style {
    match kind {
        StatusKind::Info => theme.info(),
        StatusKind::Success => theme.success(),
        StatusKind::Warning => theme.warning(),
        StatusKind::Error => theme.error(),
    }
}

/// Draws an input field's visible part and puts the terminal cursor on the caret. Both are measured
/// in display columns, so the caret stays under wide (Chinese) characters.
fn render_input(frame: &mut Frame, area: Rect, value: &str, input: &tui_input::Input) {
    let width = area.width.max(1) as usize;
    let scroll = input.visual_scroll(width.saturating_sub(1));
    let mut skipped = 0;
    let mut visible = String::new();
    for c in value.chars() {
        let shown = escape_controls(c.encode_utf8(&mut [0; 4])).into_owned();
        let w = shown.width();
        if skipped < scroll {
            skipped += w;
            continue;
        }
        visible.push_str(&shown);
    }
    frame.render_widget(Paragraph::new(visible), area);
    let caret = input.visual_cursor().saturating_sub(skipped) as u16;
    frame.set_cursor_position(Position::new(area.x + caret.min(area.width.saturating_sub(1)), area.y));
}

fn render_footer(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let context = app.context();
    let hints = keymap::hints(context, app.strings(), true);
    // The help hint is placed first when space is short, so every other key stays discoverable.
    let help_label = app.strings().key_help;
    let total: usize = hints.iter().map(|h| h.keys_text().width() + h.label.width() + 3).sum();
    let ordered: Vec<&keymap::Hint> = if total > area.width as usize {
        hints.iter().filter(|h| h.label == help_label).chain(hints.iter().filter(|h| h.label != help_label)).collect()
    } else {
        hints.iter().collect()
    };
    let mut spans = Vec::new();
    let mut used = 0;
    for hint in ordered {
        let keys = hint.keys_text();
        let needed = keys.width() + hint.label.width() + 3;
        if used + needed > area.width as usize {
            break;
        }
        spans.push(Span::styled(format!(" {keys}"), theme.key()));
        spans.push(Span::styled(format!(" {} ", hint.label), theme.hint()));
        used += needed;
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Returns a rectangle of at most `width`×`height` centred in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height)
}

fn render_export(frame: &mut Frame, screen: Rect, app: &App, dialog: &ExportDialog) {
    let strings = app.strings();
    let theme = &app.theme;
    let area = centered(screen, 80, 12);
    frame.render_widget(Clear, area);
    let block = pane_block(Line::from(format!(" {} ", strings.export_title)), true, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let [format_row, path_row, name_row, description_row, message_row, hint_row] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);

    let mut formats = vec![Span::styled(strings.export_format, theme.key())];
    for format in FORMATS {
        let style = if format == dialog.format { theme.selected(true) } else { theme.muted() };
        formats.push(Span::styled(format!(" {} ", format_label(format)), style));
        formats.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(formats)), format_row);

    let labels = [(ExportField::Path, strings.export_path), (ExportField::Name, strings.export_name), (ExportField::Description, strings.export_description)];
    let label_width = labels.iter().filter(|(f, _)| dialog.fields().contains(f)).map(|(_, l)| l.width()).max().unwrap_or(0) as u16;
    let fields = [
        (ExportField::Path, path_row, strings.export_path, &dialog.path),
        (ExportField::Name, name_row, strings.export_name, &dialog.name),
        (ExportField::Description, description_row, strings.export_description, &dialog.description),
    ];
    for (field, row, label, input) in fields {
        if !dialog.fields().contains(&field) {
            continue;
        }
        let [label_area, input_area] = Layout::horizontal([Constraint::Length(label_width), Constraint::Min(1)]).areas(row);
        let label_style = if dialog.field == field { theme.key() } else { theme.muted() };
        frame.render_widget(Paragraph::new(Span::styled(label, label_style)), label_area);
        if dialog.field == field {
            render_input(frame, input_area, input.value(), input);
        } else {
            frame.render_widget(Paragraph::new(escape_controls(input.value()).into_owned()), input_area);
        }
    }

    if let Some(message) = &dialog.message {
        let paragraph = Paragraph::new(escape_controls(&message.text).into_owned()).style(status_style(message.kind, theme)).wrap(Wrap { trim: true });
        frame.render_widget(paragraph, message_row);
    }
    frame.render_widget(Paragraph::new(strings.export_hint).style(theme.hint()), hint_row);
}

fn render_help(frame: &mut Frame, screen: Rect, app: &App) {
    let strings = app.strings();
    let theme = &app.theme;
    let left_sections = [
        (strings.help_context_global, Context::Global),
        (strings.help_context_panes, Context::Panes),
        (strings.help_context_table, Context::Table),
        (strings.help_context_actions, Context::Actions),
        (strings.help_context_findings, Context::Findings),
    ];
    let right_sections = [
        (strings.help_context_search, Context::Search),
        (strings.help_context_request, Context::Request),
        (strings.help_context_export, Context::Export),
    ];
    let left = help_lines(&left_sections, app);
    let right = help_lines(&right_sections, app);
    let legend = Line::styled(strings.help_legend, theme.muted());

    // Two columns are used when they fit side by side, else one. The legend goes last and the close
    // hint sits on the border, so both stay visible on short screens.
    let column_width = |lines: &[Line]| lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let (left_width, right_width) = (column_width(&left), column_width(&right));
    let two_columns = left_width + right_width + 5 <= screen.width;
    let (columns, height): (Vec<Vec<Line>>, u16) = if two_columns {
        let height = left.len().max(right.len()) as u16 + 2;
        (vec![left, right], height)
    } else {
        let mut all = left;
        all.extend(right);
        let height = all.len() as u16;
        (vec![all], height)
    };
    let content_width = if two_columns { left_width + right_width + 3 } else { left_width.max(right_width) };
    let width = content_width.max(legend.width() as u16) + 2;
    let area = centered(screen, width.max(64), height + 2);
    frame.render_widget(Clear, area);
    let block = pane_block(Line::from(format!(" {} ", strings.help_title)), true, theme)
        .title_bottom(Line::styled(format!(" {} ", strings.help_close), theme.hint()));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let [columns_area, legend_area] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    if two_columns {
        let [left_area, right_area] =
            Layout::horizontal([Constraint::Length(left_width + 3), Constraint::Min(0)]).areas(columns_area);
        let mut columns = columns.into_iter();
        frame.render_widget(Paragraph::new(Text::from(columns.next().unwrap_or_default())), left_area);
        frame.render_widget(Paragraph::new(Text::from(columns.next().unwrap_or_default())), right_area);
    } else {
        frame.render_widget(Paragraph::new(Text::from(columns.into_iter().next().unwrap_or_default())), columns_area);
    }
    frame.render_widget(Paragraph::new(legend), legend_area);
}

/// Builds the help lines of some keymap contexts: a heading per context, then its keys and what they do.
fn help_lines(sections: &[(&'static str, Context)], app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
    for &(title, context) in sections {
        let rows = keymap::help_rows(context, app.strings());
        if rows.is_empty() {
            continue;
        }
        lines.push(Line::styled(title, theme.header()));
        for (keys, label) in rows {
            lines.push(Line::from(vec![Span::styled(format!("  {keys:<24}"), theme.key()), Span::raw(label)]));
        }
    }
    lines
}
