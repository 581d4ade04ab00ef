//! Times each query of a list against a built site, in-process or over one keep-alive HTTP connection.
//!
//! ```text
//! query-latency --site PUBLIC_DIR --queries FILE [--passes N] [--per-page N]
//! query-latency --http 127.0.0.1:PORT --queries FILE [--passes N]
//! ```
//!
//! FILE holds one query a line, `lang<TAB>kind<TAB>query` (bench/make-queries writes it).
//! One untimed pass warms caches up, then each of N passes (default 1) times every query on
//! its own. Percentiles are nearest-rank over one pass; with several passes the median of the
//! passes' figures is reported. The last line, `RESULT mode n p50 p90 p99 max` (microseconds),
//! is for bench/search.sh.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use plenary::query::{Request, Searcher};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Query {
    lang: String,
    kind: String,
    text: String,
}

struct Args {
    site: Option<PathBuf>,
    http: Option<String>,
    queries: PathBuf,
    passes: usize,
    per_page: usize,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("query-latency: error: {e:#}");
        std::process::exit(2);
    }
}

fn run() -> anyhow::Result<()> {
    let args = parse_args()?;
    let queries = read_queries(&args.queries)?;
    let (mode, mut backend): (String, Box<dyn Backend>) = match (&args.site, &args.http) {
        (Some(site), None) => (
            "in-process".into(),
            Box::new(InProcess {
                searcher: Searcher::open(site).with_context(|| {
                    format!("cannot open the search index of `{}`", site.display())
                })?,
                per_page: args.per_page,
            }),
        ),
        (None, Some(addr)) => ("http".into(), Box::new(Http::connect(addr)?)),
        _ => bail!("give exactly one of --site DIR and --http HOST:PORT"),
    };

    // The warm-up pass also checks every answer and counts queries with hits.
    let mut with_hits = 0;
    for q in &queries {
        let answer = backend
            .fetch(q)
            .and_then(|a| a.total())
            .with_context(|| format!("query {:?} (lang {})", q.text, q.lang))?;
        with_hits += usize::from(answer > 0);
    }
    let mut passes: Vec<Vec<Duration>> = Vec::new();
    for _ in 0..args.passes {
        let mut times = Vec::with_capacity(queries.len());
        for q in &queries {
            let start = Instant::now();
            let answer = backend.fetch(q)?;
            times.push(start.elapsed());
            // Checking the answer (parsing the JSON, for HTTP) is the client's work: not timed.
            answer.total()?;
        }
        passes.push(times);
    }

    println!(
        "{mode}: {} queries, {with_hits} with hits; 1 warm-up pass, {} timed pass(es){}",
        queries.len(),
        args.passes,
        backend.note()
    );
    println!(
        "{:<12} {:>6} {:>10} {:>10} {:>10} {:>10}   (µs)",
        "group", "n", "p50", "p90", "p99", "max"
    );
    let all: Vec<usize> = (0..queries.len()).collect();
    let overall = summarize(&passes, &all);
    print_row("all", all.len(), overall);
    for (label, key) in [("lang", 0), ("kind", 1)] {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, q) in queries.iter().enumerate() {
            groups
                .entry(if key == 0 { &q.lang } else { &q.kind })
                .or_default()
                .push(i);
        }
        for (name, members) in &groups {
            print_row(
                &format!("{label} {name}"),
                members.len(),
                summarize(&passes, members),
            );
        }
    }
    let [p50, p90, p99, max] = overall;
    println!(
        "RESULT {mode} {} {p50:.1} {p90:.1} {p99:.1} {max:.1}",
        queries.len()
    );
    Ok(())
}

fn print_row(name: &str, n: usize, [p50, p90, p99, max]: [f64; 4]) {
    println!("{name:<12} {n:>6} {p50:>10.1} {p90:>10.1} {p99:>10.1} {max:>10.1}");
}

/// p50, p90, p99 and max in microseconds of the queries `members`, the median over passes.
fn summarize(passes: &[Vec<Duration>], members: &[usize]) -> [f64; 4] {
    let per_pass: Vec<[f64; 4]> = passes
        .iter()
        .map(|times| {
            let mut us: Vec<f64> = members
                .iter()
                .map(|&i| times[i].as_secs_f64() * 1e6)
                .collect();
            us.sort_by(f64::total_cmp);
            [
                percentile(&us, 50.0),
                percentile(&us, 90.0),
                percentile(&us, 99.0),
                us[us.len() - 1],
            ]
        })
        .collect();
    std::array::from_fn(|k| {
        let mut v: Vec<f64> = per_pass.iter().map(|p| p[k]).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    })
}

/// Nearest rank: the smallest value with at least `p` percent of the values at or below it.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        site: None,
        http: None,
        queries: PathBuf::new(),
        passes: 1,
        per_page: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--site" => args.site = Some(value()?.into()),
            "--http" => args.http = Some(value()?),
            "--queries" => args.queries = value()?.into(),
            "--passes" => {
                args.passes = value()?
                    .parse()
                    .context("--passes needs a positive integer")?;
                if args.passes == 0 {
                    bail!("--passes needs a positive integer");
                }
            }
            // Hits per page, in-process only: each hit gets an excerpt, so fewer show their cost.
            "--per-page" => {
                args.per_page = value()?
                    .parse()
                    .context("--per-page needs a number from 1 to 100")?;
                if !(1..=100).contains(&args.per_page) {
                    bail!("--per-page needs a number from 1 to 100");
                }
            }
            "-h" | "--help" => {
                println!("usage: query-latency (--site PUBLIC_DIR [--per-page N] | --http HOST:PORT) --queries FILE [--passes N]");
                std::process::exit(0);
            }
            other => bail!("unknown argument `{other}` (see --help)"),
        }
    }
    if args.queries.as_os_str().is_empty() {
        bail!("--queries FILE is required");
    }
    Ok(args)
}

