//! Hostile servers on 127.0.0.1 against the real binary: every command that reads
//! the network (`network fetch`, `network add`, `webmention send`, `webmention
//! import URL`, `check --external`) must end within a few seconds, in modest memory,
//! with exit 0 or 1 (never a panic), and nothing unsafe may reach the cache or a page.
//!
//! The sites use `timeout_seconds = 1` and `max_feed_mb = 1`, so each bound below is
//! a small multiple of those.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::net::{Reply, Server, blog_entry, site};

/// Longest any one command may take against a hostile server.
const TIME_LIMIT: Duration = Duration::from_secs(6);
/// Largest resident memory any one command may reach (the cap is 1 MB of body).
const MEMORY_LIMIT_KB: u64 = 150 * 1024;
/// A hard address-space ceiling as well, so a runaway allocation fails fast
/// instead of swapping the machine.
const ADDRESS_SPACE: &str = "--as=2147483648";

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
    peak_kb: u64,
}

/// Run the real binary under an address-space limit, sampling its peak resident
/// memory (VmHWM) until it exits; assert the time and memory bounds and that it
/// ended with 0 or 1 and no panic.
fn bounded(root: &Path, args: &[&str]) -> Ran {
    let out = tempfile::tempdir().unwrap();
    let (o, e) = (out.path().join("out"), out.path().join("err"));
    let start = Instant::now();
    let bin = env!("CARGO_BIN_EXE_staffroom");
    // prlimit (util-linux) execs the binary, so the pid below is staffroom's own.
    let mut cmd = if Command::new("prlimit").arg("--version").output().is_ok() {
        let mut c = Command::new("prlimit");
        c.arg(ADDRESS_SPACE).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let mut child = cmd
        .arg("--root")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&o).unwrap())
        .stderr(std::fs::File::create(&e).unwrap())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
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
        std::thread::sleep(Duration::from_millis(5));
    };
    let ran = Ran {
        code: status.code().unwrap_or(-1),
        stdout: std::fs::read_to_string(&o).unwrap_or_default(),
        stderr: std::fs::read_to_string(&e).unwrap_or_default(),
        took: start.elapsed(),
        peak_kb,
    };
    eprintln!(
        "staffroom {args:?}: exit {} in {:.2?}, peak {} MB",
        ran.code,
        ran.took,
        ran.peak_kb / 1024
    );
    let all = format!("stdout:\n{}\nstderr:\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.code == 0 || ran.code == 1,
        "staffroom {args:?} exited {}: {all}",
        ran.code
    );
    assert!(!all.contains("panicked"), "staffroom {args:?}: {all}");
    assert!(
        ran.took < TIME_LIMIT,
        "staffroom {args:?} took {:?}: {all}",
        ran.took
    );
    assert!(
        ran.peak_kb < MEMORY_LIMIT_KB,
        "staffroom {args:?} peaked at {} MB",
        ran.peak_kb / 1024
    );
    ran
}

/// A server that accepts connections and hands each to `each` on its own thread.
fn raw_server(each: fn(TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || each(stream));
        }
    });
    base
}

/// Accept, read the request, and never say a word.
fn silent(mut stream: TcpStream) {
    let mut buf = [0; 1024];
    let _ = stream.read(&mut buf);
    std::thread::sleep(Duration::from_secs(30));
}

