use crate::json::{self, MAX_DEPTH, Node, Value};

use super::assert_pos_within;

/// Parses arbitrary text with the strict JSON reader. Every position must be inside the text, and
/// the reader must agree with serde_json on what is JSON and what it means.
pub fn json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = json::parse(text);
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let reference = serde_json::from_str::<serde_json::Value>(body);

    match (&parsed, &reference) {
        (Ok(node), Ok(value)) => {
            check_positions(text, node);
            assert_eq!(&node.to_serde(), value, "the two readers disagree on the value of {text:?}");
        }
        (Ok(node), Err(error)) => {
            // The reader keeps numbers as written, so `1e999` is valid JSON that serde_json rejects.
            check_positions(text, node);
            assert!(error.to_string().starts_with("number out of range"), "{text:?} accepted, serde_json: {error}");
        }
        (Err(error), Ok(_)) => {
            // serde_json nests up to 128 levels, this reader up to MAX_DEPTH.
            assert_pos_within(text, error.pos, &error.message);
            assert!(error.message.contains("nested more than"), "{text:?} rejected: {error}");
            assert!(depth(body) > MAX_DEPTH);
        }
        (Err(error), Err(_)) => assert_pos_within(text, error.pos, &error.message),
    }
}

fn check_positions(text: &str, node: &Node) {
    assert_pos_within(text, node.pos, "value");
    match &node.value {
        Value::Array(items) => items.iter().for_each(|item| check_positions(text, item)),
        Value::Object(members) => {
            for member in members {
                assert_pos_within(text, member.key_pos, "key");
                check_positions(text, &member.value);
            }
        }
        _ => {}
    }
}

/// Returns the deepest nesting of brackets outside strings in text that serde_json accepted.
fn depth(text: &str) -> usize {
    let (mut current, mut max, mut in_string, mut escaped) = (0usize, 0, false, false);
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                current += 1;
                max = max.max(current);
            }
            ']' | '}' => current -= 1,
            _ => {}
        }
    }
    max
}
