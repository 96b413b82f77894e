//! `staffroom import` of real Jekyll and Hugo folders (tests/fixtures/import/, copied
//! to a temporary folder first), and `build` / `check` naming other generators'
//! leftovers in files copied by hand.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Run, TestSite, repo};

/// A site made by `staffroom init`, and a copy of the old site beside it.
struct Move {
    dir: tempfile::TempDir,
}

/// The whole folder, as a teacher would give it (`common::copy_dir` leaves out public/).
fn copy_all(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

impl Move {
    fn new(fixture: &str) -> Move {
        let dir = tempfile::tempdir().unwrap();
        copy_all(
            &repo().join("tests/fixtures/import").join(fixture),
            &dir.path().join("old"),
        );
        let m = Move { dir };
        m.staffroom(&["init", m.site().to_str().unwrap()]).ok();
        m
    }

    fn site(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    fn old(&self) -> PathBuf {
        self.dir.path().join("old")
    }

    fn staffroom(&self, args: &[&str]) -> Run {
        let out = assert_cmd::Command::cargo_bin("staffroom")
            .unwrap()
            .env_remove("GITHUB_ACTIONS")
            .args(args)
            .output()
            .unwrap();
        Run(out)
    }

    fn import(&self) -> Run {
        let run = self.staffroom(&[
            "--root",
            self.site().to_str().unwrap(),
            "import",
            self.old().to_str().unwrap(),
        ]);
        run.ok();
        run
    }

    fn build(&self) -> Run {
        let run = self.staffroom(&["--root", self.site().to_str().unwrap(), "build"]);
        run.ok();
        run
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.site().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// The report with the temporary folder's name taken out.
    fn shown(&self, report: &str) -> String {
        report.replace(&self.dir.path().display().to_string(), "[TMP]")
    }

    /// Every file the site holds, with its bytes.
    fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        walkdir::WalkDir::new(self.site())
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_type().is_file() && !e.path().starts_with(self.site().join("public"))
            })
            .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
            .collect()
    }

    /// The old URL answers with a redirect page to the post.
    fn redirects(&self, old: &str, to: &str) {
        let page = self
            .site()
            .join("public")
            .join(old.trim_start_matches('/'))
            .join("index.html");
        let html = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{old}: {e}"));
        assert!(
            html.contains("http-equiv=\"refresh\"") && html.contains(to),
            "{old}: {html}"
        );
    }
}

/// The leftovers a report listed and those a build warned about, as (file, line).
fn leftovers_listed(report: &str) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = report
        .lines()
        .filter_map(|l| {
            let l = l.trim_start().strip_prefix("content/")?;
            let (file, rest) = l.split_once(':')?;
            let line = rest.split(':').next()?.parse().ok()?;
            Some((format!("content/{file}"), line))
        })
        .collect();
    v.sort();
    v
}

fn leftovers_warned(site: &Path, stderr: &str) -> Vec<(String, usize)> {
    let prefix = format!("warning: {}/", site.display());
    let mut v: Vec<(String, usize)> = stderr
        .lines()
        .filter(|l| l.contains("which staffroom shows as text"))
        .filter_map(|l| {
            let l = l.strip_prefix(&prefix)?;
            let mut parts = l.splitn(3, ':');
            Some((parts.next()?.to_string(), parts.next()?.parse().ok()?))
        })
        .collect();
    v.sort();
    v
}

fn second_import_changes_nothing(m: &Move) {
    let before = m.files();
    let again = m.import().stdout();
    assert!(
        again.contains("Wrote 0 posts, 0 drafts, 0 pages, 0 responses, 0 files."),
        "{again}"
    );
    assert_eq!(m.files(), before, "a second import changed files");
}

#[test]
fn jekyll_lanyon_moves_in() {
    let m = Move::new("jekyll-lanyon");
    let report = m.import().stdout();
    insta::assert_snapshot!("lanyon_report", m.shown(&report));
    assert!(
        report.contains("Wrote 3 posts, 0 drafts, 1 page"),
        "{report}"
    );
    let post = m.read("content/posts/whats-jekyll.md");
    assert!(
        post.starts_with("---\ntitle: What's Jekyll?\ndate: 2020-04-01T00:00:00+00:00\naliases:\n- /2020/04/01/whats-jekyll/\n"),
        "{post}"
    );
    // `{% highlight js %}` became a fence.
    let example = m.read("content/posts/example-content.md");
    assert!(example.contains("```js\n"), "{example}");
    assert!(!example.contains("{%"), "{example}");
    let build = m.build();
    m.redirects("/2020/04/01/whats-jekyll/", "posts/whats-jekyll/");
    assert_eq!(
        leftovers_warned(&m.site(), &build.stderr()),
        leftovers_listed(&report)
    );
    second_import_changes_nothing(&m);
}

