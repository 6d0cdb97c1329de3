//! Shared helpers for the end-to-end tests. A private tmux server runs the real binary on a screen of
//! fixed size, the helpers poll the screen text and read the explorer's panes from it, and
//! [`tools_present`] skips a test when a tool it needs is missing.
//!
//! Every wait polls `tmux capture-pane` until the expected text appears or [`TIMEOUT`] passes, so no
//! test depends on how fast the machine is, and a passing test never sleeps for a fixed time.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_permscope");

/// How long a wait polls before the test fails. Only a failing test spends it, so it is generous
/// for a loaded machine.
pub const TIMEOUT: Duration = Duration::from_secs(10);
const POLL_INTERVAL: Duration = Duration::from_millis(40);

/// Text the shell around the explorer prints before its exit status.
const EXIT_MARKER: &str = "permscope exited with status ";

/// The tmux session every helper addresses. Each test has its own tmux server, so one name suffices.
const SESSION: &str = "e2e";

/// The policy for both rollback APIs, worked out from Huawei's EVS snapshot permission table:
/// `POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback` needs evs:snapshots:rollback, and
/// `POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback` needs evs:snapshots:rollback,
/// evs:snapshots:get and evs:volumes:get. One Allow statement with the actions sorted, two-space
/// indentation and a final newline.
pub const ROLLBACK_POLICY: &str = r#"{
  "Version": "1.1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "evs:snapshots:get",
        "evs:snapshots:rollback",
        "evs:volumes:get"
      ]
    }
  ]
}
"#;

pub const CLOUD_ROLLBACK: &str = "POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback";
pub const VENDOR_ROLLBACK: &str = "POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback";

/// Debian packages that provide the tools the tests run.
fn debian_package(tool: &str) -> &str {
    match tool {
        "Xvfb" => "xvfb",
        other => other,
    }
}

/// Returns whether every tool is on PATH. A missing tool skips the test with a printed reason, unless
/// PERMSCOPE_E2E=require (CI sets it), where a missing tool fails the test.
pub fn tools_present(tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools.iter().copied().filter(|tool| find_in_path(tool).is_none()).collect();
    if missing.is_empty() {
        return true;
    }
    let test = std::thread::current().name().unwrap_or("test").to_owned();
    let packages: Vec<&str> = missing.iter().map(|tool| debian_package(tool)).collect();
    let reason = format!("{} not found on PATH (Debian packages: {})", missing.join(", "), packages.join(" "));
    if std::env::var("PERMSCOPE_E2E").is_ok_and(|value| value == "require") {
        panic!("{test}: {reason}; PERMSCOPE_E2E=require makes a missing tool an error");
    }
    // Written to the process's stderr rather than through eprintln!, which the test harness captures
    // and shows only for failing tests.
    let _ = writeln!(std::io::stderr(), "skipped {test}: {reason}");
    false
}

