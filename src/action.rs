//! IAM action names (`service:resourceType:operation`) and the patterns that policies write for them.
//!
//! Huawei's policy syntax (IAM user guide, "Policy syntax", iam_01_0017): an action has three
//! colon-separated segments, and the service name is lowercase. The resource type and operation compare
//! case-insensitively and may use `*` for all or part of a segment (`evs:*:*`, `evs:*:get*`).

use std::fmt;

/// The reason an action or pattern is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionError {
    Empty,
    SegmentCount(usize),
    EmptySegment(usize),
    InvalidChar(char),
    UppercaseService,
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionError::Empty => write!(f, "the action is empty"),
            ActionError::SegmentCount(n) => write!(
                f,
                "an action has three segments `service:resourceType:operation`, this one has {n}"
            ),
            ActionError::EmptySegment(i) => write!(f, "segment {} is empty", i + 1),
            ActionError::InvalidChar(c) => write!(f, "the character {:?} is not allowed in an action", c),
            ActionError::UppercaseService => write!(f, "the service name must be lowercase"),
        }
    }
}

/// Checks a concrete action as a catalog lists it: three segments of letters, digits, `-`, `_` or `.`,
/// no wildcard, and a lowercase service.
pub fn validate_action(action: &str) -> Result<(), ActionError> {
    let segments = split_segments(action)?;
    if segments[0].chars().any(|c| c.is_uppercase()) {
        return Err(ActionError::UppercaseService);
    }
    for segment in segments {
        if let Some(c) = segment.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
            return Err(ActionError::InvalidChar(c));
        }
    }
    Ok(())
}

fn split_segments(text: &str) -> Result<[&str; 3], ActionError> {
    if text.is_empty() {
        return Err(ActionError::Empty);
    }
    let parts: Vec<&str> = text.split(':').collect();
    let [service, resource, operation] = parts[..] else {
        return Err(ActionError::SegmentCount(parts.len()));
    };
    for (i, segment) in [service, resource, operation].iter().enumerate() {
        if segment.is_empty() {
            return Err(ActionError::EmptySegment(i));
        }
    }
    Ok([service, resource, operation])
}

/// Lowercases each colon-separated segment on its own, as matching does. Lowercasing the whole text
/// can give another action: a Greek capital sigma at the end of a segment becomes the final form `ς`
/// on its own, but `σ` when a colon and more letters follow it.
pub fn lowercase_segments(action: &str) -> String {
    action.split(':').map(str::to_lowercase).collect::<Vec<_>>().join(":")
}

/// An `Action` entry of a policy statement, compiled for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern {
    raw: String,
    /// The three segments, lowercased, each with the kind of test it needs.
    segments: [Segment; 3],
}

/// One lowercased segment of a pattern, as written. Most patterns are exact names, `*` or a prefix
/// such as `get*`, and those tests need no backtracking.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Any(String),
    Exact(String),
    /// Text ending in its only `*`.
    Prefix(String),
    Glob(String),
}

impl Segment {
    fn new(lowercase: String) -> Segment {
        let stars = lowercase.bytes().filter(|&b| b == b'*').count();
        if stars == 0 {
            Segment::Exact(lowercase)
        } else if lowercase.bytes().all(|b| b == b'*') {
            Segment::Any(lowercase)
        } else if stars == 1 && lowercase.ends_with('*') {
            Segment::Prefix(lowercase)
        } else {
            Segment::Glob(lowercase)
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Segment::Any(text) | Segment::Exact(text) | Segment::Prefix(text) | Segment::Glob(text) => text,
        }
    }

    /// Tests a segment of an action whose non-ASCII characters are lowercased already. ASCII letters
    /// are folded here, because the pattern's are lowercase.
    fn matches(&self, text: &str) -> bool {
        match self {
            Segment::Any(_) => true,
            Segment::Exact(exact) => exact.eq_ignore_ascii_case(text),
            Segment::Prefix(pattern) => {
                let prefix = &pattern.as_bytes()[..pattern.len() - 1];
                text.len() >= prefix.len() && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix)
            }
            Segment::Glob(pattern) => glob_match(pattern.as_bytes(), text.as_bytes()),
        }
    }
}

impl ActionPattern {
    pub fn parse(raw: &str) -> Result<Self, ActionError> {
        let parts = split_segments(raw)?;
        if let Some(c) = raw.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(ActionError::InvalidChar(c));
        }
        Ok(ActionPattern { raw: raw.to_owned(), segments: parts.map(|part| Segment::new(part.to_lowercase())) })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn has_wildcard(&self) -> bool {
        self.raw.contains('*')
    }

    /// True when the service segment has an uppercase letter, which Huawei does not accept.
    pub fn has_uppercase_service(&self) -> bool {
        self.raw.split(':').next().is_some_and(|s| s.chars().any(|c| c.is_uppercase()))
    }

    /// Returns the lowercased service segment.
    pub fn service(&self) -> &str {
        self.segments[0].as_str()
    }

    /// Tests a concrete action. All three segments compare case-insensitively, the service too: an
    /// uppercase service name is a warning, not a different service.
    pub fn matches(&self, action: &str) -> bool {
        let mut parts = action.split(':');
        for pattern in &self.segments {
            let Some(segment) = parts.next() else { return false };
            // Catalog actions are ASCII, so lowercasing a segment with Unicode rules (and allocating for
            // it) is rare.
            let matched = if segment.is_ascii() { pattern.matches(segment) } else { pattern.matches(&segment.to_lowercase()) };
            if !matched {
                return false;
            }
        }
        parts.next().is_none()
    }
}

