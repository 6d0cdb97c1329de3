//! Huawei IAM custom policies for cloud services, policy Version "1.1": reading, validating, limits and
//! deterministic output.
//!
//! Sources: IAM API reference "Creating a Custom Policy for Cloud Services" (iam_02_0013) for the document
//! shape; IAM user guide "Policy syntax" (iam_01_0017) for statements and actions; IAM "Notes and
//! Constraints" (iam_01_0305) for the limits.

use std::collections::BTreeSet;

use serde_json::{Map, Value as JsonValue, json};

use crate::action::{ActionPattern, lowercase_segments};
use crate::error::InputError;
use crate::json::{self, Member, Node, Pos, Value};

pub const VERSION: &str = "1.1";

/// Limits Huawei enforces on one custom policy (IAM "Notes and Constraints", iam_01_0305).
pub const MAX_CHARS: usize = 6144;
pub const MAX_STATEMENTS: usize = 8;
pub const MAX_ACTIONS_PER_STATEMENT: usize = 100;
pub const MAX_CONDITIONS_PER_STATEMENT: usize = 10;
pub const MAX_RESOURCES_PER_STATEMENT: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub effect: Effect,
    /// Action patterns as written in the file.
    pub actions: Vec<String>,
    /// `{operator: {key: [values]}}`; present means the statement cannot be decided offline.
    pub condition: Option<Map<String, JsonValue>>,
    /// Resource paths; present means the statement covers only some resources.
    pub resource: Option<Vec<String>>,
}

impl Statement {
    pub fn allow(actions: Vec<String>) -> Statement {
        Statement { effect: Effect::Allow, actions, condition: None, resource: None }
    }

    pub fn deny(actions: Vec<String>) -> Statement {
        Statement { effect: Effect::Deny, actions, condition: None, resource: None }
    }

    /// True when a Condition or Resource limits the statement, so whether it applies to a given
    /// request depends on facts this tool does not have.
    pub fn is_limited(&self) -> bool {
        self.condition.as_ref().is_some_and(|c| !c.is_empty()) || self.resource.as_ref().is_some_and(|r| !r.is_empty())
    }

    /// Counts the conditions as Huawei does: one per key under each operator.
    pub fn condition_count(&self) -> usize {
        let Some(condition) = &self.condition else { return 0 };
        condition.values().map(|keys| keys.as_object().map_or(1, Map::len)).sum()
    }

    pub fn patterns(&self) -> impl Iterator<Item = ActionPattern> + '_ {
        self.actions.iter().filter_map(|a| ActionPattern::parse(a).ok())
    }

    fn to_json(&self) -> JsonValue {
        let mut map = Map::new();
        map.insert("Effect".into(), json!(self.effect.as_str()));
        map.insert("Action".into(), json!(self.actions));
        if let Some(condition) = &self.condition {
            map.insert("Condition".into(), JsonValue::Object(condition.clone()));
        }
        if let Some(resource) = &self.resource {
            map.insert("Resource".into(), json!(resource));
        }
        JsonValue::Object(map)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Policy {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem found in a policy document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// A stable identifier that scripts may match on.
    pub code: &'static str,
    pub severity: Severity,
    /// 0-based index of the statement, where the finding belongs to one.
    pub statement: Option<usize>,
    /// 0-based index of the action within its statement.
    pub action: Option<usize>,
    #[serde(skip)]
    pub pos: Option<Pos>,
    pub message: String,
    pub fix: Option<String>,
}

impl Finding {
    pub fn new(code: &'static str, severity: Severity, pos: Option<Pos>, message: String) -> Finding {
        Finding { code, severity, statement: None, action: None, pos, message, fix: None }
    }

    pub fn in_statement(mut self, statement: usize, action: Option<usize>) -> Finding {
        self.statement = Some(statement);
        self.action = action;
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }
}

/// The positions of each statement and action in the source file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Spans {
    /// The policy's opening brace; policy-wide findings point here.
    pub root: Option<Pos>,
    pub statements: Vec<Pos>,
    pub actions: Vec<Vec<Pos>>,
}

