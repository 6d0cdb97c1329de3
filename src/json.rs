//! A strict JSON reader (RFC 8259) that keeps what serde_json drops: the line and column of every value
//! and every member of an object, duplicates included.
//!
//! Policy files are reviewed by people, so errors and lint findings must point at a place in the file,
//! and a statement such as `{"Effect": "Deny", "Effect": "Allow"}` must be caught rather than read as
//! its last key. Nesting is capped at [`MAX_DEPTH`] so hostile input ends in an error, not a stack
//! overflow.

use std::fmt;

/// Maximum nesting of arrays and objects; a Huawei policy needs 5 levels, conditions a few more.
pub const MAX_DEPTH: usize = 64;

/// A place in the text: 1-based line and 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written, so `1e999` stays readable instead of overflowing.
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// One `"key": value` pair of an object, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

impl std::error::Error for ParseError {}

impl Value {
    /// Names the JSON type for messages such as "expected a string, found a number".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

impl Node {
    /// Converts to a serde_json value; a duplicate key keeps its last value, as serde_json would.
    /// A number outside f64 (such as `1e999`) becomes its text as a string.
    pub fn to_serde(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(text) => match serde_json::from_str::<serde_json::Number>(text) {
                Ok(number) => serde_json::Value::Number(number),
                Err(_) => serde_json::Value::String(text.clone()),
            },
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Node::to_serde).collect()),
            Value::Object(members) => {
                let mut map = serde_json::Map::new();
                for member in members {
                    map.insert(member.key.clone(), member.value.to_serde());
                }
                serde_json::Value::Object(map)
            }
        }
    }
}

/// Parses one JSON document. A leading UTF-8 byte order mark is skipped, because Windows editors write
/// one and it carries no meaning.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser { chars: text.chars().peekable(), pos: Pos { line: 1, column: 1 }, depth: 0 };
    parser.skip_whitespace();
    if parser.peek().is_none() {
        return Err(parser.error("the file is empty; expected a JSON value"));
    }
    let node = parser.parse_value()?;
    parser.skip_whitespace();
    if let Some(c) = parser.peek() {
        return Err(parser.error(format!(
            "unexpected {} after the end of the JSON value",
            describe_char(c)
        )));
    }
    Ok(node)
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    pos: Pos,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError { pos: self.pos, message: message.into() }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, expected: char, context: &str) -> Result<(), ParseError> {
        match self.peek() {
            Some(c) if c == expected => {
                self.bump();
                Ok(())
            }
            Some(c) => Err(self.error(format!("expected '{expected}' {context}, found {}", describe_char(c)))),
            None => Err(self.error(format!("expected '{expected}' {context}, found the end of the file"))),
        }
    }

    fn parse_value(&mut self) -> Result<Node, ParseError> {
        let pos = self.pos;
        let value = match self.peek() {
            None => return Err(self.error("unexpected end of the file; expected a JSON value")),
            Some('{') => self.nested(Self::parse_object)?,
            Some('[') => self.nested(Self::parse_array)?,
            Some('"') => Value::String(self.parse_string()?),
            Some('t') => self.parse_literal("true", Value::Bool(true))?,
            Some('f') => self.parse_literal("false", Value::Bool(false))?,
            Some('n') => self.parse_literal("null", Value::Null)?,
            Some(c) if c == '-' || c.is_ascii_digit() => Value::Number(self.parse_number()?),
            Some(c) => return Err(self.error(format!("unexpected {}; expected a JSON value", describe_char(c)))),
        };
        Ok(Node { value, pos })
    }

    fn nested(&mut self, parse: fn(&mut Self) -> Result<Value, ParseError>) -> Result<Value, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("arrays and objects are nested more than {MAX_DEPTH} levels deep")));
        }
        self.depth += 1;
        let value = parse(self);
        self.depth -= 1;
        value
    }

    fn parse_object(&mut self) -> Result<Value, ParseError> {
        self.bump();
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            let key_pos = self.pos;
            if self.peek() != Some('"') {
                return Err(match self.peek() {
                    Some(c) => self.error(format!("expected a key in double quotes, found {}", describe_char(c))),
                    None => self.error("unexpected end of the file inside an object"),
                });
            }
            let key = self.parse_string()?;
            self.skip_whitespace();
            self.expect(':', "after an object key")?;
            self.skip_whitespace();
            let value = self.parse_value()?;
            members.push(Member { key, key_pos, value });
            self.skip_whitespace();
            match self.bump() {
                Some(',') => continue,
                Some('}') => return Ok(Value::Object(members)),
                Some(c) => {
                    return Err(ParseError {
                        pos: Pos { line: self.pos.line, column: self.pos.column.saturating_sub(1).max(1) },
                        message: format!("expected ',' or '}}' in an object, found {}", describe_char(c)),
                    });
                }
                None => return Err(self.error("unexpected end of the file inside an object; expected '}'")),
            }
        }
    }

    fn parse_array(&mut self) -> Result<Value, ParseError> {
        self.bump();
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.parse_value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {
                    self.bump();
                    return Ok(Value::Array(items));
                }
                Some(c) => {
                    return Err(self.error(format!("expected ',' or ']' in an array, found {}", describe_char(c))));
                }
                None => return Err(self.error("unexpected end of the file inside an array; expected ']'")),
            }
        }
    }

    fn parse_literal(&mut self, word: &str, value: Value) -> Result<Value, ParseError> {
        let start = self.pos;
        for expected in word.chars() {
            if self.peek() != Some(expected) {
                return Err(ParseError { pos: start, message: format!("invalid literal; expected `{word}`") });
            }
            self.bump();
        }
        Ok(value)
    }

    fn parse_number(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        let mut text = String::new();
        let invalid = |text: &str| ParseError { pos: start, message: format!("invalid number `{text}`") };
        if self.peek() == Some('-') {
            text.push('-');
            self.bump();
        }
        match self.peek() {
            Some('0') => {
                text.push('0');
                self.bump();
            }
            Some(c) if c.is_ascii_digit() => self.take_digits(&mut text),
            _ => return Err(invalid(&text)),
        }
        if self.peek() == Some('.') {
            text.push('.');
            self.bump();
            if !matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
                return Err(invalid(&text));
            }
            self.take_digits(&mut text);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            text.push('e');
            self.bump();
            if let Some(sign @ ('+' | '-')) = self.peek() {
                text.push(sign);
                self.bump();
            }
            if !matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
                return Err(invalid(&text));
            }
            self.take_digits(&mut text);
        }
        if matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
            return Err(ParseError { pos: start, message: "invalid number: leading zeros are not allowed".into() });
        }
        Ok(text)
    }

    fn take_digits(&mut self, text: &mut String) {
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            text.push(c);
            self.bump();
        }
    }

    fn parse_string(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        self.bump();
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(ParseError { pos: start, message: "unterminated string; expected a closing '\"'".into() });
            };
            match c {
                '"' => return Ok(out),
                '\\' => out.push(self.parse_escape()?),
                c if (c as u32) < 0x20 => {
                    return Err(self.error(format!(
                        "control character U+{:04X} inside a string; write it as an escape such as \\n or \\u{:04x}",
                        c as u32, c as u32
                    )));
                }
                c => out.push(c),
            }
        }
    }

    fn parse_escape(&mut self) -> Result<char, ParseError> {
        let c = self.bump().ok_or_else(|| self.error("unterminated escape sequence"))?;
        Ok(match c {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let first = self.parse_hex4()?;
                if (0xD800..0xDC00).contains(&first) {
                    if self.bump() != Some('\\') || self.bump() != Some('u') {
                        return Err(self.error("a high surrogate \\u escape must be followed by a low surrogate"));
                    }
                    let second = self.parse_hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.error("invalid low surrogate in a \\u escape pair"));
                    }
                    let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))?
                } else {
                    char::from_u32(first).ok_or_else(|| self.error("a lone low surrogate is not a character"))?
                }
            }
            other => return Err(self.error(format!("invalid escape `\\{}` in a string", other.escape_default()))),
        })
    }

    fn parse_hex4(&mut self) -> Result<u32, ParseError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.bump().and_then(|c| c.to_digit(16));
            code = code * 16 + digit.ok_or_else(|| self.error("a \\u escape needs four hexadecimal digits"))?;
        }
        Ok(code)
    }
}

