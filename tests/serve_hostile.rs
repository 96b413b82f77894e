//! `staffroom serve` against hostile or broken clients: the real binary on a free
//! port, each request written byte for byte over a `TcpStream`. Any local program can
//! reach the preview; whatever it sends, it gets an error status (where one makes
//! sense), and the next browser still gets its page.

mod serve_support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use serve_support::{Serve, Site};

const GENEROUS: Duration = Duration::from_secs(10);

fn host(serve: &Serve) -> String {
    serve.origin.trim_start_matches("http://").to_string()
}

fn connect(host: &str) -> TcpStream {
    let s = TcpStream::connect(host).expect("connect");
    s.set_read_timeout(Some(GENEROUS)).expect("timeout");
    s.set_write_timeout(Some(GENEROUS)).expect("timeout");
    s
}

fn status_of(answer: &[u8]) -> u16 {
    String::from_utf8_lossy(answer)
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// Send `bytes`, then read the answer until the server closes the connection (the
/// error answers all end with `Connection: close`). The server may stop reading a
/// request it refuses, so a failed write is part of the game.
fn attack(host: &str, bytes: &[u8]) -> (u16, String) {
    let mut s = connect(host);
    let _ = s.write_all(bytes);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    (
        status_of(&answer),
        String::from_utf8_lossy(&answer).into_owned(),
    )
}

/// A normal GET on a new connection gets the home page, and the process still runs.
fn still_serves(serve: &mut Serve, after: &str) {
    let host = host(serve);
    let (status, text) = attack(
        &host,
        format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert!(serve.running(), "serve died after {after}");
    assert_eq!(status, 200, "after {after}: {text}");
    assert!(text.contains("Third post"), "after {after}: {text}");
}

fn get_head(extra: &str) -> Vec<u8> {
    format!("GET / HTTP/1.1\r\nHost: localhost\r\n{extra}\r\n").into_bytes()
}

#[test]
fn malformed_requests_get_an_error_status_and_serve_goes_on() {
    let site = Site::new("https://room9.example.org/");
    let mut serve = Serve::start(&site);
    let host = host(&serve);
    let many_headers: String = (0..10_000).map(|i| format!("X-{i}: y\r\n")).collect();
    let big_headers: String = (0..20)
        .map(|i| format!("X-{i}: {}\r\n", "y".repeat(4000)))
        .collect();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "a 64 GiB Content-Length",
            get_head("Content-Length: 68719476736\r\n"),
            413,
        ),
        (
            "a Content-Length past 2^64",
            get_head("Content-Length: 99999999999999999999999999\r\n"),
            413,
        ),
        (
            "a huge body behind Expect: 100-continue",
            b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 68719476736\r\n\r\n".to_vec(),
            413,
        ),
        ("a negative Content-Length", get_head("Content-Length: -1\r\n"), 400),
        ("a Content-Length that is no number", get_head("Content-Length: ten\r\n"), 400),
        (
            "two different Content-Lengths",
            get_head("Content-Length: 1\r\nContent-Length: 2\r\n"),
            400,
        ),
        ("a Content-Length list", get_head("Content-Length: 3, 3\r\n"), 400),
        (
            "a space before the colon",
            get_head("Content-Length : 3\r\n"),
            400,
        ),
        (
            "Content-Length beside Transfer-Encoding",
            get_head("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n"),
            400,
        ),
        (
            "an unknown transfer coding",
            get_head("Transfer-Encoding: gzip, chunked\r\n"),
            501,
        ),
        (
            "Transfer-Encoding twice",
            get_head("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
            400,
        ),
        (
            "a chunk larger than any body",
            [get_head("Transfer-Encoding: chunked\r\n"), b"7fffffff\r\n".to_vec(), vec![b'a'; 100_000]].concat(),
            413,
        ),
        (
            "a body in endless one-byte chunks",
            [get_head("Transfer-Encoding: chunked\r\n"), b"1\r\na\r\n".repeat(40_000)].concat(),
            413,
        ),
        ("a malformed chunk size", [get_head("Transfer-Encoding: chunked\r\n"), b"zz\r\n".to_vec()].concat(), 400),
        (
            "a 100 KB request line",
            format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(100_000)).into_bytes(),
            414,
        ),
        (
            "a 100 KB header line",
            get_head(&format!("X-Long: {}\r\n", "a".repeat(100_000))),
            431,
        ),
        ("10,000 headers", get_head(&many_headers), 431),
        ("80 KB of headers", get_head(&big_headers), 431),
        ("non-UTF-8 bytes in the path", b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), 400),
        ("non-UTF-8 bytes in a header", get_head("X-Name: caf\u{e9}\r\n"), 400),
        ("a NUL in a header", get_head("X-Name: a\0b\r\n"), 400),
        ("a bad Host header", b"GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n".to_vec(), 400),
        ("a non-ASCII Host header", b"GET / HTTP/1.1\r\nHost: \xff\xff\r\n\r\n".to_vec(), 400),
        ("two Host headers", get_head("Host: evil.example\r\n"), 400),
        ("HTTP/1.1 without Host", b"GET / HTTP/1.1\r\n\r\n".to_vec(), 400),
        ("a folded header", get_head("X-A: b\r\n c\r\n"), 400),
        ("a header without a colon", get_head("Nonsense\r\n"), 400),
        ("HTTP/0.9", b"GET /\r\n\r\n".to_vec(), 400),
        ("HTTP/0.9 by name", b"GET / HTTP/0.9\r\n\r\n".to_vec(), 505),
        ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n".to_vec(), 505),
        ("garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(), 400),
        ("an unknown expectation", get_head("Expect: 200-ok\r\n"), 417),
        ("endless empty lines", b"\r\n".repeat(40_000), 431),
    ];
    for (what, bytes, want) in &cases {
        let (status, text) = attack(&host, bytes);
        assert_eq!(status, *want, "{what}: {text}");
        still_serves(&mut serve, what);
    }
    // Requests cut short and connections dropped at once get no answer, and cost nothing.
    for (what, bytes) in [
        ("an empty connection", &b""[..]),
        ("half a request line", b"GET / HT"),
        ("a head cut short", b"GET / HTTP/1.1\r\nHost: x\r\n"),
        (
            "a body cut short",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
        ),
    ] {
        let mut s = connect(&host);
        let _ = s.write_all(bytes);
        let _ = s.shutdown(Shutdown::Write);
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        still_serves(&mut serve, what);
    }
}

