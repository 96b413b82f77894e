//! A public address must never lead staffroom into a private network: redirects and
//! endpoints to loopback, private, link-local (cloud metadata) and other non-public
//! addresses, in every spelling, are refused on every hop, through a proxy or not.
//!
//! The "internet" here is a proxy on 127.0.0.1 (the `*_PROXY` variables of the child
//! process name it) that answers for one public address, 93.184.216.34, by relaying to
//! a test server on 127.0.0.1: the staffroom under test sees a public address, as it
//! would in a school behind a proxy, so nothing needs `--allow-private` or a test
//! hook. The proxy records every request it gets and relays nothing else: it never
//! connects to anything but the test servers.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;

const PUBLIC: &str = "93.184.216.34";

/// Addresses a public page must not lead to, in many spellings.
const PRIVATE: &[&str] = &[
    "http://10.0.0.1/",
    "http://localhost:8080/",
    "http://169.254.169.254/latest/meta-data/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0177.0.0.1:8080/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://[::1]:8080/",
    "http://[64:ff9b::a00:1]/",
    "http://[2002:a00:1::]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://224.0.0.1/",
    "http://localhost./",
    "http://school.localhost/",
    "http://192.168.1.1:8080/admin",
    "http://100.64.0.1/",
];

/// A CONNECT proxy that relays `host:port` as `relay` says, and refuses the rest.
struct Proxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start(relay: HashMap<String, String>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (seen2, relay) = (seen.clone(), Arc::new(relay));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (seen, relay) = (seen2.clone(), relay.clone());
                std::thread::spawn(move || serve(conn, &seen, &relay));
            }
        });
        Proxy { url, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// Every request the proxy got was for the public test address.
    fn asked_only_for_public(&self) {
        let seen = self.requests();
        let wanted = format!("CONNECT {PUBLIC}:80 HTTP/1.1");
        let other: Vec<&String> = seen.iter().filter(|l| **l != wanted).collect();
        assert!(other.is_empty(), "the proxy was asked for {other:?}");
    }
}