#[test]
fn jekyll_drafts_front_matter_and_images() {
    let m = Move::new("jekyll-lanyon");
    let old = m.old();
    std::fs::create_dir_all(old.join("_drafts")).unwrap();
    std::fs::create_dir_all(old.join("assets")).unwrap();
    std::fs::write(old.join("assets/class photo.png"), b"png bytes").unwrap();
    std::fs::write(
        old.join("_drafts/an-idea.md"),
        "---\ntitle: An idea\n---\n\nLater.\n",
    )
    .unwrap();
    std::fs::write(
        old.join("_posts/2014-3-3-field-trip.markdown"),
        "---\ntitle: Field trip\ndate: 2014-03-03 11:16:21 -0800\ncategories: trips school\n\
         tags: outdoors\nexcerpt: We went out.\nredirect_from: /trip.html\nlast_modified_at: 2014-03-05\n\
         published: false\nlayout: post\n---\n\n![Us]({{ site.baseurl }}/assets/class%20photo.png)\n\n\
         Before: [intro]({% post_url 2020-04-03-introducing-lanyon %}).\n",
    )
    .unwrap();
    let report = m.import().stdout();
    assert!(
        report.contains("  4 posts, 1 page, 1 draft\nWrote 3 posts, 2 drafts"),
        "{report}"
    );
    assert!(
        report.contains(
            "_drafts/an-idea.md: has no date, so it was given the day its file was last changed"
        ),
        "{report}"
    );
    assert!(
        m.read("content/posts/an-idea.md")
            .contains("\ndraft: true\n")
    );
    let trip = m.read("content/posts/field-trip/index.md");
    assert_eq!(
        trip,
        "---\ntitle: Field trip\ndate: 2014-03-03T11:16:21-08:00\nupdated: 2014-03-05T00:00:00+00:00\n\
         draft: true\ntags:\n- outdoors\ncategories:\n- trips\n- school\nsummary: We went out.\naliases:\n\
         - /trip.html\n- /trips/school/2014/03/03/field-trip/\nlayout: post\n---\n\n\
         ![Us](class%20photo.png)\n\nBefore: [intro](../introducing-lanyon.md).\n"
    );
    assert_eq!(
        std::fs::read(m.site().join("content/posts/field-trip/class photo.png")).unwrap(),
        b"png bytes"
    );
}

#[test]
fn jekyll_docs_moves_in() {
    let m = Move::new("jekyll-docs");
    let report = m.import().stdout();
    assert!(
        report.contains("  102 posts\nWrote 102 posts, 0 drafts, 0 pages"),
        "{report}"
    );
    let post = m.read("content/posts/jekyll-1-5-1-released.md");
    assert!(post.contains("\n```ruby\n> sanitized_path"), "{post}");
    assert!(!post.contains("highlight"), "{post}");
    // `{% post_url 2013-05-06-jekyll-1-0-0-released %}` links to the post's file.
    let turns = m.read("content/posts/jekyll-turns-2-0-0.md");
    assert!(
        turns.contains("[jekyll-1]: jekyll-1-0-0-released.md\n"),
        "{turns}"
    );
    // `{{ site.repository }}` is the value from _config.yml.
    let lists = m.read("content/posts/jekyll-1-1-0-released.md");
    assert!(
        lists.contains("https://github.com/jekyll/jekyll/releases/tag/v1.1.0"),
        "{lists}"
    );
    // What has no Markdown equivalent is listed at its line in the new file.
    assert!(
        report.contains("  content/posts/jekyll-1-1-0-released.md:25: `{% for issue in issue_numbers %}` is Liquid"),
        "{report}"
    );
    let build = m.build();
    m.redirects(
        "/news/2014/03/27/jekyll-1-5-1-released/",
        "posts/jekyll-1-5-1-released/",
    );
    let listed = leftovers_listed(&report);
    assert!(!listed.is_empty());
    assert_eq!(leftovers_warned(&m.site(), &build.stderr()), listed);
    second_import_changes_nothing(&m);
}

#[test]
fn hugo_basic_moves_in() {
    let m = Move::new("hugo-basic");
    // A figure shortcode showing an image from static/, as a teacher's post would.
    std::fs::create_dir_all(m.old().join("static/images")).unwrap();
    std::fs::write(
        m.old().join("static/images/beach.jpg"),
        b"not really a jpeg",
    )
    .unwrap();
    std::fs::write(
        m.old().join("content/post/trip.md"),
        "+++\ntitle = \"Our trip\"\ndate = 2019-06-01\ntags = [\"trips\"]\n+++\n\nWe went, as [the guide]({{< ref \"markdown-syntax.md\" >}}) says.\n\n\
         {{< figure src=\"/images/beach.jpg\" alt=\"Sand\" caption=\"The beach\" >}}\n",
    )
    .unwrap();
    let report = m.import().stdout();
    insta::assert_snapshot!("hugo_basic_report", m.shown(&report));
    assert!(
        report.contains("Wrote 6 posts, 0 drafts, 1 page, 0 responses, 1 file."),
        "{report}"
    );
    let trip = m.read("content/posts/trip/index.md");
    assert!(
        trip.ends_with("We went, as [the guide](../markdown-syntax.md) says.\n\n![Sand](beach.jpg \"The beach\")\n"),
        "{trip}"
    );
    assert!(m.site().join("content/posts/trip/beach.jpg").is_file());
    let syntax = m.read("content/posts/markdown-syntax.md");
    assert!(syntax.contains("```html\n<!doctype html>"), "{syntax}");
    let math = m.read("content/posts/math-typesetting.md");
    assert!(
        !math.contains("katex.min.js") && math.contains("Inline math: $"),
        "{math}"
    );
    let build = m.build();
    m.redirects("/post/markdown-syntax/", "posts/markdown-syntax/");
    m.redirects("/post/trip/", "posts/trip/");
    assert_eq!(
        leftovers_warned(&m.site(), &build.stderr()),
        leftovers_listed(&report)
    );
    second_import_changes_nothing(&m);
}

