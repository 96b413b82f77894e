//! `check --external`: ask other sites whether the pages a teacher links to still
//! exist. Concurrent but bounded, HEAD first (GET when a server refuses HEAD), and
//! cached in `data/link-check.json` so a re-run, or CI, does not hammer anyone.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::network::fetch::{Client, HttpOptions};
use crate::network::public::next_hop;

pub const CACHE_FILE: &str = "data/link-check.json";
const FRESH_FOR_DAYS: i64 = 7;
const WORKERS: usize = 8;
const MAX_REDIRECTS: u32 = 5;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Checked {
    /// The HTTP status, or 0 when no answer came.
    pub status: u16,
    /// What went wrong when there was no answer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    pub checked: DateTime<Utc>,
}

impl Checked {
    pub fn verdict(&self) -> Verdict {
        match self.status {
            200..=399 => Verdict::Ok,
            404 | 410 => Verdict::Broken,
            // Rate limits, server trouble and time-outs say nothing about the page.
            0 | 429 | 500..=599 => Verdict::Unsure,
            _ => Verdict::Broken,
        }
    }

    pub fn describe(&self) -> String {
        if self.status == 0 {
            self.error.clone()
        } else {
            format!("HTTP {}", self.status)
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Broken,
    Unsure,
}

pub type Cache = BTreeMap<String, Checked>;

pub fn load_cache(root: &Path) -> Cache {
    // A cache linked to a file outside the site is not read: it is only a cache.
    if crate::content::inside::check_site_file(root, &root.join(CACHE_FILE)).is_err() {
        return Cache::default();
    }
    std::fs::read(root.join(CACHE_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

pub fn save_cache(root: &Path, cache: &Cache) -> Result<()> {
    let json = serde_json::to_vec_pretty(cache)
        .map_err(|e| Error::io(CACHE_FILE, std::io::Error::other(e)))?;
    crate::output::write_atomically(&root.join(CACHE_FILE), &json, true)
}

/// Check every URL that the cache does not know from the last few days.
pub fn check_all(urls: &[String], cache: &mut Cache, timeout: Duration) {
    let now = Utc::now();
    let todo: Vec<String> = urls
        .iter()
        .filter(|u| {
            cache.get(*u).is_none_or(|c| {
                c.verdict() != Verdict::Ok
                    || now - c.checked > chrono::Duration::days(FRESH_FOR_DAYS)
            })
        })
        .cloned()
        .collect();
    // Redirects are followed by hand, with the same address rule as every other
    // request: a public page may not send the checker into the school's network.
    let client = Client::new(HttpOptions {
        timeout,
        max_bytes: 0,
        max_redirects: MAX_REDIRECTS,
    });
    let queue = Mutex::new(todo);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                loop {
                    let next = crate::lock::unpoisoned(&queue).pop();
                    let Some(url) = next else { break };
                    let checked = check_one(&client, &url);
                    crate::lock::unpoisoned(&results).push((url, checked));
                }
            });
        }
    });
    for (url, checked) in results.into_inner().unwrap_or_default() {
        cache.insert(url, checked);
    }
}

fn check_one(client: &Client, url: &str) -> Checked {
    let head = answer(client, true, url);
    // A server that let HEAD time out will let GET time out too; asking again would
    // only double the wait.
    let (mut status, mut error, timed_out) = head;
    // Some servers refuse HEAD or answer it wrongly; a GET settles it.
    if matches!(status, 0 | 403 | 404 | 405 | 501) && !timed_out {
        (status, error, _) = answer(client, false, url);
    }
    Checked {
        status,
        error,
        checked: Utc::now(),
    }
}

/// The status of `url` after redirects (0 and why when there is none), and whether
/// it timed out. The body of a GET is never read.
fn answer(client: &Client, head: bool, url: &str) -> (u16, String, bool) {
    let (mut current, mut reach) = match client.first_hop(url, None) {
        Ok(hop) => hop,
        Err(e) => return (0, e, false),
    };
    for _ in 0..=MAX_REDIRECTS {
        let agent = client.agent(reach);
        let sent = if head {
            agent.head(current.as_str()).call()
        } else {
            agent.get(current.as_str()).call()
        };
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let timed_out = matches!(e, ureq::Error::Timeout(_));
                return (0, client.describe(&e), timed_out);
            }
        };
        let status = resp.status().as_u16();
        if !matches!(status, 301 | 302 | 303 | 307 | 308) {
            return (status, String::new(), false);
        }
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        match next_hop(&current, reach, status, location) {
            Ok((next, after)) => (current, reach) = (next, after),
            Err(e) => return (0, e, false),
        }
    }
    (0, format!("more than {MAX_REDIRECTS} redirects"), false)
}
