//! The `plenary` command line: parses arguments, runs a command, prints diagnostics, sets the exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
use commands::{i18n, update_sources, I18nAction, SourcesAction};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use plenary::build::{self, Outcome, Progress, Report};
use plenary::diag::Diagnostic;
use plenary::output::Overwrite;

/// Builds the site of the IGF's intersessional work (Best Practice Forums, Dynamic
/// Coalitions, national, regional and youth IGFs) in the six UN languages.
#[derive(Parser)]
#[command(name = "plenary", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into a folder (the previous build is replaced only if this one succeeds)
    Build {
        /// The site root: the folder holding site.toml, content/, themes/ and i18n/
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site [default: <root>/public]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Publish pages marked `draft = true` too
        #[arg(long)]
        drafts: bool,
        /// Replace the output folder even if it holds files no build wrote (all of them are
        /// deleted); never a folder that holds or lies in the site's sources
        #[arg(long)]
        force: bool,
    },
    /// Check everything a build checks, and write nothing; missing translations of interface strings fail it
    Check {
        /// The site root: the folder holding site.toml, content/, themes/ and i18n/
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Build the site and serve it with its search page and search API (GET /_search?q=...)
    Serve {
        /// The site root: the folder holding site.toml, content/, themes/ and i18n/
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on; 0.0.0.0 makes the site reachable from other machines
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// The port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Publish pages marked `draft = true` too
        #[arg(long)]
        drafts: bool,
        /// Serve the site as built, without rebuilding when files change nor reloading pages
        /// (production)
        #[arg(long)]
        no_watch: bool,
        /// Seconds a client has to send a whole request (or to read what it is sent) before
        /// its connection is closed
        #[arg(long, default_value_t = 10, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
        read_timeout: u64,
        /// Connections served at once; more are answered 503 (busy) at once
        #[arg(long, default_value_t = 256, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=65536))]
        max_connections: u64,
        /// Connections one client (one IP address) may have open at once [default: with
        /// --no-watch a quarter of --max-connections, else all]; behind a reverse proxy, which
        /// is one client to the server, set it to --max-connections
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=65536))]
        max_connections_per_client: Option<u64>,
        /// Open the site in the web browser once it is served ($BROWSER, else the system's)
        #[arg(long)]
        open: bool,
    },
    /// Search the built site
    Search {
        /// The site root, whose public/ holds the built site
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The built site [default: <root>/public]
        #[arg(long)]
        site: Option<PathBuf>,
        /// A language code, or `all` to search every language
        #[arg(long, default_value = "all")]
        lang: String,
        /// How many results (at most 100)
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=plenary::query::MAX_PER_PAGE as u64))]
        limit: u64,
        /// Which page of results, of `--limit` each (as the HTTP API's `page`)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        page: u64,
        /// Keep results with this facet value: kind=bpf-output, group=..., year=2020, theme=..., region=...
        #[arg(long, value_name = "FACET=VALUE")]
        filter: Vec<String>,
        /// Print JSON, as the HTTP API answers
        #[arg(long)]
        json: bool,
        /// What to look for; quotes make a phrase
        query: Vec<String>,
    },
    /// Manage the members' content trees listed under `[[sources]]` in site.toml
    Sources {
        #[command(subcommand)]
        action: SourcesAction,
    },
    /// Translators' tools: where translation stands, new translations, translations caught up
    I18n {
        #[command(subcommand)]
        action: I18nAction,
    },
}

