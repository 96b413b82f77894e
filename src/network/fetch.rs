//! HTTP for feeds: one careful GET, and a bounded pool to run many of them.
//!
//! Lessons from other feed tools are built in: connecting and stalling have their own
//! limits (a slow but steady large feed is not killed by a whole-transfer timeout),
//! bodies are capped (after gzip decoding, so a small bomb cannot fill memory),
//! redirects are followed by hand so permanent moves can be reported, and requests
//! are conditional so an unchanged feed costs one small 304. Every hop is checked
//! against the chain's [`Reach`] before it is requested.

use std::ops::ControlFlow;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

pub use super::pool::run_pool;
use super::public::{self, PublicOnly, Reach, next_hop};

pub const USER_AGENT: &str = concat!(
    "staffroom/",
    env!("CARGO_PKG_VERSION"),
    " (+",
    env!("CARGO_PKG_REPOSITORY"),
    "; blogroll reader)"
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
    /// Where addresses found in this response may lead (feed discovery follows them).
    pub reach: Reach,
}

pub struct Client {
    /// Reaches any address: the teacher's own private ones, or `--allow-private`.
    open: ureq::Agent,
    /// Reaches public addresses only; its resolver checks every connection, and
    /// through a proxy it names the checked address, not the host name.
    public: ureq::Agent,
    /// The reach of every chain, whatever address it starts at; `None`: the first
    /// address decides ([`Reach::from_teacher`]).
    fixed: Option<Reach>,
    options: HttpOptions,
}

impl Client {
    /// A client for addresses the teacher gave: one on a private network (a school
    /// intranet blog) may be fetched, and may redirect within it, but a chain that
    /// reaches a public address may not lead back to a private one.
    pub fn new(options: HttpOptions) -> Client {
        Self::with_reach(options, None)
    }

    /// A client that reaches public addresses only (`webmention send`).
    pub fn public_only(options: HttpOptions) -> Client {
        Self::with_reach(options, Some(Reach::Public))
    }

    /// A client that reaches any address (`webmention send --allow-private`).
    pub fn anywhere(options: HttpOptions) -> Client {
        Self::with_reach(options, Some(Reach::Anywhere))
    }

    fn with_reach(options: HttpOptions, fixed: Option<Reach>) -> Client {
        let public = Self::config(&options, true);
        let connector = ureq::unversioned::transport::DefaultConnector::new();
        Client {
            open: Self::config(&options, false).into(),
            public: ureq::Agent::with_parts(public, connector, PublicOnly::default()),
            fixed,
            options,
        }
    }

