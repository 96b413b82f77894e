//! What a running `webmention send` has done, one line per target, each written and
//! flushed to disk before the next Webmention is sent, so a send that is killed
//! (SIGKILL, a closed laptop, a cancelled CI job) does not send again what it sent.
//!
//! The order: POST, then append "sent" and fsync, and only then the next POST (they go
//! one at a time; finding each endpoint still runs in parallel). A kill can fall
//! between a POST and its line, so at most ONE Webmention per kill is sent again by
//! the next run: delivery is at least once. The other order (write "about to send",
//! then POST) would instead lose that one for good; a repeated Webmention is safe
//! (receivers treat the same source and target again as an update, W3C Webmention
//! 3.2), a lost one is not, so the teacher never believes a site was told when it
//! was not.
//!
//! `data/webmentions.json` stays the record that is committed: the next send folds
//! this journal into it and removes the journal, and a complete send does so at its
//! end. One send at a time per site (`data/.webmentions.json.lock`): two would both
//! send everything.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ledger::{Done, Ledger, Status, Version};
use crate::error::{Error, Location, Result};
use crate::lock::{self, Lock};

pub const JOURNAL_FILE: &str = "data/.webmentions.json.journal";
pub const LEDGER_LOCK: &str = "data/.webmentions.json.lock";

/// One line: one target of one post, told (or not) at `at`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    pub source: String,
    pub hash: String,
    pub updated: String,
    /// The post's links at that version (what `Ledger::record` needs).
    pub links: Vec<String>,
    pub target: String,
    pub removed: bool,
    pub status: Status,
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub note: String,
    pub at: DateTime<Utc>,
}

impl Line {
    pub fn new(
        source: &str,
        version: &Version,
        links: &[String],
        done: &Done,
        at: DateTime<Utc>,
    ) -> Line {
        Line {
            source: source.to_string(),
            hash: version.hash.clone(),
            updated: version.updated.clone(),
            links: links.to_vec(),
            target: done.target.clone(),
            removed: done.removed,
            status: done.status,
            endpoint: done.endpoint.clone(),
            note: done.note.clone(),
            at,
        }
    }

    fn apply(self, ledger: &mut Ledger) {
        let version = Version {
            hash: self.hash,
            updated: self.updated,
        };
        let done = Done {
            target: self.target,
            removed: self.removed,
            status: self.status,
            endpoint: self.endpoint,
            note: self.note,
        };
        ledger.record(&self.source, &version, &self.links, &[done], self.at);
    }
}

/// Fold the journal of a send that did not finish into `ledger`.
pub fn replay(root: &Path, ledger: &mut Ledger) -> Result<()> {
    let path = root.join(JOURNAL_FILE);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let whole = text.rfind('\n').map_or("", |end| &text[..end]);
    // A line without its newline is one a kill cut short: its Webmention is the one
    // the next run may send again.
    for (i, line) in whole.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line: Line = serde_json::from_str(line).map_err(|e| {
            Error::input(
                Location::line(&path, i + 1),
                format!("the journal of an interrupted `webmention send` is damaged: {e}"),
            )
            .with_hint(
                "delete this line (or the whole file) and run `staffroom webmention send` again; the sites it names may then be told twice, which they accept",
            )
        })?;
        line.apply(ledger);
    }
    Ok(())
}

/// The journal of the running send, and its lock on the ledger.
pub struct Journal {
    root: PathBuf,
    file: Mutex<Open>,
    _lock: Lock,
}

struct Open {
    file: Option<File>,
    /// Once a line could not be written, nothing more is sent.
    broken: Option<Error>,
}

impl Journal {
    /// Lock the ledger (waiting for another send as `lock::RUN` says), read it with any
    /// journal a killed send left, and fold that journal in for good.
    pub fn open(root: &Path, waiting: &mut dyn FnMut(&str)) -> Result<(Ledger, Journal)> {
        let lock = lock::acquire(
            &root.join(LEDGER_LOCK),
            &Ledger::path(root),
            lock::RUN,
            waiting,
        )?;
        let ledger = Ledger::load(root)?;
        let path = root.join(JOURNAL_FILE);
        if path.exists() {
            // Saved first: a kill between the two is replayed again, to the same end.
            ledger.save(root)?;
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
        let journal = Journal {
            root: root.to_path_buf(),
            file: Mutex::new(Open {
                file: None,
                broken: None,
            }),
            _lock: lock,
        };
        Ok((ledger, journal))
    }

    /// The turn to send: while it is held no other Webmention is sent, and it ends
    /// once `Turn::record` has the result on disk.
    pub fn turn(&self) -> Turn<'_> {
        Turn {
            journal: self,
            open: crate::lock::unpoisoned(&self.file),
        }
    }

