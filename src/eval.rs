//! Policy evaluation: which actions a policy allows and which catalog APIs it makes callable in a scope.
//!
//! Huawei's rule (IAM user guide, "Policy evaluation"): an explicit Deny wins; otherwise an Allow
//! grants; otherwise the action is denied. A statement limited by a Condition or a Resource cannot be
//! decided without the request, so actions it could affect are reported as conditional, never as
//! plainly allowed.

use std::collections::HashMap;

use serde::Serialize;
use smallvec::SmallVec;

use crate::action::ActionPattern;
use crate::catalog::{Api, Catalog, Scope};
use crate::policy::{Effect, Policy};

/// The effect of a policy on one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// An unlimited Allow matches and no Deny can apply.
    Allowed,
    /// Allowed or denied depending on a Condition or Resource of a matching statement.
    Conditional,
    /// An unlimited Deny matches.
    Denied,
    /// No Allow matches.
    NotAllowed,
}

/// One matching pattern and the statement it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub statement: usize,
    pub pattern: String,
    pub effect: Effect,
    pub limited: bool,
}

struct Rule {
    statement: usize,
    pattern: ActionPattern,
    effect: Effect,
    limited: bool,
}

/// A policy compiled for matching.
pub struct Evaluator {
    rules: Vec<Rule>,
    /// Rules whose service segment has no `*`, by that (lowercase) service. Such a rule can match only
    /// actions of that service. So [`Evaluator::status`] tests an action only against its own
    /// service's rules and those in `any_service`, which keeps a policy of 800 patterns fast.
    by_service: HashMap<String, Vec<usize>>,
    /// Rules with `*` in the service segment.
    any_service: Vec<usize>,
}

impl Evaluator {
    pub fn new(policy: &Policy) -> Evaluator {
        let mut rules = Vec::new();
        for (index, statement) in policy.statements.iter().enumerate() {
            let limited = statement.is_limited();
            for pattern in statement.patterns() {
                rules.push(Rule { statement: index, pattern, effect: statement.effect, limited });
            }
        }
        let mut by_service: HashMap<String, Vec<usize>> = HashMap::new();
        let mut any_service = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if rule.pattern.service().contains('*') {
                any_service.push(index);
            } else {
                by_service.entry(rule.pattern.service().to_owned()).or_default().push(index);
            }
        }
        Evaluator { rules, by_service, any_service }
    }

    pub fn status(&self, action: &str) -> ActionStatus {
        let service = action.split(':').next().unwrap_or_default();
        let rules = if service.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
            self.by_service.get(&service.to_lowercase())
        } else {
            self.by_service.get(service)
        };
        let same_service = rules.map_or(&[][..], Vec::as_slice);
        let candidates = same_service.iter().chain(&self.any_service).map(|&index| &self.rules[index]);
        let (mut allow, mut limited_allow, mut limited_deny) = (false, false, false);
        for rule in candidates.filter(|r| r.pattern.matches(action)) {
            match (rule.effect, rule.limited) {
                (Effect::Deny, false) => return ActionStatus::Denied,
                (Effect::Deny, true) => limited_deny = true,
                (Effect::Allow, false) => allow = true,
                (Effect::Allow, true) => limited_allow = true,
            }
        }
        if allow && !limited_deny {
            ActionStatus::Allowed
        } else if allow || limited_allow {
            ActionStatus::Conditional
        } else {
            ActionStatus::NotAllowed
        }
    }

    /// Lists every pattern that matches `action`, in policy order: the reason behind [`Evaluator::status`].
    pub fn matches(&self, action: &str) -> Vec<Match> {
        self.rules
            .iter()
            .filter(|r| r.pattern.matches(action))
            .map(|r| Match { statement: r.statement, pattern: r.pattern.to_string(), effect: r.effect, limited: r.limited })
            .collect()
    }

    /// Lists every pattern of the policy with its statement's effect.
    pub fn patterns(&self) -> impl Iterator<Item = (&ActionPattern, Effect)> {
        self.rules.iter().map(|r| (&r.pattern, r.effect))
    }
}

