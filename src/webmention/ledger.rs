//! `data/webmentions.json`: which targets each post has told, so a second `webmention
//! send` sends nothing new. Committed with the site like the network cache, so CI and
//! a laptop share one memory. A post whose content or `updated` date changes tells its
//! targets again, including the ones it no longer links to: a receiver updates or
//! removes the mention only when told.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::site::Post;

pub const LEDGER_FILE: &str = "data/webmentions.json";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ledger {
    /// By the post's permalink (the `source` of its Webmentions).
    pub posts: BTreeMap<String, PostRecord>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostRecord {
    /// The post's content when its targets were last told (`Version::hash`).
    pub hash: String,
    pub updated: String,
    pub targets: BTreeMap<String, TargetRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetRecord {
    pub status: Status,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub endpoint: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    pub at: DateTime<Utc>,
    /// The post no longer links here; the target still has to hear so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
    /// It took a mention of an earlier version of the post, so it must hear if the
    /// link goes, even while the current version is still owed to it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub heard: bool,
}

impl TargetRecord {
    fn has_heard(&self) -> bool {
        self.heard || self.status == Status::Sent
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The endpoint answered 2xx.
    Sent,
    /// The endpoint answered 4xx: it will not take this one, and asking again won't help.
    Rejected,
    /// The target advertises no endpoint.
    NoEndpoint,
    /// A network error or 5xx: tried again next time.
    Failed,
    /// The endpoint is on a private address and `--allow-private` was not given.
    Skipped,
    /// Told about an older version of the post, not yet about this one.
    Pending,
}

impl Status {
    /// Done with, until the post changes.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Sent | Status::Rejected | Status::NoEndpoint)
    }
}

/// What identifies one version of a post. A stable hash (FNV-1a), so the ledger means
/// the same to every staffroom version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub hash: String,
    pub updated: String,
}

impl Version {
    pub fn of(post: &Post) -> Version {
        let mut h = fnv::FnvHasher::default();
        h.write(post.title.as_bytes());
        h.write(&[0]);
        h.write(post.content.as_bytes());
        Version {
            hash: format!("{:016x}", h.finish()),
            updated: post.updated.map(|u| u.to_rfc3339()).unwrap_or_default(),
        }
    }
}

/// One notification to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub target: String,
    /// The post used to link to the target and no longer does.
    pub removed: bool,
}

/// One notification made.
#[derive(Debug, Clone)]
pub struct Done {
    pub target: String,
    pub removed: bool,
    pub status: Status,
    pub endpoint: String,
    pub note: String,
}

impl Ledger {
    pub fn path(root: &Path) -> PathBuf {
        root.join(LEDGER_FILE)
    }

    pub fn load(root: &Path) -> Result<Ledger> {
        let path = Self::path(root);
        crate::content::inside::check_site_file(root, &path)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut ledger = Ledger::default();
                super::journal::replay(root, &mut ledger)?;
                return Ok(ledger);
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        let mut ledger: Ledger = serde_json::from_str(&text).map_err(|e| {
            Error::input(
                Location::line(&path, e.line()).with_column(Some(e.column())),
                format!("the record of sent Webmentions is damaged: {e}"),
            )
            .with_hint(format!(
                "restore it with `git checkout -- {LEDGER_FILE}`; deleting it makes the next send tell every linked site again"
            ))
        })?;
        super::journal::replay(root, &mut ledger)?;
        Ok(ledger)
    }

    pub fn save(&self, root: &Path) -> Result<()> {
        let path = Self::path(root);
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
        text.push('\n');
        crate::output::write_atomically(&path, text.as_bytes(), true)
    }

    /// What `source`, now at `version` and linking to `targets`, still has to send.
    pub fn due(&self, source: &str, version: &Version, targets: &[String]) -> Vec<Due> {
        let Some(rec) = self.posts.get(source) else {
            return targets
                .iter()
                .map(|t| Due {
                    target: t.clone(),
                    removed: false,
                })
                .collect();
        };
        let changed = rec.hash != version.hash || rec.updated != version.updated;
        let current: BTreeSet<&str> = targets.iter().map(String::as_str).collect();
        let mut due: Vec<Due> = targets
            .iter()
            .filter(|t| {
                changed
                    || rec
                        .targets
                        .get(*t)
                        .is_none_or(|r| r.removed || !r.status.is_final())
            })
            .map(|t| Due {
                target: t.clone(),
                removed: false,
            })
            .collect();
        for (t, r) in &rec.targets {
            if current.contains(t.as_str()) {
                continue;
            }
            // A target that never took a mention has none to remove.
            let told_before = r.has_heard();
            let still_owed = r.removed && !r.status.is_final();
            if (changed && told_before) || still_owed {
                due.push(Due {
                    target: t.clone(),
                    removed: true,
                });
            }
        }
        due
    }

