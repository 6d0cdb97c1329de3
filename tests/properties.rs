//! Property tests of the engine: policy evaluation, normalization, drafts, the strict JSON reader and
//! terminal escaping, on policies and texts generated at random against the built-in EVS snapshot
//! catalog.
//!
//! Case counts are kept low enough for the whole file to run in about 6 s in a debug build.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use permscope::catalog::{Catalog, Scope};
use permscope::draft::Draft;
use permscope::eval::{self, ActionTable, Evaluator};
use permscope::json::{self, Node, Pos, Value};
use permscope::policy::{Effect, Policy, Statement};
use permscope::text::escape_controls;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

const SCOPES: [Scope; 2] = [Scope::Project, Scope::Enterprise];

// ---- Generators ----

/// Action patterns as people write them: exact catalog actions, wildcards in every segment, mixed
/// case, and names the catalog does not have.
fn action_pattern() -> impl Strategy<Value = String> {
    let service = select(vec!["evs", "EVS", "*", "e*", "ecs"]);
    let resource = select(vec!["snapshots", "Snapshots", "volumes", "*", "snap*", "*s", "backups"]);
    let operation = select(vec!["get", "GET", "list", "create", "delete", "rollback", "update", "*", "get*", "*e", "l*t"]);
    (service, resource, operation).prop_map(|(s, r, o)| format!("{s}:{r}:{o}"))
}

fn effect() -> impl Strategy<Value = Effect> {
    prop_oneof![Just(Effect::Allow), Just(Effect::Deny)]
}

/// Generates a statement, limited by a Condition or a Resource in about one case of four.
fn statement() -> impl Strategy<Value = Statement> {
    let limit = prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)];
    (effect(), prop::collection::vec(action_pattern(), 1..5), limit).prop_map(|(effect, actions, limit)| {
        let mut statement = Statement { effect, actions, condition: None, resource: None };
        match limit {
            1 => {
                let condition = serde_json::json!({"StringEquals": {"g:ProjectName": ["cn-north-4"]}});
                statement.condition = condition.as_object().cloned();
            }
            2 => statement.resource = Some(vec!["evs:*:*:snapshot:*".to_owned()]),
            _ => {}
        }
        statement
    })
}

fn policy() -> impl Strategy<Value = Policy> {
    prop::collection::vec(statement(), 0..6).prop_map(|statements| Policy { statements })
}

/// One step a user takes in the explorer: toggle an action, or toggle an API by catalog index.
#[derive(Debug, Clone)]
enum Step {
    Action(String),
    Api(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        select(CATALOG.actions()).prop_map(Step::Action),
        (0..CATALOG.apis.len()).prop_map(Step::Api),
    ]
}

fn apply(draft: &mut Draft, steps: &[Step]) {
    for step in steps {
        match step {
            Step::Action(action) => {
                draft.toggle(&CATALOG, action);
            }
            Step::Api(index) => {
                draft.toggle_api(&CATALOG, *index);
            }
        }
    }
}

/// Text that is mostly JSON: generated documents, cut or with a character inserted, next to
/// arbitrary strings.
fn json_like_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("-0.5e+3".to_owned()),
        Just("1e999".to_owned()),
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        Just(r#""\ud83d\ude00\u0000\n""#.to_owned()),
    ];
    let document = leaf.prop_recursive(6, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec((select(vec!["a", "Effect", "名", "a"]), inner), 0..4).prop_map(|members| {
                let members: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":\n {v}")).collect();
                format!("{{{}}}", members.join(", "))
            }),
        ]
    });
    let edited = (document.clone(), any::<prop::sample::Index>(), any::<char>(), 0..3u8).prop_map(|(text, at, c, edit)| {
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let at = boundaries[at.index(boundaries.len())];
        match edit {
            0 => text[..at].to_owned(),
            1 => format!("{}{c}{}", &text[..at], &text[at..]),
            _ => format!("\u{feff}{text}"),
        }
    });
    prop_oneof![2 => document, 2 => edited, 1 => any::<String>()]
}

/// Strings rich in the characters a terminal would act on.
fn terminal_text() -> impl Strategy<Value = String> {
    let character = prop_oneof![
        any::<char>(),
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        (0x7fu32..0xa0).prop_map(|c| char::from_u32(c).unwrap()),
        select(vec!['\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{feff}', '\u{200d}', '快']),
    ];
    prop::collection::vec(character, 0..64).prop_map(|chars| chars.into_iter().collect())
}