/// A policy read from text with every finding; `policy` is `None` when a finding of severity
/// [`Severity::Error`] made the document unusable.
#[derive(Debug, Clone)]
pub struct Document {
    pub policy: Option<Policy>,
    /// The statements as read, kept even when an error finding such as a wrong Version or a duplicate
    /// key rejects the document. `None` when some statement could not be read at all.
    pub as_read: Option<Policy>,
    pub findings: Vec<Finding>,
    pub spans: Spans,
    /// Characters in the file as read, byte order mark excluded.
    pub source_chars: usize,
}

/// A usable policy with its warnings.
#[derive(Debug, Clone)]
pub struct ParsedPolicy {
    pub policy: Policy,
    pub warnings: Vec<Finding>,
    pub spans: Spans,
}

/// Reads a policy document and reports every problem found, without stopping at the first.
pub fn read_document(text: &str) -> Document {
    let source_chars = text.strip_prefix('\u{feff}').unwrap_or(text).chars().count();
    let root = match json::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let finding = Finding::new("json-syntax", Severity::Error, Some(e.pos), format!("invalid JSON: {}", e.message))
                .fix("fix the JSON syntax at this place");
            return Document { policy: None, as_read: None, findings: vec![finding], spans: Spans::default(), source_chars };
        }
    };
    let mut reader = Reader { findings: Vec::new(), spans: Spans { root: Some(root.pos), ..Spans::default() } };
    let policy = reader.read_policy(&root);
    let mut findings = reader.findings;
    if let Some(policy) = &policy {
        findings.extend(policy_warnings(policy, &reader.spans));
    }
    let failed = findings.iter().any(|f| f.severity == Severity::Error);
    let usable = if failed { None } else { policy.clone() };
    Document { policy: usable, as_read: policy, findings, spans: reader.spans, source_chars }
}

impl Policy {
    /// Parses a policy; the first error-severity finding becomes the error.
    pub fn parse(source_name: &str, text: &str) -> Result<ParsedPolicy, InputError> {
        let document = read_document(text);
        if let Some(error) = document.findings.iter().find(|f| f.severity == Severity::Error) {
            let mut input_error = InputError::new(source_name, error.message.clone());
            input_error.pos = error.pos;
            input_error.fix = error.fix.clone();
            return Err(input_error);
        }
        let policy = document.policy.expect("no error findings means a policy was read");
        Ok(ParsedPolicy { policy, warnings: document.findings, spans: document.spans })
    }

    /// Loads a policy file, or standard input when `path` is `-`.
    pub fn load(path: &str) -> Result<ParsedPolicy, InputError> {
        let (name, text) = crate::input::read_text(path, crate::input::MAX_POLICY_BYTES)?;
        Policy::parse(&name, &text)
    }

    /// Builds a normalized policy of one Allow statement per 100 actions.
    pub fn allowing<I: IntoIterator<Item = S>, S: Into<String>>(actions: I) -> Policy {
        let actions: Vec<String> = actions.into_iter().map(Into::into).collect();
        if actions.is_empty() {
            return Policy::default();
        }
        Policy { statements: vec![Statement::allow(actions)] }.normalized()
    }

    /// Returns the same grants in canonical form, so equal policies serialize to identical bytes.
    /// Actions are lowercased, deduplicated and sorted. Statements without Condition or Resource are
    /// merged per effect and split at 100 actions. Allow comes before Deny, then limited statements
    /// follow in a fixed order.
    pub fn normalized(&self) -> Policy {
        let mut plain_allow = BTreeSet::new();
        let mut plain_deny = BTreeSet::new();
        let mut limited = Vec::new();
        for statement in &self.statements {
            let actions: BTreeSet<String> = statement.actions.iter().map(|a| lowercase_segments(a)).collect();
            if statement.is_limited() {
                let mut copy = statement.clone();
                copy.actions = actions.into_iter().collect();
                limited.push(copy);
            } else if statement.effect == Effect::Allow {
                plain_allow.extend(actions);
            } else {
                plain_deny.extend(actions);
            }
        }
        limited.sort_by_cached_key(|s| (s.effect, s.to_json().to_string()));
        limited.dedup();

        let mut statements = Vec::new();
        for (effect, actions) in [(Effect::Allow, plain_allow), (Effect::Deny, plain_deny)] {
            let actions: Vec<String> = actions.into_iter().collect();
            for chunk in actions.chunks(MAX_ACTIONS_PER_STATEMENT) {
                statements.push(Statement { effect, actions: chunk.to_vec(), condition: None, resource: None });
            }
        }
        statements.extend(limited);
        Policy { statements }
    }

