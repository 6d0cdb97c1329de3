//! The full-screen explorer. [`run`] owns the terminal and performs effects; everything it shows and
//! every decision lives in [`app::App`].

pub mod action;
pub mod app;
pub mod clipboard;
pub mod export;
pub mod keymap;
pub mod layout;
pub mod state;
pub mod strings;
pub mod terminal;
pub mod theme;
pub mod view;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyEventKind, MouseButton, MouseEventKind};

use action::{Action, CopyOutcome, ExportResult};
use app::{App, Effect, StatusKind};
use strings::strings;

use crate::catalog::{Catalog, Lang};
use crate::cli::Error;
use crate::policy::Policy;
use crate::search::IncrementalSearch;

/// How often the loop wakes without input, to save a changed draft and collect finished work.
const TICK: Duration = Duration::from_millis(200);
/// How often the loop looks for search results while the worker is matching.
const RESULT_POLL: Duration = Duration::from_millis(2);

pub struct Options {
    pub catalog: Catalog,
    /// The catalog's search index when the catalog cache supplied it; built here otherwise.
    pub index: Option<crate::search::SearchIndex>,
    pub lang: Lang,
    pub policy_path: Option<String>,
}

/// Messages from worker threads.
enum Message {
    Action(Action),
    /// The system clipboard failed; send the text through the terminal instead.
    CopyFallback { text: String, reason: String },
}

/// Runs the explorer until the user quits or a signal arrives.
pub fn run(options: Options) -> Result<(), Error> {
    let texts = strings(options.lang);
    if std::env::var("TERM").is_ok_and(|term| term == "dumb") {
        return Err(Error::usage(texts.dumb_terminal, None));
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Error::usage(texts.not_a_terminal, None));
    }

    let loaded_policy = match &options.policy_path {
        Some(path) => {
            let (name, text) = crate::input::read_text(path, crate::input::MAX_POLICY_BYTES)?;
            let parsed = Policy::parse(&name, &text)?;
            Some((name, text, parsed))
        }
        None => None,
    };

    let mut app = App::with_index(options.catalog, options.index, options.lang, theme::Theme::from_env());
    // Without HOME the directories crate falls back to the password database, which on a shared
    // jump host or in `env -i` is rarely where the user expects files. So nothing is saved, and export
    // requests a full path instead.
    let home_set = std::env::var_os("HOME").is_some_and(|h| !h.is_empty());
    let dirs = directories::ProjectDirs::from("", "", "permscope").filter(|_| home_set);
    app.export_default = default_export_path().filter(|_| home_set).map(|p| p.display().to_string());
    let state_path = dirs.as_ref().map(|d| d.data_dir().join("draft.json"));
    restore_state(&mut app, state_path, loaded_policy.is_none());
    if let Some((name, text, parsed)) = &loaded_policy {
        app.load_policy(name, text, &parsed.policy);
    }

    let signal = Arc::new(AtomicUsize::new(0));
    for number in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP, signal_hook::consts::SIGINT] {
        signal_hook::flag::register_usize(number, Arc::clone(&signal), number as usize)
            .map_err(|e| Error::usage(format!("cannot handle signals: {e}"), None))?;
    }

    let (mut tui, guard) = terminal::init().map_err(|e| Error::usage(format!("cannot set up the terminal: {e}"), None))?;
    // Lets the end-to-end tests check that a panic restores the terminal; nothing else sets it.
    if std::env::var_os("PERMSCOPE_TEST_PANIC").is_some() {
        panic!("PERMSCOPE_TEST_PANIC is set: panicking on purpose to test terminal restoration");
    }
    let size = tui.size().map_err(|e| Error::usage(format!("cannot read the terminal size: {e}"), None))?;
    app.update(Action::Resize(size.width, size.height));

    let result = event_loop(&mut tui, &mut app, &signal);
    // Save before leaving, whatever ended the loop.
    let mut effects = app.update(Action::Quit);
    for effect in effects.drain(..) {
        if let (Effect::Save(saved), Some(path)) = (effect, app.state_path.clone()) {
            let _ = state::save(&path, &saved);
        }
    }
    drop(guard);
    result.map_err(|e| Error::usage(format!("terminal error: {e}"), None))?;
    let number = signal.load(Ordering::SeqCst);
    if number != 0 {
        std::process::exit(128 + number as i32);
    }
    Ok(())
}

