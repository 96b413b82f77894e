//! Links in feed content made absolute. A feed reader shows an entry away from the
//! post's page, so `/x`, `#a`, `pic.png` or `//cdn/x.js` mean nothing there (or,
//! worse, something on the reader's own site). The HTML is read by a real parser
//! (lol_html), so only attribute values are touched: never text, code samples or
//! script bodies, and single-quoted or unquoted attributes are found as well as
//! double-quoted ones. Tags without a relative address are left byte for byte.

use html5ever::tokenizer::Token;
use lol_html::{HtmlRewriter, Settings, element};
use url::Url;

use crate::config::BaseUrl;
use crate::network::html_tokens::{self, Next};

/// Attributes whose value is one address, on whichever element they appear
/// (the HTML and SVG specifications' URL attributes, obsolete ones included, since
/// old posts pasted from elsewhere still carry them).
const SINGLE: &[&str] = &[
    "href",
    "src",
    "poster",
    "cite",
    "action",
    "formaction",
    "data",
    "longdesc",
    "background",
    "manifest",
    "xlink:href",
];

/// Attributes holding a list of image candidates (`url 2x, url 640w`).
const SRCSETS: &[&str] = &["srcset", "imagesrcset"];

/// Attributes holding addresses separated by spaces.
const SPACED: &[&str] = &["ping"];

/// `html` with every relative address in a URL attribute resolved against the post's
/// `permalink`: `/x` against the site's origin, `#a` and `pic.png` against the post,
/// `//host/x` with the site's scheme. Absolute addresses (`https:`, `mailto:`…) stay.
pub fn absolutize(html: &str, base: &BaseUrl, permalink: &str) -> String {
    let page = Page {
        origin: base.origin(),
        permalink,
        url: Url::parse(permalink).ok(),
    };
    let mut out = Vec::with_capacity(html.len() + html.len() / 8);
    let settings = Settings::new().append_element_content_handler(element!("*", |el| {
        let changes: Vec<(String, String)> = el
            .attributes()
            .iter()
            .filter_map(|a| {
                let name = a.name();
                let value = a.value();
                let new = if SINGLE.contains(&name.as_str()) {
                    page.resolve(&value)
                } else if SRCSETS.contains(&name.as_str()) {
                    page.resolve_srcset(&value)
                } else if SPACED.contains(&name.as_str()) {
                    page.resolve_spaced(&value)
                } else {
                    None
                };
                new.map(|v| (name, v))
            })
            .collect();
        for (name, value) in changes {
            el.set_attribute(&name, &value)?;
        }
        Ok(())
    }));
    let mut rewriter = HtmlRewriter::new(settings, |c: &[u8]| out.extend_from_slice(c));
    // lol_html fails only past a memory limit (none is set) or when a handler fails
    // (ours only on an invalid attribute name, which we never make): keeping the
    // post's HTML as it was is then better than losing the entry.
    if rewriter.write(html.as_bytes()).is_err() || rewriter.end().is_err() {
        return html.to_string();
    }
    String::from_utf8(out).unwrap_or_else(|_| html.to_string())
}

/// Where a post's relative addresses point.
struct Page<'a> {
    /// `https://host`, no trailing slash.
    origin: &'a str,
    permalink: &'a str,
    /// `None` only if the permalink is not a URL; then path-relative ones stay.
    url: Option<Url>,
}

