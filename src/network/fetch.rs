//! HTTP for feeds: one careful GET, and a bounded pool to run many of them.
//!
//! Lessons from other feed tools are built in: connecting and stalling have their own
//! limits (a slow but steady large feed is not killed by a whole-transfer timeout),
//! bodies are capped (after gzip decoding, so a small bomb cannot fill memory),
//! redirects are followed by hand so permanent moves can be reported, and requests
//! are conditional so an unchanged feed costs one small 304.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

pub const USER_AGENT: &str = concat!(
    "staffroom/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/staffroom-ssg/staffroom; blogroll reader)"
);

const ACCEPT_PAGE: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

const ACCEPT: &str = "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.5";

#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Longest wait for a connection, the response headers, or the next bytes of the body.
    pub timeout: Duration,
    /// Largest body accepted, after decompression.
    pub max_bytes: u64,
    pub max_redirects: u32,
}

impl HttpOptions {
    pub fn from_config(c: &crate::config::NetworkConfig) -> Self {
        HttpOptions {
            timeout: Duration::from_secs(c.timeout_seconds.max(1)),
            max_bytes: c.max_feed_mb.max(1) * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// What the server had for us. Validators are the ones to send next time.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: String,
    pub last_modified: String,
}

#[derive(Debug)]
pub enum Outcome {
    Body {
        bytes: Vec<u8>,
        validators: Validators,
        content_type: String,
    },
    NotModified,
    /// 410: the blog says it is gone for good.
    Gone,
    Failed {
        error: String,
        retry_after: Option<DateTime<Utc>>,
    },
}

#[derive(Debug)]
pub struct Fetched {
    pub outcome: Outcome,
    /// The address the body came from (after redirects), for resolving relative links.
    pub final_url: String,
    /// Set when the feed moved permanently (301/308): its new address.
    pub moved_to: Option<String>,
    /// Every `Link` header of the last response, in order (Webmention discovery reads them).
    pub link_headers: Vec<String>,
}

pub struct Client {
    agent: ureq::Agent,
    options: HttpOptions,
}

impl Client {
    pub fn new(options: HttpOptions) -> Client {
        Client {
            agent: Self::config(&options).into(),
            options,
        }
    }

    /// A client that resolves names with `resolver` (Webmention sending limits where
    /// it may connect).
    pub fn with_resolver(
        options: HttpOptions,
        resolver: impl ureq::unversioned::resolver::Resolver,
    ) -> Client {
        let config = Self::config(&options);
        let connector = ureq::unversioned::transport::DefaultConnector::new();
        Client {
            agent: ureq::Agent::with_parts(config, connector, resolver),
            options,
        }
    }

    fn config(options: &HttpOptions) -> ureq::config::Config {
        let t = options.timeout;
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(USER_AGENT)
            .timeout_connect(Some(t.min(Duration::from_secs(10))))
            .timeout_recv_response(Some(t))
            .timeout_per_read(Some(t))
            // A backstop for a server that trickles bytes forever just under the stall limit.
            .timeout_global(Some(t * 4))
            .build()
    }

    /// GET `url`, conditional on `validators`, following up to `max_redirects`.
    pub fn get(&self, url: &str, validators: &Validators) -> Fetched {
        self.get_accepting(url, validators, ACCEPT)
    }

    /// GET a web page (not a feed), following redirects.
    pub fn get_page(&self, url: &str) -> Fetched {
        self.get_accepting(url, &Validators::default(), ACCEPT_PAGE)
    }

    fn get_accepting(&self, url: &str, validators: &Validators, accept: &str) -> Fetched {
        let mut current = url.to_string();
        let mut moved_to = None;
        let mut still_permanent = true;
        for _ in 0..=self.options.max_redirects {
            let mut req = self.agent.get(&current).header("Accept", accept);
            if !validators.etag.is_empty() {
                req = req.header("If-None-Match", &validators.etag);
            }
            if !validators.last_modified.is_empty() {
                req = req.header("If-Modified-Since", &validators.last_modified);
            }
            let mut resp = match req.call() {
                Ok(r) => r,
                Err(e) => return self.failed(current, moved_to, self.describe(&e), None),
            };
            let status = resp.status().as_u16();
            let link_headers: Vec<String> = resp
                .headers()
                .get_all("link")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(String::from)
                .collect();
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .trim()
                    .to_string()
            };
            match status {
                200..=299 => {
                    let validators = Validators {
                        etag: header("etag"),
                        last_modified: header("last-modified"),
                    };
                    let content_type = header("content-type");
                    let body = resp
                        .body_mut()
                        .with_config()
                        .limit(self.options.max_bytes)
                        .read_to_vec();
                    return match body {
                        Ok(bytes) => Fetched {
                            outcome: Outcome::Body {
                                bytes,
                                validators,
                                content_type,
                            },
                            final_url: current,
                            moved_to,
                            link_headers,
                        },
                        Err(e) => self.failed(current, moved_to, self.describe(&e), None),
                    };
                }
                301 | 302 | 303 | 307 | 308 => {
                    let location = header("location");
                    let next = Url::parse(&current)
                        .and_then(|base| base.join(&location))
                        .ok()
                        .filter(|u| matches!(u.scheme(), "http" | "https"));
                    let Some(next) = next else {
                        let error =
                            format!("HTTP {status} redirect to an unusable address `{location}`");
                        return self.failed(current, moved_to, error, None);
                    };
                    // Only a chain of permanent moves from the address we were given is
                    // a new address for the blog; a temporary hop on the way is not.
                    still_permanent &= matches!(status, 301 | 308);
                    if still_permanent {
                        moved_to = Some(next.to_string());
                    }
                    current = next.to_string();
                }
                304 => {
                    return Fetched {
                        outcome: Outcome::NotModified,
                        final_url: current,
                        moved_to,
                        link_headers,
                    };
                }
                410 => {
                    return Fetched {
                        outcome: Outcome::Gone,
                        final_url: current,
                        moved_to,
                        link_headers,
                    };
                }
                _ => {
                    let retry_after = retry_after(&header("retry-after"), Utc::now());
                    let reason = resp.status().canonical_reason().unwrap_or("");
                    let error = format!("HTTP {status} {reason}").trim().to_string();
                    return self.failed(current, moved_to, error, retry_after);
                }
            }
        }
        let error = format!(
            "more than {} redirects; the feed address may loop",
            self.options.max_redirects
        );
        self.failed(current, moved_to, error, None)
    }

    fn failed(
        &self,
        final_url: String,
        moved_to: Option<String>,
        error: String,
        retry_after: Option<DateTime<Utc>>,
    ) -> Fetched {
        Fetched {
            outcome: Outcome::Failed { error, retry_after },
            final_url,
            moved_to,
            link_headers: Vec::new(),
        }
    }

    /// POST `pairs` form-encoded to `url`, without following redirects: the status, or
    /// why there was none.
    pub fn post_form(&self, url: &str, pairs: &[(&str, &str)]) -> Result<u16, String> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let resp = self
            .agent
            .post(url)
            .content_type("application/x-www-form-urlencoded")
            .send(body.as_bytes())
            .map_err(|e| self.describe(&e))?;
        Ok(resp.status().as_u16())
    }