fn default_export_path() -> Option<PathBuf> {
    let user = directories::UserDirs::new()?;
    let dir = user.document_dir().filter(|d| d.is_dir()).unwrap_or(user.home_dir());
    Some(dir.join("permscope-policy.json"))
}

/// Reads the saved draft. Without a data directory nothing is saved; an unreadable state file is not
/// overwritten.
fn restore_state(app: &mut App, path: Option<PathBuf>, restore_grants: bool) {
    let texts = app.strings();
    let Some(path) = path else {
        app.set_status(StatusKind::Warning, texts.state_not_saved.to_owned());
        return;
    };
    let shown = path.display().to_string();
    match state::load(&path) {
        state::Loaded::Missing => app.state_path = Some(path),
        state::Loaded::Restored(saved) => {
            app.state_path = Some(path);
            app.set_status(StatusKind::Info, (texts.state_restored)(&shown));
            app.restore(&saved, restore_grants);
        }
        state::Loaded::Corrupt { moved_to, error } => {
            app.state_path = Some(path);
            app.set_status(StatusKind::Warning, (texts.state_corrupt)(&shown, &moved_to.display().to_string(), &error));
        }
        state::Loaded::Unreadable(error) => {
            app.set_status(StatusKind::Error, (texts.state_unreadable)(&shown, &error));
        }
    }
}

fn event_loop(tui: &mut terminal::Tui, app: &mut App, signal: &AtomicUsize) -> std::io::Result<()> {
    let (sender, receiver) = mpsc::channel::<Message>();
    let results = sender.clone();
    let searcher = spawn_search_worker(app.search_index(), move |action| results.send(Message::Action(action)).is_ok());
    let workers = Workers { sender, searcher };
    let mut last_tick = Instant::now();
    loop {
        tui.draw(|frame| view::render(frame, app))?;
        if app.should_quit() || signal.load(Ordering::SeqCst) != 0 {
            return Ok(());
        }

        // While the worker is matching, wake up often to show its results as soon as they arrive,
        // because only terminal events end the wait in `event::poll`.
        let wait = if app.search_pending { RESULT_POLL } else { TICK.saturating_sub(last_tick.elapsed()) };
        if event::poll(wait)? {
            // Handle every event already waiting before drawing again, so a burst of keys or a paste
            // costs one frame. Each event is translated after the previous one is applied, because a
            // key can change which context the next key belongs to (`/` opens the search field).
            loop {
                if let Some(action) = translate(app, event::read()?) {
                    apply(tui, app, action, &workers)?;
                }
                if app.should_quit() || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            apply(tui, app, Action::Tick, &workers)?;
        }
        let mut finished = Vec::new();
        collect_messages(tui, &receiver, &mut finished)?;
        for action in finished {
            apply(tui, app, action, &workers)?;
        }
    }
}

/// Channels to the threads that do slow work for the loop.
struct Workers {
    /// The channel worker threads report back on.
    sender: Sender<Message>,
    /// Queries for the search worker.
    searcher: Sender<(String, u64)>,
}

/// Starts the thread that matches queries on large catalogs and returns the channel for queries and
/// their generations. It skips to the newest query waiting, so fast typing costs one match per pause,
/// not one per key, and it narrows the previous results while the query grows. Each result goes to
/// `deliver` as [`Action::SearchDone`]; the thread ends when `deliver` returns false or the query
/// channel closes.
pub fn spawn_search_worker(
    index: Arc<crate::search::SearchIndex>,
    deliver: impl Fn(Action) -> bool + Send + 'static,
) -> Sender<(String, u64)> {
    let (queries, requests) = mpsc::channel::<(String, u64)>();
    std::thread::spawn(move || {
        let mut search = IncrementalSearch::new();
        while let Ok(mut request) = requests.recv() {
            while let Ok(newer) = requests.try_recv() {
                request = newer;
            }
            let (query, generation) = request;
            let ranked = search.search(&index, &query).to_vec();
            if !deliver(Action::SearchDone { generation, query, ranked }) {
                return;
            }
        }
    });
    queries
}

fn apply(tui: &mut terminal::Tui, app: &mut App, action: Action, workers: &Workers) -> std::io::Result<()> {
    for effect in app.update(action) {
        perform(tui, app, effect, workers)?;
    }
    Ok(())
}

fn collect_messages(tui: &mut terminal::Tui, receiver: &Receiver<Message>, actions: &mut Vec<Action>) -> std::io::Result<()> {
    while let Ok(message) = receiver.try_recv() {
        match message {
            Message::Action(action) => actions.push(action),
            Message::CopyFallback { text, reason } => {
                let through_tmux = clipboard::inside_tmux();
                write_osc52(tui, &text, through_tmux)?;
                actions.push(Action::CopyDone(CopyOutcome::Terminal { through_tmux, fallback_reason: Some(reason) }));
            }
        }
    }
    Ok(())
}

fn translate(app: &App, event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => keymap::resolve(app.context(), &key),
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Resize(width, height) => Some(Action::Resize(width, height)),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click { column: mouse.column, row: mouse.row }),
            MouseEventKind::ScrollDown => Some(Action::Scroll { column: mouse.column, row: mouse.row, down: true }),
            MouseEventKind::ScrollUp => Some(Action::Scroll { column: mouse.column, row: mouse.row, down: false }),
            _ => None,
        },
        _ => None,
    }
}

