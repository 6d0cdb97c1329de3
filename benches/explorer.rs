//! Explorer benchmarks: a keystroke's whole path through the explorer, from the key event to a drawn
//! frame. Keys go through the keymap and `App::update`, frames through `view::render` on ratatui's
//! TestBackend at 120×40, and large catalogs hand searches to a worker thread as the run loop in
//! `tui/mod.rs` does. Catalogs: the built-in one (19 APIs) and synthetic ones of 20,000 and 100,000 APIs
//! (`permscope catalog synth N --seed 1`). Run with `cargo bench --bench explorer`; BENCHMARKS.md
//! records the results and targets.
//!
//! Before divan's benchmarks run, typing simulations type each query one character at a time, as a
//! user would, and print percentiles per keystroke:
//! - the echo frame: the key is handled and the frame redrawn, while a worker search may still run;
//! - the finished frame: the frame that shows the complete results of the key's query. Each key waits
//!   for its results before the next key is typed.
//!
//! NOTE: TestBackend keeps the frame in memory. A real terminal also costs the escape sequences and
//! the write to the terminal, which these figures leave out.
//!
//! The run loop looks for worker results every 2 ms while a search is pending, and this simulation
//! applies them as soon as they arrive, so the binary can show a result up to 2 ms later than here.

mod common;

use std::sync::LazyLock;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use divan::Bencher;
use permscope::catalog::{Catalog, Lang};
use permscope::synth::synthesize;
use permscope::tui::action::Action;
use permscope::tui::app::{App, Effect};
use permscope::tui::keymap;
use permscope::tui::theme::Theme;
use permscope::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use common::QUERIES;

/// Queries for the built-in EVS snapshot catalog: English words, Chinese, pinyin initials, full
/// pinyin, an action, a path and a two-term query.
const SEED_QUERIES: [&str; 8] = [
    "snapshot",
    "回滚快照",
    "hgkz",
    "kuaizhao",
    "evs:snapshots:get",
    "/v2/{project_id}/cloudsnapshots",
    "delete metadata",
    "rollback",
];


/// The screen size of the simulated terminal, in columns and rows.
const SCREEN: (u16, u16) = (120, 40);

static CATALOG_20K: LazyLock<Catalog> = LazyLock::new(|| synthesize(20_000, 1));
static CATALOG_100K: LazyLock<Catalog> = LazyLock::new(|| synthesize(100_000, 1));

fn main() {
    // `cargo bench --bench explorer -- NAME` runs only the divan benchmarks matching NAME; the typing
    // simulations run when there is no filter or the filter is "keystrokes".
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if filters.is_empty() || filters.iter().any(|f| f == "keystrokes") {
        report_typing("19 APIs (built-in)", Catalog::builtin(), &SEED_QUERIES, 20);
        report_typing("20,000 APIs", CATALOG_20K.clone(), &QUERIES, 5);
        report_typing("100,000 APIs", CATALOG_100K.clone(), &QUERIES, 3);
    }
    divan::main();
}

/// A query for the search worker and its generation.
type SearchRequest = (String, u64);

/// A finished search, as `Action::SearchDone`, and the instant it finished.
type SearchResult = (Action, Instant);

/// The explorer as the run loop drives it, drawing on a TestBackend instead of a terminal.
struct Explorer {
    app: App,
    terminal: Terminal<TestBackend>,
    queries: Sender<SearchRequest>,
    results: Receiver<SearchResult>,
    /// The generation of the newest search sent to the worker and not yet applied.
    awaited: Option<u64>,
    /// Searches sent to the worker so far.
    worker_searches: usize,
}

/// The times of one keystroke, measured from the moment the key event is handed to the explorer.
struct Keystroke {
    /// Until the frame that echoes the key is drawn.
    echo: Duration,
    /// Until the frame with the complete results of the key's query is drawn. Equal to `echo` when the
    /// search ran inline.
    finished: Duration,
    /// Whether the echo frame was drawn before the worker finished the key's search.
    echoed_while_searching: bool,
}

