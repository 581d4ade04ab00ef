//! What no request can do to `plenary serve`: bring it down, hold its connections, read its drafts from another site.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::fd::FromRawFd;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::common;

/// The fixture site served by the real binary on a free port; stopped when dropped.
struct Served {
    dir: tempfile::TempDir,
    child: Child,
    address: SocketAddr,
}

impl Served {
    /// Serves `tests/fixtures/basic`, after `prepare` has changed the copy, with `options`.
    fn start(options: &[&str], prepare: impl FnOnce(&Path)) -> Served {
        let dir = common::fixture_copy("basic");
        prepare(dir.path());
        let (child, address) = common::spawn_server(dir.path(), options);
        let address = address.parse().unwrap();
        Served {
            dir,
            child,
            address,
        }
    }

    /// Sends `request` from 127.0.0.1 and reads the whole answer: (status, head, body).
    fn raw(&self, request: &[u8]) -> (u16, String, Vec<u8>) {
        let stream = TcpStream::connect(self.address).unwrap();
        exchange(stream, request, Duration::from_secs(20))
    }

    fn get(&self, target: &str) -> (u16, String, Vec<u8>) {
        self.get_host(target, &self.address.to_string())
    }

    fn get_host(&self, target: &str, host: &str) -> (u16, String, Vec<u8>) {
        self.raw(
            format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    }

    /// Whether the process still runs and answers its home page.
    fn answers(&mut self) -> bool {
        if self.child.try_wait().unwrap().is_some() {
            return false;
        }
        let Ok(stream) = TcpStream::connect(self.address) else {
            return false;
        };
        let request = format!(
            "GET / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        );
        let (status, _, _) = exchange(stream, request.as_bytes(), Duration::from_secs(10));
        status == 200
    }

    /// The largest resident size the server has had, from /proc, in MiB.
    fn peak_memory_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap();
        kib >> 10
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `request` and reads until the server closes; status 0 when nothing came back in
/// `patience`.
fn exchange(mut stream: TcpStream, request: &[u8], patience: Duration) -> (u16, String, Vec<u8>) {
    stream.set_read_timeout(Some(patience)).unwrap();
    stream.write_all(request).unwrap();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let Some(split) = reply.windows(4).position(|w| w == b"\r\n\r\n") else {
        return (0, String::from_utf8_lossy(&reply).into_owned(), Vec::new());
    };
    let head = String::from_utf8_lossy(&reply[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head, reply[split + 4..].to_vec())
}

/// A connection from `source` (another loopback address: another client, as the server sees
/// it), with a receive buffer of `receive_buffer` bytes when given.
fn connect_from(source: Ipv4Addr, to: SocketAddr, receive_buffer: Option<i32>) -> TcpStream {
    let SocketAddr::V4(to) = to else {
        panic!("the server listens on IPv4 here")
    };
    // SAFETY: plain socket calls on a descriptor this function owns until it is handed to
    // `TcpStream`, with `sockaddr_in` values built whole.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        if let Some(bytes) = receive_buffer {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                (&bytes as *const i32).cast(),
                std::mem::size_of::<i32>() as libc::socklen_t,
            );
        }
        let address = |ip: Ipv4Addr, port: u16| libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: port.to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from(ip).to_be(),
            },
            sin_zero: [0; 8],
        };
        let size = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        let from = address(source, 0);
        assert_eq!(
            libc::bind(fd, (&from as *const libc::sockaddr_in).cast(), size),
            0
        );
        let to = address(*to.ip(), to.port());
        assert_eq!(
            libc::connect(fd, (&to as *const libc::sockaddr_in).cast(), size),
            0,
            "{}",
            std::io::Error::last_os_error()
        );
        TcpStream::from_raw_fd(fd)
    }
}

/// Whether the server has closed `stream` (a read returns the end, or the connection was
/// reset), waiting at most `patience`.
fn closed_within(stream: &mut TcpStream, patience: Duration) -> bool {
    stream.set_read_timeout(Some(patience)).unwrap();
    let mut byte = [0u8; 1024];
    loop {
        match stream.read(&mut byte) {
            Ok(0) => return true,
            // An answer (408, say) before the close is fine.
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true,
        }
    }
}

