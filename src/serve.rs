//! `plenary serve`: builds the site and serves it over HTTP, with the search API at
//! `/_search` and search pages rendered with their results for browsers without scripts.

use std::net::SocketAddr;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

mod answers;
mod replying;
mod watching;

pub use answers::{resolve, Resolved, SVG_POLICY};

use watching::describe;

use anyhow::Context as _;
use tiny_http::Server;

use crate::build::{self, Checked, Loaded, Report};
use crate::front;
use crate::gzip::GzipCache;
use crate::live::{Channel, Event};
use crate::query::Searcher;
use crate::rebuild::Memo;
use crate::watch::{Snapshot, Watch};

pub struct Options {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub drafts: bool,
    /// Rebuild when the site's files change, and tell open pages to reload.
    pub watch: bool,
    /// How long a connection may stay silent (or not read what it is sent) before it is
    /// closed.
    pub read_timeout: Duration,
    /// Connections served at once; more are answered 503.
    pub max_connections: usize,
    /// Connections one client may have open at once; more are answered 503.
    pub max_connections_per_client: usize,
}

/// Requests answered at once; more wait their turn.
const WORKERS: usize = 8;
/// Where `serve` builds the site, one folder per build: under the site root, never `public/`.
pub const SERVE_DIR: &str = ".plenary/serve";
/// Open pages are pinged this often, so that the connections of closed ones are let go.
const PING_EVERY: Duration = Duration::from_secs(15);
/// How often waiting workers look whether the server is asked to stop.
const STOP_CHECK: Duration = Duration::from_millis(200);
/// Builds kept after a newer one is served: requests that began on them can finish.
const KEEP_OLD_BUILDS: u64 = 2;

/// A built site being served.
pub struct Site {
    dir: PathBuf,
    loaded: Arc<Loaded>,
    searcher: Option<Arc<Searcher>>,
}

/// What the server serves: the last site that built, swapped whole when a rebuild succeeds,
/// and in watch mode why the last rebuild failed and the pages listening for news.
pub struct Served {
    site: RwLock<Option<Arc<Site>>>,
    /// The last build's diagnostics, when it failed (watch mode shows them over every page).
    broken: RwLock<Option<String>>,
    live: Option<Channel>,
    builds: AtomicU64,
    /// The sources as seen at the last build, for when the watcher loses track (watch mode).
    snapshot: Mutex<Snapshot>,
    /// What the last full build leaves for rebuilding only what a change touches (watch mode);
    /// `None` until a full build has gone well since the templates, strings or configuration
    /// changed.
    memo: Mutex<Option<Memo>>,
    gzip_cache: Mutex<GzipCache>,
    /// Bodies handed to the front to send (files, kept compressed files).
    handoffs: Arc<front::Handoffs>,
    /// The address the server was asked to listen on: in watch mode, the one host name
    /// besides localhost that requests may name.
    bind: String,
    /// Whether the site shown is not the published one (watch mode, or drafts): then no other
    /// site may read its answers.
    private: bool,
}

/// Builds the site into `<root>/.plenary/serve/<n>`; the diagnostics if it cannot be built.
fn build_site(options: &Options, n: u64) -> anyhow::Result<Checked<(Report, Site)>> {
    let dir = options.root.join(SERVE_DIR).join(n.to_string());
    let built = build::build_site(build::Options {
        root: options.root.clone(),
        out: Some(dir.clone()),
        drafts: options.drafts,
        progress: None,
        // Translators preview their work: the dashboard is always there while watching.
        dashboard: options.watch,
    })?;
    let (report, loaded) = match built {
        Ok(built) => built,
        Err(diags) => return Ok(Err(diags)),
    };
    let searcher = if loaded.config.search_index {
        Some(Arc::new(Searcher::open(&dir)?))
    } else {
        None
    };
    Ok(Ok((
        report,
        Site {
            dir,
            loaded: Arc::new(loaded),
            searcher,
        },
    )))
}

