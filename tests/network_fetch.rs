//! `network fetch` against a real HTTP server on 127.0.0.1.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;

#[test]
fn fetches_concurrently_then_conditionally() {
    let server = Server::start(|path, headers| {
        let n: usize = path
            .trim_start_matches("/f")
            .trim_end_matches(".xml")
            .parse()
            .unwrap_or(0);
        let etag = format!("\"v1-{n}\"");
        if headers.get("if-none-match") == Some(&etag) {
            return Reply::Status(304, vec![("ETag", etag)]);
        }
        // Slow enough that a serial fetch would show: in-flight requests must overlap.
        std::thread::sleep(Duration::from_millis(200));
        Reply::Ok {
            body: rss(&format!("Blog {n}"), &format!("b{n}.example.org"), 3),
            content_type: "application/rss+xml",
            headers: vec![
                ("ETag", etag),
                ("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT".into()),
            ],
        }
    });
    let toml: String = (0..6)
        .map(|i| blog_entry(&format!("Blog {i}"), &server.url(&format!("/f{i}.xml"))))
        .collect();
    let site = site(&toml);
    let out = staffroom(site.path(), &["network", "fetch"]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("6 blogs: 6 ok"), "{stdout}");
    assert!(
        server.peak_in_flight.load(Ordering::SeqCst) > 1,
        "requests never overlapped"
    );
    for i in 0..6 {
        let c = cache(site.path(), &format!("blog-{i}"));
        assert_eq!(c["entries"].as_array().unwrap().len(), 3);
        assert_eq!(
            fetch_state(site.path(), &format!("blog-{i}"))["etag"],
            format!("\"v1-{i}\"")
        );
    }
    let ua = &server.requests_to("/f0.xml")[0].headers["user-agent"];
    assert!(
        ua.starts_with("staffroom/") && ua.contains("https://"),
        "{ua}"
    );

    let before = read(site.path(), "data/network/blog-0.json");
    staffroom(site.path(), &["network", "fetch", "--verbose"])
        .success()
        .stdout(predicates::str::contains("not modified"));
    let second = server.requests_to("/f0.xml");
    assert_eq!(second.len(), 2);
    assert_eq!(
        second[1].headers.get("if-none-match").map(String::as_str),
        Some("\"v1-0\"")
    );
    assert_eq!(
        second[1]
            .headers
            .get("if-modified-since")
            .map(String::as_str),
        Some("Mon, 01 Jan 2024 00:00:00 GMT")
    );
    assert_eq!(second[1].status, 304);
    let after = read(site.path(), "data/network/blog-0.json");
    let entries =
        |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap()["entries"].clone();
    assert_eq!(
        entries(&before),
        entries(&after),
        "a 304 must keep the entries as they were"
    );
}

