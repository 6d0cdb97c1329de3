//! Whole-command benchmarks: the release binary run as a user runs it, on a synthetic catalog of
//! 100,000 APIs (`permscope catalog synth 100000 --seed 1`) and a policy at Huawei's limits
//! ([`policy_at_limits`]). Run with `cargo bench --bench commands`; BENCHMARKS.md records the results
//! and targets.
//!
//! Each command runs with a private catalog cache, first once untimed to fill the cache,
//! then [`RUNS`] times, timed from spawn to exit with stdout on /dev/null. A run without the cache
//! (`--no-cache`, parsing the JSON every time) is timed [`UNCACHED_RUNS`] times for comparison.
//! `cargo bench --bench commands -- NAME` times only the commands whose name contains NAME.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use permscope::synth::{policy_at_limits, synthesize};

/// Timed runs of each command with the cache.
const RUNS: usize = 21;

/// Timed runs of each command without the cache.
const UNCACHED_RUNS: usize = 5;

/// APIs in the benchmark catalog.
const APIS: usize = 100_000;

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let catalog_path = dir.path().join("catalog.json");
    let policy_path = dir.path().join("policy.json");
    let binary = env!("CARGO_BIN_EXE_permscope");

    let status = Command::new(binary)
        .args(["catalog", "synth", &APIS.to_string(), "--seed", "1", "-o"])
        .arg(&catalog_path)
        .stderr(Stdio::null())
        .status()
        .expect("permscope runs");
    assert!(status.success(), "catalog synth failed");
    let policy = policy_at_limits(&synthesize(APIS, 1));
    let policy_text = serde_json::to_string_pretty(&policy.to_json()).expect("a policy serializes");
    std::fs::write(&policy_path, policy_text).expect("the policy is written");

    let policy = policy_path.to_str().expect("a UTF-8 temporary path");
    let commands: [(&str, Vec<&str>); 4] = [
        ("check (table)", vec!["check", policy]),
        ("check --scope enterprise (table)", vec!["check", "--scope", "enterprise", policy]),
        ("check --json", vec!["check", "--json", policy]),
        ("search snapshot", vec!["search", "snapshot"]),
    ];
    println!("{APIS} APIs, policy of 8 statements x 100 patterns; stdout to /dev/null; {RUNS} cached runs each");
    for (name, args) in commands {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let cache = dir.path().join("cache");
        let run = |extra: &[&str]| time_run(binary, &cache, &catalog_path, extra, &args);
        run(&[]);
        let cached = summary((0..RUNS).map(|_| run(&[])).collect());
        let uncached = summary((0..UNCACHED_RUNS).map(|_| run(&["--no-cache"])).collect());
        println!("{name}: cached {cached}; without the cache {uncached}");
    }
}

/// Runs `permscope --catalog CATALOG EXTRA... ARGS...` with its cache in `cache`, and returns how long
/// it took from spawn to exit.
fn time_run(binary: &str, cache: &Path, catalog: &Path, extra: &[&str], args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new(binary)
        .env("XDG_CACHE_HOME", cache)
        .arg("--catalog")
        .arg(catalog)
        .args(extra)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("permscope runs");
    let elapsed = start.elapsed();
    assert!(status.success(), "permscope {args:?} failed: {status}");
    elapsed
}

/// Formats the median, fastest and slowest of `times`.
fn summary(mut times: Vec<Duration>) -> String {
    times.sort_unstable();
    let millis = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    format!(
        "median {}, fastest {}, slowest {} over {} runs",
        millis(times[times.len() / 2]),
        millis(times[0]),
        millis(times[times.len() - 1]),
        times.len()
    )
}
