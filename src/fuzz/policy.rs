use std::sync::LazyLock;

use crate::catalog::{Catalog, Scope};
use crate::draft::Draft;
use crate::eval::{self, ApiVerdict, Evaluator};
use crate::policy::{self, Policy, Severity};
use crate::text::escape_controls;

use super::{assert_pos_within, assert_terminal_safe};

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

/// Reads arbitrary text as a policy document. A usable policy is evaluated against the built-in
/// catalog in both scopes, and its normalized JSON, read back, must be the same policy with the same
/// verdicts.
pub fn policy(data: &[u8]) {
    // Files that are not UTF-8 are rejected by input::read_text before any parsing.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let document = policy::read_document(text);

    let expected_chars = text.strip_prefix('\u{feff}').unwrap_or(text).chars().count();
    assert_eq!(document.source_chars, expected_chars);
    assert_eq!(document.spans.statements.len(), document.spans.actions.len());
    for finding in &document.findings {
        if let Some(pos) = finding.pos {
            assert_pos_within(text, pos, finding.code);
        }
        if let Some(statement) = finding.statement {
            assert!(statement < document.spans.statements.len(), "{finding:?}");
        }
        assert_terminal_safe(&escape_controls(&finding.message), "escaped finding message");
    }
    let has_error = document.findings.iter().any(|f| f.severity == Severity::Error);
    assert_eq!(document.policy.is_none(), has_error, "a policy is usable exactly when no finding is an error");

    let Some(policy) = document.policy else { return };
    let expected = verdicts(&policy);
    check_verdicts(&expected);

    let normalized = policy.normalized();
    let json = normalized.to_pretty_json();
    let reread = policy::read_document(&json);
    let errors: Vec<_> = reread.findings.iter().filter(|f| f.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "normalized output has errors {errors:?}:\n{json}");
    let reread = reread.policy.expect("no error findings means a policy");
    assert_eq!(reread, normalized, "normalized output read back differs:\n{json}");
    assert_eq!(reread.normalized(), normalized, "normalized() is not idempotent");
    assert_eq!(verdicts(&reread), expected, "normalizing changed the verdicts:\n{json}");

    // The policy's own patterns, used as actions, probe rules the catalog's ASCII actions cannot.
    let original = Evaluator::new(&policy);
    let rewritten = Evaluator::new(&reread);
    for action in policy.statements.iter().flat_map(|s| &s.actions) {
        assert_eq!(original.status(action), rewritten.status(action), "status of {action:?} changed:\n{json}");
    }

    let draft = Draft::from_policy(&policy);
    assert_eq!(verdicts(&draft.to_policy(&CATALOG)), expected, "a draft made from the policy grants differently");
}

fn verdicts(policy: &Policy) -> [Vec<ApiVerdict>; 2] {
    [Scope::Project, Scope::Enterprise].map(|scope| eval::evaluate(&CATALOG, policy, scope))
}

fn check_verdicts(verdicts: &[Vec<ApiVerdict>; 2]) {
    for scope_verdicts in verdicts {
        assert_eq!(scope_verdicts.len(), CATALOG.apis.len());
        for (verdict, api) in scope_verdicts.iter().zip(&CATALOG.apis) {
            assert_eq!(verdict.statuses.len(), api.actions.len());
            assert!(!(verdict.callable && verdict.conditional), "{} is both callable and conditional", api.key());
            if verdict.callable || verdict.conditional {
                assert!(verdict.scope_supported, "{} is granted in a scope it does not support", api.key());
            }
        }
    }
}
