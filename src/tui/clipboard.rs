//! Copying to the clipboard: the X11 clipboard through arboard where a display is reachable, else the
//! terminal's clipboard through an OSC 52 escape sequence.
//!
//! On X11 the process that set the clipboard must stay alive to serve it, so the copy is handed to a
//! detached child process (this binary with [`SERVE_ARG`]) that keeps serving until another program
//! takes the clipboard. The copied text thus outlives the explorer.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crossterm::QueueableCommand;
use crossterm::clipboard::CopyToClipboard;

/// The hidden first argument that runs the clipboard server.
pub const SERVE_ARG: &str = "__clipboard-serve";

/// How long the explorer waits for the clipboard server to take the clipboard.
const SERVE_TIMEOUT: Duration = Duration::from_secs(3);

/// True when an X11 or Wayland display is named in the environment.
pub fn display_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// True inside tmux, which needs the sequence wrapped to pass it to the outer terminal.
pub fn inside_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
}

/// Builds the bytes that ask the terminal to set its clipboard. Inside tmux the plain sequence is followed by
/// the same sequence wrapped in tmux's passthrough (`ESC P tmux; … ESC \`, inner ESCs doubled): tmux
/// takes the plain one when `set-clipboard` is on and forwards the wrapped one when `allow-passthrough`
/// is on.
pub fn osc52_bytes(text: &str, tmux: bool) -> Vec<u8> {
    let mut plain = Vec::new();
    plain.queue(CopyToClipboard::to_clipboard_from(text.as_bytes())).expect("writing to a Vec cannot fail");
    if !tmux {
        return plain;
    }
    let mut bytes = plain.clone();
    bytes.extend_from_slice(b"\x1bPtmux;");
    for &byte in &plain {
        if byte == 0x1b {
            bytes.push(0x1b);
        }
        bytes.push(byte);
    }
    bytes.extend_from_slice(b"\x1b\\");
    bytes
}

/// Hands `text` to a clipboard server process and waits until it owns the X11 clipboard.
pub fn copy_to_display(text: &str) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the permscope binary: {e}"))?;
    let mut command = Command::new(exe);
    command.arg(SERVE_ARG).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group: a Ctrl-C or hang-up sent to the explorer's group does not end it.
        command.process_group(0);
    }
    let mut child = command.spawn().map_err(|e| format!("cannot start the clipboard server: {e}"))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(text.as_bytes()).map_err(|e| format!("cannot pass the text to the clipboard server: {e}"))?;
    drop(stdin);

    let stdout = child.stdout.take().expect("stdout is piped");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    match receiver.recv_timeout(SERVE_TIMEOUT) {
        Ok(line) if line.trim() == "ok" => {
            // The server keeps running; reap it in the background so it leaves no zombie.
            std::thread::spawn(move || child.wait());
            Ok(())
        }
        Ok(line) => {
            let _ = child.wait();
            let reason = line.trim().strip_prefix("error: ").unwrap_or(line.trim()).to_owned();
            Err(if reason.is_empty() { "the clipboard server stopped".to_owned() } else { reason })
        }
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!("the display did not answer within {} s", SERVE_TIMEOUT.as_secs()))
        }
    }
}

/// Runs the clipboard server: reads the text from stdin, takes the clipboard, prints `ok` and serves
/// the text until another program takes the clipboard. Prints `error: …` and returns 1 on failure.
pub fn serve() -> u8 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        println!("error: cannot read the text: {e}");
        return 1;
    }
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(clipboard) => clipboard,
        Err(e) => {
            println!("error: {e}");
            return 1;
        }
    };
    if let Err(e) = clipboard.set_text(text.clone()) {
        println!("error: {e}");
        return 1;
    }
    println!("ok");
    let _ = std::io::stdout().flush();
    serve_until_replaced(&mut clipboard, text);
    0
}

/// How often the clipboard server checks that the X server still responds.
#[cfg(target_os = "linux")]
const DISPLAY_CHECK_INTERVAL: Duration = Duration::from_secs(1);

#[cfg(target_os = "linux")]
fn serve_until_replaced(clipboard: &mut arboard::Clipboard, text: String) {
    use arboard::SetExtLinux;
    // arboard 3.7's `wait` never returns once the X server is gone: its serving thread stops
    // without waking the waiter. So the wait runs on its own thread, and this one ends the server
    // once the display stops responding: reading back our own selection queries the X server for
    // the selection owner, which fails on a broken connection.
    let (done_sender, done) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok(mut waiter) = arboard::Clipboard::new() {
            let _ = waiter.set().wait().text(text);
        }
        let _ = done_sender.send(());
    });
    loop {
        match done.recv_timeout(DISPLAY_CHECK_INTERVAL) {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if clipboard.get_text().is_err() {
                    return;
                }
            }
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn serve_until_replaced(_clipboard: &mut arboard::Clipboard, _text: String) {
    // macOS and Windows keep the clipboard in the system; nothing to serve.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_plain_sequence() {
        // "hi" in base64 is "aGk=".
        assert_eq!(osc52_bytes("hi", false), b"\x1b]52;c;aGk=\x1b\\");
    }

    #[test]
    fn osc52_wrapped_for_tmux() {
        let bytes = osc52_bytes("hi", true);
        let plain: &[u8] = b"\x1b]52;c;aGk=\x1b\\";
        assert!(bytes.starts_with(plain));
        assert_eq!(&bytes[plain.len()..], b"\x1bPtmux;\x1b\x1b]52;c;aGk=\x1b\x1b\\\x1b\\");
    }
}
