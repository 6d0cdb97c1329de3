//! The error every input problem becomes: which file, where in it, what is wrong, and how to fix it.

use std::fmt;

use crate::json::Pos;
use crate::text::escape_controls;

/// An unreadable or invalid input file. The binary prints it on stderr and exits with status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file as the user named it, or `<stdin>`.
    pub source_name: String,
    pub pos: Option<Pos>,
    pub message: String,
    pub fix: Option<String>,
}

impl InputError {
    pub fn new(source_name: impl Into<String>, message: impl Into<String>) -> Self {
        InputError { source_name: source_name.into(), pos: None, message: message.into(), fix: None }
    }

    pub fn at(mut self, pos: Pos) -> Self {
        self.pos = Some(pos);
        self
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// Shows control characters escaped, because messages quote text from the input file (a catalog's
/// method, serde_json's unknown field name) that must not move the cursor or retitle the terminal.
impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape_controls(&self.source_name))?;
        if let Some(pos) = self.pos {
            write!(f, ":{pos}")?;
        }
        write!(f, ": {}", escape_controls(&self.message))?;
        if let Some(fix) = &self.fix {
            write!(f, "\n  fix: {}", escape_controls(fix))?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_escapes_control_characters() {
        let error = InputError::new("cat\u{1b}.json", "method \"GE\u{1b}[2JT\"").with_fix("use \u{9b}GET");
        assert_eq!(error.to_string(), "cat\\x1b.json: method \"GE\\x1b[2JT\"\n  fix: use \\x9bGET");
    }
}
