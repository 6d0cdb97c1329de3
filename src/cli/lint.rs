//! `permscope lint POLICY`: findings as compilers print them, or as JSON.

use serde_json::json;

use super::check::finding_json;
use super::{Context, Error, args::FailOnArg, args::LintArgs, emit, to_json_text};
use crate::input::{MAX_POLICY_BYTES, read_text};
use crate::lint::{count_at_or_above, lint};
use crate::policy::{Finding, Severity};
use crate::text::escape_controls;

pub fn run(args: &LintArgs, context: &Context) -> Result<(), Error> {
    let (name, text) = read_text(&args.policy, MAX_POLICY_BYTES)?;
    let findings = lint(&text, context.catalog()?);

    let output = if args.json {
        let findings: Vec<_> = findings.iter().map(finding_json).collect();
        to_json_text(&json!({ "file": name, "findings": findings }))
    } else {
        report_text(&name, &findings)
    };
    emit(&output)?;

    let threshold = match args.fail_on {
        FailOnArg::Error => Severity::Error,
        FailOnArg::Warning => Severity::Warning,
    };
    let failing = count_at_or_above(&findings, threshold);
    if failing > 0 {
        let noun = if failing == 1 { "finding" } else { "findings" };
        return Err(Error::Failed(format!("{name}: {failing} {noun} at severity {} or above", threshold.as_str())));
    }
    Ok(())
}

/// Prints one `FILE:LINE:COLUMN: severity[code]: message` line per finding with its fix indented below, and
/// a count at the end.
fn report_text(name: &str, findings: &[Finding]) -> String {
    let name = escape_controls(name);
    let mut out = String::new();
    for finding in findings {
        let place = match finding.pos {
            Some(pos) => format!("{name}:{pos}"),
            None => name.to_string(),
        };
        let message = escape_controls(&finding.message);
        out.push_str(&format!("{place}: {}[{}]: {message}\n", finding.severity.as_str(), finding.code));
        if let Some(fix) = &finding.fix {
            out.push_str(&format!("  fix: {}\n", escape_controls(fix)));
        }
    }

    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.len() - errors;
    if findings.is_empty() {
        out.push_str(&format!("{name}: no findings\n"));
    } else {
        out.push_str(&format!("{name}: {} and {}\n", plural(errors, "error"), plural(warnings, "warning")));
    }
    out
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}
