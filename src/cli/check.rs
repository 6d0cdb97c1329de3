//! `permscope check POLICY`: a verdict for every catalog API.

use serde_json::{Value, json};

use super::{Context, Error, args::CheckArgs, emit_streamed, to_json_text};
use crate::cache::ApiTexts;
use crate::catalog::{Catalog, Lang, Scope, name_in};
use crate::eval::{ActionStatus, ActionTable, ApiVerdict, Evaluator, evaluate};
use crate::policy::{Finding, Policy};
use crate::text::{escape_controls, fit, width};

pub fn run(args: &CheckArgs, context: &Context) -> Result<(), Error> {
    let parsed = Policy::load(&args.policy)?;
    let scope = Scope::from(args.scope);
    let report = Report { lang: context.lang, scope, warnings: &parsed.warnings, source: source_name(&args.policy) };

    // A cached catalog is checked from its stored texts and action table, without decoding its APIs.
    if let Some(data) = context.cached_check() {
        let evaluator = Evaluator::new(&parsed.policy);
        // The texts are checked on a second thread while the policy is evaluated.
        let (texts, (_, verdicts)) = std::thread::scope(|threads| {
            let texts = threads.spawn(|| data.texts.check());
            let verdicts = data.table.evaluate_where(&evaluator, |api| data.supports(api, scope));
            (texts.join().expect("checking texts does not panic"), verdicts)
        });
        if let Some(texts) = texts {
            return report.print(&Cached { texts, table: &data.table }, &verdicts, args.json);
        }
    }
    let catalog = context.catalog()?;
    let verdicts = evaluate(catalog, &parsed.policy, scope);
    report.print(catalog, &verdicts, args.json)
}

/// The fields the report shows of each API, read from a catalog or from a cached catalog's texts and
/// action table.
trait Rows: Sync {
    fn count(&self) -> usize;
    fn names(&self, api: usize) -> (&str, &str);
    fn method(&self, api: usize) -> &str;
    fn path(&self, api: usize) -> &str;
    fn actions(&self, api: usize) -> impl Iterator<Item = &str>;

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

    fn actions(&self, api: usize) -> impl Iterator<Item = &str> {
        self.apis[api].actions.iter().map(String::as_str)
    }
}

/// A cached catalog: names, methods and paths from its stored texts, actions from its action table.
struct Cached<'a> {
    texts: ApiTexts<'a>,
    table: &'a ActionTable,
}

impl Rows for Cached<'_> {
    fn count(&self) -> usize {
        self.table.api_count()
    }

    fn names(&self, api: usize) -> (&str, &str) {
        self.texts.names(api)
    }

    fn method(&self, api: usize) -> &str {
        self.texts.method(api)
    }

    fn path(&self, api: usize) -> &str {
        self.texts.path(api)
    }

    fn actions(&self, api: usize) -> impl Iterator<Item = &str> {
        self.table.api_actions(api)
    }
}

/// Returns the required actions of API `api` whose status is `status`, in catalog order.
fn actions_with<'a>(
    rows: &'a impl Rows,
    api: usize,
    verdict: &'a ApiVerdict,
    status: ActionStatus,
) -> impl Iterator<Item = &'a str> {
    rows.actions(api).zip(&verdict.statuses).filter(move |(_, s)| **s == status).map(|(a, _)| a)
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
        "actions": rows.actions(api).collect::<Vec<_>>(),
        "callable": verdict.callable,
        "conditional": verdict.conditional,
        "missing": actions_with(rows, api, verdict, ActionStatus::NotAllowed).collect::<Vec<_>>(),
        "denied": actions_with(rows, api, verdict, ActionStatus::Denied).collect::<Vec<_>>(),
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

/// The mark at the start of a table row, per [`mark`]. Each state has its own symbol, so the table
/// reads without colour.
const MARKS: [&str; 4] = ["✔ callable", "? conditional", "- no scope", "✘ blocked"];

/// Display columns of the status column.
const STATUS_COLUMNS: usize = 13;

/// Returns the position of `verdict`'s mark in [`MARKS`].
fn mark(verdict: &ApiVerdict) -> usize {
    if verdict.callable {
        0
    } else if verdict.conditional {
        1
    } else if !verdict.scope_supported {
        2
    } else {
        3
    }
}

