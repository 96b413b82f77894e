//! Helpers for the network tests: a small site in a temp dir, the real binary, and a
//! real HTTP server on 127.0.0.1 whose answers each test decides.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).unwrap()
}

/// A site with short network limits, so failure tests run in about a second.
pub fn site(network_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"Room 9\"\nbase_url = \"https://teacher.example.org/blog/\"\n\n[network]\ntimeout_seconds = 1\nmax_feed_mb = 1\nconcurrency = 8\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("content/posts")).unwrap();
    std::fs::write(
        dir.path().join("content/posts/hello.md"),
        "---\ntitle: Hello\ndate: 2024-01-02\n---\nHi.\n",
    )
    .unwrap();
    if !network_toml.is_empty() {
        std::fs::write(dir.path().join("network.toml"), network_toml).unwrap();
    }
    dir
}

pub fn staffroom(root: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = Command::cargo_bin("staffroom").unwrap();
    // Output as on a teacher's computer, even when the tests run on GitHub Actions.
    cmd.env_remove("GITHUB_ACTIONS");
    cmd.arg("--root")
        .arg(root)
        .args(args)
        .timeout(Duration::from_secs(60));
    cmd.assert()
}

pub fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn cache(root: &Path, slug: &str) -> serde_json::Value {
    serde_json::from_str(&read(root, &format!("data/network/{slug}.json"))).unwrap()
}

/// What `network fetch` observed of a blog (`.staffroom/fetch-state.json`: `feed`,
/// `state`, `seen`), or null when nothing was.
pub fn observed(root: &Path, slug: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root.join(".staffroom/fetch-state.json"))
        .unwrap_or_else(|_| "null".into());
    let all: serde_json::Value = serde_json::from_str(&text).unwrap();
    all["blogs"][format!("{slug}.json")].clone()
}

/// The `state` of [`observed`]: last attempt, errors, validators.
pub fn fetch_state(root: &Path, slug: &str) -> serde_json::Value {
    observed(root, slug)["state"].clone()
}

/// What a route answers.
pub enum Reply {
    Ok {
        body: Vec<u8>,
        content_type: &'static str,
        headers: Vec<(&'static str, String)>,
    },
    Status(u16, Vec<(&'static str, String)>),
    /// Answer only after this long.
    Slow(Duration, Vec<u8>),
    /// A body that never ends.
    Endless,
    /// A body of this many bytes that really is that long (Content-Length says so),
    /// made as it is sent so the test holds none of it.
    Huge(u64),
}

impl Reply {
    pub fn feed(body: Vec<u8>) -> Reply {
        Reply::Ok {
            body,
            content_type: "application/xml",
            headers: vec![],
        }
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub status: u16,
    pub method: String,
    pub body: String,
}

impl Seen {
    /// A form-encoded body's value for `key`.
    pub fn form(&self, key: &str) -> Option<String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }
}

type Handler = dyn Fn(&str, &HashMap<String, String>) -> Reply + Send + Sync;

pub struct Server {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub peak_in_flight: Arc<AtomicUsize>,
    server: Arc<tiny_http::Server>,
}

impl Server {
    /// Serve `handler`'s answers; each request gets its own thread, like a real server.
    pub fn start(
        handler: impl Fn(&str, &HashMap<String, String>) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let base = format!("http://{}", server.server_addr().to_ip().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let (s, seen2, peak2) = (server.clone(), seen.clone(), peak.clone());
        std::thread::spawn(move || {
            for req in s.incoming_requests() {
                let (handler, seen, in_flight, peak) = (
                    handler.clone(),
                    seen2.clone(),
                    in_flight.clone(),
                    peak2.clone(),
                );
                std::thread::spawn(move || {
                    let mut req = req;
                    let method = req.method().to_string();
                    let mut body = String::new();
                    let _ = req.as_reader().read_to_string(&mut body);
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    let path = req.url().to_string();
                    let headers: HashMap<String, String> = req
                        .headers()
                        .iter()
                        .map(|h| {
                            (
                                h.field.as_str().as_str().to_ascii_lowercase(),
                                h.value.to_string(),
                            )
                        })
                        .collect();
                    let reply = handler(&path, &headers);
                    let status = match &reply {
                        Reply::Ok { .. } | Reply::Slow(..) | Reply::Endless | Reply::Huge(_) => 200,
                        Reply::Status(code, _) => *code,
                    };
                    seen.lock().unwrap().push(Seen {
                        path,
                        headers,
                        status,
                        method,
                        body,
                    });
                    let header = |k: &str, v: &str| {
                        tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap()
                    };
                    let _ = match reply {
                        Reply::Ok {
                            body,
                            content_type,
                            headers,
                        } => {
                            let mut r = tiny_http::Response::from_data(body)
                                .with_header(header("Content-Type", content_type));
                            for (k, v) in headers {
                                r.add_header(header(k, &v));
                            }
                            req.respond(r)
                        }
                        Reply::Status(code, headers) => {
                            let mut r = tiny_http::Response::empty(code);
                            for (k, v) in headers {
                                r.add_header(header(k, &v));
                            }
                            req.respond(r)
                        }
                        Reply::Slow(wait, body) => {
                            std::thread::sleep(wait);
                            req.respond(tiny_http::Response::from_data(body))
                        }
                        Reply::Endless => req.respond(tiny_http::Response::new(
                            200.into(),
                            vec![header("Content-Type", "application/rss+xml")],
                            Endless,
                            None,
                            None,
                        )),
                        Reply::Huge(len) => req.respond(tiny_http::Response::new(
                            200.into(),
                            vec![header("Content-Type", "application/rss+xml")],
                            Endless.take(len),
                            Some(len as usize),
                            None,
                        )),
                    };
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Server {
            base,
            seen,
            peak_in_flight: peak,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every POST the server received, in order.
    pub fn posts(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.method == "POST")
            .cloned()
            .collect()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

/// An RSS body that starts like a feed and never stops.
struct Endless;

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        const ITEM: &[u8] =
            b"<item><title>more</title><description>and more and more</description></item>\n";
        let n = buf.len().min(ITEM.len());
        buf[..n].copy_from_slice(&ITEM[..n]);
        Ok(n)
    }
}

/// A small RSS feed with `n` recent posts on `host`, post `n` the newest.
pub fn rss(title: &str, host: &str, n: usize) -> Vec<u8> {
    let items: String = (1..=n)
        .map(|i| {
            format!(
                "<item><title>{title} post {i}</title><link>https://{host}/posts/{i}/</link><guid>https://{host}/posts/{i}/</guid><pubDate>{}</pubDate><description>Post number {i}.</description></item>",
                (chrono::Utc::now() - chrono::Duration::days((n - i) as i64 + 1)).to_rfc2822()
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title><link>https://{host}/</link>{items}</channel></rss>").into_bytes()
}

pub fn blog_entry(name: &str, feed: &str) -> String {
    format!("[[blog]]\nname = \"{name}\"\nfeed = \"{feed}\"\n\n")
}
