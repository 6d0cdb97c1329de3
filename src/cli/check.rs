//! `permscope check POLICY`: a verdict for every catalog API.

use serde_json::{Value, json};

use super::{Context, Error, args::CheckArgs, emit_streamed, to_json_text};
use crate::cache::ApiTexts;
use crate::catalog::{Catalog, Lang, Scope, method_columns, name_in};
use crate::eval::{ActionStatus, ActionTable, ApiVerdict, Evaluator, evaluate};
use crate::policy::{Finding, Policy};
use crate::text::{escape_controls, fit, push_json_string, width};

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

/// Writes `{"scope", "apis": [...], "warnings": [...]}` as pretty JSON, the bytes [`to_json_text`] gives
/// for the whole document. The APIs are written by [`push_api_json`] in blocks, without building a
/// value per API: building the whole document as one value first took over 500 MB for 100,000 APIs,
/// and a value per API took 310 ms.
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
        write_blocks(out, verdicts.len(), |buffer, apis| {
            for api in apis {
                push_api_json(buffer, rows, api, &verdicts[api]);
                buffer.extend_from_slice(if api + 1 < verdicts.len() { b",\n" } else { b"\n" });
            }
        })?;
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

/// Appends API `api`'s element of the `apis` array, indented to its depth, without a final comma or
/// line break: the pretty JSON of [`api_json`]'s value.
fn push_api_json(out: &mut Vec<u8>, rows: &impl Rows, api: usize, verdict: &ApiVerdict) {
    let (zh, en) = rows.names(api);
    let flag = |value: bool| if value { "true" } else { "false" };
    out.extend_from_slice(b"    {\n      \"name\": {\n        \"zh\": ");
    push_json_string(out, zh);
    out.extend_from_slice(b",\n        \"en\": ");
    push_json_string(out, en);
    out.extend_from_slice(b"\n      },\n      \"method\": ");
    push_json_string(out, rows.method(api));
    out.extend_from_slice(b",\n      \"path\": ");
    push_json_string(out, rows.path(api));
    out.extend_from_slice(b",\n      \"actions\": ");
    push_json_list(out, rows.actions(api));
    out.extend_from_slice(b",\n      \"callable\": ");
    out.extend_from_slice(flag(verdict.callable).as_bytes());
    out.extend_from_slice(b",\n      \"conditional\": ");
    out.extend_from_slice(flag(verdict.conditional).as_bytes());
    out.extend_from_slice(b",\n      \"missing\": ");
    push_json_list(out, actions_with(rows, api, verdict, ActionStatus::NotAllowed));
    out.extend_from_slice(b",\n      \"denied\": ");
    push_json_list(out, actions_with(rows, api, verdict, ActionStatus::Denied));
    out.extend_from_slice(b",\n      \"scope_supported\": ");
    out.extend_from_slice(flag(verdict.scope_supported).as_bytes());
    out.extend_from_slice(b"\n    }");
}

/// Appends a list of strings that is the value of a key of an API's element: `[]` when empty, else
/// one string per line.
fn push_json_list<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a str>) {
    let mut any = false;
    for item in items {
        out.extend_from_slice(if any { b",\n        " } else { b"[\n        " });
        push_json_string(out, item);
        any = true;
    }
    out.extend_from_slice(if any { b"\n      ]" } else { b"[]" });
}

/// Returns the value [`push_api_json`] writes, which the tests compare it with.
#[cfg(test)]
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
fn push_reason(out: &mut Vec<u8>, rows: &impl Rows, api: usize, verdict: &ApiVerdict, scope: Scope) {
    if verdict.callable {
        return;
    }
    if !verdict.scope_supported {
        push_str(out, "does not take effect when granted in ");
        push_str(out, scope_label(scope));
        push_str(out, " scope");
        return;
    }
    let start = out.len();
    let separate = |out: &mut Vec<u8>| {
        if out.len() > start {
            push_str(out, "; ");
        }
    };
    for (status, label) in [(ActionStatus::Denied, "denied: "), (ActionStatus::NotAllowed, "missing: ")] {
        for (i, action) in actions_with(rows, api, verdict, status).enumerate() {
            if i == 0 {
                separate(out);
                push_str(out, label);
            } else {
                push_str(out, ", ");
            }
            push_str(out, action);
        }
    }
    if verdict.conditional {
        separate(out);
        push_str(out, "depends on a Condition or Resource");
    }
}

fn scope_label(scope: Scope) -> &'static str {
    match scope {
        Scope::Project => "IAM project",
        Scope::Enterprise => "enterprise project",
    }
}

/// APIs formatted per block of a report. Blocks are formatted one per core at a time, each into a
/// buffer of its own (about 0.5 MB of table) that is written out and reused, so a report of 100,000
/// APIs is never held whole.
const BLOCK_APIS: usize = 2048;

/// Writes what `format` appends for APIs `0..count`, formatting blocks of [`BLOCK_APIS`] on all
/// cores and writing them in order.
fn write_blocks(
    out: &mut dyn std::io::Write,
    count: usize,
    format: impl Fn(&mut Vec<u8>, std::ops::Range<usize>) + Sync,
) -> std::io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let mut buffers = vec![Vec::new(); threads];
    let blocks: Vec<usize> = (0..count).step_by(BLOCK_APIS).collect();
    let format_block = |buffer: &mut Vec<u8>, start: usize| {
        buffer.clear();
        format(buffer, start..(start + BLOCK_APIS).min(count));
    };
    for round in blocks.chunks(threads) {
        std::thread::scope(|scope| {
            let (own, others) = buffers.split_first_mut().expect("at least one buffer");
            for (buffer, &start) in others.iter_mut().zip(&round[1..]) {
                let format_block = &format_block;
                scope.spawn(move || format_block(buffer, start));
            }
            format_block(own, round[0]);
        });
        for buffer in &buffers[..round.len()] {
            out.write_all(buffer)?;
        }
    }
    Ok(())
}

