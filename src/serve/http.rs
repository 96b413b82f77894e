//! The preview's HTTP server: tiny_http, with a few worker threads so several
//! browsers (or a page and its stylesheets) are answered at once. Event streams are
//! handed to the reload hub and hold no worker.

use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::reload::{self, Hub};
use super::resolve::{self, Route};
use crate::error::{Error, Location, Result};

const WORKERS: usize = 6;

/// What one client may send and hold (tiny_http is patched to enforce these, see
/// patches/tiny_http/PATCHES.md): any local program can reach the preview, and none
/// may stop it. The preview needs no request bodies, so a small one is the most
/// accepted (and answered 405). Connections: a few browsers with their event streams
/// need a few dozen; two descriptors each stay under macOS's default limit of 256.
fn limits() -> tiny_http::Limits {
    tiny_http::Limits {
        max_line: 8 * 1024,
        max_head: 32 * 1024,
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
    /// `/` or `/blog/`; changes when site.toml's base_url does.
    pub base_path: RwLock<String>,
    pub hub: Arc<Hub>,
}

impl Shared {
    pub fn base_path(&self) -> String {
        match self.base_path.read() {
            Ok(b) => b.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_base_path(&self, path: &str) {
        match self.base_path.write() {
            Ok(mut b) => path.clone_into(&mut b),
            Err(poisoned) => path.clone_into(&mut poisoned.into_inner()),
        }
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
        let _ = request.respond(response);
        return;
    }
    let base = shared.base_path();
    let url = request.url().to_string();
    let range = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Range"))
        .map(|h| h.value.as_str().to_string());
    let response = match resolve::route(&url, &base) {
        Route::Events => {
            shared.hub.subscribe(request.into_writer());
            return;
        }
        Route::Script => with(
            Response::from_data(reload::SCRIPT),
            "Content-Type",
            "text/javascript; charset=utf-8",
        ),
        Route::Redirect(to) => redirect(&to),
        Route::NotFound => not_found(shared, &base),
        Route::Site { rel, slash } => site_file(shared, &base, &url, &rel, slash, range.as_deref()),
    };
    let response = with(response, "Cache-Control", "no-store");
    // A browser that went away mid-answer is not our problem.
    let _ = request.respond(response);
}

type Answer = Response<Cursor<Vec<u8>>>;

fn site_file(
    shared: &Shared,
    base: &str,
    url: &str,
    rel: &str,
    slash: bool,
    range: Option<&str>,
) -> Answer {
    let mut path = shared.output.join(rel);
    if path.is_dir() {
        if !slash {
            // `/posts/x` → `/posts/x/`, so the page's relative links resolve.
            let (p, q) = url.split_once('?').map_or((url, ""), |(p, q)| (p, q));
            let q = if q.is_empty() {
                String::new()
            } else {
                format!("?{q}")
            };
            return redirect(&format!("{p}/{q}"));
        }
        path.push("index.html");
    }
    // Generation first, file second: if a rebuild lands in between, the page is newer
    // than its stamp and merely reloads once more.
    let generation = shared.hub.generation();
    let Some(bytes) = read_inside(&shared.output, &path) else {
        return not_found(shared, base);
    };
    if is_page(&path) {
        return file_response(&path, bytes, base, generation, 200);
    }
    // Safari plays a post's video only from a server that answers byte ranges.
    let len = bytes.len();
    let answer = match range.and_then(|r| byte_range(r, len)) {
        None => file_response(&path, bytes, base, generation, 200),
        Some(Some((start, end))) => {
            let part = bytes[start..=end].to_vec();
            let answer = file_response(&path, part, base, generation, 206);
            with(
                answer,
                "Content-Range",
                &format!("bytes {start}-{end}/{len}"),
            )
        }
        Some(None) => with(
            text(416, "That part of the file does not exist.\n"),
            "Content-Range",
            &format!("bytes */{len}"),
        ),
    };
    with(answer, "Accept-Ranges", "bytes")
}

/// The one byte range a `Range: bytes=...` header asks for, as first and last index:
/// None to send the whole file (no usable header, or several ranges, which browsers
/// do not need), Some(None) when the range lies outside the file.
fn byte_range(header: &str, len: usize) -> Option<Option<(usize, usize)>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        // The last n bytes.
        let n: usize = last.parse().ok()?;
        (n > 0 && len > 0).then(|| (len - n.min(len), len - 1))
    } else {
        let first: usize = first.parse().ok()?;
        let last = match last {
            "" => len.saturating_sub(1),
            l => l.parse::<usize>().ok()?.min(len.saturating_sub(1)),
        };
        (first < len && first <= last).then_some((first, last))
    };
    Some(range)
}

/// The file's bytes, if it exists and really is inside `output` (no symbolic link
/// leads out of it).
fn read_inside(output: &Path, path: &Path) -> Option<Vec<u8>> {
    let real = path.canonicalize().ok()?;
    let root = output.canonicalize().ok()?;
    if !real.starts_with(&root) || !real.is_file() {
        return None;
    }
    std::fs::read(real).ok()
}

/// An HTML page, which is sent with the reload script and so always whole.
fn is_page(path: &Path) -> bool {
    mime_guess::from_path(path)
        .first_or_octet_stream()
        .essence_str()
        == "text/html"
}

fn file_response(path: &Path, bytes: Vec<u8>, base: &str, generation: u64, status: u16) -> Answer {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml")
        || mime.suffix().is_some_and(|s| s == "xml" || s == "json");
    let content_type = if textual && mime.get_param("charset").is_none() {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    };
    let body = if is_page(path) {
        reload::inject(&bytes, base, generation)
    } else {
        bytes
    };
    let response = Response::from_data(body).with_status_code(StatusCode(status));
    with(response, "Content-Type", &content_type)
}

/// The site's own 404.html with status 404, or a plain page when the site has none
/// yet (the first build failed): either way with the reload script, so the error
/// overlay shows and the page recovers by itself.
fn not_found(shared: &Shared, base: &str) -> Answer {
    let generation = shared.hub.generation();
    let page = shared.output.join("404.html");
    if let Some(bytes) = read_inside(&shared.output, &page) {
        return file_response(&page, bytes, base, generation, 404);
    }
    let html = if shared.hub.error().is_some() {
        "<!doctype html><title>Not built yet</title><body><h1>The site has not built yet</h1>\
         <p>staffroom shows the problem over this page. Fix it and save; this page reloads by itself.</p></body>"
    } else {
        "<!doctype html><title>Not found</title><body><h1>Not found</h1>\
         <p>There is no page at this address.</p></body>"
    };
    file_response(
        Path::new("404.html"),
        html.as_bytes().to_vec(),
        base,
        generation,
        404,
    )
}

fn redirect(to: &str) -> Answer {
    with(text(302, &format!("See {to}\n")), "Location", to)
}

fn text(status: u16, body: &str) -> Answer {
    let response = Response::from_string(body).with_status_code(StatusCode(status));
    with(response, "Content-Type", "text/plain; charset=utf-8")
}

/// Only a non-ASCII value can fail, and ours are ASCII (request URLs arrive
/// percent-encoded); leaving the header out is the gentlest way to live with one.
fn with(response: Answer, name: &str, value: &str) -> Answer {
    match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => response.with_header(h),
        Err(()) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_are_read_as_browsers_send_them() {
        assert_eq!(byte_range("bytes=0-1", 10), Some(Some((0, 1))));
        assert_eq!(byte_range("bytes=4-", 10), Some(Some((4, 9))));
        assert_eq!(byte_range("bytes=8-99", 10), Some(Some((8, 9))));
        assert_eq!(byte_range("bytes=-3", 10), Some(Some((7, 9))));
        assert_eq!(byte_range("bytes=-30", 10), Some(Some((0, 9))));
        assert_eq!(byte_range("bytes=10-", 10), Some(None));
        assert_eq!(byte_range("bytes=5-2", 10), Some(None));
        assert_eq!(byte_range("bytes=0-", 0), Some(None));
        assert_eq!(byte_range("bytes=0-1,4-5", 10), None);
        assert_eq!(byte_range("items=0-1", 10), None);
        assert_eq!(byte_range("bytes=x-1", 10), None);
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
