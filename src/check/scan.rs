//! Reads the built HTML with a real HTML parser (lol_html) and collects what the
//! checks need: every link and image, the ids a `#fragment` can point at, and
//! images without alt text.

use std::cell::RefCell;

use lol_html::{HtmlRewriter, Settings, element};

#[derive(Debug, Default)]
pub struct PageScan {
    pub ids: Vec<String>,
    /// (attribute value, is an image/resource rather than a link)
    pub links: Vec<(String, bool)>,
    /// `src` of images that have no alt attribute at all.
    pub images_without_alt: Vec<String>,
    /// `src` of every image, so a broken one is called an image, not a link.
    pub images: Vec<String>,
}

pub fn scan(html: &[u8]) -> PageScan {
    let out = RefCell::new(PageScan::default());
    let settings = Settings::new()
        .append_element_content_handler(element!("[id]", |el| {
            if let Some(id) = el.get_attribute("id") {
                out.borrow_mut().ids.push(id);
            }
            Ok(())
        }))
        .append_element_content_handler(element!("a[name]", |el| {
            if let Some(id) = el.get_attribute("name") {
                out.borrow_mut().ids.push(id);
            }
            Ok(())
        }))
        .append_element_content_handler(element!("a[href], link[href]", |el| {
            let rel = el.get_attribute("rel").unwrap_or_default();
            // Hints to browsers and to other sites, not links a reader follows.
            let skip = rel
                .split_whitespace()
                .any(|r| ["preconnect", "dns-prefetch", "webmention", "me"].contains(&r));
            if let Some(href) = el.get_attribute("href").filter(|_| !skip) {
                let resource = el.tag_name() == "link";
                out.borrow_mut().links.push((href, resource));
            }
            Ok(())
        }))
        .append_element_content_handler(element!(
            "img[src], script[src], source[src], audio[src], video[src], iframe[src]",
            |el| {
                if let Some(src) = el.get_attribute("src") {
                    if el.tag_name() == "img" {
                        if !el.has_attribute("alt") {
                            out.borrow_mut().images_without_alt.push(src.clone());
                        }
                        out.borrow_mut().images.push(src.trim().to_string());
                    }
                    out.borrow_mut().links.push((src, true));
                }
                Ok(())
            }
        ));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // lol_html only fails on memory limits or handler errors, neither of which we set.
    let _ = rewriter.write(html);
    let _ = rewriter.end();
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_ids_and_missing_alt() {
        let s = scan(br##"<h2 id="a">A</h2><a href="/x/#a">x</a><img src="i.png"><img src="j.png" alt=""><link rel="stylesheet" href="/s.css"><link rel="webmention" href="https://wm.io/">"##);
        assert_eq!(s.ids, ["a"]);
        assert_eq!(s.links.len(), 4);
        assert_eq!(s.images_without_alt, ["i.png"]);
    }
}
