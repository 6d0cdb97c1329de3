//! Policy review: every finding of [`read_document`] with Huawei's limits raised to errors, plus the
//! checks that need the catalog (unknown actions, Allows cancelled by Denies, service-wide wildcards)
//! and a warning near the size limit.
//!
//! Each finding carries a stable code. Codes from [`read_document`] keep their meaning; this module
//! adds `unknown-action`, `allow-cancelled`, `service-wide-wildcard` and `near-limit-chars`.

use std::collections::BTreeSet;

use crate::action::ActionPattern;
use crate::catalog::{Catalog, Scope};
use crate::eval::{ActionStatus, Evaluator, evaluate};
use crate::policy::{Document, Effect, Finding, MAX_CHARS, Policy, Severity, Spans, read_document};
use crate::suggest::nearest;

/// Share of [`MAX_CHARS`] above which a policy gets a `near-limit-chars` warning, in percent.
pub const NEAR_LIMIT_PERCENT: usize = 90;

/// Reads a policy and returns every finding, sorted by position in the text.
pub fn lint(text: &str, catalog: &Catalog) -> Vec<Finding> {
    lint_document(&read_document(text), catalog)
}

/// Lints a document already read. Findings without a place of their own (such as `deny-only` or
/// `limit-chars`) point at the policy's opening brace.
pub fn lint_document(document: &Document, catalog: &Catalog) -> Vec<Finding> {
    let mut findings = document.findings.clone();
    // Reading tolerates an oversized policy so that `check` can still evaluate it. Huawei rejects it,
    // so a review reports it as an error.
    for finding in &mut findings {
        if finding.code.starts_with("limit-") {
            finding.severity = Severity::Error;
        }
    }

    // NOTE: the catalog checks need every statement read, so a statement with a structural error
    // (such as a missing Action) hides them for the whole policy until it is fixed.
    if let Some(policy) = &document.as_read {
        let known = catalog.actions();
        findings.extend(unknown_actions(policy, &document.spans, catalog, &known));
        findings.extend(cancelled_allows(policy, &document.spans, &known));
        findings.extend(service_wide_wildcards(policy, &document.spans, catalog));
        findings.extend(near_size_limit(policy));
    }

    for finding in &mut findings {
        if finding.pos.is_none() {
            finding.pos = document.spans.root;
        }
    }
    findings.sort_by_key(|f| f.pos);
    findings
}

/// Counts the findings at `threshold` or more severe.
pub fn count_at_or_above(findings: &[Finding], threshold: Severity) -> usize {
    findings.iter().filter(|f| f.severity >= threshold).count()
}

fn action_pos(spans: &Spans, statement: usize, action: usize) -> Option<crate::json::Pos> {
    spans.actions.get(statement).and_then(|p| p.get(action)).copied()
}

/// `unknown-action`: an action or pattern that matches no catalog action, which is usually a typo
/// (`evs:snapshot:get`) that silently grants or denies nothing.
fn unknown_actions(policy: &Policy, spans: &Spans, catalog: &Catalog, known: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (s, statement) in policy.statements.iter().enumerate() {
        for (a, action) in statement.actions.iter().enumerate() {
            let Ok(pattern) = ActionPattern::parse(action) else { continue };
            if known.iter().any(|k| pattern.matches(k)) {
                continue;
            }
            let suggestions = suggest_actions(action, known);
            let fix = if !suggestions.is_empty() {
                format!("did you mean {}?", suggestions.join(" or "))
            } else if pattern.service() != catalog.service {
                format!(
                    "the catalog describes only {} actions; check {action:?} against the permission table of its service, or lint with that service's catalog (--catalog FILE)",
                    catalog.service
                )
            } else {
                "check the action against the service's permission table".to_owned()
            };
            let message = format!("{action:?} matches no action in the catalog of {}", catalog.service);
            let finding = Finding::new("unknown-action", Severity::Warning, action_pos(spans, s, a), message)
                .in_statement(s, Some(a))
                .fix(fix);
            findings.push(finding);
        }
    }
    findings
}