pub fn find_in_path(tool: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| candidate.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// A temporary home directory. HOME, the XDG base directories and tmux's socket directory all point
/// inside it, so a test never reads or writes the user's files or talks to the user's tmux server.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::Builder::new().prefix("permscope-e2e-").tempdir().expect("create a temporary home");
        Home { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn data_home(&self) -> PathBuf {
        self.path().join("xdg-data")
    }

    /// The draft file the explorer saves when XDG_DATA_HOME is set.
    pub fn draft_path(&self) -> PathBuf {
        self.data_home().join("permscope/draft.json")
    }

    /// The draft file the explorer saves when XDG_DATA_HOME is not set.
    pub fn default_draft_path(&self) -> PathBuf {
        self.path().join(".local/share/permscope/draft.json")
    }

    fn environment(&self) -> Vec<(String, String)> {
        let home = self.path().display().to_string();
        vec![
            ("HOME".into(), home.clone()),
            ("XDG_DATA_HOME".into(), self.data_home().display().to_string()),
            ("XDG_CONFIG_HOME".into(), format!("{home}/xdg-config")),
            ("XDG_CACHE_HOME".into(), format!("{home}/xdg-cache")),
            ("XDG_STATE_HOME".into(), format!("{home}/xdg-state")),
            ("XDG_RUNTIME_DIR".into(), format!("{home}/xdg-runtime")),
            ("TMUX_TMPDIR".into(), home),
        ]
    }
}

/// What to run in the tmux pane and how.
pub struct Launch {
    width: u16,
    height: u16,
    args: Vec<String>,
    env: Vec<(String, String)>,
    unset: Vec<String>,
    shell: bool,
    options: Vec<(String, String)>,
    wrapper: Vec<String>,
}

impl Launch {
    /// Runs the explorer in the pane (under sh, see [`Launch::start`]) with `LANG=C.UTF-8` on a
    /// 120×40 screen.
    pub fn explorer() -> Launch {
        Launch {
            width: 120,
            height: 40,
            args: Vec::new(),
            env: vec![("LANG".into(), "C.UTF-8".into())],
            unset: Vec::new(),
            shell: false,
            options: Vec::new(),
            wrapper: Vec::new(),
        }
    }

    /// Runs an interactive bash in the home directory, with the prompt `e2e$ ` and the binary's
    /// path in `$PERMSCOPE`.
    pub fn shell() -> Launch {
        let mut launch = Launch::explorer();
        launch.shell = true;
        launch.env.push(("PS1".into(), "e2e$ ".into()));
        launch.env.push(("PERMSCOPE".into(), BIN.into()));
        // An empty HISTFILE keeps bash from writing ~/.bash_history when tmux hangs up on it, which
        // could happen after the temporary home was removed and leave the directory behind.
        launch.env.push(("HISTFILE".into(), String::new()));
        launch
    }

    pub fn size(mut self, width: u16, height: u16) -> Launch {
        self.width = width;
        self.height = height;
        self
    }

    pub fn args(mut self, args: &[&str]) -> Launch {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// Sets an environment variable for the pane, replacing any earlier value.
    pub fn env(mut self, name: &str, value: &str) -> Launch {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.into(), value.into()));
        self
    }

    /// Leaves a variable that [`Home`] or [`Launch`] would set out of the pane's environment.
    pub fn unset(mut self, name: &str) -> Launch {
        self.unset.push(name.into());
        self
    }

    /// Runs the explorer through a wrapper command, such as `env -i TERM=… PATH=…` or
    /// `unshare -m sh -c '…; exec "$@"' sh`, which gets the binary and its arguments after its own.
    /// A wrapper that execs the binary keeps the process id, so [`Tmux::explorer_pids`] finds the
    /// explorer as long as the wrapper passes TMUX_TMPDIR on.
    pub fn wrap(mut self, command: &[&str]) -> Launch {
        self.wrapper = command.iter().map(|part| part.to_string()).collect();
        self
    }

    pub fn tmux_option(mut self, name: &str, value: &str) -> Launch {
        self.options.push((name.into(), value.into()));
        self
    }

    /// Starts a detached tmux server on a private socket with one session running the pane's process.
    pub fn start(self, home: &Home) -> Tmux {
        static SERVERS: AtomicUsize = AtomicUsize::new(0);
        let socket = format!("permscope-{}-{}", std::process::id(), SERVERS.fetch_add(1, Ordering::SeqCst));
        let config = home.path().join(format!("{socket}.conf"));

        // A dead pane stays, so a test can read the last screen. The status bar is off, so the pane
        // has the whole window.
        let mut lines = vec!["set -g status off".to_owned(), "set -g remain-on-exit on".to_owned()];
        lines.extend(self.options.iter().map(|(name, value)| format!("set -g {name} {value}")));
        std::fs::write(&config, lines.join("\n") + "\n").expect("write the tmux configuration");

        let mut env = home.environment();
        env.push(("PATH".into(), std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())));
        env.push(("TERM".into(), "xterm-256color".into()));
        for (name, value) in self.env {
            env.retain(|(n, _)| *n != name);
            env.push((name, value));
        }
        env.retain(|(name, _)| !self.unset.contains(name));

        let tmux = Tmux {
            socket,
            config,
            socket_dir: home.path().to_path_buf(),
            path: std::env::var("PATH").unwrap_or_default(),
        };
        let width = self.width.to_string();
        let height = self.height.to_string();
        let home_dir = home.path().display().to_string();
        let mut args = vec!["new-session", "-d", "-s", SESSION, "-x", &width, "-y", &height, "-c", &home_dir, "--"];
        // The explorer runs under sh, which waits for it and prints its exit status. tmux's own
        // record of a dead pane's status proved unreliable: tmux 3.3a sometimes left the exited
        // process unreaped, with no status, in these tests. sh then sleeps, because tmux scrolls
        // the screen of a dead pane to print its notice, which can push the status out of view.
        let script = format!("\"$@\"; echo \"[{EXIT_MARKER}$?]\"; exec sleep 86400");
        let program: Vec<String> = if self.shell {
            vec!["bash".into(), "--norc".into(), "--noprofile".into(), "-i".into()]
        } else {
            let shell = ["sh".to_owned(), "-c".to_owned(), script, "sh".to_owned()];
            shell.into_iter().chain(self.wrapper).chain([BIN.to_owned()]).chain(self.args).collect()
        };
        args.extend(program.iter().map(String::as_str));

        // The server takes its global environment from this process, and the pane inherits it.
        let mut command = tmux.command();
        command.envs(env).current_dir(home.path()).args(&args);
        let output = command.output().expect("run tmux new-session");
        assert!(output.status.success(), "tmux new-session failed: {}", String::from_utf8_lossy(&output.stderr));
        tmux
    }
}

