//! The preview's HTTP server: tiny_http, with a few worker threads so several
//! browsers (or a page and its stylesheets) are answered at once. Event streams are
//! handed to the reload hub and hold no worker.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, ResponseBox, StatusCode};

use super::files;
use super::reload::{self, Hub};
use super::resolve::{self, Route};
use crate::error::{Error, Location, Result};

const WORKERS: usize = 6;

/// What one client may send and hold (tiny_http is patched to enforce these, see
/// patches/tiny_http/PATCHES.md): any local program can reach the preview, and none
/// may stop it. Header lines may be longer than the usual 8 KiB because browsers send
/// the cookies of every local app (any port) to `localhost`. The preview needs no
/// request bodies, so a small one is the most accepted (and answered 405).
/// Connections: a few browsers with their event streams need a few dozen; two
/// descriptors each stay under macOS's default limit of 256.
fn limits() -> tiny_http::Limits {
    tiny_http::Limits {
        max_line: 16 * 1024,
        max_head: 64 * 1024,
        max_headers: 100,
        max_body: 64 * 1024,
        request_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(15),
        write_timeout: Some(Duration::from_secs(10)),
        max_connections: 100,
    }
}

/// What the workers share with the rebuild thread.
pub struct Shared {
    pub output: PathBuf,
    paths: RwLock<Paths>,
    pub hub: Arc<Hub>,
}

struct Paths {
    /// `/` or `/blog/`; changes when site.toml's base_url does.
    base: String,
    /// Earlier base paths of this preview, newest first: tabs and bookmarks still
    /// open there are sent to the same page under the new one.
    earlier: Vec<String>,
}

impl Shared {
    pub fn new(output: PathBuf, base_path: &str, hub: Arc<Hub>) -> Shared {
        Shared {
            output,
            paths: RwLock::new(Paths {
                base: base_path.to_string(),
                earlier: Vec::new(),
            }),
            hub,
        }
    }

    pub fn base_path(&self) -> String {
        self.read(|p| p.base.clone())
    }

    fn read<T>(&self, f: impl FnOnce(&Paths) -> T) -> T {
        f(&crate::lock::read_unpoisoned(&self.paths))
    }

    /// Serve under `path` from now on; true when it differs from before.
    pub fn set_base_path(&self, path: &str) -> bool {
        let mut p = crate::lock::write_unpoisoned(&self.paths);
        if p.base == path {
            return false;
        }
        let old = std::mem::replace(&mut p.base, path.to_string());
        p.earlier.retain(|e| e != path && *e != old);
        p.earlier.insert(0, old);
        // A handful is plenty; the list must not grow with every edit of site.toml.
        p.earlier.truncate(8);
        true
    }

    /// Where a request under an earlier base path now lives.
    fn moved(&self, url: &str) -> Option<String> {
        self.read(|p| {
            p.earlier
                .iter()
                .find_map(|old| resolve::moved(url, old, &p.base))
        })
    }
}

pub struct Http {
    server: Arc<tiny_http::Server>,
    workers: Vec<JoinHandle<()>>,
    nudger: (Arc<AtomicBool>, JoinHandle<()>),
}

/// How often an idle connection is opened to the server (see `nudge`).
const NUDGE_EVERY: Duration = Duration::from_millis(100);

/// tiny_http (0.12) hands each new connection to a thread pool that can lose a wake-up:
/// when two connections arrive while one idle thread is waking, the second waits in
/// the queue until some connection ends, and browsers keep theirs open. A stylesheet
/// or an image of the preview would then hang for seconds. A connection that is opened
/// and closed at once ends at once, and the thread that served it takes the next
/// waiting one, so none waits longer than this interval.
fn nudge(addr: SocketAddr, stop: &AtomicBool) {
    let addr = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port())
        }
        _ => addr,
    };
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(NUDGE_EVERY);
        drop(TcpStream::connect_timeout(&addr, NUDGE_EVERY));
    }
}

/// Bind `ip:port`. When the port was not chosen by the user and is taken, the next
/// free one of the following 20 is used instead.
pub fn bind(ip: IpAddr, port: u16, move_on_if_busy: bool) -> Result<TcpListener> {
    let tries = if move_on_if_busy { 20 } else { 1 };
    let mut last = None;
    for p in (port..=u16::MAX).take(tries) {
        match TcpListener::bind(SocketAddr::new(ip, p)) {
            Ok(l) => return Ok(l),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => {
                return Err(Error::input(
                    Location::file(format!("--bind {ip} --port {p}")),
                    format!("cannot listen there: {e}"),
                )
                .with_hint("use an address of this computer, such as 127.0.0.1"));
            }
        }
    }
    let hint = if move_on_if_busy {
        format!(
            "stop the other previews, or choose a port with --port, e.g. --port {}",
            port.saturating_add(100)
        )
    } else {
        format!(
            "another program (perhaps another `staffroom serve`) uses it; stop it, or choose another, e.g. --port {}",
            port.saturating_add(1)
        )
    };
    let what = if move_on_if_busy {
        format!("ports {port} to {} are all in use", port.saturating_add(19))
    } else {
        format!(
            "port {port} is in use{}",
            last.map(|e| format!(" ({e})")).unwrap_or_default()
        )
    };
    Err(Error::input(Location::file(format!("--port {port}")), what).with_hint(hint))
}

