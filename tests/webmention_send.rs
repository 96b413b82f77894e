//! `webmention send` against a real HTTP server on 127.0.0.1: what is sent, what is
//! remembered, what is sent again after an update, and what is never sent.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;

/// A page at every `/page/NAME` whose endpoint is `/wm/NAME`; the endpoint answers
/// with the status in NAME when NAME is a number, else 202. `/plain/NAME` has no endpoint.
fn server() -> Server {
    Server::start(|path, _| {
        if let Some(name) = path.strip_prefix("/page/") {
            return Reply::Ok {
                body: format!(
                    "<!doctype html><title>p</title><link rel=webmention href=\"/wm/{name}\">"
                )
                .into_bytes(),
                content_type: "text/html",
                headers: vec![],
            };
        }
        if path.starts_with("/plain/") {
            return Reply::Ok {
                body: b"<!doctype html><title>no endpoint here</title>".to_vec(),
                content_type: "text/html",
                headers: vec![],
            };
        }
        if path == "/wm/slow" {
            return Reply::Slow(Duration::from_secs(3), vec![]);
        }
        match path
            .strip_prefix("/wm/")
            .and_then(|n| n.parse::<u16>().ok())
        {
            Some(code) => Reply::Status(code, vec![]),
            None => Reply::Status(202, vec![]),
        }
    })
}

fn write_post(root: &Path, name: &str, front: &str, links: &[String]) {
    let body: String = links
        .iter()
        .enumerate()
        .map(|(i, l)| format!("See [link {i}]({l}).\n"))
        .collect();
    std::fs::write(
        root.join(format!("content/posts/{name}.md")),
        format!("---\ntitle: {name}\ndate: 2024-02-01\n{front}---\n{body}"),
    )
    .unwrap();
}

