//! A post or page put together from its file and its rendered Markdown, and the
//! error for Markdown that could not be rendered.

use std::path::PathBuf;

use super::{Image, Page, Post, Rendered, Tools};
use crate::content::{Kind, Source, cache, markdown};
use crate::error::{Error, Location, line_col};

/// A file's Markdown that could not be rendered, told at its lines.
pub(super) fn markdown_error(e: markdown::RenderError, source: &Source) -> Error {
    let broken = match e {
        markdown::RenderError::Links(broken) => broken,
        markdown::RenderError::TooBig => {
            return Error::input(
                Location::line(&source.path, source.text.body_line),
                format!(
                    "this post would make more than {} MB of HTML, more than a page can hold",
                    markdown::HTML_MAX_BYTES >> 20
                ),
            )
            .with_hint("split it into several posts");
        }
    };
    let errors = broken
        .into_iter()
        .map(|b| {
            let (line, col) = line_col(&source.text.body, b.offset);
            Error::input(
                Location::line(&source.path, line + source.text.body_line - 1).with_column(Some(col)),
                format!("the link `{}` {}", b.target, b.message),
            )
            .with_hint("check the file name; links between posts are relative to this file, e.g. [see](other-post.md) or ../pages/about.md")
        })
        .collect();
    Error::from_many(errors).expect("at least one broken link")
}

/// What `render_one` worked out for a file, besides its Markdown.
pub(super) struct Made {
    pub(super) path: String,
    pub(super) url: String,
    pub(super) permalink: String,
    pub(super) future: bool,
    /// The Markdown's cache key.
    pub(super) key: u64,
    pub(super) aliases: Vec<String>,
    pub(super) assets: Vec<(PathBuf, String)>,
    pub(super) image: Option<Image>,
}

impl Made {
    pub(super) fn into_rendered(
        self,
        source: Source,
        md: markdown::Rendered,
        tools: &Tools,
    ) -> Rendered {
        let fm = &source.text.front;
        match source.kind {
            Kind::Post => Rendered::Post(Box::new(Post {
                source: source.path,
                path: self.path,
                url: self.url,
                permalink: self.permalink,
                title: fm.title.clone(),
                date: fm.date.expect("posts without a date were rejected"),
                updated: fm.updated,
                tags: fm.tags.iter().map(|t| tools.term(t)).collect(),
                categories: fm.categories.iter().map(|t| tools.term(t)).collect(),
                summary: md.summary,
                description: md.description,
                has_more: md.has_more,
                content: md.html,
                // The files linked to are part of what the HTML was made from.
                markdown_key: cache::key(&[&self.key, &md.linked]),
                toc: md.toc,
                word_count: md.word_count,
                draft: fm.draft,
                future: self.future,
                extra: fm.extra.clone(),
                outbound: md.outbound,
                local: md.local,
                aliases: self.aliases,
                assets: self.assets,
                image: self.image,
            })),
            Kind::Page => Rendered::Page(Box::new(Page {
                source: source.path,
                path: self.path,
                url: self.url,
                permalink: self.permalink,
                title: fm.title.clone(),
                date: fm.date,
                summary: md.summary,
                description: md.description,
                content: md.html,
                menu: fm.menu,
                draft: fm.draft,
                local: md.local,
                extra: fm.extra.clone(),
                aliases: self.aliases,
                assets: self.assets,
                image: self.image,
            })),
        }
    }
}
