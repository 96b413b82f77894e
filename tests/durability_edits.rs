//! SIGKILL at random moments during the commands that edit the teacher's own files:
//! `webmention send` (the ledger in data/) and `network import` / `network add`
//! (network.toml). After every kill each file is absent, its old version, or what a
//! run could have written; a later run completes. Same helpers and seed as durability.rs.

mod common;

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use common::kill::{kill_at_random, leftovers, run_ok};
use common::net::{Reply, Seen, Server, rss};
use staffroom::network::blogroll::Blogroll;
use staffroom::webmention::journal::{JOURNAL_FILE, LEDGER_LOCK};
use staffroom::webmention::ledger::{LEDGER_FILE, Ledger};

const POSTS: usize = 8;
const LINKS: usize = 3;
const SEND: &[&str] = &["webmention", "send", "--allow-private"];

/// Post `p` links to `/page/p-k`; each page names its endpoint `/wm/p-k` in a Link
/// header, and every endpoint takes 10 to 40 ms to answer 202.
fn webmention_server() -> Server {
    Server::start(|path, _| {
        if let Some(name) = path.strip_prefix("/page/") {
            return Reply::Ok {
                body: b"<!doctype html><title>A page</title><p>Hello.</p>".to_vec(),
                content_type: "text/html",
                headers: vec![("Link", format!("</wm/{name}>; rel=\"webmention\""))],
            };
        }
        // Each request has its own thread: sleeping here is a slow endpoint.
        let spread: u64 = path.bytes().map(u64::from).sum();
        std::thread::sleep(Duration::from_millis(10 + spread % 4 * 10));
        Reply::Status(202, vec![])
    })
}

/// The posts, those from `drafts_from` on still drafts (which `send` leaves alone).
fn write_posts(root: &Path, server: &Server, drafts_from: usize) {
    for p in 0..POSTS {
        let links: String = (0..LINKS)
            .map(|k| {
                format!(
                    "See [page {k}]({}).\n",
                    server.url(&format!("/page/{p}-{k}"))
                )
            })
            .collect();
        let draft = if p >= drafts_from {
            "draft: true\n"
        } else {
            ""
        };
        std::fs::write(
            root.join(format!("content/posts/p{p}.md")),
            format!(
                "---\ntitle: Post {p}\ndate: 2024-02-{:02}\n{draft}---\n{links}",
                p + 1
            ),
        )
        .unwrap();
    }
}

/// What a ledger says: each post's content hash, and the (source, target) pairs sent.
#[derive(Debug, Default, PartialEq)]
struct Told {
    hashes: BTreeMap<String, String>,
    sent: BTreeSet<(String, String)>,
}

/// Panics, naming `when`, unless `bytes` is a whole ledger in which every mention was
/// sent (the endpoints take them all).
fn told(bytes: &[u8], when: &str) -> Told {
    let text = String::from_utf8_lossy(bytes);
    let json: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{when}: the ledger is not JSON ({e}):\n{text}"));
    let mut out = Told::default();
    for (source, rec) in json["posts"].as_object().expect("posts") {
        let hash = rec["hash"].as_str().expect("hash");
        out.hashes.insert(source.clone(), hash.to_string());
        for (target, t) in rec["targets"].as_object().expect("targets") {
            assert_eq!(t["status"], "sent", "{when}: {source} -> {target}\n{text}");
            out.sent.insert((source.clone(), target.clone()));
        }
    }
    out
}

/// The (source, target) pairs of the POSTs a server received (whole ones: a sender
/// killed mid-request may leave half a body).
fn received(posts: &[Seen]) -> BTreeSet<(String, String)> {
    posts
        .iter()
        .filter_map(|s| Some((s.form("source")?, s.form("target")?)))
        .collect()
}