impl Explorer {
    /// Starts the explorer on `catalog` and draws the first frame, as the run loop does.
    fn start(catalog: Catalog) -> Explorer {
        let mut app = App::new(catalog, Lang::En, Theme::new(true));
        app.update(Action::Resize(SCREEN.0, SCREEN.1));
        let (queries, results) = spawn_search_worker(&app);
        let terminal = Terminal::new(TestBackend::new(SCREEN.0, SCREEN.1)).expect("a TestBackend terminal starts");
        let mut explorer = Explorer { app, terminal, queries, results, awaited: None, worker_searches: 0 };
        explorer.draw();
        explorer
    }

    fn draw(&mut self) {
        let app = &self.app;
        self.terminal.draw(|frame| view::render(frame, app)).expect("drawing on a TestBackend does not fail");
    }

    /// Resolves a key in the current context and applies it, sending any search to the worker.
    fn press(&mut self, key: KeyEvent) {
        let Some(action) = keymap::resolve(self.app.context(), &key) else { return };
        self.apply(action);
    }

    fn apply(&mut self, action: Action) {
        for effect in self.app.update(action) {
            if let Effect::Search { query, generation } = effect {
                self.queries.send((query, generation)).expect("the search worker is running");
                self.awaited = Some(generation);
                self.worker_searches += 1;
            }
        }
    }

    /// Waits for the newest search sent, applies every result that arrives on the way and returns the
    /// instant the newest search finished. Returns `None` when no search is awaited.
    fn wait_for_results(&mut self) -> Option<Instant> {
        let awaited = self.awaited.take()?;
        loop {
            let (action, finished_at) = self.results.recv().expect("the search worker is running");
            let done = matches!(action, Action::SearchDone { generation, .. } if generation == awaited);
            self.apply(action);
            if done {
                return Some(finished_at);
            }
        }
    }

    /// Types one character into the open search field and waits for its results.
    fn type_char(&mut self, c: char) -> Keystroke {
        let start = Instant::now();
        self.press(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        self.draw();
        let echo_done = Instant::now();
        let echo = echo_done - start;

        match self.wait_for_results() {
            Some(search_done) => {
                self.draw();
                Keystroke { echo, finished: start.elapsed(), echoed_while_searching: search_done > echo_done }
            }
            None => Keystroke { echo, finished: echo, echoed_while_searching: false },
        }
    }

    /// Clears the search with Esc and opens the field again with `/`, as a user starting a new query.
    fn restart_search(&mut self) {
        if self.app.searching {
            self.press(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            self.wait_for_results();
        }
        self.press(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE));
        self.draw();
        assert!(self.app.searching, "`/` opens the search field");
    }
}

/// Starts the run loop's search worker on the App's index, with each result stamped with the instant
/// it finished.
fn spawn_search_worker(app: &App) -> (Sender<SearchRequest>, Receiver<SearchResult>) {
    let (sender, results) = mpsc::channel();
    let queries = permscope::tui::spawn_search_worker(app.search_index(), move |action| sender.send((action, Instant::now())).is_ok());
    (queries, results)
}

/// Types every query a character at a time, `rounds` times, and prints percentiles of the echo and
/// finished frames per keystroke.
fn report_typing(catalog_name: &str, catalog: Catalog, queries: &[&str], rounds: usize) {
    let mut explorer = Explorer::start(catalog);
    let (mut echoes, mut finished, mut while_searching) = (Vec::new(), Vec::new(), 0);
    for _ in 0..rounds {
        for query in queries {
            explorer.restart_search();
            for c in query.chars() {
                let keystroke = explorer.type_char(c);
                echoes.push(keystroke.echo);
                finished.push(keystroke.finished);
                while_searching += usize::from(keystroke.echoed_while_searching);
            }
            assert_eq!(explorer.app.search.value(), *query, "every typed character reached the search field");
        }
    }
    let count = echoes.len();
    println!("keystrokes, {catalog_name}, key to finished frame: {}", percentiles(&mut finished));
    if explorer.worker_searches == 0 {
        println!("keystrokes, {catalog_name}: every search ran inline, so each echo frame was the finished frame");
        return;
    }
    println!("keystrokes, {catalog_name}, key to echo frame: {}", percentiles(&mut echoes));
    println!("keystrokes, {catalog_name}, echo frames drawn while the search was still running: {while_searching} of {count}");
}

/// Formats the median, 95th percentile and maximum of `times`.
fn percentiles(times: &mut [Duration]) -> String {
    times.sort_unstable();
    let percentile = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    format!(
        "median {}, p95 {}, max {} over {} keystrokes",
        millis(percentile(50)),
        millis(percentile(95)),
        millis(*times.last().expect("keystrokes were timed")),
        times.len()
    )
}

fn millis(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}

/// Measures the explorer's start on the built-in catalog: loading the catalog, `App::new` and the first
/// frame. The binary's terminal setup and saved-draft restore are not included.
#[divan::bench(sample_count = 100)]
fn start_to_first_frame_seed() -> Terminal<TestBackend> {
    let mut app = App::new(Catalog::builtin(), Lang::En, Theme::new(true));
    app.update(Action::Resize(SCREEN.0, SCREEN.1));
    let mut terminal = Terminal::new(TestBackend::new(SCREEN.0, SCREEN.1)).expect("a TestBackend terminal starts");
    terminal.draw(|frame| view::render(frame, &app)).expect("drawing on a TestBackend does not fail");
    terminal
}

/// Measures one keystroke to its finished frame on the built-in catalog: `s` typed into an empty search.
#[divan::bench(sample_count = 200)]
fn keystroke_seed(bencher: Bencher) {
    bencher
        .with_inputs(|| {
            let mut explorer = Explorer::start(Catalog::builtin());
            explorer.restart_search();
            explorer
        })
        .bench_local_refs(|explorer| explorer.type_char('s').finished);
}

/// Measures the explorer's start on 100,000 APIs from the catalog's JSON text: parsing, `App::new` and
/// the first frame. Reading the file is not included.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn start_to_first_frame_100k(bencher: Bencher) {
    let text = serde_json::to_string_pretty(&*CATALOG_100K).expect("a catalog serializes");
    bencher.bench_local(|| {
        let catalog = Catalog::parse("bench.json", &text).expect("the synthetic catalog is valid");
        let mut app = App::new(catalog, Lang::En, Theme::new(true));
        app.update(Action::Resize(SCREEN.0, SCREEN.1));
        let mut terminal = Terminal::new(TestBackend::new(SCREEN.0, SCREEN.1)).expect("a TestBackend terminal starts");
        terminal.draw(|frame| view::render(frame, &app)).expect("drawing on a TestBackend does not fail");
        (app, terminal)
    });
}

