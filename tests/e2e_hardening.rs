//! End-to-end tests of the explorer in hostile environments: no home directory, an empty
//! environment, a data directory it cannot write, full disks, no display, signals, a panic, a load
//! error, `kill -9` and the temporary file it can leave. The real binary runs in a private tmux
//! server (see `terminal`), and every check reads the screen or the files on disk, never the time
//! something took.
//!
//! Cases the other end-to-end tests already cover are not repeated here: TERM=dumb and a stdout that
//! is not a terminal, resizing with the help overlay or the export dialog open, quitting with `q` and
//! the Ctrl-C key, a terminal that closes, and a corrupt draft moved aside (all in e2e_tmux.rs).
//!
//! Tests that need a read-only or full file system mount one in a private mount namespace
//! (`unshare -m`, or `unshare -r -m` for users other than root), because permission bits deny root
//! nothing and only a small file system fills up quickly. The mount ends with the namespace's last
//! process, and the test reads the files through `/proc/PID/root`.

mod terminal;

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use terminal::{
    Home, Launch, ROLLBACK_POLICY, Tmux, full_width_dialog, pick_both_rollbacks, resize_round_trip,
    row_marks, status_line, tools_present, wait_for_file, wait_started, wait_until_exited,
};

const NOT_SAVED: &str = "No home directory is set: the draft will not be saved.";
const NO_DEFAULT_PATH: &str = "No home directory is set: type the full path of the file to write.";
const OSC52_TMUX: &str = "Sent the policy to the clipboard through tmux (OSC 52). It needs tmux's set-clipboard or allow-passthrough; paste to check.";

/// The first three APIs of Huawei's EVS snapshot permission table, with the actions each needs:
/// create (evs:snapshots:create, evs:volumes:get), create through the cloudsnapshots path
/// (evs:snapshots:create) and list (evs:snapshots:list).
const CREATE: &str = "POST /v2/{project_id}/snapshots";
const CLOUD_CREATE: &str = "POST /v2/{project_id}/cloudsnapshots";
const LIST: &str = "GET /v2/{project_id}/snapshots";

/// Names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    let mut names: Vec<String> = entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Returns the PATH the explorer gets in an empty environment.
fn search_path() -> String {
    std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
}

/// Returns the `unshare` command that gives a private mount namespace in which this process may
/// mount a tmpfs, trying it once: `unshare -m` for root, `unshare -r -m` (also a user namespace) for
/// other users where the kernel allows that. Prints why not when neither works.
fn mount_namespace(home: &Home) -> Option<&'static [&'static str]> {
    if terminal::find_in_path("unshare").is_none() {
        skip("unshare not found on PATH (Debian package util-linux)");
        return None;
    }
    let probe = home.path().join("mount-probe");
    std::fs::create_dir_all(&probe).unwrap();
    let mut errors = Vec::new();
    for command in [&["unshare", "-m"][..], &["unshare", "-r", "-m"][..]] {
        let output = Command::new(command[0])
            .args(&command[1..])
            .args(["sh", "-c", "mount -t tmpfs -o size=4k tmpfs \"$1\"", "sh"])
            .arg(&probe)
            .output()
            .expect("run unshare");
        if output.status.success() {
            return Some(command);
        }
        errors.push(format!("{}: {}", command.join(" "), String::from_utf8_lossy(&output.stderr).trim()));
    }
    skip(&format!("cannot mount a tmpfs in a private mount namespace ({})", errors.join("; ")));
    None
}

/// Prints that the running test was skipped and why, on the process's stderr, which the test harness
/// does not capture.
fn skip(reason: &str) {
    let test = std::thread::current().name().unwrap_or("test").to_owned();
    let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("skipped {test}: {reason}\n").as_bytes());
}