#[test]
fn paging_past_any_real_result_is_refused_and_the_server_lives_on() {
    let mut site = Served::start(&["--no-watch"], |_| {});
    for target in [
        "/_search?q=a&page=1000000000000",
        "/_search?q=a&page=100000000000000000",
        "/_search?q=a&page=18446744073709551615",
        "/_search?q=a&page=99999999999999999999999",
        "/_search?q=a&per_page=100&page=1000000000",
        "/search/?q=a&page=1000000000000",
        "/fr/search/?q=a&page=100000000000000000",
    ] {
        let (status, head, body) = site.get(target);
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 400, "{target}: {head}\n{body}");
        assert!(
            body.contains("page"),
            "{target}: the answer says why: {body}"
        );
        assert!(site.answers(), "{target}: the server still answers");
    }
    // The last page that can exist is still answered.
    let (status, _, _) = site.get("/_search?q=a&page=100");
    assert_eq!(status, 200);
    // Several at once, as an attacker would send them.
    let hostile: Vec<_> = (0..8)
        .map(|i| {
            let address = site.address;
            std::thread::spawn(move || {
                let stream = TcpStream::connect(address).unwrap();
                let request = format!(
                    "GET /_search?q=a&page={} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n",
                    100_000_000_000_000_000u64 + i
                );
                exchange(stream, request.as_bytes(), Duration::from_secs(20)).0
            })
        })
        .collect();
    for request in hostile {
        assert_eq!(request.join().unwrap(), 400);
    }
    assert!(site.answers(), "the server answers after eight at once");
    // And it still stops cleanly, its builds and its socket's folder gone.
    let pid = site.child.id();
    let stopped = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while site.child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = site.child.try_wait().unwrap();
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    assert!(!site.dir.path().join(".plenary/serve").exists());
    let socket_folder = std::env::temp_dir().join(format!("plenary-{pid}-0"));
    assert!(!socket_folder.exists(), "{socket_folder:?} is left behind");
}

#[test]
fn the_search_command_bounds_its_limit() {
    let dir = common::fixture_copy("basic");
    let built = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["build", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(built.status.success());
    let searched = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["search", "--json", "--limit", "1000000000000000", "--root"])
        .arg(dir.path())
        .arg("cybersecurity")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&searched.stderr);
    assert!(!searched.status.success(), "{stderr}");
    assert!(
        stderr.contains("--limit"),
        "the error names the option: {stderr}"
    );
}

#[test]
fn a_client_trickling_its_request_is_let_go_at_the_deadline() {
    let site = Served::start(&["--no-watch", "--read-timeout", "2"], |_| {});
    let mut stream = TcpStream::connect(site.address).unwrap();
    let started = Instant::now();
    let request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Padding: ";
    let mut sent = 0;
    // One byte every 300 ms: each read is well within the timeout, the whole head never is.
    while started.elapsed() < Duration::from_secs(12) {
        let byte = request.get(sent).copied().unwrap_or(b'a');
        if stream.write_all(&[byte]).is_err() {
            break;
        }
        sent += 1;
        std::thread::sleep(Duration::from_millis(300));
    }
    assert!(
        closed_within(&mut stream, Duration::from_secs(1)),
        "a connection trickling a header for {:?} is still open",
        started.elapsed()
    );
}

#[test]
fn one_client_holding_many_connections_leaves_room_for_the_others() {
    let site = Served::start(&["--no-watch", "--max-connections", "32"], |_| {});
    let attacker = Ipv4Addr::new(127, 0, 0, 2);
    // More connections than the server takes, each sending a byte of a head now and then.
    let mut held: Vec<TcpStream> = (0..48)
        .map(|_| connect_from(attacker, site.address, None))
        .collect();
    for stream in &mut held {
        let _ = stream.write_all(b"G");
    }
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..3 {
        let (status, head, _) = site.get("/");
        assert_eq!(status, 200, "another client is served: {head}");
        for stream in &mut held {
            let _ = stream.write_all(b"E");
        }
    }
}