    pub fn to_json(&self) -> JsonValue {
        json!({
            "Version": VERSION,
            "Statement": self.statements.iter().map(Statement::to_json).collect::<Vec<_>>(),
        })
    }

    /// Pretty JSON with a final newline, as written to files.
    pub fn to_pretty_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.to_json()).expect("a JSON value always serializes");
        text.push('\n');
        text
    }

    /// Counts the characters Huawei limits: those of the compact JSON document, the form the IAM API
    /// receives.
    // NOTE: Huawei's documentation states the 6,144-character limit without saying whether whitespace
    // counts; the compact form is the smallest a user can submit.
    pub fn char_count(&self) -> usize {
        self.to_json().to_string().chars().count()
    }

    /// Lists every Huawei limit this policy exceeds.
    pub fn limit_findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        let chars = self.char_count();
        if chars > MAX_CHARS {
            findings.push(
                Finding::new("limit-chars", Severity::Error, None, format!(
                    "the policy has {chars} characters; Huawei allows at most {MAX_CHARS}"
                ))
                .fix("use wildcards such as evs:snapshots:* or split the grants into two policies"),
            );
        }
        if self.statements.len() > MAX_STATEMENTS {
            findings.push(
                Finding::new("limit-statements", Severity::Error, None, format!(
                    "the policy has {} statements; Huawei allows at most {MAX_STATEMENTS}",
                    self.statements.len()
                ))
                .fix("merge statements with the same Effect and Condition, or split the policy"),
            );
        }
        for (index, statement) in self.statements.iter().enumerate() {
            let checks = [
                ("limit-actions", statement.actions.len(), MAX_ACTIONS_PER_STATEMENT, "actions"),
                ("limit-conditions", statement.condition_count(), MAX_CONDITIONS_PER_STATEMENT, "conditions"),
                ("limit-resources", statement.resource.as_ref().map_or(0, Vec::len), MAX_RESOURCES_PER_STATEMENT, "resources"),
            ];
            for (code, count, max, what) in checks {
                if count > max {
                    findings.push(
                        Finding::new(code, Severity::Error, None, format!(
                            "statement {} has {count} {what}; Huawei allows at most {max}",
                            index + 1
                        ))
                        .in_statement(index, None)
                        .fix(format!("split the statement into statements of at most {max} {what}")),
                    );
                }
            }
        }
        findings
    }
}

