//! Fixture sites, as Zola and mdBook keep them: every folder in `tests/sites/valid/`
//! is a whole site that must build, and the whole text of its key pages is a
//! snapshot; every folder in `tests/sites/invalid/` is a site with one kind of
//! mistake a teacher makes, and the whole of what `staffroom build` says about it,
//! with its exit code, is a snapshot. A changed page or message is then a diff to
//! review (`cargo insta review`), not a `contains(` that still passes.
//!
//! Snapshots are in `tests/sites/snapshots/`. A new site needs a row below (a folder
//! without one fails `every_fixture_site_has_a_row`); make its snapshots with
//! `INSTA_UPDATE=always cargo test --test sites NAME` and read them before committing.
//! What differs between runs is replaced: the temp folder by `[SITE]`, and the year
//! of the build in the footer by `[BUILD YEAR]`. Nothing else is stripped.

mod common;

use std::path::{Path, PathBuf};

use common::TestSite;

/// `valid! { name: ["page", ...], ... }`: one `#[test]` per site in
/// `tests/sites/valid/name` (underscores as dashes), snapshotting these output files.
macro_rules! valid {
    ($($name:ident: [$($page:literal),* $(,)?]),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                build_valid(stringify!($name), &[$($page),*]);
            }
        )*
        const VALID: &[(&str, &[&str])] = &[$((stringify!($name), &[$($page),*])),*];
    };
}

/// `invalid! { name: "what the teacher did", ... }`: one `#[test]` per site in
/// `tests/sites/invalid/name` (underscores as dashes).
macro_rules! invalid {
    ($($name:ident: $intent:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                build_invalid(stringify!($name), $intent);
            }
        )*
        const INVALID: &[&str] = &[$(stringify!($name)),*];
    };
}

valid! {
    blog: [
        "index.html",
        "page/2/index.html",
        "posts/pond-dipping/index.html",
        "posts/magnets/index.html",
        "tags/science/index.html",
        "categories/lessons/index.html",
        "about/index.html",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
    ],
    network: [
        "network/index.html",
        "blogroll.opml",
        "posts/fractions-wall/index.html",
        "posts/number-talks/index.html",
    ],
    own_templates: [
        "index.html",
        "posts/sunflowers/index.html",
        "posts/planting-day/index.html",
        "2024/04/sunflowers.html",
        "tags/outdoor-learning/index.html",
    ],
    bundles_and_drafts: [
        "index.html",
        "posts/field-trip/index.html",
        "posts/contours/index.html",
        "archive/index.html",
        "atom.xml",
    ],
}

invalid! {
    // Front matter
    tags_not_a_list: "tags written as a table instead of a list",
    no_title: "a post without a title",
    front_matter_never_closed: "the closing --- of the front matter forgotten",
    date_that_does_not_exist: "29 February in a year that is not a leap year",
    many_mistakes_at_once: "four posts, three with mistakes: no date; month 13; a title that is a list and draft: maybe",
    two_posts_one_address: "posts/a.md and posts/2024/a.md, which both become /posts/a/",
    // Templates
    template_syntax_error: "a template with a `}` missing",
    template_missing_variable: "a template printing a variable that does not exist",
    template_unknown_filter: "a template using a filter that does not exist",
    template_includes_missing_file: "a template including a file that does not exist",
    // Links
    link_to_missing_post: "a link to a post that does not exist",
    alias_takes_a_page: "an alias that is the address of a page",
    missing_image: "an image that is not in static/ (a warning: the rest of the site is fine)",
    // site.toml
    base_url_without_a_scheme: "base_url without https://",
    posts_per_page_as_text: "posts_per_page written in words",
    no_site_toml: "a folder with posts but no site.toml",
    site_toml_misspelt_key: "site.toml with two keys spelt wrong",
    // network.toml and the network cache
    network_blog_without_feed: "a blog without a feed",
    network_feed_not_an_address: "a feed written without https://",
    network_same_blog_twice: "one feed followed twice under two names",
    network_toml_not_toml: "network.toml with a name not in quotes",
    network_cache_corrupt: "a network cache file cut off in the middle",
    // Responses kept in data/responses/
    response_misspelt_key: "a response file with `author` spelt wrong",
    response_target_not_a_post: "a response to an address that is none of the posts (a warning)",
}

