//! The user's language, from `--lang` or the locale.

use crate::catalog::Lang;

/// Picks Chinese when the first set locale variable (LC_ALL, then LC_MESSAGES, then LANG, as POSIX
/// orders them) starts with `zh`; English otherwise.
pub fn detect(lookup: impl Fn(&str) -> Option<String>) -> Lang {
    for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Some(value) = lookup(name).filter(|v| !v.is_empty()) {
            return if value.to_lowercase().starts_with("zh") { Lang::Zh } else { Lang::En };
        }
    }
    Lang::En
}

/// [`detect`] on the process environment.
pub fn from_env() -> Lang {
    detect(|name| std::env::var(name).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Lang {
        detect(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn locale_precedence() {
        assert_eq!(with(&[]), Lang::En);
        assert_eq!(with(&[("LANG", "zh_CN.UTF-8")]), Lang::Zh);
        assert_eq!(with(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "en_US.UTF-8")]), Lang::En);
        assert_eq!(with(&[("LC_ALL", ""), ("LANG", "zh_TW")]), Lang::Zh);
        assert_eq!(with(&[("LANG", "C")]), Lang::En);
    }
}