#[test]
fn webmention_send_killed_at_random_keeps_a_true_ledger() {
    let server = webmention_server();
    let dir = common::net::site("");
    let root = dir.path();
    let ledger = root.join(LEDGER_FILE);

    // Two states a run can start from: no ledger yet, or one that has told the first
    // half of the posts (the others were drafts then). A complete run from either
    // tells every post's targets.
    write_posts(root, &server, POSTS / 2);
    run_ok(root, SEND);
    let half = std::fs::read(&ledger).unwrap();
    assert_eq!(told(&half, "half").sent.len(), POSTS / 2 * LINKS);
    write_posts(root, &server, POSTS);
    let from_half = run_ok(root, SEND);
    let full = told(&std::fs::read(&ledger).unwrap(), "full");
    assert_eq!(full.sent.len(), POSTS * LINKS);
    std::fs::remove_file(&ledger).unwrap();
    let from_nothing = run_ok(root, SEND);
    assert_eq!(told(&std::fs::read(&ledger).unwrap(), "again"), full);
    assert_eq!(received(&server.posts()).len(), POSTS * LINKS);
    let starts = [None, Some(half)];

    let posts_before = Cell::new(0);
    let (mut unchanged, mut complete, mut partial, mut mid_send) = (0, 0, 0, 0);
    let reset = |i: usize| {
        posts_before.set(server.posts().len());
        // The journal of a killed run is part of the state a run starts from.
        let _ = std::fs::remove_file(root.join(JOURNAL_FILE));
        match &starts[i % 2] {
            // Absent already unless the last run got as far as writing it.
            None => drop(std::fs::remove_file(&ledger)),
            Some(bytes) => std::fs::write(&ledger, bytes).unwrap(),
        }
    };
    let check = |i: usize, delay: Duration| {
        let when = format!("kill {i} after {delay:?}");
        let start = &starts[i % 2];
        let heard = received(&server.posts()[posts_before.get()..]);
        match std::fs::read(&ledger) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                assert!(start.is_none(), "{when}: the ledger is gone");
                unchanged += 1;
                mid_send += usize::from(!heard.is_empty());
            }
            Err(e) => panic!("{when}: {e}"),
            Ok(bytes) if start.as_ref() == Some(&bytes) => {
                unchanged += 1;
                mid_send += usize::from(!heard.is_empty());
            }
            Ok(bytes) => {
                let now = told(&bytes, &when);
                let before = start
                    .as_deref()
                    .map_or_else(Told::default, |b| told(b, "start"));
                assert!(
                    before.sent.is_subset(&now.sent),
                    "{when}: the ledger forgot sends: {:?}",
                    before.sent.difference(&now.sent).collect::<Vec<_>>()
                );
                let unheard: Vec<_> = now
                    .sent
                    .difference(&before.sent)
                    .filter(|p| !heard.contains(p))
                    .collect();
                assert!(
                    unheard.is_empty(),
                    "{when}: the ledger records sends no endpoint received: {unheard:?}"
                );
                for (source, hash) in &now.hashes {
                    assert_eq!(Some(hash), full.hashes.get(source), "{when}: {source}");
                }
                if now.sent == full.sent {
                    complete += 1;
                } else {
                    partial += 1;
                }
            }
        }
        // The ledger as the next run reads it (with the journal of what this one sent)
        // records only sends an endpoint received.
        let effective = serde_json::to_vec(&Ledger::load(root).unwrap()).unwrap();
        let before = start
            .as_deref()
            .map_or_else(Told::default, |b| told(b, "start"));
        let recorded = told(&effective, &when).sent;
        let unheard: Vec<_> = recorded
            .difference(&before.sent)
            .filter(|p| !heard.contains(p))
            .collect();
        assert!(
            unheard.is_empty(),
            "{when}: journal records unsent {unheard:?}"
        );
        // Nothing else in data/: the ledger, its journal and lock, and the temporary
        // files of killed runs.
        for entry in std::fs::read_dir(root.join("data")).into_iter().flatten() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                [LEDGER_FILE, JOURNAL_FILE, LEDGER_LOCK]
                    .iter()
                    .any(|f| Path::new(f).ends_with(&name))
                    || name.starts_with(".staffroom-"),
                "{when}: data/{name}"
            );
        }
    };
    let mut took = [from_nothing, from_half];
    let (killed, runs) = kill_at_random(root, SEND, &mut took, reset, check);

    // Whatever the kills left, the next run completes, cleans up, and knows it all ...
    run_ok(root, SEND);
    assert_eq!(told(&std::fs::read(&ledger).unwrap(), "after"), full);
    assert_eq!(
        leftovers(&root.join("data"), ".staffroom-"),
        Vec::<String>::new()
    );
    // ... so the one after that sends nothing.
    let sent = server.posts().len();
    run_ok(root, SEND);
    assert_eq!(
        server.posts().len(),
        sent,
        "a run after a complete one sent again"
    );
    eprintln!(
        "webmention send: survived {killed} kills in {runs} runs (run {:?} from no ledger, {:?} from half of one); the ledger was left unchanged {unchanged} times ({mid_send} after sends it does not record), complete {complete}, partial {partial}",
        took[0], took[1]
    );
}

