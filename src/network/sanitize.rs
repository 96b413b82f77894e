//! Remote HTML is untrusted. Everything from a feed passes through here before it
//! is stored: an allow-list sanitizer (ammonia) for HTML, plain text for summaries,
//! and only http(s) addresses for links.

use std::collections::HashSet;

use ammonia::UrlRelative;
use scraper::{Html, Node, Selector};
use url::Url;

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
/// and http(s) only, and tracking images removed.
pub fn clean_html(html: &str, base: Option<&Url>) -> String {
    let pixels = tiny_images(html);
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https"]))
        .link_rel(Some("nofollow noopener noreferrer"))
        .url_relative(match base {
            Some(u) => UrlRelative::RewriteWithBase(u.clone()),
            // Without a base a relative link would point into the teacher's own site.
            None => UrlRelative::Deny,
        })
        .attribute_filter(move |element, attribute, value| {
            let tracking = element == "img"
                && attribute == "src"
                && (pixels.contains(value) || TRACKERS.iter().any(|t| value.contains(t)));
            (!tracking).then(|| value.into())
        });
    without_empty_images(&b.clean(html).to_string())
}

/// An image whose address was taken away (a tracker, a `data:` or `javascript:` URL)
/// would still be an empty box on the page; drop the element too. Works on
/// ammonia's output, whose attributes are always double-quoted.
fn without_empty_images(html: &str) -> String {
    static IMG: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"<img(?:\s+[a-zA-Z-]+="[^"]*")*\s*/?>"#).expect("a valid pattern")
    });
    IMG.replace_all(html, |c: &regex::Captures| {
        if c[0].contains(" src=\"") {
            c[0].to_string()
        } else {
            String::new()
        }
    })
    .into_owned()
}

/// `src` of images declared 0 or 1 pixel wide or high: tracking pixels.
fn tiny_images(html: &str) -> HashSet<String> {
    let doc = Html::parse_fragment(html);
    let Ok(sel) = Selector::parse("img[src]") else {
        return HashSet::new();
    };
    doc.select(&sel)
        .filter(|img| {
            ["width", "height"].iter().any(|a| {
                img.value()
                    .attr(a)
                    .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
                    .is_some_and(|n| n <= 1)
            })
        })
        .filter_map(|img| img.value().attr("src").map(String::from))
        .collect()
}

/// The readable text of `html`, whitespace collapsed, cut to about `max_chars` at a
/// word boundary. Script and style contents are not text.
pub fn plain_text(html: &str, max_chars: usize) -> String {
    let doc = Html::parse_fragment(html);
    let mut text = String::new();
    for node in doc.root_element().descendants() {
        let Node::Text(t) = node.value() else {
            continue;
        };
        let hidden = node.ancestors().any(|a| {
            a.value().as_element().is_some_and(|e| {
                matches!(
                    e.name(),
                    "script" | "style" | "noscript" | "template" | "iframe" | "object"
                )
            })
        });
        if !hidden {
            text.push_str(t);
            text.push(' ');
        }
    }
    truncate(&collapse(&demoronize(&text)), max_chars)
}

/// Plain text given as text (a title, an author): cleaned the same way, never HTML.
pub fn plain(s: &str) -> String {
    collapse(&demoronize(s))
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(s: &str, max_chars: usize) -> String {
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

/// The http(s) links in already-cleaned HTML, in order, without repeats.
pub fn links(clean: &str) -> Vec<String> {
    let doc = Html::parse_fragment(clean);
    let Ok(sel) = Selector::parse("a[href]") else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    doc.select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|h| safe_url(h, None))
        .filter(|h| seen.insert(h.clone()))
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
