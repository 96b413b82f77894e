//! Live reload in a real browser: headless Chromium, driven over WebDriver through
//! Debian's chromedriver, looks at a post served by `staffroom serve` while the test
//! edits the Markdown file. Nothing in the page is reloaded by the test.
//!
//! Needs `chromium` and `chromium-driver` (scripts/install-browser.sh). Without them
//! the test says so and passes on a developer's machine, but fails under CI=true.
//! Set STAFFROOM_SCREENSHOTS=DIR to keep a picture of the error overlay.

mod serve_support;

use std::path::Path;

use serde_json::{Value, json};
use serve_support::browser::{self, Browser};
use serve_support::{Serve, Site, post};

#[test]
fn the_open_page_follows_edits_css_and_errors_by_itself() {
    if !browser::available() {
        return;
    }
    let site = Site::new("https://room9.example.org/");
    let serve = Serve::start(&site);
    let browser = Browser::start();
    let post_url = format!("{}posts/first/", serve.url);
    browser.go(&post_url);
    browser.wait_until("the post is shown", |b| b.text().contains("First words."));

    // An edit to the Markdown shows up without the test touching the page.
    browser.run("window.staffroomMarker = 'before'; return null;");
    site.write(
        "content/posts/first.md",
        &post("First post", "2024-01-01", "Edited words."),
    );
    browser.wait_until("the edit is shown", |b| b.text().contains("Edited words."));
    assert_eq!(browser.run("return window.location.href;"), json!(post_url));
    assert_eq!(
        browser.run("return window.staffroomMarker || null;"),
        Value::Null,
        "the page was reloaded (by the live-reload script)"
    );

    // A stylesheet change is swapped in place: the page is not reloaded.
    browser.run("window.staffroomMarker = 'kept'; return null;");
    site.write("static/style.css", "body { color: rgb(200, 0, 0); }\n");
    browser.wait_until("the new stylesheet applies", |b| {
        b.run("return getComputedStyle(document.body).color;") == json!("rgb(200, 0, 0)")
    });
    assert_eq!(browser.run("return window.staffroomMarker;"), json!("kept"));

    // A broken file: the page stays, with the error (file and line) over it.
    site.write(
        "content/posts/first.md",
        "---\ntitle: Lesson 1: Density\ndate: 2024-01-01\n---\nBroken.\n",
    );
    browser.wait_for_error_overlay("content/posts/first.md:2");
    assert!(
        browser.text().contains("Edited words."),
        "the last good page stays"
    );
    if let Ok(dir) = std::env::var("STAFFROOM_SCREENSHOTS") {
        browser.screenshot(&Path::new(&dir).join("error-overlay.png"));
    }

    // Fixing it reloads the page by itself, without the overlay.
    site.write(
        "content/posts/first.md",
        &post("First post", "2024-01-01", "Fixed words."),
    );
    browser.wait_until("the fix is shown", |b| {
        b.text().contains("Fixed words.") && b.error_overlay().is_none()
    });
}
