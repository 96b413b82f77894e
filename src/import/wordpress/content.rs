//! What WordPress does to a post's stored text before showing it, done once here so
//! the HTML converter sees what readers saw: block-editor comments dropped (a
//! dynamic block, which has no stored content, is named), shortcodes turned into HTML,
//! and blank lines made paragraphs (wpautop) in classic-editor posts.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::super::html::{Attr, attr_value, escape};

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this file; a bad one is a bug caught by the tests.
    Regex::new(pattern).expect("a valid pattern")
}

static BLOCK: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?s)<!--\s*(/?)wp:([a-z0-9/-]+)(?:\s.*?)?(/?)\s*-->"));
static OPENING: LazyLock<Regex> = LazyLock::new(|| re(r"\[([a-zA-Z_][\w-]*)([^\[\]]*)\]"));
static ATTRS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)|"([^"]*)"|(\S+)"#,
    )
});
static PRE: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)<pre\b.*?</pre\s*>"));
static BLOCK_START: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:<(?:/?)(?:table|thead|tbody|tfoot|caption|col|colgroup|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe|video|audio|object|embed|script|noscript)\b|<!--|STAFFROOMPRE)",
    )
});
/// A line that ends with a block tag (`</h1>`, `<tbody>`): wpautop puts no `<br />`
/// after it, nor before a line that starts with one.
static BLOCK_END: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)</?(?:table|thead|tbody|tfoot|caption|col|colgroup|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|blockquote|address|p|h[1-6]|hr|section|article|aside|header|footer|nav|figure|figcaption|details|summary)\b[^>]*>$",
    )
});
static IMG_TAG: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)<img\b[^>]*>"));
static TAGS: LazyLock<Regex> = LazyLock::new(|| re(r"(?s)<[^>]*>"));

/// An image of the export (an attachment), for `[gallery]`.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub url: String,
    pub title: String,
    pub parent: String,
    pub order: i64,
}

pub struct Context<'a> {
    /// The post's own id, for a `[gallery]` without `ids`.
    pub post_id: &'a str,
    pub attachments: &'a HashMap<String, Attachment>,
    /// Shortcodes met that have no equivalent, for the report.
    pub unknown: BTreeSet<String>,
    /// Blocks WordPress fills in when a page is shown, which have nothing stored.
    pub dynamic: BTreeSet<String>,
}

/// The HTML a reader of the old blog saw.
pub fn expand(text: &str, cx: &mut Context) -> String {
    let has_blocks = BLOCK.is_match(text);
    let text = BLOCK.replace_all(text, |c: &Captures| {
        // A self-closing block of a kind WordPress fills in when the page is shown
        // (latest posts, archives, search) has nothing stored to bring across.
        if &c[3] == "/" && !matches!(&c[2], "spacer" | "separator" | "more" | "nextpage") {
            cx.dynamic.insert(c[2].to_string());
        }
        String::new()
    });
    let text = shortcodes(&text, cx);
    if has_blocks { text } else { autop(&text) }
}

/// Known shortcodes that have a Markdown equivalent.
fn shortcodes(text: &str, cx: &mut Context) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = OPENING.captures(rest) {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        let name = c[1].to_ascii_lowercase();
        let args = &c[2];
        let close = format!("[/{}]", &c[1]);
        let after = &rest[whole.end..];
        let (inner, used) = match after.find(&close) {
            Some(at) if encloses(&name) => (&after[..at], whole.end + at + close.len()),
            _ => ("", whole.end),
        };
        out.push_str(&rest[..whole.start]);
        let attrs = parse_attrs(args);
        match expand_one(&name, &attrs, inner, cx) {
            Some(html) => out.push_str(&html),
            None => {
                if looks_like_shortcode(&name, args, after.contains(&close)) {
                    cx.unknown.insert(c[1].to_string());
                }
                out.push_str(&rest[whole.start..whole.end]);
                // The inner text stays as text, and may hold known shortcodes.
                out.push_str(&shortcodes(&rest[whole.end..used], cx));
            }
        }
        rest = &rest[used..];
    }
    out.push_str(rest);
    out
}

fn encloses(name: &str) -> bool {
    !matches!(name, "gallery" | "audio" | "video" | "playlist")
}

fn looks_like_shortcode(name: &str, args: &str, closed: bool) -> bool {
    closed
        || args.contains('=')
        || matches!(
            name,
            "playlist"
                | "contact-form"
                | "archives"
                | "googlemaps"
                | "slideshow"
                | "polldaddy"
                | "instagram"
                | "tweet"
                | "soundcloud"
                | "recipe"
                | "sitemap"
                | "toc"
        )
}