impl Http {
    pub fn start(listener: TcpListener, shared: Arc<Shared>) -> Result<Http> {
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("the preview server", e))?;
        let server = tiny_http::Server::from_listener_with_limits(listener, None, limits())
            .map_err(|e| Error::io("the preview server", std::io::Error::other(e.to_string())))?;
        let server = Arc::new(server);
        let mut workers = Vec::new();
        for i in 0..WORKERS {
            let server = server.clone();
            let shared = shared.clone();
            let worker = std::thread::Builder::new()
                .name(format!("staffroom-http-{i}"))
                .spawn(move || {
                    // recv fails once the server is unblocked for shutdown.
                    while let Ok(request) = server.recv() {
                        handle(request, &shared);
                    }
                })
                .map_err(|e| Error::io("the preview server", e))?;
            workers.push(worker);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let nudging = std::thread::Builder::new()
            .name("staffroom-http-nudge".into())
            .spawn(move || nudge(addr, &flag))
            .map_err(|e| Error::io("the preview server", e))?;
        Ok(Http {
            server,
            workers,
            nudger: (stop, nudging),
        })
    }

    pub fn stop(self) {
        let (stop, nudging) = self.nudger;
        stop.store(true, Ordering::Relaxed);
        let _ = nudging.join();
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

fn handle(request: Request, shared: &Shared) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let response = with(
            text(405, "Only GET and HEAD are answered here.\n"),
            "Allow",
            "GET, HEAD",
        );
        answer(request, response);
        return;
    }
    let base = shared.base_path();
    let url = request.url().to_string();
    let range = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Range"))
        .map(|h| h.value.as_str().to_string());
    if let Some(to) = shared.moved(&url) {
        // 307: the browser asks the new address the same way (an event stream too).
        answer(
            request,
            with(text(307, &format!("See {to}\n")), "Location", &to),
        );
        return;
    }
    let response = match resolve::route(&url, &base) {
        Route::Events => {
            shared.hub.subscribe(request.into_writer());
            return;
        }
        Route::Script => with(
            Response::from_data(reload::SCRIPT).boxed(),
            "Content-Type",
            "text/javascript; charset=utf-8",
        ),
        Route::Redirect(to) => redirect(&to),
        Route::NotFound => files::not_found(shared, &base),
        Route::Site { rel, slash } => {
            files::site_file(shared, &base, &url, &rel, slash, range.as_deref())
        }
    };
    let response = with(response, "Cache-Control", "no-store");
    answer(request, response);
}

/// Send the answer from a thread of its own, so a client that reads it slowly (or
/// not at all: a video element that has buffered enough) holds no worker. There is
/// at most one such thread per connection (tiny_http reads a connection's next
/// request only once the answer is written) and connections are bounded (`limits`);
/// a stalled write gives up after `write_timeout`.
fn answer(request: Request, response: Answer) {
    let job = Arc::new(Mutex::new(Some((request, response))));
    let theirs = job.clone();
    let spawned = std::thread::Builder::new()
        .name("staffroom-http-answer".into())
        .spawn(move || send(&theirs));
    if spawned.is_err() {
        // Out of threads: answer from the worker rather than not at all.
        send(&job);
    }
}

type Job = Mutex<Option<(Request, Answer)>>;

fn send(job: &Job) {
    let taken = crate::lock::unpoisoned(job).take();
    if let Some((request, response)) = taken {
        // A browser that went away mid-answer is not our problem.
        let _ = request.respond(response);
    }
}

pub(super) type Answer = ResponseBox;

pub(super) fn redirect(to: &str) -> Answer {
    with(text(302, &format!("See {to}\n")), "Location", to)
}

pub(super) fn text(status: u16, body: &str) -> Answer {
    let response = Response::from_string(body)
        .with_status_code(StatusCode(status))
        .boxed();
    with(response, "Content-Type", "text/plain; charset=utf-8")
}

/// Only a non-ASCII value can fail, and ours are ASCII (request URLs arrive
/// percent-encoded); leaving the header out is the gentlest way to live with one.
pub(super) fn with(response: Answer, name: &str, value: &str) -> Answer {
    match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => response.with_header(h),
        Err(()) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_earlier_base_path_leads_to_the_current_one() {
        let shared = Shared::new(PathBuf::from("out"), "/blog/", Arc::new(Hub::default()));
        assert!(!shared.set_base_path("/blog/"), "the same path is no move");
        assert_eq!(shared.moved("/blog/posts/a/"), None);
        assert!(shared.set_base_path("/class/"));
        assert!(shared.set_base_path("/"));
        assert_eq!(shared.base_path(), "/");
        assert_eq!(shared.moved("/blog/posts/a/"), Some("/posts/a/".into()));
        assert_eq!(shared.moved("/class/"), Some("/".into()));
        assert_eq!(shared.moved("/posts/a/"), None);
        // Back to where it started: that path is the site's again, not a redirect.
        assert!(shared.set_base_path("/blog/"));
        assert_eq!(shared.moved("/blog/posts/a/"), None);
        assert_eq!(shared.moved("/posts/a/"), Some("/blog/posts/a/".into()));
    }

    #[test]
    fn a_busy_default_port_moves_on_and_a_chosen_one_is_an_error() {
        let ip = IpAddr::from([127, 0, 0, 1]);
        let taken = TcpListener::bind((ip, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        let next = bind(ip, port, true).unwrap().local_addr().unwrap().port();
        assert_ne!(next, port);
        let err = bind(ip, port, false).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("--port {port}: port {port} is in use")),
            "{err}"
        );
        assert!(err.contains("hint: another program"), "{err}");
    }
}