/// A teacher's network.toml, with the comments an edit must keep.
const TEACHER_ROLL: &str = r#"# Blogs I read with my Year 9 science group.
# Keep it short: the class reads this list too.

[[blog]]
name = "Ms. Park" # chemistry
feed = "https://park.example.org/feed.xml"
tags = ["science"]

# Moved to its own domain in 2023.
[[blog]]
name = "Lab Notes"
feed = "https://labnotes.example.com/rss" # the old one was /feed
note = "Good for practicals"
"#;

/// Run `args`, an edit of network.toml, killed at random moments, each time from
/// TEACHER_ROLL: the file must always be that, or exactly what a complete run writes.
fn network_toml_killed_at_random(root: &Path, args: &[&str]) {
    let path = root.join("network.toml");
    let old = TEACHER_ROLL.as_bytes();
    std::fs::write(&path, old).unwrap();
    let mut took = [run_ok(root, args)];
    let new = std::fs::read(&path).unwrap();

    // The complete edit keeps every old blog and comment.
    let new_text = String::from_utf8(new.clone()).unwrap();
    for comment in TEACHER_ROLL
        .lines()
        .filter_map(|l| l.find('#').map(|at| &l[at..]))
    {
        assert!(new_text.contains(comment), "lost {comment:?}:\n{new_text}");
    }
    let before = Blogroll::parse(&path, TEACHER_ROLL).unwrap().blogs;
    let after = Blogroll::parse(&path, &new_text).unwrap().blogs;
    assert!(after.len() > before.len(), "{new_text}");
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(
            (&b.name, &b.feed, &b.tags, &b.note),
            (&a.name, &a.feed, &a.tags, &a.note)
        );
    }

    let mut saw_new = 0;
    let (killed, runs) = kill_at_random(
        root,
        args,
        &mut took,
        |_| std::fs::write(&path, old).unwrap(),
        |i, delay| {
            let now = std::fs::read(&path).unwrap();
            assert!(
                now == old || now == new,
                "{args:?}: kill {i} after {delay:?}: network.toml is neither version:\n{}",
                String::from_utf8_lossy(&now)
            );
            saw_new += usize::from(now == new);
        },
    );

    // A complete run after the killed ones writes the same and clears their temp files.
    std::fs::write(&path, old).unwrap();
    run_ok(root, args);
    assert_eq!(std::fs::read(&path).unwrap(), new);
    assert_eq!(leftovers(root, ".staffroom-"), Vec::<String>::new());
    eprintln!(
        "{args:?}: survived {killed} kills in {runs} runs (run {:?}); {saw_new} found the new network.toml",
        took[0]
    );
}

#[test]
fn network_import_killed_at_random_leaves_old_or_new_network_toml() {
    // Three folders of blogs (tags on the way in), one already followed, one unusable.
    let folders: String = (0..3)
        .map(|f| {
            let outlines: String = (0..40)
                .map(|j| {
                    let i = f * 40 + j;
                    format!("<outline type=\"rss\" text=\"Class blog {i}\" xmlUrl=\"https://b{i}.example.net/feed\" htmlUrl=\"https://b{i}.example.net/\"/>")
                })
                .collect();
            format!("<outline text=\"Year {}\">{outlines}</outline>", f + 7)
        })
        .collect();
    let opml = format!(
        "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>My reader</title></head><body>{folders}<outline type=\"rss\" text=\"Park again\" xmlUrl=\"https://park.example.org/feed.xml\"/><outline text=\"No feed\"/></body></opml>\n"
    );
    let dir = common::net::site("");
    let file = dir.path().join("reader.opml");
    std::fs::write(&file, opml).unwrap();
    network_toml_killed_at_random(dir.path(), &["network", "import", file.to_str().unwrap()]);
}

#[test]
fn network_add_killed_at_random_leaves_old_or_new_network_toml() {
    // A slow school network, so the run spends a while finding the feed.
    let server = Server::start(|path, _| {
        std::thread::sleep(Duration::from_millis(25));
        if path == "/" {
            return Reply::Ok {
                body: b"<!doctype html><title>Room 12</title><link rel=alternate type=application/rss+xml href=/feed.xml>".to_vec(),
                content_type: "text/html",
                headers: vec![],
            };
        }
        Reply::feed(rss("Room 12 Science", "room12.example.org", 3))
    });
    let dir = common::net::site("");
    let url = server.url("/");
    network_toml_killed_at_random(
        dir.path(),
        &[
            "network",
            "add",
            &url,
            "--tag",
            "science",
            "--note",
            "Mr. Ito's class",
        ],
    );
}
