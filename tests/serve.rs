//! `staffroom serve`, end to end: the real binary on a free port, a small site in a
//! temp folder, requests over HTTP and the live-reload event stream read as a browser
//! would read it.

mod serve_support;

use std::time::{Duration, Instant};

use serve_support::{Events, Serve, Site, files_under, get, post, raw_status};

const TWO_SECONDS: Duration = Duration::from_secs(2);

/// Templates may escape `/` in attributes; compare URLs as a browser reads them.
fn unescape(html: &str) -> String {
    html.replace("&#x2F;", "/")
}

#[test]
fn an_edited_post_is_served_and_announced_within_two_seconds() {
    let site = Site::new("https://room9.example.org/");
    let mut serve = Serve::start(&site);

    let home = get(&serve.url);
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let body = unescape(&home.body);
    assert!(body.contains("Third post"), "{body}");
    assert!(body.contains("href=\"/posts/third/\""), "{body}");
    // Absolute URLs (canonical, feeds) point at the preview, not at the real site.
    assert!(
        body.contains(&format!("rel=\"canonical\" href=\"{}\"", serve.url)),
        "{body}"
    );
    assert!(!body.contains("room9.example.org"), "{body}");
    assert!(
        body.contains("src=\"/__staffroom/reload.js\""),
        "the reload script is added"
    );

    let page = get(&format!("{}posts/first/", serve.url));
    assert!(page.body.contains("First words."));
    let (mut events, hello) = Events::open(&serve.url);
    assert!(hello.data.contains("\"error\":null"), "{}", hello.data);

    let saved = Instant::now();
    site.write(
        "content/posts/first.md",
        &post("First post", "2024-01-01", "Edited words."),
    );
    let reload = events.wait_for("reload", TWO_SECONDS);
    let took = saved.elapsed();
    assert!(reload.is_some(), "no reload event within 2 s of the save");
    let page = get(&format!("{}posts/first/", serve.url));
    assert!(page.body.contains("Edited words."), "{}", page.body);
    assert!(took < TWO_SECONDS, "{took:?}");

    // serve never writes into the site (public/ stays as `build` left it).
    assert!(!site.path().join("public").exists());
    // The pages it rebuilt are named on the terminal.
    // The line may still be on its way from the child process: wait for it.
    let mut said = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !said
        .iter()
        .any(|l: &String| l.contains("content/posts/first.md changed"))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match serve.stdout.recv_timeout(left) {
            Ok(line) => said.push(line),
            Err(_) => panic!("the rebuild was not named on the terminal: {said:?}"),
        }
    }

    assert!(serve.interrupt(), "Ctrl-C stops serve with exit code 0");
    // Read to the end of the output: the last lines may still be on their way.
    let said = serve.rest_of_stdout(Duration::from_secs(10));
    assert!(said.iter().any(|l| l == "Stopped."), "{said:?}");
}

#[test]
fn traversal_in_any_spelling_gets_404() {
    let site = Site::new("https://room9.example.org/");
    let serve = Serve::start(&site);
    for path in [
        "/../../../../etc/passwd",
        "/posts/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/..\\..\\..\\..\\etc\\passwd",
        "/..%5c..%5c..%5cetc%5cpasswd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        "http://evil.example/../../etc/passwd",
        "/C:%5cWindows%5cwin.ini",
    ] {
        let (status, text) = raw_status(&serve.origin, path);
        assert_eq!(status, 404, "{path}");
        assert!(!text.contains("root:"), "{path} leaked a file");
    }
}

#[test]
fn missing_pages_get_the_sites_404_page_and_head_works() {
    let site = Site::new("https://room9.example.org/");
    let serve = Serve::start(&site);

    let missing = get(&format!("{}no/such/page/", serve.url));
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("<title>Page not found"),
        "{}",
        missing.body
    );
    assert!(missing.body.contains("__staffroom/reload.js"));

    let url = format!("{}posts/second/", serve.url);
    let full = get(&url);
    let head = serve_support::fetch("HEAD", &url);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(full.body.len().to_string().as_str())
    );

    let css = get(&format!("{}extra.css", serve.url));
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.header("cache-control"), Some("no-store"));
    let feed = get(&format!("{}atom.xml", serve.url));
    assert!(
        feed.header("content-type")
            .is_some_and(|t| t.contains("xml")),
        "{:?}",
        feed.headers
    );
    assert!(
        !feed.body.contains("reload.js"),
        "only HTML gets the script"
    );

    // A folder without its slash is sent to the slash, so relative links work.
    let bare = get(&format!("{}posts/second", serve.url));
    assert_eq!(bare.status, 302);
    assert_eq!(bare.header("location"), Some("/posts/second/"));
}