fn read_queries(path: &PathBuf) -> anyhow::Result<Vec<Query>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let mut queries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        match (cols.next(), cols.next(), cols.next()) {
            (Some(lang), Some(kind), Some(text)) => queries.push(Query {
                lang: lang.into(),
                kind: kind.into(),
                text: text.into(),
            }),
            _ => bail!(
                "{}:{}: expected lang<TAB>kind<TAB>query",
                path.display(),
                n + 1
            ),
        }
    }
    if queries.is_empty() {
        bail!("no queries in `{}`", path.display());
    }
    Ok(queries)
}

/// What a backend answered, checked after the clock has stopped.
enum Answer {
    Total(usize),
    Http {
        target: String,
        status: u16,
        body: Vec<u8>,
    },
}

impl Answer {
    /// The number of hits, or why the answer is wrong.
    fn total(self) -> anyhow::Result<usize> {
        match self {
            Answer::Total(n) => Ok(n),
            Answer::Http {
                target,
                status,
                body,
            } => {
                if status != 200 {
                    bail!(
                        "GET {target}: status {status}: {}",
                        String::from_utf8_lossy(&body)
                    );
                }
                let json: serde_json::Value = serde_json::from_slice(&body)
                    .with_context(|| format!("GET {target}: the answer is not JSON"))?;
                json["total"]
                    .as_u64()
                    .map(|n| n as usize)
                    .with_context(|| format!("GET {target}: no `total` in the answer"))
            }
        }
    }
}

trait Backend {
    /// Runs one query; the clock runs around this call only.
    fn fetch(&mut self, q: &Query) -> anyhow::Result<Answer>;
    fn note(&self) -> String {
        String::new()
    }
}

struct InProcess {
    searcher: Searcher,
    per_page: usize,
}

impl Backend for InProcess {
    fn fetch(&mut self, q: &Query) -> anyhow::Result<Answer> {
        let request = Request {
            query: q.text.clone(),
            lang: q.lang.clone(),
            filters: Vec::new(),
            page: 1,
            per_page: self.per_page,
        };
        match self.searcher.search(&request) {
            Ok(response) => Ok(Answer::Total(black_box(response).total)),
            Err(invalid) => bail!("invalid request: {}", invalid.0),
        }
    }

    fn note(&self) -> String {
        format!("; page 1, {} hits a page", self.per_page)
    }
}

/// One HTTP/1.1 keep-alive connection, reopened (and counted) only if the server closes it.
struct Http {
    addr: String,
    conn: BufReader<TcpStream>,
    reconnects: usize,
}

impl Http {
    fn connect(addr: &str) -> anyhow::Result<Http> {
        Ok(Http {
            addr: addr.to_string(),
            conn: open(addr)?,
            reconnects: 0,
        })
    }

    fn get(&mut self, target: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nConnection: keep-alive\r\n\r\n",
            self.addr
        );
        self.conn.get_mut().write_all(request.as_bytes())?;
        let mut status_line = String::new();
        if self.conn.read_line(&mut status_line)? == 0 {
            // The server closed the idle connection: once more on a new one.
            self.conn = open(&self.addr)?;
            self.reconnects += 1;
            self.conn.get_mut().write_all(request.as_bytes())?;
            if self.conn.read_line(&mut status_line)? == 0 {
                bail!("the server closed the connection without answering");
            }
        }
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {status_line:?}"))?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            let mut line = String::new();
            if self.conn.read_line(&mut line)? == 0 {
                bail!("the connection closed inside the headers");
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
                match name.as_str() {
                    "content-length" => length = Some(value.parse::<usize>()?),
                    "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                    "connection" => close = value.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let mut size = String::new();
                self.conn.read_line(&mut size)?;
                let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                    .with_context(|| format!("bad chunk size {size:?}"))?;
                if size == 0 {
                    let mut trailer = String::new();
                    while self.conn.read_line(&mut trailer)? > 2 {
                        trailer.clear();
                    }
                    break;
                }
                let start = body.len();
                body.resize(start + size + 2, 0);
                self.conn.read_exact(&mut body[start..])?;
                body.truncate(start + size);
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            self.conn.read_exact(&mut body)?;
        } else {
            self.conn.read_to_end(&mut body)?;
            close = true;
        }
        if close {
            self.conn = open(&self.addr)?;
            self.reconnects += 1;
        }
        Ok((status, body))
    }
}

fn open(addr: &str) -> anyhow::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    Ok(BufReader::with_capacity(64 * 1024, stream))
}

impl Backend for Http {
    fn fetch(&mut self, q: &Query) -> anyhow::Result<Answer> {
        let target = format!("/_search?q={}&lang={}", encode(&q.text), encode(&q.lang));
        let (status, body) = self.get(&target)?;
        Ok(Answer::Http {
            target,
            status,
            body,
        })
    }

    fn note(&self) -> String {
        format!(
            "; one keep-alive connection to {}, {} reconnect(s)",
            self.addr, self.reconnects
        )
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
