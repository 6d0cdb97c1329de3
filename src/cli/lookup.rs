//! `permscope lookup REQUEST...`: the catalog API, actions and scopes behind concrete requests.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{Context, Error, args::LookupArgs, emit, to_json_text};
use crate::catalog::{Catalog, Lang};
use crate::formats::{ExportOptions, Format, render};
use crate::input::{STDIN_NAME, read_text};
use crate::lookup::{Lookup, RequestError, is_method, match_request};
use crate::policy::Policy;
use crate::text::escape_controls;

/// Largest standard input read, in bytes: room for a long request log.
const MAX_REQUEST_BYTES: u64 = 64 * 1024 * 1024;

/// One request as the user gave it, with where it came from and its outcome.
struct Entry {
    /// `<stdin>:LINE` for a line of standard input.
    source: Option<String>,
    line: Option<usize>,
    text: String,
    outcome: Result<Lookup, RequestError>,
}

impl Entry {
    /// Returns the actions of the one API this request needs, or the reason there is no single API.
    fn single_api_actions<'c>(&self, catalog: &'c Catalog) -> Result<&'c [String], String> {
        let lookup = match &self.outcome {
            Err(e) => return Err(format!("invalid request: {e}")),
            Ok(lookup) => lookup,
        };
        let action_sets: BTreeSet<&[String]> = lookup.matches.iter().map(|m| catalog.apis[m.api].actions.as_slice()).collect();
        match action_sets.len() {
            0 => Err("no API matches this request".to_owned()),
            1 => Ok(action_sets.into_iter().next().expect("one set")),
            n => Err(format!("the request matches {n} APIs that need different actions; add the HTTP method")),
        }
    }
}

pub fn run(args: &LookupArgs, context: &Context) -> Result<(), Error> {
    let catalog = &context.catalog;
    let entries = collect_entries(&args.requests, catalog)?;
    let failed = entries.iter().filter(|e| !matches!(&e.outcome, Ok(lookup) if !lookup.matches.is_empty())).count();

    let policy = if args.policy { Some(policy_for(&entries, catalog)) } else { None };
    let policy_json = match &policy {
        Some(Ok(policy)) => {
            // Validates the limits; a catalog whose APIs need too many actions could exceed them.
            render(policy, Format::Json, &ExportOptions::default())
                .map_err(|e| Error::usage(e.to_string(), Some(e.fix().to_owned())))?;
            Some(policy.to_json())
        }
        _ => None,
    };

    if args.json {
        let mut report = json!({ "requests": entries.iter().map(|e| entry_json(e, catalog)).collect::<Vec<_>>() });
        if args.policy {
            report["policy"] = policy_json.unwrap_or(Value::Null);
        }
        emit(&to_json_text(&report))?;
    } else if let Some(policy) = &policy {
        match policy {
            Ok(policy) => emit(&policy.to_pretty_json())?,
            Err(problems) => {
                for problem in problems {
                    eprintln!("permscope: {problem}");
                }
            }
        }
    } else {
        emit(&report_text(&entries, catalog, context.lang))?;
    }

    if let Some(Err(problems)) = &policy {
        let noun = if problems.len() == 1 { "request has" } else { "requests have" };
        return Err(Error::Failed(format!("no policy printed: {} {noun} no single matching API", problems.len())));
    }
    if failed > 0 {
        return Err(Error::Failed(format!("{failed} of {} requests matched no API", entries.len())));
    }
    Ok(())
}

/// Expands `-` into the lines of standard input and joins a lone method with the path after it, so
/// `lookup GET /v2/...` works without quotes.
fn collect_entries(arguments: &[String], catalog: &Catalog) -> Result<Vec<Entry>, Error> {
    let mut entries = Vec::new();
    let mut read_stdin = false;
    let mut index = 0;
    while index < arguments.len() {
        let argument = &arguments[index];
        index += 1;
        if argument == "-" {
            if read_stdin {
                return Err(Error::usage("`-` is given twice; standard input can be read only once", None));
            }
            read_stdin = true;
            let (_, text) = read_text("-", MAX_REQUEST_BYTES)?;
            for (number, line) in text.lines().enumerate() {
                let trimmed = line.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                entries.push(Entry {
                    source: Some(format!("{STDIN_NAME}:{}", number + 1)),
                    line: Some(number + 1),
                    text: trimmed.to_owned(),
                    outcome: match_request(catalog, trimmed),
                });
            }
            continue;
        }
        let mut text = argument.trim().to_owned();
        let next_is_target = arguments.get(index).is_some_and(|next| next != "-" && !is_method(next));
        if is_method(&text) && next_is_target {
            text = format!("{text} {}", arguments[index].trim());
            index += 1;
        }
        let outcome = match_request(catalog, &text);
        entries.push(Entry { source: None, line: None, text, outcome });
    }
    Ok(entries)
}

