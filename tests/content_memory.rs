//! The memory a build takes for one huge post, whatever the post is made of: dense
//! inline Markdown (emphasis, inline HTML) made pulldown-cmark's tree of the text 20 to
//! 50 times the post, and each of the three feeds held a copy of the post's HTML.
//! Unix only: the peak is read with `wait4`.
#![cfg(unix)]

mod common;

use std::path::Path;

use common::TestSite;

/// Runs the binary to its end and returns its peak resident size in bytes, from the
/// kernel's accounting of that one child (`wait4`).
#[allow(unsafe_code)]
fn peak_rss(root: &Path, code: i32) -> u64 {
    // Waited for by wait4 below, which also gives the child's resource use.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_staffroom"))
        .arg("--root")
        .arg(root)
        .args(["build", "--quiet"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child, not yet waited for.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == code,
        "{status}"
    );
    usage.ru_maxrss as u64 * 1024
}

fn check_shape(unit: &str, mb: usize, code: i32) -> TestSite {
    let small = TestSite::new();
    small.post("a.md", "title: A\ndate: 2024-01-01", "Hello.");
    let base = peak_rss(small.root(), 0);
    let site = TestSite::new();
    let body = unit.repeat(mb * 1024 * 1024 / unit.len()) + "\n";
    site.post("big.md", "title: Big\ndate: 2024-01-01", &body);
    let peak = peak_rss(site.root(), code);
    // Beyond what a one-line post takes. What is left is the post, its HTML (about
    // three times the post for `_a_ `) and the page made from it.
    let ratio = peak.saturating_sub(base) as f64 / body.len() as f64;
    assert!(
        ratio < 15.0,
        "{unit:?}: peak {peak} bytes, {ratio:.1} times the post"
    );
    site
}

#[test]
fn a_post_of_emphasis_pairs_stays_within_a_small_multiple_of_its_size() {
    let site = check_shape("_a_ ", 4, 0);
    let page = site.read("posts/big/index.html");
    assert_eq!(
        page.matches("<p><em>a</em>").count(),
        1,
        "one paragraph, as written"
    );
    assert_eq!(page.matches("<em>a</em>").count(), 1024 * 1024);
    let atom = site.read("atom.xml");
    assert!(
        atom.len() < 200_000,
        "the feed has the summary: {}",
        atom.len()
    );
    assert!(atom.contains("Read the whole post"));
}

#[test]
fn a_post_of_inline_html_stays_within_a_small_multiple_of_its_size() {
    let site = check_shape("<span>", 4, 0);
    let page = site.read("posts/big/index.html");
    // The post's spans, and none of them cut apart.
    assert!(page.matches("<span>").count() >= 4 * 1024 * 1024 / 6);
    assert!(!page.contains("&lt;"));
}

#[test]
fn a_post_that_would_make_more_html_than_a_page_holds_stops_early() {
    // `[^1] ` makes 57 bytes of HTML: 4 MB of it would be a 45 MB page. It was
    // written out whole and copied three times before the page was refused.
    let site = check_shape("[^1] ", 4, 1);
    let out = site.run(&["build"]);
    assert_eq!(out.code(), 1);
    let err = out.stderr();
    assert!(
        err.contains("posts/big.md") && err.contains("more than 32 MB of HTML"),
        "{err}"
    );
    assert!(err.contains("split it into several posts"), "{err}");
}
