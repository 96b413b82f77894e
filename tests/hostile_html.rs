//! Deeply nested HTML from the web, against the real binary and a real server on
//! 127.0.0.1: a feed entry or a page nested 100,000 deep (every shape that makes an
//! HTML tree builder slow) must cost seconds, not minutes, and the entry's words must
//! still reach the cache.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::net::{Reply, Server, blog_entry, cache, fetch_state, site};

/// Longest one command may take. Measured in a debug build: about a second each, 6 s
/// with seven other builds sharing two cores; before the depth bound, the
/// 100,000-deep entry took minutes, so a generous limit still tells the two apart.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// Run the real binary, killing it past a generous deadline so a regression fails
/// the test instead of hanging it; exit 0 or 1, never a panic.
fn timed(root: &Path, args: &[&str]) -> (i32, String) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_staffroom"))
        .arg("--root")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIME_LIMIT * 3 {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "staffroom {args:?} still running after {:?}",
                start.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = start.elapsed();
    let out = child.wait_with_output().unwrap();
    let all = format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("staffroom {args:?}: {:?} in {took:.2?}", status.code());
    assert!(!all.contains("panicked"), "{all}");
    assert!(took < TIME_LIMIT, "staffroom {args:?} took {took:?}: {all}");
    (status.code().unwrap_or(-1), all)
}

/// Every shape of deep nesting, about 20,000 tags each (far past any depth bound; a
/// minute or more each before the bound), with its own words before and after.
fn shapes() -> Vec<(&'static str, String)> {
    const N: usize = 20_000;
    vec![
        ("unclosed-divs", "<div>".repeat(N)),
        (
            "closed-divs",
            format!("{}x{}", "<div>".repeat(N / 2), "</div>".repeat(N / 2)),
        ),
        ("formatting", "<b><i>".repeat(N / 2)),
        (
            "formatting-with-attributes",
            (0..N / 2).map(|i| format!("<b class=c{i}>")).collect(),
        ),
        (
            "formatting-reopened",
            (0..N / 3)
                .map(|i| format!("<div><u id=u{i}></div>"))
                .collect(),
        ),
        ("tables", "<table><tr><td>".repeat(N / 3)),
        ("lists", "<ul><li>".repeat(N / 2)),
        ("paragraphs", "<p>x".repeat(N / 2)),
        ("links", "<a href=https://x.example/>x".repeat(N / 4)),
        ("custom-tags", "<x-y>".repeat(N)),
        ("svg", format!("<svg>{}", "<g>".repeat(N))),
        ("blockquote-in-table", "<table><blockquote>".repeat(N / 2)),
    ]
}