type Attrs = (HashMap<String, String>, Vec<String>);

fn parse_attrs(args: &str) -> Attrs {
    let mut named = HashMap::new();
    let mut positional = Vec::new();
    for c in ATTRS.captures_iter(args) {
        let pair = [(1, 2), (3, 4), (5, 6)]
            .iter()
            .find_map(|&(k, v)| Some((c.get(k)?.as_str(), c.get(v)?.as_str())));
        match pair {
            Some((k, v)) => {
                named.insert(k.to_ascii_lowercase(), v.to_string());
            }
            None => positional.extend(c.get(7).or(c.get(8)).map(|m| m.as_str().to_string())),
        }
    }
    (named, positional)
}

fn expand_one(
    name: &str,
    (named, positional): &Attrs,
    inner: &str,
    cx: &Context,
) -> Option<String> {
    let get = |k: &str| named.get(k).map(String::as_str).unwrap_or("");
    match name {
        "caption" | "wp_caption" => Some(caption(inner, get("caption"))),
        "gallery" => Some(gallery(get("ids"), cx)),
        "embed" | "youtube" | "vimeo" => {
            let url = if inner.trim().is_empty() {
                positional.first().map(String::as_str).unwrap_or(get("url"))
            } else {
                inner.trim()
            };
            Some(link(url))
        }
        "video" | "audio" => {
            let src = [
                "src", "mp4", "m4v", "webm", "ogv", "mp3", "m4a", "ogg", "wav",
            ]
            .iter()
            .map(|k| get(k))
            .find(|v| !v.is_empty())
            .or(positional.first().map(String::as_str))?;
            Some(format!(
                "\n\n<{name} controls src=\"{}\"></{name}>\n\n",
                escape(src)
            ))
        }
        "code" | "sourcecode" => {
            let lang = [
                get("language"),
                get("lang"),
                positional.first().map_or("", |s| s),
            ]
            .into_iter()
            .find(|l| !l.is_empty())
            .unwrap_or("");
            let class = if lang.is_empty() {
                String::new()
            } else {
                format!(" class=\"language-{}\"", escape(lang))
            };
            Some(format!(
                "\n\n<pre><code{class}>{}</code></pre>\n\n",
                inner.trim_matches('\n')
            ))
        }
        _ => None,
    }
}

/// `[caption]<a><img></a> The words[/caption]`: the image, with the words as its title
/// (the site shows an image with a title as a figure with a caption).
fn caption(inner: &str, attr_caption: &str) -> String {
    let Some(img) = IMG_TAG.find(inner) else {
        return inner.to_string();
    };
    let words = if attr_caption.is_empty() {
        let after = &inner[img.end()..];
        TAGS.replace_all(after, "").trim().to_string()
    } else {
        attr_caption.to_string()
    };
    let tag = img.as_str();
    let src = attr_value(tag, Attr::Src)
        .map(|(v, _)| v)
        .unwrap_or_default();
    let alt = attr_value(tag, Attr::Alt)
        .map(|(v, _)| v)
        .unwrap_or_default();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "\n\n<p><img src=\"{src}\" alt=\"{alt}\" title=\"{}\"></p>\n\n",
        escape(&decode(&words))
    )
}

fn gallery(ids: &str, cx: &Context) -> String {
    let mut images: Vec<&Attachment> = if ids.trim().is_empty() {
        let mut own: Vec<&Attachment> = cx
            .attachments
            .values()
            .filter(|a| a.parent == cx.post_id)
            .collect();
        own.sort_by(|a, b| (a.order, &a.url).cmp(&(b.order, &b.url)));
        own
    } else {
        ids.split(',')
            .filter_map(|id| cx.attachments.get(id.trim()))
            .collect()
    };
    images.retain(|a| is_image(&a.url));
    let mut out = String::from("\n\n");
    for a in images {
        out.push_str(&format!(
            "<p><img src=\"{}\" alt=\"{}\"></p>\n\n",
            escape(&a.url),
            escape(&a.title)
        ));
    }
    out
}

fn is_image(url: &str) -> bool {
    let ext = url.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        ext.as_str(),
        "jpg" | "jpeg" | "png" | "gif" | "webp" | "avif" | "svg"
    )
}

