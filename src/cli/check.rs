//! `permscope check POLICY`: a verdict for every catalog API.

use serde_json::{Value, json};

use super::{Context, Error, args::CheckArgs, emit_streamed, to_json_text};
use crate::catalog::{Catalog, Lang, Scope, name_in};
use crate::eval::{ActionStatus, ActionTable, ApiVerdict, Evaluator, evaluate};
use crate::policy::{Finding, Policy};
use crate::search::SearchIndex;
use crate::text::{escape_controls, fit, width};

pub fn run(args: &CheckArgs, context: &Context) -> Result<(), Error> {
    let parsed = Policy::load(&args.policy)?;
    let scope = Scope::from(args.scope);
    let report = Report { lang: context.lang, scope, warnings: &parsed.warnings, source: source_name(&args.policy) };

    // A cached catalog is checked from its index and action table, without decoding its APIs.
    if let Some((index, evaluation)) = context.cached_evaluation() {
        let evaluator = Evaluator::new(&parsed.policy);
        let (_, verdicts) = evaluation.table.evaluate_where(&evaluator, |api| evaluation.supports(api, scope));
        return report.print(&Cached { index, table: &evaluation.table }, &verdicts, args.json);
    }
    let catalog = context.catalog()?;
    let verdicts = evaluate(catalog, &parsed.policy, scope);
    report.print(catalog, &verdicts, args.json)
}

/// The fields the report shows of each API, read from a catalog or from a cached catalog's search
/// index and action table.
trait Rows: Sync {
    fn count(&self) -> usize;
    fn names(&self, api: usize) -> (&str, &str);
    fn method(&self, api: usize) -> &str;
    fn path(&self, api: usize) -> &str;
    fn actions(&self, api: usize) -> Vec<&str>;

    /// Returns the name in `lang`, or in the other language when that one is empty.
    fn name(&self, api: usize, lang: Lang) -> &str {
        let (zh, en) = self.names(api);
        name_in(zh, en, lang)
    }
}

impl Rows for Catalog {
    fn count(&self) -> usize {
        self.apis.len()
    }

    fn names(&self, api: usize) -> (&str, &str) {
        (&self.apis[api].name.zh, &self.apis[api].name.en)
    }

    fn method(&self, api: usize) -> &str {
        &self.apis[api].method
    }

    fn path(&self, api: usize) -> &str {
        &self.apis[api].path
    }

    fn actions(&self, api: usize) -> Vec<&str> {
        self.apis[api].actions.iter().map(String::as_str).collect()
    }
}

/// A cached catalog: names, methods and paths from its search index, actions from its action table.
struct Cached<'a> {
    index: &'a SearchIndex,
    table: &'a ActionTable,
}

impl Rows for Cached<'_> {
    fn count(&self) -> usize {
        self.table.api_count()
    }

    fn names(&self, api: usize) -> (&str, &str) {
        self.index.api_names(api)
    }

    fn method(&self, api: usize) -> &str {
        self.index.api_method(api)
    }

    fn path(&self, api: usize) -> &str {
        self.index.api_path(api)
    }

    fn actions(&self, api: usize) -> Vec<&str> {
        self.table.api_actions(api).collect()
    }
}

/// Returns the required actions of API `api` whose status is `status`, in catalog order.
fn actions_with<'a>(rows: &'a impl Rows, api: usize, verdict: &ApiVerdict, status: ActionStatus) -> Vec<&'a str> {
    rows.actions(api).into_iter().zip(&verdict.statuses).filter(|(_, s)| **s == status).map(|(a, _)| a).collect()
}

/// The settings of one report.
#[derive(Clone, Copy)]
struct Report<'a> {
    lang: Lang,
    scope: Scope,
    warnings: &'a [Finding],
    source: &'a str,
}

impl Report<'_> {
    fn print(&self, rows: &impl Rows, verdicts: &[ApiVerdict], json: bool) -> Result<(), Error> {
        if json {
            return emit_streamed(|out| write_report_json(out, rows, self.scope, verdicts, self.warnings));
        }
        emit_streamed(|out| write_report_table(out, rows, self, verdicts))
    }
}

/// Writes `{"scope", "apis": [...], "warnings": [...]}` as pretty JSON, one API at a time. Building the
/// whole document as one value first took over 500 MB for 100,000 APIs. The bytes are those
/// [`to_json_text`] gives for the whole document: each API's pretty JSON indented to its depth.
fn write_report_json(
    out: &mut dyn std::io::Write,
    rows: &impl Rows,
    scope: Scope,
    verdicts: &[ApiVerdict],
    warnings: &[Finding],
) -> std::io::Result<()> {
    writeln!(out, "{{")?;
    writeln!(out, "  \"scope\": {},", json!(scope.as_str()))?;
    if rows.count() == 0 {
        writeln!(out, "  \"apis\": [],")?;
    } else {
        writeln!(out, "  \"apis\": [")?;
        for (api, verdict) in verdicts.iter().enumerate() {
            let text = to_json_text(&api_json(rows, api, verdict));
            let mut lines = text.trim_end().lines();
            if let Some(first) = lines.next() {
                write!(out, "    {first}")?;
            }
            for line in lines {
                write!(out, "\n    {line}")?;
            }
            writeln!(out, "{}", if api + 1 < rows.count() { "," } else { "" })?;
        }
        writeln!(out, "  ],")?;
    }

    let warnings = to_json_text(&Value::Array(warnings.iter().map(finding_json).collect()));
    let mut lines = warnings.trim_end().lines();
    write!(out, "  \"warnings\": {}", lines.next().unwrap_or("[]"))?;
    for line in lines {
        write!(out, "\n  {line}")?;
    }
    writeln!(out, "\n}}")
}