fn rss(items: &[(String, String)]) -> Vec<u8> {
    let items: String = items
        .iter()
        .map(|(id, html)| {
            format!(
                "<item><title>{id}</title><link>https://deep.example/{id}/</link><guid>https://deep.example/{id}/</guid>\
                 <pubDate>Tue, 14 May 2024 08:00:00 +0000</pubDate><description><![CDATA[{html}]]></description></item>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Deep</title><link>https://deep.example/</link>{items}</channel></rss>").into_bytes()
}

/// The feed's size cap raised, so each shape gets a feed of its own under it.
fn roomy_site(network_toml: &str) -> tempfile::TempDir {
    let site = site(network_toml);
    let toml = site.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("max_feed_mb = 1", "max_feed_mb = 4")).unwrap();
    site
}

#[test]
fn an_entry_nested_100000_deep_is_fetched_in_seconds_and_keeps_its_words() {
    let html = format!(
        "<p>Fractions first.</p>{}Deepest words here.",
        "<div>".repeat(100_000)
    );
    let feed = rss(&[("deep".into(), html)]);
    let server = Server::start(move |_, _| Reply::feed(feed.clone()));
    let site = roomy_site(&blog_entry("Deep", &server.url("/feed.xml")));
    let (code, all) = timed(site.path(), &["network", "fetch"]);
    assert_eq!(code, 0, "{all}");
    let entry = &cache(site.path(), "deep")["entries"][0];
    let content = entry["content"].as_str().unwrap();
    assert!(content.contains("Deepest words here."), "{content:.300}");
    assert!(
        entry["summary"]
            .as_str()
            .unwrap()
            .contains("Fractions first.")
    );
}

#[test]
fn every_shape_of_deep_nesting_is_fetched_in_seconds_and_keeps_its_words() {
    let shapes = shapes();
    let mut blogs = String::new();
    for (name, _) in &shapes {
        blogs.push_str(&blog_entry(name, &format!("FEED/{name}.xml")));
    }
    let items: Vec<(String, Vec<u8>)> = shapes
        .into_iter()
        .map(|(name, html)| {
            let html = format!("Words of {name}. {html} Last words of {name}.");
            let feed = rss(&[(name.to_string(), html)]);
            (format!("/{name}.xml"), feed)
        })
        .collect();
    let server = Server::start(move |path, _| {
        let feed = items
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, f)| f.clone());
        feed.map_or(Reply::Status(404, vec![]), Reply::feed)
    });
    let site = roomy_site(&blogs.replace("FEED", &server.base));
    let (code, all) = timed(site.path(), &["network", "fetch"]);
    assert_eq!(code, 0, "{all}");
    for (name, _) in self::shapes() {
        let entry = &cache(site.path(), name)["entries"][0];
        let summary = entry["summary"].as_str().unwrap_or_default();
        assert!(
            summary.starts_with(&format!("Words of {name}.")),
            "{name}: {summary:.200}"
        );
        let content = entry["content"].as_str().unwrap_or_default();
        // SVG is not kept at all; everything else keeps its text (when not too big
        // to store).
        if name != "svg" && !content.is_empty() {
            assert!(
                content.contains(&format!("Last words of {name}.")),
                "{name}"
            );
        }
    }
}

/// A page nested 60,000 deep, in its `<head>` and its body, with its feed link or
/// Webmention endpoint at the very end.
fn deep_page(tail: &str) -> Vec<u8> {
    format!(
        "<!doctype html><html><head><title>Deep</title>{}{}</head><body>{}{}{tail}</body></html>",
        "<b>".repeat(20_000),
        "<div>".repeat(20_000),
        "<table><tr><td>".repeat(10_000),
        "<b><i>".repeat(10_000),
    )
    .into_bytes()
}

#[test]
fn network_add_reads_a_60000_deep_page_in_seconds() {
    let page = deep_page("<link rel=alternate type=application/rss+xml href=/feed.xml>");
    let feed = common::net::rss("Deep", "deep.example", 2);
    let server = Server::start(move |path, _| match path {
        "/feed.xml" => Reply::feed(feed.clone()),
        _ => Reply::Ok {
            body: page.clone(),
            content_type: "text/html",
            headers: vec![],
        },
    });
    let site = site("");
    let (code, all) = timed(site.path(), &["network", "add", &server.url("/blog/")]);
    assert_eq!(code, 0, "{all}");
    let toml = std::fs::read_to_string(site.path().join("network.toml")).unwrap();
    assert!(toml.contains(&server.url("/feed.xml")), "{toml}");
}