/// Warnings about a policy that parsed: each is legal JSON that Huawei or the user would not expect.
fn policy_warnings(policy: &Policy, spans: &Spans) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (s, statement) in policy.statements.iter().enumerate() {
        for (a, action) in statement.actions.iter().enumerate() {
            let pos = spans.actions.get(s).and_then(|p| p.get(a)).copied();
            let Ok(pattern) = ActionPattern::parse(action) else { continue };
            if pattern.has_uppercase_service() {
                findings.push(
                    Finding::new("uppercase-service", Severity::Warning, pos, format!(
                        "the service name in {action:?} is not lowercase; Huawei requires lowercase service names"
                    ))
                    .in_statement(s, Some(a))
                    .fix(format!("write {:?}", action_with_lowercase_service(action))),
                );
            }
            if action.contains('?') {
                findings.push(
                    Finding::new("question-mark", Severity::Warning, pos, format!(
                        "{action:?} contains '?', which is not a wildcard in Huawei policies and matches only itself"
                    ))
                    .in_statement(s, Some(a))
                    .fix("use '*' for all or part of a segment"),
                );
            }
            if pattern.service().contains('*') {
                findings.push(
                    Finding::new("service-wildcard", Severity::Warning, pos, format!(
                        "{action:?} uses '*' in the service name; Huawei documents '*' only in the resource type and operation"
                    ))
                    .in_statement(s, Some(a))
                    .fix("name the service, such as evs:*:*"),
                );
            }
        }
    }
    if policy.statements.is_empty() {
        findings.push(
            Finding::new("no-statements", Severity::Warning, None, "the policy has no statements and grants nothing".into())
                .fix("add an Allow statement"),
        );
    } else if policy.statements.iter().all(|s| s.effect == Effect::Deny) {
        findings.push(
            Finding::new("deny-only", Severity::Warning, None, "the policy has only Deny statements, so it grants nothing on its own".into())
                .fix("attach it together with a policy that allows the actions"),
        );
    }
    for mut finding in policy.limit_findings() {
        finding.severity = Severity::Warning;
        if let Some(s) = finding.statement {
            finding.pos = spans.statements.get(s).copied();
        }
        findings.push(finding);
    }
    findings
}

fn action_with_lowercase_service(action: &str) -> String {
    match action.split_once(':') {
        Some((service, rest)) => format!("{}:{rest}", service.to_lowercase()),
        None => action.to_owned(),
    }
}

/// Known keys Huawei's policy Version 1.1 does not have, with the reason they are worth a word.
const FOREIGN_KEYS: [&str; 4] = ["NotAction", "NotResource", "Principal", "NotPrincipal"];

// NOTE: findings quote the offending key or value in full, so a megabyte-long key or Version string
// in a file under the size limit makes a megabyte-long message.
struct Reader {
    findings: Vec<Finding>,
    spans: Spans,
}

impl Reader {
    fn error(&mut self, code: &'static str, pos: Pos, message: String, fix: &str) {
        self.findings.push(Finding::new(code, Severity::Error, Some(pos), message).fix(fix));
    }

    /// Reports every key that appears twice in an object; serde_json and many tools would silently
    /// keep only the last one.
    fn check_duplicates(&mut self, members: &[Member], statement: Option<usize>) {
        let mut seen: Vec<&str> = Vec::new();
        for member in members {
            if seen.contains(&member.key.as_str()) {
                let mut finding = Finding::new("duplicate-key", Severity::Error, Some(member.key_pos), format!(
                    "the key {:?} appears more than once in this object; JSON readers disagree on which value wins",
                    member.key
                ))
                .fix("keep one of the values and delete the other");
                finding.statement = statement;
                self.findings.push(finding);
            } else {
                seen.push(&member.key);
            }
        }
    }

    fn check_all_duplicates(&mut self, node: &Node, statement: Option<usize>) {
        match &node.value {
            Value::Object(members) => {
                self.check_duplicates(members, statement);
                for member in members {
                    self.check_all_duplicates(&member.value, statement);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.check_all_duplicates(item, statement);
                }
            }
            _ => {}
        }
    }

