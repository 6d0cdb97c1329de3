//! Export of a policy to where it is used: the policy document itself, the body of the IAM request that
//! creates a custom policy, and a Terraform resource.
//!
//! Sources: the IAM API reference "Creating a Custom Policy for Cloud Services" (CreateCloudServiceCustomPolicy,
//! iam_02_0013) makes `display_name`, `type`, `description` and `policy` mandatory in
//! `POST /v3.0/OS-ROLE/roles`. The terraform-provider-huaweicloud document for `huaweicloud_identity_role`
//! marks `name`, `description`, `type` and `policy` required. IAM "Notes and Constraints" (iam_01_0305)
//! limits the name to 128 characters.

use std::fmt;

use pinyin::ToPinyin;
use serde_json::{Value, json};

use crate::action::ActionPattern;
use crate::policy::{Policy, Severity};

/// Maximum characters of a custom policy's name.
pub const MAX_NAME_CHARS: usize = 128;

/// The `type` of every exported policy. `XA` marks a policy for project-level services such as EVS;
/// `AX` is for global services, and one custom policy cannot mix the two.
// NOTE: every action is assumed to belong to a project-level service. That holds for the built-in EVS
// catalog, but a catalog of a global service such as IAM would need `AX`.
pub const POLICY_TYPE: &str = "XA";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The policy document.
    Json,
    /// The CreateCloudServiceCustomPolicy request body.
    IamApi,
    /// A `huaweicloud_identity_role` resource.
    Terraform,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::IamApi => "iam-api",
            Format::Terraform => "terraform",
        }
    }

    /// True for the formats that create a named custom policy, which need a name and a description.
    pub fn needs_name(self) -> bool {
        self != Format::Json
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The custom policy's name and description; the `json` format uses neither.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOptions {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// A policy or option Huawei would reject, so nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("Huawei would reject this policy: {}", .0.join("; "))]
    Rejected(Vec<String>),
    #[error("the policy has no statements; Huawei requires at least one")]
    Empty,
    #[error("--format {0} needs the custom policy's name")]
    MissingName(Format),
    #[error("--format {0} needs a description: Huawei requires one for every custom policy")]
    MissingDescription(Format),
    #[error("the name has {0} characters; Huawei allows at most {MAX_NAME_CHARS}")]
    NameTooLong(usize),
    #[error("the {field} contains the control character U+{code:04X}")]
    ControlCharacter { field: &'static str, code: u32 },
}

impl ExportError {
    /// Returns what the user can change to get past the error.
    pub fn fix(&self) -> &'static str {
        match self {
            ExportError::Rejected(_) => "grant fewer actions, use wildcards such as evs:snapshots:*, or split the policy",
            ExportError::Empty => "grant at least one action",
            ExportError::MissingName(_) => "add --name NAME",
            ExportError::MissingDescription(_) => "add --description TEXT",
            ExportError::NameTooLong(_) => "shorten the name",
            ExportError::ControlCharacter { .. } => "remove line breaks, tabs and other control characters",
        }
    }
}

/// Checks what Huawei checks on the policy itself: its limits, at least one statement, and actions of
/// three segments with a lowercase service name.
pub fn validate(policy: &Policy) -> Result<(), ExportError> {
    if policy.statements.is_empty() {
        return Err(ExportError::Empty);
    }
    let mut reasons: Vec<String> = policy
        .limit_findings()
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.message)
        .collect();
    for (index, statement) in policy.statements.iter().enumerate() {
        if statement.actions.is_empty() {
            reasons.push(format!("statement {} has no actions", index + 1));
        }
        for action in &statement.actions {
            match ActionPattern::parse(action) {
                Err(e) => reasons.push(format!("action {action:?} is invalid: {e}")),
                Ok(pattern) if pattern.has_uppercase_service() => {
                    reasons.push(format!("the service name in {action:?} is not lowercase"));
                }
                Ok(_) => {}
            }
        }
    }
    if reasons.is_empty() { Ok(()) } else { Err(ExportError::Rejected(reasons)) }
}

/// Checks the name and description. Returns `None` for formats that use neither.
fn checked_names(format: Format, options: &ExportOptions) -> Result<Option<(String, String)>, ExportError> {
    if !format.needs_name() {
        return Ok(None);
    }
    let name = options.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).ok_or(ExportError::MissingName(format))?;
    let description = options
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .ok_or(ExportError::MissingDescription(format))?;
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(ExportError::NameTooLong(chars));
    }
    // NOTE: Huawei documents no length limit for the description, so none is checked here.
    for (field, text) in [("name", name), ("description", description)] {
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            return Err(ExportError::ControlCharacter { field, code: c as u32 });
        }
    }
    Ok(Some((name.to_owned(), description.to_owned())))
}