#[test]
fn webmention_send_reads_a_60000_deep_page_in_seconds() {
    let page = deep_page("<a rel=webmention href=/wm>endpoint</a>");
    let server = Server::start(move |path, _| match path {
        "/wm" => Reply::Status(202, vec![]),
        _ => Reply::Ok {
            body: page.clone(),
            content_type: "text/html",
            headers: vec![],
        },
    });
    let site = site("");
    std::fs::write(
        site.path().join("content/posts/hello.md"),
        format!(
            "---\ntitle: Hello\ndate: 2024-01-02\n---\nSee [the deep page]({}).\n",
            server.url("/deep/")
        ),
    )
    .unwrap();
    let (code, all) = timed(site.path(), &["webmention", "send", "--allow-private"]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(server.posts().len(), 1, "{all}");
    assert_eq!(server.posts()[0].path, "/wm");
}

/// The URLs of a blog's cached entries.
fn cached_urls(root: &Path, slug: &str) -> Vec<String> {
    cache(root, slug)["entries"]
        .as_array()
        .map(|es| {
            es.iter()
                .filter_map(|e| e["url"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn fetch_one_feed(feed: Vec<u8>) -> tempfile::TempDir {
    let server = Server::start(move |_, _| Reply::feed(feed.clone()));
    let site = roomy_site(&blog_entry("Deep", &server.url("/feed.xml")));
    let (code, all) = timed(site.path(), &["network", "fetch"]);
    assert_eq!(code, 0, "{all}");
    site
}

#[test]
fn atom_xhtml_content_nested_95000_deep_costs_only_its_tags() {
    // quick-xml refuses XML nested past 65,535, and the whole feed was lost with it.
    for n in [95_000, 5_000] {
        let feed = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
             <title>A</title><id>urn:a</id><updated>2024-01-01T00:00:00Z</updated>\
             <entry><title>Deep</title><id>urn:deep</id><link href=\"https://deep.example/deep/\"/>\
             <updated>2024-01-02T00:00:00Z</updated><content type=\"xhtml\">\
             <div xmlns=\"http://www.w3.org/1999/xhtml\">{}Deepest words.{}</div></content></entry>\
             <entry><title>Normal</title><id>urn:normal</id><link href=\"https://deep.example/normal/\"/>\
             <updated>2024-01-01T00:00:00Z</updated><content type=\"html\">&lt;p&gt;hi&lt;/p&gt;</content></entry></feed>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let site = fetch_one_feed(feed.into_bytes());
        let urls = cached_urls(site.path(), "deep");
        assert!(
            urls.contains(&"https://deep.example/normal/".into()),
            "{n}: {urls:?}"
        );
        let entries = cache(site.path(), "deep")["entries"].clone();
        let deep = entries
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["url"] == "https://deep.example/deep/")
            .unwrap_or_else(|| panic!("{n}: deep entry lost: {urls:?}"));
        assert!(deep["summary"].as_str().unwrap().contains("Deepest words."));
    }
}

#[test]
fn feed_elements_nested_60000_deep_do_not_crash_the_fetch() {
    // feed-rs reads Media RSS groups and iTunes categories by recursion: a few
    // thousand nested ones overflowed the stack and took every feed down.
    // (60,000 iTunes categories already fill the 4 MB the feed may have.)
    for (open, close, n) in [
        ("<media:group>", "</media:group>", 100_000),
        ("<itunes:category text=\"x\">", "</itunes:category>", 60_000),
        ("<x>", "</x>", 100_000),
    ] {
        let feed = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\" \
             xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><title>T</title>\
             <item><title>Deep</title><link>https://deep.example/deep/</link>{}x{}</item>\
             <item><title>Normal</title><link>https://deep.example/normal/</link><description>hi</description></item>\
             </channel></rss>",
            open.repeat(n),
            close.repeat(n)
        );
        let site = fetch_one_feed(feed.into_bytes());
        let mut urls = cached_urls(site.path(), "deep");
        urls.sort();
        assert_eq!(
            urls,
            ["https://deep.example/deep/", "https://deep.example/normal/"],
            "{open}: {}",
            fetch_state(site.path(), "deep")
        );
    }
}

/// `html` as a page whose `<head>` holds it before the feed link and the endpoint.
fn page_with_head(html: &str) -> Vec<u8> {
    format!(
        "<!doctype html><html><head><title>t</title>{html}\
         <link rel=alternate type=application/rss+xml href=/feed.xml>\
         <link rel=webmention href=/wm></head><body>x</body></html>"
    )
    .into_bytes()
}

/// Single tags and texts a tokenizer or serializer can be slow on, each about 1 MB.
fn hostile_tags() -> Vec<(&'static str, String)> {
    const MB: usize = 1 << 20;
    let attrs: Vec<String> = (0..110_000).map(|i| format!("a{i}=\"x\"")).collect();
    vec![
        ("many-attributes", format!("<p {}>x</p>", attrs.join(" "))),
        (
            "one-attribute-name-repeated",
            format!("<p {}>x</p>", "a=\"x\" ".repeat(150_000)),
        ),
        (
            "long-attribute-value",
            format!("<a href=\"https://x.example/{}\">x</a>", "a".repeat(MB)),
        ),
        (
            "long-tag-name",
            format!("<p><b{} c=d>x</p>", "b".repeat(MB)),
        ),
        ("long-comment", format!("<!--{}-->x", "c".repeat(MB))),
        (
            "long-doctype",
            format!("<!DOCTYPE{}>x", " x".repeat(MB / 2)),
        ),
        ("ampersands", format!("{}x", "&amp;".repeat(MB / 10))),
        (
            "ampersands-in-attribute",
            format!("<a title=\"{}\">x</a>", "&amp;".repeat(MB / 10)),
        ),
        ("pound-signs", format!("{}x", "£".repeat(MB / 4))),
    ]
}

#[test]
fn single_hostile_tags_are_fetched_in_seconds() {
    // html5ever compared each attribute with every earlier one of its tag, and its
    // serializer searched to the end of a text again from every `&`: both quadratic.
    let shapes = hostile_tags();
    let mut blogs = String::new();
    for (name, _) in &shapes {
        blogs.push_str(&blog_entry(name, &format!("FEED/{name}.xml")));
    }
    let feeds: Vec<(String, Vec<u8>)> = shapes
        .into_iter()
        .map(|(name, html)| {
            let html = format!("Words of {name}. {html} Last words.");
            (format!("/{name}.xml"), rss(&[(name.to_string(), html)]))
        })
        .collect();
    let server = Server::start(move |path, _| {
        let feed = feeds
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, f)| f.clone());
        feed.map_or(Reply::Status(404, vec![]), Reply::feed)
    });
    let site = roomy_site(&blogs.replace("FEED", &server.base));
    let (code, all) = timed(site.path(), &["network", "fetch"]);
    assert_eq!(code, 0, "{all}");
    for (name, _) in hostile_tags() {
        let summary = cache(site.path(), name)["entries"][0]["summary"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            summary.starts_with(&format!("Words of {name}.")),
            "{name}: {summary:.100}"
        );
    }
}

#[test]
fn a_page_with_a_110000_attribute_tag_is_read_for_discovery_in_seconds() {
    let attrs: Vec<String> = (0..110_000).map(|i| format!("a{i}=\"x\"")).collect();
    let page = page_with_head(&format!("<meta {}>", attrs.join(" ")));
    let feed = common::net::rss("Deep", "deep.example", 2);
    let server = Server::start(move |path, _| match path {
        "/feed.xml" => Reply::feed(feed.clone()),
        "/wm" => Reply::Status(202, vec![]),
        _ => Reply::Ok {
            body: page.clone(),
            content_type: "text/html",
            headers: vec![],
        },
    });
    let site = roomy_site("");
    let (code, all) = timed(site.path(), &["network", "add", &server.url("/blog/")]);
    assert_eq!(code, 0, "{all}");
    let toml = std::fs::read_to_string(site.path().join("network.toml")).unwrap();
    assert!(toml.contains(&server.url("/feed.xml")), "{toml}");
    std::fs::write(
        site.path().join("content/posts/hello.md"),
        format!(
            "---\ntitle: Hello\ndate: 2024-01-02\n---\nSee [the page]({}).\n",
            server.url("/page/")
        ),
    )
    .unwrap();
    let (code, all) = timed(site.path(), &["webmention", "send", "--allow-private"]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(server.posts().len(), 1, "{all}");
}
