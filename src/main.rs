use std::process::ExitCode;

use clap::Parser;

use permscope::catalog::Catalog;
use permscope::cli::{self, Cli, Context};

fn main() -> ExitCode {
    if std::env::args_os().nth(1).is_some_and(|arg| arg == permscope::tui::clipboard::SERVE_ARG) {
        return ExitCode::from(permscope::tui::clipboard::serve());
    }
    let args = Cli::parse();
    let lang = args.lang.map(Into::into).unwrap_or_else(permscope::locale::from_env);
    let stdin_arguments = args.stdin_arguments();
    if let [first @ .., last] = stdin_arguments.as_slice()
        && !first.is_empty()
    {
        let both = if first.len() == 1 { "both" } else { "all" };
        let message = format!(
            "standard input can be read only once, but {} and {last} are {both} `-`",
            first.join(", ")
        );
        return fail(&cli::Error::usage(message, Some("save all but one of them to a file".into())));
    }
    let catalog = match &args.catalog {
        Some(path) => match Catalog::load(path) {
            Ok(catalog) => catalog,
            Err(e) => return fail(&cli::Error::Input(e)),
        },
        None => Catalog::builtin(),
    };
    let context = Context { catalog, lang };
    let result = match &args.command {
        Some(command) => cli::run(command, &context),
        None => permscope::tui::run(permscope::tui::Options { catalog: context.catalog, lang, policy_path: args.policy }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(error: &cli::Error) -> ExitCode {
    let message = error.to_string();
    if !message.is_empty() {
        eprintln!("permscope: error: {message}");
    }
    ExitCode::from(error.exit_code())
}