/// Renders `policy` in `format` after [`validate`], with a final newline.
pub fn render(policy: &Policy, format: Format, options: &ExportOptions) -> Result<String, ExportError> {
    validate(policy)?;
    let names = checked_names(format, options)?;
    let text = match (format, names) {
        (Format::IamApi, Some((name, description))) => {
            let body = json!({
                "role": {
                    "display_name": name,
                    "type": POLICY_TYPE,
                    "description": description,
                    "policy": policy.to_json(),
                }
            });
            let mut text = serde_json::to_string_pretty(&body).expect("a JSON value always serializes");
            text.push('\n');
            text
        }
        (Format::Terraform, Some((name, description))) => terraform(policy, &name, &description),
        _ => policy.to_pretty_json(),
    };
    Ok(text)
}

/// Writes a `huaweicloud_identity_role` resource, laid out as `terraform fmt` would.
fn terraform(policy: &Policy, name: &str, description: &str) -> String {
    let mut out = format!("resource \"huaweicloud_identity_role\" \"{}\" {{\n", resource_label(name));
    out.push_str(&format!("  name        = {}\n", hcl_string(name)));
    out.push_str(&format!("  description = {}\n", hcl_string(description)));
    out.push_str(&format!("  type        = {}\n", hcl_string(POLICY_TYPE)));
    out.push('\n');
    out.push_str(&format!("  policy = jsonencode({})\n", hcl_value(&policy.to_json(), 1)));
    out.push_str("}\n");
    out
}

/// Derives a Terraform resource label from the policy name: ASCII letters and digits lowercased, Chinese
/// characters as pinyin, everything else as `_`. The result starts with a letter, as HCL identifiers
/// must start with a letter or underscore.
pub fn resource_label(name: &str) -> String {
    let mut label = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            label.push(c.to_ascii_lowercase());
        } else if let Some(pinyin) = c.to_pinyin() {
            label.push('_');
            label.push_str(pinyin.plain());
            label.push('_');
        } else {
            label.push('_');
        }
    }
    let words: Vec<&str> = label.split('_').filter(|w| !w.is_empty()).collect();
    let label = words.join("_");
    if label.is_empty() {
        "custom_policy".to_owned()
    } else if label.starts_with(|c: char| c.is_ascii_digit()) {
        format!("policy_{label}")
    } else {
        label
    }
}

/// Quotes `text` as an HCL string that evaluates to it: quotes, backslashes and control characters escaped,
/// and the template openers `${` and `%{` doubled to `$${` and `%%{` so Terraform does not interpolate.
pub fn hcl_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes an HCL object key: bare when it is an identifier HCL cannot read as a keyword, quoted otherwise.
fn hcl_key(key: &str) -> String {
    let identifier = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let keyword = matches!(key, "true" | "false" | "null" | "for" | "in" | "if" | "else" | "endif" | "endfor");
    if identifier && !keyword { key.to_owned() } else { hcl_string(key) }
}