    fn read_policy(&mut self, root: &Node) -> Option<Policy> {
        let Value::Object(members) = &root.value else {
            let message = format!("a policy is a JSON object, found {}", root.value.kind());
            self.error("not-object", root.pos, message, "write {\"Version\": \"1.1\", \"Statement\": [...]}");
            return None;
        };
        self.check_duplicates(members, None);

        match last(members, "Version") {
            None => self.error("version", root.pos, "the policy has no \"Version\"".into(), "add \"Version\": \"1.1\""),
            Some(member) => match &member.value.value {
                Value::String(v) if v == VERSION => {}
                Value::String(v) if v == "1.0" => self.error(
                    "version",
                    member.value.pos,
                    "Version \"1.0\" is the role-based format of system roles; custom policies use \"1.1\"".into(),
                    "set \"Version\": \"1.1\" and write fine-grained actions",
                ),
                other => {
                    let found = match other {
                        Value::String(v) => format!("{v:?}"),
                        Value::Number(n) => format!("the number {n}"),
                        v => v.kind().to_owned(),
                    };
                    self.error("version", member.value.pos, format!("Version must be \"1.1\", found {found}"), "set \"Version\": \"1.1\"");
                }
            },
        }

        for member in members {
            if !matches!(member.key.as_str(), "Version" | "Statement") {
                self.unknown_key(member, None);
            }
        }

        let Some(statements) = last(members, "Statement") else {
            self.error("statement", root.pos, "the policy has no \"Statement\" list".into(), "add \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [...]}]");
            return None;
        };
        let Value::Array(items) = &statements.value.value else {
            let message = format!("\"Statement\" must be a list, found {}", statements.value.value.kind());
            self.error("statement", statements.value.pos, message, "wrap the statements in [ ]");
            return None;
        };

        let mut policy = Policy::default();
        let mut complete = true;
        for (index, item) in items.iter().enumerate() {
            self.spans.statements.push(item.pos);
            self.spans.actions.push(Vec::new());
            match self.read_statement(index, item) {
                Some(statement) => policy.statements.push(statement),
                None => complete = false,
            }
        }
        complete.then_some(policy)
    }

    fn unknown_key(&mut self, member: &Member, statement: Option<usize>) {
        let place = statement.map_or("the policy".to_owned(), |s| format!("statement {}", s + 1));
        let mut finding = if FOREIGN_KEYS.contains(&member.key.as_str()) {
            Finding::new("unsupported-key", Severity::Warning, Some(member.key_pos), format!(
                "{place} uses {:?}, which Huawei policy Version 1.1 does not define; it is ignored here",
                member.key
            ))
            .fix("express the grant with Action and Deny statements")
        } else {
            Finding::new("unknown-key", Severity::Warning, Some(member.key_pos), format!(
                "{place} has the key {:?}, which Huawei policy Version 1.1 does not define; it is ignored here",
                member.key
            ))
            .fix("check the spelling: keys are Version, Statement, Effect, Action, Condition, Resource")
        };
        finding.statement = statement;
        self.findings.push(finding);
    }

    fn read_statement(&mut self, index: usize, node: &Node) -> Option<Statement> {
        let Value::Object(members) = &node.value else {
            let message = format!("statement {} must be an object, found {}", index + 1, node.value.kind());
            self.error("statement", node.pos, message, "write {\"Effect\": \"Allow\", \"Action\": [...]}");
            return None;
        };
        let before = self.findings.len();
        self.check_all_duplicates(node, Some(index));
        for member in members {
            if !matches!(member.key.as_str(), "Effect" | "Action" | "Condition" | "Resource") {
                self.unknown_key(member, Some(index));
            }
        }

        let effect = self.read_effect(index, node.pos, members);
        let actions = self.read_actions(index, node.pos, members);
        let condition = self.read_condition(index, members);
        let resource = self.read_resource(index, members);
        for finding in &mut self.findings[before..] {
            finding.statement = Some(index);
        }
        Some(Statement { effect: effect?, actions: actions?, condition: condition?, resource: resource? })
    }

