//! What a teacher meets in the first hour (issue #23), through the real binary: images
//! whose file names have spaces, front matter keys in the wrong case or misspelt,
//! help and count texts, `network remove`, footnotes in summaries, file names of new
//! posts, and GitHub annotations (issue #22). Messages are snapshotted whole
//! (tests/snapshots/first_hour_text__NAME.snap, temp-dir paths as `[SITE]`).

mod common;

use std::path::Path;

use common::{Run, TestSite};

/// The exit code and both outputs, with the site's folder written `[SITE]`.
fn shown(site: &TestSite, run: &Run) -> String {
    let norm = |s: String| {
        // Written as messages write paths (with `/` on Windows too).
        let root = staffroom::error::shown(site.root());
        let parent = staffroom::error::shown(site.dir.path());
        s.replace(&root, "[SITE]").replace(&parent, "[DIR]")
    };
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        run.code(),
        norm(run.stdout()),
        norm(run.stderr())
    );
    for bug in ["panicked", "RUST_BACKTRACE", "staffroom hit a bug"] {
        assert!(!text.contains(bug), "{text}");
    }
    text
}

fn snap(name: &str, text: &str) {
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("first_hour_text__{name}"), text);
    });
}

/// A site with one good post, so only the case's own file can go wrong.
fn site() -> TestSite {
    let site = TestSite::new();
    site.post(
        "good.md",
        "title: Good\ndate: 2024-01-01\ntags: [x]",
        "Fine.",
    );
    site
}

// ---- 4. Images whose file names have spaces ----

#[test]
fn an_image_named_with_spaces_is_an_image() {
    let site = site();
    site.file(
        "content/posts/trip/index.md",
        "---\ntitle: Trip\ndate: 2024-02-01\ntags: [x]\n---\nWe went out.\n\n\
         ![Class photo](class photo.JPG) and ![Map](<pond map.JPG> \"The pond\")\n\n\
         `![Code](not an image.png)` and \\![Escaped](not an image.png)\n",
    );
    site.file("content/posts/trip/class photo.JPG", "jpeg bytes");
    site.file("content/posts/trip/pond map.JPG", "jpeg bytes");
    site.run(&["build"]).ok();
    let html = site.read("posts/trip/index.html");
    assert!(
        html.contains("<img src=\"/blog/posts/trip/class%20photo.JPG\" alt=\"Class photo\""),
        "{html}"
    );
    assert!(
        html.contains("src=\"/blog/posts/trip/pond%20map.JPG\""),
        "{html}"
    );
    assert!(
        html.contains("<code>![Code](not an image.png)</code>"),
        "{html}"
    );
    assert!(html.contains("![Escaped](not an image.png)"), "{html}");
    assert!(site.exists("posts/trip/class photo.JPG"));
    let check = site.run(&["check"]);
    assert_eq!(check.code(), 0, "{}", shown(&site, &check));
}

// ---- 6. Front matter keys in the wrong case, or misspelt ----

fn build_error(name: &str, front: &str) {
    let site = site();
    site.post("lesson.md", front, "Text.");
    let run = site.run(&["build"]);
    run.user_error();
    snap(name, &shown(&site, &run));
}

#[test]
fn title_with_a_capital_t() {
    build_error("title_with_a_capital_t", "Title: Density\ndate: 2024-03-01");
}

#[test]
fn draft_with_a_capital_d_is_not_published() {
    build_error(
        "draft_with_a_capital_d",
        "title: Density\ndate: 2024-03-01\nDraft: true",
    );
}

#[test]
fn title_misspelt() {
    build_error("title_misspelt", "tittle: Density\ndate: 2024-03-01");
}

#[test]
fn date_misspelt() {
    build_error("date_misspelt", "title: Density\ndat: 2024-03-01");
}

#[test]
fn a_key_of_ones_own_is_still_kept() {
    let site = site();
    site.post(
        "lesson.md",
        "title: Density\ndate: 2024-03-01\nmood: happy\ntag: x",
        "Text.",
    );
    site.run(&["build"]).ok();
}

// ---- 7. Help and counts ----

#[test]
fn init_help_shows_one_folder() {
    let site = TestSite::new();
    let run = site.run(&["init", "--help"]);
    // `--root` comes first in TestSite::run and is refused for init: the help is
    // asked for before that, so this shows what a teacher sees.
    snap("init_help", &shown(&site, &run));
    assert!(!run.stdout().contains("--root"), "{}", run.stdout());
}