impl Served {
    /// Builds the site for the first time. Without watching, a site that does not build is
    /// the caller's to report; when watching, the server starts anyway and shows why.
    pub fn start(options: &Options) -> anyhow::Result<Checked<(Report, Served)>> {
        let served = Served {
            site: RwLock::new(None),
            broken: RwLock::new(None),
            live: options.watch.then(Channel::default),
            builds: AtomicU64::new(0),
            memo: Mutex::new(None),
            snapshot: Mutex::new(Snapshot::default()),
            gzip_cache: Mutex::new(GzipCache::default()),
            handoffs: Arc::default(),
            bind: options.bind.clone(),
            private: options.watch || options.drafts,
        };
        // Builds of an earlier run are of no use.
        let _ = std::fs::remove_dir_all(options.root.join(SERVE_DIR));
        served.take_snapshot(options);
        match build_site(options, 0)? {
            Ok((report, site)) => {
                served.remember(options, &site);
                *write(&served.site) = Some(Arc::new(site));
                Ok(Ok((report, served)))
            }
            Err(diags) if options.watch => {
                *write(&served.broken) = Some(describe(&diags, &options.root));
                Ok(Ok((Report::default(), served)))
            }
            Err(diags) => Ok(Err(diags)),
        }
    }

    /// The folder the site is served from.
    pub fn serving(&self) -> Option<PathBuf> {
        self.current().map(|site| site.dir.clone())
    }

    /// The path the site is served under (`/igf`, or empty), as the last good build has it.
    pub fn base_path(&self) -> String {
        self.current()
            .map(|site| site.loaded.config.base_path.clone())
            .unwrap_or_default()
    }

    fn current(&self) -> Option<Arc<Site>> {
        read(&self.site).clone()
    }

    fn broken(&self) -> Option<String> {
        read(&self.broken).clone()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Serves until the process ends; `ready` gets the address once requests are accepted. In
/// watch mode the site is rebuilt after each burst of changes; `rebuilt` hears of each.
pub fn serve(
    served: Served,
    options: &Options,
    ready: impl FnOnce(SocketAddr),
    rebuilt: impl Fn(&Result<Report, String>) + Sync,
) -> anyhow::Result<()> {
    let address = format!("{}:{}", options.bind, options.port);
    let listener = std::net::TcpListener::bind(&address)
        .with_context(|| format!("cannot listen on {address}"))?;
    set_up_listener(&listener, STOP_CHECK).context("cannot set up the listening socket")?;
    let local = listener.local_addr()?;
    // tiny_http answers the requests the front (`front.rs`) passes on, over a local socket.
    let socket = front::private_socket_path().context("cannot make a folder for a local socket")?;
    let backend = UnixListener::bind(&socket)
        .with_context(|| format!("cannot listen on `{}`", socket.display()))?;
    let accepting = Accepting {
        current: RwLock::new(Arc::new(accept_on(&backend)?)),
        retired: RwLock::new(Vec::new()),
    };
    let limits = front::Limits {
        connections: options.max_connections,
        per_client: options.max_connections_per_client,
        timeout: options.read_timeout,
    };
    // Watching starts before the server says it is ready: no save after that is missed.
    let watch = match served.live {
        Some(_) => Some(Watch::start(&crate::watch::Watched::of(&options.root))?),
        None => None,
    };
    stop_on_interrupt();
    // However serving ends, the builds made for it go, and the local socket.
    let _cleanup = Cleanup {
        folders: vec![
            socket.parent().map(PathBuf::from).unwrap_or_default(),
            options.root.join(SERVE_DIR),
        ],
    };
    ready(local);
    let (served, accepting, backend) = (&served, &accepting, &backend);
    let (listener, socket, limits) = (&listener, &socket, &limits);
    std::thread::scope(|scope| {
        let handoffs = &served.handoffs;
        scope.spawn(move || front::run(listener, socket, handoffs, limits, stopping));
        for _ in 0..WORKERS {
            // A worker finishes the request it is answering before it stops.
            scope.spawn(move || {
                while !stopping() {
                    let server = read(&accepting.current).clone();
                    let answer = |request| served.answer(request);
                    match server.recv_timeout(STOP_CHECK) {
                        Ok(Some(request)) => replying::contained(request, answer),
                        Ok(None) => {}
                        Err(_) => accept_again(accepting, &server, backend),
                    }
                    // Connections a failed server had accepted still send requests to it.
                    for old in read(&accepting.retired).iter() {
                        while let Ok(Some(request)) = old.try_recv() {
                            replying::contained(request, answer);
                        }
                    }
                }
            });
        }
        if let (Some(live), Some(watch)) = (&served.live, watch) {
            scope.spawn(move || {
                let mut last = std::time::Instant::now();
                while !stopping() {
                    std::thread::sleep(STOP_CHECK);
                    if last.elapsed() >= PING_EVERY {
                        live.send(&Event::Ping);
                        last = std::time::Instant::now();
                    }
                }
            });
            build_in_the_background();
            let watched = watch.run(stopping, |changes| {
                if let Some(outcome) = served.rebuild(options, &changes) {
                    rebuilt(&outcome);
                }
                true
            });
            if let Err(e) = watched {
                eprintln!("serve: watching stopped: {e:#}; restart `plenary serve` to see edits");
            }
        }
    });
    Ok(())
}

/// Folders removed when dropped: what serving made, gone however serving ends (Ctrl-C,
/// SIGTERM, or an error).
struct Cleanup {
    folders: Vec<PathBuf>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for folder in &self.folders {
            if !folder.as_os_str().is_empty() {
                let _ = std::fs::remove_dir_all(folder);
            }
        }
    }
}

/// Lowers the priority of this thread and of the threads it starts (Linux keeps a nice value
/// per thread, and new threads inherit it): rebuilds then take the cores only when requests
/// do not need them. Without it, a page asked for during a rebuild of thousands of works
/// could wait seconds.
fn build_in_the_background() {
    // SAFETY: plain system call on the calling thread (who = 0); failure changes nothing.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn stopping() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// Ctrl-C (SIGINT) and SIGTERM ask the server to stop: requests being answered finish, the
/// builds under `.plenary/serve/` are removed, and `serve` returns.
fn stop_on_interrupt() {
    extern "C" fn ask_to_stop(_: libc::c_int) {
        // Only an atomic store: all a signal handler may safely do here.
        STOP.store(true, Ordering::Relaxed);
    }
    let handler = ask_to_stop as extern "C" fn(libc::c_int);
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            libc::signal(signal, handler as libc::sighandler_t);
        }
    }
}

