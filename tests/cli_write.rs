//! Output files the CLI cannot write, on the real binary: each failure exits 2 with the path, the OS
//! error and a fix on stderr, prints nothing on stdout, and leaves what was there unchanged with no
//! temporary file behind.
//!
//! Permission bits deny root nothing, so as root the permission test drops to user 65534 with
//! `setpriv`, and the read-only test mounts the directory read-only in a private mount namespace
//! (`unshare -m`, or `unshare -r -m`). A test that cannot set up its case prints why and passes.

mod common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{binary, permscope, stderr_text};

const GRANT: [&str; 3] = ["policy", "--grant", "evs:snapshots:list"];

/// Prints that the running test was skipped and why, on the process's stderr, which the test harness
/// does not capture.
fn skip(reason: &str) {
    let test = std::thread::current().name().unwrap_or("test").to_owned();
    let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("skipped {test}: {reason}\n").as_bytes());
}

/// Checks exit status 2, an empty stdout and exactly this message on stderr.
fn assert_write_error(output: &Output, path: &Path, reason: &str, fix: &str) {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    let expected = format!("permscope: error: cannot write {}: {reason}\n  fix: {fix}\n", path.display());
    assert_eq!(stderr_text(output), expected);
}

/// Names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn missing_directory_fix() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let target = missing.join("policy.json");
    let output = permscope().args(GRANT).arg("-o").arg(&target).output().unwrap();
    let reason = format!("the directory {} does not exist", missing.display());
    assert_write_error(&output, &target, &reason, "create the directory, or choose another path with -o");
    assert!(file_names(dir.path()).is_empty());
}

#[test]
fn directory_in_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let full = dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("kept.json"), "kept").unwrap();

    let fix = "name a file, not a directory, with -o, such as DIRECTORY/NAME.json";
    for target in [&empty, &full] {
        let output = permscope().args(GRANT).arg("-o").arg(target).output().unwrap();
        assert_write_error(&output, target, "Is a directory (os error 21)", fix);
        // A catalog written with -o fails the same way.
        let output = permscope().args(["catalog", "synth", "3", "-o"]).arg(target).output().unwrap();
        assert_write_error(&output, target, "Is a directory (os error 21)", fix);
    }
    assert!(file_names(&empty).is_empty());
    assert_eq!(file_names(&full), ["kept.json"]);
    assert_eq!(std::fs::read_to_string(full.join("kept.json")).unwrap(), "kept");
    assert_eq!(file_names(dir.path()), ["empty", "full"], "no temporary file left");
}

#[test]
fn trailing_slash_names_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let existing = format!("{}/", dir.path().display());
    let missing = format!("{}/new/", dir.path().display());
    let fix = "name a file, not a directory, with -o, such as DIRECTORY/NAME.json";
    for target in [&existing, &missing] {
        let output = permscope().args(GRANT).args(["-o", target]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = stderr_text(&output);
        assert!(stderr.starts_with(&format!("permscope: error: cannot write {target}: ")), "{stderr}");
        assert!(stderr.ends_with(&format!("\n  fix: {fix}\n")), "{stderr}");
    }
    assert!(file_names(dir.path()).is_empty(), "nothing written");
}

#[test]
fn file_in_place_of_directory() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "a regular file").unwrap();
    let target = plain.join("policy.json");
    let output = permscope().args(GRANT).arg("-o").arg(&target).output().unwrap();
    let reason = format!("{} is not a directory", plain.display());
    let fix = "correct the path given with -o, because a part of it is a file, not a directory";
    assert_write_error(&output, &target, &reason, fix);
    assert_eq!(std::fs::read_to_string(&plain).unwrap(), "a regular file");
}

/// Returns a device that fails every write with ENOSPC: a private node of /dev/full (character
/// device 1, 7 on Linux) where mknod works, else /dev/full itself where this user cannot create files
/// in /dev. A test that regressed into renaming over the device then destroys only the private node.
fn full_device(dir: &Path) -> Option<PathBuf> {
    let device = dir.join("full");
    let mknod = Command::new("mknod").arg(&device).args(["c", "1", "7"]).stderr(Stdio::null()).status();
    if mknod.is_ok_and(|status| status.success()) {
        return Some(device);
    }
    if std::fs::write("/dev/.permscope-probe", "").is_err() {
        return Some(PathBuf::from("/dev/full"));
    }
    let _ = std::fs::remove_file("/dev/.permscope-probe");
    skip("mknod failed, and /dev is writable, so writing to /dev/full could replace it");
    None
}

