//! End-to-end tests of `y` (copy the policy): into the X11 clipboard under Xvfb, where the copy must
//! outlive the explorer, and into tmux's paste buffer through OSC 52 when no display is set or the
//! display cannot be reached.

mod terminal;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use terminal::{BIN, Home, Launch, Tmux, ROLLBACK_POLICY, TIMEOUT, pick_both_rollbacks, status_line, tools_present, wait_started};

const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A private X server on a display number it picks itself. Dropping it kills the server and any
/// clipboard server still serving that display.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        // With -displayfd, Xvfb takes the first free display number and writes it to that file
        // descriptor (here stdout) once it accepts connections.
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "640x480x24"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver.recv_timeout(TIMEOUT).unwrap_or_default();
        let number = line.trim().to_owned();
        let mut xvfb = Xvfb { child, display: format!(":{number}") };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            xvfb.stop();
            panic!("Xvfb did not report a display number within {TIMEOUT:?} (got {line:?})");
        }
        xvfb
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        self.stop();
        // A clipboard server ends by itself once its display is gone; this covers a failing test
        // where it did not.
        for pid in clipboard_servers(&self.display) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// Process ids of this binary's clipboard servers (`permscope __clipboard-serve`) for `display`.
fn clipboard_servers(display: &str) -> Vec<u32> {
    let display_variable = format!("DISPLAY={display}");
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
            let is_server = args.len() >= 2 && args[0] == BIN.as_bytes() && args[1] == b"__clipboard-serve";
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            is_server && environ.split(|&b| b == 0).any(|var| var == display_variable.as_bytes())
        })
        .collect()
}

/// Reads the text of the X11 clipboard with xclip.
fn read_clipboard(display: &str) -> String {
    let mut child = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env_clear()
        .env("DISPLAY", display)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start xclip");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for xclip") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("xclip -o did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(POLL_INTERVAL);
    };
    let mut stderr = String::new();
    let _ = child.stderr.take().expect("stderr is piped").read_to_string(&mut stderr);
    assert!(status.success(), "xclip -o failed: {stderr}");
    reader.join().expect("xclip reader thread")
}

/// Polls tmux's newest paste buffer until it equals `expected`.
fn wait_for_buffer(tmux: &Tmux, expected: &str) {
    let start = Instant::now();
    loop {
        let buffer = tmux.newest_buffer();
        if buffer.as_deref() == Some(expected) {
            return;
        }
        if start.elapsed() > TIMEOUT {
            panic!("tmux's paste buffer is {buffer:?} after {TIMEOUT:?}, expected the policy:\n{expected}");
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

#[test]
fn system_clipboard_survives_exit() {
    if !tools_present(&["tmux", "Xvfb", "xclip"]) {
        return;
    }
    let mut xvfb = Xvfb::start();
    let home = Home::new();
    let tmux = Launch::explorer().size(160, 40).env("DISPLAY", &xvfb.display).start(&home);
    wait_started(&tmux);
    pick_both_rollbacks(&tmux);

    tmux.keys(&["y"]);
    let screen = tmux.wait_for("Copied the policy to the clipboard");
    assert_eq!(status_line(&screen, 40), "Copied the policy to the clipboard; it stays there after permscope exits.");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);

    // The explorer is gone; its clipboard server still serves the copy.
    assert_eq!(read_clipboard(&xvfb.display), ROLLBACK_POLICY);
    assert_eq!(clipboard_servers(&xvfb.display).len(), 1, "one clipboard server for the one copy");

    // When the display goes away, so does the clipboard server.
    xvfb.stop();
    let start = Instant::now();
    while !clipboard_servers(&xvfb.display).is_empty() {
        assert!(start.elapsed() < TIMEOUT, "the clipboard server outlived its display by {TIMEOUT:?}");
        std::thread::sleep(POLL_INTERVAL);
    }
}

#[test]
fn clipboard_server_ends_when_replaced() {
    if !tools_present(&["tmux", "Xvfb", "xclip"]) {
        return;
    }
    let xvfb = Xvfb::start();
    let home = Home::new();
    let tmux = Launch::explorer().size(160, 40).env("DISPLAY", &xvfb.display).start(&home);
    wait_started(&tmux);
    tmux.keys(&["y"]);
    tmux.wait_for("Copied the policy to the clipboard");
    assert_eq!(clipboard_servers(&xvfb.display).len(), 1);

    // Another program takes the clipboard: xclip -i keeps serving it from a child of its own.
    let mut xclip = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .env_clear()
        .env("DISPLAY", &xvfb.display)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start xclip -i");
    xclip.stdin.take().expect("stdin is piped").write_all(b"replaced").unwrap();
    let _ = xclip.wait();

    let start = Instant::now();
    while !clipboard_servers(&xvfb.display).is_empty() {
        assert!(start.elapsed() < TIMEOUT, "the clipboard server kept running after losing the clipboard");
        std::thread::sleep(POLL_INTERVAL);
    }
    assert_eq!(read_clipboard(&xvfb.display), "replaced");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

#[test]
fn osc52_reaches_tmux_buffer() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    // Launch starts from an empty environment, so neither DISPLAY nor WAYLAND_DISPLAY is set.
    let tmux = Launch::explorer().size(160, 40).tmux_option("set-clipboard", "on").start(&home);
    wait_started(&tmux);
    pick_both_rollbacks(&tmux);
    assert_eq!(tmux.newest_buffer(), None, "no paste buffer before the copy");

    tmux.keys(&["y"]);
    let screen = tmux.wait_for("(OSC 52)");
    let expected = "Sent the policy to the clipboard through tmux (OSC 52). It needs tmux's set-clipboard or allow-passthrough; paste to check.";
    assert_eq!(status_line(&screen, 40), expected);
    wait_for_buffer(&tmux, ROLLBACK_POLICY);
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}

/// Finds a display number that no X server on this machine uses: neither its socket nor its lock
/// file exists.
fn unused_display() -> String {
    let number = (900..1000)
        .find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists())
        .expect("a free display number between 900 and 999");
    format!(":{number}")
}

#[test]
fn unreachable_display_falls_back() {
    if !tools_present(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let tmux = Launch::explorer().size(250, 40).env("DISPLAY", &unused_display()).tmux_option("set-clipboard", "on").start(&home);
    wait_started(&tmux);
    pick_both_rollbacks(&tmux);

    tmux.keys(&["y"]);
    let screen = tmux.wait_for("No system clipboard (");
    let status = status_line(&screen, 40);
    assert!(status.ends_with("); sent through the terminal (OSC 52) instead. Paste to check."), "{status}");
    wait_for_buffer(&tmux, ROLLBACK_POLICY);
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_exit(), 0);
}
