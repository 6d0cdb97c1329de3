//! Replays the saved fuzz inputs through the fuzz target bodies in `permscope::fuzz`, the same checks
//! libFuzzer runs, so a fixed crash stays fixed without libFuzzer or a nightly toolchain.
//!
//! `fuzz/regressions/<target>/` contains every input that once made a target fail, and
//! `scripts/fuzz.sh` prints the command that copies a new one there. `fuzz/corpus/<target>/` contains
//! the hand-written seeds.

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

use permscope::fuzz::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Returns the files in `dir`, sorted, or none when `dir` does not exist.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|entry| entry.expect("read a directory entry").path()).collect();
    files.sort();
    files
}

/// Runs every file under `<root>/<target>/` through its target's body and returns the number of
/// files run. Fails naming each file whose body panicked, after the panic messages.
fn replay_all(root: &Path) -> usize {
    let mut failed = Vec::new();
    let mut count = 0;
    for (name, body) in TARGETS {
        for file in files_in(&root.join(name)) {
            let data = fs::read(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            count += 1;
            if panic::catch_unwind(|| body(&data)).is_err() {
                failed.push(format!("{name}: {}", file.display()));
            }
        }
    }
    assert!(failed.is_empty(), "{} inputs fail their fuzz target:\n{}", failed.len(), failed.join("\n"));
    count
}

#[test]
fn regression_inputs_pass() {
    let count = replay_all(&fuzz_dir().join("regressions"));
    assert!(count >= 1, "no input under fuzz/regressions/<target>/ was found");
}

#[test]
fn corpus_seeds_pass() {
    replay_all(&fuzz_dir().join("corpus"));
}

#[test]
fn every_target_has_seeds() {
    for (name, _) in TARGETS {
        let seeds = files_in(&fuzz_dir().join("corpus").join(name));
        assert!(!seeds.is_empty(), "fuzz/corpus/{name}/ has no seed inputs");
    }
}

/// A folder with a misspelled name would be skipped without a word, so every folder must name a target.
#[test]
fn regression_folders_name_targets() {
    for path in files_in(&fuzz_dir().join("regressions")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file() {
            assert_eq!(name, "README.md", "fuzz/regressions/{name} is a file outside a target folder");
            continue;
        }
        assert!(TARGETS.iter().any(|(target, _)| *target == name), "fuzz/regressions/{name}/ names no fuzz target");
    }
}

/// The binaries in fuzz/fuzz_targets/ and the bodies in `TARGETS` must be the same set, so every
/// target that libFuzzer runs is also replayed here.
#[test]
fn targets_match_fuzz_binaries() {
    let mut binaries: Vec<String> = files_in(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    binaries.sort();
    let mut bodies: Vec<String> = TARGETS.iter().map(|(name, _)| (*name).to_owned()).collect();
    bodies.sort();
    assert_eq!(binaries, bodies);
}
