//! Remote HTML is untrusted. Everything from a feed passes through here before it
//! is stored: an allow-list sanitizer (ammonia) for HTML, plain text for summaries,
//! and only http(s) addresses for links.

use std::collections::HashSet;

use ammonia::UrlRelative;
use html5ever::tokenizer::{Tag, TagKind, Token};
use lol_html::{HtmlRewriter, Settings, element};
use url::Url;

use super::html_bound;
use super::html_tokens::{self, Next};

/// Image addresses that only exist to count readers.
const TRACKERS: &[&str] = &[
    "feeds.feedburner.com/~r/",
    "feeds.feedburner.com/~ff/",
    "/~ff/",
    "stats.wordpress.com",
    "pixel.wp.com",
    "feedsportal.com",
    "doubleclick.net",
    "google-analytics.com",
    "/pixel",
    "beacon",
    "tracking",
    "/open.gif",
    "/b.gif",
];

/// `html` with only safe tags and attributes left, links absolute (against `base`)
/// and http(s) only, and tracking images removed. The sanitizer's parser only ever
/// sees a depth-bounded copy (`html_bound`), so this is linear in the input's size.
pub fn clean_html(html: &str, base: Option<&Url>) -> String {
    let bounded = html_bound::bound(html, |tag| !is_tracking_image(tag));
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https"]))
        .link_rel(Some("nofollow noopener noreferrer"))
        .url_relative(match base {
            Some(u) => UrlRelative::RewriteWithBase(u.clone()),
            // Without a base a relative link would point into the teacher's own site.
            None => UrlRelative::Deny,
        });
    without_empty_images(&b.clean(&bounded).to_string())
}

/// An image that only exists to count readers: a known tracker's address, or one
/// declared 0 or 1 pixel wide or high. (`<image>` is parsed as `<img>`.)
fn is_tracking_image(tag: &Tag) -> bool {
    if !matches!(&*tag.name, "img" | "image") {
        return false;
    }
    let tiny = ["width", "height"].iter().any(|a| {
        html_tokens::attr(tag, a)
            .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
            .is_some_and(|n| n <= 1)
    });
    tiny || html_tokens::attr(tag, "src")
        .is_some_and(|src| TRACKERS.iter().any(|t| src.contains(t)))
}

/// An image whose address was taken away (a `data:` or `javascript:` URL) would
/// still be an empty box on the page; drop the element too. Read with a real HTML
/// parser, so an `alt` holding `src="` or `>` cannot hide or keep one.
fn without_empty_images(html: &str) -> String {
    let mut out = Vec::with_capacity(html.len());
    let settings = Settings::new().append_element_content_handler(element!("img", |el| {
        if !el.has_attribute("src") {
            el.remove();
        }
        Ok(())
    }));
    let mut rewriter = HtmlRewriter::new(settings, |c: &[u8]| out.extend_from_slice(c));
    // lol_html fails only past a memory limit, and none is set; an image left
    // without an address is harmless, so the cleaned HTML as it was is the fallback.
    if rewriter.write(html.as_bytes()).is_err() || rewriter.end().is_err() {
        return html.to_string();
    }
    String::from_utf8(out).unwrap_or_else(|_| html.to_string())
}

/// The readable text of `html`, whitespace collapsed, cut to about `max_chars` at a
/// word boundary. Script, style and template contents are not text. Read from the
/// tokens, so any depth of nesting costs the same.
pub fn plain_text(html: &str, max_chars: usize) -> String {
    let (text, _) = read(html, false);
    truncate(&collapse(&demoronize(&text)), max_chars)
}

/// `plain_text` and `links` of already-cleaned HTML, read in one pass.
pub fn text_and_links(clean: &str, max_chars: usize) -> (String, Vec<String>) {
    let (text, links) = read(clean, true);
    (truncate(&collapse(&demoronize(&text)), max_chars), links)
}

/// The http(s) links in already-cleaned HTML, in order, without repeats.
pub fn links(clean: &str) -> Vec<String> {
    read(clean, true).1
}

/// The text of `html` (words not yet collapsed) and, when asked, the http(s) links of
/// its `<a href>`s in order without repeats.
fn read(html: &str, want_links: bool) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut links = Vec::new();
    let mut seen = HashSet::new();
    // Inside raw text (`<script>`…): whether its text is hidden. Inside `<template>`
    // and `<object>`: how many are open.
    let mut raw_hidden: Option<bool> = None;
    let mut hidden = 0usize;
    html_tokens::each(html, |token| match token {
        Token::CharacterTokens(t) => {
            if hidden == 0 && raw_hidden != Some(true) {
                text.push_str(&t);
            }
            Next::Continue
        }
        Token::TagToken(tag) => {
            // Tags separate words, as the text nodes of a tree are.
            text.push(' ');
            if raw_hidden.is_some() {
                raw_hidden = None;
                return Next::Continue;
            }
            let name = &*tag.name;
            let counted = matches!(name, "template" | "object");
            match tag.kind {
                TagKind::StartTag if name == "plaintext" => {
                    raw_hidden = Some(false);
                    return Next::Plaintext;
                }
                TagKind::StartTag => {
                    if let Some(kind) = html_tokens::raw_kind(name) {
                        let skipped = matches!(name, "script" | "style" | "noscript" | "iframe");
                        raw_hidden = Some(skipped);
                        return Next::Raw(kind);
                    }
                    if counted && !tag.self_closing {
                        hidden += 1;
                    }
                    if want_links
                        && name == "a"
                        && let Some(h) =
                            html_tokens::attr(&tag, "href").and_then(|h| safe_url(h, None))
                        && seen.insert(h.clone())
                    {
                        links.push(h);
                    }
                }
                TagKind::EndTag if counted => hidden = hidden.saturating_sub(1),
                TagKind::EndTag => {}
            }
            Next::Continue
        }
        _ => Next::Continue,
    });
    (text, links)
}

