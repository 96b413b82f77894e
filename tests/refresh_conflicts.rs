//! The daily refresh and the teacher's own `network fetch` never conflict in git
//! (issue #22): real `git`, a bare "origin", clones that fetch the same feeds from a
//! real server on 127.0.0.1 at different times and push.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::*;
use predicates::prelude::*;

/// `git` in `dir`, with no user or system configuration, so the test means the same
/// on every machine. Panics with git's own words when it fails.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = try_git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} failed in {}:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn try_git(dir: &Path, args: &[&str]) -> std::process::Output {
    // The merge driver is `staffroom` on the PATH, as on a teacher's computer or in CI.
    let bin = assert_cmd::cargo::cargo_bin("staffroom");
    let path = std::env::join_paths(std::iter::once(bin.parent().unwrap().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    Command::new("git")
        .current_dir(dir)
        .env("PATH", path)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "advice.detachedHead=false",
        ])
        .args(args)
        .output()
        .expect("git is installed")
}

/// A feed whose posts the test decides (fixed dates: the same posts make the same
/// bytes), with an ETag so a second fetch is a 304, like a real blog host.
struct Blog {
    server: Server,
    posts: Arc<Mutex<usize>>,
    down: Arc<Mutex<bool>>,
}

impl Blog {
    fn start(posts: usize) -> Blog {
        let (n, down) = (Arc::new(Mutex::new(posts)), Arc::new(Mutex::new(false)));
        let (n2, down2) = (n.clone(), down.clone());
        let server = Server::start(move |path, headers| {
            let n = *n2.lock().unwrap();
            match path {
                "/flaky.xml" if *down2.lock().unwrap() => Reply::Status(503, vec![]),
                "/steady.xml" | "/flaky.xml" => {
                    let name = &path[1..path.len() - 4];
                    let etag = format!("\"{name}-{n}\"");
                    if headers.get("if-none-match") == Some(&etag) {
                        return Reply::Status(304, vec![("ETag", etag)]);
                    }
                    Reply::Ok {
                        body: feed(name, n),
                        content_type: "application/rss+xml",
                        headers: vec![("ETag", etag)],
                    }
                }
                _ => Reply::Status(404, vec![]),
            }
        });
        Blog {
            server,
            posts: n,
            down,
        }
    }

    fn network_toml(&self) -> String {
        blog_entry("Steady", &self.server.url("/steady.xml"))
            + &blog_entry("Flaky", &self.server.url("/flaky.xml"))
    }

    fn publish(&self) {
        *self.posts.lock().unwrap() += 1;
    }

    fn set_down(&self, down: bool) {
        *self.down.lock().unwrap() = down;
    }
}

fn feed(name: &str, n: usize) -> Vec<u8> {
    let items: String = (1..=n)
        .rev()
        .map(|i| {
            format!(
                "<item><title>{name} post {i}</title><link>https://{name}.example.org/{i}/</link><guid>https://{name}.example.org/{i}/</guid><pubDate>{}</pubDate><description>Post {i}.</description></item>",
                chrono::DateTime::parse_from_rfc3339(&format!("2026-10-{:02}T08:00:00Z", i))
                    .unwrap()
                    .to_rfc2822()
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name}</title><link>https://{name}.example.org/</link>{items}</channel></rss>").into_bytes()
}

/// A bare origin holding a site that follows `blog`, and a clone of it per name.
struct Origin {
    dir: tempfile::TempDir,
}

impl Origin {
    fn new(blog: &Blog) -> Origin {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "--bare", "origin.git"]);
        let seed = site(&blog.network_toml());
        std::fs::write(seed.path().join(".gitignore"), "public/\n").unwrap();
        git(seed.path(), &["init", "-q"]);
        git(seed.path(), &["add", "-A"]);
        git(seed.path(), &["commit", "-q", "-m", "a new site"]);
        let origin = dir.path().join("origin.git");
        git(
            seed.path(),
            &["push", "-q", origin.to_str().unwrap(), "HEAD:main"],
        );
        Origin { dir }
    }

    fn clone(&self, name: &str) -> std::path::PathBuf {
        git(self.dir.path(), &["clone", "-q", "origin.git", name]);
        self.dir.path().join(name)
    }
}

