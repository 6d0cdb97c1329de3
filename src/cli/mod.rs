//! The scriptable subcommands. Each prints to stdout and reports problems as [`Error`], which the binary
//! turns into a message on stderr and an exit status.

pub mod args;
pub mod catalog;
mod check;
mod policy;
mod search;
mod lint;
mod lookup;
mod diff;

use std::cell::{OnceCell, RefCell};
use std::io::Write;

use crate::cache::CatalogFile;
use crate::catalog::{Catalog, Lang};
use crate::search::SearchIndex;
use crate::error::InputError;

pub use args::{Cli, Command};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file that cannot be read or is invalid: exit status 2.
    #[error("{0}")]
    Input(#[from] InputError),
    /// A command-line value that names nothing known: exit status 2.
    #[error("{message}{}", fix.as_ref().map(|f| format!("\n  fix: {f}")).unwrap_or_default())]
    Usage { message: String, fix: Option<String> },
    /// A failed write of an output file or of standard output: exit status 2, as for an input file
    /// that cannot be read.
    #[error("cannot write {path}: {source}\n  fix: {}", write_fix(path, source))]
    Write { path: String, source: std::io::Error },
    /// A result the command was asked to fail on, already reported on stdout: exit status 1. An empty
    /// message prints nothing on stderr.
    #[error("{0}")]
    Failed(String),
}

impl Error {
    pub fn usage(message: impl Into<String>, fix: Option<String>) -> Error {
        Error::Usage { message: message.into(), fix }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::Usage { .. } | Error::Write { .. } => 2,
            Error::Failed(_) => 1,
        }
    }
}

/// The name [`Error::Write`] gives standard output.
const STANDARD_OUTPUT: &str = "standard output";

/// Returns what to do about a failed write of `path`, by the kind of the OS error. Every command that
/// writes a file takes its path with -o.
fn write_fix(path: &str, error: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;

    if path == STANDARD_OUTPUT {
        return match error.kind() {
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge => {
                "free space where standard output is redirected, or redirect it to another file"
            }
            _ => "check the file, device or pipe that standard output is redirected to",
        };
    }
    // A path ending in a slash names a directory, whatever the OS error (often "not a directory").
    if path.ends_with('/') {
        return "name a file, not a directory, with -o, such as DIRECTORY/NAME.json";
    }
    // write_atomic writes a device or FIFO in place, so the error comes from the device itself
    // (/dev/full fails with ENOSPC, which has nothing to do with disk space).
    let special = std::fs::metadata(path).is_ok_and(|metadata| !metadata.is_file() && !metadata.is_dir());
    if special {
        return "check the device or pipe, or choose a regular file with -o";
    }
    match error.kind() {
        ErrorKind::NotFound => "create the directory, or choose another path with -o",
        ErrorKind::PermissionDenied => {
            "check the permissions of the file and its directory, or choose another path with -o"
        }
        ErrorKind::ReadOnlyFilesystem => "choose a path with -o on a file system that is not read-only",
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge => {
            "free space on that file system, or choose another path with -o"
        }
        ErrorKind::IsADirectory | ErrorKind::DirectoryNotEmpty => {
            "name a file, not a directory, with -o, such as DIRECTORY/NAME.json"
        }
        ErrorKind::NotADirectory => "correct the path given with -o, because a part of it is a file, not a directory",
        _ => "check the directory's permissions and free space, or choose another path with -o",
    }
}

/// The inputs of every subcommand: the catalog and the language for names. The catalog and its search
/// index are loaded on first use, so a command that needs only the index (`search`) reads only that
/// part of a cached catalog.
pub struct Context {
    pub lang: Lang,
    /// The `--catalog` file, until its catalog is loaded.
    file: RefCell<Option<CatalogFile>>,
    catalog: OnceCell<Catalog>,
    index: OnceCell<SearchIndex>,
}

