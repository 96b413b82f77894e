//! Shared by the serve tests: a small site in a temp folder, the real `staffroom serve`
//! binary running on it, an HTTP client, and a reader for its event stream.
#![allow(dead_code)] // each test file uses a different part

pub mod browser;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    /// Three posts, a page, and a stylesheet of the site's own, at `base_url`.
    pub fn new(base_url: &str) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        let site = Site { dir };
        site.write(
            "site.toml",
            &format!("title = \"Room 9\"\nbase_url = \"{base_url}\"\nposts_per_page = 2\n"),
        );
        site.write(
            "content/posts/first.md",
            &post("First post", "2024-01-01", "First words."),
        );
        site.write(
            "content/posts/second.md",
            &post("Second post", "2024-02-01", "Second words."),
        );
        site.write(
            "content/posts/third.md",
            &post("Third post", "2024-03-01", "Third words."),
        );
        site.write(
            "content/pages/about.md",
            "---\ntitle: About\n---\nAbout this class.\n",
        );
        site.write("static/extra.css", "body { color: rgb(1, 2, 3); }\n");
        site
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
}

pub fn post(title: &str, date: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: {date}\ntags: [science]\n---\n{body}\n")
}

/// `staffroom serve` on a free port, stopped (with Ctrl-C) when dropped.
pub struct Serve {
    child: Child,
    /// `http://127.0.0.1:PORT/` or with the base path.
    pub url: String,
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    pub stdout: Receiver<String>,
}

impl Serve {
    pub fn start(site: &Site) -> Serve {
        Self::start_with(site, &[])
    }

    pub fn start_with(site: &Site, args: &[&str]) -> Serve {
        let mut command = Command::new(env!("CARGO_BIN_EXE_staffroom"));
        command
            .args(["serve", "--port", "0", "--root"])
            .arg(site.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        // Windows has no signals: `interrupt` sends Ctrl-Break (which serve handles as
        // Ctrl-C) to serve's own process group, so the tests themselves are not stopped.
        #[cfg(windows)]
        {
            use std::os::windows::process::CommandExt;
            const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
            command.creation_flags(CREATE_NEW_PROCESS_GROUP);
        }
        let mut child = command.spawn().expect("staffroom serve starts");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .expect("serve prints the address to open");
            if let Some(rest) = line.strip_prefix("Serving at ") {
                break rest.split_whitespace().next().expect("a URL").to_string();
            }
        };
        let origin = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
        Serve {
            child,
            url,
            origin,
            stdout: rx,
        }
    }

    /// True while the process has not exited.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Every line still to come on stdout, up to the end (the process has exited, or
    /// is about to): the reader thread may still be passing lines on after the exit,
    /// so this waits for the end of the output rather than taking what has arrived.
    pub fn rest_of_stdout(&self, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) => lines.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => return lines,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("stdout did not end within {timeout:?}: {lines:?}")
                }
            }
        }
    }

    /// Ctrl-C, then wait for the exit; returns whether it exited with 0.
    // On Windows, Ctrl-Break is sent by a Win32 call.
    #[allow(unsafe_code)]
    pub fn interrupt(&mut self) -> bool {
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        #[cfg(windows)]
        {
            const CTRL_BREAK_EVENT: u32 = 1;
            // SAFETY: a plain Win32 call with two integers; the group is serve's own
            // (CREATE_NEW_PROCESS_GROUP in start_with), its id being serve's process id.
            unsafe { GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, self.child.id()) };
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

#[cfg(windows)]
#[allow(unsafe_code)]
unsafe extern "system" {
    // kernel32, which every Windows program links.
    fn GenerateConsoleCtrlEvent(event: u32, process_group: u32) -> i32;
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait()
            && !self.interrupt()
        {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// GET or HEAD through ureq, which neither follows redirects nor treats 404 as an error.
pub fn fetch(method: &str, url: &str) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let response = match method {
        "HEAD" => agent.head(url).call(),
        _ => agent.get(url).call(),
    };
    let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let status = response.status().as_u16();
    let body = if method == "HEAD" {
        String::new()
    } else {
        response
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|e| panic!("body of {url}: {e}"))
    };
    Answer {
        status,
        headers,
        body,
    }
}

pub fn get(url: &str) -> Answer {
    fetch("GET", url)
}

/// A request written byte for byte, because HTTP clients tidy up paths such as
/// `/../x` before sending them, and that is exactly what must reach the server.
pub fn raw_status(origin: &str, path: &str) -> (u16, String) {
    let addr = origin.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// An open live-reload stream.
pub struct Events {
    reader: BufReader<TcpStream>,
}

#[derive(Debug)]
pub struct SseEvent {
    pub name: String,
    pub data: String,
}

impl Events {
    /// Connect to `{url}__staffroom/events` (url ends with `/`) and read the greeting.
    pub fn open(url: &str) -> (Events, SseEvent) {
        let rest = url.trim_start_matches("http://");
        let (addr, path) = rest.split_once('/').expect("a path");
        let mut s = TcpStream::connect(addr).expect("connect");
        // Bounded from the first read on: a server that never answers fails the test
        // instead of hanging it.
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            s,
            "GET /{path}__staffroom/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send");
        let mut reader = BufReader::new(s);
        let mut line = String::new();
        reader.read_line(&mut line).expect("status line");
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let mut events = Events { reader };
        let hello = events.next(Duration::from_secs(5)).expect("a hello event");
        assert_eq!(hello.name, "hello");
        (events, hello)
    }

    /// The next named event within `timeout` (headers and comments are skipped).
    pub fn next(&mut self, timeout: Duration) -> Option<SseEvent> {
        let deadline = Instant::now() + timeout;
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.reader.get_ref().set_read_timeout(Some(left)).ok()?;
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_string();
            } else if line.is_empty() && !name.is_empty() {
                return Some(SseEvent { name, data });
            }
        }
    }

    /// Skip events until one called `name`.
    pub fn wait_for(&mut self, name: &str, timeout: Duration) -> Option<SseEvent> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let e = self.next(left)?;
            if e.name == name {
                return Some(e);
            }
        }
    }
}

/// Every file under `dir`, relative.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap_or(e.path()).to_path_buf())
        .collect()
}