/// `network fetch`, then commit whatever it changed (as the daily workflow does). The
/// fetch names the merge driver in the clone's git config (the first time, it says so).
fn fetch_and_commit(clone: &Path, message: &str) {
    staffroom(clone, &["network", "fetch"]).success();
    assert_eq!(
        git(clone, &["config", "merge.staffroom.driver"]).trim(),
        "staffroom network merge %O %A %B %P"
    );
    git(clone, &["add", "-A"]);
    if !git(clone, &["status", "--porcelain"]).is_empty() {
        git(clone, &["commit", "-q", "-m", message]);
    }
}

/// Bring `clone` up to date with origin (`rebase` or a merge) and push: any conflict
/// fails the test with git's account of it.
fn pull_and_push(clone: &Path, rebase: bool) {
    let how = if rebase { "--rebase" } else { "--no-rebase" };
    let pulled = try_git(clone, &["pull", "-q", how, "--no-edit", "origin", "main"]);
    assert!(
        pulled.status.success(),
        "git pull {how} conflicted:\n{}{}\n{}",
        String::from_utf8_lossy(&pulled.stdout),
        String::from_utf8_lossy(&pulled.stderr),
        git(clone, &["diff"])
    );
    git(clone, &["push", "-q", "origin", "HEAD:main"]);
}