/// Picks both rollback APIs, exports the policy to `target` through the export dialog of an explorer
/// without a home directory, and checks what the dialog and the status line show on the way.
fn export_without_home(tmux: &Tmux, target: &Path) {
    let screen = wait_started(tmux);
    assert_eq!(status_line(&screen, 24), NOT_SAVED);
    pick_both_rollbacks(tmux);

    tmux.keys(&["e"]);
    let screen = tmux.wait_for("Export policy");
    let dialog = full_width_dialog(&screen, "Export policy");
    assert_eq!(dialog[1], "File:", "the path starts empty:\n{screen}");
    assert!(dialog.contains(&NO_DEFAULT_PATH.to_owned()), "{screen}");

    tmux.type_text(&target.display().to_string());
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Wrote ");
    let expected = format!("Wrote {} ({} characters).", target.display(), ROLLBACK_POLICY.chars().count());
    assert_eq!(status_line(&screen, 24), expected);
    assert_eq!(std::fs::read_to_string(target).unwrap(), ROLLBACK_POLICY);
}

#[test]
fn no_home_saves_nothing() {
    if !tools_present(&["tmux"]) {
        return;
    }
    // HOME unset, then set to an empty string.
    for empty in [false, true] {
        let home = Home::new();
        let target = home.path().join("exports/no-home.json");
        std::fs::create_dir(target.parent().unwrap()).unwrap();
        // XDG_DATA_HOME stays set: without HOME the explorer saves nothing even where it could.
        let launch = Launch::explorer().size(80, 24);
        let launch = if empty { launch.env("HOME", "") } else { launch.unset("HOME") };
        let tmux = launch.start(&home);
        export_without_home(&tmux, &target);

        tmux.keys(&["q"]);
        assert_eq!(tmux.wait_exit(), 0);
        assert!(!home.data_home().exists(), "nothing saved under XDG_DATA_HOME (empty HOME: {empty})");
        assert!(!home.path().join(".local").exists(), "nothing saved in the home directory (empty HOME: {empty})");
    }
}

#[test]
fn empty_environment_starts() {
    if !tools_present(&["tmux", "env"]) {
        return;
    }
    let home = Home::new();
    let target = home.path().join("exports/env-i.json");
    std::fs::create_dir(target.parent().unwrap()).unwrap();
    let path = format!("PATH={}", search_path());
    let tmux = Launch::explorer().size(80, 24).wrap(&["env", "-i", "TERM=xterm-256color", &path]).start(&home);
    export_without_home(&tmux, &target);

    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
    assert!(!home.data_home().exists(), "nothing saved under the test's XDG_DATA_HOME");
}

/// A saved draft that grants evs:snapshots:list, which makes the three list APIs callable.
const LIST_DRAFT: &str =
    r#"{"version":1,"grants":["evs:snapshots:list"],"picked":[],"picked_actions":{},"kept":null,"scope":"project","search":""}"#;

