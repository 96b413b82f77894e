//! sitemap.xml: every page of the site, with the date a post last changed.

use crate::site::{Post, Site};

pub(super) fn sitemap(site: &Site) -> String {
    use std::fmt::Write;
    let base = &site.config.base;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    // NaiveDate shows as YYYY-MM-DD, the date in the post's own offset.
    let mut url = |absolute: &str, lastmod: Option<chrono::NaiveDate>| {
        out.push_str("  <url><loc>");
        let _ = pulldown_cmark_escape::escape_html(&mut out, absolute);
        out.push_str("</loc>");
        if let Some(d) = lastmod {
            let _ = write!(out, "<lastmod>{d}</lastmod>");
        }
        out.push_str("</url>\n");
    };
    let of = |path: &str| base.absolute(&base.join(path));
    let changed = |p: &Post| p.updated.unwrap_or(p.date).date_naive();
    let posts = || site.posts.iter().filter(|p| !p.unpublished());
    url(&of(""), posts().next().map(changed));
    for p in posts() {
        url(&p.permalink, Some(changed(p)));
    }
    for p in site.pages.iter().filter(|p| !p.draft) {
        url(&p.permalink, None);
    }
    url(&of("archive/"), None);
    for tax in [&site.tags, &site.categories] {
        if !tax.is_empty() {
            url(&of(&format!("{}/", tax.name)), None);
            for t in &tax.terms {
                url(&of(&format!("{}/{}/", tax.name, t.slug)), None);
            }
        }
    }
    out.push_str("</urlset>\n");
    out
}
