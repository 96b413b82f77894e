//! `webmention send`: for every published post, the links it has (and, after an
//! update, the ones it lost) that were not told yet; discover each endpoint, POST
//! `source` and `target`, remember the result.

use std::path::Path;

use chrono::Utc;

use super::discover::{self, Found};
use super::journal::{Journal, Line};
use super::ledger::{Done, Ledger, Status, Version};
use crate::error::Result;
use crate::network::fetch::{Client, HttpOptions, run_pool};
use crate::network::public::is_private;
use crate::responses::normalize::normalize;
use crate::site::Site;
use crate::words::widest;
use url::Url;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Find endpoints but send nothing and record nothing.
    pub dry_run: bool,
    /// Send to endpoints on loopback and private addresses (tests, an intranet).
    pub allow_private: bool,
}

/// One row of the summary.
#[derive(Debug, Clone)]
pub struct Row {
    /// The post's site path (`posts/x/`).
    pub post: String,
    pub target: String,
    pub removed: bool,
    pub status: Status,
    pub endpoint: String,
    pub note: String,
}

pub struct Report {
    pub rows: Vec<Row>,
    pub dry_run: bool,
    /// Links of published posts that were already told and did not change.
    pub up_to_date: usize,
}

struct Job {
    post: usize,
    source: String,
    target: String,
    removed: bool,
}

/// The http(s) links of a post to other sites, once each.
fn targets(site: &Site, post: usize, own: &str) -> Vec<String> {
    let mut out: Vec<String> = site.posts[post]
        .outbound
        .iter()
        .filter(|t| normalize(t, None).is_some_and(|n| !format!("{n}/").starts_with(own)))
        .cloned()
        .collect();
    out.dedup();
    out
}

