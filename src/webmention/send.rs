//! `webmention send`: for every published post, the links it has (and, after an
//! update, the ones it lost) that were not told yet; discover each endpoint, POST
//! `source` and `target`, remember the result.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::discover::{self, Found};
use super::ledger::{Done, Ledger, Status, Version};
use crate::error::Result;
use crate::network::fetch::{Client, HttpOptions, run_pool};
use crate::network::public::is_private;
use crate::responses::normalize::normalize;
use crate::site::Site;
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

/// How often the ledger is saved while sending.
const SAVE_EVERY: Duration = Duration::from_secs(2);

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

/// Send what is due for every post of `site` and record it in `ledger` (saved under
/// `root`, except in a dry run). `progress` hears (done, total, target).
pub fn send(
    root: &Path,
    site: &Site,
    mut ledger: Ledger,
    options: Options,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Report> {
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
    let mut left = vec![0usize; site.posts.len()];
    for j in &jobs {
        left[j.post] += 1;
    }
    let mut done: Vec<Vec<Done>> = vec![Vec::new(); site.posts.len()];
    let mut saved = Instant::now();
    let mut save_error = None;
    let now = Utc::now();
    let rows = run_pool(
        &jobs,
        site.config.site.network.concurrency,
        |job| notify(&client, job, site, options),
        |i, row: &Row| {
            finished += 1;
            progress(finished, total, &row.target);
            if options.dry_run {
                return;
            }
            // A post is recorded once all its targets were tried (a half-recorded post
            // would forget the removed links still owed), and the ledger saved every
            // few seconds, so an interrupted run does not send again what it sent.
            let post = jobs[i].post;
            done[post].push(Done {
                target: row.target.clone(),
                removed: row.removed,
                status: row.status,
                endpoint: row.endpoint.clone(),
                note: row.note.clone(),
            });
            left[post] -= 1;
            if left[post] == 0 {
                let (version, links) = &plans[post];
                let permalink = &site.posts[post].permalink;
                ledger.record(permalink, version, links, &done[post], now);
                if saved.elapsed() >= SAVE_EVERY && save_error.is_none() {
                    save_error = ledger.save(root).err();
                    saved = Instant::now();
                }
            }
        },
    );
    if let Some(e) = save_error {
        return Err(e);
    }

    if !options.dry_run {
        // Posts with nothing to send still have their version and links recorded.
        for (i, post) in site.posts.iter().enumerate() {
            if !done[i].is_empty() {
                continue;
            }
            let (version, links) = &plans[i];
            if !ledger.posts.contains_key(&post.permalink) && links.is_empty() {
                continue;
            }
            ledger.record(&post.permalink, version, links, &[], now);
        }
        ledger.save(root)?;
    }
    Ok(Report {
        rows,
        dry_run: options.dry_run,
        up_to_date,
    })
}

fn notify(client: &Client, job: &Job, site: &Site, options: Options) -> Row {
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
        return row;
    }
    let endpoint = match discover::discover(client, &job.target) {
        Found::Endpoint(e) => e,
        Found::NoEndpoint => {
            row.status = Status::NoEndpoint;
            return row;
        }
        Found::Failed(why) => {
            row.note = format!("could not read the page: {why}");
            return row;
        }
    };
    row.endpoint = endpoint.to_string();
    if private(endpoint.as_str()) {
        row.status = Status::Skipped;
        row.note =
            "the endpoint is on a private or local address; --allow-private sends anyway".into();
        return row;
    }
    if options.dry_run {
        row.status = Status::Sent;
        row.note = "dry run: not sent".into();
        return row;
    }
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
                crate::cli::count(self.up_to_date, "linked page")
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
            };
            if r.removed {
                format!("{s} (link removed)")
            } else {
                s.to_string()
            }
        };
        let labels: Vec<String> = self.rows.iter().map(label).collect();
        let pw = self
            .rows
            .iter()
            .map(|r| r.post.chars().count())
            .max()
            .unwrap_or(0)
            .max(4);
        let tw = self
            .rows
            .iter()
            .map(|r| r.target.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(6, 60);
        let lw = labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
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
            crate::cli::count(self.rows.len(), "Webmention"),
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
