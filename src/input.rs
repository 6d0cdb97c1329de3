//! Reading input files and standard input with a size cap, so a huge or binary file is rejected
//! before any parsing starts.

use std::io::Read;
use std::path::Path;

use crate::error::InputError;
use crate::json::Pos;

/// Largest policy file read, in bytes. A Huawei policy is at most 6,144 characters, so anything near
/// this size is not a policy.
pub const MAX_POLICY_BYTES: u64 = 8 * 1024 * 1024;

/// Largest catalog file read, in bytes: room for several hundred thousand APIs.
pub const MAX_CATALOG_BYTES: u64 = 512 * 1024 * 1024;

/// The name used for standard input in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads a UTF-8 text file, or standard input when `path` is `-`.
pub fn read_text(path: &str, max_bytes: u64) -> Result<(String, String), InputError> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| InputError::new(STDIN_NAME, format!("cannot read standard input: {e}")))?;
        return decode(STDIN_NAME, bytes, max_bytes).map(|text| (STDIN_NAME.to_owned(), text));
    }
    read_file(Path::new(path), max_bytes).map(|text| (path.to_owned(), text))
}

pub fn read_file(path: &Path, max_bytes: u64) -> Result<String, InputError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| {
        let error = InputError::new(&name, format!("cannot open the file: {e}"));
        match e.kind() {
            std::io::ErrorKind::NotFound => error.with_fix("check the path; use `-` to read standard input"),
            std::io::ErrorKind::PermissionDenied => error.with_fix(
                "check the permissions of the file and its directories (ls -l), or run as a user who can read it",
            ),
            _ => error.with_fix("check the path and that the file can be read"),
        }
    })?;
    let metadata = file.metadata().map_err(|e| {
        InputError::new(&name, format!("cannot read the file: {e}")).with_fix("check that the file can be read")
    })?;
    if metadata.is_dir() {
        return Err(InputError::new(&name, "this is a directory, not a file").with_fix("name a JSON file"));
    }
    if metadata.len() > max_bytes {
        return Err(too_large(&name, max_bytes));
    }
    let mut bytes = Vec::new();
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::new(&name, format!("cannot read the file: {e}")).with_fix("check that the file can be read"))?;
    decode(&name, bytes, max_bytes)
}

fn too_large(name: &str, max_bytes: u64) -> InputError {
    InputError::new(name, format!("the input is larger than the limit of {} MiB", max_bytes / (1024 * 1024)))
        .with_fix("check that this is the right file")
}

fn decode(name: &str, bytes: Vec<u8>, max_bytes: u64) -> Result<String, InputError> {
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(name, max_bytes));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&e.as_bytes()[..offset]).expect("the bytes before valid_up_to are UTF-8");
        InputError::new(name, format!("the file is not valid UTF-8 (invalid byte at offset {offset})"))
            .at(end_position(valid))
            .with_fix("save the file as UTF-8")
    })
}

/// Returns the position just after `text`, with lines and character columns counted from 1 as the JSON
/// reader counts them. A leading byte order mark does not count.
fn end_position(text: &str) -> Pos {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line = text.matches('\n').count() + 1;
    let last_line = text.rsplit('\n').next().unwrap_or_default();
    Pos { line, column: last_line.chars().count() + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_has_position() {
        let error = decode("p.json", b"{\n  \"\xe5\xbf\xab\xff\"}".to_vec(), 100).unwrap_err();
        // Line 2 is two spaces, a quote and 快 before the invalid byte 0xff at byte offset 8.
        assert_eq!(error.pos, Some(Pos { line: 2, column: 5 }));
        assert!(error.message.contains("offset 8"), "{error}");
        let error = decode("p.json", b"\xef\xbb\xbf\xff".to_vec(), 100).unwrap_err();
        assert_eq!(error.pos, Some(Pos { line: 1, column: 1 }));
    }
}
