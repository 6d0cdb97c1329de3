//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::catalog::{Lang, Scope};

#[derive(Debug, Parser)]
#[command(
    name = "permscope",
    version,
    about = "Find which Huawei Cloud IAM actions an API needs and write least-privilege policies",
    long_about = "Find which Huawei Cloud IAM actions an API needs and write least-privilege policies.\n\n\
        Without a subcommand, opens the full-screen explorer over the catalog."
)]
pub struct Cli {
    /// Catalog JSON file to use instead of the built-in EVS snapshot catalog
    #[arg(long, global = true, value_name = "FILE")]
    pub catalog: Option<String>,

    /// Language of API names and of the explorer [default: zh when LC_ALL, LC_MESSAGES or LANG starts with zh, else en]
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,

    /// Policy JSON file whose grants the explorer starts from
    #[arg(long, value_name = "FILE")]
    pub policy: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(value: LangArg) -> Lang {
        match value {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ScopeArg {
    /// Granted in IAM for a project
    #[default]
    Project,
    /// Granted through an enterprise project
    Enterprise,
}

impl From<ScopeArg> for Scope {
    fn from(value: ScopeArg) -> Scope {
        match value {
            ScopeArg::Project => Scope::Project,
            ScopeArg::Enterprise => Scope::Enterprise,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report which catalog APIs a policy makes callable, and why the others are not
    Check(CheckArgs),
    /// Fuzzy-search the catalog by name (Chinese, pinyin or English), method, path or action
    Search(SearchArgs),
    /// Print the least-privilege policy for the given actions and APIs
    Policy(PolicyArgs),
    /// Import, validate, generate and list catalogs
    Catalog(super::catalog::CatalogArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Policy JSON file, or - for standard input
    #[arg(value_name = "POLICY")]
    pub policy: String,

    /// Scope the policy is granted in
    #[arg(long, value_enum, default_value_t = ScopeArg::Project)]
    pub scope: ScopeArg,

    /// Print one JSON object instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Search terms; every space-separated term must match
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,

    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,

    /// Show at most this many results
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Action or action pattern to allow, such as evs:snapshots:get or evs:snapshots:*; repeatable
    #[arg(long = "grant", value_name = "ACTION")]
    pub grants: Vec<String>,

    /// API whose required actions to allow, as "METHOD PATH" with the path template from the catalog; repeatable
    #[arg(long = "api", value_name = "METHOD PATH")]
    pub apis: Vec<String>,

    /// Write the policy to this file (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<String>,
}
