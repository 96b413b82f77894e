//! A comment's HTML, made safe for the teacher's page. Comments were written by
//! anyone who visited the old blog, so the same allow-list sanitizer as feeds
//! (ammonia, after the depth bound) cleans them, with two rules of its own: links are
//! marked as user content (`rel="nofollow ugc"`), and pictures become their alt text,
//! since a picture from another site would tell that site who reads the page.

use std::collections::HashSet;

use ammonia::UrlRelative;
use lol_html::html_content::ContentType;
use lol_html::{HtmlRewriter, Settings, element};

/// `html` with only safe tags and attributes, http(s) and mailto links marked
/// `nofollow ugc`, and no images.
pub fn clean(html: &str) -> String {
    let bounded = crate::network::html_bound::bound(html, |_| true);
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow ugc"))
        // A relative link meant the old blog; here it would point into the new one.
        .url_relative(UrlRelative::Deny);
    images_as_text(&b.clean(&bounded).to_string())
}

/// Plain text (a comment's `content`) as HTML: paragraphs at blank lines, a line
/// break at each other newline.
pub fn from_text(text: &str) -> String {
    let mut out = String::new();
    let normalized = text.replace("\r\n", "\n");
    for para in normalized
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        out.push_str("<p>");
        for (i, line) in para.lines().enumerate() {
            if i > 0 {
                out.push_str("<br>\n");
            }
            // Writing to a String cannot fail.
            let _ = pulldown_cmark_escape::escape_html(&mut out, line.trim());
        }
        out.push_str("</p>\n");
    }
    out.trim_end().to_string()
}

/// Every `<img>` replaced by its alt text (escaped), in brackets so the reader knows
/// a picture was there; headings made bold paragraphs, since a comment's `<h1>` would
/// otherwise sit in the page's outline beside the post's own headings.
fn images_as_text(html: &str) -> String {
    let mut out = Vec::with_capacity(html.len());
    let headings = element!("h1, h2, h3, h4, h5, h6", |el| {
        el.set_tag_name("p")?;
        el.prepend("<strong>", ContentType::Html);
        el.append("</strong>", ContentType::Html);
        Ok(())
    });
    let settings = Settings::new()
        .append_element_content_handler(headings)
        .append_element_content_handler(element!("img", |el| {
            let alt = unescape_attribute(&el.get_attribute("alt").unwrap_or_default());
            let alt = alt.trim();
            if alt.is_empty() {
                el.remove();
            } else {
                el.replace(&format!("[picture: {alt}]"), ContentType::Text);
            }
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |c: &[u8]| out.extend_from_slice(c));
    // lol_html fails only past a memory limit, and none is set. Should it ever fail,
    // the text alone is shown rather than risk an image.
    if rewriter.write(html.as_bytes()).is_err() || rewriter.end().is_err() {
        return from_text(&crate::network::sanitize::plain_text(html, usize::MAX));
    }
    String::from_utf8(out).unwrap_or_default()
}

/// An attribute's value as html5ever's serializer (inside ammonia) writes it, read
/// back: it writes only these references. The text is escaped again as it goes in.
fn unescape_attribute(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_images_go_and_links_are_marked() {
        let out = clean(
            r#"<p onclick="x()">Hi <script>alert(1)</script><b>there</b>
            <img src="https://tracker.example/p.png" onerror="steal()" alt="a cat">
            <img src="https://tracker.example/q.png">
            <a href="https://anne.example.org/" rel="follow">Anne</a>
            <a href="javascript:alert(2)">bad</a> <a href="/old/">old</a></p>"#,
        );
        for bad in [
            "script",
            "onclick",
            "onerror",
            "<img",
            "tracker",
            "javascript",
            "/old/",
        ] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
        assert!(out.contains("<b>there</b>"), "{out}");
        assert!(out.contains("[picture: a cat]"), "{out}");
        assert!(
            out.contains(r#"<a href="https://anne.example.org/" rel="nofollow ugc">Anne</a>"#),
            "{out}"
        );
    }

    #[test]
    fn alt_text_stays_text() {
        let out = clean(r#"<img src="https://x.example/a.png" alt="<script>x</script> &amp; y">"#);
        assert!(!out.contains("<script"), "{out}");
        assert_eq!(out, "[picture: &lt;script&gt;x&lt;/script&gt; &amp; y]");
    }

    #[test]
    fn headings_leave_the_page_outline() {
        assert_eq!(
            clean("<h1>Big</h1><h3 id=x>Small <em>one</em></h3>"),
            "<p><strong>Big</strong></p><p><strong>Small <em>one</em></strong></p>"
        );
    }

    #[test]
    fn text_becomes_paragraphs() {
        assert_eq!(
            from_text("One <b>\nline\n\n\nTwo"),
            "<p>One &lt;b&gt;<br>\nline</p>\n<p>Two</p>"
        );
    }
}
