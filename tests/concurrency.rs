//! Two staffroom commands at once on one site, and `webmention send` killed and run
//! again: no change to network.toml, the network cache or the Webmention ledger is
//! lost, a command reports only what it wrote, and no Webmention is sent twice beyond
//! the one-per-kill window SECURITY.md documents. Real binary, real servers on
//! 127.0.0.1; the servers hold answers at chosen moments (with deadlines), so the
//! interleavings that lose a change on unlocked code happen every time.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::kill::{Lcg, kill_after, run_ok};
use common::net::{Reply, Server, rss, site};
use staffroom::network::blogroll::Blogroll;

/// Requests the test holds until it lets them go (or a deadline passes, so a test
/// never hangs on a command that does not ask).
#[derive(Default)]
struct Gates {
    state: Mutex<(HashSet<String>, Vec<String>)>,
    changed: Condvar,
}

const DEADLINE: Duration = Duration::from_secs(10);

impl Gates {
    fn hold(&self, path: &str) {
        self.state.lock().unwrap().0.insert(path.to_string());
    }

    fn release(&self, path: &str) {
        self.state.lock().unwrap().0.remove(path);
        self.changed.notify_all();
    }

    /// In the server: note the request, and wait while its path is held.
    fn pass(&self, path: &str) {
        let mut s = self.state.lock().unwrap();
        s.1.push(path.to_string());
        self.changed.notify_all();
        let _ = self
            .changed
            .wait_timeout_while(s, DEADLINE, |s| s.0.contains(path))
            .unwrap();
    }

    /// Wait until `n` requests for `path` arrived, or `within` passed; how many did.
    fn arrived(&self, path: &str, n: usize, within: Duration) -> usize {
        let s = self.state.lock().unwrap();
        let (s, _) = self
            .changed
            .wait_timeout_while(s, within, |s| s.1.iter().filter(|p| *p == path).count() < n)
            .unwrap();
        s.1.iter().filter(|p| *p == path).count()
    }
}

