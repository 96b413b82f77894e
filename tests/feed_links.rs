//! Every address in a post reaches its feed entries absolute: a feed reader shows the
//! entry away from the post's page, with nothing to resolve `/x`, `pic.png` or
//! `//cdn/x` against. Checked in all three feeds and a tag feed, read back by a feed
//! parser as a reader would.

mod common;

use common::TestSite;

/// The HTML a feed reader gets for the only entry of feed `rel`.
fn entry_html(site: &TestSite, rel: &str) -> String {
    let bytes = std::fs::read(site.public().join(rel)).unwrap();
    let feed = feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let [entry] = &feed.entries[..] else {
        panic!("{rel}: {} entries", feed.entries.len());
    };
    entry
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
        .unwrap_or_else(|| panic!("{rel}: entry without content"))
}

const BODY: &str = r##"[cdn](//cdn.example.org/x.js) [about](/about/) [notes](#notes)

<img src='/blog/single.png' alt="single-quoted">
<img src=/blog/bare.png alt="unquoted">
<img srcset="/blog/a.png 1x, b.png 2x, https://other.org/c.png 3x" src="/blog/a.png" alt="set">
<video poster="/blog/p.jpg" src="clip.mp4"><track src="captions.vtt"></video>
<picture><source srcset="//cdn.example.org/d.webp"><img src="d.png" alt="d"></picture>
<blockquote cite="/blog/source/">quoted</blockquote>
<a href="mailto:office@school.org">office</a> <a href="https://other.org/x">other</a>

Write links as `<a href="/x">` in HTML.
"##;

#[test]
fn every_address_in_every_feed_is_absolute() {
    let site = TestSite::new();
    site.file("content/about.md", "---\ntitle: About\n---\nHi\n");
    site.post(
        "links.md",
        "title: Links\ndate: 2024-03-01\ntags: [maths]",
        BODY,
    );
    site.run(&["build"]).ok();

    let post = "https://teacher.github.io/blog/posts/links/";
    let want = [
        r#"href="https://cdn.example.org/x.js""#.to_string(),
        r#"href="https://teacher.github.io/blog/about/""#.to_string(),
        format!(r#"href="{post}#notes""#),
        r#"src="https://teacher.github.io/blog/single.png""#.to_string(),
        r#"src="https://teacher.github.io/blog/bare.png""#.to_string(),
        format!(
            r#"srcset="https://teacher.github.io/blog/a.png 1x, {post}b.png 2x, https://other.org/c.png 3x""#
        ),
        r#"poster="https://teacher.github.io/blog/p.jpg""#.to_string(),
        format!(r#"src="{post}clip.mp4""#),
        format!(r#"src="{post}captions.vtt""#),
        r#"srcset="https://cdn.example.org/d.webp""#.to_string(),
        format!(r#"src="{post}d.png""#),
        r#"cite="https://teacher.github.io/blog/source/""#.to_string(),
        r#"href="mailto:office@school.org""#.to_string(),
        r#"href="https://other.org/x""#.to_string(),
        // Text about HTML is text, not a link.
        r#"<code>&lt;a href="/x"&gt;</code>"#.to_string(),
    ];
    for feed in ["atom.xml", "rss.xml", "feed.json", "tags/maths/atom.xml"] {
        let html = entry_html(&site, feed);
        for w in &want {
            assert!(html.contains(w.as_str()), "{feed}: no {w} in\n{html}");
        }
        assert!(
            !html.contains(".io//"),
            "{feed}: host glued to a path:\n{html}"
        );
    }
}