fn titles(clone: &Path, slug: &str) -> Vec<String> {
    cache(clone, slug)["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn fetching_unchanged_feeds_leaves_git_status_clean() {
    let blog = Blog::start(3);
    let origin = Origin::new(&blog);
    let clone = origin.clone("teacher");
    let told = "This clone's git now merges data/network/ entry by entry";
    staffroom(&clone, &["network", "fetch"])
        .success()
        .stderr(predicates::str::contains(told));
    fetch_and_commit(&clone, "first fetch");
    assert!(git(&clone, &["log", "--oneline"]).lines().count() == 2);
    assert_eq!(titles(&clone, "steady").len(), 3);
    // What the fetch observed is kept beside the site, out of git.
    assert!(clone.join(".staffroom/fetch-state.json").is_file());

    staffroom(&clone, &["network", "fetch"])
        .success()
        .stderr(predicates::str::contains(told).not());
    assert_eq!(git(&clone, &["status", "--porcelain", "--ignored=no"]), "");
    // Even with the observations lost (a fresh CI runner): one unconditional fetch,
    // the same bytes.
    std::fs::remove_dir_all(clone.join(".staffroom")).unwrap();
    staffroom(&clone, &["network", "fetch"]).success();
    assert_eq!(git(&clone, &["status", "--porcelain"]), "");
}

/// The bot (A) fetches and pushes; the teacher (B), not pulled, fetches later and
/// pushes after a pull; then the other way round.
fn two_clones(rebase: bool, new_post_between: bool) {
    let blog = Blog::start(2);
    let origin = Origin::new(&blog);
    let (bot, teacher) = (origin.clone("bot"), origin.clone("teacher"));

    fetch_and_commit(&bot, "daily refresh");
    git(&bot, &["push", "-q", "origin", "HEAD:main"]);
    if new_post_between {
        blog.publish();
    }
    // One clone cannot reach a feed that the other can.
    blog.set_down(true);
    fetch_and_commit(&teacher, "my fetch");
    blog.set_down(false);
    // Each clone keeps its own view of how the blogs are doing.
    staffroom(&teacher, &["network", "status"])
        .success()
        .stdout(predicates::str::contains("1 unreachable"));
    staffroom(&bot, &["network", "status"])
        .success()
        .stdout(predicates::str::contains("unreachable").not());
    pull_and_push(&teacher, rebase);
    let expected = if new_post_between { 3 } else { 2 };
    assert_eq!(titles(&teacher, "steady").len(), expected);
    assert_eq!(titles(&teacher, "flaky").len(), 2);

    // The next day the bot, not pulled either, fetches and pushes after a pull.
    if new_post_between {
        blog.publish();
    }
    fetch_and_commit(&bot, "daily refresh");
    pull_and_push(&bot, rebase);
    staffroom(&bot, &["network", "status"]).success();
    assert_eq!(git(&bot, &["status", "--porcelain"]), "");
    assert_eq!(git(&teacher, &["status", "--porcelain"]), "");
    let expected = if new_post_between { 4 } else { 2 };
    assert_eq!(titles(&bot, "steady").len(), expected);
}

#[test]
fn two_clones_fetching_the_same_feeds_rebase_without_conflict() {
    two_clones(true, false);
}

#[test]
fn two_clones_fetching_the_same_feeds_merge_without_conflict() {
    two_clones(false, false);
}

// The clone that saw more posts inserts them where the other inserted its fewer, which
// git's line merge calls a conflict; the merge driver merges them entry by entry.
#[test]
fn a_new_post_between_the_two_fetches_rebases_without_conflict() {
    two_clones(true, true);
}

#[test]
fn a_new_post_between_the_two_fetches_merges_without_conflict() {
    two_clones(false, true);
}

/// A cache written before `.staffroom/` existed: its state seeds the new file (the old
/// ETag makes the next request conditional), and the next write drops it.
#[test]
fn an_old_cache_seeds_the_state_and_loses_its_timestamps() {
    let blog = Blog::start(2);
    let site = site(&blog_entry("Steady", &blog.server.url("/steady.xml")));
    let entry = |i: usize| {
        serde_json::json!({
            "id": format!("https://steady.example.org/{i}/"),
            "title": format!("steady post {i}"),
            "url": format!("https://steady.example.org/{i}/"),
            "published": format!("2026-10-0{i}T08:00:00Z"),
            "seen": "2026-10-20T09:00:00Z",
        })
    };
    let old = serde_json::json!({
        "name": "Steady",
        "feed": blog.server.url("/steady.xml"),
        "state": {
            "last_attempt": "2026-10-20T09:00:00Z",
            "last_success": "2026-10-20T09:00:00Z",
            "etag": "\"steady-2\"",
        },
        "entries": [entry(2), entry(1)],
    });
    std::fs::create_dir_all(site.path().join("data/network")).unwrap();
    let path = site.path().join("data/network/steady.json");
    std::fs::write(&path, serde_json::to_string_pretty(&old).unwrap()).unwrap();

    staffroom(site.path(), &["network", "fetch", "--verbose"])
        .success()
        .stdout(predicates::str::contains("not modified"));
    let requests = blog.server.requests_to("/steady.xml");
    assert_eq!(
        requests[0].headers.get("if-none-match").map(String::as_str),
        Some("\"steady-2\"")
    );
    let written = read(site.path(), "data/network/steady.json");
    assert!(
        !written.contains("state") && !written.contains("seen") && !written.contains("2026-10-20"),
        "{written}"
    );
    assert_eq!(titles(site.path(), "steady").len(), 2);
    let seen = observed(site.path(), "steady");
    assert_eq!(seen["state"]["etag"], "\"steady-2\"");
    assert_eq!(
        seen["seen"]["https://steady.example.org/1/"],
        "2026-10-20T09:00:00Z"
    );
}

/// A damaged state file costs one unconditional fetch, never the fetch or an entry.
#[test]
fn a_damaged_state_file_costs_one_full_fetch() {
    let blog = Blog::start(2);
    let site = site(&blog_entry("Steady", &blog.server.url("/steady.xml")));
    staffroom(site.path(), &["network", "fetch"]).success();
    let before = read(site.path(), "data/network/steady.json");
    std::fs::write(
        site.path().join(".staffroom/fetch-state.json"),
        "{ half a fi",
    )
    .unwrap();
    staffroom(site.path(), &["network", "fetch"])
        .success()
        .stdout(predicates::str::contains("unreachable").not());
    let requests = blog.server.requests_to("/steady.xml");
    assert_eq!(requests.len(), 2);
    assert!(!requests[1].headers.contains_key("if-none-match"));
    assert_eq!(read(site.path(), "data/network/steady.json"), before);
    assert_eq!(fetch_state(site.path(), "steady")["etag"], "\"steady-2\"");
}

/// A site that follows nobody gets neither folder from a fetch.
#[test]
fn a_site_without_blogs_gets_no_state_folder() {
    let site = site("");
    staffroom(site.path(), &["network", "fetch"]).success();
    assert!(!site.path().join(".staffroom").exists());
    assert!(!site.path().join("data/network/.gitattributes").exists());
}
