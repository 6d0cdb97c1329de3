//! `permscope lookup REQUEST...`: the catalog API, actions and scopes behind concrete requests.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{Context, Error, args::LookupArgs, emit, to_json_text};
use crate::catalog::{Catalog, Lang};
use crate::error::InputError;
use crate::formats::{ExportOptions, Format, render};
use crate::input::{STDIN_NAME, read_text};
use crate::json::Pos;
use crate::lookup::{Lookup, Request, is_method, match_parsed, parse_request_located};
use crate::policy::Policy;
use crate::text::escape_controls;

/// Largest standard input read, in bytes: room for a long request log.
const MAX_REQUEST_BYTES: u64 = 64 * 1024 * 1024;

/// Maximum number of invalid requests listed on stderr. The rest are only counted, so a wrong file
/// piped in does not flood the terminal.
const MAX_LISTED_INVALID: usize = 20;

/// Maximum length, in characters, of a request quoted in an error message.
const MAX_QUOTED_CHARS: usize = 60;

/// One valid request as the user gave it, with where it came from and its matches.
struct Entry {
    /// `<stdin>:LINE` for a line of standard input.
    source: Option<String>,
    line: Option<usize>,
    text: String,
    lookup: Lookup,
}

impl Entry {
    /// Returns the actions of the one API this request needs, or the reason there is no single API.
    fn single_api_actions<'c>(&self, catalog: &'c Catalog) -> Result<&'c [String], String> {
        let lookup = &self.lookup;
        let action_sets: BTreeSet<&[String]> = lookup.matches.iter().map(|m| catalog.apis[m.api].actions.as_slice()).collect();
        match action_sets.len() {
            0 => Err("no API matches this request".to_owned()),
            1 => Ok(action_sets.into_iter().next().expect("one set")),
            n => Err(format!("the request matches {n} APIs that need different actions; add the HTTP method")),
        }
    }
}

pub fn run(args: &LookupArgs, context: &Context) -> Result<(), Error> {
    let catalog = context.catalog()?;
    let requests = collect_requests(&args.requests)?;
    let entries = match_requests(requests, catalog, args.skip_invalid)?;
    let failed = entries.iter().filter(|e| e.lookup.matches.is_empty()).count();

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

/// Source of a request, named in messages.
enum Origin {
    /// The REQUEST argument at this 1-based position, counting `-`. A method joined with the path
    /// after it has the method's position.
    Argument(usize),
    /// Standard input at this 1-based line.
    StdinLine(usize),
}

/// One request as given, before parsing.
struct RawRequest {
    origin: Origin,
    text: String,
}

/// Expands `-` into the lines of standard input and joins a lone method with the path after it, so
/// `lookup GET /v2/...` works without quotes.
fn collect_requests(arguments: &[String]) -> Result<Vec<RawRequest>, Error> {
    let mut requests = Vec::new();
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
                // The line is kept untrimmed, so error columns count from its first character.
                requests.push(RawRequest { origin: Origin::StdinLine(number + 1), text: line.to_owned() });
            }
            continue;
        }
        let position = index;
        let mut text = argument.trim().to_owned();
        if let Some(next) = arguments.get(index)
            && next != "-"
            && joins_with_target(&text, next)
        {
            text = format!("{text} {}", next.trim());
            index += 1;
        }
        requests.push(RawRequest { origin: Origin::Argument(position), text });
    }
    Ok(requests)
}

/// True when `word` is a method given as its own argument and `next` is its target: a known
/// method followed by anything but another method, or one word that is not a target followed by a
/// target. The second case makes `lookup GTE /v2/...` report the misspelled method.
fn joins_with_target(word: &str, next: &str) -> bool {
    if is_method(word) {
        return !is_method(next);
    }
    let is_target = |text: &str| {
        let lower = text.trim().to_ascii_lowercase();
        lower.starts_with('/') || lower.starts_with("http://") || lower.starts_with("https://")
    };
    !word.is_empty() && !word.contains(char::is_whitespace) && !is_target(word) && is_target(next)
}