#[test]
fn hugo_papermod_moves_in() {
    let m = Move::new("hugo-papermod");
    let report = m.import().stdout();
    assert!(
        report.contains("  11 posts, 1 page, 4 drafts\nWrote 11 posts, 4 drafts"),
        "{report}"
    );
    assert!(
        m.read("content/posts/markdown-syntax.md")
            .contains("title: Markdown Syntax Guide\n")
    );
    assert!(
        report.contains("not imported, translations: archives.fr.md, posts/markdown-syntax.fa.md, posts/markdown-syntax.fr.md, search.fr.md"),
        "{report}"
    );
    assert!(
        report.contains("list pages (_index.md), which the theme makes: posts/inner-section/_index.md, posts/papermod/_index.md"),
        "{report}"
    );
    // A page bundle keeps its files, in their folders.
    for f in ["profile.jpg", "regular.jpg", "homeinfo.jpg"] {
        let file = m
            .site()
            .join("content/posts/papermod-features/images")
            .join(f);
        assert!(file.is_file(), "{}", file.display());
    }
    let build = m.build();
    m.redirects("/papermod-features/", "posts/papermod-features/");
    m.redirects(
        "/posts/papermod/papermod-installation/",
        "posts/papermod-installation/",
    );
    assert_eq!(
        leftovers_warned(&m.site(), &build.stderr()),
        leftovers_listed(&report)
    );
    second_import_changes_nothing(&m);
}

#[test]
fn hugo_translations_in_the_sites_language_come_in_instead() {
    let m = Move::new("hugo-papermod");
    let toml = m
        .read("site.toml")
        .replace("language = \"en\"", "language = \"fr\"");
    std::fs::write(m.site().join("site.toml"), toml).unwrap();
    let report = m.import().stdout();
    assert!(
        report.contains("not imported, translations: archives.md, posts/markdown-syntax.fa.md, posts/markdown-syntax.md, search.md"),
        "{report}"
    );
    let post = m.read("content/posts/markdown-syntax.md");
    assert!(
        post.starts_with("---\ntitle: Markdown Syntax Guide For L2\n"),
        "{post}"
    );
    assert!(!m.site().join("content/posts/markdown-syntax-2.md").exists());
}

#[test]
fn build_and_check_name_each_leftover_in_a_copied_post() {
    let site = TestSite::new();
    site.post(
        "copied.md",
        "title: Copied\ndate: 2024-03-01\ntags: [x]\nsummary: s",
        "A [link]({{ site.baseurl }}/about/).\n\n\
         {% highlight python %}\nprint(1)\n{% endhighlight %}\n\n\
         Shown as code: `{{ site.url }}`\n\n```\n{{< figure src=\"x.jpg\" >}}\n```\n\n\
         {{< youtube abc >}} and [caption id=\"1\"]A[/caption]\n{: .notice}\n",
    );
    let build = site.run(&["build"]);
    build.ok();
    let err = build.stderr();
    let file = site
        .root()
        .join("content/posts/copied.md")
        .display()
        .to_string();
    for (at, what) in [
        ("7:10", "`{{ site.baseurl }}` is a Jekyll site address"),
        (
            "9:1",
            "`{% highlight python %}` is a Jekyll highlight block",
        ),
        ("19:1", "`{{< youtube abc >}}` is a Hugo youtube shortcode"),
        (
            "19:25",
            "`[caption id=\"1\"]` is a WordPress [caption] shortcode",
        ),
        ("19:42", "`[/caption]` is a WordPress [/caption] shortcode"),
        ("20:1", "`{: .notice}` is a kramdown attribute list"),
    ] {
        assert!(
            err.contains(&format!("warning: {file}:{at}: {what}")),
            "{at}: {err}"
        );
    }
    assert_eq!(
        err.matches("which staffroom shows as text").count(),
        6,
        "{err}"
    );
    let check = site.run(&["check"]);
    let out = check.stdout();
    assert!(
        out.contains("  warning: line 9, column 1: `{% highlight python %}` is a Jekyll highlight block, which staffroom shows as text; write a code fence instead"),
        "{out}"
    );
}