/// Answer 200 and then send one byte every 100 ms forever: never a stall, never an end.
fn trickle(mut stream: TcpStream) {
    let mut buf = [0; 1024];
    let _ = stream.read(&mut buf);
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>");
    for _ in 0..300 {
        if stream.write_all(b" ").is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The cache file of the one blog in a site, as text.
fn cache_text(root: &Path) -> String {
    let dir = root.join("data/network");
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        // Not .gitattributes: the cache files only.
        if entry.path().extension().is_some_and(|e| e == "json") {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    text
}

fn one_feed(url: &str) -> tempfile::TempDir {
    site(&blog_entry("Hostile", url))
}

/// A site with one post that links to `targets`, for `webmention send` and `check --external`.
fn linking_site(targets: &[String]) -> tempfile::TempDir {
    let dir = site("");
    let body: String = targets
        .iter()
        .map(|t| format!("See [this]({t}).\n\n"))
        .collect();
    std::fs::write(
        dir.path().join("content/posts/links.md"),
        format!("---\ntitle: Links\ndate: 2024-02-01\n---\n{body}"),
    )
    .unwrap();
    dir
}

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs &lol9;</title><link>https://laughs.example.org/</link>
<item><title>Laugh &lol9;</title><link>https://laughs.example.org/1</link><description>&lol9;</description></item>
</channel></rss>"#;

#[test]
fn entity_expansion_in_a_feed_is_not_expanded() {
    let server = Server::start(|_, _| Reply::feed(BILLION_LAUGHS.as_bytes().to_vec()));
    let dir = one_feed(&server.url("/feed.xml"));
    bounded(dir.path(), &["network", "fetch"]);
    let cache = cache_text(dir.path());
    assert!(cache.len() < 64 * 1024, "{} bytes of cache", cache.len());
    assert!(!cache.contains("lollollol"), "entities were expanded");
    bounded(dir.path(), &["build"]);
}

#[test]
fn a_1_gib_body_is_cut_at_the_size_cap() {
    let server = Server::start(|_, _| Reply::Huge(1 << 30));
    let url = server.url("/huge");
    let dir = one_feed(&url);
    let ran = bounded(dir.path(), &["network", "fetch"]);
    assert!(ran.stdout.contains("larger than 1 MB"), "{}", ran.stdout);
    let ran = bounded(dir.path(), &["network", "add", &server.url("/page")]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let ran = bounded(dir.path(), &["webmention", "import", &url]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("larger than 1 MB"), "{}", ran.stderr);
    let dir = linking_site(&[server.url("/target")]);
    bounded(dir.path(), &["webmention", "send", "--allow-private"]);
    assert_eq!(
        server.requests_to("/target").len(),
        1,
        "endpoint discovery ran"
    );
    eprintln!(
        "1 GiB body: cut after {:?}, peak {} MB",
        ran.took,
        ran.peak_kb / 1024
    );
}

#[test]
fn a_body_that_never_ends_is_cut() {
    let server = Server::start(|_, _| Reply::Endless);
    let dir = one_feed(&server.url("/endless.xml"));
    bounded(dir.path(), &["network", "fetch"]);
    bounded(dir.path(), &["network", "add", &server.url("/page")]);
    // Slow enough that no read ever stalls: only an overall limit ends it.
    let slow = raw_server(trickle);
    let dir = one_feed(&format!("{slow}/feed.xml"));
    let ran = bounded(dir.path(), &["network", "fetch"]);
    assert!(ran.stdout.contains("gave up"), "{}", ran.stdout);
    // `webmention import URL` reads through the same client as fetch; one trickle
    // there is enough, and each costs the whole overall limit.
    let dir = linking_site(&[format!("{slow}/target")]);
    bounded(dir.path(), &["webmention", "send", "--allow-private"]);
    bounded(dir.path(), &["check", "--external"]);
}

#[test]
fn a_server_that_never_answers_times_out() {
    let base = raw_server(silent);
    let dir = one_feed(&format!("{base}/feed.xml"));
    let ran = bounded(dir.path(), &["network", "fetch"]);
    assert!(ran.stdout.contains("stopped answering"), "{}", ran.stdout);
    let ran = bounded(dir.path(), &["network", "add", &format!("{base}/page")]);
    assert_eq!(ran.code, 1);
    let ran = bounded(dir.path(), &["webmention", "import", &format!("{base}/x")]);
    assert_eq!(ran.code, 1);
    let dir = linking_site(&[format!("{base}/a"), format!("{base}/b")]);
    bounded(dir.path(), &["webmention", "send", "--allow-private"]);
    let ran = bounded(dir.path(), &["check", "--external"]);
    assert!(ran.took < Duration::from_secs(4), "{:?}", ran.took);
}

#[test]
fn redirect_loops_end() {
    let server = Server::start(|path, _| {
        let next = if path == "/a" { "/b" } else { "/a" };
        Reply::Status(302, vec![("Location", next.to_string())])
    });
    let dir = one_feed(&server.url("/a"));
    let ran = bounded(dir.path(), &["network", "fetch"]);
    assert!(ran.stdout.contains("redirects"), "{}", ran.stdout);
    assert!(server.seen.lock().unwrap().len() <= 6);
    let ran = bounded(site("").path(), &["network", "add", &server.url("/b")]);
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("redirects"), "{}", ran.stderr);
    let ran = bounded(dir.path(), &["webmention", "import", &server.url("/a")]);
    assert_eq!(ran.code, 1);
    let dir = linking_site(&[server.url("/a")]);
    bounded(dir.path(), &["webmention", "send", "--allow-private"]);
    bounded(dir.path(), &["check", "--external"]);
}

#[test]
fn redirects_to_other_schemes_are_refused() {
    let server = Server::start(|path, _| {
        let to = match path {
            "/file" => "file:///etc/passwd",
            "/js" => "javascript:alert(1)",
            _ => "ftp://127.0.0.1/feed.xml",
        };
        Reply::Status(301, vec![("Location", to.to_string())])
    });
    for path in ["/file", "/js", "/ftp"] {
        let dir = one_feed(&server.url(path));
        let before = std::fs::read_to_string(dir.path().join("network.toml")).unwrap();
        let ran = bounded(dir.path(), &["network", "fetch"]);
        assert!(ran.stdout.contains("unusable address"), "{}", ran.stdout);
        // A permanent move to a non-web address must not become the blog's address.
        let after = std::fs::read_to_string(dir.path().join("network.toml")).unwrap();
        assert_eq!(before, after);
        assert!(!cache_text(dir.path()).contains("root:x:0"));
        let fresh = site("");
        let ran = bounded(fresh.path(), &["network", "add", &server.url(path)]);
        assert_eq!(ran.code, 1);
        assert!(!fresh.path().join("network.toml").exists());
        let ran = bounded(dir.path(), &["webmention", "import", &server.url(path)]);
        assert_eq!(ran.code, 1);
        assert!(!ran.stderr.contains("root:x:0"));
    }
}

#[test]
fn invalid_utf8_and_wrong_charsets_are_decoded_or_replaced() {
    let server = Server::start(|path, _| {
        let feed = |decl: &str, title: &[u8]| {
            let mut b = format!("<?xml version=\"1.0\" encoding=\"{decl}\"?><rss version=\"2.0\"><channel><title>T</title><link>https://c.example.org/</link><item><title>").into_bytes();
            b.extend_from_slice(title);
            b.extend_from_slice(b"</title><link>https://c.example.org/1</link><description>x</description></item></channel></rss>");
            b
        };
        let (body, content_type) = match path {
            // Bytes that are not UTF-8 in a feed that says it is.
            "/invalid.xml" => (feed("utf-8", b"Caf\xe9 \xff\xfe broken"), "application/xml"),
            // Latin-1, correctly declared.
            "/latin1.xml" => (feed("iso-8859-1", b"Caf\xe9 au lait"), "application/xml"),
            // The header says UTF-8, the bytes and the declaration are windows-1252.
            "/header-lies.xml" => (
                feed("windows-1252", b"\x93Quoted\x94 caf\xe9"),
                "application/xml; charset=utf-8",
            ),
            // An encoding nobody has heard of.
            _ => (
                feed("x-klingon", b"plain"),
                "application/xml; charset=x-klingon",
            ),
        };
        Reply::Ok {
            body,
            content_type,
            headers: vec![],
        }
    });
    let roll: String = ["invalid", "latin1", "header-lies", "unknown"]
        .iter()
        .map(|n| blog_entry(n, &server.url(&format!("/{n}.xml"))))
        .collect();
    let dir = site(&roll);
    bounded(dir.path(), &["network", "fetch"]);
    let latin1: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("data/network/latin1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(latin1["entries"][0]["title"], "Café au lait");
    let read = |name: &str| -> serde_json::Value {
        let path = dir.path().join(format!("data/network/{name}.json"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    // Stray bytes in a feed that says UTF-8 cost those bytes, not the feed.
    assert_eq!(
        read("invalid")["entries"][0]["title"],
        "Caf\u{fffd} \u{fffd}\u{fffd} broken"
    );
    // The document's own declaration is believed over a generic header.
    assert_eq!(
        read("header-lies")["entries"][0]["title"],
        "\u{201c}Quoted\u{201d} café"
    );
    for name in ["invalid", "header-lies", "unknown"] {
        let path = dir.path().join(format!("data/network/{name}.json"));
        let text = std::fs::read_to_string(&path).unwrap();
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    bounded(dir.path(), &["build"]);
    let page = std::fs::read_to_string(dir.path().join("public/network/index.html")).unwrap();
    assert!(page.contains("Café au lait"), "{page}");
}

/// Everything a page must never carry, each with a marker to look for.
const HOSTILE_HTML: &str = r#"<p>Safe words about fractions.</p>
<script>alert('PWNED-SCRIPT')</script>
<style>body { display: none } /* PWNED-STYLE */</style>
<iframe src="https://evil.example/PWNED-IFRAME"></iframe>
<img src="https://pics.example/ok.png" onerror="alert('PWNED-ONERROR')" width="300">
<p onclick="alert('PWNED-ONCLICK')" onmouseover="PWNED-ONMOUSEOVER">hover</p>
<a href="javascript:alert('PWNED-JSURL')">js</a>
<a href="  JaVaScRiPt:alert('PWNED-JSURL2')">js2</a>
<a href="data:text/html;base64,PHNjcmlwdD5QV05FRC1EQVRBPC9zY3JpcHQ+">data</a>
<img src="data:image/svg+xml,<svg onload=alert('PWNED-SVG')>">
<meta http-equiv="refresh" content="0;url=https://evil.example/PWNED-REFRESH">
<img src="https://tracker.example/PWNED-PIXEL.gif" width="1" height="1">
<img src="https://tracker.example/PWNED-PIXEL2.gif" style="width:1px;height:1px" width="1px">
<form action="https://evil.example/PWNED-FORM"><input name="q"></form>
<object data="https://evil.example/PWNED-OBJECT"></object>
<a href="https://teacher.example.org/blog/posts/hello/">your post</a>"#;

/// Markers of what lived inside a dangerous element or attribute: they must be gone
/// everywhere. (Titles and names are text: a title about "<script>" keeps its words,
/// escaped, so their markers may show as text.)
const GONE: &[&str] = &[
    "PWNED-SCRIPT",
    "PWNED-STYLE",
    "PWNED-IFRAME",
    "PWNED-ONERROR",
    "PWNED-ONCLICK",
    "PWNED-ONMOUSEOVER",
    "PWNED-JSURL",
    "PWNED-DATA",
    "PWNED-SVG",
    "PWNED-REFRESH",
    "PWNED-PIXEL",
    "PWNED-FORM",
    "PWNED-OBJECT",
    "PWNED-LINK",
    "PWNED-PHOTO",
    "PWNED-AUTHORURL",
    "evil.example",
    "tracker.example",
];

fn assert_gone(what: &str, text: &str) {
    for m in GONE {
        assert!(!text.contains(m), "{what} holds `{m}`:\n{text}");
    }
}

/// No element, attribute or address in `html` that could run code, load a frame,
/// move the page or track the reader.
fn assert_safe_html(what: &str, html: &str) {
    assert_gone(what, html);
    let doc = scraper::Html::parse_document(html);
    for node in doc.root_element().descendants() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        assert!(
            !matches!(
                el.name(),
                "script" | "style" | "iframe" | "frame" | "object" | "embed" | "form" | "base"
            ),
            "{what} has a <{}>",
            el.name()
        );
        assert!(
            !(el.name() == "meta" && el.attr("http-equiv").is_some()),
            "{what} has a meta http-equiv"
        );
        // A tracker or unsafe address removed from an image takes the image with it.
        assert!(
            el.name() != "img" || el.attr("src").is_some(),
            "{what} has an <img> without an address"
        );
        for (name, value) in el.attrs() {
            assert!(!name.starts_with("on"), "{what} has {name}=\"{value}\"");
            let v = value.trim().to_ascii_lowercase();
            let scheme = v.split(':').next().unwrap_or("");
            if matches!(
                name,
                "href" | "src" | "action" | "srcset" | "data" | "poster"
            ) {
                assert!(
                    !["javascript", "data", "vbscript", "file"].contains(&scheme),
                    "{what} has {name}=\"{value}\""
                );
            }
        }
    }
}

#[test]
fn hostile_html_reaches_neither_the_cache_nor_a_page() {
    let escaped = HOSTILE_HTML
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title><link>https://h.example.org/</link>
<item><title>A reply &lt;script&gt;alert('PWNED-TITLE')&lt;/script&gt;</title><link>https://h.example.org/1</link><guid>h1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate><description>{escaped}</description></item>
<item><title>Bad link</title><link>javascript:alert('PWNED-LINK')</link><guid>h2</guid><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate><description><![CDATA[{HOSTILE_HTML}]]></description></item>
</channel></rss>"#
    );
    let jf2 = serde_json::json!({
        "type": "feed",
        "children": [{
            "type": "entry",
            "wm-property": "in-reply-to",
            "in-reply-to": "https://teacher.example.org/blog/posts/hello/",
            "wm-target": "https://teacher.example.org/blog/posts/hello/",
            "url": "https://h.example.org/reply",
            "published": "2024-01-03T10:00:00Z",
            "author": {"name": "<script>PWNED-AUTHOR</script>Mallory", "url": "javascript:alert('PWNED-AUTHORURL')", "photo": "https://tracker.example/PWNED-PHOTO.gif"},
            "content": {"html": HOSTILE_HTML, "text": "Safe words about fractions."},
            "name": "<iframe src=x>PWNED-NAME"
        }]
    })
    .to_string();
    let server = Server::start(move |path, _| match path {
        "/feed.xml" => Reply::feed(feed.clone().into_bytes()),
        "/mentions.jf2" => Reply::Ok {
            body: jf2.clone().into_bytes(),
            content_type: "application/json",
            headers: vec![],
        },
        // A page whose feed links and refresh point at other schemes.
        _ => Reply::Ok {
            body: br#"<html><head><meta http-equiv="refresh" content="0;url=javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="javascript:alert('PWNED')">
<link rel="alternate" type="application/atom+xml" href="data:application/atom+xml,PWNED">
<link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">
</head><body>nothing</body></html>"#
                .to_vec(),
            content_type: "text/html",
            headers: vec![],
        },
    });
    let dir = one_feed(&server.url("/feed.xml"));
    let root = dir.path();
    bounded(root, &["network", "fetch"]);
    let cache = cache_text(root);
    assert!(cache.contains("Safe words about fractions."), "{cache}");
    assert_gone("the network cache", &cache);
    let json: serde_json::Value = serde_json::from_str(&cache).unwrap();
    for entry in json["entries"].as_array().unwrap() {
        assert_safe_html("cached content", entry["content"].as_str().unwrap());
        let url = entry["url"].as_str().unwrap();
        assert!(url.is_empty() || url.starts_with("https://"), "{url}");
    }

    bounded(
        root,
        &["webmention", "import", &server.url("/mentions.jf2")],
    );
    let mut imported = 0;
    for entry in walkdir::WalkDir::new(root.join("data/responses")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            assert_gone(&entry.path().display().to_string(), &text);
            assert!(text.contains("Safe words about fractions"), "{text}");
            imported += 1;
        }
    }

    assert_eq!(imported, 1, "the response was stored");

    let ran = bounded(root, &["network", "add", &server.url("/page")]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    let roll = std::fs::read_to_string(root.join("network.toml")).unwrap();
    assert_gone("network.toml", &roll);
    assert!(
        !roll.contains("javascript:") && !roll.contains("data:"),
        "{roll}"
    );
    assert!(!roll.contains("file:"), "{roll}");

    assert_eq!(bounded(root, &["build"]).code, 0);
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(root.join("public")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
            let what = entry.path().display().to_string();
            if what.ends_with(".html") {
                assert_safe_html(&what, &text);
            } else {
                assert_gone(&what, &text);
            }
            pages += 1;
        }
    }
    assert!(pages > 5);
    let network = std::fs::read_to_string(root.join("public/network/index.html")).unwrap();
    assert!(network.contains("Safe words about fractions"), "{network}");
    let post = std::fs::read_to_string(root.join("public/posts/hello/index.html")).unwrap();
    assert!(
        post.contains("Mallory"),
        "the imported response is shown:\n{post}"
    );
    assert!(
        post.contains("h.example.org/1"),
        "the feed's response is shown:\n{post}"
    );
}