    fn read_effect(&mut self, index: usize, pos: Pos, members: &[Member]) -> Option<Effect> {
        let Some(member) = last(members, "Effect") else {
            self.error("effect", pos, format!("statement {} has no \"Effect\"", index + 1), "add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"");
            return None;
        };
        match &member.value.value {
            Value::String(s) if s == "Allow" => Some(Effect::Allow),
            Value::String(s) if s == "Deny" => Some(Effect::Deny),
            Value::String(s) => {
                let fix = if s.eq_ignore_ascii_case("allow") || s.eq_ignore_ascii_case("deny") {
                    format!("write {:?} with this capitalization", if s.eq_ignore_ascii_case("allow") { "Allow" } else { "Deny" })
                } else {
                    "use \"Allow\" or \"Deny\"".to_owned()
                };
                self.error("effect", member.value.pos, format!("statement {}: Effect {s:?} is neither \"Allow\" nor \"Deny\"", index + 1), &fix);
                None
            }
            other => {
                let message = format!("statement {}: Effect must be a string, found {}", index + 1, other.kind());
                self.error("effect", member.value.pos, message, "use \"Allow\" or \"Deny\"");
                None
            }
        }
    }

    fn read_actions(&mut self, index: usize, pos: Pos, members: &[Member]) -> Option<Vec<String>> {
        let Some(member) = last(members, "Action") else {
            self.error("action-missing", pos, format!("statement {} has no \"Action\"", index + 1), "add \"Action\": [\"evs:snapshots:get\"]");
            return None;
        };
        let Value::Array(items) = &member.value.value else {
            let message = format!("statement {}: Action must be a list of strings, found {}", index + 1, member.value.value.kind());
            self.error("action-type", member.value.pos, message, "wrap the actions in [ ]");
            return None;
        };
        if items.is_empty() {
            self.error("action-empty", member.value.pos, format!("statement {}: Action is empty", index + 1), "list at least one action");
            return None;
        }
        let mut actions = Vec::new();
        let mut valid = true;
        for (a, item) in items.iter().enumerate() {
            self.spans.actions[index].push(item.pos);
            let Value::String(action) = &item.value else {
                let message = format!("statement {}: action {} must be a string, found {}", index + 1, a + 1, item.value.kind());
                self.findings.push(Finding::new("action-type", Severity::Error, Some(item.pos), message).in_statement(index, Some(a)).fix("quote the action"));
                valid = false;
                continue;
            };
            if let Err(e) = ActionPattern::parse(action) {
                let message = format!("statement {}: action {action:?} is invalid: {e}", index + 1);
                let finding = Finding::new("action-format", Severity::Error, Some(item.pos), message)
                    .in_statement(index, Some(a))
                    .fix("write service:resourceType:operation, such as evs:snapshots:get");
                self.findings.push(finding);
                valid = false;
                continue;
            }
            actions.push(action.clone());
        }
        valid.then_some(actions)
    }

    fn read_condition(&mut self, index: usize, members: &[Member]) -> Option<Option<Map<String, JsonValue>>> {
        let Some(member) = last(members, "Condition") else { return Some(None) };
        let Value::Object(operators) = &member.value.value else {
            let message = format!("statement {}: Condition must be an object, found {}", index + 1, member.value.value.kind());
            self.error("condition-type", member.value.pos, message, "write {\"StringEquals\": {\"key\": [\"value\"]}}");
            return None;
        };
        for operator in operators {
            if !matches!(operator.value.value, Value::Object(_)) {
                let message = format!(
                    "statement {}: condition operator {:?} must map keys to values, found {}",
                    index + 1,
                    operator.key,
                    operator.value.value.kind()
                );
                self.error("condition-type", operator.value.pos, message, "write {\"StringEquals\": {\"key\": [\"value\"]}}");
                return None;
            }
        }
        match member.value.to_serde() {
            JsonValue::Object(map) => Some(Some(map)),
            _ => unreachable!("an object node converts to an object"),
        }
    }

    fn read_resource(&mut self, index: usize, members: &[Member]) -> Option<Option<Vec<String>>> {
        let Some(member) = last(members, "Resource") else { return Some(None) };
        let strings = match &member.value.value {
            Value::Array(items) => items
                .iter()
                .map(|i| match &i.value {
                    Value::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>(),
            _ => None,
        };
        if strings.is_none() {
            let message = format!("statement {}: Resource must be a list of strings", index + 1);
            self.error("resource-type", member.value.pos, message, "write [\"evs:*:*:snapshot:*\"]");
        }
        strings.map(Some)
    }
}

/// Returns the member JSON readers use for `key`: the last one, as serde_json does. Duplicates are
/// reported separately.
fn last<'a>(members: &'a [Member], key: &str) -> Option<&'a Member> {
    members.iter().rev().find(|m| m.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ParsedPolicy, InputError> {
        Policy::parse("p.json", text)
    }

    fn codes(document: &Document) -> Vec<&'static str> {
        document.findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn minimal_policy_parses() {
        let parsed = parse(r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:snapshots:get"]}]}"#).unwrap();
        assert_eq!(parsed.policy.statements, [Statement::allow(vec!["evs:snapshots:get".into()])]);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    #[test]
    fn duplicate_effect_rejected() {
        let text = "{\"Version\":\"1.1\",\"Statement\":[{\"Effect\":\"Deny\",\n\"Effect\":\"Allow\",\"Action\":[\"evs:*:*\"]}]}";
        let error = parse(text).unwrap_err();
        assert!(error.message.contains("\"Effect\" appears more than once"), "{error}");
        assert_eq!(error.pos, Some(Pos { line: 2, column: 1 }));
    }

    #[test]
    fn bad_documents_rejected() {
        let cases = [
            ("[]", "a policy is a JSON object"),
            (r#"{"Statement":[]}"#, "no \"Version\""),
            (r#"{"Version":"1.0","Statement":[]}"#, "role-based format"),
            (r#"{"Version":1e999,"Statement":[]}"#, "found the number 1e999"),
            (r#"{"Version":"1.1"}"#, "no \"Statement\""),
            (r#"{"Version":"1.1","Statement":{}}"#, "must be a list"),
            (r#"{"Version":"1.1","Statement":[{"Action":["evs:*:*"]}]}"#, "no \"Effect\""),
            (r#"{"Version":"1.1","Statement":[{"Effect":"allow","Action":["evs:*:*"]}]}"#, "neither"),
            (r#"{"Version":"1.1","Statement":[{"Effect":"Allow"}]}"#, "no \"Action\""),
            (r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":[]}]}"#, "Action is empty"),
            (r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":"evs:*:*"}]}"#, "must be a list of strings"),
            (r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":[3]}]}"#, "must be a string"),
            (r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:get"]}]}"#, "three segments"),
            (r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:*:*"],"Condition":[]}]}"#, "Condition must be an object"),
            ("", "the file is empty"),
        ];
        for (text, expected) in cases {
            let error = parse(text).expect_err(text);
            assert!(error.message.contains(expected), "{text}: expected {expected:?} in {error}");
        }
    }

    #[test]
    fn all_errors_collected() {
        let document = read_document(r#"{"Version":"2","Statement":[{"Effect":"Maybe","Action":["x"]},{"Effect":"Allow"}]}"#);
        assert_eq!(codes(&document), ["version", "effect", "action-format", "action-missing"]);
        assert_eq!(document.findings[1].statement, Some(0));
        assert_eq!(document.findings[3].statement, Some(1));
        assert!(document.policy.is_none());
    }

    #[test]
    fn warnings_for_legal_oddities() {
        let text = r#"{"Version":"1.1","Statement":[{"Effect":"Deny","Action":["EVS:snapshots:get","evs:snapshots:ge?","*:*:*"],"NotAction":["x"]}],"Id":"1"}"#;
        let document = read_document(text);
        assert_eq!(
            codes(&document),
            ["unknown-key", "unsupported-key", "uppercase-service", "question-mark", "service-wildcard", "deny-only"]
        );
        assert!(document.policy.is_some());
        assert_eq!(document.findings[2].fix.as_deref(), Some("write \"evs:snapshots:get\""));
    }

    #[test]
    fn spans_point_at_actions() {
        let text = "{\"Version\":\"1.1\",\"Statement\":[\n  {\"Effect\":\"Allow\",\"Action\":[\n    \"evs:a:b\",\n    \"evs:c:d\"]}]}";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.spans.statements, [Pos { line: 2, column: 3 }]);
        assert_eq!(parsed.spans.actions[0], [Pos { line: 3, column: 5 }, Pos { line: 4, column: 5 }]);
    }

    #[test]
    fn normalized_is_canonical() {
        let a = Policy {
            statements: vec![
                Statement::deny(vec!["evs:snapshots:delete".into()]),
                Statement::allow(vec!["evs:volumes:get".into(), "evs:Snapshots:GET".into()]),
                Statement::allow(vec!["evs:snapshots:get".into()]),
            ],
        };
        let b = Policy {
            statements: vec![
                Statement::allow(vec!["evs:snapshots:get".into(), "evs:volumes:get".into()]),
                Statement::deny(vec!["evs:snapshots:delete".into()]),
            ],
        };
        assert_eq!(a.normalized().to_pretty_json(), b.normalized().to_pretty_json());
        assert_eq!(
            a.normalized().statements,
            [
                Statement::allow(vec!["evs:snapshots:get".into(), "evs:volumes:get".into()]),
                Statement::deny(vec!["evs:snapshots:delete".into()]),
            ]
        );
    }

    #[test]
    fn normalized_keeps_action_meaning() {
        // Σ ends its segment, so matching lowercases it to the final form ς.
        let policy = Policy { statements: vec![Statement::allow(vec!["evs:ΑΣ:get".into()])] };
        let normalized = policy.normalized();
        assert_eq!(normalized.statements[0].actions, ["evs:ας:get"]);
        let evaluator = crate::eval::Evaluator::new(&normalized);
        assert_eq!(evaluator.status("evs:ΑΣ:get"), crate::eval::ActionStatus::Allowed);
    }

    #[test]
    fn normalized_splits_at_100_actions() {
        let policy = Policy::allowing((0..250).map(|i| format!("evs:r{i:03}:get")));
        let sizes: Vec<usize> = policy.statements.iter().map(|s| s.actions.len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
    }

    #[test]
    fn pretty_output_shape() {
        let policy = Policy::allowing(["evs:snapshots:list"]);
        let expected = "{\n  \"Version\": \"1.1\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\n        \"evs:snapshots:list\"\n      ]\n    }\n  ]\n}\n";
        assert_eq!(policy.to_pretty_json(), expected);
        // {"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:snapshots:list"]}]}
        assert_eq!(policy.char_count(), 82);
    }

    #[test]
    fn limits_reported() {
        let mut many = Policy::allowing((0..101).map(|i| format!("evs:r{i:03}:get")));
        many.statements = vec![Statement::allow(many.statements.iter().flat_map(|s| s.actions.clone()).collect())];
        let codes: Vec<_> = many.limit_findings().iter().map(|f| f.code).collect();
        assert_eq!(codes, ["limit-actions"]);

        let nine = Policy { statements: (0..9).map(|i| Statement::allow(vec![format!("evs:r{i}:get")])).collect() };
        let codes: Vec<_> = nine.limit_findings().iter().map(|f| f.code).collect();
        assert_eq!(codes, ["limit-statements"]);

        let long = Policy::allowing((0..300).map(|i| format!("evs:resource{i:04}:get")));
        assert!(long.char_count() > MAX_CHARS);
        assert!(long.limit_findings().iter().any(|f| f.code == "limit-chars"));
    }

    #[test]
    fn condition_numbers_stable_across_exports() {
        // A 64-digit integer is stored as the nearest f64, written back as 8.888888888e+63. Reading
        // that text must give the same f64, or every export and import would change the number.
        let text = r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:*:*"],
            "Condition":{"NumberLessThan":{"g:Count":[8888888888000000000000000000000000000000000014643704388374466104, 0.1, -0.5e-3]}}}]}"#;
        let first = parse(text).unwrap().policy.normalized().to_pretty_json();
        assert!(first.contains("8.888888888e+63"), "{first}");
        let second = parse(&first).unwrap().policy.normalized().to_pretty_json();
        assert_eq!(second, first);
    }

    #[test]
    fn condition_count_per_key() {
        let text = r#"{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["evs:*:*"],"Condition":{"StringEquals":{"a":["1"],"b":["2"]},"Bool":{"c":["true"]}}}]}"#;
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.policy.statements[0].condition_count(), 3);
        assert!(parsed.policy.statements[0].is_limited());
    }
}
