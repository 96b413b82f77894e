//! Old addresses with a query string (`/?p=12`, `/?page_id=7`: every WordPress
//! post has one). A static host answers `/?p=12` with the home page whatever the
//! query, so a redirect page at `?p=12/index.html` would never be seen. Instead the
//! home page carries the map of such queries to their new pages and a few lines of
//! inline script that follow it: no request to anyone, nothing when there is no query.

use std::collections::BTreeMap;

use lol_html::html_content::ContentType;
use lol_html::{HtmlRewriter, Settings, element};

/// Aliases split in two: those a file can answer (written as redirect pages), and the
/// home page's queries (`p=12` → the new page's absolute URL).
pub fn split(aliases: Vec<(String, String)>) -> (Vec<(String, String)>, BTreeMap<String, String>) {
    let mut pages = Vec::new();
    let mut queries = BTreeMap::new();
    for (from, to) in aliases {
        // `alias_path` makes `/?p=12` the folder `?p=12/`.
        match from.strip_prefix('?') {
            Some(query) if !query.trim_end_matches('/').is_empty() => {
                queries.insert(query.trim_end_matches('/').to_string(), to);
            }
            _ => pages.push((from, to)),
        }
    }
    (pages, queries)
}

/// The home page's HTML with the script for `queries` at the end of its `<head>`.
pub fn insert(html: String, queries: &BTreeMap<String, String>) -> String {
    if queries.is_empty() {
        return html;
    }
    // `</` inside a script would end it; JSON lets the slash be escaped.
    let map = serde_json::to_string(queries)
        .unwrap_or_default()
        .replace("</", "<\\/");
    let script = format!(
        "<script>/* old addresses such as /?p=12, sent to their new pages */\
         (function(){{var m={map};var q=location.search.slice(1);if(!q)return;\
         var t=m[q];var p=q.split('&');for(var i=0;!t&&i<p.length;i++)t=m[p[i]];\
         if(t)location.replace(t);}})();</script>"
    );
    let mut done = false;
    let mut out = Vec::with_capacity(html.len() + script.len());
    let settings = Settings::new().append_element_content_handler(element!("head", |el| {
        if !done {
            el.append(&script, ContentType::Html);
            done = true;
        }
        Ok(())
    }));
    let mut rewriter = HtmlRewriter::new(settings, |c: &[u8]| out.extend_from_slice(c));
    if rewriter.write(html.as_bytes()).is_err() || rewriter.end().is_err() || !done {
        return html;
    }
    String::from_utf8(out).unwrap_or(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_go_to_the_home_page_and_paths_stay_pages() {
        let (pages, queries) = split(vec![
            ("?p=12/".into(), "https://t.org/posts/a/".into()),
            ("2019/03/a/".into(), "https://t.org/posts/a/".into()),
        ]);
        assert_eq!(
            pages,
            [(
                "2019/03/a/".to_string(),
                "https://t.org/posts/a/".to_string()
            )]
        );
        assert_eq!(
            queries.get("p=12").map(String::as_str),
            Some("https://t.org/posts/a/")
        );
        let html = insert(
            "<html><head><title>x</title></head><body></body></html>".into(),
            &queries,
        );
        assert!(
            html.contains("var m={\"p=12\":\"https://t.org/posts/a/\"};")
                && html.contains("</script></head>"),
            "{html}"
        );
    }
}