#[test]
fn read_only_data_dir_keeps_draft() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let draft = home.draft_path();
    let directory = draft.parent().unwrap().to_path_buf();
    std::fs::create_dir_all(&directory).unwrap();
    std::fs::write(&draft, LIST_DRAFT).unwrap();
    std::fs::set_permissions(&directory, std::fs::Permissions::from_mode(0o555)).unwrap();

    // Root may write into a directory whatever its mode, so the test then mounts the directory
    // read-only in a private mount namespace that only the explorer sees.
    let probe = directory.join("probe");
    let chmod_denies = std::fs::write(&probe, "").is_err();
    let _ = std::fs::remove_file(&probe);
    let remount = "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\"";
    let directory_arg = directory.display().to_string();
    let (launch, os_error) = if chmod_denies {
        (Launch::explorer(), "Permission denied (os error 13)")
    } else if let Some(unshare) = mount_namespace(&home) {
        let launch = Launch::explorer().wrap(&[unshare, &["sh", "-c", remount, "sh", &directory_arg]].concat());
        (launch, "Read-only file system (os error 30)")
    } else {
        return;
    };

    // Wide enough for the message with two long paths on one line.
    let tmux = launch.size(250, 40).start(&home);
    let screen = tmux.wait_for(&format!("Restored the draft from {}.", draft.display()));
    assert!(screen.lines().next().unwrap().contains("3/19 callable, 0 conditional"), "{screen}");

    tmux.keys(&["s"]);
    let screen = tmux.wait_for("Could not save the draft");
    let expected =
        format!("Could not save the draft to {}: cannot create a file in the directory {}: {os_error}.", draft.display(), directory.display());
    assert_eq!(status_line(&screen, 40), expected);
    assert!(screen.lines().next().unwrap().contains("Scope:  Enterprise project"), "{screen}");

    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
    assert_eq!(std::fs::read(&draft).unwrap(), LIST_DRAFT.as_bytes(), "the draft is unchanged");
    assert_eq!(file_names(&directory), ["draft.json"], "no temporary file left");
    std::fs::set_permissions(&directory, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn data_dir_below_file_reported() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let blocker = home.path().join("blocker");
    std::fs::write(&blocker, "a regular file\n").unwrap();
    let data_home = blocker.join("data");
    let draft = data_home.join("permscope/draft.json");

    // Wide enough for the message with two long paths on one line.
    let tmux = Launch::explorer().size(320, 40).env("XDG_DATA_HOME", &data_home.display().to_string()).start(&home);
    let screen = wait_started(&tmux);
    let expected = format!(
        "Could not read the saved draft {}: {} is not a directory. Nothing will be saved until you fix this (move a file \
         that is in place of a directory, or correct the permissions) and restart permscope.",
        draft.display(),
        blocker.display()
    );
    assert_eq!(status_line(&screen, 40), expected);

    tmux.keys(&["s"]);
    let screen = tmux.wait_for("Scope:  Enterprise project");
    assert_eq!(status_line(&screen, 40), "Scope: Enterprise project.");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "a regular file\n");
    assert_eq!(file_names(home.path()).iter().filter(|name| name.starts_with(".permscope-")).count(), 0);

    // The same in Chinese: what failed, then what to fix.
    let tmux =
        Launch::explorer().size(320, 40).args(&["--lang", "zh"]).env("XDG_DATA_HOME", &data_home.display().to_string()).start(&home);
    let screen = tmux.wait_for("无法读取保存的草稿");
    let expected = format!(
        "无法读取保存的草稿 {}：{} is not a directory。修正之前不会保存任何内容：请移走占据目录位置的文件或修正权限，然后重新启动 permscope。",
        draft.display(),
        blocker.display()
    );
    assert_eq!(status_line(&screen, 40), expected);
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "a regular file\n");
}

/// Returns the ID of a process that has exited.
fn exited_pid() -> u32 {
    let mut child = Command::new("true").spawn().expect("run true");
    child.wait().expect("wait for true");
    child.id()
}

/// Sets the modification time of `path` one hour back, older than the ten minutes after which the
/// explorer treats its temporary files as stale.
fn backdate_one_hour(path: &Path) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600)).unwrap();
}

#[test]
fn stale_temporary_file_removed() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let draft = home.draft_path();
    let directory = draft.parent().unwrap().to_path_buf();
    std::fs::create_dir_all(&directory).unwrap();
    std::fs::write(&draft, LIST_DRAFT).unwrap();

    // What kill -9 between the write and the rename leaves: a partial draft in a temporary file named
    // with the dead explorer's process ID, last written an hour ago.
    let dead = exited_pid();
    let stale = format!(".permscope-{dead}-k1LLed.tmp");
    std::fs::write(directory.join(&stale), &LIST_DRAFT[..40]).unwrap();
    backdate_one_hour(&directory.join(&stale));
    // Kept: a file of a writer that may still be saving (written just now), one of a running
    // process (this test), and a file of another name.
    let fresh = format!(".permscope-{dead}-fResh0.tmp");
    std::fs::write(directory.join(&fresh), "partial").unwrap();
    let running = format!(".permscope-{}-RuNnin.tmp", std::process::id());
    std::fs::write(directory.join(&running), "partial").unwrap();
    backdate_one_hour(&directory.join(&running));
    let notes = "notes.permscope-1-abcdef.tmp".to_owned();
    std::fs::write(directory.join(&notes), "mine").unwrap();
    backdate_one_hour(&directory.join(&notes));

    let tmux = Launch::explorer().start(&home);
    let screen = tmux.wait_for(&format!("Restored the draft from {}.", draft.display()));
    assert!(screen.lines().next().unwrap().contains("3/19 callable, 0 conditional"), "{screen}");
    let mut expected = vec![fresh, running, "draft.json".to_owned(), notes];
    expected.sort();
    assert_eq!(file_names(&directory), expected, "only {stale} removed");

    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&draft).unwrap()).unwrap();
    assert_eq!(saved, serde_json::from_str::<serde_json::Value>(LIST_DRAFT).unwrap(), "the draft is kept");
}

