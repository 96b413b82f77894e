//! The watcher of last resort: look at every input file's size and modification time
//! at an interval and report what differs. notify's own poller compares whole
//! seconds, which misses a second save within the same second; this compares the
//! full timestamp and the size.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use notify::event::{CreateKind, ModifyKind, RemoveKind};
use notify::{Event, EventKind};

type Stamp = (Option<SystemTime>, u64, bool);
type Snapshot = HashMap<PathBuf, Stamp>;

pub struct Poller {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Poller {
    /// Poll the files directly in `root`, and everything under `folders`.
    pub fn start(
        root: &Path,
        folders: &[PathBuf],
        every: Duration,
        events: Sender<notify::Result<Event>>,
    ) -> std::io::Result<Poller> {
        let stop = Arc::new(AtomicBool::new(false));
        let (root, folders) = (root.to_path_buf(), folders.to_vec());
        let mut before = snapshot(&root, &folders);
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("staffroom-poll".into())
            .spawn(move || {
                while sleep_unless_stopped(&flag, every) {
                    let now = snapshot(&root, &folders);
                    for event in differences(&before, &now) {
                        if events.send(Ok(event)).is_err() {
                            return;
                        }
                    }
                    before = now;
                }
            })?;
        Ok(Poller {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Sleep in short steps, so stopping never waits a whole interval; false once stopped.
fn sleep_unless_stopped(stop: &AtomicBool, total: Duration) -> bool {
    let step = Duration::from_millis(20);
    let mut slept = Duration::ZERO;
    while slept < total {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep(step.min(total - slept));
        slept += step;
    }
    !stop.load(Ordering::SeqCst)
}

fn snapshot(root: &Path, folders: &[PathBuf]) -> Snapshot {
    let mut snap = Snapshot::new();
    let top = walkdir::WalkDir::new(root).min_depth(1).max_depth(1);
    let inner = folders
        .iter()
        .map(|f| walkdir::WalkDir::new(f).follow_links(true));
    for walker in std::iter::once(top).chain(inner) {
        // Unreadable entries are skipped: they cannot be built either, and the build
        // reports them properly.
        for entry in walker.into_iter().filter_map(|e| e.ok()) {
            if let Ok(meta) = entry.metadata() {
                let stamp = (meta.modified().ok(), meta.len(), meta.is_dir());
                snap.insert(entry.into_path(), stamp);
            }
        }
    }
    snap
}

fn differences(before: &Snapshot, now: &Snapshot) -> Vec<Event> {
    let mut events = Vec::new();
    for (path, stamp) in now {
        let kind = match before.get(path) {
            None if stamp.2 => EventKind::Create(CreateKind::Folder),
            None => EventKind::Create(CreateKind::File),
            // A folder's own time changes with its entries, which are reported anyway.
            Some(old) if old != stamp && !stamp.2 => EventKind::Modify(ModifyKind::Any),
            Some(_) => continue,
        };
        events.push(Event::new(kind).add_path(path.clone()));
    }
    for path in before.keys().filter(|p| !now.contains_key(*p)) {
        events.push(Event::new(EventKind::Remove(RemoveKind::Any)).add_path(path.clone()));
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_save_within_the_same_second_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.md");
        std::fs::write(&f, "one").unwrap();
        let a = snapshot(dir.path(), &[]);
        // File times tick in steps of a few milliseconds on Linux; wait out one.
        std::thread::sleep(Duration::from_millis(30));
        std::fs::write(&f, "two").unwrap();
        let b = snapshot(dir.path(), &[]);
        // Same size, so only the sub-second part of the time tells them apart.
        let changed = differences(&a, &b);
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert_eq!(changed[0].kind, EventKind::Modify(ModifyKind::Any));
        std::fs::remove_file(&f).unwrap();
        let c = snapshot(dir.path(), &[]);
        assert_eq!(
            differences(&b, &c)[0].kind,
            EventKind::Remove(RemoveKind::Any)
        );
    }
}