/// Parses every request and matches the valid ones. Any invalid request rejects the whole input
/// with exit status 2: each is listed, and nothing is printed on stdout. A script must not take a
/// report that lacks those requests for a complete one, and each invalid line is an input error to
/// fix, as an invalid policy file is for `check`. With `skip_invalid` (`--skip-invalid`, asked for
/// explicitly) each invalid request is a warning instead, unless none is valid.
fn match_requests(requests: Vec<RawRequest>, catalog: &Catalog, skip_invalid: bool) -> Result<Vec<Entry>, Error> {
    let total = requests.len();
    let mut parsed: Vec<(RawRequest, Request)> = Vec::with_capacity(total);
    let mut invalid: Vec<InputError> = Vec::new();
    let mut from_stdin = false;
    let mut from_arguments = false;
    for raw in requests {
        match parse_request_located(&raw.text) {
            Ok(request) => parsed.push((raw, request)),
            Err(located) => {
                match raw.origin {
                    Origin::StdinLine(_) => from_stdin = true,
                    Origin::Argument(_) => from_arguments = true,
                }
                let quoted = quote_request(raw.text.trim());
                let message = format!("invalid request {quoted}: {}", located.error);
                let error = match raw.origin {
                    Origin::StdinLine(line) => InputError::new(STDIN_NAME, message).at(Pos { line, column: located.column }),
                    Origin::Argument(position) => InputError::new(format!("argument {position}"), message),
                };
                invalid.push(error);
            }
        }
    }
    if !invalid.is_empty() && (!skip_invalid || parsed.is_empty()) {
        return Err(invalid_requests_error(invalid, total, request_fix(from_stdin, from_arguments)));
    }
    for error in &invalid {
        eprintln!("permscope: warning: {error}; skipped");
    }

    let entries = parsed
        .into_iter()
        .map(|(raw, request)| {
            let (source, line) = match raw.origin {
                Origin::StdinLine(line) => (Some(format!("{STDIN_NAME}:{line}")), Some(line)),
                Origin::Argument(_) => (None, None),
            };
            Entry { source, line, text: raw.text.trim().to_owned(), lookup: match_parsed(catalog, request) }
        })
        .collect();
    Ok(entries)
}

/// Quotes a request for a message, cut to [`MAX_QUOTED_CHARS`] characters, because a log line can be
/// thousands of characters long and the column already points at the word at fault.
fn quote_request(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTED_CHARS {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(MAX_QUOTED_CHARS - 1).collect();
    format!("{:?}", format!("{head}…"))
}

/// Returns the fix line for invalid requests: the accepted form, with the hints for where they came
/// from.
fn request_fix(from_stdin: bool, from_arguments: bool) -> String {
    let mut fix = "write each request as [METHOD] PATH-OR-URL [HTTP/x]".to_owned();
    if from_arguments {
        fix.push_str(", quoted as one argument");
    }
    fix.push_str(", such as `GET /v2/0a1b2c3d/snapshots/detail` or a full https:// URL");
    if from_stdin {
        fix.push_str(", and start a line with # to skip it");
    }
    fix
}

/// Builds the error for invalid requests. One invalid request is the error itself, with the fix.
/// Several are printed on stderr here, at most [`MAX_LISTED_INVALID`], and the returned error counts
/// them and gives the fix once.
fn invalid_requests_error(mut invalid: Vec<InputError>, total: usize, fix: String) -> Error {
    if invalid.len() == 1 {
        return Error::Input(invalid.remove(0).with_fix(fix));
    }
    for error in invalid.iter().take(MAX_LISTED_INVALID) {
        eprintln!("permscope: error: {error}");
    }
    let unlisted = invalid.len().saturating_sub(MAX_LISTED_INVALID);
    let unlisted_note = if unlisted > 0 { format!(" ({unlisted} not listed)") } else { String::new() };
    let message = format!("{} of {total} requests are invalid{unlisted_note}, so none was looked up", invalid.len());
    Error::usage(message, Some(fix))
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
        match &entry.lookup {
            lookup if lookup.matches.is_empty() => {
                block.push_str("  no API matches this request\n");
                if lookup.suggestions.is_empty() {
                    block.push_str("  no template is close; run `permscope search` to find the API\n");
                } else {
                    block.push_str(&format!("  closest: {}\n", lookup.suggestions.join(" or ")));
                }
            }
            lookup => {
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
    let lookup = &entry.lookup;
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
    json!({
        "request": entry.text,
        "line": entry.line,
        "method": lookup.request.method,
        "path": lookup.request.path,
        "matches": matches,
        "suggestions": lookup.suggestions,
    })
}