    /// Remember what was sent for `source`, now at `version` and linking to `targets`:
    /// all its targets at once, or some of them (one at a time, as `send` does, so a
    /// run that is killed keeps what it did).
    pub fn record(
        &mut self,
        source: &str,
        version: &Version,
        targets: &[String],
        done: &[Done],
        now: DateTime<Utc>,
    ) {
        let rec = self.posts.entry(source.to_string()).or_default();
        if rec.hash != version.hash || rec.updated != version.updated {
            // The post changed: what its targets heard was about the old version.
            // Each is owed the new one (or, for a link gone since, its removal),
            // whether or not it is among `done`.
            let current: BTreeSet<&str> = targets.iter().map(String::as_str).collect();
            rec.targets.retain(|t, r| {
                current.contains(t.as_str()) || r.has_heard() || (r.removed && !r.status.is_final())
            });
            for (t, r) in rec.targets.iter_mut() {
                r.heard = r.has_heard();
                r.removed = !current.contains(t.as_str());
                r.status = Status::Pending;
            }
        }
        rec.hash = version.hash.clone();
        rec.updated = version.updated.clone();
        for d in done {
            let heard = rec.targets.get(&d.target).is_some_and(|r| r.heard);
            rec.targets.insert(
                d.target.clone(),
                TargetRecord {
                    status: d.status,
                    endpoint: d.endpoint.clone(),
                    note: d.note.clone(),
                    at: now,
                    removed: d.removed,
                    heard: heard && d.status != Status::Sent,
                },
            );
        }
        let current: BTreeSet<&str> = targets.iter().map(String::as_str).collect();
        // A removed link is forgotten once its target has heard (or cannot hear).
        rec.targets
            .retain(|t, r| current.contains(t.as_str()) || (r.removed && !r.status.is_final()));
        if rec.targets.is_empty() && targets.is_empty() {
            self.posts.remove(source);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(hash: &str) -> Version {
        Version {
            hash: hash.into(),
            updated: String::new(),
        }
    }

    fn done(target: &str, status: Status, removed: bool) -> Done {
        Done {
            target: target.into(),
            removed,
            status,
            endpoint: String::new(),
            note: String::new(),
        }
    }

    fn targets(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn new_posts_send_everything_then_nothing() {
        let mut l = Ledger::default();
        let t = targets(&["https://a/", "https://b/", "https://c/"]);
        assert_eq!(l.due("s", &v("1"), &t).len(), 3);
        l.record(
            "s",
            &v("1"),
            &t,
            &[
                done("https://a/", Status::Sent, false),
                done("https://b/", Status::NoEndpoint, false),
                done("https://c/", Status::Failed, false),
            ],
            Utc::now(),
        );
        let due = l.due("s", &v("1"), &t);
        assert_eq!(
            due,
            vec![Due {
                target: "https://c/".into(),
                removed: false
            }],
            "only the failure is retried"
        );
    }

    #[test]
    fn a_change_tells_current_and_removed_targets() {
        let mut l = Ledger::default();
        let t = targets(&["https://a/", "https://b/"]);
        l.record(
            "s",
            &v("1"),
            &t,
            &[
                done("https://a/", Status::Sent, false),
                done("https://b/", Status::NoEndpoint, false),
            ],
            Utc::now(),
        );
        let now = targets(&["https://c/"]);
        let due = l.due("s", &v("2"), &now);
        assert_eq!(
            due,
            vec![
                Due {
                    target: "https://c/".into(),
                    removed: false
                },
                Due {
                    target: "https://a/".into(),
                    removed: true
                },
            ]
        );
        l.record(
            "s",
            &v("2"),
            &now,
            &[
                done("https://c/", Status::Sent, false),
                done("https://a/", Status::Failed, true),
            ],
            Utc::now(),
        );
        assert_eq!(
            l.due("s", &v("2"), &now),
            vec![Due {
                target: "https://a/".into(),
                removed: true
            }],
            "a removal that failed is owed"
        );
        l.record(
            "s",
            &v("2"),
            &now,
            &[done("https://a/", Status::Sent, true)],
            Utc::now(),
        );
        assert!(l.due("s", &v("2"), &now).is_empty());
        assert_eq!(l.posts["s"].targets.len(), 1);
    }

    #[test]
    fn one_target_at_a_time_after_a_change_keeps_the_rest_owed() {
        let mut l = Ledger::default();
        let t = targets(&["https://a/", "https://b/"]);
        let both = [
            done("https://a/", Status::Sent, false),
            done("https://b/", Status::Sent, false),
        ];
        l.record("s", &v("1"), &t, &both, Utc::now());
        // Version 2 links to a and c; one target is told, then the run is killed.
        let now = targets(&["https://a/", "https://c/"]);
        let all_due = l.due("s", &v("2"), &now);
        assert_eq!(all_due.len(), 3, "{all_due:?}");
        l.record(
            "s",
            &v("2"),
            &now,
            &[done("https://c/", Status::Sent, false)],
            Utc::now(),
        );
        assert_eq!(
            l.due("s", &v("2"), &now),
            vec![
                Due {
                    target: "https://a/".into(),
                    removed: false
                },
                Due {
                    target: "https://b/".into(),
                    removed: true
                },
            ],
            "a and the removal from b are still owed"
        );
        // Killed again; then version 3 drops the link to a, which heard version 1.
        let last = targets(&["https://c/"]);
        let due = l.due("s", &v("3"), &last);
        assert!(
            due.contains(&Due {
                target: "https://a/".into(),
                removed: true
            }),
            "{due:?}"
        );
        l.record("s", &v("3"), &last, &[], Utc::now());
        assert_eq!(
            l.due("s", &v("3"), &last),
            vec![
                Due {
                    target: "https://c/".into(),
                    removed: false
                },
                Due {
                    target: "https://a/".into(),
                    removed: true
                },
                Due {
                    target: "https://b/".into(),
                    removed: true
                },
            ]
        );
    }
}
