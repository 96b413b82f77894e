//! Where each page lands in the output, and the rule that no two things may land on
//! the same URL.

use std::path::Path;

use crate::content::{Kind, Source};
use crate::error::{Error, Location, Result};

/// Folders the build writes itself; a page may not take them.
pub const RESERVED: &[&str] = &[
    "posts",
    "page",
    "tags",
    "categories",
    "archive",
    "network",
    "atom.xml",
    "rss.xml",
    "feed.json",
    "sitemap.xml",
    "robots.txt",
    "404.html",
    "blogroll.opml",
    "style.css",
    "syntax.css",
];

/// A slug that is safe as one URL segment, or None when nothing usable is left.
pub fn slugify(s: &str) -> Option<String> {
    let s = slug::slugify(s);
    (!s.is_empty()).then_some(s)
}

/// The site path (no leading slash, trailing slash) of a post or page.
pub fn site_path(source: &Source) -> Result<String> {
    let wanted = source
        .text
        .front
        .slug
        .clone()
        .unwrap_or_else(|| source.stem());
    let Some(slug) = slugify(&wanted) else {
        let hint = "give it a slug made of letters or digits, e.g. slug: \"my-post\"";
        return Err(Error::input(
            Location::file(&source.path),
            format!("cannot make a URL from `{wanted}`"),
        )
        .with_hint(hint));
    };
    match source.kind {
        Kind::Post => Ok(format!("posts/{slug}/")),
        Kind::Page => {
            // Pages keep their folders: pages/school/policies.md -> school/policies/.
            let rel = source.rel.strip_prefix("pages").unwrap_or(&source.rel);
            let mut parts: Vec<String> = rel
                .parent()
                .map(|p| {
                    p.components()
                        .filter_map(|c| slugify(&c.as_os_str().to_string_lossy()))
                        .collect()
                })
                .unwrap_or_default();
            if source.bundle_dir().is_some() {
                parts.pop();
            }
            parts.push(slug);
            Ok(format!("{}/", parts.join("/")))
        }
    }
}

/// An alias from front matter (`/2019/05/old-post/`) as a safe output path, or an error.
pub fn alias_path(source: &Path, alias: &str) -> Result<String> {
    let mut parts = Vec::new();
    for seg in alias.trim().split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                return Err(Error::input(
                    Location::file(source),
                    format!("alias `{alias}` climbs out of the site with `..`"),
                ));
            }
            s if s.contains('\\') || s.contains('\0') => {
                return Err(Error::input(
                    Location::file(source),
                    format!("alias `{alias}` is not a URL path"),
                ));
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err(Error::input(
            Location::file(source),
            "an empty alias would replace the home page",
        ));
    }
    let joined = parts.join("/");
    let is_file = parts
        .last()
        .is_some_and(|l| l.ends_with(".html") || l.ends_with(".htm"));
    Ok(if is_file {
        joined
    } else {
        format!("{joined}/")
    })
}

/// Remembers who claimed each URL so a clash names both files.
#[derive(Default)]
pub struct Claims {
    owners: crate::content::cache::FastMap<String, std::path::PathBuf>,
}

impl Claims {
    pub fn claim(&mut self, path: &str, owner: &Path) -> Result<()> {
        let key = path.trim_end_matches('/').to_ascii_lowercase();
        let first = key.split('/').next().unwrap_or("");
        let top_level_reserved = RESERVED.contains(&first) && !path.starts_with("posts/");
        if top_level_reserved {
            return Err(Error::input(
                Location::file(owner),
                format!("the URL /{path} is one staffroom makes itself"),
            )
            .with_hint("give this page another slug"));
        }
        if let Some(other) = self.owners.get(&key) {
            return Err(Error::input(
                Location::file(owner),
                format!("has the same URL /{path} as {}", crate::error::shown(other)),
            )
            .with_hint("rename one of the files or give one of them another slug"));
        }
        self.owners.insert(key, owner.to_path_buf());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_stay_inside_the_site() {
        let p = Path::new("a.md");
        assert_eq!(alias_path(p, "/2019/05/old/").unwrap(), "2019/05/old/");
        assert_eq!(alias_path(p, "old.html").unwrap(), "old.html");
        assert!(alias_path(p, "/../../etc/").is_err());
        assert!(alias_path(p, "/").is_err());
    }

    #[test]
    fn clashes_name_both_files() {
        let mut c = Claims::default();
        c.claim("posts/a/", Path::new("one.md")).unwrap();
        let err = c
            .claim("posts/A/", Path::new("two.md"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("two.md") && err.contains("one.md"), "{err}");
        assert!(c.claim("tags/", Path::new("p.md")).is_err());
    }

    #[test]
    fn slugs_transliterate() {
        assert_eq!(
            slugify("Café science: Ōtautahi!").unwrap(),
            "cafe-science-otautahi"
        );
        assert_eq!(slugify("../../"), None);
    }
}
