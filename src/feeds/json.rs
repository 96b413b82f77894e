//! JSON Feed 1.1 (https://jsonfeed.org/version/1.1), for readers that prefer it to XML.

use serde::Serialize;

use super::feed_content;
use crate::error::{Error, Result};
use crate::site::{Post, Site};

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    language: &'a str,
    authors: Vec<JsonAuthor<'a>>,
    items: Vec<JsonItem>,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    url: &'a str,
}

#[derive(Serialize)]
struct JsonItem {
    id: String,
    url: String,
    title: String,
    content_html: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    summary: String,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    tags: Vec<String>,
}

pub(super) fn feed(site: &Site, posts: &[&Post]) -> Result<Vec<u8>> {
    let base = &site.config.base;
    let c = &site.config.site;
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &c.title,
        home_page_url: base.url.to_string(),
        feed_url: base.absolute(&base.join("feed.json")),
        description: &c.description,
        language: &c.language,
        authors: vec![JsonAuthor {
            name: &c.author.name,
            url: &c.author.url,
        }],
        items: posts
            .iter()
            .map(|p| JsonItem {
                id: p.permalink.clone(),
                url: p.permalink.clone(),
                title: p.title.clone(),
                content_html: feed_content(p, base),
                summary: crate::content::text::summary_text(&p.summary, 300),
                date_published: p.date.to_rfc3339(),
                date_modified: p.updated.map(|u| u.to_rfc3339()),
                tags: p.tags.iter().map(|t| t.name.clone()).collect(),
            })
            .collect(),
    };
    serde_json::to_vec_pretty(&feed).map_err(|e| Error::io("feed.json", std::io::Error::other(e)))
}