/// Builds the least-privilege policy for every request, or lists each request without a single API.
fn policy_for(entries: &[Entry], catalog: &Catalog) -> Result<Policy, Vec<String>> {
    let mut actions = BTreeSet::new();
    let mut problems = Vec::new();
    for entry in entries {
        match entry.single_api_actions(catalog) {
            Ok(needed) => actions.extend(needed.iter().cloned()),
            Err(reason) => problems.push(format!("{}: {reason}", heading(entry))),
        }
    }
    if problems.is_empty() { Ok(Policy::allowing(actions)) } else { Err(problems) }
}

fn heading(entry: &Entry) -> String {
    let text = escape_controls(&entry.text);
    match &entry.source {
        Some(source) => format!("{source}: {text}"),
        None => text.into_owned(),
    }
}

fn scope_marks(api: &crate::catalog::Api) -> String {
    let mark = |supported: bool| if supported { "√" } else { "×" };
    format!("IAM project {}, enterprise project {}", mark(api.scopes.project), mark(api.scopes.enterprise_project))
}

fn report_text(entries: &[Entry], catalog: &Catalog, lang: Lang) -> String {
    let mut blocks = Vec::new();
    for entry in entries {
        let mut block = format!("{}\n", heading(entry));
        match &entry.outcome {
            Err(e) => block.push_str(&format!("  invalid request: {}\n", escape_controls(&e.to_string()))),
            Ok(lookup) if lookup.matches.is_empty() => {
                block.push_str("  no API matches this request\n");
                if lookup.suggestions.is_empty() {
                    block.push_str("  no template is close; run `permscope search` to find the API\n");
                } else {
                    block.push_str(&format!("  closest: {}\n", lookup.suggestions.join(" or ")));
                }
            }
            Ok(lookup) => {
                for m in &lookup.matches {
                    let api = &catalog.apis[m.api];
                    let alias = if m.is_alias(catalog) { format!("  (alias of {})", api.path) } else { String::new() };
                    block.push_str(&format!("  {} {}{alias}\n", api.method, escape_controls(&m.template)));
                    block.push_str(&format!("    name:    {}\n", escape_controls(api.name.get(lang))));
                    block.push_str(&format!("    actions: {}\n", api.actions.join(", ")));
                    block.push_str(&format!("    scopes:  {}\n", scope_marks(api)));
                }
            }
        }
        blocks.push(block);
    }
    blocks.join("\n")
}

fn entry_json(entry: &Entry, catalog: &Catalog) -> Value {
    let (method, path, matches, suggestions, error) = match &entry.outcome {
        Ok(lookup) => {
            let matches: Vec<Value> = lookup
                .matches
                .iter()
                .map(|m| {
                    let api = &catalog.apis[m.api];
                    json!({
                        "name": {"zh": api.name.zh, "en": api.name.en},
                        "method": api.method,
                        "path": api.path,
                        "template": m.template,
                        "actions": api.actions,
                        "scopes": {"project": api.scopes.project, "enterprise_project": api.scopes.enterprise_project},
                    })
                })
                .collect();
            (json!(lookup.request.method), json!(lookup.request.path), matches, lookup.suggestions.clone(), Value::Null)
        }
        Err(e) => (Value::Null, Value::Null, Vec::new(), Vec::new(), json!(e.to_string())),
    };
    json!({
        "request": entry.text,
        "line": entry.line,
        "method": method,
        "path": path,
        "matches": matches,
        "suggestions": suggestions,
        "error": error,
    })
}