/// The statuses of an API's actions, in catalog order. Up to 16 are stored inline, so evaluating a
/// catalog of 100,000 APIs does not allocate once per API.
pub type Statuses = SmallVec<[ActionStatus; 16]>;

/// The verdict for one API in one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVerdict {
    /// The status of each of the API's actions, in catalog order.
    pub statuses: Statuses,
    /// Whether grants in the evaluated scope take effect for this API at all.
    pub scope_supported: bool,
    pub callable: bool,
    pub conditional: bool,
}

impl ApiVerdict {
    /// Required actions no Allow grants, Denied ones excluded.
    pub fn missing<'a>(&self, api: &'a Api) -> Vec<&'a str> {
        self.actions_with(api, ActionStatus::NotAllowed)
    }

    /// Required actions an unlimited Deny blocks.
    pub fn denied<'a>(&self, api: &'a Api) -> Vec<&'a str> {
        self.actions_with(api, ActionStatus::Denied)
    }

    fn actions_with<'a>(&self, api: &'a Api, status: ActionStatus) -> Vec<&'a str> {
        api.actions.iter().zip(&self.statuses).filter(|(_, s)| **s == status).map(|(a, _)| a.as_str()).collect()
    }
}

/// Evaluates every catalog API in catalog order. Each distinct action is evaluated once, however many
/// APIs need it.
pub fn evaluate(catalog: &Catalog, policy: &Policy, scope: Scope) -> Vec<ApiVerdict> {
    ActionTable::new(catalog).evaluate(catalog, &Evaluator::new(policy), scope).1
}

/// The catalog's distinct actions and, per API, the positions of its actions among them. Built once
/// per catalog, it lets an evaluation match each distinct action once and then give every API its
/// statuses by position, with no hashing per API. A catalog of 100,000 APIs has a few thousand
/// distinct actions.
pub struct ActionTable {
    /// Distinct actions in the order they first appear in the catalog.
    actions: Vec<String>,
    /// The APIs' actions as positions in `actions`, one API after another.
    positions: Vec<u32>,
    /// For API `i`, its positions are `positions[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
}

/// Below this many APIs the table is built on the calling thread, where starting a thread would cost
/// more than it saves.
const PARALLEL_MIN_APIS: usize = 8192;

impl ActionTable {
    /// Builds the table. A large catalog is split into one run of APIs per core, and the runs' tables
    /// are joined by looking up each run's distinct actions once.
    pub fn new(catalog: &Catalog) -> ActionTable {
        let apis = &catalog.apis;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        if apis.len() < PARALLEL_MIN_APIS || threads <= 1 {
            return ActionTable::build(apis);
        }
        let chunk = apis.len().div_ceil(threads);
        let parts: Vec<ActionTable> = std::thread::scope(|scope| {
            let workers: Vec<_> = apis.chunks(chunk).map(|run| scope.spawn(|| ActionTable::build(run))).collect();
            workers.into_iter().map(|w| w.join().expect("a table thread does not panic")).collect()
        });

        let mut parts = parts.into_iter();
        let mut table = parts.next().expect("a catalog with APIs has a first run");
        let mut known: HashMap<String, u32, foldhash::fast::RandomState> = table
            .actions
            .iter()
            .enumerate()
            .map(|(position, action)| (action.clone(), position as u32))
            .collect();
        table.starts.pop();

        for part in parts {
            let global: Vec<u32> = part
                .actions
                .into_iter()
                .map(|action| match known.get(&action) {
                    Some(&position) => position,
                    None => {
                        let position = table.actions.len() as u32;
                        table.actions.push(action.clone());
                        known.insert(action, position);
                        position
                    }
                })
                .collect();
            let offset = table.positions.len() as u32;
            table.starts.extend(part.starts[..part.starts.len() - 1].iter().map(|start| start + offset));
            table.positions.extend(part.positions.iter().map(|&local| global[local as usize]));
        }
        table.starts.push(table.positions.len() as u32);
        table
    }

