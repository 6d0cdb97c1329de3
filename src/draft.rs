//! A policy being drafted: APIs the user picked, actions granted one by one, and the statements a
//! loaded policy had that are not plain grants of single actions (wildcards, Denies, conditional
//! statements), kept as they are.
//!
//! The grants are the picked APIs' actions plus the single grants, so unpicking an API revokes exactly
//! what only that API needed.

use std::collections::BTreeSet;

use crate::action::lowercase_segments;
use crate::catalog::Catalog;
use crate::eval::Evaluator;
use crate::policy::{Effect, Policy, Statement};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    /// Actions granted one by one, lowercase.
    pub grants: BTreeSet<String>,
    /// Picked APIs by index into the catalog.
    pub picked: BTreeSet<usize>,
    /// Statements from a loaded policy that the draft keeps unchanged.
    pub kept: Vec<Statement>,
}

/// The result of [`Draft::toggle_api`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiToggle {
    /// The API is picked; these of its actions were not granted before.
    Picked(Vec<String>),
    /// The API is no longer picked; these actions were revoked because nothing else needed them.
    Unpicked(Vec<String>),
}

/// The result of [`Draft::toggle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionToggle {
    Granted,
    /// Revoked; these picked APIs needed the action and were unpicked.
    Revoked(Vec<usize>),
}

impl Draft {
    /// Splits a policy into single-action grants and kept statements. An unlimited Allow's actions
    /// without `*` become grants; everything else is kept.
    pub fn from_policy(policy: &Policy) -> Draft {
        let mut draft = Draft::default();
        for statement in &policy.statements {
            if statement.effect == Effect::Allow && !statement.is_limited() {
                let (patterns, exact): (Vec<&String>, Vec<&String>) = statement.actions.iter().partition(|a| a.contains('*'));
                draft.grants.extend(exact.into_iter().map(|a| lowercase_segments(a)));
                if !patterns.is_empty() {
                    draft.kept.push(Statement::allow(patterns.into_iter().cloned().collect()));
                }
            } else {
                draft.kept.push(statement.clone());
            }
        }
        draft
    }

    /// Returns the single grants plus every action of the picked APIs.
    pub fn granted_actions(&self, catalog: &Catalog) -> BTreeSet<String> {
        let mut actions = self.grants.clone();
        for &index in &self.picked {
            if let Some(api) = catalog.apis.get(index) {
                actions.extend(api.actions.iter().map(|a| a.to_lowercase()));
            }
        }
        actions
    }

    /// True when `action` is granted by the draft's own grants, not only by a kept statement.
    pub fn is_granted(&self, catalog: &Catalog, action: &str) -> bool {
        let action = action.to_lowercase();
        self.grants.contains(&action) || self.pickers(catalog, &action).next().is_some()
    }

    /// Builds the draft's normalized policy, so identical grants give identical bytes whatever the
    /// order they were made in.
    pub fn to_policy(&self, catalog: &Catalog) -> Policy {
        let mut statements = Vec::new();
        let granted = self.granted_actions(catalog);
        if !granted.is_empty() {
            statements.push(Statement::allow(granted.into_iter().collect()));
        }
        statements.extend(self.kept.iter().cloned());
        Policy { statements }.normalized()
    }

    pub fn evaluator(&self, catalog: &Catalog) -> Evaluator {
        Evaluator::new(&self.to_policy(catalog))
    }

