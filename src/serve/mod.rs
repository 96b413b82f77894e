//! `staffroom serve`: build the site into a private folder, serve it over HTTP, watch
//! the site's files, rebuild what changed and tell open pages to reload.
//!
//! Threads: the HTTP workers (`http`) read the served folder; the watcher (`watch`)
//! turns file events into debounced batches; one rebuild thread (here) applies each
//! batch through `live::Live` and announces the outcome on the hub (`reload`) and to
//! whoever started the server (the CLI prints it).

pub mod classify;
mod files;
pub mod http;
pub mod live;
pub mod poll;
pub mod reload;
pub mod resolve;
mod served;
pub mod watch;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::config::Config;
use crate::error::{Error, Result};
use live::{Live, Report};
use reload::{Hub, Notice};
use watch::{Batch, WatchOptions};

pub const DEFAULT_PORT: u16 = 1111;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    /// The user named the port, so a busy one is an error rather than a reason to
    /// take the next.
    pub port_given: bool,
    pub drafts: bool,
    pub force_poll: bool,
}

/// What happened, for the CLI to print.
#[derive(Debug)]
pub enum Event {
    Rebuilt {
        batch: Batch,
        report: Report,
        /// The preview's new address, when site.toml's base_url path changed.
        moved_to: Option<String>,
    },
    Failed {
        batch: Batch,
        error: String,
    },
    /// Ctrl-C (sent by the CLI's signal handler).
    Stop,
}

pub struct Server {
    /// Where to point a browser: `http://127.0.0.1:1111/blog/`.
    pub url: String,
    /// The first build's report, or its error (the server runs either way).
    pub first: std::result::Result<Report, String>,
    /// Set when the default port was busy and another was taken.
    pub moved_from: Option<u16>,
    pub polling: bool,
    pub output: PathBuf,
    http: http::Http,
    watcher: watch::Watcher,
    rebuilder: Option<JoinHandle<()>>,
    _output: tempfile::TempDir,
}

impl Server {
    /// Stop serving and watching, and delete the preview's folder.
    pub fn stop(mut self) {
        self.http.stop();
        // The watcher's channel closing is what ends the rebuild thread.
        drop(self.watcher);
        if let Some(t) = self.rebuilder.take() {
            let _ = t.join();
        }
    }
}

/// Build, then serve and watch until `Server::stop`. Events go to `events`.
pub fn start(options: &ServeOptions, events: Sender<Event>) -> Result<Server> {
    // site.toml is read first: without it there is no site, and its base_url path is
    // where the preview is served.
    let config = Config::load(&options.root)?;
    let listener = http::bind(options.bind, options.port, !options.port_given)?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::io("the preview server", e))?
        .port();
    let moved_from = (port != options.port && options.port != 0).then_some(options.port);
    let origin = format!("http://{}:{port}", host_for_urls(options.bind));

    let output = tempfile::Builder::new()
        .prefix("staffroom-preview-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let mut live = Live::new(&options.root, &origin, options.drafts, output.path());
    let hub = Arc::new(Hub::default());
    let first = live.rebuild().map_err(|e| e.to_string());
    let base_path = match &first {
        Ok(report) => {
            hub.set_warnings(&report.warnings);
            report.base_path.clone()
        }
        Err(e) => {
            hub.publish(&Notice::Failed(e.clone()));
            config.base.path().to_string()
        }
    };
    let shared = Arc::new(http::Shared::new(
        output.path().to_path_buf(),
        &base_path,
        hub.clone(),
    ));
    let http = http::Http::start(listener, shared.clone())?;
    let watch_options = WatchOptions {
        force_poll: options.force_poll,
        ..WatchOptions::default()
    };
    let (watcher, batches) = watch::watch(&options.root, watch_options)?;
    let polling = watcher.polling;
    let rebuilder = std::thread::Builder::new()
        .name("staffroom-rebuild".into())
        .spawn({
            let origin = origin.clone();
            move || rebuild_loop(live, &batches, &shared, &events, &origin)
        })
        .map_err(|e| Error::io("the rebuild thread", e))?;
    Ok(Server {
        url: format!("{origin}{base_path}"),
        first,
        moved_from,
        polling,
        output: output.path().to_path_buf(),
        http,
        watcher,
        rebuilder: Some(rebuilder),
        _output: output,
    })
}

/// The host to put in links: the bound address, or loopback when bound to all
/// addresses (the links must work in the browser on this computer).
fn host_for_urls(bind: IpAddr) -> String {
    match bind {
        IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".into(),
        IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".into(),
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

const HEARTBEAT: Duration = Duration::from_secs(15);

fn rebuild_loop(
    mut live: Live,
    batches: &Receiver<Batch>,
    shared: &http::Shared,
    events: &Sender<Event>,
    origin: &str,
) {
    loop {
        let mut batch = match batches.recv_timeout(HEARTBEAT) {
            Ok(b) => b,
            Err(RecvTimeoutError::Timeout) => {
                shared.hub.heartbeat();
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        // Saves that arrived during the last rebuild are one rebuild, not several.
        while let Ok(more) = batches.try_recv() {
            batch.merge(more);
        }
        let was_failing = shared.hub.error().is_some();
        let event = match live.rebuild() {
            Ok(report) => {
                let moved = shared.set_base_path(&report.base_path);
                let warned = shared.hub.set_warnings(&report.warnings);
                if moved {
                    // Open pages go to the same page at the new path; the old path
                    // redirects there too.
                    shared.hub.publish(&Notice::Moved(report.base_path.clone()));
                } else if report.only_css() {
                    shared.hub.publish(&Notice::Css);
                } else if !report.changed.is_empty() || was_failing {
                    // After a failure the pages show the error: reload them even when
                    // the fix put every file back as it was.
                    shared.hub.publish(&Notice::Reload);
                } else if warned {
                    shared.hub.publish(&Notice::Warnings);
                }
                let moved_to = moved.then(|| format!("{origin}{}", report.base_path));
                Event::Rebuilt {
                    batch,
                    report,
                    moved_to,
                }
            }
            Err(error) => {
                let error = error.to_string();
                shared.hub.publish(&Notice::Failed(error.clone()));
                Event::Failed { batch, error }
            }
        };
        // Nobody listening (the CLI went away) is no reason to stop serving.
        let _ = events.send(event);
    }
}
