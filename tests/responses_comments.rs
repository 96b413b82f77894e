//! Comments as responses: a site whose data/responses/ holds a threaded conversation
//! (three levels), a pingback, a comment on a page, a comment with hostile HTML, a
//! reply whose parent is missing and an old-format response, built by the real
//! binary; the pages' HTML read back with a real parser. Bad files (duplicate ids, a
//! mistyped key, a remote avatar) are errors whose text is kept as snapshots.

mod common;

use common::*;
use scraper::{ElementRef, Html, Selector};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really a picture";

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn one<'a>(doc: &'a Html, s: &str) -> ElementRef<'a> {
    let found: Vec<_> = doc.select(&sel(s)).collect();
    assert_eq!(found.len(), 1, "`{s}` matched {} elements", found.len());
    found[0]
}

fn text(e: ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The site of the first test: one post, an About page, and their responses.
fn conversation() -> TestSite {
    let site = TestSite::new();
    site.post(
        "hello.md",
        "title: Hello\ndate: 2024-03-01\ntags: [a]\nsummary: Hi",
        "Hello.",
    );
    site.file(
        "content/pages/about.md",
        "---\ntitle: About\n---\nAbout me.\n",
    );
    let dir = site.root().join("data/responses/avatars");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("anne.png"), PNG).unwrap();
    let r = |name: &str, text: &str| {
        site.file(&format!("data/responses/{name}"), text);
    };
    r(
        "imported/hello/wp-11.toml",
        r#"target = "/posts/hello/"
kind = "comment"
author = "Anne Teacher"
author_url = "https://anne.example.org/"
avatar = "avatars/anne.png"
date = 2024-03-02T10:00:00Z
html = """<p>Great <b>post</b>! <script>alert(1)</script><img src="http://tracker.example/cat.png" onerror="steal()" alt="our cat"> <a href="https://anne.example.org/more" onclick="x()">more</a></p>"""
"#,
    );
    r(
        "imported/hello/wp-12.toml",
        "target = \"/posts/hello/\"\nkind = \"comment\"\nin_reply_to = \"wp-11\"\nauthor = \"Ben Okoro\"\ndate = 2024-03-03T10:00:00Z\ncontent = \"Thanks, Anne.\\n\\nWe tried it too.\"\n",
    );
    // Written in another folder, and named by its id rather than its file name.
    r(
        "more/third.toml",
        "target = \"/posts/hello/\"\nid = \"wp-13\"\nkind = \"comment\"\nin_reply_to = \"wp-12\"\nauthor = \"Cara\"\ndate = 2024-03-04T10:00:00Z\ncontent = \"Third level.\"\n",
    );
    r(
        "imported/hello/wp-14.toml",
        "target = \"https://teacher.github.io/blog/posts/hello/\"\nkind = \"pingback\"\nurl = \"https://other.example.net/2024/03/linking/\"\nauthor = \"Other Blog\"\ntitle = \"A post that links here\"\ndate = 2024-03-05T10:00:00Z\ncontent = \"[...] have a look [...]\"\n",
    );
    r(
        "imported/hello/wp-15.toml",
        "target = \"/posts/hello/\"\nkind = \"comment\"\n\nin_reply_to = \"wp-99\"\nauthor = \"Dev\"\ndate = 2024-03-06T10:00:00Z\ncontent = \"My parent was not imported.\"\n",
    );
    // The format from before comments: a reply with an address of its own (and a
    // file name that would make no anchor, which it needs none of).
    r(
        "2024-03-01 reply (colleague).toml",
        "target = \"https://teacher.github.io/blog/posts/hello/\"\nurl = \"https://colleague.example.net/2024/03/reply/\"\nkind = \"reply\"\nauthor = \"Sam Lee\"\nauthor_url = \"https://colleague.example.net/\"\nblog = \"Sam's Classroom\"\ntitle = \"Our go at it\"\ndate = 2024-03-01T12:00:00Z\ncontent = \"We tried it.\"\n",
    );
    r(
        "imported/about/wp-20.toml",
        "target = \"/about/\"\nid = \"wp-20\"\nurl = \"https://old.example.org/about/#comment-20\"\nkind = \"comment\"\nauthor = \"Eli\"\ndate = 2024-03-07T10:00:00Z\ncontent = \"Nice to meet you.\"\n",
    );
    site
}

