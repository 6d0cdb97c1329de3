//! The catalog cache through the real binary: a large `--catalog` file is parsed once, later runs read
//! the cached copy and print the same results, and a cache that cannot be written costs only a warning.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

/// A synthetic catalog of 4,000 APIs is about 1.5 MiB, above the 1 MiB below which nothing is cached.
const APIS: &str = "4000";

fn permscope(cache_home: &Path) -> Command {
    let mut command = Command::cargo_bin("permscope").unwrap();
    command.env("HOME", cache_home).env("XDG_CACHE_HOME", cache_home.join("cache")).env_remove("LANG").env_remove("LC_ALL");
    command
}

fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

fn entries(cache_home: &Path) -> Vec<String> {
    let dir = cache_home.join("cache/permscope/catalogs");
    let Ok(listing) = std::fs::read_dir(dir) else { return Vec::new() };
    listing.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

fn synth(home: &Path) -> std::path::PathBuf {
    let catalog = home.join("catalog.json");
    run(permscope(home).args(["catalog", "synth", APIS, "--seed", "3", "-o"]).arg(&catalog));
    catalog
}

#[test]
fn second_run_reads_the_cache() {
    let home = tempfile::tempdir().unwrap();
    let catalog = synth(home.path());
    assert!(entries(home.path()).is_empty(), "synth reads no catalog");

    let first = run(permscope(home.path()).arg("--catalog").arg(&catalog).args(["search", "delete tags"]));
    let written = entries(home.path());
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(written[0].ends_with(".bin"));

    let second = run(permscope(home.path()).arg("--catalog").arg(&catalog).args(["search", "delete tags"]));
    assert_eq!(second.stdout, first.stdout);
    assert!(!first.stdout.is_empty());
    assert!(second.stderr.is_empty());

    let uncached = run(permscope(home.path()).args(["--no-cache", "--catalog"]).arg(&catalog).args(["search", "delete tags"]));
    assert_eq!(uncached.stdout, first.stdout);
}

#[test]
fn check_agrees_with_and_without_cache() {
    let home = tempfile::tempdir().unwrap();
    let catalog = synth(home.path());
    let policy = home.path().join("policy.json");
    std::fs::write(&policy, r#"{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["*:*:get*", "*:*:list*"]}]}"#).unwrap();
    // A cached check reads the index and the action table instead of the catalog; every form of the
    // report must come out the same.
    let check = |extra: &[&str], format: &[&str]| {
        let mut command = permscope(home.path());
        command.args(extra).arg("--catalog").arg(&catalog).arg("check").args(format).arg(&policy);
        run(&mut command).stdout
    };
    for format in [&["--json"][..], &[], &["--scope", "enterprise"], &["--json", "--scope", "enterprise"]] {
        let cold = check(&[], format);
        let warm = check(&[], format);
        let uncached = check(&["--no-cache"], format);
        assert_eq!(warm, cold, "{format:?}");
        assert_eq!(uncached, cold, "{format:?}");
        let chinese = check(&["--lang", "zh"], format);
        assert_eq!(chinese, check(&["--lang", "zh", "--no-cache"], format), "{format:?}");
    }
    assert_eq!(entries(home.path()).len(), 1);
}

#[test]
fn no_cache_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let catalog = synth(home.path());
    run(permscope(home.path()).args(["--no-cache", "--catalog"]).arg(&catalog).args(["search", "snapshot"]));
    assert!(!home.path().join("cache").exists());
}

#[test]
fn edited_catalog_is_read_again() {
    let home = tempfile::tempdir().unwrap();
    let catalog = synth(home.path());
    run(permscope(home.path()).arg("--catalog").arg(&catalog).args(["search", "snapshot"]));

    // Give the first API a name no other API has, keeping the file's size.
    let text = std::fs::read_to_string(&catalog).unwrap();
    let marker = "\"en\": \"";
    let start = text.find(marker).unwrap() + marker.len();
    let end = start + text[start..].find('"').unwrap();
    let new_name = "Q".repeat(end - start);
    std::fs::write(&catalog, format!("{}{new_name}{}", &text[..start], &text[end..])).unwrap();

    let output = run(permscope(home.path()).arg("--catalog").arg(&catalog).args(["search", &new_name]));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains(&new_name), "{stdout}");
}

#[test]
fn unwritable_cache_warns_and_answers() {
    let home = tempfile::tempdir().unwrap();
    let catalog = synth(home.path());
    // A regular file where the cache directory would be created.
    std::fs::write(home.path().join("cache"), "in the way").unwrap();
    let output = run(permscope(home.path()).arg("--catalog").arg(&catalog).args(["search", "snapshot"]));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("permscope: warning: cannot write the catalog cache in "), "{stderr}");
    assert!(stderr.contains(&home.path().join("cache").display().to_string()), "{stderr}");
    assert!(!output.stdout.is_empty());
}

/// The explorer takes the catalog and its index from the context: both on a first load, which builds
/// the index, and on a cached one, which reads it.
#[test]
fn explorer_gets_the_cached_index() {
    use permscope::cache::{CatalogCache, CatalogFile};
    use permscope::catalog::Lang;
    use permscope::cli::Context;

    let home = tempfile::tempdir().unwrap();
    let catalog_path = synth(home.path());
    let path = catalog_path.to_str().unwrap();
    let cache = CatalogCache::new(home.path().join("cache"));
    let open = || Context::from_file(CatalogFile::open(path, Some(cache.clone())), Lang::En);

    let (first, built) = open().into_parts().unwrap();
    let (second, cached) = open().into_parts().unwrap();
    assert_eq!(second, first);
    let (built, cached) = (built.expect("the first load builds the index"), cached.expect("the cache has the index"));
    assert_eq!(cached.rank("delete tags"), built.rank("delete tags"));
    assert_eq!(first.apis.len(), 4000);
}
