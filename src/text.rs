//! Text for terminals: control characters made visible, and padding by display width so Chinese
//! names line up with Latin ones.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Replaces control characters with visible escapes (`\x1b`, `\n`, `\u{85}`), so text from a catalog or
/// policy file cannot move the cursor, clear the screen or write to the clipboard of a terminal.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !may_hold_unsafe(text) || !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Rewrites the control and format characters that serde_json leaves as they are (DEL, the C1 controls
/// such as U+009B, bidirectional overrides) as `\uXXXX` escapes, so JSON printed to a terminal is as
/// inert as the table output. `json` must be serde_json output. serde_json escapes U+0000 to U+001F
/// inside strings, so a raw line feed is layout and stays.
pub fn escape_controls_in_json(json: &str) -> Cow<'_, str> {
    if !may_hold_unsafe_in_json(json) || !json.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if c != '\n' && is_unsafe(c) {
            // Every character is_unsafe accepts is below U+10000, so four hex digits are enough.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it and then as
/// [`escape_controls_in_json`] does, without building a `String` for it.
pub fn push_json_string(out: &mut Vec<u8>, text: &str) {
    let start = out.len();
    serde_json::to_writer(&mut *out, text).expect("writing to memory does not fail");
    if may_hold_unsafe_in_json(text) {
        let written = std::str::from_utf8(&out[start..]).expect("serde_json writes UTF-8");
        if let Cow::Owned(escaped) = escape_controls_in_json(written) {
            out.truncate(start);
            out.extend_from_slice(escaped.as_bytes());
        }
    }
}

/// Returns false when `text`, as serde_json writes it, contains no character [`is_unsafe`] accepts:
/// [`may_hold_unsafe`] without the bytes below 0x20, which serde_json escapes in strings and which are
/// layout outside them.
fn may_hold_unsafe_in_json(text: &str) -> bool {
    any_byte(text, |b| matches!(b, 0x7f | 0xc2 | 0xe2 | 0xef))
}

/// Returns false when `text` contains no character [`is_unsafe`] accepts, judged from its UTF-8 bytes,
/// which is far cheaper than decoding characters (a `check` report tests 200,000 paths and names).
/// Each such character starts with a byte below 0x20, 0x7f, or a lead byte 0xc2 (C1 controls), 0xe2
/// (the separators and bidirectional controls) or 0xef (U+FEFF). Chinese text uses other lead bytes.
fn may_hold_unsafe(text: &str) -> bool {
    any_byte(text, |b| b < 0x20 || matches!(b, 0x7f | 0xc2 | 0xe2 | 0xef))
}

/// True when `test` holds for a byte of `text`. Bytes are tested 32 at a time without stopping at the
/// first match, so the compiler can test them in vector registers.
#[inline]
fn any_byte(text: &str, test: impl Fn(u8) -> bool) -> bool {
    text.as_bytes().chunks(32).any(|chunk| chunk.iter().fold(false, |found, &b| found | test(b)))
}

/// True when `text` is printable ASCII only, which takes one column a byte.
#[inline]
fn is_printable_ascii(text: &str) -> bool {
    !any_byte(text, |b| !(0x20..0x7f).contains(&b))
}

/// Control characters, the line and paragraph separators, and the format characters that reorder or
/// hide text (bidirectional overrides). Zero-width joiners are kept because emoji use them.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Display width in terminal columns: 2 for each wide (CJK, full-width) character.
pub fn width(text: &str) -> usize {
    // Testing bytes is far cheaper than the Unicode tables.
    if is_printable_ascii(text) {
        return text.len();
    }
    text.width()
}

/// Splits `text` into lines of at most `columns` display columns and keeps at most `max_lines`. A line
/// breaks after its last space when that leaves it at least half full, else between characters.
/// When text is left over, the last line ends in `…`.
pub fn wrap_columns(text: &str, columns: usize, max_lines: usize) -> Vec<String> {
    let columns = columns.max(2);
    let mut lines = vec![String::new()];
    for c in text.chars() {
        let line = lines.last_mut().expect("there is a line");
        if line.width() + c.width().unwrap_or(0) <= columns {
            line.push(c);
            continue;
        }
        let full = lines.len() == max_lines.max(1);
        let line = lines.last_mut().expect("there is a line");
        if full {
            while line.width() + 1 > columns {
                line.pop();
            }
            line.push('…');
            return lines;
        }
        // Move the word being cut to the next line when the line stays at least half full.
        let carried = match line.rfind(' ') {
            Some(space) if line[..space].width() * 2 >= columns => {
                let rest = line[space + 1..].to_owned();
                line.truncate(space);
                rest
            }
            _ => String::new(),
        };
        lines.push(carried);
        lines.last_mut().expect("a line was just added").push(c);
    }
    lines
}

/// Pads `text` with spaces to `columns`, and leaves it whole when it is wider. The command-line tables
/// pad their columns this way: a path cut short names no API, and `grep` no longer finds it.
pub fn pad(text: &str, columns: usize) -> String {
    format!("{text}{}", " ".repeat(columns.saturating_sub(width(text))))
}

/// Pads `text` with spaces to `columns`, or cuts it with `…` when wider, never splitting a wide character.
pub fn fit(text: &str, columns: usize) -> String {
    let text_width = text.width();
    if text_width <= columns {
        return format!("{text}{}", " ".repeat(columns - text_width));
    }
    if columns == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > columns - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(columns - used));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_columns_cases() {
        assert_eq!(wrap_columns("abcdef", 4, 3), ["abcd", "ef"]);
        assert_eq!(wrap_columns("abcdef", 6, 3), ["abcdef"]);
        assert_eq!(wrap_columns("", 6, 3), [""]);
        // Wide characters take two columns and never straddle a line end.
        assert_eq!(wrap_columns("快照快照快", 5, 3), ["快照", "快照", "快"]);
        // Text beyond the last line is cut with an ellipsis in the last column.
        assert_eq!(wrap_columns("abcdefghijkl", 4, 2), ["abcd", "efg…"]);
        assert_eq!(wrap_columns("快照快照快照", 4, 2), ["快照", "快…"]);
        // Words move whole to the next line when the line stays at least half full.
        assert_eq!(wrap_columns("Picked POST /v2/snapshots now", 16, 3), ["Picked POST", "/v2/snapshots", "now"]);
        assert_eq!(wrap_columns("a verylongword", 8, 3), ["a verylo", "ngword"]);
    }

    #[test]
    fn byte_test_finds_every_unsafe_character() {
        for c in (0..=0x10ffff).filter_map(char::from_u32).filter(|c| is_unsafe(*c)) {
            let text = c.encode_utf8(&mut [0; 4]).to_owned();
            assert!(may_hold_unsafe(&text), "U+{:04X}", c as u32);
            if c >= ' ' {
                assert!(may_hold_unsafe_in_json(&text), "U+{:04X}", c as u32);
            }
        }
        assert!(!may_hold_unsafe("创建快照 /v2/{project_id}/snapshots"));
    }

    #[test]
    fn json_strings_escape_as_whole_documents() {
        let texts = ["plain", "", "快照 \"quoted\" \\ back", "tab\there\nline\u{7}", "\u{7f}\u{9b}\u{202e}\u{feff}x", "emoji 👍🏽"];
        for text in texts {
            let mut out = Vec::new();
            push_json_string(&mut out, text);
            let whole = serde_json::to_string(text).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), escape_controls_in_json(&whole), "{text:?}");
        }
        for c in (0..0x3000).filter_map(char::from_u32) {
            let mut out = Vec::new();
            push_json_string(&mut out, c.encode_utf8(&mut [0; 4]));
            let whole = serde_json::to_string(&c.to_string()).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), escape_controls_in_json(&whole), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn width_of_printable_ascii_is_its_length() {
        let printable: String = (0x20u8..0x7f).map(char::from).collect();
        assert_eq!(width(&printable), UnicodeWidthStr::width(printable.as_str()));
        assert_eq!(width("快照 snapshot"), 13);
        assert_eq!(width("a\u{301}"), UnicodeWidthStr::width("a\u{301}"));
    }

    #[test]
    fn escapes_terminal_sequences() {
        assert_eq!(escape_controls("a\u{1b}[2Jb"), "a\\x1b[2Jb");
        assert_eq!(escape_controls("\u{1b}]52;c;aGk=\u{7}"), "\\x1b]52;c;aGk=\\x07");
        assert_eq!(escape_controls("x\u{9b}y\u{202e}z"), "x\\x9by\\u{202e}z");
        assert_eq!(escape_controls("line\u{2028}break\u{2029}"), "line\\u{2028}break\\u{2029}");
        assert!(matches!(escape_controls("快照 snapshot"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_escapes_what_serde_json_leaves() {
        let value = serde_json::json!({"name": "a\u{1b}b\u{7f}c\u{9b}d\u{202e}e\u{feff}f\ng"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let escaped = escape_controls_in_json(&text);
        assert_eq!(escaped, "{\n  \"name\": \"a\\u001bb\\u007fc\\u009bd\\u202ee\\ufefff\\ng\"\n}");
        let decoded: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(decoded, value);
        assert!(matches!(escape_controls_in_json("{\n  \"快照\": 1\n}"), Cow::Borrowed(_)));
    }

    #[test]
    fn fit_pads_by_display_width() {
        assert_eq!(fit("快照", 6), "快照  ");
        assert_eq!(width(&fit("快照", 6)), 6);
        assert_eq!(fit("（快照）", 5), "（快…");
        assert_eq!(fit("（快照）", 6), "（快… ");
        assert_eq!(width(&fit("（快照）", 6)), 6);
        assert_eq!(fit("abc", 0), "");
    }
}
