//! Fetch benchmark: 200 feeds from a local server that adds 100 ms to every answer.
//! Reports the wall time of `staffroom network fetch` (target: under 3 s) and of the
//! second, conditional run answered with 304s (target: under 1 s).
//!
//! `cargo run --example fetch_bench [-- path/to/staffroom [concurrency]]`
//! (bench/fetch.sh runs it.)
//!
//! Hub mode (bench/hub.sh): `BENCH_FEEDS=5000 BENCH_ENTRIES=50 BENCH_LATENCY_MS=20
//! BENCH_BUILD=1` fetches that many feeds of that many entries, then times a `build`
//! of the site, and reports each command's peak memory (via /usr/bin/time when present).

use std::time::{Duration, Instant};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn feed(n: &str, entries: usize) -> String {
    let num: i64 = n.parse().unwrap_or(0);
    let newest = chrono::DateTime::parse_from_rfc3339("2026-06-30T08:00:00Z").expect("date");
    let items: String = (0..entries)
        .map(|i| {
            // Each blog posts every few days, the blogs staggered by hours.
            let date = newest
                - chrono::Duration::days(i as i64 * (2 + num % 5))
                - chrono::Duration::hours(num % 97);
            format!(
                "<item><title>Post {i} of blog {n}</title><link>https://blog{n}.example.org/posts/{i}/</link>\
                 <guid>https://blog{n}.example.org/posts/{i}/</guid><pubDate>{}</pubDate>\
                 <description>&lt;p&gt;Notes from class {i}, with a &lt;a href=\"/posts/{i}/more\"&gt;link&lt;/a&gt;.&lt;/p&gt;</description></item>",
                date.to_rfc2822()
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
    let feeds = setting("BENCH_FEEDS", 200) as usize;
    let entries = setting("BENCH_ENTRIES", 10) as usize;
    let latency = Duration::from_millis(setting("BENCH_LATENCY_MS", 100));
    let build = setting("BENCH_BUILD", 0) == 1;

    let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
    let addr = server.server_addr().to_ip().expect("ip address");
    let s = server.clone();
    std::thread::spawn(move || {
        for req in s.incoming_requests() {
            std::thread::spawn(move || {
                std::thread::sleep(latency);
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
                        tiny_http::Response::from_string(feed(&n, entries))
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
    let blogs: String = (1..=feeds)
        .map(|n| {
            format!(
                "[[blog]]\nname = \"Blog {n}\"\nfeed = \"http://{addr}/feed/{n}.xml\"\ntags = [\"Subject {}\"]\n\n",
                n % 40
            )
        })
        .collect();
    std::fs::write(dir.path().join("network.toml"), blogs).expect("network.toml");

    let timer = std::path::Path::new("/usr/bin/time").exists();
    // Wall seconds and peak memory (MiB) of one staffroom command.
    let run = |args: &[&str]| -> (f64, Option<f64>) {
        let rss = dir.path().join("rss.txt");
        let mut cmd = if timer {
            let mut c = std::process::Command::new("/usr/bin/time");
            c.arg("-f").arg("%M").arg("-o").arg(&rss).arg(&bin);
            c
        } else {
            std::process::Command::new(&bin)
        };
        let start = Instant::now();
        let status = cmd
            .arg("--root")
            .arg(dir.path())
            .arg("--quiet")
            .args(args)
            .status()
            .expect("run staffroom");
        let took = start.elapsed().as_secs_f64();
        assert!(status.success(), "staffroom {args:?} failed");
        let kib = std::fs::read_to_string(&rss)
            .ok()
            .and_then(|t| t.lines().last()?.trim().parse::<f64>().ok());
        (took, kib.map(|k| k / 1024.0))
    };
    let mib = |m: Option<f64>| m.map(|m| format!(", peak {m:.0} MiB")).unwrap_or_default();
    let (first, first_mem) = run(&["network", "fetch"]);
    let (second, second_mem) = run(&["network", "fetch"]);
    let cached = std::fs::read_dir(dir.path().join("data/network"))
        .map(|d| d.count())
        .unwrap_or(0);
    println!(
        "feeds cached: {cached}/{feeds}, {entries} entries each, {} ms latency (concurrency {})",
        latency.as_millis(),
        concurrency.as_deref().unwrap_or("default")
    );
    println!("first fetch:        {first:.2} s{}", mib(first_mem));
    println!("conditional re-run: {second:.2} s{}", mib(second_mem));
    if build {
        let out = dir.path().join("public");
        let out = out.to_str().expect("a UTF-8 temp path");
        let (took, mem) = run(&["build", "--output", out]);
        let page = std::fs::metadata(dir.path().join("public/network/index.html"))
            .map(|m| m.len() / 1024)
            .unwrap_or(0);
        println!(
            "build:              {took:.2} s{} (network page {page} KiB)",
            mib(mem)
        );
    }
}