    fn build(apis: &[Api]) -> ActionTable {
        // foldhash rather than SipHash: the keys are catalog actions, and hashing them is most of the
        // cost of building the table.
        let mut known: HashMap<&str, u32, foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(4096, foldhash::fast::RandomState::default());
        let mut actions = Vec::new();
        let mut positions = Vec::with_capacity(apis.len() * 3);
        let mut starts = Vec::with_capacity(apis.len() + 1);
        for api in apis {
            starts.push(positions.len() as u32);
            for action in &api.actions {
                let position = *known.entry(action.as_str()).or_insert_with(|| {
                    actions.push(action.clone());
                    (actions.len() - 1) as u32
                });
                positions.push(position);
            }
        }
        starts.push(positions.len() as u32);
        ActionTable { actions, positions, starts }
    }

    /// Returns the distinct actions, in the order they first appear in the catalog.
    pub fn actions(&self) -> &[String] {
        &self.actions
    }

    /// Returns how many APIs need each distinct action, in the order of [`ActionTable::actions`].
    pub fn needed_by(&self) -> Vec<usize> {
        let mut counts = vec![0; self.actions.len()];
        for api in 0..self.starts.len() - 1 {
            let mut own: SmallVec<[u32; 16]> = self.api_positions(api).into();
            own.sort_unstable();
            own.dedup();
            for position in own {
                counts[position as usize] += 1;
            }
        }
        counts
    }

    fn api_positions(&self, api: usize) -> &[u32] {
        &self.positions[self.starts[api] as usize..self.starts[api + 1] as usize]
    }

    /// Evaluates `catalog`, the catalog this table was built from: the status of each distinct action
    /// (in the order of [`ActionTable::actions`]) and the verdict of each API, in catalog order.
    pub fn evaluate(&self, catalog: &Catalog, evaluator: &Evaluator, scope: Scope) -> (Vec<ActionStatus>, Vec<ApiVerdict>) {
        self.evaluate_where(evaluator, |api| catalog.apis.get(api).is_some_and(|a| a.supports(scope)))
    }

    /// Evaluates like [`ActionTable::evaluate`] without the catalog. `supported` returns whether grants
    /// in the evaluated scope take effect for the API with that index.
    pub fn evaluate_where(&self, evaluator: &Evaluator, supported: impl Fn(usize) -> bool) -> (Vec<ActionStatus>, Vec<ApiVerdict>) {
        let statuses: Vec<ActionStatus> = self.actions.iter().map(|action| evaluator.status(action)).collect();
        let verdicts = (0..self.api_count())
            .map(|api| {
                let own: Statuses = self.api_positions(api).iter().map(|&p| statuses[p as usize]).collect();
                verdict_with(supported(api), own)
            })
            .collect();
        (statuses, verdicts)
    }

    /// Returns the number of APIs in the table.
    pub fn api_count(&self) -> usize {
        self.starts.len() - 1
    }

    /// Returns the actions API `api` needs, in catalog order.
    pub fn api_actions(&self, api: usize) -> impl Iterator<Item = &str> {
        self.api_positions(api).iter().map(|&p| self.actions[p as usize].as_str())
    }

    /// Writes the table in a fixed little-endian layout: the counts, each action's length and bytes,
    /// then the positions and the starts.
    pub fn write_stored(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for count in [self.actions.len(), self.positions.len(), self.starts.len()] {
            out.write_all(&(count as u64).to_le_bytes())?;
        }
        for action in &self.actions {
            out.write_all(&(action.len() as u32).to_le_bytes())?;
            out.write_all(action.as_bytes())?;
        }
        for value in self.positions.iter().chain(&self.starts) {
            out.write_all(&value.to_le_bytes())?;
        }
        Ok(())
    }

