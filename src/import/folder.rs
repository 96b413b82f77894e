//! What the Jekyll and Hugo readers share once every item is read: bodies converted
//! (`content::leftovers`), links between posts made relative, the old site's images
//! that posts show copied beside them, and what could not be converted named at its
//! line in the file that will be written.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::model::{Asset, AssetFrom, Item, ItemKind, Problem};
use crate::content::leftovers::{self, Context, LinkTo};

/// An item read, with what finishing it needs.
pub struct Draft {
    pub item: Item,
    /// The old file relative to the old folder, with `/`: `_posts/2014-x.md`.
    pub rel: String,
    /// It had no date, so it has its file's.
    pub dated_by_file: bool,
}

impl Draft {
    /// A post without a date gets the day its file was last changed; say so.
    pub fn date_problem(&self) -> Option<Problem> {
        let date = self.item.front.date.filter(|_| self.dated_by_file)?;
        Some(Problem {
            origin: self.item.origin.clone(),
            what: format!(
                "has no date, so it was given the day its file was last changed ({})",
                date.format("%Y-%m-%d")
            ),
            fix: format!(
                "put the right `date:` in the front matter of the imported post `{}`",
                self.item.slug
            ),
        })
    }
}

/// What the old site's folder offers the bodies.
pub struct Old<'a> {
    /// Where root-relative files (`/assets/x.png`) are: the folder, or Hugo's static/.
    pub statics: &'a Path,
    pub site: &'a BTreeMap<String, String>,
    pub liquid: bool,
}

/// Convert each body, copy the files it shows from the old site, make links between
/// posts relative, and name every leftover at its line in the file to be written.
pub fn finish(mut drafts: Vec<Draft>, old: &Old, problems: &mut Vec<Problem>) -> Vec<Item> {
    let mut index = Index::default();
    for (i, d) in drafts.iter().enumerate() {
        index.add(i, &d.rel);
    }
    let none = |_: LinkTo| None;
    // Each post's links to old files, as written, and the name of the copy beside it.
    let mut copied: Vec<Vec<(String, String)>> = vec![Vec::new(); drafts.len()];
    // First pass: which files each post shows, which decides which posts are bundles
    // (SLUG/index.md), which the relative links of the second pass depend on.
    for (d, copied) in drafts.iter_mut().zip(&mut copied) {
        let cx = Context {
            site: old.site,
            link: &none,
            liquid_in_code: old.liquid,
        };
        let body = leftovers::convert(&d.item.body, &cx).body;
        for (written, name, file) in statics(&body, old.statics, &d.item.assets) {
            let link = utf8_percent_encode(&name, LINK).to_string();
            copied.push((written, link));
            d.item.assets.push(Asset {
                name,
                from: AssetFrom::File(file),
            });
        }
    }
    let files = new_files(&drafts);
    let mut items = Vec::with_capacity(drafts.len());
    for (i, d) in drafts.iter().enumerate() {
        let link = |to: LinkTo| {
            let (target, anchor) = match to {
                LinkTo::File(p) => p.split_once('#').unwrap_or((p, "")),
                LinkTo::PostName(n) => (n, ""),
            };
            let j = index.find(target)?;
            let rel = relative(&files[i], &files[j]);
            Some(if anchor.is_empty() {
                rel
            } else {
                format!("{rel}#{anchor}")
            })
        };
        let cx = Context {
            site: old.site,
            link: &link,
            liquid_in_code: old.liquid,
        };
        let converted = leftovers::convert(&d.item.body, &cx);
        let mut item = d.item.clone();
        item.body = converted.body;
        for (written, link) in &copied[i] {
            item.body = relink(&item.body, written, link);
        }
        let written = super::write::markdown(&item);
        let head = written.len() - item.body.trim_end().len() - 1;
        let first = written[..head].matches('\n').count() + 1;
        for l in &converted.left {
            problems.push(Problem {
                origin: format!("content/{}:{}", files[i], first + l.line - 1),
                what: format!("`{}` is {}", l.written, l.what()),
                fix: l.fix(),
            });
        }
        items.push(item);
    }
    items
}

/// What cannot stand in a Markdown link's address as it is.
const LINK: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'(')
    .add(b')')
    .add(b'<')
    .add(b'>')
    .add(b'?');

/// What a post may show or offer for download; pages and feeds of the old site are not
/// copied (their old URLs are aliases).
const FILES: [&str; 27] = [
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp", "ico", "pdf", "doc", "docx", "ppt",
    "pptx", "xls", "xlsx", "odt", "odp", "ods", "txt", "csv", "zip", "mp3", "mp4", "ogg", "wav",
    "webm",
];