fn describe_char(c: char) -> String {
    if c.is_control() || c == '\u{feff}' {
        format!("character U+{:04X}", c as u32)
    } else {
        format!("'{c}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object_keys(node: &Node) -> Vec<(&str, Pos)> {
        match &node.value {
            Value::Object(members) => members.iter().map(|m| (m.key.as_str(), m.key_pos)).collect(),
            other => panic!("expected an object, got {other:?}"),
        }
    }

    #[test]
    fn duplicate_keys_kept_in_order() {
        let node = parse("{\"Effect\": \"Deny\",\n \"Effect\": \"Allow\"}").unwrap();
        let keys = object_keys(&node);
        assert_eq!(keys[0], ("Effect", Pos { line: 1, column: 2 }));
        assert_eq!(keys[1], ("Effect", Pos { line: 2, column: 2 }));
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let node = parse("{\"名\": \"快照\", \"b\": 1}").unwrap();
        let keys = object_keys(&node);
        assert_eq!(keys[1].1, Pos { line: 1, column: 13 });
    }

    #[test]
    fn byte_order_mark_skipped() {
        assert!(parse("\u{feff}{}").is_ok());
    }

    #[test]
    fn deep_nesting_is_error() {
        let text = "[".repeat(100_000);
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("nested"), "{error}");
    }

    #[test]
    fn huge_exponent_kept_as_text() {
        let node = parse("1e999").unwrap();
        assert_eq!(node.value, Value::Number("1e999".into()));
        assert_eq!(node.to_serde(), serde_json::Value::String("1e999".into()));
    }

    #[test]
    fn escapes_and_surrogates() {
        let node = parse(r#""a\u001b\ud83d\ude00\n""#).unwrap();
        assert_eq!(node.value, Value::String("a\u{1b}😀\n".into()));
    }

    #[test]
    fn invalid_inputs_rejected_with_position() {
        let cases = [
            ("", Pos { line: 1, column: 1 }),
            ("{\"a\": 1,}", Pos { line: 1, column: 9 }),
            ("[1 2]", Pos { line: 1, column: 4 }),
            ("{\"a\"\n 1}", Pos { line: 2, column: 2 }),
            ("\"abc", Pos { line: 1, column: 1 }),
            ("01", Pos { line: 1, column: 1 }),
            ("\"\\ud800\"", Pos { line: 1, column: 9 }),
            ("{} x", Pos { line: 1, column: 4 }),
            ("nul", Pos { line: 1, column: 1 }),
        ];
        for (text, expected) in cases {
            let error = parse(text).expect_err(text);
            assert_eq!(error.pos, expected, "{text:?}: {error}");
        }
    }
}
