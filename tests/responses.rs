//! Responses under posts: matched from the network cache (fetched from a real local
//! server) and from data/responses/, normalised, deduplicated, oldest first; kept
//! when a later fetch returns 304 or fails; imported from a JF2 export.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use predicates::prelude::*;

const POST: &str = "https://teacher.example.org/blog/posts/hello/";

/// An Atom entry; `base` is an xml:base on its content.
fn atom_entry(id: &str, url: &str, date: &str, base: &str, html: &str) -> String {
    let base = if base.is_empty() {
        String::new()
    } else {
        format!(" xml:base=\"{base}\"")
    };
    let html = html
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<entry><id>{id}</id><title>Entry {id}</title><link rel=\"alternate\" href=\"{url}\"/><updated>{date}</updated><author><name>Author {id}</name></author><content type=\"html\"{base}>{html}</content></entry>"
    )
}

fn atom(entries: &[String]) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Colleague</title><id>urn:c</id><updated>2024-03-05T00:00:00Z</updated>{}</feed>",
        entries.concat()
    )
    .into_bytes()
}

fn page(root: &Path, rel: &str) -> String {
    read(root, &format!("public/{rel}"))
}

/// The titles of the full responses on a page, in order.
fn response_titles(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"<a class="u-url p-name" href="[^"]*">([^<]*)</a>"#).unwrap();
    re.captures_iter(html).map(|c| c[1].to_string()).collect()
}

#[test]
fn network_responses_are_matched_deduplicated_and_survive_304_and_failures() {
    let colleague = atom(&[
        // Relative link resolved against xml:base, with index.html and a fragment.
        atom_entry(
            "a",
            "https://colleague.example.net/2024/03/a/",
            "2024-03-05T00:00:00Z",
            "http://TEACHER.example.org/blog/posts/",
            "<p>About <a href=\"hello/index.html#comments\">this</a>.</p>",
        ),
        // Other scheme spelling, default port, no trailing slash, tracking parameters.
        atom_entry(
            "b",
            "https://colleague.example.net/2024/03/b/",
            "2024-03-01T00:00:00Z",
            "",
            "<p><a href=\"http://teacher.example.org:80/blog/posts/hello?utm_source=rss&fbclid=1\">hello</a></p>",
        ),
        // Near misses: none of these is the post.
        atom_entry(
            "c",
            "https://colleague.example.net/2024/03/c/",
            "2024-03-02T00:00:00Z",
            "",
            "<a href=\"https://teacher.example.org/blog/posts/hello-world/\">1</a><a href=\"https://teacher.example.org/blog/posts/\">2</a><a href=\"https://other.example.org/blog/posts/hello/\">3</a><a href=\"https://teacher.example.org/blog/posts/hello/?page=2\">4</a><a href=\"https://teacher.example.org/blog/posts/hello/comments/\">5</a><a href=\"https://teacher.example.org/posts/hello/\">6</a>",
        ),
        // An old address (alias) of the other post.
        atom_entry(
            "d",
            "https://colleague.example.net/2024/03/d/",
            "2024-03-03T00:00:00Z",
            "",
            "<a href=\"https://teacher.example.org/blog/2019/05/old-other/\">old</a>",
        ),
    ]);
    // An aggregator carries entry b again, and the teacher's own feed links hello too.
    let planet = atom(&[
        atom_entry(
            "b-again",
            "https://colleague.example.net/2024/03/b/",
            "2024-03-01T00:00:00Z",
            "",
            "<a href=\"https://teacher.example.org/blog/posts/hello/\">hello</a>",
        ),
        atom_entry(
            "self",
            "https://teacher.example.org/blog/posts/other/",
            "2024-03-04T00:00:00Z",
            "",
            "<a href=\"https://teacher.example.org/blog/posts/hello/\">my own</a>",
        ),
    ]);
    let mode = Arc::new(AtomicUsize::new(0));
    let m = mode.clone();
    let server = Server::start(move |path, headers| {
        let body = match path {
            "/colleague.xml" => colleague.clone(),
            "/planet.xml" => planet.clone(),
            _ => return Reply::Status(404, vec![]),
        };
        match m.load(Ordering::SeqCst) {
            0 => Reply::Ok {
                body,
                content_type: "application/atom+xml",
                headers: vec![("ETag", "\"v1\"".into())],
            },
            1 if headers.get("if-none-match").map(String::as_str) == Some("\"v1\"") => {
                Reply::Status(304, vec![])
            }
            _ => Reply::Status(500, vec![]),
        }
    });
    let site = site(&format!(
        "{}{}",
        blog_entry("Colleague", &server.url("/colleague.xml")),
        blog_entry("Planet", &server.url("/planet.xml"))
    ));
    let root = site.path();
    std::fs::write(
        root.join("content/posts/other.md"),
        "---\ntitle: Other\ndate: 2024-01-03\naliases: [\"/2019/05/old-other/\"]\n---\nOther.\n",
    )
    .unwrap();
    // The same response as entry a, known from a Webmention as a reply.
    std::fs::create_dir_all(root.join("data/responses")).unwrap();
    std::fs::write(
        root.join("data/responses/a.toml"),
        format!("target = \"{POST}\"\nurl = \"https://colleague.example.net/2024/03/a\"\nkind = \"reply\"\n"),
    )
    .unwrap();

    let check = |when: &str| {
        staffroom(root, &["build"]).success();
        let hello = page(root, "posts/hello/index.html");
        assert_eq!(
            response_titles(&hello),
            ["Entry b", "Entry a"],
            "{when}: matched, one per address, oldest first"
        );
        assert!(hello.contains("(2)"), "{when}");
        assert!(
            hello.contains("<span class=\"response-kind\">reply</span>"),
            "{when}: the file's kind wins"
        );
        assert!(
            !hello.contains("Entry c") && !hello.contains("my own"),
            "{when}"
        );
        let other = page(root, "posts/other/index.html");
        assert_eq!(
            response_titles(&other),
            ["Entry d"],
            "{when}: aliases count"
        );
        let network = page(root, "network/index.html");
        assert_eq!(
            network.matches("river-item h-entry river-response").count(),
            3,
            "{when}"
        );
        assert!(network.contains("Responds to my post</span> <a class=\"u-in-reply-to\" href=\"/blog/posts/hello/\">Hello</a>"), "{when}");
    };

    staffroom(root, &["network", "fetch"]).success();
    check("after the first fetch");
    mode.store(1, Ordering::SeqCst);
    staffroom(root, &["network", "fetch", "--verbose"])
        .success()
        .stdout(predicates::str::contains("not modified"));
    assert_eq!(
        server.requests_to("/colleague.xml").last().unwrap().status,
        304
    );
    check("after a 304");
    mode.store(2, Ordering::SeqCst);
    staffroom(root, &["network", "fetch"]).success();
    assert_eq!(
        server.requests_to("/colleague.xml").last().unwrap().status,
        500
    );
    check("after a failed fetch");

    // A preview under another address still recognises links to the real one.
    staffroom(root, &["build", "--base-url", "http://127.0.0.1:4000/"]).success();
    assert_eq!(
        response_titles(&page(root, "posts/hello/index.html")),
        ["Entry b", "Entry a"]
    );
}

const EXPORT: &str = r#"{"type": "feed", "name": "Webmentions", "children": [
  {"type": "entry", "author": {"type": "card", "name": "Sam Lee", "url": "https://sam.example/"},
   "url": "https://sam.example/2024/05/reply", "published": "2024-05-02T08:30:00+00:00",
   "wm-source": "https://sam.example/2024/05/reply", "wm-target": "https://teacher.example.org/blog/posts/hello/",
   "content": {"text": "Great idea, tried it."}, "in-reply-to": "https://teacher.example.org/blog/posts/hello/",
   "wm-property": "in-reply-to"},
  {"type": "entry", "author": {"name": "Ana"}, "url": "https://social.example/@ana/1#liked-by-2",
   "wm-received": "2024-05-03T10:00:00Z", "wm-target": "http://teacher.example.org/blog/posts/hello?utm_source=x",
   "like-of": "https://teacher.example.org/blog/posts/hello/", "wm-property": "like-of"},
  {"type": "entry", "author": {"name": "Bo"}, "url": "https://social.example/@ana/1#liked-by-3",
   "wm-received": "2024-05-04T10:00:00Z", "wm-target": "https://teacher.example.org/blog/posts/hello/",
   "wm-property": "like-of"},
  {"type": "entry", "url": "https://x.example/home-mention", "wm-target": "https://teacher.example.org/blog/",
   "wm-property": "mention-of"},
  {"type": "entry", "url": "https://x.example/secret", "wm-target": "https://teacher.example.org/blog/posts/hello/",
   "wm-property": "mention-of", "wm-private": true}
]}"#;