    /// `public`: the proxy (if any) is asked for the address checked here.
    fn config(options: &HttpOptions, public: bool) -> ureq::config::Config {
        let t = options.timeout;
        let builder = ureq::Agent::config_builder();
        let builder = if public {
            builder.proxy(public::proxy_resolving_here())
        } else {
            builder
        };
        builder
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

    /// The agent for a hop whose chain now has `reach`.
    pub fn agent(&self, reach: Reach) -> &ureq::Agent {
        match reach {
            Reach::Public => &self.public,
            Reach::Anywhere | Reach::Intranet => &self.open,
        }
    }

    /// The first hop of a chain to `url` (`given`: the reach of the page that named
    /// it), or why it may not be made.
    pub fn first_hop(&self, url: &str, given: Option<Reach>) -> Result<(Url, Reach), String> {
        let parsed = Url::parse(url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| format!("`{url}` is not a web address"))?;
        let reach = self
            .fixed
            .or(given)
            .unwrap_or_else(|| Reach::from_teacher(&parsed));
        match reach.step(&parsed) {
            Some(after) => Ok((parsed, after)),
            None => Err(format!(
                "`{parsed}` {}, and a public address may not lead there",
                public::REFUSED
            )),
        }
    }

    /// GET `url`, conditional on `validators`, following up to `max_redirects`.
    pub fn get(&self, url: &str, validators: &Validators) -> Fetched {
        self.get_accepting(url, validators, ACCEPT, None)
    }

    /// GET a feed that a page with `reach` named (feed discovery): a public page
    /// cannot lead to a private feed.
    pub fn get_named_by(&self, url: &str, reach: Reach) -> Fetched {
        self.get_accepting(url, &Validators::default(), ACCEPT, Some(reach))
    }

    /// GET a web page (not a feed), following redirects.
    pub fn get_page(&self, url: &str) -> Fetched {
        self.get_accepting(url, &Validators::default(), ACCEPT_PAGE, None)
    }

    fn get_accepting(
        &self,
        url: &str,
        validators: &Validators,
        accept: &str,
        given: Option<Reach>,
    ) -> Fetched {
        let mut chain = match self.first_hop(url, given) {
            Ok((current, reach)) => Chain {
                current,
                reach,
                moved_to: None,
                still_permanent: true,
            },
            Err(error) => {
                return Fetched {
                    outcome: Outcome::Failed {
                        error,
                        retry_after: None,
                    },
                    final_url: url.to_string(),
                    moved_to: None,
                    link_headers: Vec::new(),
                    reach: Reach::Public,
                };
            }
        };
        for _ in 0..=self.options.max_redirects {
            match self.hop(chain, validators, accept) {
                ControlFlow::Break(fetched) => return fetched,
                ControlFlow::Continue(next) => chain = next,
            }
        }
        let error = format!(
            "more than {}; the feed address may loop",
            crate::words::count(self.options.max_redirects as usize, "redirect")
        );
        chain.failed(error, None)
    }

    /// One request of the chain: what it ended with, or the chain one redirect on.
    fn hop(
        &self,
        mut chain: Chain,
        validators: &Validators,
        accept: &str,
    ) -> ControlFlow<Fetched, Chain> {
        let mut req = (self.agent(chain.reach))
            .get(chain.current.as_str())
            .header("Accept", accept);
        if !validators.etag.is_empty() {
            req = req.header("If-None-Match", &validators.etag);
        }
        if !validators.last_modified.is_empty() {
            req = req.header("If-Modified-Since", &validators.last_modified);
        }
        let mut resp = match req.call() {
            Ok(r) => r,
            Err(e) => return ControlFlow::Break(chain.failed(self.describe(&e), None)),
        };
        let status = resp.status().as_u16();
        let link_headers: Vec<String> = (resp.headers().get_all("link").iter())
            .filter_map(|v| v.to_str().ok())
            .map(String::from)
            .collect();
        ControlFlow::Break(match status {
            200..=299 => {
                let validators = Validators {
                    etag: header(&resp, "etag"),
                    last_modified: header(&resp, "last-modified"),
                };
                let content_type = header(&resp, "content-type");
                let body = (resp.body_mut().with_config())
                    .limit(self.options.max_bytes)
                    .read_to_vec();
                match body {
                    Ok(bytes) => {
                        let outcome = Outcome::Body {
                            bytes,
                            validators,
                            content_type,
                        };
                        chain.ended(outcome, link_headers)
                    }
                    Err(e) => chain.failed(self.describe(&e), None),
                }
            }
            301 | 302 | 303 | 307 | 308 => {
                let location = header(&resp, "location");
                match next_hop(&chain.current, chain.reach, status, &location) {
                    Ok((next, after)) => {
                        chain.follow(next, after, status);
                        return ControlFlow::Continue(chain);
                    }
                    // A broken or refused chain moves nothing, not even a permanent
                    // move on the way: the blog keeps the address the teacher gave.
                    Err(error) => {
                        chain.moved_to = None;
                        chain.failed(error, None)
                    }
                }
            }
            304 => chain.ended(Outcome::NotModified, link_headers),
            410 => chain.ended(Outcome::Gone, link_headers),
            _ => {
                let retry_after = retry_after(&header(&resp, "retry-after"), Utc::now());
                let reason = resp.status().canonical_reason().unwrap_or("");
                let error = format!("HTTP {status} {reason}").trim().to_string();
                chain.failed(error, retry_after)
            }
        })
    }

    /// POST `pairs` form-encoded to `url`, without following redirects: the status, or
    /// why there was none.
    pub fn post_form(&self, url: &str, pairs: &[(&str, &str)]) -> Result<u16, String> {
        let (url, reach) = self.first_hop(url, None)?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let resp = self
            .agent(reach)
            .post(url.as_str())
            .content_type("application/x-www-form-urlencoded")
            .send(body.as_bytes())
            .map_err(|e| self.describe(&e))?;
        Ok(resp.status().as_u16())
    }

    /// What went wrong, in words a teacher can act on.
    pub fn describe(&self, e: &ureq::Error) -> String {
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
            // The resolver's refusal of a private address reads best without "io:".
            ureq::Error::Io(io) => io.to_string(),
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

/// Where a chain of redirects has got to.
struct Chain {
    current: Url,
    reach: Reach,
    /// The blog's new address: set while every hop so far was a permanent move.
    moved_to: Option<String>,
    still_permanent: bool,
}

impl Chain {
    fn ended(self, outcome: Outcome, link_headers: Vec<String>) -> Fetched {
        Fetched {
            outcome,
            final_url: self.current.into(),
            moved_to: self.moved_to,
            link_headers,
            reach: self.reach,
        }
    }

    fn failed(self, error: String, retry_after: Option<DateTime<Utc>>) -> Fetched {
        self.ended(Outcome::Failed { error, retry_after }, Vec::new())
    }

    fn follow(&mut self, next: Url, reach: Reach, status: u16) {
        // Only a chain of permanent moves from the address we were given is a new
        // address for the blog; a temporary hop on the way is not.
        self.still_permanent &= matches!(status, 301 | 308);
        if self.still_permanent {
            self.moved_to = Some(next.to_string());
        }
        self.current = next;
        self.reach = reach;
    }
}

/// A response header's text, trimmed; empty when absent or not text.
fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> String {
    (resp.headers().get(name))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_string()
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
}