// ---- Helpers ----

/// Ranks an API's verdict: 2 callable, 1 conditional, 0 neither.
fn ranks(policy: &Policy, scope: Scope) -> Vec<u8> {
    eval::evaluate(&CATALOG, policy, scope).iter().map(|v| u8::from(v.callable) * 2 + u8::from(v.conditional)).collect()
}

fn callable(policy: &Policy, scope: Scope) -> BTreeSet<usize> {
    eval::evaluate(&CATALOG, policy, scope).iter().enumerate().filter(|(_, v)| v.callable).map(|(i, _)| i).collect()
}

fn with_statement(policy: &Policy, statement: Statement) -> Policy {
    let mut statements = policy.statements.clone();
    statements.push(statement);
    Policy { statements }
}

/// Fails unless `pos` is a character of `text`, or the place just after a line's last character.
fn check_pos(text: &str, pos: Pos) -> Result<(), TestCaseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    prop_assert!(pos.line >= 1 && pos.column >= 1, "position {pos:?} is not 1-based");
    let line = text.split('\n').nth(pos.line - 1);
    prop_assert!(line.is_some(), "line {} is past the end of {text:?}", pos.line);
    let columns = line.unwrap().chars().count() + 1;
    prop_assert!(pos.column <= columns, "column {} is past the end of line {} of {text:?}", pos.column, pos.line);
    Ok(())
}

/// Control characters, and the format characters that reorder or hide text: bidirectional
/// embeddings, overrides and isolates, and the byte order mark.
fn is_terminal_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

fn check_node_positions(text: &str, node: &Node) -> Result<(), TestCaseError> {
    check_pos(text, node.pos)?;
    match &node.value {
        Value::Array(items) => {
            for item in items {
                check_node_positions(text, item)?;
            }
        }
        Value::Object(members) => {
            for member in members {
                check_pos(text, member.key_pos)?;
                check_node_positions(text, &member.value)?;
            }
        }
        _ => {}
    }
    Ok(())
}

// ---- Properties ----