/// Opens the export dialog, types `target` and presses Enter, and presses Enter again to confirm
/// replacing the existing file when `exists`. Returns the dialog's rows joined by spaces, which
/// undoes the dialog's word wrapping as long as no word is wider than the dialog.
fn export_failing(tmux: &Tmux, target: &Path, exists: bool) -> String {
    tmux.keys(&["e"]);
    tmux.wait_for("Export policy");
    tmux.keys(&["C-u"]);
    tmux.type_text(&target.display().to_string());
    tmux.keys(&["Enter"]);
    if exists {
        let screen = tmux.wait_for("Press Enter again");
        let dialog = full_width_dialog(&screen, "Export policy").join(" ");
        let expected = format!("{} exists. Press Enter again to replace it, or edit the path.", target.display());
        assert!(dialog.contains(&expected), "expected {expected:?} in the dialog:\n{screen}");
        tmux.keys(&["Enter"]);
    }
    let screen = tmux.wait_for("Could not write");
    full_width_dialog(&screen, "Export policy").join(" ")
}

#[test]
fn export_to_full_device_fails() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    // /dev/full itself only where this user cannot create files in /dev. An export as root once
    // renamed a regular file over the device node. So root gets a private node of the same device
    // (character device 1, 7 on Linux), which a regression can destroy without harm.
    let device = home.path().join("full");
    let mknod = Command::new("mknod").arg(&device).args(["c", "1", "7"]).stderr(std::process::Stdio::null()).status();
    let created = mknod.is_ok_and(|status| status.success());
    let target = if created {
        device
    } else if std::fs::write("/dev/.permscope-probe", "").is_err() {
        PathBuf::from("/dev/full")
    } else {
        let _ = std::fs::remove_file("/dev/.permscope-probe");
        skip("mknod failed, and /dev is writable, so exporting to /dev/full could replace it");
        return;
    };

    let tmux = Launch::explorer().size(80, 24).start(&home);
    wait_started(&tmux);
    pick_both_rollbacks(&tmux);
    let dialog = export_failing(&tmux, &target, true);
    let expected = format!("Could not write {}: No space left on device (os error 28). Nothing was changed.", target.display());
    assert!(dialog.contains(&expected), "expected {expected:?} in the dialog: {dialog}");

    let metadata = std::fs::symlink_metadata(&target).unwrap();
    assert!(metadata.file_type().is_char_device(), "{} is no longer a device", target.display());
    assert_eq!(metadata.rdev(), std::fs::metadata("/dev/full").unwrap().rdev());
    let parent = target.parent().unwrap();
    let temporary: Vec<String> = file_names(parent).into_iter().filter(|name| name.starts_with(".permscope-")).collect();
    assert!(temporary.is_empty(), "temporary files left in {}: {temporary:?}", parent.display());

    // The dialog stays open, and Escape closes it.
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Export policy");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn export_to_full_tmpfs_fails() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let Some(unshare) = mount_namespace(&home) else { return };
    let small = home.path().join("small");
    std::fs::create_dir(&small).unwrap();
    // A 64 KiB tmpfs with an existing policy.json, then filled up by a file of zeros. dd fails when
    // the file system is full, which is the point.
    let fill = "mount -t tmpfs -o size=64k tmpfs \"$1\" && printf 'old policy\\n' > \"$1/policy.json\" \
                && { dd if=/dev/zero of=\"$1/filler\" bs=4096 2>/dev/null; true; } && shift && exec \"$@\"";
    let small_arg = small.display().to_string();
    let tmux = Launch::explorer().size(80, 24).wrap(&[unshare, &["sh", "-c", fill, "sh", &small_arg]].concat()).start(&home);
    wait_started(&tmux);
    let explorers = tmux.explorer_pids();
    assert_eq!(explorers.len(), 1, "{explorers:?}");
    // The mount is only in the explorer's namespace, so the test reads it through the explorer's root.
    let seen = PathBuf::from(format!("/proc/{}/root{}", explorers[0], small.display()));
    assert_eq!(file_names(&seen), ["filler", "policy.json"]);
    pick_both_rollbacks(&tmux);

    let existing = small.join("policy.json");
    let dialog = export_failing(&tmux, &existing, true);
    let expected = format!("Could not write {}: No space left on device (os error 28). Nothing was changed.", existing.display());
    assert!(dialog.contains(&expected), "expected {expected:?} in the dialog: {dialog}");
    assert_eq!(std::fs::read_to_string(seen.join("policy.json")).unwrap(), "old policy\n", "the existing file is unchanged");
    assert_eq!(file_names(&seen), ["filler", "policy.json"], "no temporary file left");

    tmux.keys(&["Escape"]);
    tmux.wait_gone("Export policy");
    let new = small.join("new.json");
    let dialog = export_failing(&tmux, &new, false);
    let expected = format!("Could not write {}: No space left on device (os error 28). Nothing was changed.", new.display());
    assert!(dialog.contains(&expected), "expected {expected:?} in the dialog: {dialog}");
    assert_eq!(file_names(&seen), ["filler", "policy.json"], "no file created");

    tmux.keys(&["Escape"]);
    tmux.wait_gone("Export policy");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn copy_without_display_uses_osc52() {
    if !tools_present(&["tmux"]) {
        return;
    }
    // Launch starts from an empty environment, so the first case has neither variable; the second
    // sets both to empty strings, as `export DISPLAY=` does.
    let cases: [&[(&str, &str)]; 2] = [&[], &[("DISPLAY", ""), ("WAYLAND_DISPLAY", "")]];
    for variables in cases {
        let home = Home::new();
        let mut launch = Launch::explorer().size(160, 40).tmux_option("set-clipboard", "on");
        for (name, value) in variables {
            launch = launch.env(name, value);
        }
        let tmux = launch.start(&home);
        wait_started(&tmux);
        pick_both_rollbacks(&tmux);

        tmux.keys(&["y"]);
        let screen = tmux.wait_for("(OSC 52)");
        assert_eq!(status_line(&screen, 40), OSC52_TMUX, "{variables:?}");
        tmux.wait_until("the policy in tmux's paste buffer", |_| tmux.newest_buffer().as_deref() == Some(ROLLBACK_POLICY));

        // A key sent right after `y`, without waiting for its result, is handled too.
        tmux.keys(&["y"]);
        tmux.keys(&["s"]);
        let screen = tmux.wait_for("Scope:  Enterprise project");
        let status = status_line(&screen, 40);
        assert!(status == OSC52_TMUX || status == "Scope: Enterprise project.", "{variables:?}: {status}");
        tmux.keys(&["q"]);
        assert_eq!(tmux.wait_exit(), 0, "{variables:?}");
    }
}

