//! SIGKILL at random moments must never leave a broken site or cache: after every kill
//! each file staffroom writes is its old version or its new one.
//!
//! The delays come from a fixed-seed LCG, so a failure is reproducible; the seed can
//! be changed with STAFFROOM_KILL_SEED to explore other moments.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::kill::{kill_at_random, leftovers, run_ok, tree};
use common::net::{Reply, Server, blog_entry, rss};

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

    let mut took = [took];
    let mut swapped = 0;
    let (killed, runs) = kill_at_random(
        root,
        &["build"],
        &mut took,
        |i| write_site(root, i % 2),
        |i, delay| {
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
            swapped += usize::from(now == versions[i % 2]);
        },
    );

    // Whatever the kills left behind, the next build succeeds and is complete.
    write_site(root, 1);
    run_ok(root, &["build"]);
    assert_eq!(tree(&root.join("public")), versions[1]);
    assert_eq!(leftovers(root, ".public.staffroom-"), Vec::<String>::new());
    eprintln!(
        "build: survived {killed} kills in {runs} runs (run {:?}); {swapped} found the new site",
        took[0]
    );
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

    run_ok(root, &["network", "fetch"]);
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
    let mut saw_new = 0;
    let mut saw_new_roll = 0;
    // Back to the old state each time, so every kill can land in any write.
    let reset = |_: usize| {
        std::fs::write(root.join("network.toml"), &blogroll_old).unwrap();
        for (path, old) in caches.iter().zip(&old_titles) {
            let json = std::fs::read_to_string(path).unwrap();
            let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
            value["entries"]
                .as_array_mut()
                .unwrap()
                .retain(|e| old.contains(e["title"].as_str().unwrap_or("")));
            std::fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
        }
        // No validators, so the server's answer is always a full body.
        let _ = std::fs::remove_file(root.join(".staffroom/fetch-state.json"));
    };
    let check = |i, delay| {
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
    };
    // Timed from that state: a first fetch, with no cache to merge, is quicker.
    reset(0);
    let mut took = [run_ok(root, &["network", "fetch"]).min(Duration::from_millis(300))];
    let (killed, runs) = kill_at_random(root, &["network", "fetch"], &mut took, reset, check);

    // The next fetch reads whatever the kills left and completes.
    run_ok(root, &["network", "fetch"]);
    for (j, path) in caches.iter().enumerate() {
        assert_eq!(cached_titles(path), new_titles[j]);
    }
    assert_eq!(leftovers(&cache_dir, ".staffroom-"), Vec::<String>::new());
    run_ok(root, &["build"]);
    eprintln!(
        "network fetch: survived {killed} kills in {runs} runs (run {:?}); {saw_new} cache files and {saw_new_roll} network.toml seen new",
        took[0]
    );
}
