//! Where a page takes Webmentions, exactly as the W3C Webmention recommendation
//! (§3.1.2) says: the first `Link` HTTP header with rel `webmention` wins; otherwise
//! the first `<link>` or `<a>` element with rel `webmention` and an `href`, in document
//! order. A relative endpoint is resolved against the page's address after redirects,
//! an empty one is the page itself, and its query string is kept.
//!
//! Markup is read by a real HTML tokenizer, so an endpoint inside a comment, a script
//! or escaped text is not one.

use html5ever::tokenizer::{TagKind, Token};
use url::Url;

use crate::network::fetch::{Client, Outcome};
use crate::network::html_tokens::{self, Next};

/// What looking for an endpoint found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Endpoint(Url),
    NoEndpoint,
    /// The page could not be fetched.
    Failed(String),
}

/// Fetch `target` and find its endpoint.
pub fn discover(client: &Client, target: &str) -> Found {
    let fetched = client.get_page(target);
    let Ok(page) = Url::parse(&fetched.final_url) else {
        return Found::Failed(format!("`{}` is not a web address", fetched.final_url));
    };
    match fetched.outcome {
        Outcome::Body {
            bytes,
            content_type,
            ..
        } => endpoint(&page, &fetched.link_headers, &content_type, &bytes)
            .map_or(Found::NoEndpoint, Found::Endpoint),
        Outcome::Failed { error, .. } => Found::Failed(error),
        Outcome::Gone => Found::Failed("HTTP 410 Gone".into()),
        // Nothing conditional was asked, so a 304 is the server's confusion.
        Outcome::NotModified => Found::Failed("HTTP 304 to an unconditional request".into()),
    }
}

/// The endpoint a page at `page` (its address after redirects) advertises.
pub fn endpoint(
    page: &Url,
    link_headers: &[String],
    content_type: &str,
    body: &[u8],
) -> Option<Url> {
    from_headers(page, link_headers).or_else(|| {
        let ct = content_type.to_ascii_lowercase();
        (ct.is_empty() || ct.contains("html")).then(|| from_html(page, body))?
    })
}

fn from_headers(page: &Url, headers: &[String]) -> Option<Url> {
    headers.iter().find_map(|h| {
        // One malformed header must not hide a good one after it.
        let links = http_link::parse_link_header(h, page).ok()?;
        // The parser splits rel into one link per value and lower-cases each.
        links
            .into_iter()
            .find(|l| l.rel == "webmention")
            .map(|l| l.target)
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    })
}

/// The first `<link>` or `<a>` with rel `webmention` and an `href`. Read as tokens
/// (raw text such as a script's is skipped as a parser would), never built into a
/// tree, so a page nested any deep costs the same.
fn from_html(page: &Url, body: &[u8]) -> Option<Url> {
    let mut href: Option<String> = None;
    html_tokens::each(&String::from_utf8_lossy(body), |token| {
        let Token::TagToken(tag) = token else {
            return Next::Continue;
        };
        if tag.kind != TagKind::StartTag || href.is_some() {
            return Next::Continue;
        }
        let name = &*tag.name;
        let is_webmention = html_tokens::attr(&tag, "rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("webmention"))
        });
        if matches!(name, "link" | "a") && is_webmention {
            href = html_tokens::attr(&tag, "href").map(str::to_string);
        }
        html_tokens::raw_kind(name).map_or(Next::Continue, Next::Raw)
    });
    page.join(href?.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://t.example/test/1/page").unwrap()
    }

    fn html(body: &str) -> Option<String> {
        endpoint(&page(), &[], "text/html; charset=utf-8", body.as_bytes()).map(|u| u.to_string())
    }

    #[test]
    fn header_beats_html_and_first_header_wins() {
        let headers = vec![
            "<https://t.example/other>; rel=\"other\"".to_string(),
            "<../wm?x=1>; rel=\"webmention somethingelse\"".to_string(),
            "<https://t.example/late>; rel=webmention".to_string(),
        ];
        let e = endpoint(
            &page(),
            &headers,
            "text/html",
            b"<link rel=webmention href=/html>",
        );
        assert_eq!(e.unwrap().as_str(), "https://t.example/test/wm?x=1");
    }

    #[test]
    fn html_rules() {
        for (body, found) in [
            (
                "<a rel=webmention href=/a></a><link rel=webmention href=/l>",
                Some("https://t.example/a"),
            ),
            (
                "<link rel=webmention><a rel=webmention href=/a>x</a>",
                Some("https://t.example/a"),
            ),
            (
                "<link rel=not-webmention href=/no><link rel=webmention href=/yes>",
                Some("https://t.example/yes"),
            ),
            (
                "<!-- <link rel=webmention href=/no> --><p>&lt;link rel=webmention href=/no&gt;</p>",
                None,
            ),
            (
                "<link rel=webmention href=\"\">",
                Some("https://t.example/test/1/page"),
            ),
            (
                "<link rel=\"Webmention stylesheet\" href=\"wm\">",
                Some("https://t.example/test/1/wm"),
            ),
            ("<link rel=webmention href=\"javascript:alert(1)\">", None),
            (
                "<script>w('<a rel=webmention href=/no>')</script><textarea><link rel=webmention href=/no></textarea><a rel=webmention href=/yes>",
                Some("https://t.example/yes"),
            ),
        ] {
            assert_eq!(html(body).as_deref(), found, "{body}");
        }
    }

    #[test]
    fn a_broken_header_does_not_hide_html() {
        let e = endpoint(
            &page(),
            &["not a link".into()],
            "text/html",
            b"<link rel=webmention href=/l>",
        );
        assert_eq!(e.unwrap().as_str(), "https://t.example/l");
    }

    #[test]
    fn images_are_not_parsed_as_html() {
        assert_eq!(
            endpoint(&page(), &[], "image/png", b"<link rel=webmention href=/l>"),
            None
        );
    }
}