impl Context {
    /// Creates a context over the built-in catalog.
    pub fn builtin(lang: Lang) -> Context {
        Context { lang, file: RefCell::new(None), catalog: OnceCell::from(Catalog::builtin()), index: OnceCell::new() }
    }

    /// Creates a context over a `--catalog` file, which is loaded when a command first needs it.
    pub fn from_file(file: CatalogFile, lang: Lang) -> Context {
        Context { lang, file: RefCell::new(Some(file)), catalog: OnceCell::new(), index: OnceCell::new() }
    }

    /// Returns the catalog, loading it on first use. A cache that cannot be written is a warning on
    /// stderr.
    pub fn catalog(&self) -> Result<&Catalog, InputError> {
        if let Some(catalog) = self.catalog.get() {
            return Ok(catalog);
        }
        let mut file = self.file.borrow_mut();
        let file = file.as_mut().expect("a context without a loaded catalog has a catalog file");
        let (catalog, index) = file.load()?;
        if let Some(warning) = file.warning() {
            eprintln!("permscope: warning: {warning}");
        }
        if let Some(index) = index {
            let _ = self.index.set(index);
        }
        Ok(self.catalog.get_or_init(|| catalog))
    }

    /// Returns the catalog's search index: from the cache when it has one, without loading the catalog,
    /// else built from the catalog.
    pub fn search_index(&self) -> Result<&SearchIndex, InputError> {
        if let Some(index) = self.index.get() {
            return Ok(index);
        }
        if self.catalog.get().is_none()
            && let Some(index) = self.file.borrow_mut().as_mut().and_then(CatalogFile::cached_index)
        {
            return Ok(self.index.get_or_init(|| index));
        }
        let catalog = self.catalog()?;
        Ok(self.index.get_or_init(|| SearchIndex::new(catalog)))
    }

    /// Returns what `check` needs of the `--catalog` file's cache entry when it has it and the catalog
    /// has not been loaded, so `check` can run without decoding the catalog.
    pub fn cached_check(&self) -> Option<crate::cache::CheckData> {
        if self.catalog.get().is_some() {
            return None;
        }
        self.file.borrow_mut().as_mut()?.cached_check()
    }

    /// Loads the catalog and hands it over with its search index when the cache has one or loading
    /// built one.
    pub fn into_parts(self) -> Result<(Catalog, Option<SearchIndex>), InputError> {
        self.catalog()?;
        if self.index.get().is_none()
            && let Some(index) = self.file.borrow_mut().as_mut().and_then(CatalogFile::cached_index)
        {
            let _ = self.index.set(index);
        }
        let catalog = self.catalog.into_inner().expect("the catalog was just loaded");
        Ok((catalog, self.index.into_inner()))
    }
}

/// Runs one subcommand.
pub fn run(command: &Command, context: &Context) -> Result<(), Error> {
    match command {
        Command::Check(args) => check::run(args, context),
        Command::Search(args) => search::run(args, context),
        Command::Policy(args) => policy::run(args, context),
        Command::Lint(args) => lint::run(args, context),
        Command::Lookup(args) => lookup::run(args, context),
        Command::Diff(args) => diff::run(args, context),
        Command::Catalog(args) => catalog::run(args, context),
    }
}

/// Writes to stdout. A closed pipe (`permscope search x | head -1`) ends the output quietly.
pub fn emit(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Write { path: STANDARD_OUTPUT.into(), source: e })
        }
        _ => Ok(()),
    }
}

/// Writes to stdout through `write`, in pieces, for output too large to build as one string first.
/// A closed pipe ends the output quietly, as in [`emit`].
pub fn emit_streamed(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Error> {
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Write { path: STANDARD_OUTPUT.into(), source: e })
        }
        _ => Ok(()),
    }
}

/// Pretty JSON with a final newline, with every control character in it escaped.
pub fn to_json_text(value: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(value).expect("a JSON value always serializes");
    let mut text = crate::text::escape_controls_in_json(&text).into_owned();
    text.push('\n');
    text
}
