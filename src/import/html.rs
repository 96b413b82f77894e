//! A post's HTML as Markdown (htmd), after the changes Markdown needs: images and
//! files on the old site pointed at the bundle, embeds made links, scripts dropped,
//! and what Markdown cannot say (a table with merged cells, a `<video>` of the old
//! site) kept as HTML, untouched by the converter.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::media::Media;

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this file; a bad one is a bug caught by the tests.
    Regex::new(pattern).expect("a valid pattern")
}

static SCRIPTS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>|<noscript\b.*?</noscript\s*>")
});
static IFRAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?is)<iframe\b([^>]*)>(?:.*?</iframe\s*>)?"));
static MEDIA: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?is)<(video|audio)\b([^>]*)>(.*?)</(?:video|audio)\s*>"));
static SOURCE: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)<source\b([^>]*)>"));
static TABLE: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)<table\b.*?</table\s*>"));
static MERGED: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)\b(?:colspan|rowspan)\s*=\s*["']?([0-9]+)"#));
static IMG: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)<img\b[^>]*>"));
static ANCHOR: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)<a\b[^>]*>"));
static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?is)<figure\b[^>]*>\s*(?:<a\b[^>]*>\s*)?(<img\b[^>]*>)\s*(?:</a>\s*)?<figcaption\b[^>]*>(.*?)</figcaption>\s*</figure>",
    )
});
static TAG: LazyLock<Regex> = LazyLock::new(|| re(r"(?s)<[^>]*>"));
static BARE_URL: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)<p>\s*(https?://[^\s<>]+)\s*</p>"));
static KEPT: LazyLock<Regex> = LazyLock::new(|| re(r"STAFFROOMKEPT([0-9]+)X"));

/// The attributes this file reads or changes, each with its pattern made once.
#[derive(Clone, Copy)]
pub enum Attr {
    Src,
    Href,
    Alt,
    Srcset,
    Sizes,
    Title,
}

fn attr_pattern(name: Attr) -> &'static Regex {
    fn make(name: &str) -> Regex {
        re(&format!(
            r#"(?is)\s{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))"#
        ))
    }
    static SRC: LazyLock<Regex> = LazyLock::new(|| make("src"));
    static HREF: LazyLock<Regex> = LazyLock::new(|| make("href"));
    static ALT: LazyLock<Regex> = LazyLock::new(|| make("alt"));
    static SRCSET: LazyLock<Regex> = LazyLock::new(|| make("srcset"));
    static SIZES: LazyLock<Regex> = LazyLock::new(|| make("sizes"));
    static TITLE: LazyLock<Regex> = LazyLock::new(|| make("title"));
    match name {
        Attr::Src => &SRC,
        Attr::Href => &HREF,
        Attr::Alt => &ALT,
        Attr::Srcset => &SRCSET,
        Attr::Sizes => &SIZES,
        Attr::Title => &TITLE,
    }
}

/// The value of attribute `name` in a tag's text, and where it sits (for replacing).
pub fn attr_value(tag: &str, name: Attr) -> Option<(String, std::ops::Range<usize>)> {
    let caps = attr_pattern(name).captures(tag)?;
    let m = caps.get(1).or(caps.get(2)).or(caps.get(3))?;
    Some((m.as_str().to_string(), m.range()))
}

fn with_attr(tag: &str, name: Attr, value: &str) -> String {
    match attr_value(tag, name) {
        Some((_, range)) => format!("{}{}{}", &tag[..range.start], value, &tag[range.end..]),
        None => tag.to_string(),
    }
}