#[test]
fn init_refuses_root_that_is_not_its_folder() {
    let site = TestSite::new();
    let elsewhere = site.dir.path().join("elsewhere");
    let run = site.run(&["init", elsewhere.to_str().unwrap()]);
    run.user_error();
    snap("init_with_root", &shown(&site, &run));
    assert!(!elsewhere.exists());
}

#[test]
fn network_and_webmention_help_explain_their_words() {
    let site = TestSite::new();
    let network = site.run(&["network", "--help"]);
    let webmention = site.run(&["webmention", "--help"]);
    let send = site.run(&["webmention", "send", "--help"]);
    snap(
        "network_and_webmention_help",
        &format!(
            "{}\n{}\n{}",
            shown(&site, &network),
            shown(&site, &webmention),
            shown(&site, &send)
        ),
    );
}

#[test]
fn counts_of_one_are_singular() {
    let site = site();
    site.file(
        "network.toml",
        "[[blog]]\nname = \"A\"\nfeed = \"https://a.example.org/feed\"\n",
    );
    let status = site.run(&["network", "status"]);
    assert!(
        status.stdout().contains("1 blog: 1 not fetched yet"),
        "{}",
        status.stdout()
    );
    let opml = site.dir.path().join("one.opml");
    let export = site.run(&["network", "export", opml.to_str().unwrap()]);
    assert!(
        export.stderr().contains("Wrote 1 blog to"),
        "{}",
        export.stderr()
    );
    let other = TestSite::new();
    let import = other.run(&["network", "import", opml.to_str().unwrap()]);
    assert!(
        import.stdout().starts_with("Imported 1 blog from"),
        "{}",
        import.stdout()
    );
    let build = site.run(&["build"]);
    assert!(
        build.stdout().contains("Built 1 post and 0 pages"),
        "{}",
        build.stdout()
    );
}

// ---- 8. network remove ----

const NETWORK: &str = "# The blogs I follow.\n\n# Maths\n[[blog]]\nname = \"Mr Lee's Maths\"\nfeed = \"https://lee.example.org/feed\" # moved in 2023\n\n# She posts on Sundays\n[[blog]]\nname = \"Maths Mum\"\nsite = \"https://mum.example.net/\"\nfeed = \"https://mum.example.net/rss\"\ntags = [\"maths\"]\n\n# Science\n\n[[blog]]\nname = \"Science Corner\"\nfeed = \"https://sci.example.com/atom.xml\"\n";

fn network_site() -> TestSite {
    let site = site();
    site.file("network.toml", NETWORK);
    site.file("data/network/maths-mum.json", "{\"entries\": []}\n");
    site
}

fn network_toml(site: &TestSite) -> String {
    std::fs::read_to_string(site.root().join("network.toml")).unwrap()
}

#[test]
fn network_remove_by_name_keeps_the_rest_of_the_file() {
    let site = network_site();
    let run = site.run(&["network", "remove", "maths mum"]);
    snap("network_remove_by_name", &shown(&site, &run));
    assert_eq!(run.code(), 0);
    assert_eq!(
        network_toml(&site),
        NETWORK.replace(
            "# She posts on Sundays\n[[blog]]\nname = \"Maths Mum\"\nsite = \"https://mum.example.net/\"\nfeed = \"https://mum.example.net/rss\"\ntags = [\"maths\"]\n\n",
            ""
        )
    );
    // The cache stays until the teacher deletes it, as the message says.
    assert!(site.root().join("data/network/maths-mum.json").exists());
    // Lock files are removed only on Unix (src/lock.rs: Windows cannot delete an open
    // file), so elsewhere the file stays, empty of meaning once its holder is gone.
    assert_eq!(site.root().join(".network.toml.lock").exists(), !cfg!(unix));
    site.run(&["build"]).ok();
}

#[test]
fn network_remove_of_the_first_blog_keeps_the_files_header() {
    let site = network_site();
    site.run(&["network", "remove", "Mr Lee's Maths"]).ok();
    assert!(
        network_toml(&site).starts_with(
            "# The blogs I follow.\n\n# Maths\n\n# She posts on Sundays\n[[blog]]\nname = \"Maths Mum\"\n"
        ),
        "{}",
        network_toml(&site)
    );
}

#[test]
fn network_remove_by_feed_address() {
    let site = network_site();
    let run = site.run(&["network", "remove", "http://www.sci.example.com/atom.xml"]);
    run.ok();
    assert_eq!(
        run.stdout(),
        "Removed Science Corner (https://sci.example.com/atom.xml) from network.toml.\n"
    );
    let left = network_toml(&site);
    assert!(
        left.ends_with("tags = [\"maths\"]\n\n# Science\n"),
        "{left}"
    );
}

