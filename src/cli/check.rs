//! `permscope check POLICY`: a verdict for every catalog API.

use serde_json::{Value, json};

use super::{Context, Error, args::CheckArgs, emit, emit_streamed, to_json_text};
use crate::catalog::{Api, Catalog, Lang, Scope};
use crate::eval::{ApiVerdict, evaluate};
use crate::policy::{Finding, Policy};
use crate::text::{escape_controls, fit, width};

pub fn run(args: &CheckArgs, context: &Context) -> Result<(), Error> {
    let parsed = Policy::load(&args.policy)?;
    let scope = Scope::from(args.scope);
    let catalog = context.catalog()?;
    let verdicts = evaluate(catalog, &parsed.policy, scope);

    if args.json {
        return emit_streamed(|out| write_report_json(out, catalog, scope, &verdicts, &parsed.warnings));
    }
    emit(&report_table(catalog, context.lang, scope, &verdicts, &parsed.warnings, source_name(&args.policy)))
}

/// Writes `{"scope", "apis": [...], "warnings": [...]}` as pretty JSON, one API at a time. Building the
/// whole document as one value first took over 500 MB for 100,000 APIs. The bytes are those
/// [`to_json_text`] gives for the whole document: each API's pretty JSON indented to its depth.
fn write_report_json(
    out: &mut dyn std::io::Write,
    catalog: &Catalog,
    scope: Scope,
    verdicts: &[ApiVerdict],
    warnings: &[Finding],
) -> std::io::Result<()> {
    writeln!(out, "{{")?;
    writeln!(out, "  \"scope\": {},", json!(scope.as_str()))?;
    if catalog.apis.is_empty() {
        writeln!(out, "  \"apis\": [],")?;
    } else {
        writeln!(out, "  \"apis\": [")?;
        for (i, (api, verdict)) in catalog.apis.iter().zip(verdicts).enumerate() {
            let text = to_json_text(&api_json(api, verdict));
            let mut lines = text.trim_end().lines();
            if let Some(first) = lines.next() {
                write!(out, "    {first}")?;
            }
            for line in lines {
                write!(out, "\n    {line}")?;
            }
            writeln!(out, "{}", if i + 1 < catalog.apis.len() { "," } else { "" })?;
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

fn api_json(api: &Api, verdict: &ApiVerdict) -> Value {
    json!({
        "name": {"zh": api.name.zh, "en": api.name.en},
        "method": api.method,
        "path": api.path,
        "actions": api.actions,
        "callable": verdict.callable,
        "conditional": verdict.conditional,
        "missing": verdict.missing(api),
        "denied": verdict.denied(api),
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

fn reason(api: &Api, verdict: &ApiVerdict, scope: Scope) -> String {
    if verdict.callable {
        return String::new();
    }
    if !verdict.scope_supported {
        return format!("does not take effect when granted in {} scope", scope_label(scope));
    }
    let mut parts = Vec::new();
    let denied = verdict.denied(api);
    if !denied.is_empty() {
        parts.push(format!("denied: {}", denied.join(", ")));
    }
    let missing = verdict.missing(api);
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

fn report_table(catalog: &Catalog, lang: Lang, scope: Scope, verdicts: &[ApiVerdict], warnings: &[Finding], source: &str) -> String {
    let apis = &catalog.apis;
    let path_width = apis.iter().map(|a| width(&a.path)).max().unwrap_or(4).min(72);
    let mut out = format!("scope: {} ({})\n", scope.as_str(), scope_label(scope));
    out.push_str(&format!("{}  {}  {}  {}\n", fit("STATUS", 13), fit("METHOD", 6), fit("PATH", path_width), "NAME / REASON"));
    for (api, verdict) in apis.iter().zip(verdicts) {
        let name = escape_controls(api.name.get(lang));
        out.push_str(&format!(
            "{}  {}  {}  {}\n",
            fit(mark(verdict), 13),
            fit(&api.method, 6),
            fit(&escape_controls(&api.path), path_width),
            name
        ));
        let why = reason(api, verdict, scope);
        if !why.is_empty() {
            out.push_str(&format!("{}  {}\n", " ".repeat(13 + 2 + 6 + 2 + path_width), why));
        }
    }
    let callable = verdicts.iter().filter(|v| v.callable).count();
    let conditional = verdicts.iter().filter(|v| v.conditional).count();
    out.push_str(&format!("\n{callable} of {} APIs callable, {conditional} conditional\n", apis.len()));
    if !warnings.is_empty() {
        out.push_str("\nwarnings:\n");
        for warning in warnings {
            let place = warning.pos.map(|p| format!("{source}:{p}: ")).unwrap_or_else(|| format!("{source}: "));
            out.push_str(&format!("  {place}{}\n", escape_controls(&warning.message)));
        }
    }
    out
}