/// Appends why an API is not callable: its denied and missing actions and whether a Condition or
/// Resource decides. Appends nothing for a callable API.
fn push_reason(out: &mut String, rows: &impl Rows, api: usize, verdict: &ApiVerdict, scope: Scope) {
    if verdict.callable {
        return;
    }
    if !verdict.scope_supported {
        out.push_str("does not take effect when granted in ");
        out.push_str(scope_label(scope));
        out.push_str(" scope");
        return;
    }
    let start = out.len();
    let separate = |out: &mut String| {
        if out.len() > start {
            out.push_str("; ");
        }
    };
    for (status, label) in [(ActionStatus::Denied, "denied: "), (ActionStatus::NotAllowed, "missing: ")] {
        for (i, action) in actions_with(rows, api, verdict, status).enumerate() {
            if i == 0 {
                separate(out);
                out.push_str(label);
            } else {
                out.push_str(", ");
            }
            out.push_str(action);
        }
    }
    if verdict.conditional {
        separate(out);
        out.push_str("depends on a Condition or Resource");
    }
}

fn scope_label(scope: Scope) -> &'static str {
    match scope {
        Scope::Project => "IAM project",
        Scope::Enterprise => "enterprise project",
    }
}

/// APIs formatted per block of the table. Blocks are formatted one per core at a time, each into a
/// buffer of its own (about 0.5 MB) that is written out and reused, so the table is never held whole.
const BLOCK_APIS: usize = 2048;

/// Writes the table: a heading, two lines per API that is not callable (one otherwise), the counts
/// and the policy's warnings.
fn write_report_table(out: &mut dyn std::io::Write, rows: &impl Rows, report: &Report, verdicts: &[ApiVerdict]) -> std::io::Result<()> {
    let Report { lang, scope, warnings, source } = *report;
    let path_width = (0..rows.count()).map(|api| width(rows.path(api))).max().unwrap_or(4).min(72);
    writeln!(out, "scope: {} ({})", scope.as_str(), scope_label(scope))?;
    writeln!(out, "{}  {}  {}  NAME / REASON", fit("STATUS", STATUS_COLUMNS), fit("METHOD", 6), fit("PATH", path_width))?;
    let table = Table { rows, lang, scope, verdicts, path_width, marks: MARKS.map(|m| fit(m, STATUS_COLUMNS)) };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let mut buffers = vec![String::new(); threads];
    let blocks: Vec<usize> = (0..verdicts.len()).step_by(BLOCK_APIS).collect();
    for round in blocks.chunks(threads) {
        std::thread::scope(|scope| {
            let (own, others) = buffers.split_first_mut().expect("at least one buffer");
            for (buffer, &start) in others.iter_mut().zip(&round[1..]) {
                let table = &table;
                scope.spawn(move || table.format_block(buffer, start));
            }
            table.format_block(own, round[0]);
        });
        for buffer in &buffers[..round.len()] {
            out.write_all(buffer.as_bytes())?;
        }
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

/// The settings and data every row of one table shares.
struct Table<'a, R> {
    rows: &'a R,
    lang: Lang,
    scope: Scope,
    verdicts: &'a [ApiVerdict],
    path_width: usize,
    /// [`MARKS`], padded to the status column.
    marks: [String; 4],
}

impl<R: Rows> Table<'_, R> {
    /// Replaces `buffer` with the rows of the block that starts at API `start`.
    fn format_block(&self, buffer: &mut String, start: usize) {
        buffer.clear();
        self.push_rows(buffer, start..(start + BLOCK_APIS).min(self.verdicts.len()));
    }

    /// Appends the rows of the APIs in `apis`: status, method, path and name, and the reason on a
    /// second line, under the name, when the API is not callable.
    fn push_rows(&self, out: &mut String, apis: std::ops::Range<usize>) {
        let indent = STATUS_COLUMNS + 2 + 6 + 2 + self.path_width + 2;
        for api in apis {
            let verdict = &self.verdicts[api];
            out.push_str(&self.marks[mark(verdict)]);
            out.push_str("  ");
            push_fit(out, self.rows.method(api), 6);
            out.push_str("  ");
            push_fit(out, &escape_controls(self.rows.path(api)), self.path_width);
            out.push_str("  ");
            out.push_str(&escape_controls(self.rows.name(api, self.lang)));
            out.push('\n');
            let line = out.len();
            push_spaces(out, indent);
            let reason = out.len();
            push_reason(out, self.rows, api, verdict, self.scope);
            if out.len() == reason {
                out.truncate(line);
            } else {
                out.push('\n');
            }
        }
    }
}

/// Appends `count` spaces.
fn push_spaces(out: &mut String, count: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = count;
    while left > 0 {
        let now = left.min(SPACES.len());
        out.push_str(&SPACES[..now]);
        left -= now;
    }
}

/// Appends `text` padded or cut to `columns` display columns, as [`fit`] does, without allocating
/// for the usual ASCII text that fits.
fn push_fit(out: &mut String, text: &str, columns: usize) {
    if text.is_ascii() && text.len() <= columns {
        out.push_str(text);
        push_spaces(out, columns - text.len());
    } else {
        out.push_str(&fit(text, columns));
    }
}
