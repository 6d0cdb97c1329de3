//! Every text the explorer shows, one table per language. A message with values is a function so each
//! language can place the values where its grammar wants them.

mod en;
mod zh;

use crate::catalog::Lang;

pub struct Strings {
    pub app_title: &'static str,
    pub scope_project: &'static str,
    pub scope_enterprise: &'static str,
    /// Labels that introduce a value end with the language's colon and spacing: "Scope: ", "授权范围：".
    pub scope_label: &'static str,
    pub callable_count: fn(usize, usize, usize) -> String,
    /// The header's stand-in for a catalog's service list that does not fit: the number of services.
    pub services_count: fn(usize) -> String,

    pub apis_title: &'static str,
    pub apis_filtered_title: fn(usize, usize, &str) -> String,
    pub column_status: &'static str,
    pub column_name: &'static str,
    pub column_method: &'static str,
    pub column_path: &'static str,
    pub column_actions: &'static str,
    pub no_matches: &'static str,

    pub detail_title: &'static str,
    pub detail_aliases: &'static str,
    pub detail_no_aliases: &'static str,
    pub detail_scopes: &'static str,
    pub detail_actions: &'static str,
    pub detail_picked: &'static str,
    pub status_callable: &'static str,
    pub status_conditional: &'static str,
    pub status_blocked: &'static str,
    pub status_out_of_scope: fn(&str) -> String,
    pub action_granted_single: &'static str,
    pub action_granted_picked: &'static str,
    pub action_allowed_by: fn(&str, usize) -> String,
    pub action_conditional_by: fn(&str, usize) -> String,
    pub action_denied_by: fn(&str, usize) -> String,
    pub action_missing: &'static str,
    pub supported: &'static str,
    pub unsupported: &'static str,

    pub actions_title: fn(usize, usize) -> String,
    pub actions_needed_by: fn(usize) -> String,

    pub policy_title: fn(usize, usize) -> String,
    pub policy_empty: &'static str,

    pub search_prompt: &'static str,
    pub search_matches: fn(usize) -> String,

    pub export_title: &'static str,
    pub export_path: &'static str,
    pub export_format: &'static str,
    pub export_hint: &'static str,
    pub export_no_default: &'static str,
    pub export_exists: fn(&str) -> String,
    pub export_empty_path: &'static str,
    pub exported: fn(&str, usize) -> String,
    pub export_failed: fn(&str, &str) -> String,
    pub export_refused: fn(&str) -> String,
    pub export_name: &'static str,
    pub export_description: &'static str,
    pub export_empty_policy: &'static str,
    pub export_missing_name: &'static str,
    pub export_missing_description: &'static str,
    pub export_name_too_long: fn(usize, usize) -> String,
    pub export_control_character: &'static str,

    pub request_prompt: &'static str,
    pub request_matched: fn(&str, &str, usize) -> String,
    pub request_no_match: fn(&str, &str) -> String,
    pub request_invalid: fn(&str, &str) -> String,
    pub request_empty: &'static str,
    pub request_unknown_method: fn(&str, Option<&str>) -> String,
    pub request_not_a_path: fn(&str) -> String,
    pub request_too_many_parts: fn(usize) -> String,

    pub findings_title: fn(usize, usize) -> String,
    pub source_title: fn(&str) -> String,
    /// A short title per lint code; the finding's own message (English) follows it.
    pub finding_title: fn(&str) -> Option<&'static str>,
    pub severity_error: &'static str,
    pub severity_warning: &'static str,

    pub copied_system: &'static str,
    pub copied_system_transient: &'static str,
    pub copied_osc52: &'static str,
    pub copied_osc52_tmux: &'static str,
    pub copy_fallback: fn(&str) -> String,
    pub copy_failed: fn(&str) -> String,
    pub copying: &'static str,

    pub picked: fn(&str, &[String]) -> String,
    pub unpicked: fn(&str, &[String]) -> String,
    pub granted_action: fn(&str) -> String,
    pub revoked_action: fn(&str, usize) -> String,
    pub still_blocked: fn(&[String]) -> String,
    pub scope_switched: fn(&str) -> String,

    pub state_restored: fn(&str) -> String,
    pub state_corrupt: fn(&str, &str, &str) -> String,
    pub state_unreadable: fn(&str, &str) -> String,
    pub state_save_failed: fn(&str, &str) -> String,
    pub state_not_saved: &'static str,
    pub policy_loaded: fn(&str, usize) -> String,
    pub dropped_picks: fn(usize) -> String,

    pub help_title: &'static str,
    pub help_close: &'static str,
    pub help_context_table: &'static str,
    pub help_context_actions: &'static str,
    pub help_context_panes: &'static str,
    pub help_context_search: &'static str,
    pub help_context_export: &'static str,
    pub help_context_findings: &'static str,
    pub help_context_request: &'static str,
    pub help_context_global: &'static str,
    pub help_legend: &'static str,

    pub too_small: fn(u16, u16, u16, u16) -> String,

    pub key_quit: &'static str,
    pub key_move: &'static str,
    pub key_page: &'static str,
    pub key_top_bottom: &'static str,
    pub key_focus: &'static str,
    pub key_pick: &'static str,
    pub key_toggle: &'static str,
    pub key_search: &'static str,
    pub key_scope: &'static str,
    pub key_export: &'static str,
    pub key_copy: &'static str,
    pub key_help: &'static str,
    pub key_lang: &'static str,
    pub key_accept: &'static str,
    pub key_cancel: &'static str,
    pub key_close: &'static str,
    pub key_clear: &'static str,
    pub key_format: &'static str,
    pub key_write: &'static str,
    pub key_jump: &'static str,
    pub key_request: &'static str,
    pub key_source: &'static str,
    pub key_find: &'static str,
    pub key_field: &'static str,

    pub not_a_terminal: &'static str,
    pub dumb_terminal: &'static str,
}

pub fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::En => &en::STRINGS,
        Lang::Zh => &zh::STRINGS,
    }
}