#[test]
fn network_remove_of_two_matches_lists_them() {
    let site = network_site();
    let run = site.run(&["network", "remove", "maths"]);
    run.user_error();
    snap("network_remove_ambiguous", &shown(&site, &run));
    assert_eq!(network_toml(&site), NETWORK);
}

#[test]
fn network_remove_of_no_match_lists_close_names() {
    let site = network_site();
    let run = site.run(&["network", "remove", "Sciense Corner"]);
    run.user_error();
    snap("network_remove_no_match", &shown(&site, &run));
    let far = site.run(&["network", "remove", "Physics Today"]);
    far.user_error();
    snap("network_remove_nothing_close", &shown(&site, &far));
    assert_eq!(network_toml(&site), NETWORK);
}

// ---- 11. Footnotes in summaries ----

#[test]
fn a_footnote_in_the_first_paragraph_stays_on_the_post() {
    let site = site();
    site.post(
        "density.md",
        "title: Density\ndate: 2024-03-01\ntags: [x]",
        "Things float[^1] when they are less dense.\n\nMore text.\n\n[^1]: Archimedes saw it first.",
    );
    site.run(&["build"]).ok();
    let home = site.read("index.html");
    assert!(
        home.contains("Things float when they are less dense."),
        "{home}"
    );
    assert!(!home.contains("footnote"), "{home}");
    let tag = site.read("tags/x/index.html");
    assert!(!tag.contains("footnote"), "{tag}");
    let post = site.read("posts/density/index.html");
    assert!(post.contains("footnote-reference"), "{post}");
    let check = site.run(&["check"]);
    snap("footnote_check", &shown(&site, &check));
    assert_eq!(check.code(), 0);
}

// ---- 12. File names of new posts ----

#[test]
fn new_post_file_names_drop_emoji() {
    let site = TestSite::new();
    let run = site.run(&["new", "post", "🌊 Waves & tides ✨"]);
    run.ok();
    assert!(
        site.root().join("content/posts/waves-tides.md").is_file(),
        "{}",
        run.stdout()
    );
    let run = site.run(&["new", "post", "Über Größe"]);
    run.ok();
    assert!(site.root().join("content/posts/uber-grosse.md").is_file());
}

// ---- GitHub annotations (issue #22) ----

/// A site in a folder of a repository, run as on GitHub Actions.
fn on_github(site: &TestSite, args: &[&str]) -> Run {
    std::fs::create_dir_all(site.dir.path().join(".git")).unwrap();
    let out = assert_cmd::Command::cargo_bin("staffroom")
        .unwrap()
        .env("GITHUB_ACTIONS", "true")
        .arg("--root")
        .arg(site.root())
        .args(args)
        .output()
        .unwrap();
    Run(out)
}

#[test]
fn build_errors_are_annotated_on_github() {
    let site = site();
    site.post("a.md", "title: A\ndate: 2024-13-01", "Text.");
    site.post(
        "b, 100%.md",
        "title: B\ndate: 2024-01-01\nDraft: true",
        "Text.",
    );
    let run = on_github(&site, &["build"]);
    run.user_error();
    snap("github_build", &shown(&site, &run));
    // A broken link has a column too.
    let site = self::site();
    site.post(
        "c.md",
        "title: C\ndate: 2024-01-01",
        "Text.\n\nSee [x](missing.md)",
    );
    let run = on_github(&site, &["build"]);
    run.user_error();
    snap("github_build_link", &shown(&site, &run));
}

#[test]
fn check_problems_are_annotated_on_github() {
    let site = site();
    site.post(
        "a.md",
        "title: A\ndate: 2024-01-02",
        "Text.\n\n[gone](/posts/nope/)",
    );
    let run = on_github(&site, &["check"]);
    snap("github_check", &shown(&site, &run));
    assert_eq!(run.code(), 1);
    assert!(
        run.stdout()
            .contains("::error file=site/content/posts/a.md,line=7,col=1::the link `/posts/nope/`"),
        "{}",
        run.stdout()
    );
}

#[test]
fn no_annotations_off_github() {
    let site = site();
    site.post("a.md", "title: A\ndate: 2024-13-01", "Text.");
    let run = site.run(&["build"]);
    run.user_error();
    assert!(!run.stdout().contains("::error"), "{}", run.stdout());
    assert!(Path::new(site.root()).join("content/posts/a.md").exists());
}