/// Writes the table: a heading, two lines per API that is not callable (one otherwise), the counts
/// and the policy's warnings.
fn write_report_table(out: &mut dyn std::io::Write, rows: &impl Rows, report: &Report, verdicts: &[ApiVerdict]) -> std::io::Result<()> {
    let Report { lang, scope, warnings, source } = *report;
    let path_width = (0..rows.count()).map(|api| width(rows.path(api))).max().unwrap_or(4).min(72);
    writeln!(out, "scope: {} ({})", scope.as_str(), scope_label(scope))?;
    let method_width = method_columns((0..rows.count()).map(|api| rows.method(api)));
    writeln!(
        out,
        "{}  {}  {}  NAME / REASON",
        fit("STATUS", STATUS_COLUMNS),
        fit("METHOD", method_width),
        fit("PATH", path_width)
    )?;
    let marks = MARKS.map(|m| fit(m, STATUS_COLUMNS));
    let table = Table { rows, lang, scope, verdicts, method_width, path_width, marks };
    write_blocks(out, verdicts.len(), |buffer, apis| table.push_rows(buffer, apis))?;

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
    method_width: usize,
    path_width: usize,
    /// [`MARKS`], padded to the status column.
    marks: [String; 4],
}

impl<R: Rows> Table<'_, R> {
    /// Appends the rows of the APIs in `apis`: status, method, path and name, and the reason on a
    /// second line, under the name, when the API is not callable.
    fn push_rows(&self, out: &mut Vec<u8>, apis: std::ops::Range<usize>) {
        let indent = STATUS_COLUMNS + 2 + self.method_width + 2 + self.path_width + 2;
        for api in apis {
            let verdict = &self.verdicts[api];
            push_str(out, &self.marks[mark(verdict)]);
            push_str(out, "  ");
            push_padded(out, self.rows.method(api), self.method_width);
            push_str(out, "  ");
            push_padded(out, &escape_controls(self.rows.path(api)), self.path_width);
            push_str(out, "  ");
            push_str(out, &escape_controls(self.rows.name(api, self.lang)));
            out.push(b'\n');
            let line = out.len();
            push_spaces(out, indent);
            let reason = out.len();
            push_reason(out, self.rows, api, verdict, self.scope);
            if out.len() == reason {
                out.truncate(line);
            } else {
                out.push(b'\n');
            }
        }
    }
}

fn push_str(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
}

/// Appends `count` spaces.
fn push_spaces(out: &mut Vec<u8>, count: usize) {
    out.resize(out.len() + count, b' ');
}

/// Appends `text` padded to `columns` display columns and whole when wider, as [`crate::text::pad`]
/// does, without allocating.
fn push_padded(out: &mut Vec<u8>, text: &str, columns: usize) {
    push_str(out, text);
    push_spaces(out, columns.saturating_sub(width(text)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes the JSON report with [`write_report_json`].
    fn streamed(catalog: &Catalog, verdicts: &[ApiVerdict], scope: Scope, warnings: &[Finding]) -> String {
        let mut out = Vec::new();
        write_report_json(&mut out, catalog, scope, verdicts, warnings).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Builds the whole report as one value and prints it, which is what the streamed report must equal.
    fn whole(catalog: &Catalog, verdicts: &[ApiVerdict], scope: Scope, warnings: &[Finding]) -> String {
        let apis: Vec<Value> = verdicts.iter().enumerate().map(|(api, verdict)| api_json(catalog, api, verdict)).collect();
        let warnings: Vec<Value> = warnings.iter().map(finding_json).collect();
        to_json_text(&json!({"scope": scope.as_str(), "apis": apis, "warnings": warnings}))
    }

    #[test]
    fn streamed_json_equals_whole_document() {
        let mut catalog = crate::synth::synthesize(5000, 4);
        catalog.apis[0].name.zh = "快照 \"引号\" \\ 反斜杠\u{1b}[2J".into();
        catalog.apis[1].name.en = "bidi \u{202e} and C1 \u{9b} and DEL \u{7f}".into();
        catalog.apis[2].name.en = String::new();
        catalog.apis[3].path = "/v2/{project_id}/tab\there".into();
        let policy = crate::synth::policy_at_limits(&catalog);
        // At 8 statements of 100 patterns the policy is longer than Huawei allows, which is a warning.
        let text = serde_json::to_string_pretty(&policy.to_json()).unwrap();
        let warnings = Policy::parse("p.json", &text).unwrap().warnings;
        assert!(!warnings.is_empty());

        for scope in [Scope::Project, Scope::Enterprise] {
            let verdicts = evaluate(&catalog, &policy, scope);
            assert!(verdicts.iter().any(|v| v.callable));
            assert!(verdicts.iter().any(|v| !v.callable));
            assert_eq!(streamed(&catalog, &verdicts, scope, &warnings), whole(&catalog, &verdicts, scope, &warnings));
            assert_eq!(streamed(&catalog, &verdicts, scope, &[]), whole(&catalog, &verdicts, scope, &[]));
        }
        let empty = Catalog { apis: Vec::new(), ..catalog };
        assert_eq!(streamed(&empty, &[], Scope::Project, &[]), whole(&empty, &[], Scope::Project, &[]));
    }
}