#[test]
fn a_failing_feed_keeps_its_entries_and_is_reported() {
    let broken = Arc::new(AtomicBool::new(false));
    let b = broken.clone();
    let server = Server::start(move |_, _| {
        if b.load(Ordering::SeqCst) {
            Reply::Status(500, vec![])
        } else {
            Reply::feed(rss("Steady", "steady.example.org", 4))
        }
    });
    let site = site(&blog_entry("Steady", &server.url("/feed.xml")));
    staffroom(site.path(), &["network", "fetch"]).success();
    assert_eq!(
        cache(site.path(), "steady")["entries"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    broken.store(true, Ordering::SeqCst);
    let out = staffroom(site.path(), &["network", "fetch"]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        stdout.contains("unreachable") && stdout.contains("HTTP 500"),
        "{stdout}"
    );
    let c = cache(site.path(), "steady");
    assert_eq!(
        c["entries"].as_array().unwrap().len(),
        4,
        "entries were lost"
    );
    let s = fetch_state(site.path(), "steady");
    assert_eq!(s["consecutive_failures"], 1);
    assert_eq!(s["last_error"], "HTTP 500 Internal Server Error");
    assert!(s["last_success"].is_string() && s["failing_since"].is_string());

    // status reads the cache only: the server is not asked again.
    let asked = server.seen.lock().unwrap().len();
    staffroom(site.path(), &["network", "status"])
        .success()
        .stdout(predicates::str::contains("unreachable"));
    assert_eq!(server.seen.lock().unwrap().len(), asked);

    // The network page still shows the old posts, and says the blog is unreachable.
    staffroom(site.path(), &["build"]).success();
    let page = read(site.path(), "public/network/index.html");
    assert!(
        page.contains("Steady post 4") && page.contains("unreachable"),
        "{page}"
    );
}

#[test]
fn a_permanent_redirect_updates_network_toml_and_keeps_comments() {
    let server = Server::start(|path, _| match path {
        "/old.xml" => Reply::Status(301, vec![("Location", "/new.xml".into())]),
        "/new.xml" => Reply::feed(rss("Moved", "moved.example.org", 2)),
        "/temp.xml" => Reply::Status(302, vec![("Location", "/new.xml".into())]),
        _ => Reply::Status(404, vec![]),
    });
    let toml = format!(
        "# Blogs I read\n[[blog]]\nname = \"Moved\" # moved house\nfeed = \"{}\" # the old address\ntags = [\"Science\"]\n\n[[blog]]\nname = \"Temporary\"\nfeed = \"{}\"\n",
        server.url("/old.xml"),
        server.url("/temp.xml")
    );
    let site = site(&toml);
    staffroom(site.path(), &["network", "fetch"])
        .success()
        .stderr(predicates::str::contains("Moved moved for good"));
    let after = read(site.path(), "network.toml");
    let expected = toml.replace(&server.url("/old.xml"), &server.url("/new.xml"));
    assert_eq!(after, expected, "only the moved feed's address may change");
    assert_eq!(
        cache(site.path(), "moved")["entries"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        cache(site.path(), "temporary")["entries"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn slow_and_endless_feeds_are_cut_off_while_others_load() {
    let server = Server::start(|path, _| match path {
        "/slow.xml" => Reply::Slow(Duration::from_secs(8), rss("Slow", "slow.example.org", 1)),
        "/endless.xml" => Reply::Endless,
        _ => Reply::feed(rss("Fine", "fine.example.org", 2)),
    });
    let toml = [
        blog_entry("Slow", &server.url("/slow.xml")),
        blog_entry("Endless", &server.url("/endless.xml")),
        blog_entry("Fine", &server.url("/fine.xml")),
    ]
    .concat();
    let site = site(&toml);
    let start = Instant::now();
    let out = staffroom(site.path(), &["network", "fetch"]).success();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(6), "took {took:?}");
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("stopped answering"), "{stdout}");
    assert!(stdout.contains("larger than 1 MB"), "{stdout}");
    assert_eq!(
        cache(site.path(), "fine")["entries"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(fetch_state(site.path(), "slow")["consecutive_failures"], 1);
    // Nothing collected: no file, so this clone adds nothing to commit.
    assert!(!site.path().join("data/network/endless.json").exists());
}

#[test]
fn gone_and_retry_after_are_respected() {
    let server = Server::start(|path, _| match path {
        "/gone.xml" => Reply::Status(410, vec![]),
        "/busy.xml" => Reply::Status(503, vec![("Retry-After", "3600".into())]),
        _ => Reply::Status(404, vec![]),
    });
    let toml = [
        blog_entry("Gone", &server.url("/gone.xml")),
        blog_entry("Busy", &server.url("/busy.xml")),
    ]
    .concat();
    let site = site(&toml);
    let out = staffroom(site.path(), &["network", "fetch"]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("gone"), "{stdout}");
    assert_eq!(fetch_state(site.path(), "gone")["gone"], true);
    assert!(fetch_state(site.path(), "busy")["retry_after"].is_string());
    staffroom(site.path(), &["network", "fetch"]).success();
    assert_eq!(
        server.requests_to("/busy.xml").len(),
        1,
        "Retry-After was ignored"
    );
    assert_eq!(server.requests_to("/gone.xml").len(), 2);
}

#[test]
fn bad_network_toml_is_exit_1_with_file_and_line() {
    let site = site("[[blog]]\nname = \"A\"\nfeed = \"not a url\"\n");
    staffroom(site.path(), &["network", "fetch"])
        .code(1)
        .stderr(predicates::str::contains(
            "network.toml:1: feed `not a url` of A",
        ));
    staffroom(site.path(), &["build"])
        .code(1)
        .stderr(predicates::str::contains("network.toml:1"));
}

#[test]
fn build_fetch_fetches_first_and_publishes_the_network() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let server = Server::start(move |_, _| {
        h.fetch_add(1, Ordering::SeqCst);
        Reply::feed(rss("Ms Park", "park.example.org", 5))
    });
    let site = site(&format!(
        "[[blog]]\nname = \"Ms Park\"\nfeed = \"{}\"\ntags = [\"Maths\"]\nnote = \"Great number talks\"\n",
        server.url("/feed.xml")
    ));
    staffroom(site.path(), &["build"]).success();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "a plain build must not go online"
    );
    let page = read(site.path(), "public/network/index.html");
    assert!(page.contains("not fetched yet"), "{page}");

    staffroom(site.path(), &["build", "--fetch"]).success();
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let page = read(site.path(), "public/network/index.html");
    assert!(
        page.contains("Ms Park post 5") && page.contains("Great number talks"),
        "{page}"
    );
    assert!(page.contains("Maths"), "{page}");
    let opml = read(site.path(), "public/blogroll.opml");
    assert!(opml.contains(&server.url("/feed.xml")), "{opml}");
    let home = read(site.path(), "public/index.html");
    assert!(
        home.contains("rel=\"blogroll\"") && home.contains(">My network</a>"),
        "{home}"
    );
}