/// Read one answer from a kept-alive connection: status and body, by Content-Length.
fn read_answer(s: &mut TcpStream) -> (u16, Vec<u8>) {
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => panic!("the answer ended in its head ({other:?}): {head:?}"),
        }
    }
    let text = String::from_utf8_lossy(&head).to_string();
    let length: usize = text
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or_else(|| panic!("no Content-Length: {text}"));
    let mut body = vec![0; length];
    s.read_exact(&mut body).expect("the whole body");
    (status_of(&head), body)
}

#[test]
fn bodies_pipelining_and_100_continue_are_answered_in_order() {
    let site = Site::new("https://room9.example.org/");
    let mut serve = Serve::start(&site);
    let host = host(&serve);

    // Three requests in one write, a small body in the middle: three answers in order.
    let mut s = connect(&host);
    s.write_all(
        format!(
            "GET /about/ HTTP/1.1\r\nHost: {host}\r\n\r\n\
             POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\n\r\nhello\
             GET /extra.css HTTP/1.1\r\nHost: {host}\r\n\r\n"
        )
        .as_bytes(),
    )
    .expect("send");
    let (first, body) = read_answer(&mut s);
    assert_eq!(first, 200);
    assert!(String::from_utf8_lossy(&body).contains("About this class."));
    assert_eq!(read_answer(&mut s).0, 405);
    let (third, body) = read_answer(&mut s);
    assert_eq!(third, 200);
    assert!(String::from_utf8_lossy(&body).contains("rgb(1, 2, 3)"));

    // A chunked body within the bound is read and the connection goes on.
    s.write_all(
        format!(
            "POST / HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n\
             3\r\nabc\r\n0\r\n\r\nGET /about/ HTTP/1.1\r\nHost: {host}\r\n\r\n"
        )
        .as_bytes(),
    )
    .expect("send");
    assert_eq!(read_answer(&mut s).0, 405);
    assert_eq!(read_answer(&mut s).0, 200);

    // `Expect: 100-continue` with a small body: 100 first, then the answer.
    let mut s = connect(&host);
    s.write_all(
        format!(
            "POST / HTTP/1.1\r\nHost: {host}\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
        )
        .as_bytes(),
    )
    .expect("send");
    let mut line = [0u8; 25];
    s.read_exact(&mut line).expect("100 Continue");
    assert_eq!(&line, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(b"ping").expect("send");
    assert_eq!(read_answer(&mut s).0, 405);
    still_serves(&mut serve, "pipelined requests");

    // Browsers send `localhost` the cookies of every local app: a long Cookie line
    // and a few dozen headers are a browser's request, not an attack.
    let cookie = format!("Cookie: {}\r\n", "k=v; ".repeat(2400));
    let headers: String = (0..40).map(|i| format!("X-Header-{i}: y\r\n")).collect();
    let (status, text) = attack(
        &host,
        format!("GET / HTTP/1.1\r\nHost: {host}\r\n{cookie}{headers}Connection: close\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
}

/// Wait until `f` is true, within the generous bound.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + GENEROUS;
    while !f() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn slow_clients_hold_no_worker_and_connections_are_bounded() {
    let site = Site::new("https://room9.example.org/");
    let mut serve = Serve::start(&site);
    let host = host(&serve);

    // More slow clients than the server has workers: heads sent a byte at a time,
    // and bodies that never finish arriving. Browsers are answered meanwhile.
    let mut slow = Vec::new();
    for i in 0..20 {
        let mut s = connect(&host);
        let start = if i % 2 == 0 {
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Slow: ")
        } else {
            format!("POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 60000\r\n\r\nabc")
        };
        s.write_all(start.as_bytes()).expect("send");
        slow.push(s);
    }
    for round in 0..5 {
        for s in &mut slow {
            let _ = s.write_all(b"a");
        }
        still_serves(&mut serve, &format!("slow clients, round {round}"));
    }
    drop(slow);

    // Far more connections than the bound: the ones past it are told to come back
    // (503) and closed, and once they go, browsers are answered again.
    let mut held = Vec::new();
    for _ in 0..150 {
        held.push(connect(&host));
    }
    // The last ones were accepted last, so they are the ones refused.
    let refused = held.iter_mut().rev().take(20).any(|s| {
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        status_of(&answer) == 503
    });
    assert!(refused, "no connection past the bound was refused");
    assert!(serve.running());
    drop(held);
    let mut last = String::new();
    eventually("serve answers again after the flood", || {
        let (status, text) = attack(
            &host,
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        last = text;
        status == 200
    });
    still_serves(&mut serve, "a flood of connections");
}

#[test]
fn clients_that_do_not_read_their_answers_hold_no_worker() {
    let site = Site::new("https://room9.example.org/");
    // Larger than what the kernel buffers for a connection, so the answer's writer
    // really waits on a client that does not read (as a video element does once it
    // has buffered enough).
    site.write("static/clip.mp4", &"v".repeat(32 * 1024 * 1024));
    let mut serve = Serve::start(&site);
    let host = host(&serve);
    let stalled: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = connect(&host);
            s.write_all(format!("GET /clip.mp4 HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
                .expect("send");
            s
        })
        .collect();
    for round in 0..3 {
        still_serves(
            &mut serve,
            &format!("clients that do not read, round {round}"),
        );
    }
    // A range of the same file is still sent exactly.
    let mut s = connect(&host);
    s.write_all(
        format!("GET /clip.mp4 HTTP/1.1\r\nHost: {host}\r\nRange: bytes=100-104\r\n\r\n")
            .as_bytes(),
    )
    .expect("send");
    let (status, body) = read_answer(&mut s);
    assert_eq!((status, body.as_slice()), (206, &b"vvvvv"[..]));
    drop(stalled);
}
