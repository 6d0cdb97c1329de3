//! `permscope diff OLD NEW`: what a policy change does, for review.

use serde_json::{Value, json};

use super::{Context, Error, args::DiffArgs, emit, to_json_text};
use crate::catalog::{Catalog, Lang, Scope};
use crate::diff::{ApiChange, ChangeKind, PatternEntry, PolicyDiff, diff};
use crate::eval::ActionStatus;
use crate::input::STDIN_NAME;
use crate::policy::Policy;
use crate::text::escape_controls;

const GROUPS: [(ChangeKind, &str, &str); 3] = [
    (ChangeKind::BecameCallable, "became_callable", "APIs that become callable"),
    (ChangeKind::StoppedCallable, "stopped_callable", "APIs that stop being callable"),
    (ChangeKind::ConditionalChanged, "conditional_changed", "APIs that change to or from conditional"),
];

pub fn run(args: &DiffArgs, context: &Context) -> Result<(), Error> {
    if args.old == "-" && args.new == "-" {
        return Err(Error::usage(
            "OLD and NEW are both `-`; standard input can be read only once",
            Some("name a file for at least one of them".into()),
        ));
    }
    let old = Policy::load(&args.old)?.policy;
    let new = Policy::load(&args.new)?.policy;
    let scope = Scope::from(args.scope);
    let catalog = context.catalog()?;
    let changes = diff(catalog, &old, &new, scope);
    let (old_name, new_name) = (display_name(&args.old), display_name(&args.new));

    let output = if args.json {
        to_json_text(&report_json(&changes, catalog, old_name, new_name))
    } else {
        report_text(&changes, catalog, context.lang, old_name, new_name)
    };
    emit(&output)?;

    if args.exit_code && !changes.is_empty() {
        // Like `git diff --exit-code`: the exit status alone reports that the policies differ.
        return Err(Error::Failed(String::new()));
    }
    Ok(())
}

fn display_name(path: &str) -> &str {
    if path == "-" { STDIN_NAME } else { path }
}

fn status_text(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Allowed => "allowed",
        ActionStatus::Conditional => "conditional",
        ActionStatus::Denied => "denied",
        ActionStatus::NotAllowed => "not allowed",
    }
}

/// `Allow evs:snapshots:get`, with the Condition and Resource that limit it.
fn pattern_text(entry: &PatternEntry) -> String {
    let mut text = format!("{} {}", entry.effect.as_str(), entry.action);
    if let Some(condition) = &entry.condition {
        text.push_str(&format!("  when {condition}"));
    }
    if let Some(resource) = &entry.resource {
        text.push_str(&format!("  on {}", resource.join(", ")));
    }
    escape_controls(&text).into_owned()
}

fn api_line(change: &ApiChange, catalog: &Catalog, lang: Lang, sign: char) -> String {
    let api = &catalog.apis[change.api];
    let transition = format!("{} → {}", change.before.as_str(), change.after.as_str());
    format!(
        "  {sign} {} {}  {}  ({transition})\n",
        api.method,
        escape_controls(&api.path),
        escape_controls(api.name.get(lang))
    )
}

fn report_text(changes: &PolicyDiff, catalog: &Catalog, lang: Lang, old_name: &str, new_name: &str) -> String {
    let mut out = format!("--- {}\n+++ {}\nscope: {}\n", escape_controls(old_name), escape_controls(new_name), changes.scope);
    if changes.is_empty() {
        out.push_str("\nno differences\n");
        return out;
    }

    for (kind, _, title) in GROUPS {
        let group: Vec<&ApiChange> = changes.apis_of(kind).collect();
        if group.is_empty() {
            continue;
        }
        let sign = match kind {
            ChangeKind::BecameCallable => '+',
            ChangeKind::StoppedCallable => '-',
            ChangeKind::ConditionalChanged => '~',
        };
        out.push_str(&format!("\n{title} ({}):\n", group.len()));
        for change in group {
            out.push_str(&api_line(change, catalog, lang, sign));
        }
    }

    for (entries, sign, title) in [(&changes.added, '+', "Action patterns added"), (&changes.removed, '-', "Action patterns removed")] {
        if entries.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title} ({}):\n", entries.len()));
        for entry in entries {
            out.push_str(&format!("  {sign} {}\n", pattern_text(entry)));
        }
    }

    if !changes.statuses.is_empty() {
        out.push_str(&format!("\nCatalog actions whose status changes ({}):\n", changes.statuses.len()));
        for change in &changes.statuses {
            out.push_str(&format!("  {}: {} → {}\n", change.action, status_text(change.before), status_text(change.after)));
        }
    }
    out
}

fn report_json(changes: &PolicyDiff, catalog: &Catalog, old_name: &str, new_name: &str) -> Value {
    let mut apis = serde_json::Map::new();
    for (kind, key, _) in GROUPS {
        let group: Vec<Value> = changes
            .apis_of(kind)
            .map(|change| {
                let api = &catalog.apis[change.api];
                json!({
                    "name": {"zh": api.name.zh, "en": api.name.en},
                    "method": api.method,
                    "path": api.path,
                    "before": change.before,
                    "after": change.after,
                })
            })
            .collect();
        apis.insert(key.to_owned(), Value::Array(group));
    }
    let patterns = |entries: &[PatternEntry]| -> Vec<Value> {
        entries
            .iter()
            .map(|e| {
                let condition = e.condition.as_deref().map(|c| serde_json::from_str::<Value>(c).expect("stored as JSON"));
                json!({"effect": e.effect.as_str(), "action": e.action, "condition": condition, "resource": e.resource})
            })
            .collect()
    };
    let statuses: Vec<Value> = changes
        .statuses
        .iter()
        .map(|s| json!({"action": s.action, "before": s.before, "after": s.after}))
        .collect();
    json!({
        "old": old_name,
        "new": new_name,
        "scope": changes.scope.as_str(),
        "differ": !changes.is_empty(),
        "apis": apis,
        "actions": {"added": patterns(&changes.added), "removed": patterns(&changes.removed)},
        "action_statuses": statuses,
    })
}
