//! Policy comparison, as a reviewer reads a pull request: catalog APIs that become or
//! stop being callable, the action patterns added and removed per effect, and every catalog action
//! whose evaluated status changes.
//!
//! Patterns are compared after [`Policy::normalized`], so reordering, duplicates and letter case are
//! not changes.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::catalog::{Catalog, Scope};
use crate::eval::{ActionStatus, ApiVerdict, Evaluator, evaluate};
use crate::policy::{Effect, Policy};

/// Whether a policy lets a caller use one API in the evaluated scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiState {
    Callable,
    /// Callable only when a Condition or Resource of some statement is met.
    Conditional,
    NotCallable,
}

impl ApiState {
    fn of(verdict: &ApiVerdict) -> ApiState {
        if verdict.callable {
            ApiState::Callable
        } else if verdict.conditional {
            ApiState::Conditional
        } else {
            ApiState::NotCallable
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ApiState::Callable => "callable",
            ApiState::Conditional => "conditional",
            ApiState::NotCallable => "not callable",
        }
    }
}

/// The three groups a reviewer looks for; every changed API is in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Callable now, not callable or only conditional before.
    BecameCallable,
    /// Callable before, not callable or only conditional now.
    StoppedCallable,
    /// Neither side callable, and one side conditional.
    ConditionalChanged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiChange {
    /// Index into [`Catalog::apis`].
    pub api: usize,
    pub before: ApiState,
    pub after: ApiState,
}

impl ApiChange {
    pub fn kind(&self) -> ChangeKind {
        if self.after == ApiState::Callable {
            ChangeKind::BecameCallable
        } else if self.before == ApiState::Callable {
            ChangeKind::StoppedCallable
        } else {
            ChangeKind::ConditionalChanged
        }
    }
}

/// One action pattern of a normalized policy with what qualifies it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PatternEntry {
    pub effect: Effect,
    pub action: String,
    /// The statement's Condition as compact JSON with sorted keys.
    pub condition: Option<String>,
    pub resource: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub action: String,
    pub before: ActionStatus,
    pub after: ActionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDiff {
    pub scope: Scope,
    /// Changed APIs in catalog order.
    pub apis: Vec<ApiChange>,
    pub added: Vec<PatternEntry>,
    pub removed: Vec<PatternEntry>,
    /// Catalog actions whose status changes, sorted by action.
    pub statuses: Vec<StatusChange>,
}

impl PolicyDiff {
    pub fn is_empty(&self) -> bool {
        self.apis.is_empty() && self.added.is_empty() && self.removed.is_empty() && self.statuses.is_empty()
    }

    pub fn apis_of(&self, kind: ChangeKind) -> impl Iterator<Item = &ApiChange> {
        self.apis.iter().filter(move |change| change.kind() == kind)
    }
}

/// Compares `old` with `new` over the catalog in `scope`.
pub fn diff(catalog: &Catalog, old: &Policy, new: &Policy, scope: Scope) -> PolicyDiff {
    let before = evaluate(catalog, old, scope);
    let after = evaluate(catalog, new, scope);
    let apis = before
        .iter()
        .zip(&after)
        .enumerate()
        .map(|(api, (b, a))| ApiChange { api, before: ApiState::of(b), after: ApiState::of(a) })
        .filter(|change| change.before != change.after)
        .collect();

    let old_patterns = pattern_entries(old);
    let new_patterns = pattern_entries(new);
    let added = new_patterns.difference(&old_patterns).cloned().collect();
    let removed = old_patterns.difference(&new_patterns).cloned().collect();

    let old_evaluator = Evaluator::new(old);
    let new_evaluator = Evaluator::new(new);
    let statuses = catalog
        .actions()
        .into_iter()
        .map(|action| {
            let before = old_evaluator.status(&action);
            let after = new_evaluator.status(&action);
            StatusChange { action, before, after }
        })
        .filter(|change| change.before != change.after)
        .collect();

    PolicyDiff { scope, apis, added, removed, statuses }
}

fn pattern_entries(policy: &Policy) -> BTreeSet<PatternEntry> {
    let mut entries = BTreeSet::new();
    for statement in policy.normalized().statements {
        let condition = statement
            .condition
            .filter(|c| !c.is_empty())
            .map(|c| sorted_keys(&Value::Object(c)).to_string());
        let resource = statement.resource.filter(|r| !r.is_empty());
        for action in statement.actions {
            entries.insert(PatternEntry { effect: statement.effect, action, condition: condition.clone(), resource: resource.clone() });
        }
    }
    entries
}