/// Catalog actions or patterns close to `action` that do match the catalog. A wildcard segment of
/// `action` is kept as written, so `evs:snapshot:*` suggests `evs:snapshots:*`, not a single action.
/// Suggestions stay within the action's service: service names are short, so `ecs` is one edit from
/// `evs` and still another service.
fn suggest_actions(action: &str, known: &[String]) -> Vec<String> {
    let segments: Vec<&str> = action.split(':').collect();
    let service = segments[0].to_lowercase();
    let mut candidates = BTreeSet::new();
    for known_action in known {
        let known_segments: Vec<&str> = known_action.split(':').collect();
        if known_segments.len() != segments.len() {
            continue;
        }
        if !service.contains('*') && service != known_segments[0] {
            continue;
        }
        let candidate: Vec<&str> = segments
            .iter()
            .zip(&known_segments)
            .map(|(own, catalog)| if own.contains('*') { *own } else { *catalog })
            .collect();
        let candidate = candidate.join(":");
        let matches_catalog = ActionPattern::parse(&candidate).is_ok_and(|p| known.iter().any(|k| p.matches(k)));
        if matches_catalog {
            candidates.insert(candidate);
        }
    }
    nearest(action, candidates.iter().map(String::as_str), 3).into_iter().map(str::to_owned).collect()
}

/// Lists the catalog actions an Action entry grants: those a wildcard matches, or the action itself
/// when it has no wildcard, so an action missing from the catalog is still checked.
fn covered_actions(action: &str, known: &[String]) -> Vec<String> {
    let Ok(pattern) = ActionPattern::parse(action) else { return Vec::new() };
    if pattern.has_wildcard() {
        known.iter().filter(|k| pattern.matches(k)).cloned().collect()
    } else {
        vec![action.to_lowercase()]
    }
}

/// `allow-cancelled`: an Allow statement, or one action of it, whose every action an unlimited Deny
/// blocks. Huawei evaluates an explicit Deny first, so the Allow grants nothing.
fn cancelled_allows(policy: &Policy, spans: &Spans, known: &[String]) -> Vec<Finding> {
    let evaluator = Evaluator::new(policy);
    let mut findings = Vec::new();
    for (s, statement) in policy.statements.iter().enumerate() {
        if statement.effect != Effect::Allow {
            continue;
        }
        // For each Action entry: the Deny statements that block it, or None when it is not blocked.
        let mut blocked: Vec<Option<BTreeSet<usize>>> = Vec::new();
        for action in &statement.actions {
            let covered = covered_actions(action, known);
            let all_denied = !covered.is_empty() && covered.iter().all(|c| evaluator.status(c) == ActionStatus::Denied);
            if !all_denied {
                blocked.push(None);
                continue;
            }
            let denying: BTreeSet<usize> = covered
                .iter()
                .flat_map(|c| evaluator.matches(c))
                .filter(|m| m.effect == Effect::Deny && !m.limited)
                .map(|m| m.statement)
                .collect();
            blocked.push(Some(denying));
        }

        if !blocked.is_empty() && blocked.iter().all(Option::is_some) {
            let denying: BTreeSet<usize> = blocked.iter().flatten().flatten().copied().collect();
            let message = format!(
                "statement {} allows nothing: every action it allows is denied by {}",
                s + 1,
                statement_list(&denying)
            );
            let finding = Finding::new("allow-cancelled", Severity::Warning, spans.statements.get(s).copied(), message)
                .in_statement(s, None)
                .fix("delete the statement, or narrow the Deny to the actions you mean to block");
            findings.push(finding);
            continue;
        }
        for (a, denying) in blocked.iter().enumerate() {
            let Some(denying) = denying else { continue };
            let action = &statement.actions[a];
            let message = format!("{action:?} is allowed but always denied by {}, so it grants nothing", statement_list(denying));
            let finding = Finding::new("allow-cancelled", Severity::Warning, action_pos(spans, s, a), message)
                .in_statement(s, Some(a))
                .fix("remove it from the Allow, or narrow the Deny to the actions you mean to block");
            findings.push(finding);
        }
    }
    findings
}

