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

pub const CACHE_FILE: &str = "data/link-check.json";
const FRESH_FOR_DAYS: i64 = 7;
const WORKERS: usize = 8;

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
    crate::output::write_atomic(&root.join(CACHE_FILE), &json)
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
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(timeout))
        .timeout_recv_response(Some(timeout))
        .timeout_global(Some(timeout * 2))
        .http_status_as_error(false)
        .max_redirects(5)
        .user_agent(concat!(
            "staffroom/",
            env!("CARGO_PKG_VERSION"),
            " (link checker)"
        ))
        .build()
        .into();
    let queue = Mutex::new(todo);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut q| q.pop()).ok().flatten();
                    let Some(url) = next else { break };
                    let checked = check_one(&agent, &url);
                    if let Ok(mut r) = results.lock() {
                        r.push((url, checked));
                    }
                }
            });
        }
    });
    for (url, checked) in results.into_inner().unwrap_or_default() {
        cache.insert(url, checked);
    }
}

fn check_one(agent: &ureq::Agent, url: &str) -> Checked {
    let answer = |r: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>| match r {
        Ok(resp) => (resp.status().as_u16(), String::new()),
        Err(e) => (0, e.to_string()),
    };
    let head = agent.head(url).call();
    // A server that let HEAD time out will let GET time out too; asking again would
    // only double the wait.
    let timed_out = matches!(head, Err(ureq::Error::Timeout(_)));
    let (mut status, mut error) = answer(head);
    // Some servers refuse HEAD or answer it wrongly; a GET settles it.
    if matches!(status, 0 | 403 | 404 | 405 | 501) && !timed_out {
        (status, error) = answer(agent.get(url).call());
    }
    Checked {
        status,
        error,
        checked: Utc::now(),
    }
}
