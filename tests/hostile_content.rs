//! Hostile content against the real binary: symbolic links that lead out of the site
//! (or to its hidden files and settings), a post of many equal headings, and the
//! peak memory of a huge post.
#![cfg(unix)]

mod common;
mod serve_support;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{TestSite, snapshot};

const SECRET: &str = "TOP-SECRET-TOKEN";

/// A site that builds, with a secret file and folder beside it (outside the site).
fn site() -> TestSite {
    let site = TestSite::new();
    site.post("a.md", "title: A\ndate: 2024-01-01", "Hello.");
    site.file("static/style-extra.css", "p {}\n");
    std::fs::write(site.dir.path().join("secret.txt"), SECRET).unwrap();
    std::fs::write(
        site.dir.path().join("secret.md"),
        format!("---\ntitle: S\ndate: 2024-01-01\n---\n{SECRET}\n"),
    )
    .unwrap();
    std::fs::create_dir_all(site.dir.path().join("secrets")).unwrap();
    std::fs::write(site.dir.path().join("secrets/key.txt"), SECRET).unwrap();
    site
}

fn outside(site: &TestSite, name: &str) -> PathBuf {
    site.dir.path().canonicalize().unwrap().join(name)
}

fn link(site: &TestSite, target: impl AsRef<Path>, at: &str) {
    let at = site.root().join(at);
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    symlink(target, at).unwrap();
}

fn refused(rel: &str, what: &str, real: &Path) -> String {
    format!(
        "error: {rel}: is a link to a {what} outside the site folder ({}), and staffroom only reads files inside the site\n  hint: copy the file into the site instead, and remove the link\nthe build stopped; public/ was left as it was\n",
        real.display()
    )
}