fn without_attr(tag: &str, name: Attr) -> String {
    attr_pattern(name).replace_all(tag, "").into_owned()
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// HTML as Markdown; files on the old site are added to `media`.
pub fn to_markdown(html: &str, media: &mut Media) -> String {
    let mut kept: Vec<String> = Vec::new();
    let mut keep = |html: String| {
        kept.push(html);
        format!("\n<p>STAFFROOMKEPT{}X</p>\n", kept.len() - 1)
    };
    let html = SCRIPTS.replace_all(html, "");
    let html = IFRAME.replace_all(&html, |c: &Captures| {
        let src = attr_value(&c[0], Attr::Src)
            .map(|(v, _)| v)
            .unwrap_or_default();
        link_paragraph(&src.replace("&amp;", "&"), media)
    });
    let html = MEDIA.replace_all(&html, |c: &Captures| {
        let src = attr_value(&c[0][..=c[0].find('>').unwrap_or(0)], Attr::Src)
            .or_else(|| {
                SOURCE
                    .captures(&c[3])
                    .and_then(|s| attr_value(&s[0], Attr::Src))
            })
            .map(|(v, _)| v)
            .unwrap_or_default();
        match media.file(&src) {
            Some(name) => keep(format!(
                "<{0} controls src=\"{1}\"></{0}>",
                &c[1],
                escape(&name)
            )),
            None => link_paragraph(&src, media),
        }
    });
    // A captioned image: the site shows an image with a title as a figure again.
    let html = FIGURE.replace_all(&html, |c: &Captures| {
        let words = TAG.replace_all(&c[2], "");
        let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
        let tag = without_attr(&c[1], Attr::Title);
        let tag = tag.trim_end_matches('>').trim_end_matches('/');
        format!("<p>{tag} title=\"{}\"></p>", words.replace('"', "&quot;"))
    });
    let html = IMG.replace_all(&html, |c: &Captures| img(&c[0], media));
    let html = ANCHOR.replace_all(&html, |c: &Captures| {
        match attr_value(&c[0], Attr::Href).and_then(|(href, _)| media.link(&href)) {
            Some(local) => with_attr(&c[0], Attr::Href, &escape(&local)),
            None => c[0].to_string(),
        }
    });
    let html = TABLE.replace_all(&html, |c: &Captures| {
        if MERGED.captures_iter(&c[0]).any(|m| &m[1] != "1") {
            // An HTML block ends at a blank line; the kept table must not have one.
            let one_block = c[0]
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>();
            keep(one_block.join("\n"))
        } else {
            c[0].to_string()
        }
    });
    let html = BARE_URL.replace_all(&html, |c: &Captures| link_paragraph(&c[1], media));
    let markdown = converter().convert(&html).unwrap_or_default();
    let markdown = KEPT.replace_all(&markdown, |c: &Captures| {
        let i: usize = c[1].parse().unwrap_or(usize::MAX);
        kept.get(i).cloned().unwrap_or_default()
    });
    tidy(&markdown)
}

fn img(tag: &str, media: &mut Media) -> String {
    let Some((src, _)) = attr_value(tag, Attr::Src) else {
        return tag.to_string();
    };
    // The site makes its own sizes; the old ones would point at the old host.
    let tag = without_attr(&without_attr(tag, Attr::Srcset), Attr::Sizes);
    match media.image(&src) {
        Some(name) => with_attr(&tag, Attr::Src, &escape(&name)),
        None => tag,
    }
}

fn link_paragraph(url: &str, media: &mut Media) -> String {
    if url.is_empty() {
        return String::new();
    }
    let href = media.link(url).unwrap_or_else(|| url.to_string());
    format!("<p><a href=\"{}\">{}</a></p>", escape(&href), escape(url))
}

fn converter() -> htmd::HtmlToMarkdown {
    htmd::HtmlToMarkdown::builder()
        .options(htmd::options::Options {
            bullet_list_marker: htmd::options::BulletListMarker::Dash,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            hr_style: htmd::options::HrStyle::Dashes,
            ..Default::default()
        })
        .build()
}

/// At most one blank line in a row, no trailing spaces but a hard break's two.
fn tidy(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank = 0;
    for line in markdown.lines() {
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(trimmed);
        if line.ends_with("  ") {
            out.push_str("  ");
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::super::media::OldSite;
    use super::*;

    fn convert(html: &str) -> (String, Vec<String>) {
        let site = OldSite::new("https://teach.example.org/", &[], &[]).unwrap();
        let mut media = Media::new(Some(&site));
        let md = to_markdown(html, &mut media);
        (md, media.assets.iter().map(|a| a.name.clone()).collect())
    }

    #[test]
    fn images_on_the_old_site_come_into_the_bundle() {
        let (md, assets) = convert(
            r#"<p>Look: <img src="https://teach.example.org/files/beach.jpg" srcset="x 2w" alt="A beach"> and <img src="https://elsewhere.example/b.png"></p>"#,
        );
        assert_eq!(
            md,
            "Look: ![A beach](beach.jpg) and ![](https://elsewhere.example/b.png)\n"
        );
        assert_eq!(assets, ["beach.jpg"]);
    }

    #[test]
    fn a_figure_with_a_caption_becomes_an_image_with_a_title() {
        let (md, _) = convert(
            r#"<figure class="wp-block-image"><a href="x"><img src="https://teach.example.org/a.jpg" alt="A"/></a><figcaption>The <em>class</em> trip</figcaption></figure>"#,
        );
        assert_eq!(md, "![A](a.jpg \"The class trip\")\n");
    }

    #[test]
    fn embeds_become_links_and_merged_tables_stay_html() {
        let (md, _) = convert(
            "<iframe src=\"https://video.example/embed/1\"></iframe>\n<script>alert(1)</script>\
             <table><tr><td colspan=\"2\">Both</td></tr>\n\n<tr><td>a</td><td>b</td></tr></table>",
        );
        assert_eq!(
            md,
            "[https://video.example/embed/1](https://video.example/embed/1)\n\n\
             <table><tr><td colspan=\"2\">Both</td></tr>\n<tr><td>a</td><td>b</td></tr></table>\n"
        );
    }

    #[test]
    fn a_video_of_the_old_site_is_kept_as_html_with_its_file() {
        let (md, assets) = convert(
            r#"<figure><video controls src="https://teach.example.org/v/Class Trip.mp4"></video></figure>"#,
        );
        assert_eq!(md, "<video controls src=\"class-trip.mp4\"></video>\n");
        assert_eq!(assets, ["class-trip.mp4"]);
    }
}
