//! Issue #15, "Files copied by hand build too": real Jekyll and Hugo sources
//! (tests/fixtures/import/, never edited) copied into a new site the way a teacher
//! would, without an importer, build with no error and no silent loss.
//!
//! The teacher's copy, written down once (`copy_by_hand`):
//! - Jekyll: `_posts/*` → content/posts/; the site's own files at the top of the
//!   folder that are pages (`*.md`, `*.markdown`, `*.html`; not README.md) →
//!   content/pages/.
//! - Hugo: `content/post/` or `content/posts/`, with its folders and bundles →
//!   content/posts/; everything else under `content/` → content/pages/, in the same
//!   folders.
//! - a minimal site.toml (title, base_url, author).
//!
//! Every file copied is then a post or page built, a draft left out, a file of a
//! bundle, or a file the summary names with why.

mod common;

use std::path::{Path, PathBuf};

use common::TestSite;

const SITE_TOML: &str = "title = \"Ms Rivera's class\"\nbase_url = \"https://rivera.example.org/\"\n\n[author]\nname = \"A. Rivera\"\n";

fn fixture(name: &str) -> PathBuf {
    common::repo().join("tests/fixtures/import").join(name)
}

/// The site a teacher makes by copying `name`'s files across by hand.
fn copy_by_hand(name: &str) -> TestSite {
    let site = TestSite::new();
    site.file("site.toml", SITE_TOML);
    let from = fixture(name);
    let posts = site.root().join("content/posts");
    let pages = site.root().join("content/pages");
    if from.join("_posts").is_dir() {
        copy_files(&from.join("_posts"), &posts);
        for entry in std::fs::read_dir(&from).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let page = ["md", "markdown", "html"].contains(&ext);
            if path.is_file() && page && !path.ends_with("README.md") {
                copy(&path, &pages.join(path.file_name().unwrap()));
            }
        }
    }
    let content = from.join("content");
    if content.is_dir() {
        for entry in std::fs::read_dir(&content).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap();
            if path.is_dir() && (name == "post" || name == "posts") {
                copy_files(&path, &posts);
            } else if path.is_dir() {
                copy_files(&path, &pages.join(name));
            } else {
                copy(&path, &pages.join(name));
            }
        }
    }
    site
}

fn copy_files(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            copy(
                entry.path(),
                &to.join(entry.path().strip_prefix(from).unwrap()),
            );
        }
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
}

/// Every file under the site's content/, relative to the site (`content/posts/a.md`).
fn copied(site: &TestSite) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(site.root().join("content"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| rel(site, e.path()))
        .collect();
    files.sort();
    files
}

