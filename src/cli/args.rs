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

    /// Parse the --catalog file without reading or writing the catalog cache
    #[arg(long, global = true)]
    pub no_cache: bool,

    /// Language of API names and of the explorer [default: zh when LC_ALL, LC_MESSAGES or LANG starts with zh, else en]
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,

    /// Policy JSON file whose grants the explorer starts from
    #[arg(long, value_name = "FILE")]
    pub policy: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Names the arguments given as `-`, each of which reads all of standard input.
    pub fn stdin_arguments(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.catalog.as_deref() == Some("-") {
            names.push("--catalog");
        }
        if self.policy.as_deref() == Some("-") {
            names.push("--policy");
        }
        match &self.command {
            Some(Command::Check(check)) if check.policy == "-" => names.push("POLICY"),
            Some(Command::Lint(lint)) if lint.policy == "-" => names.push("POLICY"),
            Some(Command::Lookup(lookup)) => {
                names.extend(lookup.requests.iter().filter(|r| *r == "-").map(|_| "REQUEST"));
            }
            Some(Command::Diff(diff)) => {
                if diff.old == "-" {
                    names.push("OLD");
                }
                if diff.new == "-" {
                    names.push("NEW");
                }
            }
            _ => {}
        }
        names
    }
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
    /// Review a policy file: errors Huawei would reject and warnings about likely mistakes
    #[command(long_about = LINT_ABOUT)]
    Lint(LintArgs),
    /// Find the catalog API, actions and scopes behind concrete requests copied from a log or an error
    #[command(long_about = LOOKUP_ABOUT)]
    Lookup(LookupArgs),
    /// Compare two policies: APIs that become or stop being callable, and the actions added and removed
    #[command(long_about = DIFF_ABOUT)]
    Diff(DiffArgs),
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

    /// Show at most this many results (1 or more)
    #[arg(long, value_name = "N", value_parser = result_count, allow_negative_numbers = true)]
    pub limit: Option<usize>,
}

/// Parses a `--limit`: a whole number of 1 or more, because a limit of 0 would print nothing.
fn result_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("the limit must be 1 or more; leave --limit out to show every match".into()),
        Ok(count) => Ok(count),
        Err(e) => Err(format!("{e}; give a whole number of 1 or more")),
    }
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

    /// Output format: the policy document, the IAM API request body, or a Terraform resource
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    pub format: FormatArg,

    /// Custom policy name (1 to 128 characters), required by --format iam-api and terraform
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Custom policy description, required by --format iam-api and terraform
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FormatArg {
    /// The policy document
    #[default]
    Json,
    /// The body of the IAM request that creates a custom policy (POST /v3.0/OS-ROLE/roles)
    IamApi,
    /// A huaweicloud_identity_role resource for Terraform
    Terraform,
}

const LINT_ABOUT: &str = "Review a policy file: errors Huawei would reject and warnings about likely mistakes.

Each finding is printed as FILE:LINE:COLUMN: SEVERITY[CODE]: MESSAGE, followed by an indented fix when \
one is known. Findings about the whole policy point at its opening brace. In --json output, statement \
and action are 0-based indexes.

Exit status: 0 when no finding is at or above --fail-on; 1 when some are (invalid JSON is the finding \
json-syntax, so it counts here); 2 when the file cannot be read at all (missing, a directory, not \
UTF-8, or larger than 8 MiB).";

const LOOKUP_ABOUT: &str = "Find the catalog API, actions and scopes behind concrete requests.

A request is [METHOD] TARGET, where TARGET is a path (/v3/0a1b/snapshots/5e6f?force=true) or a full \
URL; a trailing HTTP/1.1 is ignored. Scheme, host, query string, fragment and a trailing slash are \
ignored. A {param} segment of a template matches one non-empty path segment and literal segments \
compare exactly; the method compares case-insensitively. When several templates match, the one with \
the most literal segments wins for each method, so /snapshots/detail is the detail list, not a \
snapshot ID. Without a method, every method's matching API is listed.

With --policy, every request must match one API, or several that need the same actions; a request \
without a method that matches APIs needing different actions prints no policy.

A request that cannot be parsed (an unknown method, a target that is neither a path nor a URL, too \
many words) rejects the whole input: the first 20 invalid requests are listed on stderr with their \
argument number or standard input line and column, and nothing is printed on stdout.

Exit status: 0 when every request matches an API; 1 when some request matches none (it is reported with \
the closest template) or has no single API for --policy; 2 when a request is invalid or standard \
input cannot be read.";

const DIFF_ABOUT: &str = "Compare two policies as a reviewer reads a change.

Lists the catalog APIs that become callable, stop being callable, or change to or from conditional \
in the chosen scope; the action patterns added and removed per effect (after normalization, so \
reordering and letter case do not count); and every catalog action whose evaluated status changes.

Exit status: 0 whether or not the policies differ, unless --exit-code is given; then 1 when they \
differ. 2 when a policy cannot be read or is invalid.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FailOnArg {
    /// Fail only on errors, which Huawei would reject
    #[default]
    Error,
    /// Fail on warnings too
    Warning,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy JSON file, or - for standard input
    #[arg(value_name = "POLICY")]
    pub policy: String,

    /// Print one JSON object instead of one line per finding
    #[arg(long)]
    pub json: bool,

    /// Lowest severity that makes the exit status 1
    #[arg(long, value_enum, default_value_t = FailOnArg::Error)]
    pub fail_on: FailOnArg,
}

#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Requests such as "DELETE /v3/0a1b/snapshots/5e6f" or a full URL; - reads one request per line from standard input (blank lines and # comments are skipped)
    #[arg(value_name = "REQUEST", required = true, num_args = 1..)]
    pub requests: Vec<String>,

    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,

    /// Print the least-privilege policy that allows every request instead of the matches (with --json, add it as "policy")
    #[arg(long)]
    pub policy: bool,

    /// Skip requests that cannot be parsed, with a warning each, instead of rejecting the whole input; for access logs with probes and "-" requests
    #[arg(long)]
    pub skip_invalid: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The policy before the change, or - for standard input
    #[arg(value_name = "OLD")]
    pub old: String,

    /// The policy after the change, or - for standard input
    #[arg(value_name = "NEW")]
    pub new: String,

    /// Scope the policies are granted in
    #[arg(long, value_enum, default_value_t = ScopeArg::Project)]
    pub scope: ScopeArg,

    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,

    /// Exit with status 1 when the policies differ, as `git diff --exit-code` does
    #[arg(long)]
    pub exit_code: bool,
}