fn fixture(kind: &str, name: &str) -> PathBuf {
    common::repo()
        .join("tests/sites")
        .join(kind)
        .join(name.replace('_', "-"))
}

fn build_valid(name: &str, pages: &[&str]) {
    let site = TestSite::copy_of(&fixture("valid", name));
    let run = site.run(&["build"]);
    let said = said(&site, &run);
    assert_eq!(run.code(), 0, "{said}");
    let year = chrono::Utc::now().format("%Y").to_string();
    insta::with_settings!({
        snapshot_path => "sites/snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(snapshot_name("valid", name, Some("build")), said);
        for page in pages {
            let text = site
                .read(page)
                .replace(&format!("&copy; {year} "), "&copy; [BUILD YEAR] ");
            insta::with_settings!({ description => *page }, {
                insta::assert_snapshot!(snapshot_name("valid", name, Some(page)), text);
            });
        }
    });
}

fn build_invalid(name: &str, intent: &str) {
    let site = TestSite::copy_of(&fixture("invalid", name));
    let run = site.run(&["build"]);
    let said = said(&site, &run);
    for bug in ["panicked", "RUST_BACKTRACE", "staffroom hit a bug"] {
        assert!(!said.contains(bug), "`{bug}` in the output\n{said}");
    }
    match run.code() {
        1 => assert!(!site.public().exists(), "a failed build wrote public/"),
        0 => {}
        code => panic!("exit {code}: only 0 or 1 are allowed\n{said}"),
    }
    insta::with_settings!({
        snapshot_path => "sites/snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => intent,
    }, {
        insta::assert_snapshot!(
            snapshot_name("invalid", name, None),
            format!("exit: {}\n{said}", run.code())
        );
    });
}

/// Everything the command printed, with the site's temp folder as `[SITE]`.
fn said(site: &TestSite, run: &common::Run) -> String {
    let mut text = format!("--- stdout\n{}--- stderr\n{}", run.stdout(), run.stderr());
    let root = site.root().to_path_buf();
    let real = root.canonicalize().unwrap_or_else(|_| root.clone());
    // Messages show paths with `/` (error::shown), on Windows too.
    for dir in [real, root] {
        text = text.replace(&staffroom::error::shown(&dir), "[SITE]");
    }
    text
}

/// `valid__blog__posts_magnets_index.html`: the snapshot's name, without `.snap`.
fn snapshot_name(kind: &str, site: &str, page: Option<&str>) -> String {
    match page {
        Some(page) => format!("{kind}__{site}__{}", page.replace('/', "_")),
        None => format!("{kind}__{site}"),
    }
}

/// A fixture folder without a row would never be built, and a snapshot without a
/// row is left over from a renamed site or page.
#[test]
fn every_fixture_site_has_a_row() {
    let valid: Vec<&str> = VALID.iter().map(|(name, _)| *name).collect();
    for (kind, rows) in [("valid", &valid[..]), ("invalid", INVALID)] {
        let mut folders = names_in(&common::repo().join("tests/sites").join(kind));
        folders.sort();
        let mut named: Vec<String> = rows.iter().map(|n| n.replace('_', "-")).collect();
        named.sort();
        assert_eq!(
            folders, named,
            "tests/sites/{kind}/ and the rows of tests/sites.rs"
        );
    }
    let mut expected: Vec<String> = VALID
        .iter()
        .flat_map(|(site, pages)| {
            std::iter::once("build")
                .chain(pages.iter().copied())
                .map(|page| snapshot_name("valid", site, Some(page)))
        })
        .chain(
            INVALID
                .iter()
                .map(|site| snapshot_name("invalid", site, None)),
        )
        .map(|name| format!("{name}.snap"))
        .collect();
    expected.sort();
    let mut found = names_in(&common::repo().join("tests/sites/snapshots"));
    found.sort();
    let stray: Vec<&String> = found.iter().filter(|f| !expected.contains(f)).collect();
    assert!(
        stray.is_empty(),
        "snapshots without a site or page: {stray:?}"
    );
}

fn names_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}
