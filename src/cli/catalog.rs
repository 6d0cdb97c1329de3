//! `permscope catalog ...`: import Huawei's permission pages, validate catalogs, make synthetic ones, and
//! list a catalog's actions and APIs.

use std::collections::BTreeSet;
use std::path::Path;

use clap::{Args, Subcommand};
use serde_json::json;

use super::{Context, Error, emit, to_json_text};
use crate::catalog::Catalog;
use crate::fsutil::write_atomic;
use crate::import::{Importer, MAX_PAGE_BYTES};
use crate::synth::{MAX_APIS, synthesize};
use crate::text::{escape_controls, pad, width};

#[derive(Debug, Args)]
pub struct CatalogArgs {
    #[command(subcommand)]
    pub command: CatalogCommand,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Build a catalog from Huawei's "permissions and supported actions" pages (HTML)
    Import(ImportArgs),
    /// Validate a catalog file and print its size
    Check(CheckArgs),
    /// Write a synthetic catalog of N made-up APIs across many services, for benchmarks and tests
    Synth(SynthArgs),
    /// List every distinct action of the catalog, sorted
    Actions(ActionsArgs),
    /// List the catalog's APIs: method, path and name
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Saved HTML pages, such as the EVS page 云硬盘快照; APIs are merged in the order given
    #[arg(value_name = "PAGE", required = true, num_args = 1..)]
    pub pages: Vec<String>,

    /// Write the catalog to this file (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<String>,

    /// Fail with exit status 2, writing nothing, when any row cannot be read
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Catalog JSON file, or - for standard input
    #[arg(value_name = "FILE")]
    pub file: String,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of APIs to generate
    #[arg(value_name = "N")]
    pub count: usize,

    /// Write the catalog to this file (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<String>,

    /// Seed of the generator; the same N and seed give the same catalog
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct ActionsArgs {
    /// Print a JSON array instead of one action per line
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &CatalogArgs, context: &Context) -> Result<(), Error> {
    match &args.command {
        CatalogCommand::Import(args) => import(args),
        CatalogCommand::Check(args) => check(args),
        CatalogCommand::Synth(args) => synth(args),
        CatalogCommand::Actions(args) => actions(args, context),
        CatalogCommand::List(args) => list(args, context),
    }
}

fn import(args: &ImportArgs) -> Result<(), Error> {
    let mut importer = Importer::new();
    for page in &args.pages {
        let text = crate::input::read_file(Path::new(page), MAX_PAGE_BYTES)?;
        importer.add_page(page, &text);
    }
    let imported = importer.finish();
    for problem in &imported.problems {
        eprintln!("permscope: warning: {}", escape_controls(&problem.to_string()));
    }
    let skipped = imported.problems.len();
    let pages = plural(imported.pages, "page", "pages");
    let Some(catalog) = imported.catalog else {
        return Err(Error::usage(
            format!("no API could be read from {pages}"),
            Some("save the service's \"permissions and supported actions\" page as HTML and pass that file".into()),
        ));
    };
    if args.strict && skipped > 0 {
        return Err(Error::usage(
            format!("{} could not be read; nothing was written (--strict)", plural(skipped, "row or table", "rows or tables")),
            Some("fix the rows listed above in the pages, or run without --strict to skip them".into()),
        ));
    }

    let text = catalog_json(&catalog);
    // The importer checks each row as the catalog validator does; this guards the written file.
    Catalog::parse("the imported catalog", &text)?;
    let mut summary = format!(
        "imported {} ({}, service {}) from {pages}",
        plural(catalog.apis.len(), "API", "APIs"),
        plural(catalog.actions().len(), "distinct action", "distinct actions"),
        catalog.service,
    );
    if skipped > 0 {
        summary.push_str(&format!("; {} reported above", plural(skipped, "problem", "problems")));
    }
    write_output(args.output.as_deref(), &text)?;
    eprintln!("permscope: {summary}");
    Ok(())
}

fn check(args: &CheckArgs) -> Result<(), Error> {
    let (name, text) = crate::input::read_text(&args.file, crate::input::MAX_CATALOG_BYTES)?;
    let catalog = Catalog::parse(&name, &text)?;
    let services: BTreeSet<&str> =
        catalog.apis.iter().flat_map(|api| api.actions.iter().filter_map(|a| a.split(':').next())).collect();
    let service_names = if services.len() <= 5 {
        format!(" ({})", services.iter().copied().collect::<Vec<_>>().join(", "))
    } else {
        String::new()
    };
    emit(&format!(
        "{}: valid catalog: {}, {}, {}{service_names}\n",
        escape_controls(&name),
        plural(catalog.apis.len(), "API", "APIs"),
        plural(catalog.actions().len(), "distinct action", "distinct actions"),
        plural(services.len(), "service", "services"),
    ))
}

fn synth(args: &SynthArgs) -> Result<(), Error> {
    if !(1..=MAX_APIS).contains(&args.count) {
        return Err(Error::usage(
            format!("cannot synthesize {} APIs", args.count),
            Some(format!("give N from 1 to {MAX_APIS}")),
        ));
    }
    let catalog = synthesize(args.count, args.seed);
    write_output(args.output.as_deref(), &catalog_json(&catalog))?;
    if let Some(path) = &args.output {
        eprintln!("wrote {path} ({}, seed {})", plural(args.count, "API", "APIs"), args.seed);
    }
    Ok(())
}

fn actions(args: &ActionsArgs, context: &Context) -> Result<(), Error> {
    let actions = context.catalog()?.actions();
    if args.json {
        return emit(&to_json_text(&json!(actions)));
    }
    let mut out = String::with_capacity(actions.iter().map(|a| a.len() + 1).sum());
    for action in &actions {
        out.push_str(action);
        out.push('\n');
    }
    emit(&out)
}

fn list(args: &ListArgs, context: &Context) -> Result<(), Error> {
    let apis = &context.catalog()?.apis;
    if args.json {
        let rows: Vec<_> = apis
            .iter()
            .map(|api| json!({"method": api.method, "path": api.path, "name": {"zh": api.name.zh, "en": api.name.en}}))
            .collect();
        return emit(&to_json_text(&json!({ "apis": rows })));
    }
    let path_width = apis.iter().map(|a| width(&a.path)).max().unwrap_or(4).min(72);
    let method_width = crate::catalog::method_columns(apis.iter().map(|a| a.method.as_str()));
    let mut out = String::new();
    for api in apis {
        out.push_str(&format!(
            "{}  {}  {}\n",
            pad(&api.method, method_width),
            pad(&escape_controls(&api.path), path_width),
            escape_controls(api.name.get(context.lang))
        ));
    }
    emit(&out)
}

/// Serializes the catalog as written to files: pretty JSON with a final newline. Field and API order are fixed,
/// so the same catalog always gives the same bytes.
fn catalog_json(catalog: &Catalog) -> String {
    let mut text = serde_json::to_string_pretty(catalog).expect("a catalog always serializes");
    text.push('\n');
    text
}

fn write_output(path: Option<&str>, text: &str) -> Result<(), Error> {
    match path {
        None => emit(text),
        Some(path) => write_atomic(Path::new(path), text.as_bytes()).map_err(|source| Error::Write { path: path.to_owned(), source }),
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
