//! The content stage: find the Markdown files under `content/`, read them and split
//! off their front matter. Rendering the Markdown waits until every URL is known.

pub mod cache;
pub mod discover;
pub mod front_matter;
pub mod highlight;
pub mod inside;
pub mod leftovers;
pub mod markdown;
pub mod skipped;
pub mod text;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use rayon::prelude::*;

use crate::error::{Error, Location, Result};
pub use cache::Cache;
pub use front_matter::FrontMatter;
use inside::SiteFolder;
pub use skipped::Skip;

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
        discover::is_index(&self.untranslated())
            .then(|| self.path.parent())
            .flatten()
    }

    /// The name the URL is made from: the file name, or the folder name for a bundle,
    /// without a Jekyll-style date prefix or a language (`guide.fr.md`, built only
    /// when French is the site's language).
    pub fn stem(&self) -> String {
        let file = self.untranslated();
        let name = if discover::is_index(&file) {
            self.path.parent().and_then(Path::file_name)
        } else {
            file.file_stem()
        };
        let name = name
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        strip_date_prefix(&name).to_string()
    }

    fn untranslated(&self) -> PathBuf {
        match discover::language_of(&self.path) {
            Some(_) => discover::untranslated(&self.path),
            None => self.path.clone(),
        }
    }
}

/// `2014-3-3-hello` → the date and `hello`, as Jekyll names its posts; the date is
/// None when the numbers make no date (`2024-02-30`).
fn date_prefix(name: &str) -> Option<(Option<NaiveDate>, &str)> {
    let mut parts = name.splitn(4, '-');
    let mut number = |len: std::ops::RangeInclusive<usize>| {
        let p = parts.next()?;
        let ok = len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| p.parse::<u32>().ok()).flatten()
    };
    let (y, m, d) = (number(4..=4)?, number(1..=2)?, number(1..=2)?);
    let rest = parts.next().filter(|r| !r.is_empty())?;
    Some((NaiveDate::from_ymd_opt(y as i32, m, d), rest))
}

fn strip_date_prefix(name: &str) -> &str {
    date_prefix(name).map_or(name, |(_, rest)| rest)
}

/// The date a post's file name gives (`2014-3-3-hello.md`, a bundle's folder
/// `2014-03-03-hello/index.md`), at the start of that day.
fn name_date(path: &Path) -> Option<DateTime<FixedOffset>> {
    let name = if discover::is_index(path) {
        path.parent()?.file_name()?
    } else {
        path.file_stem()?
    };
    let (day, _) = date_prefix(name.to_str()?)?;
    let utc = FixedOffset::east_opt(0)?;
    utc.from_local_datetime(&day?.and_hms_opt(0, 0, 0)?)
        .single()
}

/// What `load` found under `content/`.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The posts and pages that were read.
    pub sources: Vec<Source>,
    /// Files not built, and why, for the build's summary.
    pub skipped: Vec<(PathBuf, Skip)>,
    /// Files that could not be read, relative to `content/` (links to them are not
    /// reported as broken on top of their own errors).
    pub failed: Vec<PathBuf>,
    /// Every problem found, in the order of the files.
    pub errors: Vec<Error>,
}

/// Read every post and page under `root/content`. All problems are collected, and
/// every file that can be read is, so a teacher sees every broken file at once
/// rather than one per build. Files whose bytes are unchanged since a build that
/// used `cache` are not parsed again. `language` is the site's, which picks the
/// translations to build.
pub fn load(root: &Path, language: &str, cache: &Cache) -> Result<Loaded> {
    let content = root.join("content");
    let site = SiteFolder::new(root)?;
    let found = discover::find(&site, &content, language);
    let results: Vec<Result<Source>> = found
        .files
        .par_iter()
        .map(|(path, kind)| read_source(&site, &content, path, *kind, cache))
        .collect();
    let mut loaded = Loaded {
        skipped: found.skipped,
        errors: found.errors,
        ..Loaded::default()
    };
    for ((path, _), result) in found.files.iter().zip(results) {
        match result {
            Ok(source) => match &source.text.front.not_built {
                Some(why) => loaded.skipped.push((source.path, why.clone())),
                None => loaded.sources.push(source),
            },
            Err(e) => {
                loaded
                    .failed
                    .push(path.strip_prefix(&content).unwrap_or(path).to_path_buf());
                match e {
                    Error::Many(many) => loaded.errors.extend(many),
                    e => loaded.errors.push(e),
                }
            }
        }
    }
    loaded.skipped.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(loaded)
}

pub(crate) fn is_hidden(name: &std::ffi::OsStr) -> bool {
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
            (key, cache.parsed(key, || parse(path, bytes, kind))?)
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

/// The file's kind is part of its path, which the cache's key holds.
fn parse(path: &Path, bytes: Vec<u8>, kind: Kind) -> Result<cache::Parsed> {
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
    let rules = front_matter::Rules {
        post: kind == Kind::Post,
        name_date: name_date(path).filter(|_| kind == Kind::Post),
    };
    let split = front_matter::split_as(path, &text, &rules)?;
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
        let nested_bundle =
            p != dir && entry.file_type().is_dir() && discover::bundle_index(p).is_some();
        if nested_bundle {
            continue;
        }
        if entry.file_type().is_file() && !discover::is_markdown(p) {
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
        assert_eq!(
            load(dir.path(), "en", &cache).unwrap().sources[0].text.body,
            "one\n"
        );
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
        assert_eq!(
            load(dir.path(), "en", &cache).unwrap().sources[0].text.body,
            "two\n"
        );
    }

    #[test]
    fn date_prefix_is_dropped_from_stems() {
        assert_eq!(strip_date_prefix("2024-03-01-density"), "density");
        assert_eq!(strip_date_prefix("2014-3-3-hello-world"), "hello-world");
        assert_eq!(strip_date_prefix("2024-02-30-x"), "x");
        assert_eq!(strip_date_prefix("density"), "density");
        assert_eq!(strip_date_prefix("2024-03-01"), "2024-03-01");
        assert_eq!(strip_date_prefix("2024-03-01-"), "2024-03-01-");
        assert_eq!(strip_date_prefix("24-03-01-x"), "24-03-01-x");
        let day = |p: &str| name_date(Path::new(p)).map(|d| d.to_rfc3339());
        assert_eq!(
            day("posts/2014-3-3-hello.markdown").as_deref(),
            Some("2014-03-03T00:00:00+00:00")
        );
        assert_eq!(
            day("posts/2014-03-03-trip/index.md").as_deref(),
            Some("2014-03-03T00:00:00+00:00")
        );
        assert_eq!(day("posts/2024-02-30-x.md"), None);
        assert_eq!(day("posts/hello.md"), None);
    }
}