#[test]
fn resize_with_search_open() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let tmux = Launch::explorer().start(&home);
    wait_started(&tmux);
    tmux.keys(&["/"]);
    tmux.type_text("hgkz");
    let before = tmux.wait_for("2 matches");
    assert!(status_line(&before, 40).starts_with("Search: hgkz"), "{before}");

    resize_round_trip(&tmux);
    let after = tmux.wait_for("2 matches");
    assert_eq!(after, before, "the screen should come back unchanged");

    // The field still has the keyboard: one more letter narrows the search to nothing.
    tmux.type_text("q");
    let screen = tmux.wait_for("Search: hgkzq");
    assert!(screen.contains("APIs 0/19 matching \"hgkzq\""), "{screen}");
    tmux.keys(&["BSpace", "Enter"]);
    let screen = tmux.wait_gone("2 matches");
    assert!(screen.contains("┌ APIs 2/19 matching \"hgkz\" ─"), "{screen}");
    assert_eq!(row_marks(&screen), ["✘ ", "✘ "], "{screen}");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

/// Starts an interactive shell in a 200×30 pane and saves its terminal settings to `before.txt`.
fn shell_with_saved_settings(home: &Home) -> Tmux {
    let tmux = Launch::shell().size(200, 30).start(home);
    tmux.wait_for("e2e$");
    tmux.type_text("stty -g > before.txt; echo saved-settings");
    tmux.keys(&["Enter"]);
    tmux.wait_for("saved-settings\n");
    tmux
}

