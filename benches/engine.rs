//! Engine benchmarks on synthetic catalogs of 20,000 and 100,000 APIs (`permscope catalog synth`,
//! seed 1). Run with `cargo bench --bench engine`; BENCHMARKS.md records the results and targets.
//!
//! Before divan's benchmarks run, a keystroke simulation types each query of [`QUERIES`] one character
//! at a time, as a user of the explorer would, and prints the median and 95th percentile time per
//! keystroke. Each keystroke ranks the complete result list and highlights the first
//! [`VISIBLE_ROWS`] rows, which is the work the explorer does per key.

mod common;

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use divan::Bencher;
use permscope::catalog::{Catalog, Scope};
use permscope::eval::{ActionTable, Evaluator, evaluate};
use permscope::policy::Policy;
use permscope::search::{IncrementalSearch, SearchIndex};
use permscope::synth::{policy_at_limits, synthesize};

use common::QUERIES;

/// Rows an explorer window shows at once, highlighted per keystroke.
const VISIBLE_ROWS: usize = 50;

/// Rounds of typing every query, per catalog size, in the keystroke simulation.
const ROUNDS: usize = 5;

static CATALOG_20K: LazyLock<Catalog> = LazyLock::new(|| synthesize(20_000, 1));
static CATALOG_100K: LazyLock<Catalog> = LazyLock::new(|| synthesize(100_000, 1));
static INDEX_20K: LazyLock<SearchIndex> = LazyLock::new(|| SearchIndex::new(&CATALOG_20K));
static INDEX_100K: LazyLock<SearchIndex> = LazyLock::new(|| SearchIndex::new(&CATALOG_100K));
static POLICY_AT_LIMITS: LazyLock<Policy> = LazyLock::new(|| policy_at_limits(&CATALOG_100K));

fn main() {
    // `cargo bench --bench engine -- NAME` runs only the divan benchmarks matching NAME; the keystroke
    // simulation runs when there is no filter or the filter is "keystrokes".
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if filters.is_empty() || filters.iter().any(|f| f == "keystrokes") {
        for (name, index) in [("20,000", &*INDEX_20K), ("100,000", &*INDEX_100K)] {
            report_keystrokes(name, index, true);
            report_keystrokes(name, index, false);
        }
    }
    if filters.is_empty() || filters.iter().any(|f| f == "check") {
        report_check();
    }
    divan::main();
}

/// Times `evaluate` on the main thread, dropping each result before the next run.
fn report_check() {
    let (catalog, policy) = (&*CATALOG_100K, &*POLICY_AT_LIMITS);
    let mut times = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        let verdicts = evaluate(catalog, policy, Scope::Project);
        times.push(start.elapsed());
        drop(divan::black_box(verdicts));
    }
    times.sort_unstable();
    println!("check, 100,000 APIs, main thread: median {}, fastest {}", millis(times[times.len() / 2]), millis(times[0]));
}

/// Types every query a character at a time and prints the median and 95th percentile per keystroke.
fn report_keystrokes(catalog_name: &str, index: &SearchIndex, incremental: bool) {
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        for query in QUERIES {
            let mut search = IncrementalSearch::new();
            for prefix in prefixes(query) {
                let start = Instant::now();
                let shown: Vec<usize> = if incremental {
                    search.search(index, prefix).iter().take(VISIBLE_ROWS).map(|r| r.api).collect()
                } else {
                    index.rank(prefix).iter().take(VISIBLE_ROWS).map(|r| r.api).collect()
                };
                for api in shown {
                    divan::black_box(index.highlights(api, prefix));
                }
                times.push(start.elapsed());
            }
        }
    }
    times.sort_unstable();
    let percentile = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    println!(
        "keystrokes, {catalog_name} APIs, {}: median {}, p95 {}, max {} over {} keystrokes",
        if incremental { "incremental search" } else { "full search per key" },
        millis(percentile(50)),
        millis(percentile(95)),
        millis(*times.last().expect("keystrokes were timed")),
        times.len()
    );
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// Lists every prefix of `query` that ends on a character boundary, shortest first.
fn prefixes(query: &str) -> impl Iterator<Item = &str> {
    query.char_indices().skip(1).map(|(i, _)| &query[..i]).chain(std::iter::once(query))
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn check_100k_at_limits(bencher: Bencher) {
    let (catalog, policy) = (&*CATALOG_100K, &*POLICY_AT_LIMITS);
    bencher.bench(|| evaluate(catalog, policy, Scope::Project));
}

/// Measures what a grant toggled in the explorer costs on 100,000 APIs: the action table is built once
/// with the catalog, so each evaluation matches the distinct actions and gathers every API's verdict.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn check_100k_prebuilt_table(bencher: Bencher) {
    let (catalog, policy) = (&*CATALOG_100K, &*POLICY_AT_LIMITS);
    let table = ActionTable::new(catalog);
    bencher.bench(|| table.evaluate(catalog, &Evaluator::new(policy), Scope::Project));
}

/// Measures the per-action half of `check`: compile the policy and evaluate each distinct action once.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn check_100k_distinct_actions(bencher: Bencher) {
    let actions = CATALOG_100K.actions();
    let policy = &*POLICY_AT_LIMITS;
    bencher.bench(|| {
        let evaluator = Evaluator::new(policy);
        actions.iter().map(|action| evaluator.status(action)).collect::<Vec<_>>()
    });
}

/// The same texts scored by fuzzy-matcher's skim algorithm and by nucleo-matcher, as the search did
/// before and does now: every English name, path and action of the 100,000 APIs, for one query.
#[divan::bench(args = ["skim", "nucleo"], sample_count = 10, sample_size = 1)]
fn scorer_100k(bencher: Bencher, scorer: &str) {
    use fuzzy_matcher::FuzzyMatcher;

    let texts: Vec<&str> = CATALOG_100K
        .apis
        .iter()
        .flat_map(|api| [api.name.en.as_str(), api.path.as_str()].into_iter().chain(api.actions.iter().map(String::as_str)))
        .collect();
    let query = "delete";
    match scorer {
        "skim" => {
            let matcher = fuzzy_matcher::skim::SkimMatcherV2::default().ignore_case();
            bencher.bench(|| texts.iter().filter_map(|text| matcher.fuzzy_match(text, query)).sum::<i64>());
        }
        _ => {
            let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
            let needle = nucleo_matcher::Utf32Str::Ascii(query.as_bytes());
            bencher.bench_local(|| {
                let mut buffer = Vec::new();
                texts
                    .iter()
                    .filter_map(|text| matcher.fuzzy_match(nucleo_matcher::Utf32Str::new(text, &mut buffer), needle))
                    .map(u64::from)
                    .sum::<u64>()
            });
        }
    }
}

#[divan::bench(args = QUERIES, sample_count = 10, sample_size = 1)]
fn rank_100k(bencher: Bencher, query: &str) {
    let index = &*INDEX_100K;
    bencher.bench(|| index.rank(query));
}

#[divan::bench(args = ["snapshot", "cjyfwq", "delete tags"], sample_count = 5, sample_size = 1)]
fn search_with_highlights_100k(bencher: Bencher, query: &str) {
    let index = &*INDEX_100K;
    bencher.bench(|| index.search(query));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn build_index_100k(bencher: Bencher) {
    let catalog = &*CATALOG_100K;
    bencher.bench(|| SearchIndex::new(catalog));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn parse_catalog_100k(bencher: Bencher) {
    let text = serde_json::to_string_pretty(&*CATALOG_100K).expect("a catalog serializes");
    bencher.bench(|| Catalog::parse("bench.json", &text).expect("the synthetic catalog is valid"));
}