#[test]
fn a_site_under_a_sub_path_is_served_under_that_path() {
    let site = Site::new("https://teacher.github.io/blog/");
    let serve = Serve::start(&site);
    assert!(serve.url.ends_with("/blog/"), "{}", serve.url);

    let root = get(&format!("{}/", serve.origin));
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location"), Some("/blog/"));
    let bare = get(&format!("{}/blog", serve.origin));
    assert_eq!(bare.header("location"), Some("/blog/"));

    let home = get(&serve.url);
    assert_eq!(home.status, 200);
    let body = unescape(&home.body);
    assert!(body.contains("href=\"/blog/posts/third/\""), "{body}");
    assert!(
        body.contains(&format!("rel=\"canonical\" href=\"{}\"", serve.url)),
        "{body}"
    );
    assert!(
        body.contains("src=\"/blog/__staffroom/reload.js\""),
        "{body}"
    );
    assert_eq!(
        get(&format!("{}/blog/posts/first/", serve.origin)).status,
        200
    );
    assert_eq!(get(&format!("{}/posts/first/", serve.origin)).status, 404);

    let (mut events, _) = Events::open(&serve.url);
    site.write(
        "content/posts/third.md",
        &post("Third post", "2024-03-01", "Moved on."),
    );
    assert!(events.wait_for("reload", TWO_SECONDS).is_some());
    assert!(
        get(&format!("{}posts/third/", serve.url))
            .body
            .contains("Moved on.")
    );
}

#[test]
fn a_broken_edit_keeps_the_last_good_site_shows_the_error_and_a_fix_reloads() {
    let site = Site::new("https://room9.example.org/");
    let serve = Serve::start(&site);
    let url = format!("{}posts/first/", serve.url);
    let (mut events, _) = Events::open(&serve.url);

    site.write(
        "content/posts/first.md",
        "---\ntitle: Lesson 1: Density\ndate: 2024-01-01\n---\nBroken words.\n",
    );
    let failed = events
        .wait_for("build-error", TWO_SECONDS)
        .expect("a build-error event");
    assert!(
        failed.data.contains("first.md:2"),
        "file and line: {}",
        failed.data
    );
    let page = get(&url);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("First words."),
        "the last good page is served"
    );

    // A page opened while the site is broken learns of the error as it connects.
    let (_late, hello) = Events::open(&serve.url);
    assert!(hello.data.contains("first.md:2"), "{}", hello.data);

    site.write(
        "content/posts/first.md",
        &post("First post", "2024-01-01", "Fixed words."),
    );
    let fixed = events
        .wait_for("reload", TWO_SECONDS)
        .expect("a reload after the fix");
    assert!(fixed.data.contains("\"error\":null"), "{}", fixed.data);
    assert!(get(&url).body.contains("Fixed words."));
}

#[test]
fn a_stylesheet_change_is_swapped_without_a_reload() {
    let site = Site::new("https://room9.example.org/");
    let serve = Serve::start(&site);
    let (mut events, _) = Events::open(&serve.url);
    site.write("static/extra.css", "body { color: rgb(200, 0, 0); }\n");
    let e = events
        .next(TWO_SECONDS)
        .expect("an event for the CSS change");
    assert_eq!(e.name, "css", "{e:?}");
    assert!(get(&format!("{}extra.css", serve.url)).body.contains("200"));
}

#[test]
fn build_output_never_carries_the_reload_script() {
    let site = Site::new("https://room9.example.org/");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_staffroom"))
        .args(["build", "--quiet", "--root"])
        .arg(site.path())
        .status()
        .expect("build runs");
    assert!(status.success());
    let public = site.path().join("public");
    let files = files_under(&public);
    assert!(files.len() > 10, "{files:?}");
    for f in files {
        let bytes = std::fs::read(public.join(&f)).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("__staffroom"),
            "{} has the reload script",
            f.display()
        );
    }
}

#[test]
fn a_busy_port_named_by_the_user_is_a_clear_error() {
    let site = Site::new("https://room9.example.org/");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_staffroom"))
        .args(["serve", "--port", &port, "--root"])
        .arg(site.path())
        .output()
        .expect("serve runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("--port {port}: port {port} is in use")),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn files_are_served_in_byte_ranges_so_safari_plays_video() {
    let site = Site::new("https://room9.example.org/");
    site.write("static/clip.mp4", "0123456789");
    let serve = Serve::start(&site);
    let url = format!("{}clip.mp4", serve.url);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let ask = |range: &str| {
        let mut r = agent.get(&url).header("Range", range).call().unwrap();
        let header = |n: &str| r.headers().get(n).map(|v| v.to_str().unwrap().to_string());
        let (range, accept) = (header("content-range"), header("accept-ranges"));
        let status = r.status().as_u16();
        (
            status,
            range,
            accept,
            r.body_mut().read_to_string().unwrap(),
        )
    };
    let (status, range, accept, body) = ask("bytes=2-5");
    assert_eq!((status, body.as_str()), (206, "2345"));
    assert_eq!(range.as_deref(), Some("bytes 2-5/10"));
    assert_eq!(accept.as_deref(), Some("bytes"));
    assert_eq!(ask("bytes=-3").3, "789");
    let (status, range, _, _) = ask("bytes=20-");
    assert_eq!((status, range.as_deref()), (416, Some("bytes */10")));
    // Pages carry the reload script, so they are always sent whole.
    let page = format!("{}posts/second/", serve.url);
    let whole = agent
        .get(&page)
        .header("Range", "bytes=0-3")
        .call()
        .unwrap();
    assert_eq!(whole.status().as_u16(), 200);
}
