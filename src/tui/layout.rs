//! The placement of each part of the explorer for a terminal size. Both drawing and mouse handling use this,
//! so a click lands on the row that was drawn there.

use ratatui::layout::{Constraint, Layout, Rect};

/// Smallest terminal the explorer draws in; below it a notice replaces the interface.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;
/// From this width the panes sit side by side; narrower terminals stack them.
pub const WIDE_WIDTH: u16 = 110;

/// The pane that has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Table,
    Actions,
    /// Lint findings of the policy file given with `--policy`.
    Findings,
    Policy,
}

impl Focus {
    pub fn next(self) -> Focus {
        match self {
            Focus::Table => Focus::Actions,
            Focus::Actions => Focus::Findings,
            Focus::Findings => Focus::Policy,
            Focus::Policy => Focus::Table,
        }
    }

    pub fn previous(self) -> Focus {
        self.next().next().next()
    }
}

/// The areas of one frame. Panes that are not shown in this layout are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub header: Rect,
    pub table: Rect,
    pub detail: Option<Rect>,
    pub actions: Option<Rect>,
    pub policy: Option<Rect>,
    pub findings: Option<Rect>,
    pub status: Rect,
    pub footer: Rect,
    /// Whether the table has room for the path and actions columns.
    pub wide: bool,
}

/// Splits the screen, or returns `None` when it is below the minimum size. The status line takes
/// `status_lines` rows (1 to 3), so a long message is shown whole.
pub fn areas(
    screen: Rect,
    focus: Focus,
    row_count: usize,
    action_count: usize,
    finding_count: usize,
    status_lines: u16,
) -> Option<Areas> {
    if screen.width < MIN_WIDTH || screen.height < MIN_HEIGHT {
        return None;
    }
    let status_lines = status_lines.clamp(1, 3);
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(status_lines),
        Constraint::Length(1),
    ])
    .areas(screen);

    if screen.width >= WIDE_WIDTH {
        let [left, right] = Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(body);
        // The table takes the rows it needs, between half the column (so the panes do not jump while a
        // search narrows the rows) and all but the 12 rows the detail pane needs.
        let table_floor = left.height.saturating_sub(12).min(left.height / 2);
        let table_limit = left.height.saturating_sub(12).max(left.height / 2);
        let needed = (row_count.min(usize::from(u16::MAX)) as u16).saturating_add(3);
        let table_height = needed.clamp(table_floor, table_limit);
        let [table, detail] = Layout::vertical([Constraint::Max(table_height), Constraint::Min(0)]).areas(left);
        let actions_height = (action_count as u16 + 2).min(right.height / 2).max(3);
        let findings_height = if finding_count == 0 { 0 } else { (finding_count as u16 + 2).min(right.height / 4).max(3) };
        let [actions, findings, policy] =
            Layout::vertical([Constraint::Length(actions_height), Constraint::Length(findings_height), Constraint::Min(0)]).areas(right);
        let findings = (finding_count > 0).then_some(findings);
        return Some(Areas { header, table, detail: Some(detail), actions: Some(actions), policy: Some(policy), findings, status, footer, wide: true });
    }

    // Stacked: the table on top, and below it the pane that matters for the focus.
    let [table, bottom] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
    let mut areas = Areas { header, table, status, footer, wide: screen.width >= 80, ..Areas::default() };
    match focus {
        Focus::Table => areas.detail = Some(bottom),
        Focus::Actions => areas.actions = Some(bottom),
        Focus::Policy => areas.policy = Some(bottom),
        Focus::Findings => areas.findings = Some(bottom),
    }
    Some(areas)
}

/// Rows of a bordered list inside `area`, less `header_rows` of column headings.
pub fn inner_rows(area: Rect, header_rows: u16) -> usize {
    area.height.saturating_sub(2 + header_rows) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_pane_kept_for_long_tables() {
        for rows in [0, 19, 40, 60, 100_000] {
            let areas = areas(Rect::new(0, 0, 120, 40), Focus::Table, rows, 7, 0, 1).unwrap();
            let detail = areas.detail.expect("the wide layout has a detail pane");
            assert!(detail.height >= 12, "{rows} rows leave the detail pane {} rows", detail.height);
            assert!(areas.table.height >= 3, "{rows} rows");
        }
        // A short table takes only what it needs: 19 rows, a header and two borders.
        assert_eq!(areas(Rect::new(0, 0, 120, 40), Focus::Table, 19, 7, 0, 1).unwrap().table.height, 22);
    }

    #[test]
    fn status_grows_to_three_lines() {
        for (lines, height) in [(0, 1), (1, 1), (2, 2), (3, 3), (5, 3)] {
            let areas = areas(Rect::new(0, 0, 120, 40), Focus::Table, 19, 7, 0, lines).unwrap();
            assert_eq!(areas.status.height, height, "{lines} lines");
            assert_eq!(areas.footer.y, 39);
            assert_eq!(areas.status.y + areas.status.height, 39);
        }
    }

    #[test]
    fn too_small_has_no_layout() {
        assert!(areas(Rect::new(0, 0, 39, 40), Focus::Table, 19, 7, 0, 1).is_none());
        assert!(areas(Rect::new(0, 0, 120, 11), Focus::Table, 19, 7, 0, 1).is_none());
        assert!(areas(Rect::new(0, 0, 1, 1), Focus::Table, 19, 7, 0, 1).is_none());
    }

    #[test]
    fn wide_shows_every_pane() {
        let areas = areas(Rect::new(0, 0, 160, 45), Focus::Table, 19, 7, 0, 1).unwrap();
        assert!(areas.detail.is_some());
        assert!(areas.actions.is_some());
        assert!(areas.policy.is_some());
        assert!(areas.findings.is_none(), "no findings pane without findings");
        assert_eq!(areas.actions.unwrap().height, 9);
        // 19 rows, a heading and two borders.
        assert_eq!(areas.table.height, 22);
        assert_eq!(areas.footer.y, 44);
    }

    #[test]
    fn narrow_stacks_by_focus() {
        let areas = areas(Rect::new(0, 0, 60, 30), Focus::Actions, 19, 7, 0, 1).unwrap();
        assert!(areas.detail.is_none());
        assert!(areas.actions.is_some());
        assert!(areas.policy.is_none());
        assert!(!areas.wide);
    }
}