/// Each root-relative image or link in `body` to a file of the old site: (as written,
/// its name in the bundle, the file).
fn statics(body: &str, root: &Path, have: &[Asset]) -> Vec<(String, String, PathBuf)> {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut names: HashSet<String> = have.iter().map(|a| a.name.clone()).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for event in Parser::new_ext(body, crate::content::markdown::options()) {
        let dest = match event {
            Event::Start(Tag::Image { dest_url, .. } | Tag::Link { dest_url, .. }) => dest_url,
            _ => continue,
        };
        let path = dest.split(['?', '#']).next().unwrap_or("");
        if !path.starts_with('/') || path.starts_with("//") || !seen.insert(path.to_string()) {
            continue;
        }
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let rel = decoded.trim_start_matches('/');
        if rel.split('/').any(|s| s == "..") {
            continue;
        }
        let file = root.join(rel);
        let kept = file
            .extension()
            .is_some_and(|x| FILES.contains(&x.to_string_lossy().to_lowercase().as_str()));
        if !kept || !file.is_file() {
            continue;
        }
        let base = file.file_name().map(|n| n.to_string_lossy().into_owned());
        let mut name = base.unwrap_or_default();
        let mut n = 2;
        while !names.insert(name.clone()) {
            name = format!(
                "{n}-{}",
                file.file_name().unwrap_or_default().to_string_lossy()
            );
            n += 1;
        }
        out.push((path.to_string(), name, file));
    }
    out
}

/// Every link to `dest` in Markdown or HTML, pointed at `name` beside the post.
fn relink(body: &str, dest: &str, name: &str) -> String {
    let mut out = body.to_string();
    for (before, after) in [
        ("](", ")"),
        ("](", " "),
        ("]: ", "\n"),
        ("=\"", "\""),
        ("(<", ">"),
    ] {
        out = out.replace(
            &format!("{before}{dest}{after}"),
            &format!("{before}{name}{after}"),
        );
    }
    out
}

/// Where each item will be written, relative to content/, as `write` places it.
fn new_files(drafts: &[Draft]) -> Vec<String> {
    let mut taken = HashSet::new();
    drafts
        .iter()
        .map(|d| {
            let item = &d.item;
            let mut slug = item.slug.clone();
            let mut n = 2;
            while !taken.insert((item.kind, slug.clone())) {
                slug = format!("{}-{n}", item.slug);
                n += 1;
            }
            let dir = match item.kind {
                ItemKind::Post => "posts",
                ItemKind::Page => "pages",
            };
            if item.assets.is_empty() {
                format!("{dir}/{slug}.md")
            } else {
                format!("{dir}/{slug}/index.md")
            }
        })
        .collect()
}

/// The link from one file under content/ to another: `../b/index.md`.
fn relative(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').collect();
    let to: Vec<&str> = to.split('/').collect();
    let dir = &from[..from.len() - 1];
    let common = dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; dir.len() - common];
    parts.extend(&to[common..]);
    parts.join("/")
}

/// The old files by the names a link may use: `_posts/2014-x.md`, `2014-x`, `x.md`.
#[derive(Default)]
struct Index {
    exact: HashMap<String, usize>,
    stems: HashMap<String, Option<usize>>,
}

impl Index {
    fn add(&mut self, i: usize, rel: &str) {
        self.exact.insert(rel.to_string(), i);
        let no_ext = rel.rsplit_once('.').map_or(rel, |(s, _)| s);
        self.exact.insert(no_ext.to_string(), i);
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        let stem = if stem == "index" || stem == "_index" {
            rel.rsplit('/').nth(1).unwrap_or(stem)
        } else {
            stem
        };
        // A name two files share finds neither.
        self.stems
            .entry(stem.to_string())
            .and_modify(|e| *e = None)
            .or_insert(Some(i));
    }

    fn find(&self, target: &str) -> Option<usize> {
        let t = target.trim().trim_matches('/');
        let t = t.strip_prefix("content/").unwrap_or(t);
        if let Some(&i) = self.exact.get(t) {
            return Some(i);
        }
        let name = t.rsplit('/').next().unwrap_or(t);
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        self.stems.get(stem).copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_between_written_files() {
        assert_eq!(relative("posts/a.md", "posts/b.md"), "b.md");
        assert_eq!(relative("posts/a/index.md", "posts/b.md"), "../b.md");
        assert_eq!(
            relative("posts/a.md", "pages/about.md"),
            "../pages/about.md"
        );
    }
}