/// One private tmux server with the session [`Launch::start`] made. Dropping it kills the server.
pub struct Tmux {
    socket: String,
    config: PathBuf,
    socket_dir: PathBuf,
    path: String,
}

impl Tmux {
    fn command(&self) -> Command {
        let mut command = Command::new("tmux");
        command
            .env_clear()
            .env("PATH", &self.path)
            .env("TMUX_TMPDIR", &self.socket_dir)
            .arg("-u")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg(&self.config)
            .stdin(Stdio::null());
        command
    }

    /// Runs a tmux command and returns its output; fails the test when tmux fails.
    pub fn run(&self, args: &[&str]) -> String {
        let output = self.command().args(args).output().expect("run tmux");
        assert!(output.status.success(), "tmux {} failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("tmux prints UTF-8")
    }

    /// Sends keys by tmux name (`Enter`, `Space`, `Escape`, `C-c`, `j`). After `Escape`, wait for
    /// the screen to change before sending more, or the terminal reader may take the next key for
    /// the rest of an escape sequence.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", SESSION];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types text literally, character by character.
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", SESSION, "-l", text]);
    }

    /// The pane's visible text, one line per row.
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", SESSION])
    }

    /// Expands a tmux format (`#{pane_dead}`) for the session's pane.
    pub fn format(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", SESSION, format]).trim_end().to_owned()
    }

    /// Polls the screen until `check` accepts it and returns that screen; fails the test with the
    /// last screen after [`TIMEOUT`].
    ///
    /// The terminal receives a frame in several writes, so a capture can catch half a frame that
    /// already shows the expected text. A screen counts only once a second capture one poll
    /// interval later is identical.
    pub fn wait_until(&self, expected: &str, check: impl Fn(&str) -> bool) -> String {
        self.wait_until_within(TIMEOUT, expected, check)
    }

    /// [`Tmux::wait_until`] with its own timeout, for work that grows with the catalog, such as loading
    /// 100,000 APIs in a debug build.
    pub fn wait_until_within(&self, timeout: Duration, expected: &str, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        let mut previous: Option<String> = None;
        loop {
            let screen = self.screen();
            if check(&screen) {
                if previous.as_deref() == Some(screen.as_str()) {
                    return screen;
                }
                previous = Some(screen.clone());
            } else {
                previous = None;
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for {expected}; the screen was:\n{screen}");
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Polls until the screen contains `text` and returns that screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |screen| screen.contains(text))
    }

    /// Polls until the screen no longer contains `text`.
    pub fn wait_gone(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} to disappear"), |screen| !screen.contains(text))
    }

    /// Polls until the explorer started by [`Launch::explorer`] has exited and returns its exit
    /// status, as the wrapping shell printed it.
    pub fn wait_exit(&self) -> i32 {
        self.wait_exit_within(TIMEOUT)
    }

    /// [`Tmux::wait_exit`] with its own timeout.
    pub fn wait_exit_within(&self, timeout: Duration) -> i32 {
        let screen = self.wait_until_within(timeout, "the explorer to exit", |screen| screen.contains(EXIT_MARKER));
        let line = screen.lines().find(|line| line.contains(EXIT_MARKER)).expect("the line the wait found");
        let status = line.split(EXIT_MARKER).nth(1).unwrap_or_default().trim_end_matches(']');
        status.parse().unwrap_or_else(|_| panic!("unexpected exit status line {line:?}"))
    }

    /// Returns whether an explorer of this test is still running.
    pub fn explorer_running(&self) -> bool {
        self.explorer_pids().into_iter().any(process_running)
    }

    /// Resizes the window and waits until tmux reports the new size. The explorer redraws on its own
    /// time, so callers then wait for text of the new frame.
    pub fn resize(&self, width: u16, height: u16) {
        let (width, height) = (width.to_string(), height.to_string());
        self.run(&["resize-window", "-t", SESSION, "-x", &width, "-y", &height]);
        let expected = format!("{width}x{height}");
        let start = Instant::now();
        while self.format("#{pane_width}x#{pane_height}") != expected {
            assert!(start.elapsed() < TIMEOUT, "tmux did not resize the pane to {expected}");
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// The newest tmux paste buffer, as set by an OSC 52 sequence when `set-clipboard` is on.
    pub fn newest_buffer(&self) -> Option<String> {
        let output = self.command().args(["show-buffer"]).output().expect("run tmux show-buffer");
        output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

impl Tmux {
    /// Returns the process ids of the explorers this server's panes run, found by the TMUX_TMPDIR
    /// that only this test's processes have. The clipboard server is left out: it is meant to outlive them.
    pub fn explorer_pids(&self) -> Vec<u32> {
        let marker = format!("TMUX_TMPDIR={}", self.socket_dir.display());
        let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
        entries
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
                let is_explorer = args[0] == BIN.as_bytes() && !args.contains(&b"__clipboard-serve".as_slice());
                let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
                is_explorer && environ.split(|&b| b == 0).any(|var| var == marker.as_bytes())
            })
            .collect()
    }

    /// Sends `signal` (a name for kill(1), such as `TERM` or `KILL`) to this test's one explorer and
    /// returns its process id.
    pub fn signal_explorer(&self, signal: &str) -> u32 {
        let explorers = self.explorer_pids();
        assert_eq!(explorers.len(), 1, "expected one explorer process, found {explorers:?}");
        let status = Command::new("kill").arg(format!("-{signal}")).arg(explorers[0].to_string()).status().expect("run kill");
        assert!(status.success(), "kill -{signal} {} failed", explorers[0]);
        explorers[0]
    }
}

/// Polls until the file at `path` exists and `check` accepts its contents, and returns them; fails the
/// test after [`TIMEOUT`] with the last contents seen.
pub fn wait_for_file(path: &Path, expected: &str, check: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let start = Instant::now();
    loop {
        let contents = std::fs::read(path);
        if let Ok(bytes) = &contents
            && check(bytes)
        {
            return bytes.clone();
        }
        if start.elapsed() > TIMEOUT {
            let last = contents.map(|b| String::from_utf8_lossy(&b).into_owned());
            panic!("timed out after {TIMEOUT:?} waiting for {} to contain {expected}; last read: {last:?}", path.display());
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// Polls until the process `pid` has exited; fails the test after [`TIMEOUT`].
pub fn wait_until_exited(pid: u32) {
    let start = Instant::now();
    while process_running(pid) {
        assert!(start.elapsed() < TIMEOUT, "process {pid} still running after {TIMEOUT:?}");
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// Returns whether a process exists and has not exited (a zombie has exited).
pub fn process_running(pid: u32) -> bool {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else { return false };
    !status.lines().any(|line| line.starts_with("State:") && line.contains('Z'))
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let explorers = self.explorer_pids();
        let _ = self.command().arg("kill-server").stdout(Stdio::null()).stderr(Stdio::null()).status();

        // The explorer ends by itself on the hangup. One that does not would keep running after the
        // test, so it is killed, and the hangup test reports the failure.
        let start = Instant::now();
        while explorers.iter().any(|&pid| process_running(pid)) && start.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(POLL_INTERVAL);
        }
        for pid in explorers.into_iter().filter(|&pid| process_running(pid)) {
            let _ = writeln!(std::io::stderr(), "permscope {pid} did not exit on hangup; killing it");
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
    }
}

/// Waits for the explorer's first frame in English.
pub fn wait_started(tmux: &Tmux) -> String {
    tmux.wait_for("callable, 0 conditional")
}

/// Searches `hgkz` (the pinyin initials of 回滚快照, "roll back a snapshot"), keeps the filter and
/// picks both rows. Returns the screen with both picked.
pub fn pick_both_rollbacks(tmux: &Tmux) -> String {
    tmux.keys(&["/"]);
    tmux.type_text("hgkz");
    tmux.wait_for("2 matches");
    tmux.keys(&["Enter"]);
    tmux.wait_gone("2 matches");
    tmux.keys(&["Space"]);
    tmux.wait_for("Picked POST");
    tmux.keys(&["j", "Space"]);
    tmux.wait_for("6/19 callable")
}

/// The rows of the API table: the text between its side borders, below the column headings.
pub fn table_rows(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(top) = lines.iter().position(|line| line.starts_with("┌ API")) else { return Vec::new() };
    lines[top + 2..]
        .iter()
        .take_while(|line| line.starts_with('│'))
        .map(|line| {
            let inner = &line['│'.len_utf8()..];
            let end = inner.find('│').unwrap_or(inner.len());
            inner[..end].trim_end().to_owned()
        })
        .filter(|row| !row.is_empty())
        .collect()
}

/// The status mark and pick mark of each table row, such as `"✔*"` or `"- "`.
pub fn row_marks(screen: &str) -> Vec<String> {
    table_rows(screen).iter().map(|row| row.chars().take(2).collect()).collect()
}

/// The action list entry for `action`, as `"[x] ✔ evs:snapshots:get"` (checkbox, status mark, name).
pub fn action_entry(screen: &str, action: &str) -> Option<String> {
    for line in screen.lines() {
        // "[ ]" would split into two tokens; the left pane's border may be glued to the checkbox.
        let tokens: Vec<String> = line.replace("[ ]", "[_]").split_whitespace().map(str::to_owned).collect();
        let Some(index) = tokens.iter().position(|token| token == action) else { continue };
        if index < 2 {
            continue;
        }
        if tokens[index - 2].ends_with("[x]") {
            return Some(format!("[x] {} {action}", tokens[index - 1]));
        }
        if tokens[index - 2].ends_with("[_]") {
            return Some(format!("[ ] {} {action}", tokens[index - 1]));
        }
    }
    None
}

/// The status line: the second row from the bottom of a `height`-row screen.
pub fn status_line(screen: &str, height: usize) -> String {
    screen.lines().nth(height - 2).unwrap_or_default().to_owned()
}

/// Resizes through sizes below the explorer's minimum of 40×12 (1×1, 10×3, 80×2), checking it
/// redraws and keeps running at each, and back to 120×40. Callers then wait for their own screen.
pub fn resize_round_trip(tmux: &Tmux) {
    tmux.resize(1, 1);
    // The first letter of the "Terminal too small" notice; the old frame had a space there.
    tmux.wait_until("the notice cut to 1×1", |screen| screen.trim() == "T");
    assert!(tmux.explorer_running());
    tmux.resize(10, 3);
    tmux.wait_for("10×3");
    assert!(tmux.explorer_running());
    tmux.resize(80, 2);
    let screen = tmux.wait_for("Terminal too small: 80×2.");
    assert!(screen.contains("needs at least 40×12"), "{screen}");
    assert!(tmux.explorer_running());
    tmux.resize(120, 40);
}

/// Returns the rows inside the dialog box titled `title`, trimmed and without the side borders, or
/// nothing when no such box is on screen. The box must span the whole screen width, so the screen
/// must be 80 columns wide or less, because dialogs are at most 80 wide.
pub fn full_width_dialog(screen: &str, title: &str) -> Vec<String> {
    let heading = format!("┌ {title} ");
    screen
        .lines()
        .skip_while(|line| !line.starts_with(&heading))
        .skip(1)
        .take_while(|line| !line.starts_with('└'))
        .map(|line| line.trim_start_matches('│').trim_end().trim_end_matches('│').trim().to_owned())
        .collect()
}