impl Page<'_> {
    /// The absolute form of one address as written in the HTML (character references
    /// and all), or `None` when it should stay as written. Root and fragment links are
    /// joined as text, so what the post wrote after the `/` or `#` reaches the feed
    /// exactly (a URL parser would re-encode it).
    fn resolve(&self, raw: &str) -> Option<String> {
        let value = decoded(raw);
        // Browsers strip these before resolving, so the feed should too.
        let value = value.trim_matches(|c: char| c.is_ascii_whitespace());
        if value.is_empty() || has_scheme(value) {
            return None;
        }
        let absolute = if value.starts_with("//") {
            let scheme = self.origin.split(':').next().unwrap_or("https");
            format!("{scheme}:{value}")
        } else if value.starts_with('/') {
            format!("{}{value}", self.origin)
        } else if value.starts_with('#') {
            format!("{}{value}", self.permalink)
        } else {
            self.url.as_ref()?.join(value).ok()?.to_string()
        };
        // Back into HTML: lol_html escapes quotes, `&` is ours to escape.
        Some(absolute.replace('&', "&amp;"))
    }

    /// A `srcset`: each candidate's address resolved, descriptors and separators kept.
    fn resolve_srcset(&self, raw: &str) -> Option<String> {
        self.replace_ranges(raw, &srcset_urls(raw))
    }

    /// A space-separated list such as `ping`.
    fn resolve_spaced(&self, raw: &str) -> Option<String> {
        let mut ranges = Vec::new();
        let mut start = None;
        for (i, c) in raw.char_indices().chain([(raw.len(), ' ')]) {
            match (c.is_ascii_whitespace(), start) {
                (true, Some(s)) => {
                    ranges.push((s, i));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        self.replace_ranges(raw, &ranges)
    }

    /// `raw` with the addresses at byte `ranges` resolved; `None` if none changed.
    fn replace_ranges(&self, raw: &str, ranges: &[(usize, usize)]) -> Option<String> {
        let mut out = String::with_capacity(raw.len() * 2);
        let mut at = 0;
        let mut changed = false;
        for &(s, e) in ranges {
            out.push_str(&raw[at..s]);
            match self.resolve(&raw[s..e]) {
                Some(abs) => {
                    out.push_str(&abs);
                    changed = true;
                }
                None => out.push_str(&raw[s..e]),
            }
            at = e;
        }
        out.push_str(&raw[at..]);
        changed.then_some(out)
    }
}

/// An attribute value as a browser reads it, character references decoded
/// (`&#47;&#47;cdn/x` is `//cdn/x`), by html5ever's tokenizer.
fn decoded(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    let quote = match (raw.contains('"'), raw.contains('\'')) {
        (false, _) => '"',
        (true, false) => '\'',
        // Only an unquoted value can hold both; it is read as it stands.
        (true, true) => return raw.to_string(),
    };
    let mut value = None;
    html_tokens::each(&format!("<a v={quote}{raw}{quote}>"), |token| {
        if let Token::TagToken(tag) = token
            && value.is_none()
        {
            value = tag.attrs.into_iter().next().map(|a| a.value.to_string());
        }
        Next::Continue
    });
    value.unwrap_or_else(|| raw.to_string())
}

/// `scheme:` at the start, as the URL standard defines a scheme: a letter, then
/// letters, digits, `+`, `-` or `.`. (`c:/x` counts; no post links to a drive.)
fn has_scheme(value: &str) -> bool {
    let Some((scheme, _)) = value.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The byte ranges of the addresses in a `srcset`, found as the HTML standard's
/// "parse a srcset attribute" does: an address runs to the next whitespace (trailing
/// commas end the candidate), then descriptors run to a comma outside parentheses.
/// So an address may itself contain commas (`/w_100,h_80/x.jpg 2x`).
fn srcset_urls(raw: &str) -> Vec<(usize, usize)> {
    let bytes = raw.as_bytes();
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut end = i;
        if bytes[end - 1] == b',' {
            while end > start && bytes[end - 1] == b',' {
                end -= 1;
            }
            ranges.push((start, end));
            continue;
        }
        ranges.push((start, end));
        let mut depth = 0usize;
        while i < bytes.len() {
            match bytes[i] {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    const POST: &str = "https://a.github.io/blog/posts/p/";

    fn abs(html: &str) -> String {
        let base = BaseUrl::parse("https://a.github.io/blog/").unwrap();
        absolutize(html, &base, POST)
    }

    #[test]
    fn root_fragment_and_absolute_links() {
        assert_eq!(
            abs(
                r##"<a href="/blog/x/">x</a> <img src="/blog/i.png"> <a href="#n">n</a> <a href="https://o.org/">o</a>"##
            ),
            r##"<a href="https://a.github.io/blog/x/">x</a> <img src="https://a.github.io/blog/i.png"> <a href="https://a.github.io/blog/posts/p/#n">n</a> <a href="https://o.org/">o</a>"##
        );
    }

    #[test]
    fn scheme_relative_links_get_the_sites_scheme_not_its_host() {
        assert_eq!(
            abs(r#"<a href="//cdn.example.org/x.js">cdn</a>"#),
            r#"<a href="https://cdn.example.org/x.js">cdn</a>"#
        );
    }

    #[test]
    fn path_relative_links_resolve_against_the_post() {
        assert_eq!(
            abs(r#"<img src="pic.png"><a href="../q/">q</a><a href="?page=2">2</a>"#),
            concat!(
                r#"<img src="https://a.github.io/blog/posts/p/pic.png">"#,
                r#"<a href="https://a.github.io/blog/posts/q/">q</a>"#,
                r#"<a href="https://a.github.io/blog/posts/p/?page=2">2</a>"#
            )
        );
    }

    #[test]
    fn single_quoted_unquoted_and_spaced_values() {
        assert_eq!(
            abs("<a href='/blog/a/'>a</a><a href=/blog/b/>b</a><a href=\" /blog/c/ \">c</a>"),
            concat!(
                r#"<a href="https://a.github.io/blog/a/">a</a>"#,
                r#"<a href="https://a.github.io/blog/b/">b</a>"#,
                r#"<a href="https://a.github.io/blog/c/">c</a>"#
            )
        );
    }

    #[test]
    fn every_url_attribute() {
        let cases = [
            ("<video poster=\"/p.jpg\"></video>", "poster"),
            ("<video src=\"/v.mp4\"></video>", "src"),
            ("<audio><source src=\"/a.ogg\"></audio>", "src"),
            ("<video><track src=\"/t.vtt\"></video>", "src"),
            ("<blockquote cite=\"/q\"></blockquote>", "cite"),
            ("<q cite=\"/q\"></q>", "cite"),
            ("<ins cite=\"/q\"></ins>", "cite"),
            ("<form action=\"/f\"></form>", "action"),
            ("<button formaction=\"/f\"></button>", "formaction"),
            ("<object data=\"/o.pdf\"></object>", "data"),
            ("<iframe src=\"/e\"></iframe>", "src"),
            ("<embed src=\"/e.swf\">", "src"),
            ("<img longdesc=\"/d\">", "longdesc"),
            ("<table background=\"/b.png\"></table>", "background"),
            ("<area href=\"/m\">", "href"),
            ("<svg><a xlink:href=\"/s\"></a></svg>", "xlink:href"),
            ("<svg><image href=\"/s.png\"></image></svg>", "href"),
        ];
        for (html, attr) in cases {
            let out = abs(html);
            let want = format!("{attr}=\"https://a.github.io/");
            assert!(out.contains(&want), "{html} gave {out}");
        }
    }

    #[test]
    fn srcset_candidates_each_resolved() {
        assert_eq!(
            abs(
                r#"<img srcset="/s.png 1x, b.png 2x,//c.org/w_10,h_5/c.png 640w, https://o.org/d.png"><picture><source srcset="/e.webp"></picture>"#
            ),
            concat!(
                r#"<img srcset="https://a.github.io/s.png 1x, https://a.github.io/blog/posts/p/b.png 2x,"#,
                r#"https://c.org/w_10,h_5/c.png 640w, https://o.org/d.png">"#,
                r#"<picture><source srcset="https://a.github.io/e.webp"></picture>"#
            )
        );
        assert_eq!(
            srcset_urls("a.png, b.png 2x (x, y), c.png"),
            vec![(0, 5), (7, 12), (24, 29)]
        );
        // As in browsers, a comma inside an address is part of it.
        assert_eq!(srcset_urls("a.png,b.png 2x"), vec![(0, 11)]);
    }

    #[test]
    fn ping_lists_each_resolved() {
        assert_eq!(
            abs(r#"<a href="https://o.org/" ping="/p1 https://o.org/p2">o</a>"#),
            r#"<a href="https://o.org/" ping="https://a.github.io/p1 https://o.org/p2">o</a>"#
        );
    }

    #[test]
    fn text_code_and_other_schemes_are_left_alone() {
        let html = concat!(
            r#"<p>write href="/x" like this</p>"#,
            r#"<pre><code>&lt;a href="/y"&gt;</code></pre>"#,
            r#"<script>var s = '<a href="/z">';</script>"#,
            r#"<a href="mailto:t@school.org">m</a><a href="data:text/plain,x">d</a>"#,
            r#"<img alt="/not-a-link" src="https://o.org/i.png" />"#,
            r##"<a title="#x">t</a>"##
        );
        assert_eq!(abs(html), html);
    }

    #[test]
    fn character_references_are_read_as_a_browser_reads_them() {
        assert_eq!(
            abs(
                r#"<a href="&#47;&#47;cdn.example.org/x">a</a><a href="&#x2F;blog/b?x=1&amp;y=2">b</a><a href="c&#46;png?x=1&amp;y=2">c</a>"#
            ),
            concat!(
                r#"<a href="https://cdn.example.org/x">a</a>"#,
                r#"<a href="https://a.github.io/blog/b?x=1&amp;y=2">b</a>"#,
                r#"<a href="https://a.github.io/blog/posts/p/c.png?x=1&amp;y=2">c</a>"#
            )
        );
        assert_eq!(
            abs(r#"<a href="mailto:a&#64;b.org">m</a>"#),
            r#"<a href="mailto:a&#64;b.org">m</a>"#
        );
    }

    #[test]
    fn quotes_in_a_single_quoted_value_stay_escaped() {
        assert_eq!(
            abs(r#"<a href='/a"b'>x</a>"#),
            r#"<a href="https://a.github.io/a&quot;b">x</a>"#
        );
    }
}
