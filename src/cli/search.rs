//! `permscope search QUERY`: catalog APIs ranked by fuzzy match.

use serde_json::json;

use super::{Context, Error, args::SearchArgs, emit, to_json_text};
use crate::text::{escape_controls, fit, width};

pub fn run(args: &SearchArgs, context: &Context) -> Result<(), Error> {
    let query = args.query.join(" ");
    let index = context.search_index();
    // The output shows no highlights, so rank without computing them.
    let mut hits = index.rank(&query);
    let matched = hits.len();
    if let Some(limit) = args.limit {
        hits.truncate(limit);
    }
    let apis = &context.catalog.apis;

    if args.json {
        let results: Vec<_> = hits
            .iter()
            .map(|hit| {
                let api = &apis[hit.api];
                json!({
                    "name": {"zh": api.name.zh, "en": api.name.en},
                    "method": api.method,
                    "path": api.path,
                    "score": hit.score,
                })
            })
            .collect();
        return emit(&to_json_text(&json!({ "results": results })));
    }

    if matched == 0 {
        return emit(&format!("no API matches {:?}\n", escape_controls(&query).as_ref()));
    }
    let path_width = hits.iter().map(|h| width(&apis[h.api].path)).max().unwrap_or(4).min(72);
    let mut out = String::new();
    for hit in &hits {
        let api = &apis[hit.api];
        out.push_str(&format!(
            "{:>5}  {}  {}  {}\n",
            hit.score,
            fit(&api.method, 6),
            fit(&escape_controls(&api.path), path_width),
            escape_controls(api.name.get(context.lang))
        ));
    }
    emit(&out)
}
