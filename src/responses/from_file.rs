//! A response file as a page shows it: its HTML made safe, a comment's text made
//! into paragraphs, its anchor, its avatar's address in the site.

use super::normalize::normalize;
use super::store::Loaded;
use super::{Kind, Response, excerpt};
use crate::config::BaseUrl;
use crate::error::{Error, Location};

/// A response file as a page shows it.
pub fn response(l: &Loaded, base: &BaseUrl) -> Response {
    use crate::network::sanitize::{plain, plain_text};
    let s = &l.response;
    let html = if !s.html.is_empty() {
        super::html::clean(&s.html)
    } else if s.kind == Kind::Comment {
        // A comment is shown whole, like the old blog showed it, not cut short.
        super::html::from_text(&s.content)
    } else {
        String::new()
    };
    let text = if s.content.is_empty() {
        plain_text(&html, usize::MAX)
    } else {
        s.content.clone()
    };
    Response {
        url: s.url.clone(),
        anchor: if s.url.is_empty() || !s.id.is_empty() {
            format!("response-{}", l.id)
        } else {
            String::new()
        },
        id: l.id.clone(),
        in_reply_to: s.in_reply_to.clone(),
        avatar: l
            .avatar
            .as_ref()
            .map(|(_, p)| base.join(p))
            .unwrap_or_default(),
        html,
        file: Some(l.path.clone()),
        reply_line: l.reply_line,
        kind: s.kind,
        author: plain(&s.author),
        author_url: Some(&s.author_url)
            .filter(|u| normalize(u, None).is_some())
            .cloned()
            .unwrap_or_default(),
        blog: plain(&s.blog),
        title: plain(&s.title),
        date: s.date,
        excerpt: excerpt(&text),
    }
}

pub fn duplicate(first: &Loaded, second: &Loaded) -> Error {
    let at = |l: &Loaded| match l.id_line {
        Some(line) => Location::line(&l.path, line),
        None => Location::file(&l.path),
    };
    Error::input(
        at(second),
        format!(
            "the id `{}` is also the id of {}, another response to the same post or page ({}); replies name their parent by id, so each must be different",
            second.id,
            at(first),
            second.response.target
        ),
    )
    .with_hint("give one of them another `id` (a file that names none has its file name, without .toml, as its id)")
}
