//! Live reload: a Server-Sent Events stream that tells open pages when the site was
//! rebuilt (reload), when only stylesheets changed (swap them), when it moved to
//! another path (base_url changed: go there), when a rebuild failed (show the error
//! over the page), and what the last good build warned about (a dismissable panel). The script that listens is added to HTML
//! as the preview server sends it, so it never reaches `build` output.

use std::io::Write;
use std::sync::Mutex;

use serde_json::json;

use super::resolve::INTERNAL;
use crate::lock::unpoisoned;

pub const SCRIPT: &str = include_str!("reload.js");

/// What open pages are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Pages changed: reload.
    Reload,
    /// Only stylesheets changed: swap them in place.
    Css,
    /// The rebuild failed; the message names the file and line.
    Failed(String),
    /// The site is now served under this base path (site.toml's base_url changed).
    Moved(String),
    /// The same pages, other warnings (`set_warnings` holds them).
    Warnings,
}

struct State {
    /// Counts rebuilds that changed the output; pages carry the one they were read at.
    generation: u64,
    error: Option<String>,
    /// What the last good build warned about, each naming file and line.
    warnings: Vec<String>,
}

type Client = Box<dyn Write + Send>;

pub struct Hub {
    /// Differs on every start of `serve`, so a page that reconnects to a restarted
    /// server reloads (the site may have changed while it was down).
    instance: String,
    state: Mutex<State>,
    clients: Mutex<Vec<Client>>,
}

impl Default for Hub {
    fn default() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Hub {
            instance: format!("{:x}-{:x}", nanos, std::process::id()),
            state: Mutex::new(State {
                generation: 0,
                error: None,
                warnings: Vec::new(),
            }),
            clients: Mutex::new(Vec::new()),
        }
    }
}

impl Hub {
    pub fn generation(&self) -> u64 {
        unpoisoned(&self.state).generation
    }

    pub fn error(&self) -> Option<String> {
        unpoisoned(&self.state).error.clone()
    }

    /// Record the last good build's warnings; true when they differ from before.
    /// Told to pages with the next notice.
    pub fn set_warnings(&self, warnings: &[String]) -> bool {
        let mut s = unpoisoned(&self.state);
        let differ = s.warnings != warnings;
        s.warnings = warnings.to_vec();
        differ
    }

    pub fn clients(&self) -> usize {
        unpoisoned(&self.clients).len()
    }

    /// Take over a connection (its HTTP response not yet started) as an event stream.
    pub fn subscribe(&self, mut conn: Client) {
        let hello = {
            let s = unpoisoned(&self.state);
            json!({
                "instance": self.instance,
                "generation": s.generation,
                "error": s.error,
                "warnings": s.warnings,
            })
        };
        // `Connection: close` and no length: the body is the stream, until either side
        // hangs up. `retry` makes the browser try again after a second if it drops.
        let head = "HTTP/1.1 200 OK\r\n\
            Content-Type: text/event-stream; charset=utf-8\r\n\
            Cache-Control: no-store\r\n\
            Connection: close\r\n\
            X-Accel-Buffering: no\r\n\r\n\
            retry: 1000\n\n";
        let sent = conn
            .write_all(head.as_bytes())
            .and_then(|()| conn.write_all(event("hello", &hello.to_string()).as_bytes()))
            .and_then(|()| conn.flush());
        if sent.is_ok() {
            unpoisoned(&self.clients).push(conn);
        }
    }

    /// Record the outcome of a rebuild and tell every open page.
    pub fn publish(&self, notice: &Notice) {
        let message = {
            let mut s = unpoisoned(&self.state);
            match notice {
                Notice::Reload | Notice::Css | Notice::Moved(_) => {
                    s.generation += 1;
                    s.error = None;
                }
                Notice::Failed(e) => s.error = Some(e.clone()),
                Notice::Warnings => {}
            }
            let mut data = json!({
                "generation": s.generation,
                "error": s.error,
                "warnings": s.warnings,
            });
            if let Notice::Moved(base) = notice {
                data["base"] = json!(base);
            }
            let name = match notice {
                Notice::Reload => "reload",
                Notice::Css => "css",
                Notice::Failed(_) => "build-error",
                Notice::Moved(_) => "moved",
                Notice::Warnings => "warnings",
            };
            event(name, &data.to_string())
        };
        self.broadcast(&message);
    }

    /// A comment line, so connections that died quietly are noticed and dropped.
    pub fn heartbeat(&self) {
        self.broadcast(": still here\n\n");
    }

    fn broadcast(&self, message: &str) {
        unpoisoned(&self.clients).retain_mut(|c| {
            c.write_all(message.as_bytes())
                .and_then(|()| c.flush())
                .is_ok()
        });
    }
}

/// One SSE message. `data` must not contain a newline (JSON from serde_json has none).
fn event(name: &str, data: &str) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// Add the reload script to an HTML page, just before `</body>` (or at the end).
pub fn inject(html: &[u8], base_path: &str, generation: u64) -> Vec<u8> {
    let tag = format!(
        "<script src=\"{base_path}{INTERNAL}/reload.js\" data-generation=\"{generation}\" defer></script>"
    );
    let at = rfind_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=hay.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn script_goes_before_the_last_body_end_tag() {
        let out = inject(b"<p>x</p></BODY></html>", "/blog/", 3);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            "<p>x</p><script src=\"/blog/__staffroom/reload.js\" data-generation=\"3\" defer></script></BODY></html>"
        );
        let bare = String::from_utf8(inject(b"<p>x", "/", 0)).unwrap();
        assert!(bare.starts_with("<p>x<script src=\"/__staffroom/reload.js\""));
    }

    /// A client whose bytes the test can read back.
    #[derive(Clone, Default)]
    struct Pipe(Arc<Mutex<Vec<u8>>>);
    impl Write for Pipe {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            unpoisoned(&self.0).extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    struct Gone;
    impl Write for Gone {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn subscribers_get_hello_then_each_notice_and_dead_ones_are_dropped() {
        let hub = Hub::default();
        hub.publish(&Notice::Failed("content/posts/a.md:2: bad".into()));
        let pipe = Pipe::default();
        hub.subscribe(Box::new(pipe.clone()));
        hub.subscribe(Box::new(Gone));
        assert_eq!(hub.clients(), 1);
        hub.publish(&Notice::Reload);
        hub.publish(&Notice::Css);
        let text = String::from_utf8(unpoisoned(&pipe.0).clone()).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("text/event-stream"));
        let hello = text.split("event: hello\ndata: ").nth(1).unwrap();
        assert!(
            hello.contains(r#""error":"content/posts/a.md:2: bad""#),
            "{hello}"
        );
        assert!(hello.contains(r#""generation":0"#), "{hello}");
        assert!(
            text.contains(
                "event: reload\ndata: {\"error\":null,\"generation\":1,\"warnings\":[]}\n\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "event: css\ndata: {\"error\":null,\"generation\":2,\"warnings\":[]}\n\n"
            ),
            "{text}"
        );
        assert_eq!(hub.generation(), 2);
        assert_eq!(hub.error(), None);
    }
}
