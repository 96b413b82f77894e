//! `network add`: feed discovery from a web page served on 127.0.0.1.

mod common;

use common::*;

fn server() -> Server {
    Server::start(|path, _| {
        match path {
        // A school blog whose page names its feed with a relative href.
        "/blog/" => Reply::Ok {
            body: b"<!doctype html><html><head><title>Room 12</title>
                <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Comments\" href=\"/blog/comments/feed/\">
                <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Room 12\" href=\"feed.xml\">
                </head><body>hello</body></html>"
                .to_vec(),
            content_type: "text/html; charset=utf-8",
            headers: vec![],
        },
        "/blog/feed.xml" => Reply::feed(rss("Room 12 Science", "room12.example.org", 2)),
        "/blog/comments/feed/" => Reply::feed(rss("Comments on Room 12", "room12.example.org", 1)),
        // A Mastodon profile page that names no feed: /@name.rss is where it lives.
        "/@mrlee" => Reply::Ok {
            body: b"<html><body>profile</body></html>".to_vec(),
            content_type: "text/html",
            headers: vec![],
        },
        "/@mrlee.rss" => Reply::feed(rss("Mr Lee", "social.example.org", 3)),
        "/nothing/" => Reply::Ok {
            body: b"<html><body>no feed here</body></html>".to_vec(),
            content_type: "text/html",
            headers: vec![],
        },
        _ => Reply::Status(404, vec![]),
    }
    })
}

#[test]
fn add_discovers_the_feed_from_the_page() {
    let server = server();
    let site = site("# People I learn from\n");
    staffroom(
        site.path(),
        &[
            "network",
            "add",
            &server.url("/blog/"),
            "--tag",
            "Science",
            "--tag",
            "K-5",
        ],
    )
    .success()
    .stdout(predicates::str::contains("Added Room 12 Science"));
    let toml = read(site.path(), "network.toml");
    assert!(toml.starts_with("# People I learn from\n"), "{toml}");
    assert!(
        toml.contains(&format!("feed = \"{}\"", server.url("/blog/feed.xml"))),
        "{toml}"
    );
    assert!(
        toml.contains(&format!("site = \"{}\"", server.url("/blog/"))),
        "{toml}"
    );
    assert!(toml.contains("tags = [\"Science\", \"K-5\"]"), "{toml}");

    // The same blog again, by page or by feed, is refused.
    for again in [server.url("/blog/"), server.url("/blog/feed.xml")] {
        staffroom(site.path(), &["network", "add", &again])
            .code(1)
            .stderr(predicates::str::contains("already follow Room 12 Science"));
    }
    assert_eq!(read(site.path(), "network.toml"), toml);
}

#[test]
fn add_takes_a_feed_url_and_a_name() {
    let server = server();
    let site = site("");
    staffroom(
        site.path(),
        &[
            "network",
            "add",
            &server.url("/blog/feed.xml"),
            "--name",
            "Ms Okoye",
        ],
    )
    .success();
    let toml = read(site.path(), "network.toml");
    assert!(toml.contains("name = \"Ms Okoye\""), "{toml}");
    staffroom(site.path(), &["network", "fetch"]).success();
    assert_eq!(
        cache(site.path(), "ms-okoye")["entries"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn add_finds_a_mastodon_profile_feed() {
    let server = server();
    let site = site("");
    staffroom(site.path(), &["network", "add", &server.url("/@mrlee")]).success();
    let toml = read(site.path(), "network.toml");
    assert!(
        toml.contains(&format!("feed = \"{}\"", server.url("/@mrlee.rss"))),
        "{toml}"
    );
    assert!(toml.contains("name = \"Mr Lee\""), "{toml}");
}

#[test]
fn add_without_a_feed_explains_and_changes_nothing() {
    let server = server();
    let site = site("");
    staffroom(site.path(), &["network", "add", &server.url("/nothing/")])
        .code(1)
        .stderr(predicates::str::contains("found no feed"))
        .stderr(predicates::str::contains("hint:"));
    assert!(!site.path().join("network.toml").exists());
    staffroom(site.path(), &["network", "add", "not a url"])
        .code(1)
        .stderr(predicates::str::contains("is not a web address"));
}