fn link(url: &str) -> String {
    let url = url.trim();
    format!("\n\n<p><a href=\"{0}\">{0}</a></p>\n\n", escape(url))
}

fn decode(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// wpautop, in short: a blank line ends a paragraph, a single newline inside one is a
/// line break, and block-level HTML is left as it is. `<pre>` is never touched.
pub fn autop(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut pres = Vec::new();
    let text = PRE.replace_all(&text, |c: &Captures| {
        pres.push(c[0].to_string());
        format!("\n\nSTAFFROOMPRE{}X\n\n", pres.len() - 1)
    });
    let mut out = Vec::new();
    for chunk in text.split("\n\n").map(str::trim).filter(|c| !c.is_empty()) {
        if BLOCK_START.is_match(chunk) {
            out.push(chunk.to_string());
        } else {
            let mut p = String::from("<p>");
            for (i, line) in chunk.lines().map(str::trim).enumerate() {
                if i > 0 {
                    let next_block = BLOCK_START.is_match(line);
                    let after_block = BLOCK_END.is_match(p.trim_end());
                    p.push_str(if next_block || after_block {
                        "\n"
                    } else {
                        "<br />\n"
                    });
                }
                p.push_str(line);
            }
            p.push_str("</p>");
            out.push(p);
        }
    }
    let mut html = out.join("\n\n");
    for (i, pre) in pres.iter().enumerate() {
        html = html.replace(&format!("STAFFROOMPRE{i}X"), pre);
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx<'a>(attachments: &'a HashMap<String, Attachment>) -> Context<'a> {
        Context {
            post_id: "10",
            attachments,
            unknown: BTreeSet::new(),
            dynamic: BTreeSet::new(),
        }
    }

    #[test]
    fn autop_makes_paragraphs_and_leaves_blocks_and_pre() {
        let html = autop("One\nline two\n\n<ul><li>x</li></ul>\n\n<pre>a\n\nb</pre>\n\nEnd");
        assert_eq!(
            html,
            "<p>One<br />\nline two</p>\n\n<ul><li>x</li></ul>\n\n<pre>a\n\nb</pre>\n\n<p>End</p>"
        );
    }

    #[test]
    fn autop_puts_no_line_break_beside_block_tags() {
        let html = autop(
            "<strong>Lists</strong>\n<ul>\n<li>one</li>\n<li>two\nand more</li>\n</ul>\nAfter",
        );
        assert_eq!(
            html,
            "<p><strong>Lists</strong>\n<ul>\n<li>one</li>\n<li>two<br />\nand more</li>\n</ul>\nAfter</p>"
        );
    }

    #[test]
    fn shortcodes_become_html_and_unknown_ones_are_named() {
        let mut att = HashMap::new();
        for (id, parent) in [("1", "10"), ("2", "10"), ("3", "99")] {
            att.insert(
                id.to_string(),
                Attachment {
                    url: format!("https://t.example/p{id}.jpg"),
                    title: format!("P{id}"),
                    parent: parent.into(),
                    order: 0,
                },
            );
        }
        let mut c = cx(&att);
        let html = expand(
            "[caption id=\"a\" width=\"300\"]<a href=\"x\"><img src=\"https://t.example/b.jpg\" alt=\"B\" /></a> A <em>beach</em>[/caption]\n\n\
             [gallery]\n\n[gallery ids=\"3\"]\n\nWe beached [simple boat] and [poll id=\"4\"].",
            &mut c,
        );
        assert!(
            html.contains(
                "<p><img src=\"https://t.example/b.jpg\" alt=\"B\" title=\"A beach\"></p>"
            ),
            "{html}"
        );
        assert!(
            html.contains("p1.jpg") && html.contains("p2.jpg") && html.contains("p3.jpg"),
            "{html}"
        );
        assert!(
            html.contains("[simple boat]") && html.contains("[poll id=\"4\"]"),
            "{html}"
        );
        assert_eq!(c.unknown.into_iter().collect::<Vec<_>>(), ["poll"]);
    }

    #[test]
    fn block_comments_go_and_dynamic_blocks_are_named() {
        let att = HashMap::new();
        let mut c = cx(&att);
        let html = expand(
            "<!-- wp:paragraph -->\n<p>Hi</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:latest-posts {\"x\":1} /-->\n\nno autop here",
            &mut c,
        );
        assert_eq!(html, "\n<p>Hi</p>\n\n\n\n\nno autop here");
        assert_eq!(c.dynamic.into_iter().collect::<Vec<_>>(), ["latest-posts"]);
    }
}
