//! Watching the site's files. Native events (inotify, FSEvents, ...) where they work,
//! polling where they cannot be set up (or with `--poll`, for shared folders that
//! never send any). Events are filtered (editor swap files, `public/`, `.git`),
//! classified, and debounced: an editor's save is often several events, and the
//! rebuild should start once, after the file is complete.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode};

pub use super::classify::{Change, classify};
use super::poll;
use crate::error::{Error, Location, Result};

/// Changes that arrived together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub changes: BTreeSet<Change>,
    /// Relative to the site folder.
    pub paths: BTreeSet<PathBuf>,
}

impl Batch {
    pub fn merge(&mut self, other: Batch) {
        self.changes.extend(other.changes);
        self.paths.extend(other.paths);
    }
}

/// The folders a site's input lives in; each is watched recursively when it exists.
const FOLDERS: [&str; 5] = ["content", "static", "templates", "themes", "data"];

#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Wait this long after the last event before handing on a batch...
    pub quiet: Duration,
    /// ... or only this long when that event finished a file (a write closed, a
    /// rename into place, a removal): more of the same save may follow within
    /// microseconds, but the file itself is complete.
    pub settle: Duration,
    /// ... but never longer than this after the first one.
    pub max_wait: Duration,
    /// Poll even though native events are available.
    pub force_poll: bool,
    pub poll_interval: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            quiet: Duration::from_millis(25),
            settle: Duration::from_millis(4),
            max_wait: Duration::from_millis(300),
            force_poll: false,
            poll_interval: Duration::from_millis(400),
        }
    }
}

type Raw = notify::Result<notify::Event>;

/// Each variant is held only to keep it running; dropping it stops it.
enum Backend {
    Native(Box<dyn notify::Watcher + Send>),
    Poll(#[allow(dead_code)] poll::Poller),
}

type Shared = Arc<Mutex<Option<Backend>>>;

pub struct Watcher {
    /// Kept so the OS watch lives as long as this; dropping it ends the thread too.
    watcher: Shared,
    thread: Option<JoinHandle<()>>,
    pub polling: bool,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        // Dropping the OS watcher drops its event sender, which ends the debounce thread.
        let taken = crate::lock::unpoisoned(&self.watcher).take();
        drop(taken);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Start watching `root`; batches arrive on the returned channel.
pub fn watch(root: &Path, options: WatchOptions) -> Result<(Watcher, Receiver<Batch>)> {
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let (raw_tx, raw_rx) = mpsc::channel::<Raw>();
    let native = (!options.force_poll)
        .then(|| native(&root, raw_tx.clone()))
        .and_then(|r| r.ok());
    let (watcher, polling) = match native {
        Some(w) => (Backend::Native(w), false),
        None => {
            let folders = FOLDERS.map(|f| root.join(f));
            let poller = poll::Poller::start(&root, &folders, options.poll_interval, raw_tx)
                .map_err(|e| Error::io("watcher thread", e))?;
            (Backend::Poll(poller), true)
        }
    };
    let shared: Shared = Arc::new(Mutex::new(Some(watcher)));
    let (batch_tx, batch_rx) = mpsc::channel();
    let thread = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("staffroom-watch".into())
            .spawn(move || debounce(&root, &raw_rx, &batch_tx, &shared, &options))
            .map_err(|e| Error::io("watcher thread", e))?
    };
    Ok((
        Watcher {
            watcher: shared,
            thread: Some(thread),
            polling,
        },
        batch_rx,
    ))
}

fn native(root: &Path, tx: Sender<Raw>) -> Result<Box<dyn notify::Watcher + Send>> {
    let mut w = notify::recommended_watcher(tx).map_err(|e| watch_error(root, &e))?;
    add_watches(&mut w, root)?;
    Ok(Box::new(w))
}

/// The site folder itself (for site.toml and folders created later) and each input
/// folder under it. Not the whole tree: `public/`, `.git` and `node_modules` can be
/// large, and their changes are never ours to act on.
fn add_watches(w: &mut dyn notify::Watcher, root: &Path) -> Result<()> {
    w.watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| watch_error(root, &e))?;
    for folder in FOLDERS {
        let dir = root.join(folder);
        if dir.is_dir() {
            w.watch(&dir, RecursiveMode::Recursive)
                .map_err(|e| watch_error(&dir, &e))?;
        }
    }
    Ok(())
}

fn watch_error(path: &Path, e: &notify::Error) -> Error {
    Error::input(
        Location::file(path),
        format!("cannot be watched for changes: {e}"),
    )
    .with_hint("on Linux, raise fs.inotify.max_user_watches, or run serve with --poll")
}