/// "statement 2" or "statements 2 and 3", numbered from 1 as people count.
fn statement_list(indices: &BTreeSet<usize>) -> String {
    let numbers: Vec<String> = indices.iter().map(|i| (i + 1).to_string()).collect();
    match numbers.as_slice() {
        [one] => format!("statement {one}"),
        [rest @ .., last] => format!("statements {} and {last}", rest.join(", ")),
        [] => "a Deny statement".to_owned(),
    }
}

/// Indices of the catalog APIs a policy makes callable or conditionally callable.
fn opened_apis(catalog: &Catalog, policy: &Policy, scope: Scope) -> BTreeSet<usize> {
    evaluate(catalog, policy, scope)
        .iter()
        .enumerate()
        .filter(|(_, verdict)| verdict.callable || verdict.conditional)
        .map(|(index, _)| index)
        .collect()
}

/// `service-wide-wildcard`: an Allow of `service:*:*`, with the APIs it opens that the policy's other
/// actions do not. Such a grant also covers every action the service adds later.
fn service_wide_wildcards(policy: &Policy, spans: &Spans, catalog: &Catalog) -> Vec<Finding> {
    // NOTE: the APIs are counted in project scope, the scope every API of the built-in catalog
    // supports; lint has no --scope option.
    let scope = Scope::Project;
    let opened = opened_apis(catalog, policy, scope);
    let mut findings = Vec::new();
    for (s, statement) in policy.statements.iter().enumerate() {
        if statement.effect != Effect::Allow {
            continue;
        }
        for (a, action) in statement.actions.iter().enumerate() {
            let segments: Vec<&str> = action.split(':').collect();
            if !matches!(segments.as_slice(), [_, "*", "*"]) {
                continue;
            }
            let mut without = policy.clone();
            without.statements[s].actions.remove(a);
            if without.statements[s].actions.is_empty() {
                without.statements.remove(s);
            }
            let extra: Vec<usize> = opened.difference(&opened_apis(catalog, &without, scope)).copied().collect();

            let service = segments[0];
            let grants = if service.contains('*') {
                "every action of every service".to_owned()
            } else {
                format!("every action of the {} service", service.to_lowercase())
            };
            let (message, fix) = if extra.is_empty() {
                (
                    format!("{action:?} allows {grants} but opens no API beyond those the other actions already make callable in {scope} scope"),
                    "delete it: the other actions already cover the APIs you can call".to_owned(),
                )
            } else {
                let keys: Vec<String> = extra.iter().map(|i| catalog.apis[*i].key()).collect();
                let evaluator = Evaluator::new(&without);
                let needed: BTreeSet<&str> = extra
                    .iter()
                    .flat_map(|i| catalog.apis[*i].actions.iter())
                    .filter(|needed| evaluator.status(needed) != ActionStatus::Allowed)
                    .map(String::as_str)
                    .collect();
                (
                    format!(
                        "{action:?} allows {grants} and opens {} APIs in {scope} scope that the other actions do not: {}",
                        extra.len(),
                        keys.join(", ")
                    ),
                    format!(
                        "list only the actions you need; these APIs need {}",
                        needed.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                )
            };
            let finding = Finding::new("service-wide-wildcard", Severity::Warning, action_pos(spans, s, a), message)
                .in_statement(s, Some(a))
                .fix(fix);
            findings.push(finding);
        }
    }
    findings
}

/// `near-limit-chars`: within 10 % of Huawei's 6,144-character limit, so the next grant may not fit.
fn near_size_limit(policy: &Policy) -> Option<Finding> {
    let chars = policy.char_count();
    if chars > MAX_CHARS || chars * 100 <= MAX_CHARS * NEAR_LIMIT_PERCENT {
        return None;
    }
    let message = format!(
        "the policy has {chars} characters, over {NEAR_LIMIT_PERCENT} % of Huawei's limit of {MAX_CHARS}"
    );
    let finding = Finding::new("near-limit-chars", Severity::Warning, None, message)
        .fix("leave room for later grants: use wildcards such as evs:snapshots:* or split the grants into two policies");
    Some(finding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Pos;

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    fn lint_builtin(text: &str) -> Vec<Finding> {
        lint(text, &Catalog::builtin())
    }

    fn one_statement(effect: &str, actions: &[&str]) -> String {
        let actions: Vec<String> = actions.iter().map(|a| format!("{a:?}")).collect();
        format!(r#"{{"Version":"1.1","Statement":[{{"Effect":"{effect}","Action":[{}]}}]}}"#, actions.join(","))
    }

    #[test]
    fn clean_policy_has_no_findings() {
        let findings = lint_builtin(&one_statement("Allow", &["evs:snapshots:get", "evs:snapshots:list"]));
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn typo_suggests_plural_resource() {
        let findings = lint_builtin(&one_statement("Allow", &["evs:snapshot:get"]));
        assert_eq!(codes(&findings), ["unknown-action"]);
        assert_eq!(findings[0].fix.as_deref(), Some("did you mean evs:snapshots:get?"));
        assert_eq!(findings[0].statement, Some(0));
        assert_eq!(findings[0].action, Some(0));
    }

    #[test]
    fn wildcard_typo_suggests_pattern() {
        let findings = lint_builtin(&one_statement("Allow", &["evs:snapshot:*"]));
        assert_eq!(findings[0].fix.as_deref(), Some("did you mean evs:snapshots:*?"));
    }

    #[test]
    fn foreign_service_names_catalog() {
        let findings = lint_builtin(&one_statement("Allow", &["ecs:servers:get", "evs:snapshots:get"]));
        assert_eq!(codes(&findings), ["unknown-action"]);
        let fix = findings[0].fix.as_deref().unwrap();
        assert!(fix.contains("describes only evs actions"), "{fix}");
    }

    #[test]
    fn limits_are_errors() {
        let actions: Vec<String> = (0..101).map(|i| format!("\"evs:r{i:03}:get\"")).collect();
        let text = format!(r#"{{"Version":"1.1","Statement":[{{"Effect":"Allow","Action":[{}]}}]}}"#, actions.join(","));
        let findings = lint_builtin(&text);
        let limit: Vec<&Finding> = findings.iter().filter(|f| f.code == "limit-actions").collect();
        assert_eq!(limit.len(), 1);
        assert_eq!(limit[0].severity, Severity::Error);
        assert_eq!(limit[0].pos, Some(Pos { line: 1, column: 31 }));
    }

    #[test]
    fn whole_statement_cancelled() {
        let text = r#"{"Version":"1.1","Statement":[
  {"Effect":"Allow","Action":["evs:snapshots:delete","evs:snapshots:update"]},
  {"Effect":"Deny","Action":["evs:snapshots:delete"]},
  {"Effect":"Deny","Action":["evs:*:update"]}]}"#;
        let findings = lint_builtin(text);
        assert_eq!(codes(&findings), ["allow-cancelled"]);
        assert_eq!(findings[0].message, "statement 1 allows nothing: every action it allows is denied by statements 2 and 3");
        assert_eq!(findings[0].pos, Some(Pos { line: 2, column: 3 }));
        assert_eq!(findings[0].action, None);
    }

    #[test]
    fn one_action_cancelled() {
        let text = r#"{"Version":"1.1","Statement":[
  {"Effect":"Allow","Action":["evs:snapshots:get","evs:snapshots:delete"]},
  {"Effect":"Deny","Action":["evs:snapshots:delete"]}]}"#;
        let findings = lint_builtin(text);
        assert_eq!(codes(&findings), ["allow-cancelled"]);
        assert_eq!(findings[0].action, Some(1));
        assert_eq!(findings[0].pos, Some(Pos { line: 2, column: 51 }));
    }

    #[test]
    fn limited_deny_does_not_cancel() {
        let text = r#"{"Version":"1.1","Statement":[
  {"Effect":"Allow","Action":["evs:snapshots:delete"]},
  {"Effect":"Deny","Action":["evs:snapshots:delete"],"Condition":{"StringEquals":{"g:ProjectName":["cn-north-4"]}}}]}"#;
        assert!(lint_builtin(text).is_empty());
    }

    #[test]
    fn service_wide_wildcard_lists_extra_apis() {
        // evs:snapshots:list alone opens the three list APIs (rows 3, 4 and 5 of the table); evs:*:*
        // opens the other 16.
        let findings = lint_builtin(&one_statement("Allow", &["evs:snapshots:list", "evs:*:*"]));
        assert_eq!(codes(&findings), ["service-wide-wildcard"]);
        assert!(findings[0].message.contains("opens 16 APIs in project scope"), "{}", findings[0].message);
        assert!(findings[0].message.contains("DELETE /v2/{project_id}/snapshots/{snapshot_id}"));
        assert!(!findings[0].message.contains("GET /v2/{project_id}/snapshots,"));
        assert_eq!(
            findings[0].fix.as_deref(),
            Some("list only the actions you need; these APIs need evs:snapshots:create, evs:snapshots:delete, evs:snapshots:get, evs:snapshots:rollback, evs:snapshots:update, evs:volumes:get")
        );
    }

    #[test]
    fn redundant_service_wildcard() {
        let findings = lint_builtin(&one_statement("Allow", &["evs:snapshots:*", "evs:volumes:get", "evs:*:*"]));
        assert_eq!(codes(&findings), ["service-wide-wildcard"]);
        assert!(findings[0].message.contains("opens no API beyond"), "{}", findings[0].message);
    }

    #[test]
    fn deny_of_service_wildcard_is_fine() {
        let text = r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:snapshots:get"]},{"Effect":"Deny","Action":["evs:*:*"]}]}"#;
        assert_eq!(codes(&lint_builtin(text)), ["allow-cancelled"]);
    }

    #[test]
    fn near_limit_threshold() {
        // Policy::allowing puts 100 actions in each statement. With k statements and n actions of the
        // form "evs:rNNNN:get" (15 characters quoted), the compact policy has 31 + 30k + 16n
        // characters; 90 % of 6,144 is 5,529.6.
        let policy_with = |n: usize| Policy::allowing((0..n).map(|i| format!("evs:r{i:04}:get")));
        let cases = [(336, 5527, false), (337, 5543, true), (374, 6135, true), (375, 6151, false)];
        for (n, chars, warned) in cases {
            let policy = policy_with(n);
            assert_eq!(policy.char_count(), chars, "{n} actions");
            assert_eq!(near_size_limit(&policy).is_some(), warned, "{n} actions");
        }
    }

    #[test]
    fn errors_still_get_catalog_checks() {
        let text = r#"{"Version":"1.0","Statement":[{"Effect":"Allow","Action":["evs:snapshot:get"]}]}"#;
        assert_eq!(codes(&lint_builtin(text)), ["version", "unknown-action"]);
    }

    #[test]
    fn policy_wide_findings_point_at_root() {
        let findings = lint_builtin("\n  {\"Version\":\"1.1\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"evs:snapshots:get\"]}]}");
        assert_eq!(codes(&findings), ["deny-only"]);
        assert_eq!(findings[0].pos, Some(Pos { line: 2, column: 3 }));
    }

    #[test]
    fn threshold_counts() {
        let findings = lint_builtin(r#"{"Version":"2","Statement":[{"Effect":"Allow","Action":["EVS:snapshots:get"]}]}"#);
        assert_eq!(count_at_or_above(&findings, Severity::Error), 1);
        assert_eq!(count_at_or_above(&findings, Severity::Warning), 2);
    }
}