fn rel(site: &TestSite, path: &Path) -> String {
    path.strip_prefix(site.root())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// Files beside a bundle's index: copied with its page.
fn bundle_files(site: &TestSite) -> usize {
    let content = site.root().join("content");
    copied(site)
        .iter()
        .filter(|f| !is_markdown(f))
        .filter(|f| {
            site.root()
                .join(f)
                .ancestors()
                .skip(1)
                .take_while(|d| *d != content)
                .any(|d| d.join("index.md").is_file())
        })
        .count()
}

fn is_markdown(file: &str) -> bool {
    [".md", ".markdown", ".mdown", ".mkd", ".mkdn"]
        .iter()
        .any(|x| file.ends_with(x))
}

/// The numbers of the summary's "Built N posts and M pages" and "Left out N drafts".
fn counted(stdout: &str) -> (usize, usize, usize) {
    let number = |pattern: &str| {
        regex::Regex::new(pattern)
            .unwrap()
            .captures(stdout)
            .map_or(0, |c| c[1].parse().unwrap())
    };
    (
        number(r"Built (\d+) posts?"),
        number(r"and (\d+) pages? into"),
        number(r"Left out (\d+) drafts?"),
    )
}

/// The files the summary names as not built (with `--verbose`, one a line).
fn named(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  content/"))
        .map(|l| format!("content/{}", l.split(": ").next().unwrap()))
        .collect()
}

/// Builds with `--verbose` (every file named) and checks the teacher's promise: exit 0,
/// and each copied file built, left out as a draft, copied with its bundle, or named.
/// Returns the build's stdout, with the site's folder as [SITE].
fn build_and_account(site: &TestSite) -> (String, String) {
    let run = site.run(&["build", "--verbose"]);
    let (stdout, stderr) = (run.stdout(), run.stderr());
    assert_eq!(run.code(), 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    let files = copied(site);
    let not_built = named(&stdout);
    for f in &not_built {
        assert!(files.contains(f), "named a file that is not there: {f}");
    }
    let (posts, pages, drafts) = counted(&stdout);
    assert_eq!(
        posts + pages + drafts + bundle_files(site) + not_built.len(),
        files.len(),
        "some copied file is neither built nor named:\n{stdout}\nfiles: {files:#?}"
    );
    let summary: String = stdout
        .lines()
        .filter(|l| !l.starts_with(char::is_whitespace) || l.starts_with("  content/"))
        .filter(|l| !l.contains(" took ") && !l.contains(" ms"))
        .map(|l| format!("{l}\n"))
        .collect();
    let shown = staffroom::error::shown(site.root());
    (
        summary.replace(&shown, "[SITE]"),
        stderr.replace(&shown, "[SITE]"),
    )
}

#[test]
fn jekyll_docs_posts_build_as_copied() {
    let site = copy_by_hand("jekyll-docs");
    let (summary, warnings) = build_and_account(&site);
    assert_eq!(counted(&summary), (102, 0, 0), "{summary}");
    // 96 of them are .markdown files, dated `2013-05-06 02:12:52 +0200`.
    let first = site.read("posts/jekyll-1-0-0-released/index.html");
    assert!(first.contains("2013-05-06"), "the Jekyll date was not read");
    // No `date:` at all: the file name's date, and the slug without it.
    let undated = site.read("posts/making-it-easier-to-contribute-to-jekyll/index.html");
    assert!(undated.contains("2016-03-10"), "not dated by its file name");
    // `category: release` is Jekyll's one category.
    assert!(site.exists("categories/release/index.html"));
    // The one date Jekyll reads and we cannot is named, and the day of the name kept.
    assert!(
        warnings.contains("2023-01-29-jekyll-3-9-3-released.markdown:3: `date` `2023-01-29 18:30:22 2023 -0800` is not a date"),
        "{warnings}"
    );
    assert!(
        site.read("posts/jekyll-3-9-3-released/index.html")
            .contains("2023-01-29")
    );
    insta::assert_snapshot!("jekyll_docs", summary);
}

#[test]
fn jekyll_lanyon_builds_as_copied() {
    let site = copy_by_hand("jekyll-lanyon");
    let (summary, _) = build_and_account(&site);
    assert_eq!(counted(&summary), (3, 2, 0), "{summary}");
    for (slug, day) in [
        ("whats-jekyll", "2020-04-01"),
        ("example-content", "2020-04-02"),
        ("introducing-lanyon", "2020-04-03"),
    ] {
        let page = site.read(&format!("posts/{slug}/index.html"));
        assert!(page.contains(day), "{slug} is not dated {day}");
    }
    assert!(site.exists("about/index.html"));
    insta::assert_snapshot!("jekyll_lanyon", summary);
}

#[test]
fn hugo_basic_builds_as_copied() {
    let site = copy_by_hand("hugo-basic");
    let (summary, _) = build_and_account(&site);
    assert_eq!(counted(&summary), (5, 3, 0), "{summary}");
    assert!(site.exists("posts/markdown-syntax/index.html"));
    // The section page's `aliases = ["posts", ...]` must not take /posts/.
    assert!(
        !site.exists("posts/index.html"),
        "/posts/ became a redirect"
    );
    assert!(!site.exists("articles/index.html"));
    assert!(site.exists("about-us/index.html"), "about.md's alias");
    insta::assert_snapshot!("hugo_basic", summary);
}

#[test]
fn hugo_papermod_builds_as_copied() {
    let site = copy_by_hand("hugo-papermod");
    let (summary, _) = build_and_account(&site);
    assert_eq!(counted(&summary), (11, 1, 4), "{summary}");
    // A page bundle, its images beside it.
    assert!(site.exists("posts/papermod-features/index.html"));
    assert!(site.exists("posts/papermod-features/images/homeinfo.jpg"));
    // Three languages of one post shared an alias; only English is built.
    assert!(site.exists("posts/markdown-syntax/index.html"));
    assert!(site.exists("migrate-from-jekyl/index.html"));
    insta::assert_snapshot!("hugo_papermod", summary);
}

#[test]
fn a_site_in_the_language_of_a_translation_builds_the_translation() {
    let site = copy_by_hand("hugo-papermod");
    site.file("site.toml", &format!("language = \"fr\"\n{SITE_TOML}"));
    let (summary, _) = build_and_account(&site);
    let post = site.read("posts/markdown-syntax/index.html");
    assert!(
        post.contains("Markdown Syntax Guide For L2"),
        "not the French one"
    );
    assert!(
        summary.contains("content/posts/markdown-syntax.md: not built: its translation content/posts/markdown-syntax.fr.md is in the site's language, `fr`"),
        "{summary}"
    );
    assert!(
        summary.contains("content/posts/markdown-syntax.fa.md: a translation (`fa` in its name)"),
        "{summary}"
    );
}

/// A teacher who copies Hugo's content/ as it is: nothing is lost without a word, and
/// the summary says where to move what.
#[test]
fn hugo_content_copied_as_it_is_is_named_with_where_to_move_it() {
    let site = TestSite::new();
    copy_files(&fixture("hugo-basic/content"), &site.root().join("content"));
    let run = site.run(&["build"]);
    let out = run.stdout();
    assert_eq!(run.code(), 0, "{out}{}", run.stderr());
    assert!(out.contains("Built 0 posts and 0 pages"), "{out}");
    assert!(
        out.contains("  content/post/ (6 files): not in content/posts/ or content/pages/"),
        "{out}"
    );
    assert!(
        out.contains("  content/about.md: not in content/posts/ or content/pages/, the folders staffroom builds, so it is not built: move it to content/pages/about.md for a page, or content/posts/about.md for a post"),
        "{out}"
    );
    assert!(
        out.contains("(`staffroom build --verbose` names each file)"),
        "{out}"
    );
    let all = site.run(&["build", "--verbose"]).stdout();
    assert!(
        all.contains("  content/post/emoji-support.md: not in content/posts/"),
        "{all}"
    );
}

/// One missing title used to hide every missing date behind it, one layer per build.
#[test]
fn every_problem_of_every_file_in_one_pass() {
    let site = TestSite::new();
    site.post("a.md", "date: 2024-01-01", "no title");
    site.post("b.md", "title: B", "no date");
    site.post("c.md", "title: C\ndraft: maybe", "no date, a bad draft");
    site.post(
        "d.md",
        "title: D\ndate: 2024-01-04",
        "[see](a.md) and [gone](zz.md)",
    );
    let err = site.run(&["build"]).user_error();
    for expected in [
        "a.md:1: the front matter has no title",
        "b.md:1: the post has no date",
        "c.md:3: `draft` must be true or false",
        "c.md:1: the post has no date",
        "d.md:5:17: the link `zz.md`",
        "5 problems found.",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
    assert!(
        !err.contains("`a.md`"),
        "a.md's own error is enough:\n{err}"
    );
}