#[test]
fn slow_readers_do_not_hold_the_workers() {
    let site = Served::start(&["--no-watch"], |root| {
        // A big file, like a large archive's sitemap: more than any socket buffer holds.
        let line = "<url><loc>https://fixture.example.org/a/long/path/</loc></url>\n";
        common::write_file(root, "static/big.xml", &line.repeat((4 << 20) / line.len()));
    });
    let reader = Ipv4Addr::new(127, 0, 0, 3);
    // Twice as many slow readers as the server has workers; none reads a byte.
    let slow: Vec<TcpStream> = (0..16)
        .map(|_| {
            let mut stream = connect_from(reader, site.address, Some(4096));
            stream
                .write_all(b"GET /big.xml HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    for i in 0..20 {
        let stream = TcpStream::connect(site.address).unwrap();
        let request = format!(
            "GET /reports/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            site.address
        );
        let (status, head, _) = exchange(stream, request.as_bytes(), Duration::from_secs(5));
        assert_eq!(status, 200, "request {i} beside 16 slow readers: {head}");
    }
    drop(slow);
}

#[test]
fn big_downloads_are_streamed_from_disk_not_held_in_memory() {
    let site = Served::start(&["--no-watch"], |root| {
        std::fs::create_dir_all(root.join("static")).unwrap();
        let file = std::fs::File::create(root.join("static/archive.zip")).unwrap();
        file.set_len(100 << 20).unwrap();
    });
    let before = site.peak_memory_mib();
    let reader = Ipv4Addr::new(127, 0, 0, 4);
    let downloads: Vec<TcpStream> = (0..24)
        .map(|_| {
            let mut stream = connect_from(reader, site.address, Some(4096));
            stream
                .write_all(b"GET /archive.zip HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            stream
        })
        .collect();
    // Every download begun and stalled.
    std::thread::sleep(Duration::from_secs(2));
    let (status, _, _) = site.get("/");
    assert_eq!(status, 200);
    let during = site.peak_memory_mib();
    assert!(
        during < before + 64,
        "24 stalled downloads of a 100 MiB file took the server from {before} MiB to {during} MiB"
    );
    drop(downloads);
}

#[test]
fn the_preview_answers_only_its_own_host_and_no_other_site() {
    let site = Served::start(&[], |_| {});
    let port = site.address.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("[::1]:{port}"),
    ] {
        let (status, head, _) = site.get_host("/", &host);
        assert_eq!(status, 200, "Host: {host}: {head}");
    }
    // A name that resolves to 127.0.0.1 only after the attacker's page has loaded.
    for host in [
        format!("attacker.example:{port}"),
        "attacker.example".to_string(),
        format!("127.0.0.1.attacker.example:{port}"),
    ] {
        for target in [
            "/",
            "/_search?q=cybersecurity",
            "/translations/",
            "/_plenary/live",
        ] {
            let (status, head, body) = site.get_host(target, &host);
            assert!(
                status == 421 || status == 403,
                "Host: {host} {target}: {head}\n{}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    let (status, head, _) = site.get("/_search?q=cybersecurity");
    assert_eq!(status, 200);
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("access-control-allow-origin"),
        "the preview's search is not readable by other sites: {head}"
    );
}

#[test]
fn a_header_that_is_not_text_is_answered_400() {
    let site = Served::start(&["--no-watch"], |_| {});
    let (status, head, _) = site.raw(b"GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\xe9\r\n\r\n");
    assert_eq!(status, 400, "{head}");
    // Text beyond ASCII in a header the server does not read is no reason to refuse.
    let (status, head, _) = site
        .raw("GET / HTTP/1.1\r\nHost: x\r\nX-Name: café\r\nConnection: close\r\n\r\n".as_bytes());
    assert_eq!(status, 200, "{head}");
    // Nor in the path: it is read as the percent-encoded UTF-8 it stands for.
    let (status, head, _) =
        site.raw("GET /reports/?é HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".as_bytes());
    assert_eq!(status, 200, "{head}");
}

#[test]
fn a_link_inside_the_served_site_is_not_followed_out_of_it() {
    let site = Served::start(&["--no-watch"], |_| {});
    let secret = site.dir.path().join("secret.txt");
    std::fs::write(&secret, "not for visitors").unwrap();
    let served = site.dir.path().join(".plenary/serve/0");
    assert!(
        served.join("index.html").is_file(),
        "served from {served:?}"
    );
    std::fs::create_dir_all(served.join("linked")).unwrap();
    std::os::unix::fs::symlink(&secret, served.join("linked/index.html")).unwrap();
    let (status, _, body) = site.get("/linked/");
    assert_eq!(status, 404);
    assert!(!String::from_utf8_lossy(&body).contains("not for visitors"));
}

#[test]
fn drafts_are_never_readable_by_other_sites_and_the_published_search_is() {
    let acao = |site: &Served| {
        let (status, head, _) = site.get("/_search?q=cybersecurity");
        assert_eq!(status, 200, "{head}");
        head.to_ascii_lowercase()
            .contains("access-control-allow-origin: *")
    };
    let drafts = Served::start(&["--no-watch", "--drafts"], |_| {});
    assert!(
        !acao(&drafts),
        "a site served with its drafts keeps them to itself"
    );
    let published = Served::start(&["--no-watch"], |_| {});
    assert!(
        acao(&published),
        "the published site's search is open to other sites"
    );
}
