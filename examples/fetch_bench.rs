//! Fetch benchmark: 200 feeds from a local server that adds 100 ms to every answer.
//! Reports the wall time of `staffroom network fetch` (target: under 3 s) and of the
//! second, conditional run answered with 304s (target: under 1 s).
//!
//! `cargo run --example fetch_bench [-- path/to/staffroom [concurrency]]`
//! (bench/fetch.sh runs it.)

use std::time::{Duration, Instant};

const FEEDS: usize = 200;
const LATENCY: Duration = Duration::from_millis(100);

fn feed(n: &str) -> String {
    let items: String = (0..10)
        .map(|i| {
            format!(
                "<item><title>Post {i} of blog {n}</title><link>https://blog{n}.example.org/posts/{i}/</link>\
                 <guid>https://blog{n}.example.org/posts/{i}/</guid><pubDate>Mon, {:02} Jun 2026 08:00:00 +0000</pubDate>\
                 <description>&lt;p&gt;Notes from class {i}, with a &lt;a href=\"/posts/{i}/more\"&gt;link&lt;/a&gt;.&lt;/p&gt;</description></item>",
                i + 1
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog {n}</title><link>https://blog{n}.example.org/</link>{items}</channel></rss>"
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bin = args
        .first()
        .cloned()
        .unwrap_or_else(|| "target/debug/staffroom".into());
    let concurrency = args.get(1).cloned();

    let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
    let addr = server.server_addr().to_ip().expect("ip address");
    let s = server.clone();
    std::thread::spawn(move || {
        for req in s.incoming_requests() {
            std::thread::spawn(move || {
                std::thread::sleep(LATENCY);
                let n = req
                    .url()
                    .rsplit('/')
                    .next()
                    .unwrap_or("0")
                    .trim_end_matches(".xml")
                    .to_string();
                let etag = format!("\"b{n}-1\"");
                let header =
                    |k: &str, v: &str| tiny_http::Header::from_bytes(k, v).expect("header");
                let matches = req
                    .headers()
                    .iter()
                    .any(|h| h.field.equiv("If-None-Match") && h.value.as_str() == etag);
                let _ = if matches {
                    req.respond(tiny_http::Response::empty(304).with_header(header("ETag", &etag)))
                } else {
                    req.respond(
                        tiny_http::Response::from_string(feed(&n))
                            .with_header(header("Content-Type", "application/rss+xml"))
                            .with_header(header("ETag", &etag)),
                    )
                };
            });
        }
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let mut site = "title = \"Bench\"\nbase_url = \"https://bench.example.org/\"\n".to_string();
    if let Some(c) = &concurrency {
        site.push_str(&format!("[network]\nconcurrency = {c}\n"));
    }
    std::fs::write(dir.path().join("site.toml"), site).expect("site.toml");
    let blogs: String = (1..=FEEDS)
        .map(|n| {
            format!("[[blog]]\nname = \"Blog {n}\"\nfeed = \"http://{addr}/feed/{n}.xml\"\n\n")
        })
        .collect();
    std::fs::write(dir.path().join("network.toml"), blogs).expect("network.toml");

    let run = || {
        let start = Instant::now();
        let status = std::process::Command::new(&bin)
            .arg("--root")
            .arg(dir.path())
            .args(["--quiet", "network", "fetch"])
            .status()
            .expect("run staffroom");
        assert!(status.success(), "network fetch failed");
        start.elapsed().as_secs_f64()
    };
    let first = run();
    let second = run();
    let cached = std::fs::read_dir(dir.path().join("data/network"))
        .map(|d| d.count())
        .unwrap_or(0);
    println!(
        "feeds cached: {cached}/{FEEDS} (concurrency {})",
        concurrency.as_deref().unwrap_or("default")
    );
    println!("first fetch:        {first:.2} s (target < 3 s)");
    println!("conditional re-run: {second:.2} s (target < 1 s)");
}