/// Writes an HCL expression for a JSON value at `depth` levels of two-space indentation. Arrays of scalars
/// that fit stay on one line; other arrays and objects take one line per element. Consecutive
/// one-line attributes of an object have their `=` aligned, as `terraform fmt` does.
fn hcl_value(value: &Value, depth: usize) -> String {
    let indent = "  ".repeat(depth + 1);
    let closing = "  ".repeat(depth);
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => hcl_string(s),
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Array(items) => {
            let scalars = items.iter().all(|i| !i.is_array() && !i.is_object());
            let inline = format!("[{}]", items.iter().map(|i| hcl_value(i, depth)).collect::<Vec<_>>().join(", "));
            if scalars && indent.len() + inline.chars().count() <= 80 {
                return inline;
            }
            let mut out = "[\n".to_owned();
            for item in items {
                out.push_str(&format!("{indent}{},\n", hcl_value(item, depth + 1)));
            }
            out.push_str(&closing);
            out.push(']');
            out
        }
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(map) => {
            let entries: Vec<(String, String)> = map.iter().map(|(k, v)| (hcl_key(k), hcl_value(v, depth + 1))).collect();
            let mut out = "{\n".to_owned();
            let mut run_start = 0;
            while run_start < entries.len() {
                // A run is a stretch of one-line entries, or a single multi-line one.
                let mut run_end = run_start + 1;
                if !entries[run_start].1.contains('\n') {
                    while run_end < entries.len() && !entries[run_end].1.contains('\n') {
                        run_end += 1;
                    }
                }
                let width = entries[run_start..run_end].iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
                for (key, value) in &entries[run_start..run_end] {
                    let padding = " ".repeat(width - key.chars().count());
                    out.push_str(&format!("{indent}{key}{padding} = {value}\n"));
                }
                run_start = run_end;
            }
            out.push_str(&closing);
            out.push('}');
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Statement;

    fn named(name: &str, description: &str) -> ExportOptions {
        ExportOptions { name: Some(name.into()), description: Some(description.into()) }
    }

    #[test]
    fn json_is_policy_document() {
        let policy = Policy::allowing(["evs:snapshots:list"]);
        assert_eq!(render(&policy, Format::Json, &ExportOptions::default()).unwrap(), policy.to_pretty_json());
    }

    #[test]
    fn iam_api_body_shape() {
        let policy = Policy::allowing(["evs:snapshots:get"]);
        let text = render(&policy, Format::IamApi, &named("evs-reader", "Read EVS snapshots")).unwrap();
        let body: Value = serde_json::from_str(&text).unwrap();
        let expected = json!({"role": {
            "display_name": "evs-reader",
            "type": "XA",
            "description": "Read EVS snapshots",
            "policy": {"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["evs:snapshots:get"]}]},
        }});
        assert_eq!(body, expected);
    }

    #[test]
    fn names_required_and_checked() {
        let policy = Policy::allowing(["evs:snapshots:get"]);
        let no_name = ExportOptions { name: None, description: Some("d".into()) };
        assert_eq!(render(&policy, Format::IamApi, &no_name), Err(ExportError::MissingName(Format::IamApi)));
        let no_description = ExportOptions { name: Some("n".into()), description: Some("  ".into()) };
        assert_eq!(render(&policy, Format::Terraform, &no_description), Err(ExportError::MissingDescription(Format::Terraform)));
        assert!(render(&policy, Format::IamApi, &named(&"名".repeat(128), "d")).is_ok());
        assert_eq!(render(&policy, Format::IamApi, &named(&"名".repeat(129), "d")), Err(ExportError::NameTooLong(129)));
        assert_eq!(
            render(&policy, Format::IamApi, &named("a\nb", "d")),
            Err(ExportError::ControlCharacter { field: "name", code: 0x0a })
        );
    }

    #[test]
    fn over_limit_rejected() {
        let nine = Policy { statements: (0..9).map(|i| Statement::allow(vec![format!("evs:r{i}:get")])).collect() };
        let error = render(&nine, Format::Json, &ExportOptions::default()).unwrap_err();
        assert_eq!(error, ExportError::Rejected(vec!["the policy has 9 statements; Huawei allows at most 8".into()]));
        assert_eq!(render(&Policy::default(), Format::Json, &ExportOptions::default()), Err(ExportError::Empty));
        let upper = Policy { statements: vec![Statement::allow(vec!["EVS:snapshots:get".into()])] };
        assert!(matches!(render(&upper, Format::Json, &ExportOptions::default()), Err(ExportError::Rejected(_))));
    }

    #[test]
    fn hcl_strings_escaped() {
        assert_eq!(hcl_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(hcl_string("${var.x} %{if} $x %x"), r#""$${var.x} %%{if} $x %x""#);
        assert_eq!(hcl_string("$${"), r#""$$${""#);
        assert_eq!(hcl_string("\u{1b}\t"), r#""\u001b\t""#);
        assert_eq!(hcl_string("快照"), "\"快照\"");
    }

    #[test]
    fn labels_are_identifiers() {
        let cases = [
            ("evs-snapshot-reader", "evs_snapshot_reader"),
            ("EVS Snapshot Reader!", "evs_snapshot_reader"),
            ("快照只读", "kuai_zhao_zhi_du"),
            ("EVS快照", "evs_kuai_zhao"),
            ("2024 audit", "policy_2024_audit"),
            ("---", "custom_policy"),
            ("😀", "custom_policy"),
        ];
        for (name, label) in cases {
            assert_eq!(resource_label(name), label, "{name}");
        }
    }

    #[test]
    fn terraform_resource_layout() {
        let policy = Policy::allowing(["evs:snapshots:get", "evs:snapshots:list"]);
        let text = render(&policy, Format::Terraform, &named("evs-reader", "Read \"EVS\" ${snapshots}")).unwrap();
        let expected = r#"resource "huaweicloud_identity_role" "evs_reader" {
  name        = "evs-reader"
  description = "Read \"EVS\" $${snapshots}"
  type        = "XA"

  policy = jsonencode({
    Version = "1.1"
    Statement = [
      {
        Effect = "Allow"
        Action = ["evs:snapshots:get", "evs:snapshots:list"]
      },
    ]
  })
}
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn terraform_condition_keys_quoted() {
        let condition = json!({"StringEquals": {"g:ProjectName": ["cn-north-4"]}});
        let statement = Statement {
            effect: crate::policy::Effect::Allow,
            actions: vec!["evs:snapshots:get".into()],
            condition: condition.as_object().cloned(),
            resource: None,
        };
        let text = render(&Policy { statements: vec![statement] }, Format::Terraform, &named("n", "d")).unwrap();
        assert!(text.contains("          \"g:ProjectName\" = [\"cn-north-4\"]\n"), "{text}");
        assert!(text.contains("        Condition = {\n          StringEquals = {\n"), "{text}");
    }
}
