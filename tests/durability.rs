//! SIGKILL at random moments must never leave a broken site or cache: after every kill
//! each file staffroom writes is its old version or its new one.
//!
//! The delays come from a fixed-seed LCG, so a failure is reproducible; the seed can
//! be changed with STAFFROOM_KILL_SEED to explore other moments.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::net::{Reply, Server, blog_entry, rss};

/// Kills that must land while the command runs; a delay past its end is retried,
/// up to `TRIES` runs in all.
const KILLS: usize = 22;
const TRIES: usize = 40;

struct Lcg(u64);

impl Lcg {
    fn seeded() -> Lcg {
        let seed = std::env::var("STAFFROOM_KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x5eed_2026);
        Lcg(seed)
    }
    /// A delay within a run that took `took`: half uniform over the whole run, half
    /// over its last part, where the writes are.
    fn moment(&mut self, took: Duration) -> Duration {
        let ms = took.as_millis() as u64;
        let ms = if self.below(2) == 0 {
            self.below(ms)
        } else {
            ms * 7 / 10 + self.below(ms * 4 / 10)
        };
        Duration::from_millis(ms)
    }

    /// A number in 0..n.
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn binary(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_staffroom"));
    cmd.arg("--root")
        .arg(root)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn run_ok(root: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = binary(root, args).status().unwrap();
    assert!(status.success(), "staffroom {args:?} failed");
    start.elapsed()
}

/// Start `args`, SIGKILL it after `delay` (if it is still running); whether it was killed.
fn kill_after(root: &Path, args: &[&str], delay: Duration) -> bool {
    let mut child = binary(root, args).spawn().unwrap();
    std::thread::sleep(delay);
    let killed = matches!(child.try_wait(), Ok(None));
    // Child::kill sends SIGKILL on Unix: no destructors, no cleanup, like a power cut
    // as far as the process is concerned.
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert!(
        killed || status.success(),
        "staffroom {args:?} failed on its own: {status}"
    );
    killed
}

/// Every file under `dir` with its bytes, skipping names that start with a dot
/// (staging folders and temporary files, which readers never look at).
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap().to_path_buf();
            files.push((rel, std::fs::read(entry.path()).unwrap()));
        }
    }
    files
}

/// Names in `dir` starting with `prefix`: what killed runs left behind.
fn leftovers(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

fn write_site(root: &Path, version: usize) {
    std::fs::write(
        root.join("site.toml"),
        "title = \"Room 9\"\nbase_url = \"https://teacher.example.org/\"\nposts_per_page = 5\n",
    )
    .unwrap();
    let posts = root.join("content/posts");
    std::fs::create_dir_all(&posts).unwrap();
    // Enough posts (with code to highlight) that a build takes a while to kill inside.
    for i in 0..30 {
        let body = format!(
            "Version {version} of post {i}.\n\n```rust\nfn main() {{ println!(\"{i}\"); }}\n```\n\n{}",
            "Some words about the lesson. ".repeat(40)
        );
        std::fs::write(
            posts.join(format!("p{i:02}.md")),
            format!(
                "---\ntitle: Post {i} v{version}\ndate: 2024-01-{:02}\ntags: [t{}]\n---\n{body}\n",
                i % 28 + 1,
                i % 7
            ),
        )
        .unwrap();
    }
}

#[test]
fn build_killed_at_random_leaves_the_old_or_the_new_site() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();

    // The two complete sites a reader may ever find in public/.
    let mut versions = Vec::new();
    let mut took = Duration::MAX;
    for v in 0..2 {
        write_site(root, v);
        // The faster of the two, so most kills land while a build still runs.
        took = took.min(run_ok(root, &["build"]));
        versions.push(tree(&root.join("public")));
    }
    assert_ne!(versions[0], versions[1]);

    let mut rng = Lcg::seeded();
    let mut killed = 0;
    let mut swapped = 0;
    for i in 0..TRIES {
        if killed == KILLS {
            break;
        }
        let v = i % 2;
        write_site(root, v);
        let delay = rng.moment(took);
        if kill_after(root, &["build"], delay) {
            killed += 1;
        } else {
            // It ended before `delay`: aim the tail of later kills at that end, where
            // the writes are (runs get faster than first measured as caches warm).
            took = delay.max(Duration::from_millis(5));
        }
        let public = root.join("public");
        assert!(public.is_dir(), "kill {i} after {delay:?}: public/ is gone");
        let now = tree(&public);
        let index = now
            .iter()
            .find(|(p, _)| p == Path::new("index.html"))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        assert!(
            index.trim_end().ends_with("</html>"),
            "kill {i} after {delay:?}: index.html is incomplete"
        );
        assert!(
            versions.contains(&now),
            "kill {i} after {delay:?}: public/ is neither the old nor the new site"
        );
        swapped += usize::from(now == versions[v]);
    }
    assert!(
        killed >= 20,
        "only {killed} of {TRIES} builds were killed while running"
    );

    // Whatever the kills left behind, the next build succeeds and is complete.
    write_site(root, 1);
    run_ok(root, &["build"]);
    assert_eq!(tree(&root.join("public")), versions[1]);
    assert_eq!(leftovers(root, ".public.staffroom-"), Vec::<String>::new());
    eprintln!("build: survived {killed} kills (run {took:?}); {swapped} found the new site");
}

const FEEDS: usize = 12;

