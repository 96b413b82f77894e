//! End-to-end: the real binary builds fixture sites; we check the files it writes.

mod common;

use common::{TestSite, broken_internal_links, snapshot};

fn parse_feed(site: &TestSite, rel: &str) -> feed_rs::model::Feed {
    let bytes = std::fs::read(site.public().join(rel)).unwrap();
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"))
}

#[test]
fn example_site_builds_completely_under_a_sub_path() {
    let site = TestSite::example();
    site.run(&["build"]).ok();

    // The pages the contract promises.
    for page in [
        "index.html",
        "page/2/index.html",
        "posts/density-lesson/index.html",
        "about/index.html",
        "tags/index.html",
        "tags/edtech/index.html",
        "tags/edtech/atom.xml",
        "categories/index.html",
        "archive/index.html",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        ".nojekyll",
        "style.css",
        "syntax.css",
        "posts/wetland-field-trip/heron.svg",
        "2023/08/were-moving/index.html",
    ] {
        assert!(site.exists(page), "{page} missing");
    }
    // base_url is on github.io: no CNAME.
    assert!(!site.exists("CNAME"));

    // Every internal link and image resolves to a file, with base_url under /room14/.
    let broken = broken_internal_links(&site.public(), "/room14/");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));

    // The feeds parse back, with every published post and absolute links only.
    let published = std::fs::read_dir(site.public().join("posts"))
        .unwrap()
        .count();
    for feed in ["atom.xml", "rss.xml", "feed.json"] {
        let f = parse_feed(&site, feed);
        assert_eq!(f.entries.len(), published, "{feed}");
        for e in &f.entries {
            let link = &e.links[0].href;
            assert!(
                link.starts_with("https://priya-okafor.github.io/room14/posts/"),
                "{feed}: {link}"
            );
            let body = e
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .unwrap_or_default();
            for rel in [" href=\"/", " src=\"/", " href=\"#"] {
                assert!(
                    !body.contains(rel),
                    "{feed}: relative link `{rel}` in {link}"
                );
            }
        }
    }
    let edtech = parse_feed(&site, "tags/edtech/atom.xml");
    assert_eq!(edtech.entries.len(), 2, "EdTech and edtech are one tag");

    // Drafts and future posts are absent everywhere.
    let all: String = snapshot(&site.public())
        .into_iter()
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    assert!(!all.contains("rubrics-draft") && !site.exists("posts/rubrics-draft"));
    assert!(!all.contains("class-of-2031"));
}

#[test]
fn markdown_features_reach_the_page() {
    let site = TestSite::example();
    site.run(&["build", "--base-url", "https://example.org/"])
        .ok();
    let dice = site.read("posts/dice-rolls-python/index.html");
    assert!(
        dice.contains(
            "<pre class=\"code\" tabindex=\"0\" data-lang=\"python\"><code><span class=\"hl-"
        ),
        "python is highlighted"
    );
    let scratch = site.read("posts/scratch-debugging/index.html");
    assert!(
        scratch.contains("data-lang=\"scratchblocks\""),
        "unknown language renders as plain code"
    );
    assert!(scratch.contains("<details>"), "raw HTML passes through");
    let start = site.read("posts/start-here/index.html");
    assert!(
        start.contains("href=\"/posts/density-lesson/\""),
        ".md links become URLs"
    );
    assert!(start.contains("href=\"/about/#contact\""));
    // The alias page redirects to the moved post.
    let alias = site.read("2023/08/were-moving/index.html");
    assert!(
        alias.contains("https://example.org/posts/leaving-wordpress/"),
        "{alias}"
    );
    // The custom domain gets a CNAME for GitHub Pages.
    assert_eq!(site.read("CNAME"), "example.org\n");
}

#[test]
fn drafts_and_future_posts_only_on_request() {
    let site = TestSite::new();
    site.post("now.md", "title: Now\ndate: 2024-01-01", "Hi.")
        .post(
            "draft.md",
            "title: Draft\ndate: 2024-01-02\ndraft: true",
            "Hi.",
        )
        .post("later.md", "title: Later\ndate: 2999-01-01", "Hi.");
    site.run(&["build"]).ok();
    assert!(site.exists("posts/now/index.html"));
    assert!(!site.exists("posts/draft") && !site.exists("posts/later"));
    site.run(&["build", "--drafts", "--future"]).ok();
    assert!(site.exists("posts/draft/index.html") && site.exists("posts/later/index.html"));
}

#[test]
fn a_failed_build_leaves_public_untouched() {
    let site = TestSite::new();
    site.post("a.md", "title: A\ndate: 2024-01-01", "Hello.");
    site.run(&["build"]).ok();
    let before = snapshot(&site.public());

    // Bad front matter: file and line, exit 1.
    site.post("b.md", "title: B\ndate: 2024-01-01\ntags: {x: 1}", "Hi.");
    let err = site.run(&["build"]).user_error();
    assert!(
        err.contains("content/posts/b.md:4: `tags` must be a list"),
        "{err}"
    );
    assert!(err.contains("public/ was left as it was"), "{err}");
    assert_eq!(snapshot(&site.public()), before);
    std::fs::remove_file(site.root().join("content/posts/b.md")).unwrap();

    // A broken template: the template file and line.
    site.file(
        "templates/post.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ post.title }\n{% endblock %}\n",
    );
    let err = site.run(&["build"]).user_error();
    assert!(err.contains("templates/post.html:3"), "{err}");
    assert_eq!(snapshot(&site.public()), before);

    // A template that uses a missing variable names its line too.
    site.file("templates/post.html", "{% extends \"base.html\" %}\n{% block content %}\n\n{{ post.nope.deeper }}\n{% endblock %}\n");
    let err = site.run(&["build"]).user_error();
    assert!(err.contains("templates/post.html:4"), "{err}");
    assert_eq!(snapshot(&site.public()), before);
    assert_eq!(
        std::fs::read_dir(site.root()).unwrap().count(),
        4,
        "no staging folders left behind"
    );
}

// The messages for a link to a missing post, two posts at one address and mistakes in
// site.toml are whole-message snapshots of fixture sites: tests/sites/invalid/.

#[test]
fn tags_are_one_per_slug_and_lists_paginate() {
    let site = TestSite::new();
    site.post("a.md", "title: A\ndate: 2024-01-01\ntags: [EdTech]", "x")
        .post(
            "b.md",
            "title: B\ndate: 2024-01-02\ntags: [edtech, Math]",
            "x",
        )
        .post(
            "c.md",
            "title: Café señor\ndate: 2024-01-03\ntags: [edtech]",
            "x",
        );
    site.run(&["build"]).ok();
    let tag = site.read("tags/edtech/index.html");
    assert!(
        tag.contains("/blog/posts/a/")
            && tag.contains("/blog/posts/b/")
            && tag.contains("/blog/posts/c/")
    );
    assert!(site.exists("tags/math/index.html"));
    assert!(site.exists("page/2/index.html") && !site.exists("page/3"));
    assert!(site.exists("posts/c/index.html"), "slug from the file name");
    let home = site.read("index.html");
    assert!(
        home.find("Café señor").unwrap() < home.find("/blog/posts/b/").unwrap(),
        "newest first"
    );
}