#[test]
fn full_device_output() {
    let dir = tempfile::tempdir().unwrap();
    let Some(device) = full_device(dir.path()) else { return };
    let output = permscope().args(GRANT).arg("-o").arg(&device).output().unwrap();
    let fix = "check the device or pipe, or choose a regular file with -o";
    assert_write_error(&output, &device, "No space left on device (os error 28)", fix);
    let metadata = std::fs::symlink_metadata(&device).unwrap();
    assert!(metadata.file_type().is_char_device(), "{} is no longer a device", device.display());
}

#[test]
fn full_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let Some(device) = full_device(dir.path()) else { return };
    let stdout = std::fs::OpenOptions::new().write(true).open(&device).unwrap();
    let output = Command::new(binary()).args(GRANT).stdout(stdout).stderr(Stdio::piped()).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let expected = "permscope: error: cannot write standard output: No space left on device (os error 28)\n  \
                    fix: free space where standard output is redirected, or redirect it to another file\n";
    assert_eq!(stderr_text(&output), expected);
}

/// Returns true when this process can create files in a directory of mode 0555, as root can.
fn permission_bits_ignored(dir: &Path) -> bool {
    let locked = dir.join("probe-dir");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let ignored = std::fs::write(locked.join("probe"), "").is_ok();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_dir_all(&locked).unwrap();
    ignored
}

/// Returns a command that runs the binary under a user that file permissions apply to: this process's
/// user, or user 65534 when this process runs as root. Returns `None`, after printing why, when root
/// has no setpriv to drop to another user. `dir` is made reachable by that user.
fn command_bound_by_permissions(dir: &Path) -> Option<Command> {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    if !permission_bits_ignored(dir) {
        return Some(Command::new(binary()));
    }
    if !tool_on_path("setpriv") {
        skip("running as root without setpriv (Debian package util-linux) to drop to another user");
        return None;
    }
    let mut command = Command::new("setpriv");
    command.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(binary());
    Some(command)
}

#[test]
fn permission_denied_fix() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut command) = command_bound_by_permissions(dir.path()) else { return };
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("policy.json"), "old").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();

    let target = locked.join("policy.json");
    let output = command.args(GRANT).arg("-o").arg(&target).output().unwrap();
    let reason = format!("cannot create a file in the directory {}: Permission denied (os error 13)", locked.display());
    let fix = "check the permissions of the file and its directory, or choose another path with -o";
    assert_write_error(&output, &target, &reason, fix);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
    assert_eq!(file_names(&locked), ["policy.json"], "no temporary file left");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn unreadable_input_has_fix() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut command) = command_bound_by_permissions(dir.path()) else { return };
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"Version": "1.1", "Statement": []}"#).unwrap();
    std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o000)).unwrap();

    let output = command.arg("check").arg(&policy).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("{}: cannot open the file: Permission denied", policy.display())), "{stderr}");
    assert!(stderr.contains("fix: check the permissions of the file and its directories"), "{stderr}");
}

/// True when `tool` is an executable file on PATH.
fn tool_on_path(tool: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else { return false };
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .any(|candidate| candidate.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// Shell script that bind-mounts directory $1 read-only over itself, then runs the rest of its
/// arguments as a command in that mount namespace.
const READ_ONLY_MOUNT: &str = "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\"";

#[test]
fn read_only_directory_fix() {
    if !tool_on_path("unshare") {
        skip("unshare not found on PATH (Debian package util-linux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let read_only = dir.path().join("read-only");
    std::fs::create_dir(&read_only).unwrap();
    std::fs::write(read_only.join("policy.json"), "old").unwrap();

    // `unshare -m` for root, `unshare -r -m` (also a user namespace) for other users where the kernel
    // allows that. `true` probes whether the mount works before the binary runs.
    let unshare = [&["unshare", "-m"][..], &["unshare", "-r", "-m"][..]].into_iter().find(|unshare| {
        Command::new(unshare[0])
            .args(&unshare[1..])
            .args(["sh", "-c", READ_ONLY_MOUNT, "sh"])
            .arg(&read_only)
            .arg("true")
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    });
    let Some(unshare) = unshare else {
        skip("cannot bind-mount a directory read-only in a private mount namespace");
        return;
    };

    for name in ["policy.json", "new.json"] {
        let target = read_only.join(name);
        let output = Command::new(unshare[0])
            .args(&unshare[1..])
            .args(["sh", "-c", READ_ONLY_MOUNT, "sh"])
            .arg(&read_only)
            .arg(binary())
            .args(GRANT)
            .arg("-o")
            .arg(&target)
            .output()
            .unwrap();
        let reason =
            format!("cannot create a file in the directory {}: Read-only file system (os error 30)", read_only.display());
        assert_write_error(&output, &target, &reason, "choose a path with -o on a file system that is not read-only");
    }
    assert_eq!(std::fs::read_to_string(read_only.join("policy.json")).unwrap(), "old");
    assert_eq!(file_names(&read_only), ["policy.json"], "nothing created");
}