fn write_osc52(tui: &mut terminal::Tui, text: &str, through_tmux: bool) -> std::io::Result<()> {
    let writer = tui.backend_mut();
    writer.write_all(&clipboard::osc52_bytes(text, through_tmux))?;
    writer.flush()
}

/// Performs one effect. Anything that may block (the display, the file system) runs on a worker
/// thread and reports back as an action, so no key freezes the screen.
fn perform(tui: &mut terminal::Tui, app: &App, effect: Effect, workers: &Workers) -> std::io::Result<()> {
    let sender = &workers.sender;
    match effect {
        Effect::Search { query, generation } => {
            let _ = workers.searcher.send((query, generation));
        }
        Effect::Copy(text) => {
            if clipboard::display_available() {
                let sender = sender.clone();
                std::thread::spawn(move || {
                    let message = match clipboard::copy_to_display(&text) {
                        Ok(()) => Message::Action(Action::CopyDone(CopyOutcome::System { persistent: true })),
                        Err(reason) => Message::CopyFallback { text, reason },
                    };
                    let _ = sender.send(message);
                });
            } else {
                let through_tmux = clipboard::inside_tmux();
                write_osc52(tui, &text, through_tmux)?;
                let _ = sender.send(Message::Action(Action::CopyDone(CopyOutcome::Terminal { through_tmux, fallback_reason: None })));
            }
        }
        Effect::Export { path, contents, replace } => {
            let sender = sender.clone();
            std::thread::spawn(move || {
                let target = expand_home(&path);
                let result = export(&target, &contents, replace);
                let _ = sender.send(Message::Action(Action::ExportDone { path: target, result }));
            });
        }
        Effect::Save(saved) => {
            if let Some(path) = app.state_path.clone() {
                let sender = sender.clone();
                std::thread::spawn(move || {
                    let result = state::save(&path, &saved).map_err(|e| e.to_string());
                    let _ = sender.send(Message::Action(Action::SaveDone { path, result }));
                });
            }
        }
    }
    Ok(())
}

/// Expands a leading `~/` to the home directory, as a shell would.
fn expand_home(path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/")
        && let Some(user) = directories::UserDirs::new()
    {
        return user.home_dir().join(rest);
    }
    PathBuf::from(path)
}

fn export(path: &Path, contents: &str, replace: bool) -> ExportResult {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => return ExportResult::Failed("it is a directory".to_owned()),
        Ok(_) if !replace => return ExportResult::Exists,
        _ => {}
    }
    match crate::fsutil::write_atomic(path, contents.as_bytes()) {
        Ok(()) => ExportResult::Written(contents.chars().count()),
        Err(e) => ExportResult::Failed(e.to_string()),
    }
}
