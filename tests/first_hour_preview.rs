//! A teacher's first hour with the preview (issue #23): a new post is a draft and must
//! still show in `serve` (marked, never in feeds); `build` says what it left out; a
//! missing image is a warning at its line in `build`, `serve` and `check`; and a
//! changed base_url moves the running preview instead of leaving "Page not found".
//! Every test runs the real binary.

mod serve_support;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use serve_support::{Events, Serve, Site, get, post};

const WAIT: Duration = Duration::from_secs(10);

/// `staffroom --root SITE ARGS...`: (exit code, stdout, stderr).
fn run(site: &Path, args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("staffroom")
        .expect("the binary")
        .arg("--root")
        .arg(site)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("staffroom runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A new draft (made the way a teacher makes one) and a post dated in the future.
fn with_unpublished_posts() -> Site {
    let site = Site::new("https://room9.example.org/");
    let (code, out, err) = run(site.path(), &["new", "post", "Egg"]);
    assert_eq!(code, 0, "{out}{err}");
    site.write(
        "content/posts/later.md",
        &post("Later", "2099-06-01", "Not yet."),
    );
    site
}

#[test]
fn serve_shows_drafts_and_future_posts_marked_but_never_in_feeds() {
    let site = with_unpublished_posts();
    let serve = Serve::start(&site);

    let egg = get(&format!("{}posts/egg/", serve.url));
    assert_eq!(egg.status, 200, "the new draft is previewed");
    assert!(
        egg.body.contains("class=\"staffroom-notice\"")
            && egg.body.contains("Draft — not published until you remove"),
        "the draft's page says it is a draft:\n{}",
        egg.body
    );
    let later = get(&format!("{}posts/later/", serve.url));
    assert_eq!(later.status, 200);
    assert!(
        later
            .body
            .contains("Dated in the future: published on 1 June 2099"),
        "{}",
        later.body
    );
    let published = get(&format!("{}posts/first/", serve.url));
    assert!(!published.body.contains("staffroom-notice"));

    let home = get(&serve.url);
    assert!(
        home.body
            .contains("<span class=\"staffroom-badge\">Dated in the future</span>"),
        "lists mark the future post"
    );
    let archive = get(&format!("{}archive/", serve.url));
    assert!(
        archive
            .body
            .contains("<span class=\"staffroom-badge\">Draft</span>")
    );

    for feed in [
        "atom.xml",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "tags/science/atom.xml",
    ] {
        let body = get(&format!("{}{feed}", serve.url)).body;
        assert!(
            !body.contains("posts/egg/") && !body.contains("posts/later/"),
            "{feed} must not announce unpublished posts:\n{body}"
        );
        assert!(body.contains("posts/first/"), "{feed} has the others");
    }
}

#[test]
fn a_post_made_with_new_while_serving_appears_in_the_open_preview() {
    let site = Site::new("https://room9.example.org/");
    let serve = Serve::start(&site);
    let (mut events, _) = Events::open(&serve.url);
    let (code, out, err) = run(site.path(), &["new", "post", "Egg"]);
    assert_eq!(code, 0, "{out}{err}");
    events.wait_for("reload", WAIT).expect("open pages reload");
    let egg = get(&format!("{}posts/egg/", serve.url));
    assert_eq!(egg.status, 200, "the new draft is not 'Page not found'");
    assert!(egg.body.contains("staffroom-notice"));
}

#[test]
fn serve_no_drafts_previews_exactly_what_build_publishes() {
    let site = with_unpublished_posts();
    let serve = Serve::start_with(&site, &["--no-drafts"]);
    assert_eq!(get(&format!("{}posts/egg/", serve.url)).status, 404);
    assert_eq!(get(&format!("{}posts/later/", serve.url)).status, 404);
    assert_eq!(get(&format!("{}posts/first/", serve.url)).status, 200);
}

#[test]
fn build_names_the_posts_it_left_out_and_writes_no_marks() {
    let site = with_unpublished_posts();
    let (code, out, err) = run(site.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(
            "Left out 1 draft and 1 post dated in the future: content/posts/egg.md, content/posts/later.md."
        ),
        "{out}"
    );
    let public = site.path().join("public");
    assert!(!public.join("posts/egg").exists());
    assert!(!public.join("posts/later").exists());

    // Asked for, a draft is built marked and still kept out of the feeds; a post
    // dated in the future is published like any other (`--future`, as in Jekyll and
    // Hugo, is how a teacher publishes a post early).
    let (code, out, err) = run(site.path(), &["build", "--drafts", "--future"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("Left out"), "{out}");
    let egg = std::fs::read_to_string(public.join("posts/egg/index.html")).unwrap();
    assert!(egg.contains("staffroom-notice"));
    assert!(
        !egg.contains("__staffroom"),
        "no preview script in build output"
    );
    let later = std::fs::read_to_string(public.join("posts/later/index.html")).unwrap();
    assert!(!later.contains("staffroom-notice"), "{later}");
    let atom = std::fs::read_to_string(public.join("atom.xml")).unwrap();
    assert!(!atom.contains("posts/egg/"), "{atom}");
    assert!(atom.contains("posts/later/"), "{atom}");
    let sitemap = std::fs::read_to_string(public.join("sitemap.xml")).unwrap();
    assert!(!sitemap.contains("posts/egg/") && sitemap.contains("posts/later/"));
}

/// A post whose image (line 7, column 1, in its summary, so on the lists too) is not
/// in the site.
fn with_missing_image() -> Site {
    let site = Site::new("https://room9.example.org/blog/");
    site.write(
        "content/posts/egg.md",
        "---\ntitle: Egg\ndate: 2024-05-01\ntags: [science]\n---\nAn egg.\n![An egg](/images/egg.jpg)\n",
    );
    site
}

#[test]
fn a_teachers_own_post_template_gets_the_draft_banner_too() {
    let site = with_unpublished_posts();
    // No <main>, none of the theme's partials: the banner goes first in <body>.
    site.write(
        "templates/post.html",
        "<!DOCTYPE html>\n<html lang=\"en\"><head><title>{{ post.title }}</title></head>\n<body class=\"mine\"><h1>{{ post.title }}</h1>{{ post.content | safe }}</body></html>\n",
    );
    let (code, out, err) = run(site.path(), &["build", "--drafts"]);
    assert_eq!(code, 0, "{out}{err}");
    let egg = std::fs::read_to_string(site.path().join("public/posts/egg/index.html")).unwrap();
    assert!(
        egg.contains("<body class=\"mine\"><p class=\"staffroom-notice\""),
        "{egg}"
    );
}

const IMAGE_AT: &str = "content/posts/egg.md:7:1: the image `/images/egg.jpg` (/blog/images/egg.jpg) does not exist in the site";

#[test]
fn build_warns_at_the_line_of_a_missing_image_and_check_calls_it_an_image() {
    let site = with_missing_image();
    let (code, out, err) = run(site.path(), &["build"]);
    assert_eq!(
        code, 0,
        "a missing image does not stop the build: {out}{err}"
    );
    assert!(err.contains("warning: ") && err.contains(IMAGE_AT), "{err}");

    let (code, out, _) = run(site.path(), &["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "error: line 7, column 1: the image `/images/egg.jpg` (/blog/images/egg.jpg) does not exist"
        ),
        "{out}"
    );
    assert!(
        !out.contains("`/blog/images/egg.jpg`"),
        "told once, as an image, not again for the lists that show it: {out}"
    );
    assert!(out.contains("1 error"), "{out}");

    // A link written by a template is not blamed on the Markdown.
    site.write(
        "templates/partials/footer.html",
        "<footer><a href=\"/blog/nowhere/\">Old page</a></footer>\n",
    );
    let (_, out, _) = run(site.path(), &["check"]);
    assert!(
        out.contains(
            "link `/blog/nowhere/` (from the theme's templates or HTML in this file) points to a page or file that does not exist"
        ),
        "{out}"
    );
}

/// What a teacher reads for a missing image, a link to nowhere and an unpublished
/// post, as snapshots (paths from the temporary folder shown as [SITE]).
#[test]
fn the_messages_for_a_missing_image_and_a_left_out_post_read_well() {
    let site = with_missing_image();
    site.write(
        "content/posts/plans.md",
        "---\ntitle: Plans\ndate: 2024-06-01\ndraft: true\n---\nPlans.\n",
    );
    site.write(
        "content/pages/about.md",
        "---\ntitle: About\n---\nAbout this class. See [the old page](../old-page/).\n\nAnd [the egg's results](/posts/egg/#results).\n",
    );
    // Written as messages write paths (with `/` on Windows too).
    let root = staffroom::error::shown(site.path());
    let shown = |(code, out, err): (i32, String, String)| {
        format!("exit: {code}\n--- stdout\n{out}--- stderr\n{err}").replace(&root, "[SITE]")
    };
    let build = shown(run(site.path(), &["build"]));
    let build = regex::Regex::new(r"\(\d+ files\)")
        .unwrap()
        .replace(&build, "(N files)")
        .into_owned();
    insta::assert_snapshot!("build_missing_image", build);
    insta::assert_snapshot!("check_missing_image", shown(run(site.path(), &["check"])));
}

fn warnings(event_data: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(event_data).expect("JSON");
    v["warnings"]
        .as_array()
        .expect("a list of warnings")
        .iter()
        .map(|w| w.as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn serve_tells_open_pages_of_a_missing_image_until_it_is_there() {
    let site = with_missing_image();
    let serve = Serve::start(&site);
    let (mut events, hello) = Events::open(&serve.url);
    let told = warnings(&hello.data);
    assert!(
        told.len() == 1 && told[0].contains(IMAGE_AT),
        "the open page is told, with file and line: {told:?}"
    );
    site.write("static/images/egg.jpg", "not really a jpeg");
    let reload = events.wait_for("reload", WAIT).expect("a reload");
    assert_eq!(warnings(&reload.data), Vec::<String>::new());
}

#[test]
fn a_changed_base_url_moves_the_preview_and_the_old_path_redirects() {
    let site = Site::new("https://room9.example.org/blog/");
    let serve = Serve::start(&site);
    assert!(serve.url.ends_with("/blog/"), "{}", serve.url);
    let (mut events, _) = Events::open(&serve.url);
    site.write(
        "site.toml",
        "title = \"Room 9\"\nbase_url = \"https://room9.example.org/class/\"\nposts_per_page = 2\n",
    );
    let moved = events.wait_for("moved", WAIT).expect("open pages are told");
    let v: Value = serde_json::from_str(&moved.data).unwrap();
    assert_eq!(v["base"], "/class/");

    let new_url = format!("{}/class/", serve.origin);
    let line = (0..20)
        .filter_map(|_| serve.stdout.recv_timeout(WAIT).ok())
        .find(|l| l.contains("preview moved"))
        .expect("the terminal says where the preview is now");
    assert!(line.contains(&format!("serving at {new_url}")), "{line}");

    let old = get(&format!("{}posts/first/?x=1", serve.url));
    assert_eq!(old.status, 307, "{}", old.body);
    assert_eq!(old.header("Location"), Some("/class/posts/first/?x=1"));
    let new = get(&format!("{new_url}posts/first/"));
    assert_eq!(new.status, 200);
    assert!(new.body.contains("First words."));
    assert!(new.body.contains("/class/__staffroom/reload.js"));
}

/// `init` and `new` date a post by the teacher's own calendar; in the earliest time
/// zone that day has often not begun in UTC, where the build (and GitHub's runner) may
/// be. The first post is published all the same.
#[test]
fn a_post_dated_today_is_built_in_the_earliest_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("blog");
    let staffroom = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("staffroom")
            .expect("the binary")
            .env("TZ", "Pacific/Kiritimati")
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("staffroom runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{text}");
        text
    };
    staffroom(&["init", site.to_str().unwrap()]);
    let out = staffroom(&["--root", site.to_str().unwrap(), "build"]);
    assert!(!out.contains("Left out"), "{out}");
    assert!(
        site.join("public/posts/hello-world/index.html").exists(),
        "{out}"
    );
}