impl fmt::Display for ActionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Matches `text` against the lowercase `pattern`, where `*` stands for any run of characters, the
/// empty run too, and ASCII letters of `text` are folded to lowercase. Iterative with one backtrack
/// point, so it runs in O(len(pattern) × len(text)) at worst. It compares UTF-8 bytes: `*` is one byte,
/// and a literal run of whole characters can only match whole characters because no UTF-8 character's
/// bytes appear inside another's.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            backtrack = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t].to_ascii_lowercase() {
            p += 1;
            t += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            t = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, action: &str) -> bool {
        ActionPattern::parse(pattern).unwrap().matches(action)
    }

    #[test]
    fn wildcard_in_every_position() {
        let action = "evs:snapshots:create";
        for pattern in [
            "evs:*:*",
            "evs:snapshots:*",
            "evs:*:create",
            "*:snapshots:create",
            "*:*:*",
            "evs:snap*:create",
            "evs:*shots:create",
            "evs:s*s:c*e",
            "evs:snapshots:create*",
            "e*:snapshots:create",
        ] {
            assert!(matches(pattern, action), "{pattern} should match {action}");
        }
        for pattern in ["evs:*:get*", "evs:volumes:*", "ecs:*:*", "evs:snap*:delete", "evs:*s:c*x"] {
            assert!(!matches(pattern, action), "{pattern} should not match {action}");
        }
    }

    #[test]
    fn star_does_not_cross_segments() {
        assert!(!matches("evs:*:get", "evs:snapshots:metadata:get"));
        assert!(!matches("evs:*:*", "evs:snapshots"));
    }

    #[test]
    fn mixed_case_matches() {
        assert!(matches("evs:Snapshots:GET", "evs:snapshots:get"));
        assert!(matches("EVS:snapshots:get", "evs:snapshots:get"));
        assert!(matches("evs:*:Get*", "evs:snapshots:get"));
        assert!(matches("evs:snapshots:get*", "EVS:SnapShots:GetAll"));
        assert!(matches("evs:s*s:g*t", "evs:SnapShots:GET"));
        assert!(matches("ecs:cloudservers:list", "ecs:cloudServers:list"));
        assert!(!matches("ecs:cloudservers:list*", "ecs:cloudServer:list"));
    }

    #[test]
    fn lowercase_segments_keeps_final_sigma() {
        assert_eq!(lowercase_segments("EVS:ΑΣ:Get"), "evs:ας:get");
        // Lowercased whole, the Σ is followed by a colon and letters, so it is not final.
        assert_eq!("EVS:ΑΣ:Get".to_lowercase(), "evs:ασ:get");
        assert!(matches("evs:ΑΣ:get", "evs:ας:get"));
        assert!(!matches("evs:ασ:get", "evs:ας:get"));
    }

    #[test]
    fn wildcards_around_multibyte_text() {
        assert!(matches("evs:快*:get", "evs:快照:get"));
        assert!(matches("evs:*照:get", "evs:快照:get"));
        assert!(matches("evs:*照*:get", "evs:快照:get"));
        assert!(!matches("evs:*快:get", "evs:快照:get"));
        assert!(matches("evs:**:get", "evs:snapshots:get"));
        assert!(matches("evs:s*s*s:get", "evs:snapshots:get"));
        assert!(!matches("evs:s*s*s*t:get", "evs:snapshots:get"));
    }

    #[test]
    fn service_keeps_its_wildcard() {
        assert_eq!(ActionPattern::parse("E*:snapshots:get").unwrap().service(), "e*");
        assert_eq!(ActionPattern::parse("**:snapshots:get").unwrap().service(), "**");
        assert_eq!(ActionPattern::parse("EVS:snapshots:get").unwrap().service(), "evs");
    }

    #[test]
    fn question_mark_is_literal() {
        assert!(!matches("evs:snapshots:ge?", "evs:snapshots:get"));
    }

    #[test]
    fn uppercase_service_flagged() {
        assert!(ActionPattern::parse("EVS:snapshots:get").unwrap().has_uppercase_service());
        assert!(!ActionPattern::parse("evs:SNAPSHOTS:get").unwrap().has_uppercase_service());
    }

    #[test]
    fn malformed_patterns_rejected() {
        assert_eq!(ActionPattern::parse(""), Err(ActionError::Empty));
        assert_eq!(ActionPattern::parse("evs:snapshots"), Err(ActionError::SegmentCount(2)));
        assert_eq!(ActionPattern::parse("evs:a:b:c"), Err(ActionError::SegmentCount(4)));
        assert_eq!(ActionPattern::parse("evs::get"), Err(ActionError::EmptySegment(1)));
        assert_eq!(ActionPattern::parse("evs:snap shots:get"), Err(ActionError::InvalidChar(' ')));
    }

    #[test]
    fn catalog_actions_are_concrete() {
        assert!(validate_action("evs:snapshots:get").is_ok());
        assert_eq!(validate_action("evs:*:get"), Err(ActionError::InvalidChar('*')));
        assert_eq!(validate_action("evs:snapshots"), Err(ActionError::SegmentCount(2)));
    }
}
