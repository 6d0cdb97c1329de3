//! `permscope policy`: the least-privilege policy for chosen actions and APIs.

use std::collections::BTreeSet;
use std::path::Path;

use super::{Context, Error, args::FormatArg, args::PolicyArgs, emit};
use crate::action::ActionPattern;
use crate::catalog::Catalog;
use crate::formats::{ExportOptions, Format, render};
use crate::fsutil::write_atomic;
use crate::policy::{MAX_CHARS, Policy};
use crate::suggest::nearest;

pub fn run(args: &PolicyArgs, context: &Context) -> Result<(), Error> {
    if args.grants.is_empty() && args.apis.is_empty() {
        return Err(Error::usage(
            "nothing to grant",
            Some("name actions with --grant ACTION or APIs with --api \"METHOD PATH\"".into()),
        ));
    }
    let catalog = context.catalog()?;
    let known = catalog.actions();
    let mut actions = BTreeSet::new();
    for grant in &args.grants {
        actions.insert(resolve_grant(grant, &known)?);
    }
    for api in &args.apis {
        let index = resolve_api(api, catalog)?;
        actions.extend(catalog.apis[index].actions.iter().cloned());
    }

    let policy = Policy::allowing(actions);
    let format = export_format(args.format);
    if !format.needs_name() && (args.name.is_some() || args.description.is_some()) {
        return Err(Error::usage(
            "--name and --description apply only to --format iam-api and --format terraform",
            Some("drop them, or choose one of those formats".into()),
        ));
    }
    let options = ExportOptions { name: args.name.clone(), description: args.description.clone() };
    let text = render(&policy, format, &options).map_err(|e| Error::usage(e.to_string(), Some(e.fix().to_owned())))?;
    match &args.output {
        None => emit(&text),
        Some(path) => {
            write_atomic(Path::new(path), text.as_bytes()).map_err(|source| Error::Write { path: path.clone(), source })?;
            eprintln!("wrote {path} ({} of {MAX_CHARS} characters)", policy.char_count());
            Ok(())
        }
    }
}

fn export_format(format: FormatArg) -> Format {
    match format {
        FormatArg::Json => Format::Json,
        FormatArg::IamApi => Format::IamApi,
        FormatArg::Terraform => Format::Terraform,
    }
}

/// Accepts a catalog action, or a pattern that matches at least one catalog action.
fn resolve_grant(grant: &str, known: &[String]) -> Result<String, Error> {
    let pattern = ActionPattern::parse(grant).map_err(|e| {
        Error::usage(format!("invalid action {grant:?}: {e}"), Some("write service:resourceType:operation, such as evs:snapshots:get".into()))
    })?;
    if pattern.has_wildcard() {
        if known.iter().any(|a| pattern.matches(a)) {
            return Ok(grant.to_owned());
        }
        let message = format!("the pattern {grant:?} matches no action in the catalog");
        return Err(Error::usage(message, Some(list_actions(known))));
    }
    if let Some(action) = known.iter().find(|a| a.eq_ignore_ascii_case(grant)) {
        return Ok(action.clone());
    }
    let suggestions = nearest(grant, known.iter().map(String::as_str), 3);
    let fix = if suggestions.is_empty() {
        list_actions(known)
    } else {
        format!("did you mean {}?", suggestions.join(" or "))
    };
    Err(Error::usage(format!("unknown action {grant:?}: no catalog API needs it"), Some(fix)))
}

/// Names the catalog's actions for a fix, the first ten when there are more.
fn list_actions(known: &[String]) -> String {
    const SHOWN: usize = 10;
    if known.len() <= SHOWN {
        return format!("the catalog's actions are {} (`permscope catalog actions` lists them)", known.join(", "));
    }
    format!(
        "the catalog's actions include {}, and {} more; `permscope catalog actions` lists them all",
        known[..SHOWN].join(", "),
        known.len() - SHOWN
    )
}

/// Finds the API named by "METHOD PATH", where PATH is the catalog's path template or an alias.
fn resolve_api(text: &str, catalog: &Catalog) -> Result<usize, Error> {
    let mut parts = text.split_whitespace();
    let (Some(method), Some(path), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Error::usage(
            format!("invalid API {text:?}"),
            Some("write the method and path template, such as \"GET /v2/{project_id}/snapshots\"".into()),
        ));
    };
    if let Some(index) = catalog.find(method, path) {
        return Ok(index);
    }
    let keys: Vec<String> = catalog
        .apis
        .iter()
        .flat_map(|api| api.templates().map(|t| format!("{} {t}", api.method)).collect::<Vec<_>>())
        .collect();
    let wanted = format!("{} {path}", method.to_uppercase());
    let suggestions = nearest(&wanted, keys.iter().map(String::as_str), 3);
    let fix = if suggestions.is_empty() {
        "find the API with `permscope search QUERY`, then copy its method and path".to_owned()
    } else {
        format!("did you mean {}?", suggestions.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(" or "))
    };
    Err(Error::usage(format!("unknown API {text:?}: not in the catalog"), Some(fix)))
}
