//! `network fetch`: every feed at once (bounded), each result folded into that blog's
//! cache, permanent moves written back to network.toml. A failure is recorded, never
//! allowed to cost an entry already collected.
//!
//! Only what the blogs published reaches the committed cache, and only when it changed;
//! what the fetch observed (times, errors, validators) goes to `.staffroom/`, which git
//! ignores. So the daily refresh and the teacher's own fetch never both edit a line.
//!
//! One fetch at a time per site (`data/network/.fetch.lock`): two would each read a
//! blog's cache and the second write would drop what the first one added. The moves
//! are written under the network.toml lock, to the file as it is then, so a blog
//! added meanwhile stays.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::blogroll::{Blog, Blogroll, Editor};
use super::cache::{self, BlogCache};
use super::fetch::{Client, Fetched, HttpOptions, Outcome, Validators, run_pool};
use super::health::{self, Health};
use super::parse::{self, ParsedFeed};
use super::state::{FetchStates, Observed};
use crate::config::NetworkConfig;
use crate::error::Result;
use crate::lock;

/// Held for a whole fetch; hidden, so builds and `serve` skip it.
pub const FETCH_LOCK: &str = "data/network/.fetch.lock";

/// A feed that moved for good, and was updated in network.toml.
#[derive(Debug, Clone)]
pub struct Moved {
    pub name: String,
    pub from: String,
    pub to: String,
}

pub struct Report {
    pub blogroll: Blogroll,
    pub health: Vec<Health>,
    pub moved: Vec<Moved>,
    /// One line per blog: what this fetch did.
    pub results: Vec<String>,
    /// What the teacher should know about this fetch beyond the blogs (once each).
    pub notes: Vec<String>,
}

impl Report {
    pub fn table(&self) -> String {
        let rows: Vec<(&Blog, Health)> = self
            .blogroll
            .blogs
            .iter()
            .zip(self.health.iter().cloned())
            .collect();
        health::table(&rows)
    }
}

enum Work {
    /// The server asked us to wait (Retry-After) and the time has not come.
    Waiting(DateTime<Utc>),
    Done(Box<(Fetched, Option<Result<ParsedFeed, String>>)>),
}

/// What became of one blog: the cache is saved and let go in the worker, so a hub
/// of thousands of blogs holds only as many caches as there are fetches running.
struct Done {
    line: String,
    observed: Observed,
    moved_to: Option<String>,
    health: Health,
}

