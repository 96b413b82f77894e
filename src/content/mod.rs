//! The content stage: find the Markdown files under `content/`, read them and split
//! off their front matter. Rendering the Markdown waits until every URL is known.

pub mod cache;
pub mod front_matter;
pub mod highlight;
pub mod inside;
pub mod leftovers;
pub mod markdown;
pub mod text;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Location, Result};
pub use cache::Cache;
pub use front_matter::FrontMatter;
use inside::SiteFolder;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Post,
    Page,
}

/// One Markdown file, read and split, not yet rendered.
#[derive(Debug, Clone)]
pub struct Source {
    pub kind: Kind,
    /// As the teacher would find it: `my-blog/content/posts/x.md`.
    pub path: PathBuf,
    /// Relative to `content/`: `posts/x.md`.
    pub rel: PathBuf,
    /// Front matter and body, shared with `serve`'s cache.
    pub text: Arc<cache::Parsed>,
    /// For a bundle (`posts/x/index.md`), the files beside it, relative to its folder.
    pub assets: Vec<PathBuf>,
    /// A hash of the file's path and bytes, which everything above is made from.
    pub digest: u64,
}

impl Source {
    /// The folder of a bundle, which holds its assets.
    pub fn bundle_dir(&self) -> Option<&Path> {
        (self.path.file_name()? == "index.md")
            .then(|| self.path.parent())
            .flatten()
    }

    /// The name the URL is made from: the file name, or the folder name for a bundle,
    /// without a Jekyll-style date prefix.
    pub fn stem(&self) -> String {
        let name = if self.path.file_name().is_some_and(|f| f == "index.md") {
            self.path.parent().and_then(Path::file_name)
        } else {
            self.path.file_stem()
        };
        let name = name
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        strip_date_prefix(&name).to_string()
    }
}

fn strip_date_prefix(name: &str) -> &str {
    let b = name.as_bytes();
    let is_date = b.len() > 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && b[10] == b'-';
    if is_date { &name[11..] } else { name }
}

/// Read every post and page under `root/content`. All problems are collected, so a
/// teacher sees every broken file at once rather than one per build. Files whose
/// bytes are unchanged since a build that used `cache` are not parsed again.
pub fn load(root: &Path, cache: &Cache) -> Result<Vec<Source>> {
    let content = root.join("content");
    let site = SiteFolder::new(root)?;
    let mut files = Vec::new();
    for (dir, kind) in [("posts", Kind::Post), ("pages", Kind::Page)] {
        let base = content.join(dir);
        if base.is_dir() {
            find_markdown(&site, &base, kind, &mut files)?;
        }
    }
    let results: Vec<Result<Source>> = files
        .par_iter()
        .map(|(path, kind)| read_source(&site, &content, path, *kind, cache))
        .collect();
    Error::all(results)
}

fn find_markdown(
    site: &SiteFolder,
    base: &Path,
    kind: Kind,
    out: &mut Vec<(PathBuf, Kind)>,
) -> Result<()> {
    let start = out.len();
    let walker = walkdir::WalkDir::new(base)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| !is_hidden(e.file_name()));
    for entry in walker {
        let entry = entry.map_err(|e| inside::walk_error(e, base))?;
        site.check_entry(&entry)?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "md") {
            out.push((entry.into_path(), kind));
        }
    }
    // The order of a walk sorted by name, which decides which of two files claiming
    // one URL is named first. Sorted here, not in the walk: walkdir's sort takes
    // each name apart again for every comparison, a tenth of a rebuild in `serve`.
    out[start..].sort_by_cached_key(|(path, _)| walk_order(path));
    Ok(())
}

/// A key that orders paths as a depth-first walk with sorted folders meets them:
/// name by name, so `a/index.md` (inside folder `a`) comes before `a-b.md`.
fn walk_order(path: &Path) -> Vec<u8> {
    let bytes = path.as_os_str().as_encoded_bytes();
    bytes
        .iter()
        .map(|&b| {
            if std::path::is_separator(b as char) {
                0
            } else {
                b
            }
        })
        .collect()
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let n = name.to_string_lossy();
    n.starts_with('.') || n.ends_with('~') || n.starts_with('#')
}

