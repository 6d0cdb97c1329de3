use super::Strings;

pub const STRINGS: Strings = Strings {
    app_title: "permscope",
    scope_project: "IAM project",
    scope_enterprise: "Enterprise project",
    scope_label: "Scope: ",
    callable_count: |callable, conditional, total| format!("{callable}/{total} callable, {conditional} conditional"),
    services_count: |count| format!("{count} services"),

    apis_title: "APIs",
    apis_filtered_title: |shown, total, query| format!("APIs {shown}/{total} matching \"{query}\""),
    column_status: "",
    column_name: "Name",
    column_method: "Method",
    column_path: "Path",
    column_actions: "Actions",
    no_matches: "No API matches the search. Esc clears it.",

    detail_title: "Details",
    detail_aliases: "Aliases: ",
    detail_no_aliases: "none",
    detail_scopes: "Takes effect in: ",
    detail_actions: "Required actions:",
    detail_picked: "picked",
    status_callable: "✔ callable",
    status_conditional: "? conditional: depends on a Condition or Resource",
    status_blocked: "✘ not callable",
    status_out_of_scope: |scope| format!("- does not take effect in {scope} scope"),
    action_granted_single: "granted",
    action_granted_picked: "granted (picked API)",
    action_allowed_by: |pattern, statement| format!("allowed by {pattern} (statement {statement})"),
    action_conditional_by: |pattern, statement| format!("conditional: {pattern} (statement {statement})"),
    action_denied_by: |pattern, statement| format!("denied by {pattern} (statement {statement})"),
    action_missing: "missing",
    supported: "✔",
    unsupported: "✘",

    actions_title: |granted, total| format!("Actions {granted}/{total} allowed"),
    actions_needed_by: |count| if count == 1 { "1 API".to_owned() } else { format!("{count} APIs") },

    policy_title: |chars, max| format!("Policy {chars}/{max} characters"),
    policy_empty: "Nothing granted yet. Press Space on an API or an action.",

    search_prompt: "Search: ",
    search_matches: |count| if count == 1 { "1 match".to_owned() } else { format!("{count} matches") },

    export_title: "Export policy",
    export_path: "File: ",
    export_format: "Format: ",
    export_hint: "Enter write · Tab format · ↑↓ field · Esc cancel",
    export_no_default: "No home directory is set: type the full path of the file to write.",
    export_exists: |path| format!("{path} exists. Press Enter again to replace it, or edit the path."),
    export_empty_path: "Type a file path first.",
    exported: |path, chars| format!("Wrote {path} ({chars} characters)."),
    export_failed: |path, error| format!("Could not write {path}: {error}. Nothing was changed."),
    export_refused: |reason| format!("Not exported: Huawei would reject this policy: {reason}"),
    export_name: "Name: ",
    export_description: "Description: ",
    export_empty_policy: "Nothing to export: grant at least one action first.",
    export_missing_name: "Type the custom policy's name: this format creates a named policy.",
    export_missing_description: "Type a description: Huawei requires one for every custom policy.",
    export_name_too_long: |count, max| format!("The name has {count} characters; Huawei allows at most {max}."),
    export_control_character: "Remove line breaks, tabs and other control characters from the name and description.",

    request_prompt: "Request: ",
    request_matched: |line, api, count| {
        if count == 1 {
            format!("{line} calls {api}.")
        } else {
            format!("{line} matches {count} APIs; selected {api}. Add the method to narrow it down.")
        }
    },
    request_no_match: |line, closest| {
        if closest.is_empty() {
            format!("No API in the catalog matches {line}.")
        } else {
            format!("No API in the catalog matches {line}. Closest: {closest}")
        }
    },
    request_invalid: |line, reason| format!("Cannot read the request {line}: {reason}"),
    request_empty: "the request is empty",
    request_unknown_method: |method, suggestion| match suggestion {
        Some(s) => format!("{method} is not an HTTP method; did you mean {s}?"),
        None => format!("{method} is not an HTTP method"),
    },
    request_not_a_path: |target| format!("{target} is neither a path starting with / nor an http(s) URL"),
    request_too_many_parts: |count| format!("expected [METHOD] PATH-OR-URL, found {count} words"),

    findings_title: |errors, warnings| format!("Findings: {errors} errors, {warnings} warnings"),
    source_title: |name| format!("Policy file {name} (v: draft)"),
    finding_title: |code| {
        Some(match code {
            "json-syntax" => "Invalid JSON",
            "not-object" => "Not a policy object",
            "version" => "Wrong Version",
            "statement" => "Invalid Statement",
            "effect" => "Invalid Effect",
            "action-missing" => "Missing Action",
            "action-type" => "Action is not a list of strings",
            "action-empty" => "Empty Action",
            "action-format" => "Malformed action",
            "condition-type" => "Invalid Condition",
            "resource-type" => "Invalid Resource",
            "duplicate-key" => "Duplicate key",
            "unknown-key" => "Unknown key",
            "unsupported-key" => "Key not in Version 1.1",
            "uppercase-service" => "Uppercase service name",
            "question-mark" => "? is not a wildcard",
            "service-wildcard" => "* in the service name",
            "no-statements" => "No statements",
            "deny-only" => "Only Deny statements",
            "limit-chars" => "Over 6,144 characters",
            "limit-statements" => "Over 8 statements",
            "limit-actions" => "Over 100 actions in a statement",
            "limit-conditions" => "Over 10 conditions in a statement",
            "limit-resources" => "Over 10 resources in a statement",
            "unknown-action" => "Action not in the catalog",
            "allow-cancelled" => "Allow cancelled by Deny",
            "service-wide-wildcard" => "Service-wide wildcard",
            "near-limit-chars" => "Near the size limit",
            _ => return None,
        })
    },
    severity_error: "error",
    severity_warning: "warning",

    copied_system: "Copied the policy to the clipboard; it stays there after permscope exits.",
    copied_system_transient: "Copied the policy to the clipboard, but it will be lost when permscope exits.",
    copied_osc52: "Sent the policy to the terminal's clipboard (OSC 52). The terminal cannot confirm it: paste to check.",
    copied_osc52_tmux: "Sent the policy to the clipboard through tmux (OSC 52). It needs tmux's set-clipboard or allow-passthrough; paste to check.",
    copy_fallback: |error| format!("No system clipboard ({error}); sent through the terminal (OSC 52) instead. Paste to check."),
    copy_failed: |error| format!("Copy failed: {error}"),
    copying: "Copying…",

    picked: |api, granted| {
        if granted.is_empty() {
            format!("Picked {api}; its actions were already granted.")
        } else {
            format!("Picked {api}: granted {}.", granted.join(", "))
        }
    },
    unpicked: |api, revoked| {
        if revoked.is_empty() {
            format!("Unpicked {api}; its actions are still needed by other grants.")
        } else {
            format!("Unpicked {api}: revoked {}.", revoked.join(", "))
        }
    },
    granted_action: |action| format!("Granted {action}."),
    revoked_action: |action, unpicked| {
        if unpicked == 0 {
            format!("Revoked {action}.")
        } else {
            format!("Revoked {action} and unpicked {unpicked} API(s) that need it.")
        }
    },
    still_blocked: |actions| format!("Still not callable: denied {}.", actions.join(", ")),
    scope_switched: |scope| format!("Scope: {scope}."),

    state_restored: |path| format!("Restored the draft from {path}."),
    state_corrupt: |path, moved, error| format!("The saved draft {path} is invalid ({error}); moved it to {moved}."),
    state_unreadable: |path, error| {
        format!(
            "Could not read the saved draft {path}: {error}. Nothing will be saved until you fix this (move a file that \
             is in place of a directory, or correct the permissions) and restart permscope."
        )
    },
    state_save_failed: |path, error| format!("Could not save the draft to {path}: {error}."),
    state_not_saved: "No home directory is set: the draft will not be saved.",
    policy_loaded: |path, statements| format!("Loaded {path} ({statements} statements)."),
    dropped_picks: |count| format!("{count} picked API(s) from the saved draft are not in this catalog; their actions stay granted."),

    help_title: "Keys",
    help_close: "Press ? or Esc to close",
    help_context_table: "API table",
    help_context_actions: "Action list",
    help_context_panes: "Moving in a pane",
    help_context_search: "Search",
    help_context_export: "Export dialog",
    help_context_findings: "Findings",
    help_context_request: "Request prompt",
    help_context_global: "Everywhere",
    help_legend: "✔ callable  ? conditional  ✘ not callable  - not in this scope  * picked",

    too_small: |width, height, min_width, min_height| {
        format!("Terminal too small: {width}×{height}. permscope needs at least {min_width}×{min_height}.")
    },

    key_quit: "quit",
    key_move: "move",
    key_page: "page",
    key_top_bottom: "top/bottom",
    key_focus: "next pane",
    key_pick: "pick API",
    key_toggle: "grant/revoke",
    key_search: "search",
    key_scope: "scope",
    key_export: "export",
    key_copy: "copy",
    key_help: "help",
    key_lang: "中文",
    key_accept: "keep filter",
    key_cancel: "cancel",
    key_close: "close",
    key_clear: "clear",
    key_format: "format",
    key_write: "write",
    key_jump: "show in file",
    key_request: "find API of a request",
    key_source: "policy file/draft",
    key_find: "find",
    key_field: "field",

    not_a_terminal: "The explorer needs an interactive terminal. Use the subcommands in scripts: permscope check, search, policy (see permscope --help).",
    dumb_terminal: "The explorer cannot run with TERM=dumb. Set TERM (for example xterm-256color) or use the subcommands: permscope check, search, policy.",
};
