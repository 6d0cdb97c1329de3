//! Bodies of the libFuzzer targets in `fuzz/`. Each takes one input as bytes and panics when the code
//! under test breaks a contract. They live in the library so that `cargo test` replays saved inputs
//! (`tests/fuzz_regressions.rs`) through the same checks as the fuzzer, without libFuzzer.

mod catalog;
mod json;
mod lookup;
mod policy;
mod search;

pub use catalog::catalog;
pub use json::json;
pub use lookup::lookup;
pub use policy::policy;
pub use search::search;

use crate::json::Pos;

/// A fuzz target: its name, which is also its binary in `fuzz/Cargo.toml` and its folder under
/// `fuzz/corpus/` and `fuzz/regressions/`, and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every fuzz target.
pub const TARGETS: [Target; 5] =
    [("policy", policy), ("catalog", catalog), ("search", search), ("json", json), ("lookup", lookup)];

/// Panics unless `pos` is a place in `text`: a character, or the place just after the last character
/// of a line. Lines and columns start at 1 and columns count characters. A leading byte order mark
/// is not counted, because the readers skip it before they count.
fn assert_pos_within(text: &str, pos: Pos, label: &str) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    assert!(pos.line >= 1, "{label}: line {} in {pos:?} is not 1-based", pos.line);
    assert!(pos.column >= 1, "{label}: column {} in {pos:?} is not 1-based", pos.column);
    let Some(line) = text.split('\n').nth(pos.line - 1) else {
        panic!("{label}: line {} is past the end of a text of {} lines", pos.line, text.split('\n').count());
    };
    let columns = line.chars().count() + 1;
    assert!(pos.column <= columns, "{label}: column {} is past the end of line {} ({columns} columns)", pos.column, pos.line);
}

/// Panics when `text` contains a control character or one of the format characters that reorder or
/// hide text on a terminal (bidirectional embeddings, overrides and isolates, the byte order mark).
fn assert_terminal_safe(text: &str, label: &str) {
    let unsafe_char = text
        .chars()
        .find(|&c| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'));
    if let Some(c) = unsafe_char {
        panic!("{label}: character U+{:04X} left unescaped in {text:?}", c as u32);
    }
}