/// Exit codes: 0 built, 1 the site's files have errors, 2 the machine failed (I/O and the like).
fn main() -> ExitCode {
    let cli = Cli::parse();
    let (root, out, drafts, checking, force) = match cli.command {
        Command::Serve {
            root,
            bind,
            port,
            drafts,
            no_watch,
            read_timeout,
            max_connections,
            max_connections_per_client,
            open,
        } => {
            let options = plenary::serve::Options {
                root,
                bind,
                port,
                drafts,
                watch: !no_watch,
                read_timeout: std::time::Duration::from_secs(read_timeout),
                max_connections: max_connections as usize,
                // The preview answers this machine alone: one client is all it has.
                max_connections_per_client: max_connections_per_client.unwrap_or(if no_watch {
                    (max_connections / 4).max(1)
                } else {
                    max_connections
                }) as usize,
            };
            return serve(&options, open);
        }
        Command::Search {
            root,
            site,
            lang,
            limit,
            page,
            filter,
            json,
            query,
        } => {
            return search(
                site.unwrap_or_else(|| root.join("public")),
                lang,
                limit as usize,
                page.try_into().unwrap_or(usize::MAX),
                filter,
                json,
                query.join(" "),
            );
        }
        Command::Build {
            root,
            out,
            drafts,
            force,
        } => {
            let out = out.unwrap_or_else(|| root.join("public"));
            (root, Some(out), drafts, false, force)
        }
        Command::Check { root } => (root, None, false, true, false),
        Command::Sources {
            action: SourcesAction::Update { root, id },
        } => return update_sources(&root, id.as_deref()),
        Command::I18n { action } => return i18n(action),
    };
    let progress: Option<Box<dyn Progress>> = Some(Box::new(Bar::new()));
    let overwrite = if force {
        Overwrite::Anything
    } else {
        Overwrite::EarlierBuilds
    };
    let options = build::Options {
        root,
        out: out.clone(),
        drafts,
        progress,
        dashboard: false,
    };
    let outcome = build::build_with(options, overwrite);
    match outcome {
        Ok(Outcome::Built(report)) => {
            print_diagnostics(&report.warnings);
            print_summary(&report, out.as_deref(), checking);
            if checking && !report.warnings.is_empty() {
                eprintln!("check failed: {} warning(s)", report.warnings.len());
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Ok(Outcome::Failed(diags)) => {
            print_diagnostics(&diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let warnings = diags.len() - errors;
            eprintln!(
                "{}: {errors} error(s), {warnings} warning(s); nothing was written",
                if checking {
                    "check failed"
                } else {
                    "build failed"
                }
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn serve(options: &plenary::serve::Options, open: bool) -> ExitCode {
    let (report, served) = match plenary::serve::Served::start(options) {
        Ok(Ok(started)) => started,
        Ok(Err(diags)) => {
            print_diagnostics(&diags);
            eprintln!("the site has errors: fix them and start `plenary serve` again");
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    print_diagnostics(&report.warnings);
    if report.files > 0 {
        eprintln!(
            "built {} files in {:.2} s",
            report.files,
            report.elapsed.as_secs_f64()
        );
    } else {
        eprintln!("the site does not build yet: pages show why until it does");
    }
    if options.watch {
        eprintln!("watching for changes: pages reload by themselves");
    }
    // The site's own address: a site published under a path is served under it.
    let base_path = served.base_path();
    let served = plenary::serve::serve(
        served,
        options,
        |address| {
            // On stdout, alone on its line, for scripts that start the server on port 0.
            println!("serving http://{address}{base_path}/");
            if open {
                open_in_browser(&format!("http://{address}{base_path}/"));
            }
        },
        |rebuilt| match rebuilt {
            Ok(report) => {
                print_diagnostics(&report.warnings);
                eprintln!(
                    "rebuilt {} files in {:.0} ms",
                    report.files,
                    report.elapsed.as_secs_f64() * 1000.0
                );
            }
            Err(text) => eprintln!("{text}\nthe last good site is still served"),
        },
    );
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Opens `url` in the browser `$BROWSER` names (as Python's webbrowser and xdg-open read
/// it), or else the system's: xdg-open, macOS's open, Windows' start.
fn open_in_browser(url: &str) {
    let mut command = match std::env::var("BROWSER") {
        Ok(browser) if !browser.trim().is_empty() => std::process::Command::new(browser.trim()),
        _ if cfg!(target_os = "macos") => std::process::Command::new("open"),
        _ if cfg!(windows) => {
            let mut start = std::process::Command::new("cmd");
            start.args(["/C", "start", ""]);
            start
        }
        _ => std::process::Command::new("xdg-open"),
    };
    let opened = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = opened {
        eprintln!("cannot open a browser ({e}): open {url} yourself");
    }
}

fn search(
    site: PathBuf,
    lang: String,
    limit: usize,
    page: usize,
    filters: Vec<String>,
    json: bool,
    query: String,
) -> ExitCode {
    let mut parsed_filters = Vec::new();
    for filter in filters {
        match filter.split_once('=') {
            Some((name, value)) => parsed_filters.push((name.to_string(), value.to_string())),
            None => {
                eprintln!(
                    "error: `--filter {filter}` is not FACET=VALUE (for example kind=bpf-output)"
                );
                return ExitCode::from(2);
            }
        }
    }
    let searcher = match plenary::query::Searcher::open(&site) {
        Ok(searcher) => searcher,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let request = plenary::query::Request {
        query,
        lang,
        filters: parsed_filters,
        page,
        per_page: limit,
    };
    let response = match searcher.search(&request) {
        Ok(response) => response,
        Err(plenary::query::Invalid(message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let text = if json {
        match serde_json::to_string_pretty(&response) {
            Ok(text) => format!("{text}\n"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        let mut text = format!("{} result(s) for \"{}\"\n", response.total, response.query);
        for hit in &response.hits {
            text.push_str(&format!(
                "\n{} [{}] {}\n  {}\n  {}\n",
                hit.title,
                hit.lang,
                hit.date.as_deref().unwrap_or(""),
                hit.url,
                strip_marks(&hit.excerpt)
            ));
        }
        text
    };
    // A reader that stops early (`| head`) is no error.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    ExitCode::SUCCESS
}

/// Excerpts are HTML; on a terminal the marks become brackets.
fn strip_marks(html: &str) -> String {
    html.replace("<mark>", "[")
        .replace("</mark>", "]")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{d}");
    }
}

fn print_summary(report: &Report, out: Option<&std::path::Path>, checking: bool) {
    let per_language: Vec<String> = report
        .languages
        .iter()
        .map(|l| format!("{} {} (+{} fallback)", l.code, l.translated, l.fallbacks))
        .collect();
    let verb = if checking { "checked" } else { "built" };
    let place = out
        .map(|o| format!(" into `{}`", o.display()))
        .unwrap_or_default();
    eprintln!(
        "{verb} {} files{place} in {:.2} s",
        report.files,
        report.elapsed.as_secs_f64()
    );
    eprintln!("pages per language: {}", per_language.join(", "));
    if !report.warnings.is_empty() {
        eprintln!("{} warning(s)", report.warnings.len());
    }
}

/// A progress bar on a terminal; a plain line otherwise, so logs stay readable.
/// Rendering threads tick it, so it is shared rather than owned by one thread.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
}

impl Bar {
    fn new() -> Bar {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "rendering {bar:30} {pos}/{len} files ({eta})",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Bar { bar }
    }
}

impl Progress for Bar {
    fn start(&self, total: usize) {
        match &self.bar {
            Some(bar) => bar.set_length(total as u64),
            None => eprintln!("rendering {total} files"),
        }
    }

    fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