    /// The first line that could not be written, if any.
    pub fn broken(&self) -> Option<Error> {
        self.turn().open.broken.take()
    }

    /// Save the ledger with everything this send did, and drop the journal.
    pub fn finish(self, ledger: &Ledger) -> Result<()> {
        ledger.save(&self.root)?;
        let path = self.root.join(JOURNAL_FILE);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&path, e)),
            _ => Ok(()),
        }
    }
}

pub struct Turn<'a> {
    journal: &'a Journal,
    open: MutexGuard<'a, Open>,
}

impl Turn<'_> {
    /// Whether a line failed to be written before: then send nothing more.
    pub fn is_broken(&self) -> bool {
        self.open.broken.is_some()
    }

    /// Append `line` and wait for the disk.
    pub fn record(mut self, line: &Line) -> Result<()> {
        let path = self.journal.root.join(JOURNAL_FILE);
        let result = append(&mut self.open, &path, line);
        if let Err(e) = &result
            && self.open.broken.is_none()
        {
            self.open.broken = Some(Error::io(&path, std::io::Error::other(e.to_string())));
        }
        result
    }
}

fn append(open: &mut Open, path: &Path, line: &Line) -> Result<()> {
    if open.file.is_none() {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        // The new name must survive too, not only the bytes.
        #[cfg(unix)]
        if let Some(dir) = path.parent() {
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        open.file = Some(file);
    }
    let mut text =
        serde_json::to_string(line).map_err(|e| Error::io(path, std::io::Error::other(e)))?;
    text.push('\n');
    let file = open.file.as_mut().expect("opened above");
    // One write, so a kill leaves a whole line or a cut one, never two half ones.
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(target: &str) -> Done {
        Done {
            target: target.into(),
            removed: false,
            status: Status::Sent,
            endpoint: "https://wm.example/".into(),
            note: "HTTP 202".into(),
        }
    }

    #[test]
    fn a_killed_send_is_folded_in_and_a_cut_line_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let v = Version {
            hash: "1".into(),
            updated: String::new(),
        };
        let links = vec!["https://a/".to_string(), "https://b/".to_string()];
        {
            let (_, journal) = Journal::open(root, &mut |_| {}).unwrap();
            let line = Line::new("https://me/p/", &v, &links, &done("https://a/"), Utc::now());
            journal.turn().record(&line).unwrap();
            // Killed here: no finish. Then a line cut short by a later kill.
        }
        let mut f = OpenOptions::new()
            .append(true)
            .open(root.join(JOURNAL_FILE))
            .unwrap();
        f.write_all(br#"{"source":"https://me/p/","hash":"1""#)
            .unwrap();
        // Closed, as a killed process's file is: Windows keeps an open file's name.
        drop(f);
        let ledger = Ledger::load(root).unwrap();
        assert_eq!(
            ledger.due("https://me/p/", &v, &links),
            vec![super::super::ledger::Due {
                target: "https://b/".into(),
                removed: false
            }]
        );
        let (ledger, journal) = Journal::open(root, &mut |_| {}).unwrap();
        assert!(!root.join(JOURNAL_FILE).exists(), "folded into the ledger");
        assert_eq!(ledger, Ledger::load(root).unwrap());
        journal.finish(&ledger).unwrap();
        // Lock files are removed where a holder can tell it still holds the one at the
        // path (crate::lock), which is Unix.
        assert_eq!(root.join(LEDGER_LOCK).exists(), !cfg!(unix));
    }

    #[test]
    fn a_damaged_line_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join(JOURNAL_FILE), "{}\n").unwrap();
        let err = Ledger::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.starts_with("data/.webmentions.json.journal:1") || err.contains(".journal:1:"),
            "{err}"
        );
        assert!(err.contains("hint:"), "{err}");
    }
}
