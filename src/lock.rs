//! One staffroom command at a time on a shared file: two `network add` at once, or an
//! add during a fetch, each read network.toml, changed it and wrote it back, and the
//! second write lost the first one's change. A command now holds a lock across its
//! whole read-modify-write.
//!
//! The lock is the operating system's (`File::try_lock`, flock on Linux) on a hidden
//! file beside what it protects (`.network.toml.lock`), so a command that is killed
//! lets go of it at once; the file holds the holder's process id for the message a
//! waiting command prints. It is removed when let go, so it is never committed or
//! copied; one left by a killed holder is harmless, and the next holder removes it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use crate::error::{Error, Location, Result};

/// An in-process lock taken even when a thread panicked while holding it. What
/// staffroom keeps behind one (a cache, the preview's state, the Webmention journal's
/// turn) is whole between statements, so one panic must not stop everything after.
pub fn unpoisoned<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `unpoisoned` for a lock that many may read at once: reading.
pub fn read_unpoisoned<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

/// `unpoisoned` for a lock that many may read at once: writing.
pub fn write_unpoisoned<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

/// How long a command waits for another that holds the lock.
#[derive(Debug, Clone, Copy)]
pub struct Wait {
    /// Give up (exit 1, nothing changed) after this long.
    pub bound: Duration,
    /// Say that it is waiting once it has waited this long.
    pub tell_after: Duration,
}

/// A network.toml edit holds its lock for milliseconds: a long wait means a command
/// that was paused (Ctrl-Z) in the middle of one.
pub const EDIT: Wait = Wait {
    bound: Duration::from_secs(30),
    tell_after: Duration::from_secs(1),
};

/// A whole `network fetch` or `webmention send`, which can take minutes.
pub const RUN: Wait = Wait {
    bound: Duration::from_secs(600),
    tell_after: Duration::ZERO,
};

/// Held until dropped.
#[derive(Debug)]
pub struct Lock {
    /// None where the file system cannot lock (the command then runs unlocked, as
    /// every command did before locks).
    file: Option<File>,
    path: PathBuf,
}

/// Lock `lock_path`, which guards `guarded` (named in messages), waiting as `wait`
/// says; `waiting` hears what to tell the teacher.
pub fn acquire(
    lock_path: &Path,
    guarded: &Path,
    wait: Wait,
    waiting: &mut dyn FnMut(&str),
) -> Result<Lock> {
    if let Some(dir) = lock_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let start = Instant::now();
    let mut told = false;
    let mut pause = Duration::from_millis(5);
    loop {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_path)
            .map_err(|e| Error::io(lock_path, e))?;
        match file.try_lock() {
            // The holder before us may have removed the file after we opened it: then
            // this lock guards nothing, and the next command would lock a new file.
            Ok(()) if !still_there(&file, lock_path) => continue,
            Ok(()) => {
                // Only for the message another command prints while it waits.
                let _ = file.set_len(0);
                let _ = write!(file, "{}", std::process::id());
                return Ok(Lock {
                    file: Some(file),
                    path: lock_path.to_path_buf(),
                });
            }
            Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                waiting(&format!(
                    "note: {} cannot be locked on this file system, so two staffroom commands at once could lose a change",
                    crate::error::shown(guarded)
                ));
                return Ok(Lock {
                    file: None,
                    path: lock_path.to_path_buf(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(lock_path, e)),
            Err(TryLockError::WouldBlock) => {}
        }
        let holder = holder(&mut file);
        drop(file);
        let waited = start.elapsed();
        if waited >= wait.bound {
            return Err(Error::input(
                Location::file(guarded),
                format!(
                    "another staffroom command{holder} has been using this for over {}; nothing was changed",
                    seconds(wait.bound)
                ),
            )
            .with_hint("let that command finish (or stop it), then run this one again"));
        }
        if !told && waited >= wait.tell_after {
            told = true;
            waiting(&format!(
                "Waiting for another staffroom command{holder} to finish with {} (up to {}) ...",
                crate::error::shown(guarded),
                seconds(wait.bound)
            ));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

fn seconds(d: Duration) -> String {
    match d.as_secs() {
        s if s >= 120 => crate::words::count(s as usize / 60, "minute"),
        s => crate::words::count(s as usize, "second"),
    }
}

/// " (process 123)" when the holder wrote its id.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    match text.trim().parse::<u32>() {
        Ok(pid) => format!(" (process {pid})"),
        Err(_) => String::new(),
    }
}

#[cfg(unix)]
fn still_there(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

// Lock files are only removed on Unix, so the one opened is the one at the path.
#[cfg(not(unix))]
fn still_there(_: &File, _: &Path) -> bool {
    true
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so a command that opened it meanwhile sees, once
        // it gets the lock, that it is no longer at the path, and tries again.
        if cfg!(unix)
            && self
                .file
                .as_ref()
                .is_some_and(|f| still_there(f, &self.path))
        {
            let _ = std::fs::remove_file(&self.path);
        }
        // Closing the file lets go of the lock.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Wait = Wait {
        bound: Duration::from_millis(60),
        tell_after: Duration::ZERO,
    };

    #[test]
    fn a_second_holder_waits_then_gives_up_naming_the_file_and_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".network.toml.lock");
        let guarded = dir.path().join("network.toml");
        let first = acquire(&path, &guarded, SHORT, &mut |_| {}).unwrap();
        let mut heard = Vec::new();
        let err = acquire(&path, &guarded, SHORT, &mut |m| heard.push(m.to_string()))
            .unwrap_err()
            .to_string();
        let me = format!("(process {})", std::process::id());
        assert!(
            err.contains("network.toml: another staffroom command"),
            "{err}"
        );
        // Windows' locks are mandatory: the holder's id cannot be read while it holds
        // the lock, and the message goes without it.
        assert!(err.contains(&me) || cfg!(windows), "{err}");
        assert!(err.contains("hint:"), "{err}");
        assert_eq!(heard.len(), 1, "{heard:?}");
        assert!(heard[0].starts_with("Waiting for another staffroom command"));
        drop(first);
        // Only Unix can tell that a lock file is still the one at its path (see
        // still_there), so elsewhere it stays, ignored, for the next holder.
        assert_eq!(
            path.exists(),
            !cfg!(unix),
            "the lock file outlived its lock"
        );
        let again = acquire(&path, &guarded, SHORT, &mut |_| {}).unwrap();
        assert!(path.exists());
        drop(again);
    }

    #[test]
    fn the_gitignore_init_writes_lists_every_lock_file() {
        let gitignore = include_str!("init/files/gitignore");
        for path in [
            crate::network::blogroll::NETWORK_LOCK,
            crate::network::refresh::FETCH_LOCK,
            crate::webmention::journal::LEDGER_LOCK,
        ] {
            assert!(gitignore.lines().any(|l| l == format!("/{path}")), "{path}");
        }
    }

    #[test]
    fn a_lock_file_left_by_a_killed_holder_is_taken_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".fetch.lock");
        std::fs::write(&path, "999999").unwrap();
        let lock = acquire(&path, dir.path(), SHORT, &mut |_| {}).unwrap();
        drop(lock);
        assert_eq!(path.exists(), !cfg!(unix));
    }
}
