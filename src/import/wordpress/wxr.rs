//! WordPress eXtended RSS, read as it streams: the channel's address, and each
//! `<item>` with its fields, terms, metadata and comments, as text.

use std::path::Path;

use super::super::xml::{Step, Walk, attr};
use crate::error::Result;

#[derive(Debug, Default)]
pub struct Channel {
    pub link: String,
    pub base_blog_url: String,
    pub items: Vec<RawItem>,
}

#[derive(Debug, Default, Clone)]
pub struct RawItem {
    pub title: String,
    pub link: String,
    pub pub_date: String,
    pub id: String,
    pub post_type: String,
    pub status: String,
    pub password: String,
    pub date: String,
    pub date_gmt: String,
    pub name: String,
    pub parent: String,
    pub menu_order: String,
    pub content: String,
    pub excerpt: String,
    pub attachment_url: String,
    pub thumbnail_id: String,
    /// (domain, nicename, name): `category` or `post_tag`, and others.
    pub terms: Vec<(String, String, String)>,
    pub comments: Vec<RawComment>,
}

#[derive(Debug, Default, Clone)]
pub struct RawComment {
    pub id: String,
    pub author: String,
    pub author_url: String,
    pub date: String,
    pub date_gmt: String,
    pub content: String,
    pub approved: String,
    pub kind: String,
    pub parent: String,
}

pub fn read(path: &Path) -> Result<Channel> {
    let mut walk = Walk::open(path)?;
    let mut channel = Channel::default();
    let mut item: Option<RawItem> = None;
    let mut comment: Option<RawComment> = None;
    let mut term = (String::new(), String::new());
    let mut meta_key = String::new();
    loop {
        match walk.next()? {
            Step::End => break,
            Step::Open { name, attrs } => match name.as_str() {
                "item" => item = Some(RawItem::default()),
                "wp:comment" if item.is_some() => comment = Some(RawComment::default()),
                "category" => {
                    term = (
                        attr(&attrs, "domain").to_string(),
                        attr(&attrs, "nicename").to_string(),
                    )
                }
                _ => {}
            },
            Step::Close { name, text } => {
                if let Some(c) = comment.as_mut() {
                    if name == "wp:comment" {
                        if let (Some(i), Some(c)) = (item.as_mut(), comment.take()) {
                            i.comments.push(c);
                        }
                    } else {
                        comment_field(c, &name, text);
                    }
                    continue;
                }
                let Some(i) = item.as_mut() else {
                    match name.as_str() {
                        "link" if channel.link.is_empty() => channel.link = text,
                        "wp:base_blog_url" => channel.base_blog_url = text,
                        _ => {}
                    }
                    continue;
                };
                match name.as_str() {
                    "item" => channel.items.extend(item.take()),
                    "category" => {
                        let (domain, nicename) = std::mem::take(&mut term);
                        i.terms.push((domain, nicename, text.trim().to_string()));
                    }
                    "wp:meta_key" => meta_key = text,
                    "wp:meta_value" if meta_key == "_thumbnail_id" => i.thumbnail_id = text,
                    _ => item_field(i, &name, text),
                }
            }
        }
    }
    Ok(channel)
}

fn item_field(i: &mut RawItem, name: &str, text: String) {
    let field = match name {
        "title" => &mut i.title,
        "link" => &mut i.link,
        "pubDate" => &mut i.pub_date,
        "wp:post_id" => &mut i.id,
        "wp:post_type" => &mut i.post_type,
        "wp:status" => &mut i.status,
        "wp:post_password" => &mut i.password,
        "wp:post_date" => &mut i.date,
        "wp:post_date_gmt" => &mut i.date_gmt,
        "wp:post_name" => &mut i.name,
        "wp:post_parent" => &mut i.parent,
        "wp:menu_order" => &mut i.menu_order,
        "content:encoded" => &mut i.content,
        "excerpt:encoded" => &mut i.excerpt,
        "wp:attachment_url" => &mut i.attachment_url,
        _ => return,
    };
    *field = text;
}

fn comment_field(c: &mut RawComment, name: &str, text: String) {
    let field = match name {
        "wp:comment_id" => &mut c.id,
        "wp:comment_author" => &mut c.author,
        "wp:comment_author_url" => &mut c.author_url,
        "wp:comment_date" => &mut c.date,
        "wp:comment_date_gmt" => &mut c.date_gmt,
        "wp:comment_content" => &mut c.content,
        "wp:comment_approved" => &mut c.approved,
        "wp:comment_type" => &mut c.kind,
        "wp:comment_parent" => &mut c.parent,
        _ => return,
    };
    *field = text;
}
