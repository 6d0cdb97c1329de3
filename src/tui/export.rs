//! The export dialog: where to write, in which format, and the custom policy's name and description
//! that the IAM API and Terraform formats need.

use tui_input::Input;

use super::app::Status;
use crate::formats::{ExportOptions, Format};

/// Every format the dialog offers, in the order Tab cycles through them.
pub const FORMATS: [Format; 3] = [Format::Json, Format::IamApi, Format::Terraform];

/// Returns the format's name as the dialog shows it.
pub fn format_label(format: Format) -> &'static str {
    match format {
        Format::Json => "JSON",
        Format::IamApi => "IAM API",
        Format::Terraform => "Terraform",
    }
}

/// Returns the file name ending each format's default path gets.
fn extension(format: Format) -> &'static str {
    match format {
        Format::Terraform => ".tf",
        Format::Json | Format::IamApi => ".json",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportField {
    Path,
    Name,
    Description,
}

pub struct ExportDialog {
    pub path: Input,
    pub name: Input,
    pub description: Input,
    /// The text field that has the keyboard.
    pub field: ExportField,
    pub format: Format,
    /// The path the user was warned exists; a second Enter on the same path replaces it.
    pub confirm_replace: Option<String>,
    pub message: Option<Status>,
    pub writing: bool,
}

impl ExportDialog {
    /// Opens the dialog with the default path (when there is one) and a name and description the user
    /// can edit.
    pub fn new(default_path: Option<String>, service: &str) -> ExportDialog {
        ExportDialog {
            path: Input::new(default_path.unwrap_or_default()),
            name: Input::new(format!("permscope-{service}-least-privilege")),
            description: Input::new(format!("Least-privilege {service} permissions drafted with permscope")),
            field: ExportField::Path,
            format: Format::Json,
            confirm_replace: None,
            message: None,
            writing: false,
        }
    }

    /// Lists the text fields the current format uses, in display order.
    pub fn fields(&self) -> &'static [ExportField] {
        if self.format.needs_name() {
            &[ExportField::Path, ExportField::Name, ExportField::Description]
        } else {
            &[ExportField::Path]
        }
    }

    pub fn move_field(&mut self, forward: bool) {
        let fields = self.fields();
        let index = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        let next = if forward { (index + 1) % fields.len() } else { (index + fields.len() - 1) % fields.len() };
        self.field = fields[next];
    }

    pub fn focused_input(&mut self) -> &mut Input {
        match self.field {
            ExportField::Path => &mut self.path,
            ExportField::Name => &mut self.name,
            ExportField::Description => &mut self.description,
        }
    }

    /// Switches to the next format. A path that ends in the old format's extension gets the new one.
    pub fn cycle_format(&mut self) {
        let index = FORMATS.iter().position(|f| *f == self.format).unwrap_or(0);
        let old = extension(self.format);
        self.format = FORMATS[(index + 1) % FORMATS.len()];
        let new = extension(self.format);
        if old != new
            && let Some(stem) = self.path.value().strip_suffix(old)
        {
            self.path = Input::new(format!("{stem}{new}"));
        }
        if !self.fields().contains(&self.field) {
            self.field = ExportField::Path;
        }
        self.confirm_replace = None;
        self.message = None;
    }

    pub fn options(&self) -> ExportOptions {
        if !self.format.needs_name() {
            return ExportOptions::default();
        }
        ExportOptions {
            name: Some(self.name.value().trim().to_owned()),
            description: Some(self.description.value().trim().to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_cycle_changes_extension() {
        let mut dialog = ExportDialog::new(Some("/home/u/permscope-policy.json".into()), "evs");
        dialog.cycle_format();
        assert_eq!(dialog.format, Format::IamApi);
        assert_eq!(dialog.path.value(), "/home/u/permscope-policy.json");
        dialog.cycle_format();
        assert_eq!(dialog.format, Format::Terraform);
        assert_eq!(dialog.path.value(), "/home/u/permscope-policy.tf");
        dialog.cycle_format();
        assert_eq!(dialog.path.value(), "/home/u/permscope-policy.json");
    }

    #[test]
    fn name_fields_only_when_needed() {
        let mut dialog = ExportDialog::new(None, "evs");
        assert_eq!(dialog.fields(), [ExportField::Path]);
        dialog.move_field(true);
        assert_eq!(dialog.field, ExportField::Path);
        dialog.cycle_format();
        dialog.move_field(true);
        assert_eq!(dialog.field, ExportField::Name);
        dialog.move_field(false);
        dialog.move_field(false);
        assert_eq!(dialog.field, ExportField::Description);
        assert_eq!(dialog.options().name.as_deref(), Some("permscope-evs-least-privilege"));
    }
}