/// Checks that the explorer run that ended by printing `marker` left the terminal as it found it. The
/// normal screen is back with the shell prompt after the marker, the cursor is visible and mouse
/// reporting is off. `stty -g` prints what it printed before. Returns the screen.
fn assert_terminal_restored(tmux: &Tmux, home: &Home, marker: &str, round: usize) -> String {
    let screen = tmux.wait_for(marker);
    assert_eq!(tmux.format("#{alternate_on}"), "0", "left the alternate screen after {marker}");
    assert_eq!(tmux.format("#{cursor_flag}"), "1", "cursor visible after {marker}");
    assert_eq!(tmux.format("#{mouse_any_flag} #{mouse_button_flag} #{mouse_sgr_flag}"), "0 0 0", "mouse reporting off");
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines.iter().rposition(|line| line.contains(marker)).unwrap();
    assert_eq!(lines.get(at + 1).map(|line| line.trim_end()), Some("e2e$"), "the prompt follows {marker}:\n{screen}");

    let after = format!("after{round}.txt");
    tmux.type_text(&format!("stty -g > {after}; echo stored-{round}"));
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("stored-{round}\n"));
    let before = std::fs::read_to_string(home.path().join("before.txt")).unwrap();
    assert!(!before.trim().is_empty());
    assert_eq!(std::fs::read_to_string(home.path().join(after)).unwrap(), before, "terminal settings after {marker}");
    screen
}

#[test]
fn signals_save_and_restore() {
    if !tools_present(&["tmux", "bash"]) {
        return;
    }
    let home = Home::new();
    let tmux = shell_with_saved_settings(&home);
    // The explorer exits with 128 plus the signal number: SIGINT 2, SIGTERM 15, SIGHUP 1.
    let cases = [("INT", 130), ("TERM", 143), ("HUP", 129)];
    for (round, (signal, status)) in cases.into_iter().enumerate() {
        // Each run saves to its own data directory, so each starts from an empty draft.
        let data = home.path().join(format!("data{round}"));
        tmux.type_text(&format!("XDG_DATA_HOME=\"{}\" \"$PERMSCOPE\"; echo \"exit{round}=$?\"", data.display()));
        tmux.keys(&["Enter"]);
        wait_started(&tmux);
        assert_eq!(tmux.format("#{alternate_on}"), "1", "the explorer switched to the alternate screen");
        tmux.keys(&["s"]);
        tmux.wait_for("Scope: Enterprise project.");

        tmux.signal_explorer(signal);
        assert_terminal_restored(&tmux, &home, &format!("exit{round}={status}"), round);
        let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(data.join("permscope/draft.json")).unwrap()).unwrap();
        assert_eq!(saved["scope"], "enterprise", "SIG{signal}");
    }
}

#[test]
fn panic_restores_terminal() {
    if !tools_present(&["tmux", "bash"]) {
        return;
    }
    let home = Home::new();
    let tmux = shell_with_saved_settings(&home);
    tmux.type_text("PERMSCOPE_TEST_PANIC=1 \"$PERMSCOPE\"; echo \"panic-exit=$?\"");
    tmux.keys(&["Enter"]);
    let screen = assert_terminal_restored(&tmux, &home, "panic-exit=101", 0);

    // The message starts at the left edge of its own line, which it does only if raw mode was off
    // when it was printed.
    let message = "PERMSCOPE_TEST_PANIC is set: panicking on purpose to test terminal restoration";
    assert!(screen.lines().any(|line| line == message), "{message:?} on a line of its own:\n{screen}");
    assert!(screen.lines().any(|line| line.starts_with("thread 'main'") && line.contains("panicked at ")), "{screen}");
}

#[test]
fn load_error_restores_terminal() {
    if !tools_present(&["tmux", "bash"]) {
        return;
    }
    let home = Home::new();
    // Line 3, column 17: a comma where the first statement should start.
    std::fs::write(home.path().join("bad.json"), "{\n  \"Version\": \"1.1\",\n  \"Statement\": [,]\n}\n").unwrap();
    let tmux = shell_with_saved_settings(&home);
    tmux.type_text("\"$PERMSCOPE\" --policy bad.json; echo \"load-exit=$?\"");
    tmux.keys(&["Enter"]);
    let screen = assert_terminal_restored(&tmux, &home, "load-exit=2", 0);
    let error = screen.lines().find(|line| line.starts_with("permscope: error: ")).unwrap_or_else(|| panic!("no error line:\n{screen}"));
    assert_eq!(error, "permscope: error: bad.json:3:17: invalid JSON: unexpected ','; expected a JSON value");
    assert!(!home.draft_path().exists(), "nothing saved when loading fails");
}