/// Titles of a cache file's entries; panics with the file name if it does not parse.
fn cached_titles(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()));
    json["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no entries", path.display()))
        .iter()
        .map(|e| e["title"].as_str().unwrap_or("").to_string())
        .collect()
}

fn titles(feed: &[u8]) -> BTreeSet<String> {
    let text = String::from_utf8_lossy(feed);
    text.split("<title>")
        .skip(2)
        .map(|s| s.split("</title>").next().unwrap().to_string())
        .collect()
}

#[test]
fn network_fetch_killed_at_random_leaves_old_or_new_cache_and_blogroll() {
    // Generation 0 of every feed has posts 1..=3, generation 1 has 1..=6; feeds under
    // /old/ move permanently to /new/, so a fetch also rewrites network.toml.
    let generation = Arc::new(AtomicUsize::new(0));
    let feed = |i: usize, g: usize| rss(&format!("Blog {i}"), "b.example.org", 3 + 3 * g);
    let server = {
        let generation = generation.clone();
        Server::start(move |path, _| {
            let g = generation.load(Ordering::SeqCst);
            let i: usize = path
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .trim_end_matches(".xml")
                .parse()
                .unwrap_or(0);
            if path.starts_with("/old/") {
                return Reply::Status(301, vec![("Location", format!("/new/{i}.xml"))]);
            }
            // A little latency per feed spreads the cache writes over the fetch.
            Reply::Slow(Duration::from_millis(5 * (i as u64 % 4)), feed(i, g))
        })
    };
    let dir = common::net::site("");
    let root = dir.path();
    let blogroll_old: String = (0..FEEDS)
        .map(|i| {
            let folder = if i % 3 == 0 { "old" } else { "feeds" };
            blog_entry(
                &format!("Blog {i}"),
                &server.url(&format!("/{folder}/{i}.xml")),
            )
        })
        .collect();
    let blogroll_new = blogroll_old.replace("/old/", "/new/");
    std::fs::write(root.join("network.toml"), &blogroll_old).unwrap();

    let mut took = run_ok(root, &["network", "fetch"]).min(Duration::from_millis(300));
    let cache_dir = root.join("data/network");
    // In the feeds' order, so caches[i] belongs to feed i.
    let caches: Vec<PathBuf> = (0..FEEDS)
        .map(|i| cache_dir.join(format!("blog-{i}.json")))
        .collect();
    for path in &caches {
        assert!(path.is_file(), "{} is missing", path.display());
    }
    assert_eq!(
        std::fs::read_to_string(root.join("network.toml")).unwrap(),
        blogroll_new
    );
    let old_titles: Vec<_> = (0..FEEDS).map(|i| titles(&feed(i, 0))).collect();
    let new_titles: Vec<_> = (0..FEEDS).map(|i| titles(&feed(i, 1))).collect();

    generation.store(1, Ordering::SeqCst);
    let mut rng = Lcg::seeded();
    let mut killed = 0;
    let mut saw_new = 0;
    let mut saw_new_roll = 0;
    for i in 0..TRIES {
        if killed == KILLS {
            break;
        }
        // Back to the old state each time, so every kill can land in any write.
        std::fs::write(root.join("network.toml"), &blogroll_old).unwrap();
        for (path, old) in caches.iter().zip(&old_titles) {
            let json = std::fs::read_to_string(path).unwrap();
            let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
            value["entries"]
                .as_array_mut()
                .unwrap()
                .retain(|e| old.contains(e["title"].as_str().unwrap_or("")));
            // No validators, so the server's answer is always a full body.
            value["state"]["etag"] = "".into();
            value["state"]["last_modified"] = "".into();
            std::fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
        }
        let delay = rng.moment(took);
        if kill_after(root, &["network", "fetch"], delay) {
            killed += 1;
        } else {
            took = delay.max(Duration::from_millis(5));
        }

        let blogroll = std::fs::read_to_string(root.join("network.toml")).unwrap();
        assert!(
            blogroll == blogroll_old || blogroll == blogroll_new,
            "kill {i} after {delay:?}: network.toml is neither version:\n{blogroll}"
        );
        saw_new_roll += usize::from(blogroll == blogroll_new);
        for (j, path) in caches.iter().enumerate() {
            let got = cached_titles(path);
            assert!(
                got == old_titles[j] || got == new_titles[j],
                "kill {i} after {delay:?}: {} holds {got:?}\n{}",
                path.display(),
                std::fs::read_to_string(path).unwrap()
            );
            saw_new += usize::from(got == new_titles[j]);
        }
        let stray: Vec<_> = std::fs::read_dir(&cache_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json") && !caches.iter().any(|c| c.ends_with(n)))
            .collect();
        assert!(
            stray.is_empty(),
            "kill {i}: unexpected cache files {stray:?}"
        );
    }
    assert!(
        killed >= 20,
        "only {killed} of {TRIES} fetches were killed while running"
    );

    // The next fetch reads whatever the kills left and completes.
    run_ok(root, &["network", "fetch"]);
    for (j, path) in caches.iter().enumerate() {
        assert_eq!(cached_titles(path), new_titles[j]);
    }
    assert_eq!(leftovers(&cache_dir, ".staffroom-"), Vec::<String>::new());
    run_ok(root, &["build"]);
    eprintln!(
        "network fetch: survived {killed} kills (run {took:?}); {saw_new} cache files and {saw_new_roll} network.toml seen new"
    );
}