/// Fetch every blog of the site at `root`, after any other fetch of it has finished.
/// `waiting` hears what to tell the teacher while waiting for one; `progress` hears
/// (done, total, blog name).
pub fn refresh(
    root: &Path,
    config: &NetworkConfig,
    waiting: &mut dyn FnMut(&str),
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Report> {
    let _fetching = lock::acquire(
        &root.join(FETCH_LOCK),
        &root.join(cache::CACHE_DIR),
        lock::RUN,
        waiting,
    )?;
    // Read once the lock is held: a fetch that waited sees blogs added meanwhile.
    let mut blogroll = Blogroll::load(root)?;
    let mut observations = FetchStates::load(root);
    let client = Client::new(HttpOptions::from_config(config));
    let start = Utc::now();
    let total = blogroll.blogs.len();
    let mut done = 0;
    let outcomes = run_pool(
        &blogroll.blogs,
        config.concurrency,
        |blog| fetch_and_save(root, blog, &client, &observations, start, config),
        |i, _| {
            done += 1;
            progress(done, total, &blogroll.blogs[i].name);
        },
    );

    let mut moved = Vec::new();
    let mut results = Vec::new();
    let mut health = Vec::new();
    let mut errors = Vec::new();
    for (blog, outcome) in blogroll.blogs.iter().zip(outcomes) {
        match outcome {
            Ok(d) => {
                results.push(format!("{}: {}", blog.name, d.line));
                observations.record(blog, d.observed);
                if let Some(to) = d.moved_to {
                    moved.push(Moved {
                        name: blog.name.clone(),
                        from: blog.feed.clone(),
                        to,
                    });
                }
                health.push(d.health);
            }
            Err(e) => errors.push(e),
        }
    }
    // A site that follows no blogs (yet) gets no .staffroom/ folder.
    let had_any = !observations.blogs.is_empty();
    observations.retain(&blogroll.blogs);
    if (had_any || !blogroll.blogs.is_empty())
        && let Err(e) = observations.save(root)
    {
        errors.push(e);
    }
    if !moved.is_empty() {
        move_feeds(root, &mut blogroll, &mut moved, waiting)?;
    }
    if let Some(e) = crate::error::Error::from_many(errors) {
        return Err(e);
    }
    let mut notes = Vec::new();
    if !blogroll.blogs.is_empty() && super::merge::set_up_driver(root) {
        notes.push(
            "This clone's git now merges data/network/ entry by entry, so your pulls and the daily refresh do not conflict there (merge.staffroom in .git/config).".into(),
        );
    }
    Ok(Report {
        blogroll,
        health,
        moved,
        results,
        notes,
    })
}

/// Fetches one blog into its cache, saved at once.
fn fetch_and_save(
    root: &Path,
    blog: &Blog,
    client: &Client,
    observations: &FetchStates,
    start: DateTime<Utc>,
    config: &NetworkConfig,
) -> Result<Done> {
    // A damaged cache is reported and left as it is: saving over it would lose
    // whatever the teacher can still restore from git.
    let mut cache = cache::load(root, blog)?;
    observations.apply(blog, &mut cache);
    let work = fetch_one(client, blog, &cache);
    let line = apply(&mut cache, work, start, config.keep_per_blog);
    cache::save(root, blog, &cache)?;
    Ok(Done {
        line,
        observed: Observed::of(&cache),
        moved_to: cache_moved(&cache, blog),
        health: health::health(&cache, config.quiet_after_days, Utc::now()),
    })
}

/// Writes the feeds that moved for good into network.toml, and into `blogroll`.
fn move_feeds(
    root: &Path,
    blogroll: &mut Blogroll,
    moved: &mut Vec<Moved>,
    waiting: &mut dyn FnMut(&str),
) -> Result<()> {
    let mut editor = Editor::open(root, waiting)?;
    // Only the moves that still apply to the file as it is now are made and
    // reported: the teacher may have changed that blog's feed meanwhile.
    moved.retain(|m| editor.set_feed(&m.from, &m.to));
    editor.save()?;
    drop(editor);
    // The report keeps this fetch's blogs (one health each), at their new feeds.
    for m in moved.iter() {
        if let Some(b) = blogroll.blogs.iter_mut().find(|b| b.feed == m.from) {
            b.feed = m.to.clone();
        }
    }
    Ok(())
}

fn fetch_one(client: &Client, blog: &Blog, cache: &BlogCache) -> Work {
    if let Some(until) = cache.state.retry_after.filter(|u| *u > Utc::now()) {
        return Work::Waiting(until);
    }
    let validators = Validators {
        etag: cache.state.etag.clone(),
        last_modified: cache.state.last_modified.clone(),
    };
    let mut fetched = client.get(&blog.feed, &validators);
    let parsed = match &mut fetched.outcome {
        Outcome::Body {
            bytes,
            content_type,
            ..
        } => {
            // The raw feed is let go as soon as it is parsed: with many fetches
            // running, bodies would otherwise add up.
            let bytes = std::mem::take(bytes);
            Some(parse::parse(
                &bytes,
                &fetched.final_url,
                content_type,
                Utc::now(),
            ))
        }
        _ => None,
    };
    Work::Done(Box::new((fetched, parsed)))
}

fn cache_moved(cache: &BlogCache, blog: &Blog) -> Option<String> {
    (!super::blogroll::same_feed(&cache.feed, &blog.feed)).then(|| cache.feed.clone())
}

/// Fold one fetch into a blog's cache; returns what happened, in a few words.
fn apply(cache: &mut BlogCache, work: Work, now: DateTime<Utc>, keep: usize) -> String {
    let (fetched, parsed) = match work {
        Work::Waiting(until) => {
            return format!(
                "skipped: the server asked to wait until {}",
                until.format("%Y-%m-%d %H:%M UTC")
            );
        }
        Work::Done(done) => *done,
    };
    let s = &mut cache.state;
    s.last_attempt = Some(now);
    if let Some(to) = &fetched.moved_to {
        cache.feed = to.clone();
    }
    let fail = |cache: &mut BlogCache, error: String, retry: Option<DateTime<Utc>>| {
        let s = &mut cache.state;
        s.consecutive_failures += 1;
        s.failing_since.get_or_insert(now);
        s.last_error = error.clone();
        s.retry_after = retry;
        format!("failed: {error}")
    };
    match (fetched.outcome, parsed) {
        (Outcome::Body { validators, .. }, Some(Ok(feed))) => {
            let before: Vec<String> = cache.entries.iter().map(|e| e.id.clone()).collect();
            let count = feed.entries.len();
            if !feed.title.is_empty() {
                cache.feed_title = feed.title;
            }
            if cache.site.is_empty() {
                cache.site = feed.site;
            }
            cache.merge(feed.entries, keep);
            let new = cache
                .entries
                .iter()
                .filter(|e| !before.contains(&e.id))
                .count();
            succeed(cache, now, Some(validators));
            format!(
                "{} in the feed, {new} new",
                crate::words::count(count, "entry")
            )
        }
        (Outcome::Body { .. }, Some(Err(e))) => fail(cache, e, None),
        (Outcome::NotModified, _) => {
            succeed(cache, now, None);
            "not modified".into()
        }
        (Outcome::Gone, _) => {
            cache.state.gone = true;
            fail(cache, "HTTP 410 Gone".into(), None)
        }
        (Outcome::Failed { error, retry_after }, _) => fail(cache, error, retry_after),
        (Outcome::Body { .. }, None) => fail(cache, "no body".into(), None),
    }
}

fn succeed(cache: &mut BlogCache, now: DateTime<Utc>, validators: Option<Validators>) {
    let s = &mut cache.state;
    s.last_success = Some(now);
    s.last_error.clear();
    s.failing_since = None;
    s.consecutive_failures = 0;
    s.gone = false;
    s.retry_after = None;
    if let Some(v) = validators {
        s.etag = v.etag;
        s.last_modified = v.last_modified;
    }
}