/// Plain text given as text (a title, an author): cleaned the same way, never HTML.
pub fn plain(s: &str) -> String {
    collapse(&demoronize(s))
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `s` cut to about `max_chars` at a word boundary, with `…` when cut.
pub fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let cut: String = s.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max_chars / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

/// Windows-1252 punctuation that arrived as C1 control characters (U+0080–U+009F),
/// a common mistake of feeds converted from old encodings: `’` stored as U+0092.
pub fn demoronize(s: &str) -> String {
    if !s.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if ('\u{80}'..='\u{9f}').contains(&c) {
                let byte = [c as u8];
                let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
                decoded.chars().next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// `href` resolved against `base`, when the result is an http(s) address.
pub fn safe_url(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    let u = match base {
        Some(b) => b.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_left_without_an_address_are_dropped() {
        let out = clean_html(
            r#"<p>a<img src="https://t.example/p.gif" width="1" height="1"><img src="javascript:x" alt="x > y"><img src="https://ok.example/a.png" alt="fine"></p>"#,
            None,
        );
        assert_eq!(
            out,
            r#"<p>a<img src="https://ok.example/a.png" alt="fine"></p>"#
        );
    }

    #[test]
    fn an_alt_text_cannot_keep_or_hide_an_empty_image() {
        let out = clean_html(
            r#"<p><img src="data:x" alt='say src="x"'><img alt="a > b" src="https://ok.example/b.png"></p>"#,
            None,
        );
        assert_eq!(
            out,
            r#"<p><img alt="a &gt; b" src="https://ok.example/b.png"></p>"#
        );
    }

    #[test]
    fn scripts_handlers_and_bad_links_go() {
        let base = Url::parse("https://blog.example.org/2024/post/").unwrap();
        let html = r#"<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(2)">bad</a>
            <a href="../other/">rel</a><iframe src="https://evil.example"></iframe><style>p{}</style>
            <img src="pic.png" onerror="steal()"><img src="https://t.example/p.gif" width="1" height="1"></p>"#;
        let out = clean_html(html, Some(&base));
        for bad in [
            "script",
            "onclick",
            "onerror",
            "javascript",
            "iframe",
            "style",
            "p.gif",
        ] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
        assert!(
            out.contains(r#"href="https://blog.example.org/2024/other/""#),
            "{out}"
        );
        assert!(
            out.contains(r#"src="https://blog.example.org/2024/post/pic.png""#),
            "{out}"
        );
        assert_eq!(links(&out), vec!["https://blog.example.org/2024/other/"]);
    }

    #[test]
    fn nothing_unsafe_survives_past_the_depth_bound() {
        let deep = "<div><b>".repeat(200);
        for attack in [
            "<script>alert(1)</script>",
            "<svg><style/><script>alert(1)</script></svg>",
            "<math><mi><style><img src=x onerror=alert(1)></style>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            "<iframe src=https://evil.example></iframe>",
            "<a href=\"javascript:alert(1)\">x</a><a href=\"&#106;avascript:alert(1)\">y</a>",
            "<textarea></textarea><script>alert(1)</script>",
            "<select><template><style>x</style></template></select>",
            "</br><form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
        ] {
            for html in [format!("{deep}{attack}"), format!("{attack}{deep}")] {
                let out = clean_html(&html, None);
                for bad in ["<script", "<style", "<iframe", "javascript:", "onerror"] {
                    assert!(!out.contains(bad), "{bad} in {out} from {attack}");
                }
            }
        }
    }

    #[test]
    fn relative_links_without_base_are_dropped() {
        let out = clean_html(r#"<a href="/posts/x/">x</a>"#, None);
        assert!(!out.contains("/posts/x/"), "{out}");
    }

    #[test]
    fn plain_text_skips_script_and_cuts_at_words() {
        let t = plain_text(
            "<p>One &amp; two</p><script>var x</script><p>three   four</p>",
            100,
        );
        assert_eq!(t, "One & two three four");
        assert_eq!(
            plain_text("<p>alpha beta gamma delta</p>", 12),
            "alpha beta…"
        );
    }

    #[test]
    fn c1_controls_become_punctuation() {
        assert_eq!(demoronize("it\u{92}s"), "it\u{2019}s");
    }
}
