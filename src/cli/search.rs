//! `permscope search QUERY`: catalog APIs ranked by fuzzy match.

use serde_json::json;

use super::{Context, Error, args::SearchArgs, emit, to_json_text};
use crate::catalog::method_columns;
use crate::text::{escape_controls, pad, width};

pub fn run(args: &SearchArgs, context: &Context) -> Result<(), Error> {
    let query = args.query.join(" ");
    // Names, methods and paths come from the index, so a cached catalog is never decoded here.
    let index = context.search_index()?;
    // The output shows no highlights, so rank without computing them.
    let mut hits = index.rank(&query);
    let matched = hits.len();
    if let Some(limit) = args.limit {
        hits.truncate(limit);
    }

    if args.json {
        let results: Vec<_> = hits
            .iter()
            .map(|hit| {
                let (zh, en) = index.api_names(hit.api);
                json!({
                    "name": {"zh": zh, "en": en},
                    "method": index.api_method(hit.api),
                    "path": index.api_path(hit.api),
                    "score": hit.score,
                })
            })
            .collect();
        return emit(&to_json_text(&json!({ "results": results })));
    }

    if matched == 0 {
        return emit(&format!("no API matches {:?}\n", escape_controls(&query).as_ref()));
    }
    let path_width = hits.iter().map(|h| width(index.api_path(h.api))).max().unwrap_or(4).min(72);
    let method_width = method_columns(hits.iter().map(|h| index.api_method(h.api)));
    let mut out = String::new();
    for hit in &hits {
        out.push_str(&format!(
            "{:>5}  {}  {}  {}\n",
            hit.score,
            pad(index.api_method(hit.api), method_width),
            pad(&escape_controls(index.api_path(hit.api)), path_width),
            escape_controls(index.api_name(hit.api, context.lang))
        ));
    }
    emit(&out)
}