#[test]
fn import_a_jf2_export_once_and_show_it() {
    let site = site("");
    let root = site.path();
    let file = root.join("mentions.jf2");
    std::fs::write(&file, EXPORT).unwrap();
    staffroom(root, &["webmention", "import", file.to_str().unwrap()])
        .success()
        .stdout(predicates::str::contains(
            "Imported 3 responses into data/responses/ (0 already there, 1 for other pages (lists, the home page), 1 private or without an address)",
        ));
    let before = snapshot(&root.join("data/responses"));
    assert_eq!(before.len(), 3);
    staffroom(root, &["webmention", "import", file.to_str().unwrap()])
        .success()
        .stdout(
            predicates::str::contains("Imported 0 responses")
                .and(predicates::str::contains("3 already there")),
        );
    assert_eq!(
        snapshot(&root.join("data/responses")),
        before,
        "a second import changes nothing"
    );
    assert!(
        !walkdir::WalkDir::new(root.join("data"))
            .into_iter()
            .any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".staffroom-")),
        "no temporary files left"
    );

    staffroom(root, &["build"]).success();
    let hello = page(root, "posts/hello/index.html");
    assert!(
        hello.contains("3 responses: 1 written, 2 likes."),
        "{hello}"
    );
    assert!(hello.contains("Liked by</span> <a class=\"h-cite u-like\" href=\"https://social.example/@ana/1#liked-by-2\">Ana</a>, <a"), "{hello}");
    assert_eq!(
        response_titles(&hello),
        ["https://sam.example/2024/05/reply"]
    );
    assert!(hello.contains("Great idea, tried it."));

    // The same export from an address.
    let server = Server::start(|_, _| Reply::Ok {
        body: EXPORT.as_bytes().to_vec(),
        content_type: "application/jf2feed+json",
        headers: vec![],
    });
    staffroom(
        root,
        &[
            "webmention",
            "import",
            &server.url("/api/mentions.jf2?token=t"),
        ],
    )
    .success()
    .stdout(predicates::str::contains("Imported 0 responses"));
}