/// Build once, make the change, build again: exit 1 with exactly `expected` (made
/// from the site), and public/ exactly as the first build left it.
fn assert_refused(setup: impl Fn(&TestSite), expected: impl Fn(&TestSite) -> String) {
    let site = site();
    site.run(&["build", "--quiet"]).ok();
    let before = snapshot(&site.public());
    setup(&site);
    let run = site.run(&["build", "--quiet"]);
    let err = run.user_error();
    assert_eq!(err, expected(&site));
    assert_eq!(
        snapshot(&site.public()),
        before,
        "public/ was changed by a failed build"
    );
    for (path, bytes) in before {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_static_link_to_etc_passwd_is_refused() {
    assert_refused(
        |s| link(s, "/etc/passwd", "static/passwd.txt"),
        |_| {
            let real = Path::new("/etc/passwd").canonicalize().unwrap();
            refused("static/passwd.txt", "file", &real)
        },
    );
}

#[test]
fn a_static_link_to_the_process_environment_is_refused() {
    let site = site();
    link(&site, "/proc/self/environ", "static/env.txt");
    let err = site.run(&["build", "--quiet"]).user_error();
    let shape = regex::Regex::new(
        r"^error: static/env.txt: is a link to a file outside the site folder \(/proc/\d+/environ\), and staffroom only reads files inside the site\n  hint: copy the file into the site instead, and remove the link\nthe build stopped; public/ was left as it was\n$",
    )
    .unwrap();
    assert!(shape.is_match(&err), "{err}");
    assert!(!site.public().exists());
}

#[test]
fn static_links_out_through_folders_and_chains_are_refused() {
    // A link to a folder outside.
    assert_refused(
        |s| link(s, outside(s, "secrets"), "static/shared"),
        |s| refused("static/shared", "folder", &outside(s, "secrets")),
    );
    // A chain: a link to a link inside the site, which leaves it.
    assert_refused(
        |s| {
            link(s, "../../secret.txt", "static/b.txt");
            link(s, "b.txt", "static/a.txt");
        },
        |s| refused("static/a.txt", "file", &outside(s, "secret.txt")),
    );
    // A link to a folder inside the site, holding a link that leaves it.
    assert_refused(
        |s| {
            link(s, "../../secret.txt", "assets/s.txt");
            link(s, "../assets", "static/assets");
        },
        |s| refused("static/assets/s.txt", "file", &outside(s, "secret.txt")),
    );
}

#[test]
fn links_out_of_content_are_refused() {
    // A Markdown file that is a link.
    assert_refused(
        |s| link(s, outside(s, "secret.md"), "content/posts/x.md"),
        |s| refused("content/posts/x.md", "file", &outside(s, "secret.md")),
    );
    // A file of a post bundle.
    assert_refused(
        |s| {
            s.post("trip/index.md", "title: Trip\ndate: 2024-02-01", "Trip.");
            link(s, outside(s, "secret.txt"), "content/posts/trip/photo.jpg");
        },
        |s| {
            refused(
                "content/posts/trip/photo.jpg",
                "file",
                &outside(s, "secret.txt"),
            )
        },
    );
    // A folder of pages.
    assert_refused(
        |s| link(s, outside(s, "secrets"), "content/pages/more"),
        |s| refused("content/pages/more", "folder", &outside(s, "secrets")),
    );
}

#[test]
fn links_out_of_templates_and_themes_are_refused() {
    assert_refused(
        |s| link(s, outside(s, "secret.txt"), "templates/partials/x.html"),
        |s| {
            refused(
                "templates/partials/x.html",
                "file",
                &outside(s, "secret.txt"),
            )
        },
    );
    assert_refused(
        |s| {
            s.file(
                "site.toml",
                &format!("theme = \"chalk\"\n{}", common::SITE_TOML),
            );
            s.file("themes/chalk/static/chalk.css", "p {}\n");
            link(
                s,
                outside(s, "secret.txt"),
                "themes/chalk/templates/base.html",
            );
        },
        |s| {
            refused(
                "themes/chalk/templates/base.html",
                "file",
                &outside(s, "secret.txt"),
            )
        },
    );
    assert_refused(
        |s| {
            s.file(
                "site.toml",
                &format!("theme = \"chalk\"\n{}", common::SITE_TOML),
            );
            link(s, outside(s, "secret.txt"), "themes/chalk/static/style.css");
        },
        |s| {
            refused(
                "themes/chalk/static/style.css",
                "file",
                &outside(s, "secret.txt"),
            )
        },
    );
}

#[test]
fn links_out_of_data_and_settings_are_refused() {
    assert_refused(
        |s| link(s, outside(s, "secret.txt"), "data/responses/r.toml"),
        |s| refused("data/responses/r.toml", "file", &outside(s, "secret.txt")),
    );
    assert_refused(
        |s| {
            s.file(
                "network.toml",
                "[[blog]]\nname = \"Room 9\"\nsite = \"https://room9.example/\"\nfeed = \"https://room9.example/feed.xml\"\n",
            );
            link(s, outside(s, "secret.txt"), "data/network/room-9.json");
        },
        |s| {
            refused(
                "data/network/room-9.json",
                "file",
                &outside(s, "secret.txt"),
            )
        },
    );
    assert_refused(
        |s| {
            std::fs::write(s.dir.path().join("other.toml"), common::SITE_TOML).unwrap();
            std::fs::remove_file(s.root().join("site.toml")).unwrap();
            link(s, outside(s, "other.toml"), "site.toml");
        },
        |s| refused("site.toml", "file", &outside(s, "other.toml")),
    );
}

#[test]
fn links_to_hidden_files_and_settings_of_the_site_are_refused() {
    let private = |rel: &str, target: &str| {
        format!(
            "error: {rel}: is a link to {target}, which staffroom does not publish\n  hint: copy what should be published into the site instead, and remove the link\nthe build stopped; public/ was left as it was\n"
        )
    };
    assert_refused(
        |s| link(s, "../site.toml", "static/site.txt"),
        |_| private("static/site.txt", "the site's settings (site.toml)"),
    );
    assert_refused(
        |s| {
            s.file(".git/config", SECRET);
            link(s, "../.git/config", "static/config.txt");
        },
        |_| private("static/config.txt", "a hidden file of the site (.git)"),
    );
}

#[test]
fn links_that_stay_inside_the_site_keep_working() {
    let site = site();
    site.file("assets/logo.svg", "<svg/>");
    link(&site, "../assets/logo.svg", "static/logo.svg");
    link(&site, "../assets", "static/shared");
    site.file(
        "drafts/b.md",
        "---\ntitle: B\ndate: 2024-01-02\n---\nBee.\n",
    );
    link(&site, "../../drafts/b.md", "content/posts/b.md");
    site.run(&["build", "--quiet"]).ok();
    assert_eq!(site.read("logo.svg"), "<svg/>");
    assert_eq!(site.read("shared/logo.svg"), "<svg/>");
    assert!(site.read("posts/b/index.html").contains("Bee."));
}

#[test]
fn an_output_folder_that_is_a_link_gets_nothing_written_through_it() {
    let site = site();
    let elsewhere = site.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("keep.txt"), "mine").unwrap();
    symlink(&elsewhere, site.public()).unwrap();
    site.run(&["build", "--quiet"]).ok();
    site.run(&["build", "--quiet"]).ok();
    assert_eq!(
        snapshot(&elsewhere),
        vec![(PathBuf::from("keep.txt"), b"mine".to_vec())]
    );
    assert!(site.read("index.html").contains("Hello."));
    // Nothing beside the site either, but the site and the secrets.
    let mut beside: Vec<_> = std::fs::read_dir(site.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    beside.sort();
    assert_eq!(
        beside,
        ["elsewhere", "secret.md", "secret.txt", "secrets", "site"]
    );
}

#[test]
fn serve_reports_a_link_out_of_the_site_and_does_not_publish_it() {
    let site = serve_support::Site::new("https://room9.example/");
    let secrets = tempfile::tempdir().unwrap();
    std::fs::write(secrets.path().join("secret.txt"), SECRET).unwrap();
    let serve = serve_support::Serve::start(&site);
    let (mut events, _) = serve_support::Events::open(&serve.url);
    symlink(
        secrets.path().join("secret.txt"),
        site.path().join("static/leak.txt"),
    )
    .unwrap();
    let failed = events
        .wait_for("build-error", Duration::from_secs(20))
        .expect("a build-error event");
    assert!(
        failed
            .data
            .contains("static/leak.txt: is a link to a file outside the site folder"),
        "{}",
        failed.data
    );
    assert!(
        failed.data.contains("copy the file into the site instead"),
        "{}",
        failed.data
    );
    let leak = serve_support::get(&format!("{}leak.txt", serve.url));
    assert_eq!(leak.status, 404);
    assert!(!leak.body.contains(SECRET));
}

/// Runs the binary to its end and returns its CPU seconds and peak resident size in
/// bytes, from the kernel's accounting of that one child (`wait4`).
#[allow(unsafe_code)]
fn run_measured(root: &Path) -> (f64, u64) {
    // Waited for by wait4 below, which also gives the child's resource use.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_staffroom"))
        .arg("--root")
        .arg(root)
        .args(["build", "--quiet"])
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child, not yet waited for.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{status}"
    );
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (
        secs(usage.ru_utime) + secs(usage.ru_stime),
        usage.ru_maxrss as u64 * 1024,
    )
}

#[test]
fn many_identical_headings_build_in_linear_time() {
    let site = TestSite::new();
    let n = 20_000;
    site.post(
        "notes.md",
        "title: Notes\ndate: 2024-01-01",
        &"## Notes\n\nA line.\n\n".repeat(n),
    );
    // CPU time, not wall time: the machine may be busy. Quadratic ids took minutes
    // of CPU here; linear ones take about a second, even unoptimised.
    let (cpu, _) = run_measured(site.root());
    assert!(cpu < 20.0, "{cpu} s of CPU");
    let page = site.read("posts/notes/index.html");
    assert!(page.contains("<h2 id=\"notes\">"));
    for i in [1, 2, 9_999, n - 1] {
        assert!(
            page.contains(&format!("<h2 id=\"notes-{i}\">")),
            "notes-{i}"
        );
    }
    assert!(!page.contains(&format!("id=\"notes-{n}\"")));
}

#[test]
fn a_heading_named_like_a_numbered_one_does_not_collide() {
    let site = TestSite::new();
    site.post(
        "n.md",
        "title: N\ndate: 2024-01-01",
        "## Notes\n\n## Notes 1\n\n## Notes\n\n## Notes {#notes-3}\n\n## Notes\n",
    );
    site.run(&["build", "--quiet"]).ok();
    let page = site.read("posts/n/index.html");
    let ids: Vec<_> = regex::Regex::new(r#"<h2 id="([^"]+)">"#)
        .unwrap()
        .captures_iter(&page)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(ids, ["notes", "notes-1", "notes-2", "notes-3", "notes-4"]);
}

#[test]
fn a_long_one_paragraph_post_stays_within_a_small_multiple_of_its_size() {
    let small = TestSite::new();
    small.post("a.md", "title: A\ndate: 2024-01-01", "Hello.");
    let (_, base) = run_measured(small.root());
    let site = TestSite::new();
    let line = "The class read \"Macbeth\" -- it's long... and the pupils took notes.\n";
    let body = line.repeat(8 * 1024 * 1024 / line.len());
    site.post("big.md", "title: Big\ndate: 2024-01-01", &body);
    let (_, peak) = run_measured(site.root());
    // Beyond what a one-line post takes (the binary, syntax sets, templates): this
    // post took 40 times its size before, as a list of events and a summary as long
    // as itself; pulldown-cmark's own tree of the text is most of what is left.
    let ratio = peak.saturating_sub(base) as f64 / body.len() as f64;
    assert!(ratio < 20.0, "peak {peak} bytes, {ratio:.1} times the post");
    let home = site.read("index.html");
    assert!(
        home.len() < 100_000,
        "the summary is bounded: {}",
        home.len()
    );
}