#[test]
fn a_threaded_conversation_is_nested_sanitized_and_anchored() {
    let site = conversation();
    let run = site.run(&["build"]);
    run.ok();
    assert!(
        run.stderr().contains(
            "warning: data/responses/imported/hello/wp-15.toml:4: `in_reply_to = \"wp-99\"` names no response"
        ),
        "{}",
        run.stderr()
    );
    let doc = Html::parse_document(&site.read("posts/hello/index.html"));

    // Three levels, each reply in a labelled list under its parent.
    let third = one(
        &doc,
        "ol.response-list > li#response-wp-11 > ol.response-replies > li#response-wp-12 > ol.response-replies > li#response-wp-13",
    );
    assert!(
        text(third).contains("in reply to Ben Okoro"),
        "{}",
        text(third)
    );
    let to_parent = one(&doc, "#response-wp-13 .response-in-reply-to a");
    assert_eq!(to_parent.value().attr("href"), Some("#response-wp-12"));
    let lists: Vec<_> = doc
        .select(&sel("ol.response-replies"))
        .map(|l| l.value().attr("aria-label").unwrap_or(""))
        .collect();
    assert_eq!(lists, ["Replies to Anne Teacher", "Replies to Ben Okoro"]);

    // Top level, oldest first: the old-format reply, the thread, the pingback, the
    // reply whose parent is missing.
    let top: Vec<String> = doc
        .select(&sel("section.responses > ol.response-list > li"))
        .map(|li| text(one_in(li, ".p-author")))
        .collect();
    assert_eq!(top, ["Sam Lee", "Anne Teacher", "Other Blog", "Dev"]);
    assert_eq!(
        text(one(&doc, ".response-summary")),
        "6 responses: 4 comments, 1 pingback, 1 written."
    );

    // A comment links to its own anchor; a pingback and an old reply to their pages.
    let own = one(&doc, "#response-wp-12 > .response-meta a.u-url");
    assert_eq!(own.value().attr("href"), Some("#response-wp-12"));
    let ping = one(&doc, "li:nth-child(3) .response-title a.u-url");
    assert_eq!(
        ping.value().attr("href"),
        Some("https://other.example.net/2024/03/linking/")
    );
    assert!(
        text(ping.parent().and_then(ElementRef::wrap).unwrap()).contains("A post that links here")
    );

    // The old format keeps the markup it always had: no id, no avatar, its excerpt.
    let html = site.read("posts/hello/index.html");
    let old = r#"
    <li class="response h-cite u-comment">
      <p class="response-meta">
        <a class="p-author h-card" href="https://colleague.example.net/">Sam Lee</a> <span class="response-blog">on Sam&#39;s Classroom</span>
        <span class="sep" aria-hidden="true">·</span> <time class="dt-published" datetime="2024-03-01T12:00:00+00:00">1 March 2024</time> <span class="response-kind">reply</span>
      </p>
      <p class="response-title"><a class="u-url p-name" href="https://colleague.example.net/2024/03/reply/">Our go at it</a></p>
      <p class="p-content response-excerpt">We tried it.</p>
    </li>
    <li class="response h-cite u-comment" id="response-wp-11">"#;
    assert!(html.contains(old), "{html}");

    // The hostile comment: no script, no handler, no picture from elsewhere; its alt
    // text stays, and its link is marked as the reader's.
    let anne = one(&doc, "#response-wp-11 > .response-content");
    let anne_html = anne.html();
    for bad in [
        "<script",
        "alert",
        "onerror",
        "onclick",
        "tracker.example",
        "<img",
    ] {
        assert!(!anne_html.contains(bad), "{bad} in {anne_html}");
    }
    assert!(
        text(anne).contains("Great post! [picture: our cat] more"),
        "{}",
        text(anne)
    );
    let link = one(&doc, "#response-wp-11 > .response-content a");
    assert_eq!(link.value().attr("rel"), Some("nofollow ugc"));
    // Every picture on the page is the site's own.
    for img in doc.select(&sel("img")) {
        let src = img.value().attr("src").unwrap_or("");
        assert!(src.starts_with("/blog/"), "{src}");
    }
    let avatar = one(&doc, "#response-wp-11 img.response-avatar");
    assert_eq!(
        avatar.value().attr("src"),
        Some("/blog/responses/avatars/anne.png")
    );
    assert_eq!(
        std::fs::read(site.public().join("responses/avatars/anne.png")).unwrap(),
        PNG
    );
    // Without a picture, the author's initial, as on the network page.
    assert_eq!(
        text(one(
            &doc,
            "#response-wp-12 > .response-meta .response-avatar.blog-avatar"
        )),
        "B"
    );
    let ben = text(one(&doc, "#response-wp-12 > .response-content"));
    assert_eq!(ben, "Thanks, Anne. We tried it too.");
    assert_eq!(
        doc.select(&sel("#response-wp-12 > .response-content p"))
            .count(),
        2
    );

    // A page shows its responses like a post; a page without any shows none.
    let about = Html::parse_document(&site.read("about/index.html"));
    let eli = one(&about, "section.responses li#response-wp-20");
    assert!(text(eli).contains("Nice to meet you."));
    // A comment that keeps its old address links to it from its date, untitled.
    let date = one(&about, "#response-wp-20 a.u-url");
    assert_eq!(
        date.value().attr("href"),
        Some("https://old.example.org/about/#comment-20")
    );
    assert_eq!(
        about
            .select(&sel("#response-wp-20 .response-title"))
            .count(),
        0
    );
    assert!(text(one(&about, ".respond")).contains("Link to this page"));

    // `check` names the reply whose parent is missing.
    let check = site.run(&["check"]);
    check.ok();
    assert!(
        check.stdout().contains(
            "data/responses/imported/hello/wp-15.toml\n  warning: line 4, column 1: `in_reply_to = \"wp-99\"` names no response"
        ),
        "{}",
        check.stdout()
    );
}

