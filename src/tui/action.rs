//! Requests from the user or the run loop to the explorer. Keys become actions through the keymap;
//! results of effects come back as actions too, so every state change goes through `App::update`.

use std::path::PathBuf;

use crossterm::event::KeyEvent;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Save the draft and leave.
    Quit,
    /// Move the selection in the focused pane, or scroll the policy preview.
    MoveUp,
    MoveDown,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Focus the next (or previous) pane: API table, action list, policy preview.
    FocusNext,
    FocusPrevious,
    /// In the API table: pick or unpick the API. In the action list: grant or revoke the action.
    Toggle,
    /// Open the search field.
    OpenSearch,
    /// Switch between IAM project and enterprise project scope.
    ToggleScope,
    /// Open the export dialog.
    OpenExport,
    /// Copy the policy JSON to the clipboard.
    Copy,
    /// Show or hide the key help.
    ToggleHelp,
    /// In the findings pane: show the policy file at the finding's line.
    Activate,
    /// Switch the policy pane between the draft's policy and the policy file it started from.
    ToggleSource,
    /// Open the prompt that finds the API of a request line such as `DELETE /v3/.../snapshots/...`.
    OpenRequest,
    /// Look up the request line and select its API.
    RequestSubmit,
    /// Close the request prompt.
    RequestCancel,
    /// Switch the interface between English and Chinese.
    ToggleLang,

    /// Keep the search filter and return to the table.
    SearchAccept,
    /// Clear the search and return to the table.
    SearchCancel,
    /// A key typed into the search field or the export path field.
    Edit(KeyEvent),
    /// Text pasted into the search field or the export path field.
    Paste(String),

    /// Write the export file (an existing file is replaced only after a second confirmation).
    ExportConfirm,
    /// Close the export dialog without writing.
    ExportCancel,
    /// Cycle the export format.
    ExportNextFormat,
    /// Move to the next (or previous) text field of the export dialog.
    ExportNextField,
    ExportPreviousField,

    /// The terminal now has this size in columns and rows.
    Resize(u16, u16),
    /// A mouse click at a cell.
    Click { column: u16, row: u16 },
    /// A mouse wheel notch at a cell; `down` scrolls towards the end.
    Scroll { column: u16, row: u16, down: bool },
    /// Periodic wake-up; saves a changed draft once edits pause.
    Tick,

    /// The search worker finished matching `query`, the query of this generation.
    SearchDone { generation: u64, query: String, ranked: Vec<crate::search::Ranked> },
    /// The run loop finished copying.
    CopyDone(CopyOutcome),
    /// The run loop finished an export attempt.
    ExportDone { path: PathBuf, result: ExportResult },
    /// The run loop finished saving the draft.
    SaveDone { path: PathBuf, result: Result<(), String> },
}

/// The way a copy reached a clipboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyOutcome {
    /// The X11 or Wayland clipboard contains it; `persistent` when it outlives permscope.
    System { persistent: bool },
    /// Written as an OSC 52 sequence to the terminal, which cannot confirm it.
    Terminal { through_tmux: bool, fallback_reason: Option<String> },
    Failed(String),
}

/// The result of an export attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportResult {
    /// Written; the number of characters.
    Written(usize),
    /// The file exists and replacing it was not confirmed yet.
    Exists,
    Failed(String),
}
