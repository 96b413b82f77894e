//! A post's lead image (front matter `image`): one of the post bundle's files, or a
//! file in `static/` written from the site's root (`/images/door.jpg`). Checked at
//! build time, since lists and link previews show it and a missing one would be a
//! broken picture on the home page.

use std::path::Path;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::config::Config;
use crate::content::front_matter::LeadImage;
use crate::error::{Error, Location, Result};

/// The lead image as pages use it.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Root-relative: `/blog/posts/x/heron.jpg`.
    pub url: String,
    pub alt: String,
}

/// What a path segment may not hold as it is in a URL.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// `file` is the post's Markdown file, `post_path` its site path (`posts/x/`),
/// `assets` its bundle's files (source, site path of the copy).
pub fn resolve(
    config: &Config,
    file: &Path,
    post_path: &str,
    assets: &[(std::path::PathBuf, String)],
    image: &LeadImage,
) -> Result<Image> {
    let src = image.src.trim();
    let at = Location::line(file, image.line);
    let found = |site_path: &str| Image {
        url: config.base.join(&encode(site_path)),
        alt: image.alt.trim().to_string(),
    };
    if src.starts_with("//") || src.contains("://") || src.starts_with("data:") {
        return Err(Error::input(
            at,
            format!("the lead image `{src}` is on another site"),
        )
        .with_hint(
            "download it into this post's folder or static/images/ and write its file name: pages must not load pictures from other sites (your readers' privacy)",
        ));
    }
    let decoded = percent_encoding::percent_decode_str(src).decode_utf8_lossy();
    let clean = decoded.split(['?', '#']).next().unwrap_or("");
    if let Some(rest) = clean.strip_prefix('/') {
        let in_static = crate::content::markdown::normalize(Path::new(rest))
            .map(|p| config.root.join("static").join(p))
            .is_some_and(|p| p.is_file());
        if in_static {
            return Ok(found(rest));
        }
        // A bundle's file written from the root: `/posts/x/heron.jpg`.
        if let Some((_, web)) = assets.iter().find(|(_, web)| web == rest) {
            return Ok(found(web));
        }
        return Err(Error::input(
            at,
            format!("the lead image `{src}` is not in static/ (looked for static/{rest})"),
        )
        .with_hint("check the file name, or put the picture there; an address starting with / is a file in static/"));
    }
    // Relative to the post's page, as the browser reads the Markdown's images.
    let in_bundle = crate::content::markdown::normalize(Path::new(clean))
        .map(|p| format!("{post_path}{}", p.to_string_lossy().replace('\\', "/")));
    if let Some((_, web)) = assets
        .iter()
        .find(|(_, web)| Some(web) == in_bundle.as_ref())
    {
        return Ok(found(web));
    }
    let hint = if assets.is_empty() && file.file_name().is_some_and(|n| n != "index.md") {
        "a picture beside a post needs a post bundle: make a folder named after the post, move the post into it as index.md and put the picture beside it; or put the picture in static/images/ and write image: /images/NAME".to_string()
    } else {
        let mut names: Vec<&str> = (assets.iter())
            .filter_map(|(_, web)| web.strip_prefix(post_path))
            .collect();
        names.sort_unstable();
        let shown = names.len().min(8);
        let more = if names.len() > shown { ", ..." } else { "" };
        if names.is_empty() {
            "put the picture in this post's folder, beside index.md".to_string()
        } else {
            format!(
                "check the file name (capitals count); beside this post are: {}{more}",
                names[..shown].join(", ")
            )
        }
    };
    Err(Error::input(
        at,
        format!("the lead image `{src}` was not found beside this post"),
    )
    .with_hint(hint))
}

fn encode(site_path: &str) -> String {
    site_path
        .split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}
