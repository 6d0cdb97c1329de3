use std::process::ExitCode;

use clap::Parser;

use permscope::cache::{CatalogCache, CatalogFile};
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
    let context = match &args.catalog {
        Some(path) => {
            let cache = if args.no_cache { None } else { CatalogCache::for_user() };
            Context::from_file(CatalogFile::open(path, cache), lang)
        }
        None => Context::builtin(lang),
    };
    let result = match &args.command {
        Some(command) => {
            let result = cli::run(command, &context);
            // Freeing a large catalog string by string takes milliseconds that the exiting process gives
            // back to the system at once anyway.
            std::mem::forget(context);
            result
        }
        None => match context.into_parts() {
            Ok((catalog, index)) => permscope::tui::run(permscope::tui::Options { catalog, index, lang, policy_path: args.policy }),
            Err(e) => Err(cli::Error::Input(e)),
        },
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