/// Copies JSON with every object's keys sorted, so key order is not a change.
fn sorted_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let sorted = keys.into_iter().map(|k| (k.clone(), sorted_keys(&map[k]))).collect();
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted_keys).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Statement;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn keys(catalog: &Catalog, diff: &PolicyDiff, kind: ChangeKind) -> Vec<String> {
        diff.apis_of(kind).map(|c| catalog.apis[c.api].key()).collect()
    }

    fn conditional(effect: Effect, actions: &[&str], project: &str) -> Statement {
        let condition = serde_json::json!({"StringEquals": {"g:ProjectName": [project]}});
        Statement { effect, actions: strings(actions), condition: condition.as_object().cloned(), resource: None }
    }

    // Expected APIs below are worked out by hand from the EVS snapshot permission table.
    #[test]
    fn adding_volumes_get_opens_three_apis() {
        let catalog = Catalog::builtin();
        let old = Policy { statements: vec![Statement::allow(strings(&["evs:snapshots:*"]))] };
        let new = Policy { statements: vec![Statement::allow(strings(&["evs:snapshots:*", "evs:volumes:get"]))] };
        let diff = diff(&catalog, &old, &new, Scope::Project);
        // The rows that need evs:volumes:get: OpenStack create, OpenStack delete, os-vendor rollback.
        assert_eq!(
            keys(&catalog, &diff, ChangeKind::BecameCallable),
            [
                "POST /v2/{project_id}/snapshots",
                "DELETE /v2/{project_id}/snapshots/{snapshot_id}",
                "POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback",
            ]
        );
        assert_eq!(diff.apis_of(ChangeKind::StoppedCallable).count(), 0);
        assert_eq!(diff.added, [PatternEntry { effect: Effect::Allow, action: "evs:volumes:get".into(), condition: None, resource: None }]);
        assert!(diff.removed.is_empty());
        assert_eq!(
            diff.statuses,
            [StatusChange { action: "evs:volumes:get".into(), before: ActionStatus::NotAllowed, after: ActionStatus::Allowed }]
        );
    }

    #[test]
    fn enterprise_scope_ignores_project_only_apis() {
        let catalog = Catalog::builtin();
        let old = Policy { statements: vec![Statement::allow(strings(&["evs:snapshots:*"]))] };
        let new = Policy { statements: vec![Statement::allow(strings(&["evs:snapshots:*", "evs:volumes:get"]))] };
        let diff = diff(&catalog, &old, &new, Scope::Enterprise);
        assert!(diff.apis.is_empty());
        assert!(!diff.is_empty(), "the pattern and status changes remain");
    }

    #[test]
    fn deny_stops_delete_apis() {
        let catalog = Catalog::builtin();
        let old = Policy { statements: vec![Statement::allow(strings(&["evs:*:*"]))] };
        let new = Policy { statements: vec![Statement::allow(strings(&["evs:*:*"])), Statement::deny(strings(&["evs:snapshots:delete"]))] };
        let diff = diff(&catalog, &old, &new, Scope::Project);
        assert_eq!(
            keys(&catalog, &diff, ChangeKind::StoppedCallable),
            [
                "DELETE /v2/{project_id}/snapshots/{snapshot_id}",
                "DELETE /v2/{project_id}/cloudsnapshots/{snapshot_id}",
                "DELETE /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
            ]
        );
        assert_eq!(diff.added[0].effect, Effect::Deny);
    }

    #[test]
    fn condition_changes_grouped() {
        let catalog = Catalog::builtin();
        let plain = Policy { statements: vec![Statement::allow(strings(&["evs:snapshots:list"]))] };
        let limited = Policy { statements: vec![conditional(Effect::Allow, &["evs:snapshots:list"], "cn-north-4")] };
        let empty = Policy { statements: vec![Statement::allow(strings(&["evs:snapshots:get"]))] };

        let to_limited = diff(&catalog, &plain, &limited, Scope::Project);
        assert_eq!(to_limited.apis_of(ChangeKind::StoppedCallable).count(), 3);
        assert!(to_limited.apis.iter().all(|c| c.after == ApiState::Conditional));

        let from_nothing = diff(&catalog, &empty, &limited, Scope::Project);
        let list_apis: Vec<_> = keys(&catalog, &from_nothing, ChangeKind::ConditionalChanged);
        assert_eq!(
            list_apis,
            ["GET /v2/{project_id}/snapshots", "GET /v2/{project_id}/snapshots/detail", "GET /v2/{project_id}/cloudsnapshots/detail"]
        );
        assert_eq!(to_limited.added[0].condition.as_deref(), Some(r#"{"StringEquals":{"g:ProjectName":["cn-north-4"]}}"#));
    }

    #[test]
    fn reordering_is_no_change() {
        let catalog = Catalog::builtin();
        let old = Policy { statements: vec![Statement::allow(strings(&["evs:snapshots:get", "evs:snapshots:list"]))] };
        let new = Policy {
            statements: vec![Statement::allow(strings(&["EVS:Snapshots:List"])), Statement::allow(strings(&["evs:snapshots:get"]))],
        };
        assert!(diff(&catalog, &old, &new, Scope::Project).is_empty());
    }
}