/// Send what is due for every post of `site` and record it in the ledger under `root`
/// (except in a dry run), each Webmention on disk before the next one is sent (see
/// `journal`). `waiting` hears what to tell the teacher while another send of this
/// site runs; `progress` hears (done, total, target).
pub fn send(
    root: &Path,
    site: &Site,
    options: Options,
    waiting: &mut dyn FnMut(&str),
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Report> {
    let (mut ledger, journal) = if options.dry_run {
        (Ledger::load(root)?, None)
    } else {
        let (ledger, journal) = Journal::open(root, waiting)?;
        (ledger, Some(journal))
    };
    let Plan {
        jobs,
        posts: plans,
        up_to_date,
    } = plan(site, &ledger);

    let http = HttpOptions::from_config(&site.config.site.network);
    // Every hop is checked (the page, its redirects, the endpoint), and every
    // connection again, with or without a proxy: see network::public.
    let client = if options.allow_private {
        Client::anywhere(http)
    } else {
        Client::public_only(http)
    };
    let total = jobs.len();
    let mut finished = 0;
    let mut told = vec![false; site.posts.len()];
    let now = Utc::now();
    let rows = run_pool(
        &jobs,
        site.config.site.network.concurrency,
        |job| {
            let (version, links) = &plans[job.post];
            let step = notify(&client, job, site, options);
            let Some(journal) = &journal else {
                return step.into_row();
            };
            // One POST at a time, each on disk before the next starts: a kill leaves
            // at most one Webmention sent and not recorded.
            let turn = journal.turn();
            if turn.is_broken() {
                return step.not_sent("not sent: the previous result could not be recorded");
            }
            let row = match step {
                Step::Post(row, endpoint) => post(&client, job, row, &endpoint),
                Step::Done(row) => row,
            };
            let line = Line::new(&job.source, version, links, &done_of(&row), now);
            // A failure is kept in the journal and stops the sends after this one.
            let _ = turn.record(&line);
            row
        },
        |i, row: &Row| {
            finished += 1;
            progress(finished, total, &row.target);
            if options.dry_run {
                return;
            }
            let post = jobs[i].post;
            let (version, links) = &plans[post];
            let permalink = &site.posts[post].permalink;
            ledger.record(permalink, version, links, &[done_of(row)], now);
            told[post] = true;
        },
    );

    if let Some(journal) = journal {
        if let Some(e) = journal.broken() {
            // What was sent is in the ledger in memory; keep it if the disk allows.
            let _ = ledger.save(root);
            return Err(e);
        }
        // Posts with nothing to send still have their version and links recorded.
        for (i, post) in site.posts.iter().enumerate() {
            if told[i] {
                continue;
            }
            let (version, links) = &plans[i];
            if !ledger.posts.contains_key(&post.permalink) && links.is_empty() {
                continue;
            }
            ledger.record(&post.permalink, version, links, &[], now);
        }
        journal.finish(&ledger)?;
    }
    Ok(Report {
        rows,
        dry_run: options.dry_run,
        up_to_date,
    })
}

/// What is due for every post, and each post's version and links.
struct Plan {
    jobs: Vec<Job>,
    posts: Vec<(Version, Vec<String>)>,
    /// Links already told that did not change.
    up_to_date: usize,
}

fn plan(site: &Site, ledger: &Ledger) -> Plan {
    let own = normalize(site.config.base.url.as_str(), None)
        .map(|n| format!("{n}/"))
        .unwrap_or_default();
    let mut jobs = Vec::new();
    let mut up_to_date = 0;
    let mut plans = Vec::new();
    for (i, post) in site.posts.iter().enumerate() {
        let version = Version::of(post);
        let links = targets(site, i, &own);
        let due = ledger.due(&post.permalink, &version, &links);
        up_to_date += links.len() - due.iter().filter(|d| !d.removed).count();
        for d in due {
            jobs.push(Job {
                post: i,
                source: post.permalink.clone(),
                target: d.target,
                removed: d.removed,
            });
        }
        plans.push((version, links));
    }
    Plan {
        jobs,
        posts: plans,
        up_to_date,
    }
}

fn done_of(row: &Row) -> Done {
    Done {
        target: row.target.clone(),
        removed: row.removed,
        status: row.status,
        endpoint: row.endpoint.clone(),
        note: row.note.clone(),
    }
}

/// How far `notify` got without sending: to a result, or to an endpoint to POST to.
enum Step {
    Done(Row),
    Post(Row, Url),
}

impl Step {
    fn into_row(self) -> Row {
        match self {
            Step::Done(row) | Step::Post(row, _) => row,
        }
    }

    fn not_sent(self, why: &str) -> Row {
        match self {
            Step::Done(row) => row,
            Step::Post(mut row, _) => {
                row.status = Status::Failed;
                row.note = why.to_string();
                row
            }
        }
    }
}

fn notify(client: &Client, job: &Job, site: &Site, options: Options) -> Step {
    let mut row = Row {
        post: site.posts[job.post].path.clone(),
        target: job.target.clone(),
        removed: job.removed,
        status: Status::Failed,
        endpoint: String::new(),
        note: String::new(),
    };
    let private = |u: &str| !options.allow_private && Url::parse(u).is_ok_and(|u| is_private(&u));
    if private(&job.target) {
        row.status = Status::Skipped;
        row.note = "the page is on a private or local address; --allow-private sends anyway".into();
        return Step::Done(row);
    }
    let endpoint = match discover::discover(client, &job.target) {
        Found::Endpoint(e) => e,
        Found::NoEndpoint => {
            row.status = Status::NoEndpoint;
            return Step::Done(row);
        }
        Found::Failed(why) => {
            row.note = format!("could not read the page: {why}");
            return Step::Done(row);
        }
    };
    row.endpoint = endpoint.to_string();
    if private(endpoint.as_str()) {
        row.status = Status::Skipped;
        row.note =
            "the endpoint is on a private or local address; --allow-private sends anyway".into();
        return Step::Done(row);
    }
    if options.dry_run {
        row.status = Status::Sent;
        row.note = "dry run: not sent".into();
        return Step::Done(row);
    }
    Step::Post(row, endpoint)
}

fn post(client: &Client, job: &Job, mut row: Row, endpoint: &Url) -> Row {
    match client.post_form(
        endpoint.as_str(),
        &[("source", &job.source), ("target", &job.target)],
    ) {
        Ok(code @ 200..=299) => {
            row.status = Status::Sent;
            row.note = format!("HTTP {code}");
        }
        Ok(code @ 400..=499) => {
            row.status = Status::Rejected;
            row.note = format!("HTTP {code}");
        }
        Ok(code) => row.note = format!("HTTP {code}"),
        Err(why) => row.note = why,
    }
    row
}

impl Report {
    /// The table `webmention send` prints.
    pub fn table(&self) -> String {
        let mut out = String::new();
        if self.rows.is_empty() {
            out.push_str(&format!(
                "Nothing new to send: {} already told about your posts.\n",
                crate::words::count(self.up_to_date, "linked page")
            ));
            return out;
        }
        let label = |r: &Row| -> String {
            let s = match (r.status, self.dry_run) {
                (Status::Sent, true) => "would send",
                (Status::Sent, false) => "sent",
                (Status::Rejected, _) => "rejected",
                (Status::NoEndpoint, _) => "no endpoint",
                (Status::Failed, _) => "failed",
                (Status::Skipped, _) => "skipped",
                (Status::Pending, _) => "pending",
            };
            if r.removed {
                format!("{s} (link removed)")
            } else {
                s.to_string()
            }
        };
        let labels: Vec<String> = self.rows.iter().map(label).collect();
        let pw = widest(self.rows.iter().map(|r| r.post.as_str())).max(4);
        let tw = widest(self.rows.iter().map(|r| r.target.as_str())).clamp(6, 60);
        let lw = widest(labels.iter().map(String::as_str)).max(6);
        out.push_str(&format!(
            "{:<pw$}  {:<tw$}  {:<lw$}  detail\n",
            "post", "target", "result"
        ));
        for (r, l) in self.rows.iter().zip(&labels) {
            let detail = match (r.endpoint.is_empty(), r.note.is_empty()) {
                (false, false) => format!("{} ({})", r.endpoint, r.note),
                (false, true) => r.endpoint.clone(),
                _ => r.note.clone(),
            };
            out.push_str(
                format!("{:<pw$}  {:<tw$}  {l:<lw$}  {detail}", r.post, r.target).trim_end(),
            );
            out.push('\n');
        }
        let n = |s: Status| self.rows.iter().filter(|r| r.status == s).count();
        let sent = if self.dry_run { "to send" } else { "sent" };
        out.push_str(&format!(
            "{}: {} {sent}, {} rejected, {} without an endpoint, {} failed, {} skipped; {} already told.\n",
            crate::words::count(self.rows.len(), "Webmention"),
            n(Status::Sent),
            n(Status::Rejected),
            n(Status::NoEndpoint),
            n(Status::Failed),
            n(Status::Skipped),
            self.up_to_date,
        ));
        if n(Status::Failed) + n(Status::Skipped) > 0 && !self.dry_run {
            out.push_str("Failed and skipped ones are tried again on the next `staffroom webmention send`.\n");
        }
        if self.dry_run {
            out.push_str("Dry run: nothing was sent and nothing recorded.\n");
        }
        out
    }
}