/// Builds a draft as the explorer saves it, for comparison with the parsed file.
fn draft_json(picked: &[&str], scope: &str) -> serde_json::Value {
    // Each picked API's actions, from the EVS snapshot table.
    let actions = |api: &str| match api {
        CREATE => json!(["evs:snapshots:create", "evs:volumes:get"]),
        CLOUD_CREATE => json!(["evs:snapshots:create"]),
        LIST => json!(["evs:snapshots:list"]),
        other => panic!("no actions written down for {other}"),
    };
    let picked_actions: serde_json::Map<String, serde_json::Value> =
        picked.iter().map(|api| (api.to_string(), actions(api))).collect();
    json!({ "version": 1, "grants": [], "picked": picked, "picked_actions": picked_actions, "kept": null, "scope": scope, "search": "" })
}

/// Returns a copy of `draft` with the other scope.
fn with_scope_toggled(draft: &serde_json::Value) -> serde_json::Value {
    let mut toggled = draft.clone();
    toggled["scope"] = if draft["scope"] == "project" { json!("enterprise") } else { json!("project") };
    toggled
}

/// Checks that the header shows the scope and callable count of `draft`, one of the drafts of
/// [`kill9_loses_no_saved_work`]. Callable in the IAM project scope: with CREATE picked rows 0 and 1,
/// with LIST picked too also rows 2, 3 and 4. In the enterprise project scope rows 0, 2 and 3 do not
/// take effect, so both leave 1 and 4 or only 1.
fn assert_header_shows(screen: &str, draft: &serde_json::Value) {
    let header = screen.lines().next().unwrap();
    let picked_list = draft["picked"].as_array().unwrap().iter().any(|api| api == LIST);
    let (scope, callable) = match (draft["scope"].as_str().unwrap(), picked_list) {
        ("project", false) => ("Scope:  IAM project", "2/19 callable"),
        ("project", true) => ("Scope:  IAM project", "5/19 callable"),
        ("enterprise", false) => ("Scope:  Enterprise project", "1/19 callable"),
        (_, _) => ("Scope:  Enterprise project", "2/19 callable"),
    };
    assert!(header.contains(scope), "{header}\nfor the draft {draft}");
    assert!(header.contains(callable), "{header}\nfor the draft {draft}");
}

/// Checks that `directory` contains draft.json and at most one temporary file besides the `earlier`
/// ones, which a save cut short by kill -9 leaves. Returns the temporary files now there.
fn assert_one_temporary_at_most(directory: &Path, earlier: &[String]) -> Vec<String> {
    let names = file_names(directory);
    let temporary: Vec<String> = names.iter().filter(|name| name.starts_with(".permscope-") && name.ends_with(".tmp")).cloned().collect();
    let new = temporary.iter().filter(|name| !earlier.contains(name)).count();
    assert!(new <= 1, "{names:?}");
    assert_eq!(names.len(), 1 + temporary.len(), "only draft.json and stale temporary files: {names:?}");
    temporary
}

/// Polls `directory` without pausing and sends SIGKILL to `pid` as soon as a temporary file appears
/// there or draft.json differs from `before`.
fn kill_during_save(pid: u32, directory: &Path, before: &[u8]) {
    let start = std::time::Instant::now();
    loop {
        let names = file_names(directory);
        let saving = names.iter().any(|name| name.starts_with(".permscope-") && name.ends_with(".tmp"));
        let saved = std::fs::read(directory.join("draft.json")).is_ok_and(|bytes| bytes != before);
        if saving || saved {
            break;
        }
        assert!(start.elapsed() < terminal::TIMEOUT, "no save started within {:?}", terminal::TIMEOUT);
    }
    let status = Command::new("kill").args(["-KILL", &pid.to_string()]).status().expect("run kill");
    assert!(status.success(), "kill -KILL {pid} failed");
}