/// A tiny_http server accepting the front's connections on (a copy of) `listener`.
fn accept_on(listener: &UnixListener) -> anyhow::Result<Server> {
    let listener = listener.try_clone()?;
    Server::from_listener(listener, None).map_err(|e| anyhow::anyhow!("cannot accept: {e}"))
}

/// The tiny_http server accepting connections, and those that stopped accepting: each still
/// has the connections it accepted, whose requests arrive on it.
struct Accepting {
    current: RwLock<Arc<Server>>,
    retired: RwLock<Vec<Arc<Server>>>,
}

/// tiny_http stops accepting at the first failed `accept()` (out of file descriptors, say).
/// The first worker to hear of it starts a new server on the same socket; the old one is kept
/// for the connections it has.
fn accept_again(accepting: &Accepting, failed: &Arc<Server>, listener: &UnixListener) {
    let mut current = write(&accepting.current);
    if !Arc::ptr_eq(&current, failed) {
        return;
    }
    match accept_on(listener) {
        Ok(server) => {
            let old = std::mem::replace(&mut *current, Arc::new(server));
            write(&accepting.retired).push(old);
        }
        Err(e) => {
            eprintln!("serve: {e:#}; trying again");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// No Nagle delay on accepted connections (Linux copies it from the listener; the relay
/// writes a response in pieces, and the last would wait for the client's delayed ACK), and
/// a receive timeout, so that waiting for a connection stops now and then to see whether the
/// server is asked to stop. The front sets each connection's own timeouts.
fn set_up_listener(listener: &std::net::TcpListener, timeout: Duration) -> std::io::Result<()> {
    let on: libc::c_int = 1;
    set_option(listener, libc::IPPROTO_TCP, libc::TCP_NODELAY, &on)?;
    let timeout = libc::timeval {
        tv_sec: timeout.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_usec: timeout.subsec_micros() as libc::suseconds_t,
    };
    set_option(listener, libc::SOL_SOCKET, libc::SO_RCVTIMEO, &timeout)?;
    set_option(listener, libc::SOL_SOCKET, libc::SO_SNDTIMEO, &timeout)
}

fn set_option<T>(
    listener: &std::net::TcpListener,
    level: libc::c_int,
    name: libc::c_int,
    value: &T,
) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is the listener's own, open while `listener` is borrowed; the
    // value is a live `T`, its size given exactly, and `level`/`name` are options that take
    // a value of that type (c_int flags, timeval timeouts).
    let result = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            level,
            name,
            (value as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
