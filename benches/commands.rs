//! Whole-command benchmarks: the release binary run as a user runs it, on a synthetic catalog of
//! 100,000 APIs (`permscope catalog synth 100000 --seed 1`) and a policy at Huawei's limits
//! ([`policy_at_limits`]). Run with `cargo bench --bench commands`; BENCHMARKS.md records the results
//! and targets.
//!
//! Each command runs with a private, empty catalog cache. It runs once under GNU time for its peak
//! resident memory on a first run, which parses the JSON and fills the cache, and once more for its
//! peak on a cached run. Then it runs [`RUNS`] times, timed from spawn to exit with stdout on
//! /dev/null. Runs without the cache (`--no-cache`, parsing the JSON every time) are timed
//! [`UNCACHED_RUNS`] times for comparison. `cargo bench --bench commands -- NAME` runs only the commands whose name contains NAME.

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
    let catalog_kib = std::fs::metadata(&catalog_path).expect("the catalog was written").len() / 1024;
    let memory_target_kib = 3 * catalog_kib + 20 * 1024;
    println!("{APIS} APIs, policy of 8 statements x 100 patterns; stdout to /dev/null; {RUNS} cached runs each");
    println!("memory target: at most 3 x the catalog ({catalog_kib} KiB) + 20 MiB = {memory_target_kib} KiB");
    for (i, (name, args)) in commands.iter().enumerate() {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let cache = dir.path().join(format!("cache-{i}"));
        let memory = |run: &str| match peak_memory_kib(binary, &cache, &catalog_path, args, &dir.path().join("time.txt")) {
            Some(kib) if kib <= memory_target_kib => format!("{run} {kib} KiB (within target)"),
            Some(kib) => format!("{run} {kib} KiB (OVER TARGET)"),
            None => format!("{run}: not measured, {GNU_TIME} is missing (Debian package time)"),
        };
        let (first, cached) = (memory("first run"), memory("cached"));
        println!("{name}: peak resident memory, {first}, {cached}");

        let run = |extra: &[&str]| time_run(binary, &cache, &catalog_path, extra, args);
        run(&[]);
        let cached = summary((0..RUNS).map(|_| run(&[])).collect());
        let uncached = summary((0..UNCACHED_RUNS).map(|_| run(&["--no-cache"])).collect());
        println!("{name}: cached {cached}; without the cache {uncached}");
    }
}

/// GNU time, which reports the peak resident memory of the command it runs.
const GNU_TIME: &str = "/usr/bin/time";

/// Runs `permscope --catalog CATALOG ARGS...` under GNU time with its cache in `cache`, and returns
/// its peak resident memory in KiB; `None` without GNU time. GNU time writes its report to `report`.
fn peak_memory_kib(binary: &str, cache: &Path, catalog: &Path, args: &[&str], report: &Path) -> Option<u64> {
    if !Path::new(GNU_TIME).is_file() {
        return None;
    }
    let mut time = Command::new(GNU_TIME);
    time.args(["-f", "%M", "-o"]).arg(report).arg(binary);
    let status = with_catalog(time, cache, catalog, args).status().expect("GNU time runs");
    assert!(status.success(), "permscope {args:?} failed under GNU time: {status}");
    let text = std::fs::read_to_string(report).expect("GNU time wrote its report");
    Some(text.lines().last().and_then(|line| line.trim().parse().ok()).expect("GNU time reports KiB"))
}

/// Runs `permscope --catalog CATALOG EXTRA... ARGS...` with its cache in `cache`, and returns how long
/// it took from spawn to exit.
fn time_run(binary: &str, cache: &Path, catalog: &Path, extra: &[&str], args: &[&str]) -> Duration {
    let mut command = with_catalog(Command::new(binary), cache, catalog, &[extra, args].concat());
    let start = Instant::now();
    let status = command.status().expect("permscope runs");
    let elapsed = start.elapsed();
    assert!(status.success(), "permscope {args:?} failed: {status}");
    elapsed
}

/// Adds `--catalog CATALOG ARGS...` to `command`, which runs permscope directly or through GNU time,
/// with the catalog cache in `cache` and the output discarded.
fn with_catalog(mut command: Command, cache: &Path, catalog: &Path, args: &[&str]) -> Command {
    command.env("XDG_CACHE_HOME", cache).arg("--catalog").arg(catalog).args(args);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    command
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