#[test]
fn evs_wildcard_allows_catalog_actions() {
    let policy = Policy::allowing(["evs:*:*"]);
    let evaluator = Evaluator::new(&policy);
    for action in CATALOG.actions() {
        assert_eq!(evaluator.status(&action), eval::ActionStatus::Allowed, "{action}");
    }
    // The permission table marks all 19 APIs for IAM projects and the 6 cloudsnapshots APIs for
    // enterprise projects.
    assert_eq!(callable(&policy, Scope::Project).len(), 19);
    assert_eq!(callable(&policy, Scope::Enterprise).len(), 6);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn deny_never_makes_api_more_callable(policy in policy(), deny in statement()) {
        let deny = Statement { effect: Effect::Deny, ..deny };
        let denied = with_statement(&policy, deny);
        for scope in SCOPES {
            let before = ranks(&policy, scope);
            let after = ranks(&denied, scope);
            for (i, (b, a)) in before.iter().zip(&after).enumerate() {
                prop_assert!(a <= b, "{scope}: {} went from rank {b} to {a}", CATALOG.apis[i].key());
            }
        }
    }

    #[test]
    fn allow_never_makes_api_less_callable(policy in policy(), allow in statement()) {
        let allow = Statement { effect: Effect::Allow, ..allow };
        let allowed = with_statement(&policy, allow);
        for scope in SCOPES {
            let before = ranks(&policy, scope);
            let after = ranks(&allowed, scope);
            for (i, (b, a)) in before.iter().zip(&after).enumerate() {
                prop_assert!(a >= b, "{scope}: {} went from rank {b} to {a}", CATALOG.apis[i].key());
            }
        }
    }

    #[test]
    fn evs_wildcard_allows_evs_actions(
        resource in "[a-zA-Z0-9_.-]{1,16}",
        operation in "[a-zA-Z0-9_.-]{1,16}",
        service in "[a-z0-9-]{1,8}",
    ) {
        let evaluator = Evaluator::new(&Policy::allowing(["evs:*:*"]));
        let evs_action = format!("evs:{resource}:{operation}");
        prop_assert_eq!(evaluator.status(&evs_action), eval::ActionStatus::Allowed, "{}", evs_action);
        let other_action = format!("{service}:{resource}:{operation}");
        let expected = if service == "evs" { eval::ActionStatus::Allowed } else { eval::ActionStatus::NotAllowed };
        prop_assert_eq!(evaluator.status(&other_action), expected, "{}", other_action);
    }

    #[test]
    fn draft_export_evaluates_like_draft(steps in prop::collection::vec(step(), 0..24), kept in policy()) {
        let mut draft = Draft::from_policy(&kept);
        apply(&mut draft, &steps);
        let json = draft.to_policy(&CATALOG).to_pretty_json();
        let exported = Policy::parse("draft.json", &json).map_err(|e| TestCaseError::fail(format!("{e}\n{json}")))?.policy;

        // The explorer evaluates its draft through an action table.
        let own = draft.evaluator(&CATALOG);
        let table = ActionTable::new(&CATALOG);
        for scope in SCOPES {
            let (_, verdicts) = table.evaluate(&CATALOG, &own, scope);
            let draft_callable: BTreeSet<usize> =
                verdicts.iter().enumerate().filter(|(_, v)| v.callable).map(|(i, _)| i).collect();
            prop_assert_eq!(&callable(&exported, scope), &draft_callable, "{}:\n{}", scope, json);
        }
    }

    #[test]
    fn draft_grants_decide_callable(steps in prop::collection::vec(step(), 0..24)) {
        // With no kept statements, an API is callable exactly when the draft grants all its actions
        // and the scope supports it.
        let mut draft = Draft::default();
        apply(&mut draft, &steps);
        let granted = draft.granted_actions(&CATALOG);
        let exported = Policy::parse("draft.json", &draft.to_policy(&CATALOG).to_pretty_json()).unwrap().policy;
        for scope in SCOPES {
            let expected: BTreeSet<usize> = CATALOG
                .apis
                .iter()
                .enumerate()
                .filter(|(_, api)| api.supports(scope) && api.actions.iter().all(|a| granted.contains(a)))
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(callable(&exported, scope), expected, "{}", scope);
        }
    }

    #[test]
    fn export_ignores_grant_order(
        (grants, shuffled_grants) in subsequence(CATALOG.actions(), 0..=7).prop_flat_map(|g| (Just(g.clone()), Just(g).prop_shuffle())),
        (picks, shuffled_picks) in subsequence((0..CATALOG.apis.len()).collect::<Vec<usize>>(), 0..=CATALOG.apis.len()).prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle())),
        picks_first in any::<bool>(),
    ) {
        // Each step only adds: an action already granted is not toggled again, because toggling it
        // would revoke it.
        let build = |grants: &[String], picks: &[usize], picks_first: bool| {
            let mut draft = Draft::default();
            let grant_all = |draft: &mut Draft| {
                for action in grants {
                    if !draft.is_granted(&CATALOG, action) {
                        draft.toggle(&CATALOG, action);
                    }
                }
            };
            if !picks_first {
                grant_all(&mut draft);
            }
            for &index in picks {
                draft.toggle_api(&CATALOG, index);
            }
            if picks_first {
                grant_all(&mut draft);
            }
            draft.to_policy(&CATALOG).to_pretty_json()
        };
        let original = build(&grants, &picks, false);
        let reordered = build(&shuffled_grants, &shuffled_picks, picks_first);
        prop_assert_eq!(original, reordered);

        let mut reversed = grants.clone();
        reversed.reverse();
        prop_assert_eq!(Policy::allowing(grants).to_pretty_json(), Policy::allowing(reversed).to_pretty_json());
    }

    #[test]
    fn normalized_is_idempotent(policy in policy()) {
        let once = policy.normalized();
        let twice = once.normalized();
        prop_assert_eq!(&twice, &once);
        prop_assert_eq!(twice.to_pretty_json(), once.to_pretty_json());
        for scope in SCOPES {
            prop_assert_eq!(ranks(&once, scope), ranks(&policy, scope), "{}", scope);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn json_parse_positions_within_text(text in json_like_text()) {
        match json::parse(&text) {
            Ok(node) => check_node_positions(&text, &node)?,
            Err(error) => check_pos(&text, error.pos)?,
        }
    }

    #[test]
    fn escape_controls_leaves_no_controls(text in terminal_text()) {
        let escaped = escape_controls(&text);
        let unsafe_char = escaped.chars().find(|&c| is_terminal_unsafe(c));
        prop_assert!(unsafe_char.is_none(), "{:?} left in {:?}", unsafe_char, escaped);
        if !text.chars().any(is_terminal_unsafe) {
            prop_assert_eq!(escaped.as_ref(), text.as_str());
        }
    }
}