#[test]
fn bad_response_files_and_exports_are_user_errors_with_lines() {
    let site = site("");
    let root = site.path();
    std::fs::create_dir_all(root.join("data/responses")).unwrap();
    std::fs::write(
        root.join("data/responses/typo.toml"),
        format!("target = \"{POST}\"\nurl = \"https://r.example/1\"\nauthr = \"Sam\"\n"),
    )
    .unwrap();
    let out = staffroom(root, &["build"]).code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.starts_with("error: ")
            && err.contains("data/responses/typo.toml:3:1: unknown field 'authr'"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    // A mistyped target builds, with a warning that names the file.
    std::fs::write(
        root.join("data/responses/typo.toml"),
        "target = \"https://teacher.example.org/blog/posts/helo/\"\nurl = \"https://r.example/1\"\n",
    )
    .unwrap();
    let out = staffroom(root, &["build"]).code(0);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.starts_with("warning: ")
            && err.contains("typo.toml: `target` is not the address of any post"),
        "{err}"
    );

    std::fs::remove_file(root.join("data/responses/typo.toml")).unwrap();
    std::fs::write(root.join("bad.jf2"), "{\"children\": [\n  {\"url\": }\n]}").unwrap();
    let out = staffroom(
        root,
        &[
            "webmention",
            "import",
            root.join("bad.jf2").to_str().unwrap(),
        ],
    )
    .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("bad.jf2:2:"), "{err}");
}

#[test]
fn the_form_appears_when_an_endpoint_is_set() {
    let site = site("");
    let root = site.path();
    let toml = read(root, "site.toml");
    std::fs::write(
        root.join("site.toml"),
        format!("{toml}\n[webmention]\nendpoint = \"https://webmention.io/teacher.example.org/webmention\"\n"),
    )
    .unwrap();
    staffroom(root, &["build"]).success();
    let hello = page(root, "posts/hello/index.html");
    assert!(hello.contains(
        "<link rel=\"webmention\" href=\"https://webmention.io/teacher.example.org/webmention\">"
    ));
    assert!(hello.contains("<form class=\"webmention-form\" method=\"post\" action=\"https://webmention.io/teacher.example.org/webmention\">"));
    assert!(hello.contains(&format!(
        "<input type=\"hidden\" name=\"target\" value=\"{POST}\">"
    )));
    assert!(hello.contains("name=\"source\""));
    assert!(!hello.contains("<script"));
}

#[test]
fn the_example_site_shows_responses_from_its_committed_data() {
    let site = common::TestSite::example();
    site.run(&["build"]).ok();
    let density = site.read("posts/density-lesson/index.html");
    assert!(response_titles(&density).len() >= 2, "{density}");
    assert!(density.contains("Liked by"), "{density}");
    assert!(density.contains("Mrs. Ndiaye"), "{density}");
    let feedback = site.read("posts/feedback-not-grades/index.html");
    assert_eq!(response_titles(&feedback).len(), 1);
}