    fn describe(&self, e: &ureq::Error) -> String {
        let secs = self.options.timeout.as_secs();
        match e {
            ureq::Error::Timeout(ureq::Timeout::Connect) => {
                format!("could not connect within {secs} s")
            }
            ureq::Error::Timeout(ureq::Timeout::Global) => {
                format!("still downloading after {} s; gave up", secs * 4)
            }
            ureq::Error::Timeout(_) => format!("the server stopped answering for {secs} s"),
            ureq::Error::BodyExceedsLimit(n) => format!(
                "the feed is larger than {} MB; raise max_feed_mb in site.toml [network] if it is real",
                n / (1024 * 1024)
            ),
            ureq::Error::HostNotFound => "the host name was not found".into(),
            ureq::Error::ConnectionFailed => "could not connect".into(),
            other => other.to_string(),
        }
    }
}

/// A `Retry-After` value (seconds or an HTTP date) as a time.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if value.is_empty() {
        return None;
    }
    if let Ok(secs) = value.parse::<u32>() {
        // A day is plenty: a server asking for more is treated as asking for a day.
        return Some(now + chrono::Duration::seconds(i64::from(secs.min(86_400))));
    }
    httpdate::parse_http_date(value)
        .ok()
        .map(DateTime::<Utc>::from)
}

/// Run `work` on every item with at most `concurrency` at once. `done` hears about each
/// result as it finishes (for a progress bar); results come back in the items' order.
pub fn run_pool<T, R, W, D>(items: &[T], concurrency: usize, work: W, mut done: D) -> Vec<R>
where
    T: Sync,
    R: Send,
    W: Fn(&T) -> R + Sync,
    D: FnMut(usize, &R),
{
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|s| {
        for _ in 0..concurrency.clamp(1, items.len().max(1)) {
            let tx = tx.clone();
            let (next, work) = (&next, &work);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, r) in rx {
            done(i, &r);
            results[i] = Some(r);
        }
    });
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            retry_after("120", now).unwrap().to_rfc3339(),
            "2024-05-01T10:02:00+00:00"
        );
        assert_eq!(
            retry_after("Wed, 01 May 2024 12:00:00 GMT", now)
                .unwrap()
                .to_rfc3339(),
            "2024-05-01T12:00:00+00:00"
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn pool_keeps_order_and_bounds_concurrency() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let items: Vec<usize> = (0..40).collect();
        let mut seen = 0;
        let out = run_pool(
            &items,
            4,
            |&i| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(2));
                running.fetch_sub(1, Ordering::SeqCst);
                i * 2
            },
            |_, _| seen += 1,
        );
        assert_eq!(out, (0..40).map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(seen, 40);
        assert!(peak.load(Ordering::SeqCst) <= 4);
    }
}
