//! `staffroom serve` under load: 50 keep-alive connections, 2,500 requests, while a
//! post is edited again and again so rebuilds swap files under the readers. Every
//! answer must be the expected status with a complete body.
//!
//! The client is a few lines over `TcpStream` rather than an HTTP library, so a
//! truncated body or a dropped connection is an error here instead of being retried
//! or tidied away.

mod serve_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serve_support::{Serve, Site, post};

const CONNECTIONS: usize = 50;
const REQUESTS_PER_CONNECTION: usize = 50;

/// Paths, their expected status, and text a complete body ends with.
const ROUTES: &[(&str, u16, &str)] = &[
    ("", 200, "</html>"),
    ("posts/first/", 200, "</html>"),
    ("posts/second/", 200, "</html>"),
    ("about/", 200, "</html>"),
    ("tags/science/", 200, "</html>"),
    ("atom.xml", 200, "</feed>"),
    ("extra.css", 200, "}"),
    ("no/such/page/", 404, "</html>"),
];

struct Answer {
    status: u16,
    body: Vec<u8>,
}

/// One request on a kept-alive connection: status and the whole body, read by
/// Content-Length or chunks, or why not.
fn request(conn: &mut BufReader<TcpStream>, host: &str, path: &str) -> Result<Answer, String> {
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n");
    conn.get_mut()
        .write_all(req.as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    let mut line = String::new();
    conn.read_line(&mut line)
        .map_err(|e| format!("status line: {e}"))?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let (mut length, mut chunked) = (None, false);
    loop {
        let mut h = String::new();
        conn.read_line(&mut h).map_err(|e| format!("header: {e}"))?;
        if h.is_empty() {
            return Err("connection closed in the headers".into());
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':').unwrap_or((h, ""));
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            _ => {}
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            conn.read_line(&mut size)
                .map_err(|e| format!("chunk size: {e}"))?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| format!("bad chunk size {size:?}"))?;
            let mut chunk = vec![0; n + 2];
            conn.read_exact(&mut chunk)
                .map_err(|e| format!("chunk body: {e}"))?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        let n = length.ok_or("neither Content-Length nor chunked")?;
        body.resize(n, 0);
        conn.read_exact(&mut body)
            .map_err(|e| format!("body ({n} bytes): {e}"))?;
    }
    Ok(Answer { status, body })
}

/// Wait (within a generous bound) until the editor has saved `n` times.
fn wait_for_edits(edits: &AtomicUsize, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while edits.load(Ordering::SeqCst) < n {
        assert!(
            Instant::now() < deadline,
            "the editor did not save {n} times"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn serve_holds_2500_requests_over_50_connections_during_rebuilds() {
    let site = Site::new("https://room9.example.org/");
    let serve = Serve::start(&site);
    let host = serve.origin.trim_start_matches("http://").to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let edits = Arc::new(AtomicUsize::new(0));
    let editor = {
        let (stop, edits) = (stop.clone(), edits.clone());
        let path = site.path().join("content/posts/first.md");
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                // Through a rename, as editors save, so the watcher never reads half a file.
                let tmp = path.with_extension("md.tmp");
                std::fs::write(
                    &tmp,
                    post("First post", "2024-01-01", &format!("Edit {n}.")),
                )
                .unwrap();
                std::fs::rename(&tmp, &path).unwrap();
                edits.store(n, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(150));
            }
        })
    };

    // The load starts once the first edit is saved, and the editor stops only after
    // saving again, so files are swapped while the load runs however fast or slow
    // this machine is (the old `edits >= 2` check after the fact could lose that race).
    wait_for_edits(&edits, 1);
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|c| {
            let host = host.clone();
            std::thread::spawn(move || -> Result<usize, String> {
                let stream = TcpStream::connect(&host).map_err(|e| format!("connect: {e}"))?;
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let mut conn = BufReader::new(stream);
                for i in 0..REQUESTS_PER_CONNECTION {
                    let (path, want, tail) = ROUTES[(c + i) % ROUTES.len()];
                    let answer = request(&mut conn, &host, &format!("/{path}"))
                        .map_err(|e| format!("connection {c}, request {i}, /{path}: {e}"))?;
                    let text = String::from_utf8_lossy(&answer.body);
                    if answer.status != want || !text.trim_end().ends_with(tail) {
                        return Err(format!(
                            "connection {c}, request {i}, /{path}: {} with {} bytes ending {:?}",
                            answer.status,
                            answer.body.len(),
                            &text[text.len().saturating_sub(60)..]
                        ));
                    }
                }
                Ok(REQUESTS_PER_CONNECTION)
            })
        })
        .collect();
    let results: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let took = started.elapsed();
    wait_for_edits(&edits, 2);
    stop.store(true, Ordering::SeqCst);
    editor.join().unwrap();

    let errors: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let held: usize = results.iter().filter_map(|r| r.as_ref().ok()).sum();
    assert!(
        errors.is_empty(),
        "{} errors, first: {}",
        errors.len(),
        errors[0]
    );
    assert_eq!(held, CONNECTIONS * REQUESTS_PER_CONNECTION);
    let edits = edits.load(Ordering::SeqCst);
    eprintln!(
        "serve held {held} requests over {CONNECTIONS} connections in {took:.2?} ({:.0} req/s) across {edits} edits",
        held as f64 / took.as_secs_f64()
    );

    // The last edit made it through: the server kept rebuilding under the load.
    let deadline = Instant::now() + Duration::from_secs(10);
    let want = format!("Edit {edits}.");
    loop {
        let page = serve_support::get(&format!("{}posts/first/", serve.url));
        if page.body.contains(&want) {
            break;
        }
        assert!(Instant::now() < deadline, "{want} never served");
        std::thread::sleep(Duration::from_millis(50));
    }
}