    /// Picked APIs that need `action` (lowercase).
    fn pickers<'a>(&'a self, catalog: &'a Catalog, action: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.picked.iter().copied().filter(move |&i| {
            catalog.apis.get(i).is_some_and(|api| api.actions.iter().any(|a| a.eq_ignore_ascii_case(action)))
        })
    }

    /// Grants an action, or revokes it when the draft grants it. Revoking also unpicks the APIs that
    /// need it, because a picked API keeps its actions granted.
    pub fn toggle(&mut self, catalog: &Catalog, action: &str) -> ActionToggle {
        let action = action.to_lowercase();
        if !self.is_granted(catalog, &action) {
            self.grants.insert(action);
            return ActionToggle::Granted;
        }
        self.grants.remove(&action);
        let unpicked: Vec<usize> = self.pickers(catalog, &action).collect();
        for index in &unpicked {
            self.picked.remove(index);
        }
        ActionToggle::Revoked(unpicked)
    }

    /// Picks API `index`, granting what it needs, or unpicks it, revoking what only it needed.
    pub fn toggle_api(&mut self, catalog: &Catalog, index: usize) -> ApiToggle {
        let before = self.granted_actions(catalog);
        if self.picked.remove(&index) {
            let after = self.granted_actions(catalog);
            ApiToggle::Unpicked(before.difference(&after).cloned().collect())
        } else {
            self.picked.insert(index);
            let after = self.granted_actions(catalog);
            ApiToggle::Picked(after.difference(&before).cloned().collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::ActionStatus;

    fn index(catalog: &Catalog, method: &str, path: &str) -> usize {
        catalog.find(method, path).unwrap()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn from_policy_splits_grants() {
        let policy = Policy {
            statements: vec![
                Statement::allow(strings(&["evs:snapshots:get", "evs:*:list*", "EVS:volumes:get"])),
                Statement::deny(strings(&["evs:snapshots:delete"])),
            ],
        };
        let draft = Draft::from_policy(&policy);
        assert_eq!(draft.grants.iter().collect::<Vec<_>>(), ["evs:snapshots:get", "evs:volumes:get"]);
        assert_eq!(draft.kept, [Statement::allow(strings(&["evs:*:list*"])), Statement::deny(strings(&["evs:snapshots:delete"]))]);
    }

    #[test]
    fn pick_then_unpick_revokes_only_its_needs() {
        let catalog = Catalog::builtin();
        let mut draft = Draft::default();
        let delete = index(&catalog, "DELETE", "/v2/{project_id}/snapshots/{snapshot_id}");
        let metadata_delete = index(&catalog, "DELETE", "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}");

        // Table rows: DELETE .../snapshots/{snapshot_id} needs delete, get and volumes:get;
        // DELETE .../metadata/{key} needs delete and get.
        assert_eq!(draft.toggle_api(&catalog, metadata_delete), ApiToggle::Picked(strings(&["evs:snapshots:delete", "evs:snapshots:get"])));
        assert_eq!(draft.toggle_api(&catalog, delete), ApiToggle::Picked(strings(&["evs:volumes:get"])));

        // Unpicking the snapshot delete revokes only evs:volumes:get; the metadata delete still needs the rest.
        assert_eq!(draft.toggle_api(&catalog, delete), ApiToggle::Unpicked(strings(&["evs:volumes:get"])));
        assert_eq!(draft.toggle_api(&catalog, metadata_delete), ApiToggle::Unpicked(strings(&["evs:snapshots:delete", "evs:snapshots:get"])));
        assert!(draft.to_policy(&catalog).statements.is_empty());
    }

    #[test]
    fn single_grants_survive_unpick() {
        let catalog = Catalog::builtin();
        let mut draft = Draft::default();
        assert_eq!(draft.toggle(&catalog, "evs:snapshots:get"), ActionToggle::Granted);
        let get = index(&catalog, "GET", "/v2/{project_id}/snapshots/{snapshot_id}");
        assert_eq!(draft.toggle_api(&catalog, get), ApiToggle::Picked(vec![]));
        assert_eq!(draft.toggle_api(&catalog, get), ApiToggle::Unpicked(vec![]));
        assert_eq!(draft.granted_actions(&catalog).into_iter().collect::<Vec<_>>(), ["evs:snapshots:get"]);
    }

    #[test]
    fn revoking_action_unpicks_its_apis() {
        let catalog = Catalog::builtin();
        let mut draft = Draft::default();
        let rollback = index(&catalog, "POST", "/v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback");
        draft.toggle_api(&catalog, rollback);
        assert_eq!(draft.toggle(&catalog, "evs:volumes:get"), ActionToggle::Revoked(vec![rollback]));
        assert!(draft.picked.is_empty());
        assert!(draft.granted_actions(&catalog).is_empty());
    }

    #[test]
    fn deny_still_wins_after_pick() {
        let catalog = Catalog::builtin();
        let mut draft = Draft { kept: vec![Statement::deny(strings(&["evs:snapshots:rollback"]))], ..Draft::default() };
        let rollback = index(&catalog, "POST", "/v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback");
        draft.toggle_api(&catalog, rollback);
        assert_eq!(draft.evaluator(&catalog).status("evs:snapshots:rollback"), ActionStatus::Denied);
    }

    #[test]
    fn wildcard_kept_statement_untouched() {
        let catalog = Catalog::builtin();
        let draft = Draft { kept: vec![Statement::allow(strings(&["evs:*:list"]))], ..Draft::default() };
        assert!(!draft.is_granted(&catalog, "evs:snapshots:list"));
        assert_eq!(draft.evaluator(&catalog).status("evs:snapshots:list"), ActionStatus::Allowed);
        assert_eq!(draft.to_policy(&catalog).statements, [Statement::allow(strings(&["evs:*:list"]))]);
    }

    #[test]
    fn order_of_grants_does_not_matter() {
        let catalog = Catalog::builtin();
        let mut a = Draft::default();
        let mut b = Draft::default();
        for action in ["evs:volumes:get", "evs:snapshots:get", "evs:snapshots:list"] {
            a.toggle(&catalog, action);
        }
        for action in ["evs:snapshots:list", "evs:volumes:get", "evs:snapshots:get"] {
            b.toggle(&catalog, action);
        }
        assert_eq!(a.to_policy(&catalog).to_pretty_json(), b.to_policy(&catalog).to_pretty_json());
    }
}