/// The built-in catalog with its first API's names, path and first action 20,000 characters long,
/// searched with a 5,000-character query: the hostile-input case whose redraw must stay under 100 ms.
fn long_text_explorer() -> (App, Terminal<TestBackend>) {
    let mut catalog = Catalog::builtin();
    let api = &mut catalog.apis[0];
    api.name.en = "Create an EVS snapshot ".repeat(20_000 / 23 + 1).chars().take(20_000).collect();
    api.name.zh = "创建云硬盘快照".repeat(20_000 / 7 + 1).chars().take(20_000).collect();
    api.path = format!("/v2/{}", "snapshots/".repeat(2_000)).chars().take(20_000).collect();
    api.actions[0] = format!("evs:{}:create", "s".repeat(20_000 - 11));
    let mut app = App::new(catalog, Lang::En, Theme::new(true));
    app.update(Action::Resize(SCREEN.0, SCREEN.1));
    app.update(Action::OpenSearch);
    app.update(Action::Paste("snapshots ".repeat(500)));
    // Every path of the catalog contains "snapshots", so all 19 rows match and are highlighted.
    assert_eq!(app.rows.len(), 19, "the long query matches every API");
    let terminal = Terminal::new(TestBackend::new(SCREEN.0, SCREEN.1)).expect("a TestBackend terminal starts");
    (app, terminal)
}

/// Measures one redraw of the long-text case.
#[divan::bench(sample_count = 20)]
fn redraw_long_texts(bencher: Bencher) {
    bencher.with_inputs(long_text_explorer).bench_local_refs(|(app, terminal)| {
        terminal.draw(|frame| view::render(frame, app)).expect("drawing on a TestBackend does not fail");
    });
}

/// Measures one more character typed into the 5,000-character query: the inline search and the redraw.
#[divan::bench(sample_count = 20)]
fn keystroke_long_texts(bencher: Bencher) {
    bencher.with_inputs(long_text_explorer).bench_local_refs(|(app, terminal)| {
        app.update(Action::Paste("s".into()));
        terminal.draw(|frame| view::render(frame, app)).expect("drawing on a TestBackend does not fail");
    });
}