    /// Reads a table that [`ActionTable::write_stored`] wrote, rejecting one whose positions or starts
    /// do not fit, so a damaged cache file cannot make an evaluation panic.
    pub fn read_stored(bytes: &[u8]) -> Result<ActionTable, String> {
        let mut rest = bytes;
        let mut take = |len: usize| -> Result<&[u8], String> {
            if len > rest.len() {
                return Err("the action table is cut short".into());
            }
            let (taken, left) = rest.split_at(len);
            rest = left;
            Ok(taken)
        };
        let mut count = || -> Result<usize, String> {
            let bytes = take(8)?;
            usize::try_from(u64::from_le_bytes(bytes.try_into().expect("8 bytes"))).map_err(|_| "a count is too large".to_owned())
        };
        let (action_count, position_count, start_count) = (count()?, count()?, count()?);
        let mut actions = Vec::with_capacity(action_count.min(bytes.len()));
        for _ in 0..action_count {
            let len = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes")) as usize;
            let text = std::str::from_utf8(take(len)?).map_err(|e| format!("an action is not UTF-8: {e}"))?;
            actions.push(text.to_owned());
        }
        let mut words = |count: usize| -> Result<Vec<u32>, String> {
            let len = count.checked_mul(4).ok_or("too many entries")?;
            Ok(take(len)?.chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes"))).collect())
        };
        let positions = words(position_count)?;
        let starts = words(start_count)?;
        if !rest.is_empty() {
            return Err("bytes follow the action table".into());
        }

        if positions.iter().any(|&p| p as usize >= actions.len()) {
            return Err("a position names no action".into());
        }
        let ordered = starts.windows(2).all(|pair| pair[0] <= pair[1]);
        if starts.first() != Some(&0) || starts.last().map(|&s| s as usize) != Some(positions.len()) || !ordered {
            return Err("the starts do not cover the positions in order".into());
        }
        Ok(ActionTable { actions, positions, starts })
    }
}

/// Builds an API's verdict from the statuses of its actions, in catalog order, and whether grants in
/// the evaluated scope take effect for it.
fn verdict_with(scope_supported: bool, statuses: Statuses) -> ApiVerdict {
    let all_allowed = statuses.iter().all(|s| *s == ActionStatus::Allowed);
    let none_blocked = statuses.iter().all(|s| matches!(s, ActionStatus::Allowed | ActionStatus::Conditional));
    ApiVerdict {
        callable: scope_supported && all_allowed,
        conditional: scope_supported && none_blocked && !all_allowed,
        scope_supported,
        statuses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Statement;
    use ActionStatus::*;

    fn policy(statements: Vec<Statement>) -> Policy {
        Policy { statements }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn conditional(effect: Effect, actions: &[&str]) -> Statement {
        let condition = serde_json::json!({"StringEquals": {"g:ProjectName": ["cn-north-4"]}});
        Statement { effect, actions: strings(actions), condition: condition.as_object().cloned(), resource: None }
    }

    fn callable_keys(catalog: &Catalog, policy: &Policy, scope: Scope) -> Vec<String> {
        evaluate(catalog, policy, scope)
            .iter()
            .zip(&catalog.apis)
            .filter(|(v, _)| v.callable)
            .map(|(_, api)| api.key())
            .collect()
    }

    #[test]
    fn action_table_positions_and_counts() {
        let api = |path: &str, actions: &[&str]| Api {
            name: crate::catalog::Name { zh: String::new(), en: path.into() },
            method: "GET".into(),
            path: path.into(),
            aliases: Vec::new(),
            actions: strings(actions),
            scopes: crate::catalog::Scopes { project: true, enterprise_project: path != "/c" },
        };
        let catalog = Catalog {
            service: "evs".into(),
            apis: vec![
                api("/a", &["evs:a:get", "evs:b:get"]),
                api("/b", &["evs:b:get"]),
                api("/c", &["evs:c:get", "evs:a:get"]),
            ],
        };
        let table = ActionTable::new(&catalog);
        assert_eq!(table.actions(), strings(&["evs:a:get", "evs:b:get", "evs:c:get"]));
        assert_eq!(table.needed_by(), [2, 2, 1]);

        let evaluator = Evaluator::new(&policy(vec![Statement::allow(strings(&["evs:*:get"])), Statement::deny(strings(&["evs:b:*"]))]));
        let (statuses, verdicts) = table.evaluate(&catalog, &evaluator, Scope::Enterprise);
        assert_eq!(statuses, [Allowed, Denied, Allowed]);
        assert_eq!(verdicts.iter().map(|v| v.statuses.to_vec()).collect::<Vec<_>>(), [vec![Allowed, Denied], vec![Denied], vec![Allowed, Allowed]]);
        assert_eq!(verdicts.iter().map(|v| v.callable).collect::<Vec<_>>(), [false, false, false]);
        assert!(!verdicts[2].scope_supported, "/c is marked × for enterprise projects");
        let (_, in_project) = table.evaluate(&catalog, &evaluator, Scope::Project);
        assert_eq!(in_project.iter().map(|v| v.callable).collect::<Vec<_>>(), [false, false, true]);
    }

    #[test]
    fn stored_action_table_round_trip() {
        let catalog = crate::synth::synthesize(300, 2);
        let table = ActionTable::new(&catalog);
        let mut bytes = Vec::new();
        table.write_stored(&mut bytes).unwrap();
        let read = ActionTable::read_stored(&bytes).unwrap();
        assert_eq!((&read.actions, &read.positions, &read.starts), (&table.actions, &table.positions, &table.starts));
        assert_eq!(read.api_actions(7).collect::<Vec<_>>(), catalog.apis[7].actions);

        assert!(ActionTable::read_stored(&bytes[..bytes.len() - 1]).is_err(), "cut short");
        let mut bad_position = bytes.clone();
        let positions_at = bytes.len() - 4 * (table.positions.len() + table.starts.len());
        bad_position[positions_at..positions_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(ActionTable::read_stored(&bad_position).is_err(), "position beyond the actions");
        let mut bad_start = bytes.clone();
        let last = bytes.len() - 4;
        bad_start[last..].copy_from_slice(&0u32.to_le_bytes());
        assert!(ActionTable::read_stored(&bad_start).is_err(), "starts out of order");
    }

    #[test]
    fn parallel_action_table_equals_sequential() {
        let catalog = crate::synth::synthesize(PARALLEL_MIN_APIS * 2 + 17, 5);
        let (parallel, sequential) = (ActionTable::new(&catalog), ActionTable::build(&catalog.apis));
        assert_eq!(parallel.actions, sequential.actions);
        assert_eq!(parallel.starts, sequential.starts);
        assert_eq!(parallel.positions, sequential.positions);
        assert_eq!(parallel.starts.len(), catalog.apis.len() + 1);
    }

    #[test]
    fn no_match_is_not_allowed() {
        let evaluator = Evaluator::new(&policy(vec![]));
        assert_eq!(evaluator.status("evs:snapshots:get"), NotAllowed);
    }

    #[test]
    fn deny_wins_over_allow() {
        let p = policy(vec![Statement::allow(strings(&["evs:*:*"])), Statement::deny(strings(&["evs:snapshots:delete"]))]);
        let evaluator = Evaluator::new(&p);
        assert_eq!(evaluator.status("evs:snapshots:delete"), Denied);
        assert_eq!(evaluator.status("evs:snapshots:get"), Allowed);
        // Statement order does not matter.
        let reversed = policy(p.statements.iter().rev().cloned().collect());
        assert_eq!(Evaluator::new(&reversed).status("evs:snapshots:delete"), Denied);
    }

    #[test]
    fn deny_only_grants_nothing() {
        let evaluator = Evaluator::new(&policy(vec![Statement::deny(strings(&["evs:snapshots:delete"]))]));
        assert_eq!(evaluator.status("evs:snapshots:get"), NotAllowed);
        assert_eq!(evaluator.status("evs:snapshots:delete"), Denied);
    }

    #[test]
    fn conditional_statements() {
        let evaluator = Evaluator::new(&policy(vec![conditional(Effect::Allow, &["evs:snapshots:*"])]));
        assert_eq!(evaluator.status("evs:snapshots:get"), Conditional);
        assert_eq!(evaluator.status("evs:volumes:get"), NotAllowed);

        let limited_deny = policy(vec![Statement::allow(strings(&["evs:*:*"])), conditional(Effect::Deny, &["evs:snapshots:delete"])]);
        let evaluator = Evaluator::new(&limited_deny);
        assert_eq!(evaluator.status("evs:snapshots:delete"), Conditional);
        assert_eq!(evaluator.status("evs:snapshots:get"), Allowed);

        let hard_deny = policy(vec![conditional(Effect::Allow, &["evs:*:*"]), Statement::deny(strings(&["evs:*:delete"]))]);
        assert_eq!(Evaluator::new(&hard_deny).status("evs:snapshots:delete"), Denied);
    }

    #[test]
    fn resource_limits_like_condition() {
        let statement = Statement {
            effect: Effect::Allow,
            actions: strings(&["evs:*:*"]),
            condition: None,
            resource: Some(strings(&["evs:*:*:snapshot:abc"])),
        };
        assert_eq!(Evaluator::new(&policy(vec![statement])).status("evs:snapshots:get"), Conditional);
    }

    #[test]
    fn matches_explain_status() {
        let p = policy(vec![Statement::allow(strings(&["evs:*:get*", "evs:snapshots:get"])), Statement::deny(strings(&["evs:snap*:*"]))]);
        let found = Evaluator::new(&p).matches("evs:snapshots:get");
        let patterns: Vec<(&str, usize)> = found.iter().map(|m| (m.pattern.as_str(), m.statement)).collect();
        assert_eq!(patterns, [("evs:*:get*", 0), ("evs:snapshots:get", 0), ("evs:snap*:*", 1)]);
    }

    // Expected sets below are worked out by hand from the EVS snapshot permission table.
    #[test]
    fn rollback_only_grant() {
        let catalog = Catalog::builtin();
        let p = policy(vec![Statement::allow(strings(&["evs:snapshots:rollback"]))]);
        // Only the cloudsnapshots rollback needs nothing but rollback; the os-vendor one also needs
        // evs:snapshots:get and evs:volumes:get.
        assert_eq!(callable_keys(&catalog, &p, Scope::Project), ["POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback"]);
        assert_eq!(callable_keys(&catalog, &p, Scope::Enterprise), ["POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback"]);
    }

    #[test]
    fn read_only_wildcards() {
        let catalog = Catalog::builtin();
        let p = policy(vec![Statement::allow(strings(&["evs:*:get*", "evs:*:list*"]))]);
        let project = callable_keys(&catalog, &p, Scope::Project);
        assert_eq!(
            project,
            [
                "GET /v2/{project_id}/snapshots",
                "GET /v2/{project_id}/snapshots/detail",
                "GET /v2/{project_id}/cloudsnapshots/detail",
                "GET /v2/{project_id}/snapshots/{snapshot_id}",
                "GET /v2/{project_id}/cloudsnapshots/{snapshot_id}",
                "GET /v2/{project_id}/snapshots/{snapshot_id}/metadata",
                "GET /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}",
            ]
        );
        let enterprise = callable_keys(&catalog, &p, Scope::Enterprise);
        assert_eq!(enterprise, ["GET /v2/{project_id}/cloudsnapshots/detail", "GET /v2/{project_id}/cloudsnapshots/{snapshot_id}"]);
    }

    #[test]
    fn service_wildcard_allows_all() {
        let catalog = Catalog::builtin();
        let p = policy(vec![Statement::allow(strings(&["evs:*:*"]))]);
        assert_eq!(callable_keys(&catalog, &p, Scope::Project).len(), 19);
        assert_eq!(callable_keys(&catalog, &p, Scope::Enterprise).len(), 6);
    }

    #[test]
    fn verdict_lists_missing_and_denied() {
        let catalog = Catalog::builtin();
        let index = catalog.find("DELETE", "/v2/{project_id}/snapshots/{snapshot_id}").unwrap();
        let api = &catalog.apis[index];
        let p = policy(vec![Statement::allow(strings(&["evs:snapshots:*"])), Statement::deny(strings(&["evs:snapshots:delete"]))]);
        let verdict = &evaluate(&catalog, &p, Scope::Project)[index];
        assert!(!verdict.callable);
        assert!(!verdict.conditional);
        assert_eq!(verdict.missing(api), ["evs:volumes:get"]);
        assert_eq!(verdict.denied(api), ["evs:snapshots:delete"]);
    }

    #[test]
    fn scope_unsupported_not_callable() {
        let catalog = Catalog::builtin();
        let index = catalog.find("POST", "/v2/{project_id}/snapshots").unwrap();
        let p = policy(vec![Statement::allow(strings(&["evs:snapshots:create", "evs:volumes:get"]))]);
        let project = &evaluate(&catalog, &p, Scope::Project)[index];
        assert!(project.callable);
        let enterprise = &evaluate(&catalog, &p, Scope::Enterprise)[index];
        assert!(!enterprise.callable);
        assert!(!enterprise.scope_supported);
        assert!(enterprise.missing(&catalog.apis[index]).is_empty());
    }

    #[test]
    fn conditional_api_not_callable() {
        let catalog = Catalog::builtin();
        let index = catalog.find("GET", "/v2/{project_id}/snapshots").unwrap();
        let p = policy(vec![conditional(Effect::Allow, &["evs:snapshots:list"])]);
        let verdict = &evaluate(&catalog, &p, Scope::Project)[index];
        assert!(!verdict.callable);
        assert!(verdict.conditional);
        assert!(verdict.missing(&catalog.apis[index]).is_empty());
    }

    #[test]
    fn service_buckets_match_full_scan() {
        let p = policy(vec![
            Statement::allow(strings(&["evs:*:get*", "EVS:snapshots:list", "ecs:*:*", "*:volumes:get", "e*s:snapshots:create"])),
            conditional(Effect::Deny, &["evs:snapshots:delete", "*:*:rollback"]),
            Statement::deny(strings(&["evs:snapshots:update"])),
        ]);
        let evaluator = Evaluator::new(&p);
        let actions = [
            "evs:snapshots:get", "evs:snapshots:list", "evs:snapshots:create", "evs:snapshots:delete",
            "evs:snapshots:rollback", "evs:snapshots:update", "evs:volumes:get", "ecs:servers:get", "vpc:volumes:get",
            "Evs:Snapshots:Get", "obs:bucket:list",
        ];
        for action in actions {
            // The status from the matches of every rule, in policy order, must equal the bucketed one.
            let found = evaluator.matches(action);
            let expected = if found.iter().any(|m| m.effect == Effect::Deny && !m.limited) {
                Denied
            } else if found.iter().any(|m| m.effect == Effect::Allow && !m.limited)
                && !found.iter().any(|m| m.effect == Effect::Deny)
            {
                Allowed
            } else if found.iter().any(|m| m.effect == Effect::Allow) {
                Conditional
            } else {
                NotAllowed
            };
            assert_eq!(evaluator.status(action), expected, "{action}");
        }
        assert_eq!(evaluator.status("vpc:volumes:get"), Allowed);
        assert_eq!(evaluator.status("evs:snapshots:rollback"), NotAllowed);
        assert_eq!(evaluator.status("Evs:Snapshots:Get"), Allowed);
    }

    #[test]
    fn mixed_case_policy_evaluates() {
        let catalog = Catalog::builtin();
        let p = policy(vec![Statement::allow(strings(&["EVS:Snapshots:List"]))]);
        assert_eq!(callable_keys(&catalog, &p, Scope::Project).len(), 3);
    }
}