#[test]
fn kill9_loses_no_saved_work() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let draft = home.draft_path();
    let directory = draft.parent().unwrap().to_path_buf();

    // Picking the first API grants what it needs. Once the file shows it, kill -9 loses nothing.
    // The draft's grants list only actions granted one by one, so it stays empty throughout.
    let after_pick = draft_json(&[CREATE], "project");
    {
        let tmux = Launch::explorer().start(&home);
        wait_started(&tmux);
        tmux.keys(&["Space"]);
        tmux.wait_for("2/19 callable, 0 conditional");
        wait_for_file(&draft, "the first pick", |bytes| serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| v == after_pick));
        // kill -9 leaves the terminal in full-screen mode, where the wrapping shell's exit line
        // lands anywhere, so the test waits for the process instead.
        wait_until_exited(tmux.signal_explorer("KILL"));
        assert_eq!(file_names(&directory), ["draft.json"]);
    }
    let saved = std::fs::read(&draft).unwrap();

    // Restarted, the explorer shows the pick: rows 0 and 1 need only the granted actions.
    let tmux = Launch::explorer().start(&home);
    let screen = tmux.wait_for(&format!("Restored the draft from {}.", draft.display()));
    assert_header_shows(&screen, &after_pick);
    let mut marks = vec!["✘ "; 19];
    marks[0] = "✔*";
    marks[1] = "✔ ";
    assert_eq!(row_marks(&screen), marks, "{screen}");

    // Three quick changes, then kill -9 as soon as the screen shows the last one. The draft on disk
    // is then the saved one or a later one, whole, never a mix. Each state, worked out by hand:
    // the second pick, the third, then `s` switching to the enterprise project scope.
    tmux.keys(&["j", "Space", "j", "Space", "s"]);
    tmux.wait_for("Scope: Enterprise project.");
    wait_until_exited(tmux.signal_explorer("KILL"));
    drop(tmux);

    let both_creates = draft_json(&[CREATE, CLOUD_CREATE], "project");
    let with_list = draft_json(&[CREATE, CLOUD_CREATE, LIST], "project");
    let enterprise = draft_json(&[CREATE, CLOUD_CREATE, LIST], "enterprise");
    let bytes = std::fs::read(&draft).unwrap();
    let on_disk: serde_json::Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("the draft is not whole JSON ({e}):\n{}", String::from_utf8_lossy(&bytes)));
    let states = [&after_pick, &both_creates, &with_list, &enterprise];
    assert!(states.contains(&&on_disk), "unexpected draft:\n{on_disk:#}");
    if on_disk == after_pick {
        assert_eq!(bytes, saved, "the earlier draft is unchanged byte for byte");
    }

    let stale = assert_one_temporary_at_most(&directory, &[]);

    // The restarted explorer shows the state on disk.
    let tmux = Launch::explorer().start(&home);
    let screen = tmux.wait_for(&format!("Restored the draft from {}.", draft.display()));
    assert_header_shows(&screen, &on_disk);

    // One more change, and kill -9 while its save is under way: as soon as the temporary file shows
    // up, or once the draft changed if the test never sees the temporary file.
    let before = std::fs::read(&draft).unwrap();
    let toggled = with_scope_toggled(&on_disk);
    let explorer = tmux.explorer_pids()[0];
    tmux.keys(&["s"]);
    kill_during_save(explorer, &directory, &before);
    wait_until_exited(explorer);
    drop(tmux);

    let bytes = std::fs::read(&draft).unwrap();
    let after_kill: serde_json::Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("the draft is not whole JSON ({e}):\n{}", String::from_utf8_lossy(&bytes)));
    assert!(after_kill == on_disk || after_kill == toggled, "unexpected draft:\n{after_kill:#}");
    if after_kill == on_disk {
        assert_eq!(bytes, before, "the earlier draft is unchanged byte for byte");
    }
    assert_one_temporary_at_most(&directory, &stale);

    let tmux = Launch::explorer().start(&home);
    let screen = tmux.wait_for(&format!("Restored the draft from {}.", draft.display()));
    assert_header_shows(&screen, &after_kill);
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}