fn start(root: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_staffroom"))
        .arg("--root")
        .arg(root)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait for `child`, killing it past the deadline so a hang fails instead of blocking.
fn finish(mut child: Child) -> Output {
    let until = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > until {
            let _ = child.kill();
            panic!("a staffroom command ran for over 30 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn feeds(root: &Path) -> Vec<(String, String)> {
    let path = root.join("network.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    Blogroll::parse(&path, &toml)
        .unwrap_or_else(|e| panic!("{e}\n{toml}"))
        .blogs
        .into_iter()
        .map(|b| (b.name, b.feed))
        .collect()
}

#[test]
fn eight_adds_at_once_keep_all_eight_blogs() {
    const N: usize = 8;
    let gates = Arc::new(Gates::default());
    let g = gates.clone();
    // Every add is answered only once all have asked (or after 2 s: tiny_http may not
    // take the last connection while the others are held): each has then started, and
    // code that reads network.toml before going online has read it.
    let server = Server::start(move |path, _| match path.strip_prefix("/feed/") {
        Some(i) => {
            g.pass("/feed");
            g.arrived("/feed", N, Duration::from_secs(2));
            Reply::feed(rss(&format!("Class {i}"), "school.example.org", 1))
        }
        None => Reply::Status(404, vec![]),
    });
    let dir = site("# Our year group's class blogs.\n");
    let root = dir.path();
    // Eight processes starting on a busy machine can take a while to all ask: the
    // held answers must not look like a stalled server.
    std::fs::write(
        root.join("site.toml"),
        "title = \"Room 9\"\nbase_url = \"https://teacher.example.org/blog/\"\n\n[network]\ntimeout_seconds = 30\n",
    )
    .unwrap();
    let children: Vec<Child> = (0..N)
        .map(|i| {
            start(
                root,
                &["network", "add", &server.url(&format!("/feed/{i}"))],
            )
        })
        .collect();
    let outputs: Vec<Output> = children.into_iter().map(finish).collect();
    let listed = feeds(root);
    for (i, o) in outputs.iter().enumerate() {
        assert!(o.status.success(), "add {i}: {}", text(o));
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(said.contains(&format!("Added Class {i}")), "{}", text(o));
        assert!(
            listed
                .iter()
                .any(|(_, f)| *f == server.url(&format!("/feed/{i}"))),
            "add {i} printed \"Added\" but network.toml lacks it: {listed:?}"
        );
    }
    assert_eq!(listed.len(), N, "{listed:?}");
    let toml = std::fs::read_to_string(root.join("network.toml")).unwrap();
    assert!(
        toml.starts_with("# Our year group's class blogs.\n"),
        "{toml}"
    );
    // Lock files are removed only on Unix (src/lock.rs: Windows cannot delete an open
    // file), so elsewhere the file stays, empty of meaning once its holder is gone.
    assert_eq!(
        root.join(".network.toml.lock").exists(),
        !cfg!(unix),
        "the lock file outlived the commands"
    );
}

/// A site following one blog whose feed moved for good (301) to `/new-{r}`.
fn moving_site(server: &Server, r: usize) -> tempfile::TempDir {
    let dir = site(&format!(
        "# Blogs I read\n[[blog]]\nname = \"Moved {r}\" # moved house\nfeed = \"{}\"\n",
        server.url(&format!("/old-{r}"))
    ));
    // The add is held for as long as a whole `network fetch` takes, which on a slow
    // machine (a Windows runner; Wine) is more than 1 s: the held answer must not
    // look like a stalled server.
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"Room 9\"\nbase_url = \"https://teacher.example.org/blog/\"\n\n[network]\ntimeout_seconds = 30\n",
    )
    .unwrap();
    dir
}

/// After a fetch that moved the feed and an add, both ran and both changes are kept.
fn both_kept(server: &Server, root: &Path, r: usize, fetch: &Output, add: &Output) {
    assert!(fetch.status.success(), "round {r} fetch: {}", text(fetch));
    assert!(add.status.success(), "round {r} add: {}", text(add));
    let listed = feeds(root);
    let moved = (format!("Moved {r}"), server.url(&format!("/new-{r}")));
    let added = server.url(&format!("/add-{r}"));
    assert!(
        String::from_utf8_lossy(&fetch.stderr).contains("moved for good"),
        "round {r}: {}",
        text(fetch)
    );
    assert!(
        listed.contains(&moved),
        "round {r}: the fetch said the feed moved, network.toml lost it: {listed:?}"
    );
    assert!(
        listed.iter().any(|(_, f)| *f == added),
        "round {r}: the add said Added, network.toml lost it: {listed:?}"
    );
    assert_eq!(listed.len(), 2, "round {r}: {listed:?}");
    let toml = std::fs::read_to_string(root.join("network.toml")).unwrap();
    assert!(toml.contains("# moved house"), "{toml}");
}

#[test]
fn an_add_during_a_fetch_that_records_a_move_keeps_both() {
    let gates = Arc::new(Gates::default());
    let g = gates.clone();
    let server = Server::start(move |path, _| {
        g.pass(path);
        let r = path.rsplit('-').next().unwrap_or("0");
        if path.starts_with("/old-") {
            Reply::Status(301, vec![("Location", format!("/new-{r}"))])
        } else if path.starts_with("/new-") {
            Reply::feed(rss(&format!("Moved {r}"), "moved.example.org", 2))
        } else if path.starts_with("/add-") {
            Reply::feed(rss(&format!("Added {r}"), "added.example.org", 2))
        } else {
            Reply::Status(404, vec![])
        }
    });
    let mut r = 0;
    // The add starts first and finishes after the whole fetch; then the fetch starts
    // first and records its move after the whole add; then both at once, unheld.
    for _ in 0..2 {
        let dir = moving_site(&server, r);
        let add_path = format!("/add-{r}");
        gates.hold(&add_path);
        let add = start(dir.path(), &["network", "add", &server.url(&add_path)]);
        assert_eq!(
            gates.arrived(&add_path, 1, DEADLINE),
            1,
            "the add never asked"
        );
        let fetch = finish(start(dir.path(), &["network", "fetch"]));
        gates.release(&add_path);
        both_kept(&server, dir.path(), r, &fetch, &finish(add));
        r += 1;
    }
    for _ in 0..2 {
        let dir = moving_site(&server, r);
        let new_path = format!("/new-{r}");
        gates.hold(&new_path);
        let fetch = start(dir.path(), &["network", "fetch"]);
        assert_eq!(
            gates.arrived(&new_path, 1, DEADLINE),
            1,
            "the fetch never asked"
        );
        let add_url = server.url(&format!("/add-{r}"));
        let add = finish(start(dir.path(), &["network", "add", &add_url]));
        gates.release(&new_path);
        both_kept(&server, dir.path(), r, &finish(fetch), &add);
        r += 1;
    }
    for _ in 0..6 {
        let dir = moving_site(&server, r);
        let fetch = start(dir.path(), &["network", "fetch"]);
        let add_url = server.url(&format!("/add-{r}"));
        let add = start(dir.path(), &["network", "add", &add_url]);
        both_kept(&server, dir.path(), r, &finish(fetch), &finish(add));
        r += 1;
    }
}

#[test]
fn two_fetches_at_once_lose_no_entries() {
    let gates = Arc::new(Gates::default());
    let g = gates.clone();
    let asked = Arc::new(Mutex::new(0));
    // The first fetch is answered once a second one has asked too (or after 0.5 s, well
    // within the site's 1 s stall timeout): code
    // that lets two fetches run at once has then read the same old cache twice. The
    // two answers carry different posts, and the cache must end up with all of them.
    let server = Server::start(move |_, _| {
        let n = {
            let mut a = asked.lock().unwrap();
            *a += 1;
            *a
        };
        g.pass("/feed.xml");
        g.arrived("/feed.xml", 2, Duration::from_millis(500));
        let host = if n == 1 {
            "first.example"
        } else {
            "second.example"
        };
        Reply::feed(rss("Room 4", host, 3))
    });
    let dir = site(&format!(
        "[[blog]]\nname = \"Room 4\"\nfeed = \"{}\"\n",
        server.url("/feed.xml")
    ));
    let a = start(dir.path(), &["network", "fetch"]);
    let b = start(dir.path(), &["network", "fetch"]);
    for o in [finish(a), finish(b)] {
        assert!(o.status.success(), "{}", text(&o));
    }
    let cache: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("data/network/room-4.json")).unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = cache["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 6, "one fetch's entries were lost: {ids:?}");
    // Lock files are removed only on Unix (src/lock.rs: Windows cannot delete an open
    // file), so elsewhere the file stays, empty of meaning once its holder is gone.
    assert_eq!(
        dir.path().join("data/network/.fetch.lock").exists(),
        !cfg!(unix)
    );
}

const SEND: &[&str] = &["webmention", "send", "--allow-private"];

/// Post `p` links to `/page/p-k`; each page names its endpoint `/wm/p-k`, and every
/// endpoint takes 15 to 45 ms to answer 202. `hold` is called for every page GET.
fn webmention_server(hold: impl Fn(&str) + Send + Sync + 'static) -> Server {
    Server::start(move |path, _| {
        if let Some(name) = path.strip_prefix("/page/") {
            hold(path);
            return Reply::Ok {
                body: b"<!doctype html><title>A page</title><p>Hello.</p>".to_vec(),
                content_type: "text/html",
                headers: vec![("Link", format!("</wm/{name}>; rel=\"webmention\""))],
            };
        }
        let spread: u64 = path.bytes().map(u64::from).sum();
        std::thread::sleep(Duration::from_millis(15 + spread % 4 * 10));
        Reply::Status(202, vec![])
    })
}

fn write_posts(root: &Path, server: &Server, posts: usize, links: usize) {
    for p in 0..posts {
        let body: String = (0..links)
            .map(|k| {
                format!(
                    "See [page {k}]({}).\n",
                    server.url(&format!("/page/{p}-{k}"))
                )
            })
            .collect();
        std::fs::write(
            root.join(format!("content/posts/p{p}.md")),
            format!(
                "---\ntitle: Post {p}\ndate: 2024-02-{:02}\n---\n{body}",
                p + 1
            ),
        )
        .unwrap();
    }
}

/// How many POSTs each target received.
fn posts_per_target(server: &Server) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for s in server.posts() {
        if let Some(t) = s.form("target") {
            *n.entry(t).or_insert(0) += 1;
        }
    }
    n
}

#[test]
fn webmention_send_killed_again_and_again_sends_each_at_most_once_more_per_kill() {
    const POSTS: usize = 6;
    const LINKS: usize = 4;
    let server = webmention_server(|_| {});
    let dir = site("");
    let root = dir.path();
    write_posts(root, &server, POSTS, LINKS);
    let mut rng = Lcg::seeded();
    let mut kills = 0;
    // Each run picks up where the killed one stopped, until one gets to the end.
    for _ in 0..25 {
        let delay = Duration::from_millis(40 + rng.below(220));
        if !kill_after(root, SEND, delay) {
            break;
        }
        kills += 1;
    }
    run_ok(root, SEND);
    let sent = posts_per_target(&server);
    assert_eq!(
        sent.len(),
        POSTS * LINKS,
        "some target never heard: {sent:?}"
    );
    let extra: usize = sent.values().map(|n| n - 1).sum();
    assert!(
        extra <= kills,
        "{extra} duplicate POSTs after {kills} kills (at most one per kill): {sent:?}"
    );
    // A complete run leaves nothing owed: the next one sends nothing.
    let before = server.posts().len();
    run_ok(root, SEND);
    assert_eq!(
        server.posts().len(),
        before,
        "a run after a complete one sent again"
    );
    assert!(kills >= 3, "only {kills} kills landed while send ran");
    eprintln!("webmention send: {kills} kills, {extra} duplicate POSTs");
}

#[test]
fn two_sends_at_once_tell_each_target_once() {
    let gates = Arc::new(Gates::default());
    let g = gates.clone();
    // The first page is answered once a second send asked for it too (or after 0.5 s):
    // two sends running at once have then both read the same ledger.
    let server = webmention_server(move |path| {
        if path == "/page/0-0" {
            g.pass(path);
            g.arrived(path, 2, Duration::from_millis(500));
        }
    });
    let dir = site("");
    write_posts(dir.path(), &server, 3, 2);
    let a = start(dir.path(), SEND);
    let b = start(dir.path(), SEND);
    for o in [finish(a), finish(b)] {
        assert!(o.status.success(), "{}", text(&o));
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(
            said.contains(" 0 failed") || said.contains("Nothing new to send"),
            "{}",
            text(&o)
        );
    }
    let sent = posts_per_target(&server);
    assert_eq!(sent.len(), 6, "{sent:?}");
    assert!(sent.values().all(|&n| n == 1), "sent twice: {sent:?}");
    // Lock files are removed only on Unix (src/lock.rs: Windows cannot delete an open
    // file), so elsewhere the file stays, empty of meaning once its holder is gone.
    assert_eq!(
        dir.path().join("data/.webmentions.json.lock").exists(),
        !cfg!(unix)
    );
}

/// Start `args` while the test holds the lock at `lock`; once the command says it is
/// waiting, check `before` and let go. Returns what the command printed to stdout.
fn waits_for_a_held_lock(root: &Path, lock: &str, args: &[&str], before: impl FnOnce()) -> String {
    let path = root.join(lock);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let held = std::fs::File::create(&path).unwrap();
    held.lock().unwrap();
    let mut child = start(root, args);
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let until = Instant::now() + DEADLINE;
    let mut heard = Vec::new();
    while !heard
        .iter()
        .any(|l: &String| l.starts_with("Waiting for another staffroom command"))
    {
        match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok(line) => heard.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("{args:?} never said it was waiting: {heard:?}");
            }
        }
    }
    assert!(
        matches!(child.try_wait(), Ok(None)),
        "{args:?} did not wait: {heard:?}"
    );
    before();
    drop(held);
    let out = finish(child);
    assert!(out.status.success(), "{args:?}: {heard:?}\n{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_command_waits_for_a_held_lock_says_so_and_then_goes_on() {
    let server = Server::start(|_, _| Reply::feed(rss("Room 7", "room7.example.org", 1)));
    let dir = site("");
    let root = dir.path();
    let said = waits_for_a_held_lock(
        root,
        ".network.toml.lock",
        &["network", "add", &server.url("/feed.xml")],
        || assert!(!root.join("network.toml").exists(), "written while locked"),
    );
    assert!(said.contains("Added Room 7"), "{said}");
    assert_eq!(feeds(root).len(), 1);
    // Lock files are removed only on Unix (src/lock.rs: Windows cannot delete an open
    // file), so elsewhere the file stays, empty of meaning once its holder is gone.
    assert_eq!(root.join(".network.toml.lock").exists(), !cfg!(unix));

    let cache = root.join("data/network/room-7.json");
    waits_for_a_held_lock(
        root,
        "data/network/.fetch.lock",
        &["network", "fetch"],
        || assert!(!cache.exists(), "fetched while another fetch ran"),
    );
    assert!(cache.exists());
}

#[test]
fn imports_and_adds_at_once_keep_every_blog() {
    let server = Server::start(|path, _| match path.strip_prefix("/feed/") {
        Some(i) => Reply::feed(rss(&format!("Added {i}"), "school.example.org", 1)),
        None => Reply::Status(404, vec![]),
    });
    let dir = site("");
    let root = dir.path();
    let mut children = Vec::new();
    for i in 0..3 {
        let outlines: String = (0..3)
            .map(|j| format!("<outline type=\"rss\" text=\"Imported {i}-{j}\" xmlUrl=\"https://i{i}-{j}.example.net/feed\"/>"))
            .collect();
        let file = root.join(format!("reader-{i}.opml"));
        std::fs::write(
            &file,
            format!(
                "<?xml version=\"1.0\"?><opml version=\"2.0\"><head/><body>{outlines}</body></opml>"
            ),
        )
        .unwrap();
        children.push(start(root, &["network", "import", file.to_str().unwrap()]));
        let url = server.url(&format!("/feed/{i}"));
        children.push(start(root, &["network", "add", &url]));
    }
    for o in children.into_iter().map(finish) {
        assert!(o.status.success(), "{}", text(&o));
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(
            said.contains("Imported 3 blogs") || said.contains("Added "),
            "{}",
            text(&o)
        );
    }
    let listed = feeds(root);
    assert_eq!(listed.len(), 12, "{listed:?}");
}