fn api_json(rows: &impl Rows, api: usize, verdict: &ApiVerdict) -> Value {
    let (zh, en) = rows.names(api);
    json!({
        "name": {"zh": zh, "en": en},
        "method": rows.method(api),
        "path": rows.path(api),
        "actions": rows.actions(api),
        "callable": verdict.callable,
        "conditional": verdict.conditional,
        "missing": actions_with(rows, api, verdict, ActionStatus::NotAllowed),
        "denied": actions_with(rows, api, verdict, ActionStatus::Denied),
        "scope_supported": verdict.scope_supported,
    })
}

fn source_name(path: &str) -> &str {
    if path == "-" { crate::input::STDIN_NAME } else { path }
}

/// Converts a finding to JSON: its code, severity, place and text.
pub fn finding_json(finding: &Finding) -> Value {
    json!({
        "code": finding.code,
        "severity": finding.severity,
        "statement": finding.statement,
        "action": finding.action,
        "line": finding.pos.map(|p| p.line),
        "column": finding.pos.map(|p| p.column),
        "message": finding.message,
        "fix": finding.fix,
    })
}

/// Returns the mark at the start of a table row. Each state has its own symbol, so the table reads
/// without colour.
fn mark(verdict: &ApiVerdict) -> &'static str {
    if verdict.callable {
        "✔ callable"
    } else if verdict.conditional {
        "? conditional"
    } else if !verdict.scope_supported {
        "- no scope"
    } else {
        "✘ blocked"
    }
}

fn reason(rows: &impl Rows, api: usize, verdict: &ApiVerdict, scope: Scope) -> String {
    if verdict.callable {
        return String::new();
    }
    if !verdict.scope_supported {
        return format!("does not take effect when granted in {} scope", scope_label(scope));
    }
    let mut parts = Vec::new();
    let denied = actions_with(rows, api, verdict, ActionStatus::Denied);
    if !denied.is_empty() {
        parts.push(format!("denied: {}", denied.join(", ")));
    }
    let missing = actions_with(rows, api, verdict, ActionStatus::NotAllowed);
    if !missing.is_empty() {
        parts.push(format!("missing: {}", missing.join(", ")));
    }
    if verdict.conditional {
        parts.push("depends on a Condition or Resource".to_owned());
    }
    parts.join("; ")
}

fn scope_label(scope: Scope) -> &'static str {
    match scope {
        Scope::Project => "IAM project",
        Scope::Enterprise => "enterprise project",
    }
}

/// Writes the table: a heading, two lines per API that is not callable (one otherwise), the counts
/// and the policy's warnings.
fn write_report_table(out: &mut dyn std::io::Write, rows: &impl Rows, report: &Report, verdicts: &[ApiVerdict]) -> std::io::Result<()> {
    let Report { lang, scope, warnings, source } = *report;
    let path_width = (0..rows.count()).map(|api| width(rows.path(api))).max().unwrap_or(4).min(72);
    writeln!(out, "scope: {} ({})", scope.as_str(), scope_label(scope))?;
    writeln!(out, "{}  {}  {}  NAME / REASON", fit("STATUS", 13), fit("METHOD", 6), fit("PATH", path_width))?;
    // The rows are formatted in one run per core and written in order, because 100,000 APIs make
    // 24 MB of text.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = verdicts.len().div_ceil(threads).max(1024);
    let runs: Vec<String> = std::thread::scope(|threads| {
        let workers: Vec<_> = (0..verdicts.len())
            .step_by(chunk)
            .map(|start| {
                let end = (start + chunk).min(verdicts.len());
                threads.spawn(move || table_rows(rows, lang, scope, verdicts, start..end, path_width))
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a formatting thread does not panic")).collect()
    });
    for run in runs {
        out.write_all(run.as_bytes())?;
    }

    let callable = verdicts.iter().filter(|v| v.callable).count();
    let conditional = verdicts.iter().filter(|v| v.conditional).count();
    writeln!(out, "\n{callable} of {} APIs callable, {conditional} conditional", rows.count())?;
    if !warnings.is_empty() {
        writeln!(out, "\nwarnings:")?;
        for warning in warnings {
            let place = warning.pos.map(|p| format!("{source}:{p}: ")).unwrap_or_else(|| format!("{source}: "));
            writeln!(out, "  {place}{}", escape_controls(&warning.message))?;
        }
    }
    Ok(())
}

/// Formats the table rows of the APIs in `apis`: status, method, path and name, and the reason on a
/// second line when the API is not callable.
fn table_rows(
    rows: &impl Rows,
    lang: Lang,
    scope: Scope,
    verdicts: &[ApiVerdict],
    apis: std::ops::Range<usize>,
    path_width: usize,
) -> String {
    let indent = " ".repeat(13 + 2 + 6 + 2 + path_width);
    let mut out = String::with_capacity(apis.len() * (path_width + 80));
    for api in apis {
        let verdict = &verdicts[api];
        push_fit(&mut out, mark(verdict), 13);
        out.push_str("  ");
        push_fit(&mut out, rows.method(api), 6);
        out.push_str("  ");
        push_fit(&mut out, &escape_controls(rows.path(api)), path_width);
        out.push_str("  ");
        out.push_str(&escape_controls(rows.name(api, lang)));
        out.push('\n');
        let why = reason(rows, api, verdict, scope);
        if !why.is_empty() {
            out.push_str(&indent);
            out.push_str("  ");
            out.push_str(&why);
            out.push('\n');
        }
    }
    out
}

/// Appends `text` padded or cut to `columns` display columns, as [`fit`] does, without allocating
/// for the usual ASCII text that fits.
fn push_fit(out: &mut String, text: &str, columns: usize) {
    if text.is_ascii() && text.len() <= columns {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', columns - text.len()));
    } else {
        out.push_str(&fit(text, columns));
    }
}