fn one_in<'a>(e: ElementRef<'a>, s: &str) -> ElementRef<'a> {
    e.select(&sel(s))
        .next()
        .unwrap_or_else(|| panic!("no `{s}` in {}", e.html()))
}

#[test]
fn replies_in_a_circle_are_shown_once_each_with_a_warning() {
    let site = TestSite::new();
    site.post("hello.md", "title: Hello\ndate: 2024-03-01", "Hello.");
    site.file(
        "data/responses/a.toml",
        "target = \"/posts/hello/\"\nkind = \"comment\"\nin_reply_to = \"b\"\nauthor = \"A\"\ndate = 2024-03-02\n",
    );
    site.file(
        "data/responses/b.toml",
        "target = \"/posts/hello/\"\nkind = \"comment\"\nin_reply_to = \"a\"\nauthor = \"B\"\ndate = 2024-03-03\n",
    );
    let run = site.run(&["build"]);
    run.ok();
    let doc = Html::parse_document(&site.read("posts/hello/index.html"));
    one(
        &doc,
        "section.responses > ol > li#response-a > ol > li#response-b",
    );
    insta::assert_snapshot!(
        "responses_comments_circle_warning",
        run.stderr()
            .replace(&site.root().display().to_string(), "[SITE]")
    );
}

/// The error a build stops with, its temp-dir paths as [SITE].
fn build_error(site: &TestSite) -> String {
    let run = site.run(&["build"]);
    run.user_error()
        .replace(&site.root().display().to_string(), "[SITE]")
}

#[test]
fn bad_comment_files_are_errors_naming_file_and_line() {
    let site = TestSite::new();
    site.post("hello.md", "title: Hello\ndate: 2024-03-01", "Hello.");
    site.file(
        "data/responses/imported/hello/wp-1.toml",
        "target = \"/posts/hello/\"\nkind = \"comment\"\nauthor = \"A\"\n",
    );
    // Another folder, another spelling of the target, the same id.
    site.file(
        "data/responses/by-hand/anne.toml",
        "target = \"https://teacher.github.io/blog/posts/hello/\"\nkind = \"comment\"\nid = \"wp-1\"\nauthor = \"Anne\"\n",
    );
    insta::assert_snapshot!("responses_comments_duplicate_id", build_error(&site));

    std::fs::remove_file(site.root().join("data/responses/by-hand/anne.toml")).unwrap();
    site.file(
        "data/responses/by-hand/typo.toml",
        "target = \"/posts/hello/\"\nkind = \"comment\"\nin_reply = \"wp-1\"\n",
    );
    site.file(
        "data/responses/by-hand/remote.toml",
        "target = \"/posts/hello/\"\nkind = \"comment\"\nauthor = \"R\"\navatar = \"https://gravatar.example/avatar/1\"\n",
    );
    site.file(
        "data/responses/by-hand/kind.toml",
        "target = \"/posts/hello/\"\nkind = \"coment\"\n",
    );
    // A comment is linked to as #response-ID, and this name makes no anchor.
    site.file(
        "data/responses/by-hand/anne's note.toml",
        "target = \"/posts/hello/\"\nkind = \"comment\"\n",
    );
    insta::assert_snapshot!("responses_comments_bad_fields", build_error(&site));
}

#[test]
fn webmentions_to_a_page_are_imported_and_shown_there() {
    let site = TestSite::new();
    site.post("hello.md", "title: Hello\ndate: 2024-03-01", "Hello.");
    site.file(
        "content/pages/about.md",
        "---\ntitle: About\n---\nAbout me.\n",
    );
    site.file(
        "mentions.jf2",
        r#"{"type": "feed", "children": [
  {"type": "entry", "author": {"name": "Sam Lee"}, "url": "https://sam.example/2024/05/about-you",
   "published": "2024-05-02T08:30:00Z", "wm-target": "https://teacher.github.io/blog/about/",
   "wm-property": "mention-of", "name": "Meet my colleague", "content": {"text": "She teaches science."}}
]}"#,
    );
    let file = site.root().join("mentions.jf2");
    let run = site.run(&["webmention", "import", file.to_str().unwrap()]);
    run.ok();
    assert!(
        run.stdout().contains("Imported 1 response"),
        "{}",
        run.stdout()
    );
    site.run(&["build"]).ok();
    let about = Html::parse_document(&site.read("about/index.html"));
    let title = one(&about, "section.responses .response-title a");
    assert_eq!(
        title.value().attr("href"),
        Some("https://sam.example/2024/05/about-you")
    );
}