fn read_source(
    site: &SiteFolder,
    content: &Path,
    path: &Path,
    kind: Kind,
    cache: &Cache,
) -> Result<Source> {
    // A file whose size, times and inode are as at the last build still has the
    // bytes it had then: skip reading and hashing it again.
    let stamp = std::fs::metadata(path)
        .ok()
        .and_then(|m| cache::file_stamp(&m));
    let known = stamp.and_then(|s| cache.digest_if_unchanged(path, s));
    let (key, parsed) = match known.and_then(|k| cache.parsed_if_kept(k).map(|p| (k, p))) {
        Some(hit) => hit,
        None => {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let key = cache::key(&[&path.as_os_str(), &bytes]);
            (key, cache.parsed(key, || parse(path, bytes))?)
        }
    };
    if let Some(stamp) = stamp {
        cache.remember_stamp(path, stamp, key);
    }
    let rel = path.strip_prefix(content).unwrap_or(path).to_path_buf();
    let mut source = Source {
        kind,
        path: path.to_path_buf(),
        rel,
        text: parsed,
        assets: Vec::new(),
        digest: key,
    };
    // Bundle files are listed every time: adding an image changes no Markdown.
    if let Some(dir) = source.bundle_dir() {
        source.assets = bundle_assets(site, dir)?;
    }
    Ok(source)
}

fn parse(path: &Path, bytes: Vec<u8>) -> Result<cache::Parsed> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, _) = crate::error::line_col(
            &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            usize::MAX,
        );
        Error::input(Location::line(path, line), "is not UTF-8 text")
            .with_hint("save the file as UTF-8 in your editor")
    })?;
    if text.contains('\0') {
        return Err(Error::input(
            Location::file(path),
            "contains NUL bytes; it does not look like a text file",
        ));
    }
    let split = front_matter::split(path, &text)?;
    Ok(cache::Parsed {
        front: split.front,
        body: split.body.to_string(),
        body_line: split.body_line,
    })
}

fn bundle_assets(site: &SiteFolder, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut assets = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_hidden(e.file_name()));
    for entry in walker {
        let entry = entry.map_err(|e| inside::walk_error(e, dir))?;
        site.check_entry(&entry)?;
        let p = entry.path();
        let nested_bundle = p != dir && entry.file_type().is_dir() && p.join("index.md").exists();
        if nested_bundle {
            continue;
        }
        if entry.file_type().is_file() && p.extension().is_none_or(|x| x != "md") {
            assets.push(p.strip_prefix(dir).unwrap_or(p).to_path_buf());
        }
    }
    Ok(assets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_rewritten_with_the_same_size_and_time_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let posts = dir.path().join("content/posts");
        std::fs::create_dir_all(&posts).unwrap();
        let file = posts.join("a.md");
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let write = |body: &str| {
            std::fs::write(
                &file,
                format!("---\ntitle: A\ndate: 2024-01-01\n---\n{body}\n"),
            )
            .unwrap();
            std::fs::File::options()
                .write(true)
                .open(&file)
                .unwrap()
                .set_modified(old)
                .unwrap();
        };
        let cache = Cache::default();
        write("one");
        assert_eq!(load(dir.path(), &cache).unwrap()[0].text.body, "one\n");
        cache.finish_build();
        let stamp = cache::file_stamp(&std::fs::metadata(&file).unwrap());
        if cfg!(unix) {
            assert!(
                cache.digest_if_unchanged(&file, stamp.unwrap()).is_some(),
                "an old, untouched file is known"
            );
        } else {
            assert_eq!(stamp, None, "elsewhere every file is read again");
        }
        // Same size, same modification time: only the change time tells.
        std::thread::sleep(std::time::Duration::from_millis(20));
        write("two");
        assert_eq!(load(dir.path(), &cache).unwrap()[0].text.body, "two\n");
    }

    #[test]
    fn files_are_found_in_walk_order() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "b.md",
            "a-b.md",
            "a/index.md",
            "a/z/index.md",
            "a/y.md",
            "A.md",
        ] {
            let p = dir.path().join("posts").join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let base = dir.path().join("posts");
        let mut found = Vec::new();
        let site = SiteFolder::new(dir.path()).unwrap();
        find_markdown(&site, &base, Kind::Post, &mut found).unwrap();
        let rel: Vec<_> = found
            .iter()
            .map(|(p, _)| {
                p.strip_prefix(&base)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            rel,
            [
                "A.md",
                "a/index.md",
                "a/y.md",
                "a/z/index.md",
                "a-b.md",
                "b.md"
            ]
        );
    }

    #[test]
    fn date_prefix_is_dropped_from_stems() {
        assert_eq!(strip_date_prefix("2024-03-01-density"), "density");
        assert_eq!(strip_date_prefix("density"), "density");
    }
}