fn send(root: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec!["webmention", "send"];
    args.extend_from_slice(extra);
    let out = staffroom(root, &args).success();
    let o = out.get_output();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn posts_to(server: &Server, path: &str) -> usize {
    server.posts().iter().filter(|p| p.path == path).count()
}

#[test]
fn the_ledger_stops_a_second_run_from_sending_again() {
    let server = server();
    let site = site("");
    write_post(
        site.path(),
        "a",
        "",
        &[server.url("/page/one"), server.url("/page/two")],
    );
    let (out, _) = send(site.path(), &["--allow-private"]);
    assert!(out.contains("2 Webmentions: 2 sent"), "{out}");
    assert_eq!(posts_to(&server, "/wm/one"), 1);
    assert_eq!(posts_to(&server, "/wm/two"), 1);
    let ledger: serde_json::Value =
        serde_json::from_str(&read(site.path(), "data/webmentions.json")).unwrap();
    let rec = &ledger["posts"]["https://teacher.example.org/blog/posts/a/"];
    assert_eq!(rec["targets"][server.url("/page/one")]["status"], "sent");

    let (out, _) = send(site.path(), &["--allow-private"]);
    assert!(out.contains("Nothing new to send: 2 linked pages"), "{out}");
    assert_eq!(server.posts().len(), 2, "nothing sent the second time");
    // Not even fetched again.
    assert_eq!(server.requests_to("/page/one").len(), 1);

    // A new post with a link already told by another post is still its own mention.
    write_post(site.path(), "b", "", &[server.url("/page/one")]);
    send(site.path(), &["--allow-private"]);
    assert_eq!(posts_to(&server, "/wm/one"), 2);
    let last = server.posts().pop().unwrap();
    assert_eq!(
        last.form("source").as_deref(),
        Some("https://teacher.example.org/blog/posts/b/")
    );
}

#[test]
fn an_updated_post_tells_its_targets_again_including_removed_links() {
    let server = server();
    let site = site("");
    let (a, b, c) = (
        server.url("/page/a"),
        server.url("/page/b"),
        server.url("/page/c"),
    );
    write_post(site.path(), "p", "", &[a.clone(), b.clone()]);
    send(site.path(), &["--allow-private"]);
    assert_eq!(server.posts().len(), 2);

    // New content: b is gone, c is new.
    write_post(site.path(), "p", "", &[a.clone(), c.clone()]);
    let (out, _) = send(site.path(), &["--allow-private"]);
    assert!(out.contains("sent (link removed)"), "{out}");
    assert_eq!(posts_to(&server, "/wm/a"), 2);
    assert_eq!(
        posts_to(&server, "/wm/b"),
        1 + 1,
        "the removed link hears of it"
    );
    assert_eq!(posts_to(&server, "/wm/c"), 1);
    let removed = server
        .posts()
        .into_iter()
        .find(|p| p.path == "/wm/b")
        .unwrap();
    assert_eq!(removed.form("target").as_deref(), Some(b.as_str()));

    let (again, _) = send(site.path(), &["--allow-private"]);
    assert_eq!(
        server.posts().len(),
        5,
        "the update was sent once; run 2: {out}\nrun 3: {again}"
    );

    // Only the `updated` date changes: that is an update too.
    write_post(
        site.path(),
        "p",
        "updated: 2024-03-01\n",
        &[a.clone(), c.clone()],
    );
    send(site.path(), &["--allow-private"]);
    assert_eq!(posts_to(&server, "/wm/a"), 3);
    assert_eq!(posts_to(&server, "/wm/c"), 2);
    assert_eq!(posts_to(&server, "/wm/b"), 2, "b was told already");
}

#[test]
fn no_endpoint_4xx_and_5xx() {
    let server = server();
    let site = site("");
    write_post(
        site.path(),
        "p",
        "",
        &[
            server.url("/plain/x"),
            server.url("/page/400"),
            server.url("/page/503"),
            server.url("/missing/"),
        ],
    );
    // /missing/ answers 202 to the GET, with no endpoint.
    let (out, _) = send(site.path(), &["--allow-private"]);
    assert!(out.contains("no endpoint"), "{out}");
    assert!(
        out.contains("rejected") && out.contains("HTTP 400"),
        "{out}"
    );
    assert!(out.contains("failed") && out.contains("HTTP 503"), "{out}");
    assert!(
        out.contains("4 Webmentions: 0 sent, 1 rejected, 2 without an endpoint, 1 failed"),
        "{out}"
    );
    assert!(out.contains("tried again"), "{out}");

    // Only the 5xx is tried again.
    let (out, _) = send(site.path(), &["--allow-private"]);
    assert_eq!(posts_to(&server, "/wm/503"), 2);
    assert_eq!(posts_to(&server, "/wm/400"), 1);
    assert_eq!(server.requests_to("/plain/x").len(), 1);
    assert!(out.contains("1 Webmention: 0 sent"), "{out}");
}

#[test]
fn a_stalled_endpoint_times_out() {
    let server = server();
    let site = site("");
    write_post(site.path(), "p", "", &[server.url("/page/slow")]);
    let started = std::time::Instant::now();
    let (out, _) = send(site.path(), &["--allow-private"]);
    assert!(out.contains("failed"), "{out}");
    assert!(out.contains("stopped answering"), "{out}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn dry_run_sends_and_records_nothing() {
    let server = server();
    let site = site("");
    write_post(site.path(), "p", "", &[server.url("/page/one")]);
    let (out, _) = send(site.path(), &["--dry-run", "--allow-private"]);
    assert!(out.contains("would send"), "{out}");
    assert!(out.contains(&server.url("/wm/one")), "{out}");
    assert!(out.contains("Dry run: nothing was sent"), "{out}");
    assert!(server.posts().is_empty());
    assert!(!site.path().join("data/webmentions.json").exists());
    send(site.path(), &["--allow-private"]);
    assert_eq!(server.posts().len(), 1);
}

#[test]
fn private_endpoints_are_skipped_without_allow_private() {
    let server = server();
    let site = site("");
    write_post(site.path(), "p", "", &[server.url("/page/one")]);
    let (out, err) = send(site.path(), &[]);
    assert!(
        err.contains("note: skipped") && err.contains("--allow-private"),
        "{err}"
    );
    assert!(out.contains("skipped"), "{out}");
    assert!(
        server.posts().is_empty(),
        "nothing may reach a private address"
    );
    // Not recorded as done: allowing it later sends it.
    send(site.path(), &["--allow-private"]);
    assert_eq!(server.posts().len(), 1);
}

#[test]
fn drafts_future_posts_and_own_links_are_not_sent() {
    let server = server();
    let site = site("");
    write_post(
        site.path(),
        "draft",
        "draft: true\n",
        &[server.url("/page/d")],
    );
    std::fs::write(
        site.path().join("content/posts/future.md"),
        format!(
            "---\ntitle: later\ndate: 2999-01-01\n---\n[x]({})\n",
            server.url("/page/f")
        ),
    )
    .unwrap();
    write_post(
        site.path(),
        "own",
        "",
        &["https://teacher.example.org/blog/posts/hello/".to_string()],
    );
    let (out, _) = send(site.path(), &["--allow-private"]);
    assert!(out.contains("Nothing new to send"), "{out}");
    assert!(server.seen.lock().unwrap().is_empty(), "no request at all");
}

#[test]
fn a_damaged_ledger_is_a_user_error() {
    let site = site("");
    std::fs::create_dir_all(site.path().join("data")).unwrap();
    std::fs::write(
        site.path().join("data/webmentions.json"),
        "{\n  \"posts\": [\n",
    )
    .unwrap();
    let out = staffroom(site.path(), &["webmention", "send"]).code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.starts_with("error: ") && err.contains("data/webmentions.json:"),
        "{err}"
    );
    assert!(err.contains("git checkout"), "{err}");
}