fn serve(mut conn: TcpStream, seen: &Mutex<Vec<String>>, relay: &HashMap<String, String>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1];
    // Byte by byte, so nothing after the head is read (the tunnel's first bytes).
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match conn.read(&mut buf) {
            Ok(1) => head.push(buf[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let line = head.lines().next().unwrap_or("").to_string();
    seen.lock().unwrap().push(line.clone());
    let mut words = line.split(' ');
    let to = match (words.next(), words.next()) {
        (Some("CONNECT"), Some(target)) => relay.get(target),
        _ => None,
    };
    let Some(to) = to else {
        let _ = conn.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let Ok(upstream) = TcpStream::connect(to) else {
        let _ = conn.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let _ = conn.set_read_timeout(None);
    let _ = conn.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let (mut c2, mut u2) = (conn.try_clone().unwrap(), upstream.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut u2);
        let _ = u2.shutdown(Shutdown::Write);
    });
    let (mut conn, mut upstream) = (conn, upstream);
    let _ = std::io::copy(&mut upstream, &mut conn);
    let _ = conn.shutdown(Shutdown::Write);
    let _ = up.join();
}

/// The real binary, with `proxy` (or none) as the environment names it.
fn staffroom_via(root: &Path, proxy: Option<&Proxy>, args: &[&str]) -> (i32, String, String) {
    let mut cmd = assert_cmd::Command::cargo_bin("staffroom").unwrap();
    // Output as on a teacher's computer, even when the tests run on GitHub Actions.
    cmd.env_remove("GITHUB_ACTIONS");
    cmd.arg("--root").arg(root).args(args);
    cmd.timeout(Duration::from_secs(60));
    for var in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(var);
    }
    if let Some(p) = proxy {
        for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"] {
            cmd.env(var, &p.url);
        }
    }
    let out = cmd.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

fn html(body: String) -> Reply {
    Reply::Ok {
        body: body.into_bytes(),
        content_type: "text/html",
        headers: vec![],
    }
}

fn redirect(code: u16, to: &str) -> Reply {
    Reply::Status(code, vec![("Location", to.to_string())])
}

/// The public test address behind a proxy, served by `handler`.
/// `intranet`: another test server the proxy also relays to, under its own address.
fn internet(
    handler: impl Fn(&str) -> Reply + Send + Sync + 'static,
    intranet: Option<&Server>,
) -> (Server, Proxy) {
    let server = Server::start(move |path, _| handler(path));
    let local = |s: &Server| s.base.trim_start_matches("http://").to_string();
    let mut relay = HashMap::from([(format!("{PUBLIC}:80"), local(&server))]);
    if let Some(s) = intranet {
        relay.insert(local(s), local(s));
    }
    (server, Proxy::start(relay))
}

#[test]
fn webmention_send_through_a_proxy_refuses_every_private_hop() {
    let (server, proxy) = internet(
        |path| {
            if let Some(n) = path.strip_prefix("/r/") {
                let n: usize = n.parse().unwrap();
                return redirect(if n.is_multiple_of(2) { 302 } else { 301 }, PRIVATE[n]);
            }
            match path {
                "/ok" => html("<link rel=webmention href=/wm>".into()),
                "/endpoint-private" => html("<link rel=webmention href=http://10.0.0.1/wm>".into()),
                "/endpoint-redirects" => html("<link rel=webmention href=/wm-moved>".into()),
                "/wm-moved" => redirect(307, "http://169.254.169.254/latest/meta-data/"),
                _ => Reply::Status(202, vec![]),
            }
        },
        None,
    );
    let site = site("");
    let mut links: Vec<String> = (0..PRIVATE.len())
        .map(|n| format!("http://{PUBLIC}/r/{n}"))
        .collect();
    for p in ["ok", "endpoint-private", "endpoint-redirects"] {
        links.push(format!("http://{PUBLIC}/{p}"));
    }
    let body: String = links.iter().map(|l| format!("See <{l}>.\n")).collect();
    std::fs::write(
        site.path().join("content/posts/links.md"),
        format!("---\ntitle: Links\ndate: 2024-02-01\n---\n{body}"),
    )
    .unwrap();

    let (code, out, err) = staffroom_via(site.path(), Some(&proxy), &["webmention", "send"]);
    assert_eq!(code, 0, "{out}\n{err}");
    proxy.asked_only_for_public();
    // The route itself worked: the public page's endpoint was told.
    let mut posts: Vec<String> = server.posts().iter().map(|p| p.path.clone()).collect();
    posts.sort();
    assert_eq!(posts, vec!["/wm", "/wm-moved"], "{out}");
    for (n, private) in PRIVATE.iter().enumerate() {
        let row = out
            .lines()
            .find(|l| l.contains(&format!("/r/{n} ")))
            .unwrap_or_else(|| panic!("no row for {private}:\n{out}"));
        assert!(
            row.contains("failed") && row.contains("private or local network"),
            "{row}"
        );
    }
    let row = |p: &str| out.lines().find(|l| l.contains(p)).unwrap().to_string();
    assert!(row("/endpoint-private").contains("skipped"), "{out}");
    assert!(row("/endpoint-redirects").contains("HTTP 307"), "{out}");
    assert!(row("/ok").contains("sent"), "{out}");
}

#[test]
fn a_public_feed_moving_to_loopback_is_refused_and_not_recorded() {
    let (_server, proxy) = internet(
        |path| match path {
            "/feed-a" => redirect(301, "http://[::1]:8080/feed"),
            "/feed-b" => redirect(308, "http://localhost:8080/feed"),
            // A permanent move to a public address, then a private one: neither is kept.
            "/feed-c" => redirect(301, &format!("http://{PUBLIC}/feed-c2")),
            "/feed-c2" => redirect(301, "http://169.254.169.254/latest/meta-data/"),
            _ => Reply::Status(404, vec![]),
        },
        None,
    );
    let toml = [
        blog_entry("Alpha", &format!("http://{PUBLIC}/feed-a")),
        blog_entry("Beta", &format!("http://{PUBLIC}/feed-b")),
        blog_entry("Gamma", &format!("http://{PUBLIC}/feed-c")),
    ]
    .concat();
    let site = site(&toml);
    let (code, out, err) = staffroom_via(site.path(), Some(&proxy), &["network", "fetch"]);
    assert_eq!(code, 0, "{out}\n{err}");
    proxy.asked_only_for_public();
    assert_eq!(read(site.path(), "network.toml"), toml, "{err}");
    assert!(!err.contains("moved for good"), "{err}");
    for slug in ["alpha", "beta", "gamma"] {
        let seen = observed(site.path(), slug);
        let error = seen["state"]["last_error"].as_str().unwrap_or("");
        assert!(error.contains("private or local network"), "{slug}: {seen}");
        assert!(
            seen["feed"].as_str().unwrap().contains(PUBLIC),
            "{slug}: {seen}"
        );
        // Nothing was collected, so there is no cache file to carry the move either.
        assert!(
            !site
                .path()
                .join(format!("data/network/{slug}.json"))
                .exists()
        );
    }
    let (_, status, _) = staffroom_via(site.path(), None, &["network", "status"]);
    assert_eq!(
        status.matches("private or local network").count(),
        3,
        "{status}"
    );
}

#[test]
fn an_intranet_feed_may_move_within_the_intranet_but_not_back_from_outside() {
    let port = Arc::new(std::sync::OnceLock::<u16>::new());
    let p = port.clone();
    let intranet = Server::start(move |path, _| {
        let port = p.get().unwrap();
        match path {
            "/old" => redirect(301, &format!("http://localhost:{port}/feed")),
            "/hop" => redirect(302, &format!("http://{PUBLIC}/out")),
            "/feed" => Reply::feed(rss("Intranet", "intranet.school", 2)),
            _ => Reply::Status(404, vec![]),
        }
    });
    let local = intranet.base.trim_start_matches("http://").to_string();
    port.set(local.rsplit(':').next().unwrap().parse().unwrap())
        .unwrap();

    // Loopback to loopback, no proxy: fetched, and the move recorded.
    let site1 = site(&blog_entry("Intranet", &intranet.url("/old")));
    let (code, out, err) = staffroom_via(site1.path(), None, &["network", "fetch"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let moved = format!("http://localhost:{}/feed", port.get().unwrap());
    assert!(read(site1.path(), "network.toml").contains(&moved), "{err}");
    assert!(err.contains("moved for good"), "{err}");
    let entries = cache(site1.path(), "intranet")["entries"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(entries, 2);

    // Out to a public address (through the school's proxy) and back inside: refused.
    let (_public, proxy) = internet(
        move |path| match path {
            "/out" => redirect(302, &format!("http://{local}/feed")),
            _ => Reply::Status(404, vec![]),
        },
        Some(&intranet),
    );
    let toml = blog_entry("Loop", &intranet.url("/hop"));
    let site2 = site(&toml);
    intranet.seen.lock().unwrap().clear();
    let (code, out, err) = staffroom_via(site2.path(), Some(&proxy), &["network", "fetch"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(intranet.requests_to("/feed").is_empty(), "{out}");
    assert_eq!(read(site2.path(), "network.toml"), toml);
    let state = fetch_state(site2.path(), "loop");
    let error = state["last_error"].as_str().unwrap_or("");
    assert!(error.contains("private or local network"), "{state}");
}

#[test]
fn network_add_from_a_public_page_never_adds_a_private_feed() {
    let (_server, proxy) = internet(
        |path| match path {
            "/blog/" => html(
                "<link rel=alternate type=application/rss+xml href=http://10.0.0.1/feed.xml>\
                 <link rel=alternate type=application/atom+xml href=http://[::1]:8080/atom>\
                 <link rel=alternate type=application/rss+xml href=/moved.xml>"
                    .into(),
            ),
            "/moved.xml" => redirect(301, "http://localhost:8080/feed.xml"),
            "/good/" => html("<link rel=alternate type=application/rss+xml href=/good.xml>".into()),
            "/good.xml" => Reply::feed(rss("Good", PUBLIC, 2)),
            _ => Reply::Status(404, vec![]),
        },
        None,
    );
    let site = site("");
    let url = format!("http://{PUBLIC}/blog/");
    let (code, out, err) = staffroom_via(site.path(), Some(&proxy), &["network", "add", &url]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("error: ") && !err.contains("panicked"),
        "{err}"
    );
    assert!(err.contains("private or local network"), "{err}");
    assert!(!site.path().join("network.toml").exists(), "{err}");
    proxy.asked_only_for_public();
    // The same way to a public feed works.
    let url = format!("http://{PUBLIC}/good/");
    let (code, out, err) = staffroom_via(site.path(), Some(&proxy), &["network", "add", &url]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(read(site.path(), "network.toml").contains("/good.xml"));
    proxy.asked_only_for_public();
}

#[test]
fn check_external_does_not_follow_a_public_link_into_a_private_network() {
    let (_server, proxy) = internet(
        |path| match path {
            "/ok" => Reply::Status(200, vec![]),
            "/moved" => redirect(301, "/ok"),
            "/metadata" => redirect(302, "http://169.254.169.254/latest/meta-data/"),
            "/admin" => redirect(307, "http://localhost:8080/admin"),
            _ => Reply::Status(404, vec![]),
        },
        None,
    );
    let site = site("");
    std::fs::write(
        site.path().join("content/posts/links.md"),
        format!(
            "---\ntitle: Links\ndate: 2024-02-01\n---\n[a](http://{PUBLIC}/moved) [b](http://{PUBLIC}/metadata) [c](http://{PUBLIC}/admin)\n"
        ),
    )
    .unwrap();
    let (_, out, err) = staffroom_via(site.path(), Some(&proxy), &["check", "--external"]);
    proxy.asked_only_for_public();
    for path in ["/metadata", "/admin"] {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("{PUBLIC}{path} ")))
            .unwrap_or_else(|| panic!("{path}:\n{out}\n{err}"));
        assert!(
            line.contains("could not be checked") && line.contains("private or local network"),
            "{line}"
        );
    }
    assert!(!out.contains("/moved "), "{out}");
}
