//! The banner on a page that readers will not see yet: a draft, or a post dated in the
//! future. `serve` shows such pages so the teacher can preview them; the banner makes
//! sure nobody mistakes one for a published page. It is put into the rendered HTML
//! rather than left to the templates, so a teacher's own templates get it too.

use lol_html::html_content::ContentType;
use lol_html::{HtmlRewriter, Settings, element};

use crate::site::{Page, Post};

/// The class a template may use to place the banner itself (then none is added).
pub const CLASS: &str = "staffroom-notice";

/// Inline colours as well as the class: a teacher's own stylesheet knows neither,
/// and the banner must stay readable (and pass contrast checks) on any page.
const STYLE: &str = "margin:0 0 1rem;padding:.75rem 1rem;border:3px solid #8a4b00;\
border-radius:4px;background:#fff4e0;color:#3d2100;font-weight:600;";

const DRAFT: &str = "Draft — not published until you remove \
<code style=\"color:inherit;background:none\">draft: true</code>";

pub fn for_post(post: &Post) -> Option<String> {
    if post.draft {
        return Some(banner(DRAFT));
    }
    post.future.then(|| {
        banner(&format!(
            "Dated in the future: published on {}",
            post.date.format("%-d %B %Y")
        ))
    })
}

pub fn for_page(page: &Page) -> Option<String> {
    page.draft.then(|| banner(DRAFT))
}

fn banner(text: &str) -> String {
    format!("<p class=\"{CLASS}\" role=\"note\" style=\"{STYLE}\">{text}</p>")
}

/// Put `notice` at the start of the page's `<main>` (or of `<body>` when there is
/// none), unless the template already shows one.
pub fn insert(html: String, notice: &str) -> String {
    if html.contains(CLASS) {
        return html;
    }
    let into = |selector: &str| -> Option<String> {
        let mut done = false;
        let mut out = Vec::with_capacity(html.len() + notice.len());
        let settings = Settings::new().append_element_content_handler(element!(selector, |el| {
            if !done {
                el.prepend(notice, ContentType::Html);
                done = true;
            }
            Ok(())
        }));
        let mut rewriter = HtmlRewriter::new(settings, |c: &[u8]| out.extend_from_slice(c));
        rewriter.write(html.as_bytes()).ok()?;
        rewriter.end().ok()?;
        done.then(|| String::from_utf8(out).ok()).flatten()
    };
    into("main")
        .or_else(|| into("body"))
        .unwrap_or_else(|| format!("{notice}{html}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goes_first_in_main_else_body_and_only_once() {
        let n = "<p class=\"staffroom-notice\">N</p>";
        assert_eq!(
            insert("<body><main id=m><h1>T</h1></main></body>".into(), n),
            format!("<body><main id=m>{n}<h1>T</h1></main></body>")
        );
        assert_eq!(
            insert("<body class=x><p>T</p></body>".into(), n),
            format!("<body class=x>{n}<p>T</p></body>")
        );
        assert_eq!(insert("<p>T</p>".into(), n), format!("{n}<p>T</p>"));
        let has = format!("<main>{n}</main>");
        assert_eq!(insert(has.clone(), n), has);
    }
}