fn debounce(
    root: &Path,
    raw: &Receiver<Raw>,
    out: &Sender<Batch>,
    watcher: &Shared,
    options: &WatchOptions,
) {
    loop {
        let Ok(first) = raw.recv() else { return };
        let mut batch = Batch::default();
        let mut created = Vec::new();
        let started = Instant::now();
        let mut next = Some(first);
        while let Some(event) = next.take() {
            let finished = match event {
                Ok(event) => take_event(root, &event, &mut batch, &mut created),
                Err(_) => false,
            };
            let quiet = if finished {
                options.settle
            } else {
                options.quiet
            };
            let left = options.max_wait.saturating_sub(started.elapsed());
            match raw.recv_timeout(quiet.min(left)) {
                Ok(e) => next = Some(e),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        // An editor's temporary file, created and renamed away within the batch, is
        // not worth naming (the file it became is named).
        batch
            .paths
            .retain(|p| !created.contains(p) || root.join(p).exists());
        batch.changes = batch.paths.iter().filter_map(|p| classify(p)).collect();
        let new_folders = created.iter().filter(|p| {
            p.components().count() == 1 && FOLDERS.iter().any(|f| p.as_path() == Path::new(f))
        });
        // The poller looks at every input folder each time; native watches are added.
        if let Some(Backend::Native(w)) = crate::lock::unpoisoned(watcher).as_mut() {
            for dir in new_folders {
                // A folder created just now and removed again is no loss.
                let _ = w.watch(&root.join(dir), RecursiveMode::Recursive);
            }
        }
        if !batch.changes.is_empty() && out.send(batch).is_err() {
            return;
        }
    }
}

/// Adds the event's paths to `batch`, and those it created to `created`. True when
/// the event leaves one of the site's files complete.
fn take_event(
    root: &Path,
    event: &notify::Event,
    batch: &mut Batch,
    created: &mut Vec<PathBuf>,
) -> bool {
    use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
    // Opening or reading a file changes nothing; a write being closed means the file
    // is complete, which is worth a (debounced) look.
    let (relevant, finishes) = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => (true, true),
        EventKind::Access(_) => (false, false),
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
        | EventKind::Remove(_) => (true, true),
        _ => (true, false),
    };
    if !relevant {
        return false;
    }
    let mut ours = false;
    for path in &event.paths {
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        if matches!(event.kind, EventKind::Create(_)) {
            created.push(rel.to_path_buf());
        }
        if let Some(change) = classify(rel) {
            batch.changes.insert(change);
            batch.paths.insert(rel.to_path_buf());
            ours = true;
        }
    }
    finishes && ours
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/posts")).unwrap();
        std::fs::write(dir.path().join("content/posts/a.md"), "one").unwrap();
        dir
    }

    fn next(rx: &Receiver<Batch>) -> Batch {
        rx.recv_timeout(Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("no batch within 5 s: {e}"))
    }

    fn check_watcher(force_poll: bool) {
        let dir = site();
        let options = WatchOptions {
            force_poll,
            poll_interval: Duration::from_millis(50),
            quiet: Duration::from_millis(60),
            settle: Duration::from_millis(60),
            ..WatchOptions::default()
        };
        let (w, rx) = watch(dir.path(), options).unwrap();
        assert_eq!(w.polling, force_poll);
        // Polling notices changes by modification time, whose resolution may be coarse.
        std::thread::sleep(Duration::from_millis(60));
        let post = dir.path().join("content/posts/a.md");
        std::fs::write(&post, "two").unwrap();
        std::fs::write(dir.path().join("content/posts/.a.md.swp"), "x").unwrap();
        std::fs::write(dir.path().join("content/posts/a.md"), "three").unwrap();
        let batch = next(&rx);
        assert_eq!(batch.changes, BTreeSet::from([Change::Content]));
        assert_eq!(
            batch.paths,
            BTreeSet::from([PathBuf::from("content/posts/a.md")])
        );
        // A folder created after the start is watched too.
        std::fs::create_dir(dir.path().join("static")).unwrap();
        let _ = next(&rx);
        std::thread::sleep(Duration::from_millis(60));
        std::fs::write(dir.path().join("static/style.css"), "p{}").unwrap();
        let mut seen = next(&rx);
        while !seen.changes.contains(&Change::Static) {
            seen = next(&rx);
        }
        assert!(
            seen.paths.contains(Path::new("static/style.css")),
            "{seen:?}"
        );
        drop(w);
        assert!(
            rx.recv().is_err(),
            "the channel closes when the watcher is dropped"
        );
    }

    #[test]
    fn native_events_are_filtered_and_debounced() {
        check_watcher(false);
    }

    #[test]
    fn a_closed_write_ends_the_wait_early() {
        let dir = site();
        let options = WatchOptions {
            quiet: Duration::from_secs(3),
            settle: Duration::from_millis(4),
            max_wait: Duration::from_secs(6),
            ..WatchOptions::default()
        };
        let (w, rx) = watch(dir.path(), options).unwrap();
        if w.polling {
            return; // no native events here: nothing says a write was closed
        }
        let start = Instant::now();
        std::fs::write(dir.path().join("content/posts/a.md"), "two").unwrap();
        let batch = next(&rx);
        assert!(batch.paths.contains(Path::new("content/posts/a.md")));
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "waited {:?}, as if the write were still going on",
            start.elapsed()
        );
        // Editors' swap files are left out of the batch, whatever their events.
        let start = Instant::now();
        std::fs::write(dir.path().join("content/posts/.a.md.swp"), "x").unwrap();
        std::fs::write(dir.path().join("content/posts/a.md"), "three").unwrap();
        let batch = next(&rx);
        assert_eq!(
            batch.paths,
            BTreeSet::from([PathBuf::from("content/posts/a.md")])
        );
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn polling_works_where_native_events_do_not() {
        check_watcher(true);
    }
}
