//! The preview's rebuilds. Unlike `build`, which stages a whole new folder and swaps
//! it in, a rebuild here renders only the pages whose inputs changed, collects every
//! output in memory, and only when all of it succeeded writes the files whose bytes
//! differ, each one atomically (temp file + rename) into the folder being served.
//! So a failed rebuild leaves the last good site untouched, and a good one tells
//! exactly which files changed.

use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use crate::build::{BuildOptions, Builder, Memo, Mode, Stages};
use crate::config::Config;
use crate::content::cache::{self, FastMap, FastSet};
use crate::error::{Error, Location, Result};
use crate::render::pages::Sink;
use crate::render::theme::Origin;
use crate::site::LoadOptions;

/// What one rebuild did.
#[derive(Debug, Default)]
pub struct Report {
    /// Site paths written or removed, sorted.
    pub changed: Vec<String>,
    /// Pages rendered (the rest were unchanged and skipped).
    pub rendered: usize,
    pub pages_total: usize,
    pub took: Duration,
    /// `/` or `/blog/`, from site.toml as it is now.
    pub base_path: String,
    pub stages: Vec<(&'static str, Duration)>,
    pub warnings: Vec<String>,
}

impl Report {
    /// True when every changed file is a stylesheet, which pages can swap in place.
    pub fn only_css(&self) -> bool {
        !self.changed.is_empty() && self.changed.iter().all(|p| p.ends_with(".css"))
    }
}

pub struct Live {
    root: PathBuf,
    /// `http://127.0.0.1:1111`: base_url for the preview is this plus site.toml's path.
    origin: String,
    drafts: bool,
    builder: Builder,
    out: OutDir,
    memo: Memo,
}

impl Live {
    pub fn new(root: &Path, origin: &str, drafts: bool, out: &Path) -> Live {
        Live {
            root: root.to_path_buf(),
            origin: origin.trim_end_matches('/').to_string(),
            drafts,
            builder: Builder::default(),
            out: OutDir::new(out),
            memo: Memo::default(),
        }
    }

    pub fn output(&self) -> &Path {
        &self.out.root
    }

    /// Rebuild. `all_pages` renders every page again (templates or config changed);
    /// otherwise only pages whose values differ from the last good build.
    pub fn rebuild(&mut self, all_pages: bool) -> Result<Report> {
        let started = Instant::now();
        let config = Config::load(&self.root)?;
        let base_path = config.base.path().to_string();
        let options = BuildOptions {
            load: LoadOptions {
                drafts: self.drafts,
                future: false,
            },
            base_url: Some(format!("{}{}", self.origin, base_path)),
            output: Some(self.out.root.clone()),
        };
        let mut stages = Stages::default();
        let mut prepared = self.builder.prepare(&self.root, &options, &mut stages)?;
        let warnings = std::mem::take(&mut prepared.warnings);
        let fresh = Memo::default();
        let previous = if all_pages { &fresh } else { &self.memo };
        let pending = Pending::default();
        let written = self.builder.write(
            &prepared,
            &pending,
            Mode::ChangedSince(previous),
            &mut stages,
        )?;
        let memo = written.memo.unwrap_or_default();
        let changed = self.out.apply(pending, &|p| memo.keeps(p))?;
        stages.lap("write changed files");
        self.builder.cache.finish_build();
        let pages_total = memo.pages.len();
        self.memo = memo;
        Ok(Report {
            changed,
            rendered: written.rendered,
            pages_total,
            took: started.elapsed(),
            base_path,
            stages: stages.list,
            warnings,
        })
    }
}

enum Item {
    Bytes(Vec<u8>),
    Copy(PathBuf),
}

/// A sink that only collects, so nothing is written unless the whole rebuild worked.
#[derive(Default)]
struct Pending(Mutex<Vec<(String, Item)>>);

impl Pending {
    fn push(&self, path: &str, item: Item) -> Result<()> {
        check_path(path)?;
        lock(&self.0).push((path.to_string(), item));
        Ok(())
    }
}

impl Sink for Pending {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.push(path, Item::Bytes(bytes.to_vec()))
    }

    fn copy(&self, origin: &Origin, path: &str) -> Result<()> {
        match origin {
            Origin::BuiltIn(bytes) => self.write(path, bytes),
            Origin::File(src) => self.push(path, Item::Copy(src.clone())),
        }
    }
}

/// The served folder and a stamp of each file in it: a hash of its bytes, or for a
/// copied file its source's path, size and modification time (so big images are not
/// read again on every rebuild).
struct OutDir {
    root: PathBuf,
    stamps: FastMap<String, u64>,
}

impl OutDir {
    fn new(root: &Path) -> OutDir {
        OutDir {
            root: root.to_path_buf(),
            stamps: FastMap::default(),
        }
    }

    /// Write what differs, remove what the site no longer has (pages kept as
    /// unchanged are listed in `kept`); returns the changed site paths.
    fn apply(&mut self, pending: Pending, kept: &dyn Fn(&str) -> bool) -> Result<Vec<String>> {
        let items = pending.0.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut present: FastSet<String> =
            FastSet::with_capacity_and_hasher(items.len(), Default::default());
        let mut changed = Vec::new();
        for (path, item) in items {
            let stamp = match &item {
                Item::Bytes(b) => cache::key(&[b]),
                Item::Copy(src) => {
                    let meta = std::fs::metadata(src).map_err(|e| Error::io(src, e))?;
                    let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                    cache::key(&[src, &meta.len(), &modified])
                }
            };
            let dest = self.root.join(&path);
            if self.stamps.get(&path) != Some(&stamp) || !dest.exists() {
                replace(&dest, &item)?;
                self.stamps.insert(path.clone(), stamp);
                changed.push(path.clone());
            }
            present.insert(path);
        }
        let gone: Vec<String> = self
            .stamps
            .keys()
            .filter(|p| !present.contains(*p) && !kept(p))
            .cloned()
            .collect();
        for path in gone {
            let dest = self.root.join(&path);
            match std::fs::remove_file(&dest) {
                Ok(()) => remove_empty_parents(&self.root, &dest),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&dest, e)),
            }
            self.stamps.remove(&path);
            changed.push(path);
        }
        changed.sort();
        Ok(changed)
    }
}

/// Write beside the file and rename over it, so a page being served is never half new.
fn replace(dest: &Path, item: &Item) -> Result<()> {
    let dir = dest.parent().unwrap_or(dest);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".staffroom-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    match item {
        Item::Bytes(b) => std::io::Write::write_all(&mut tmp, b).map_err(|e| Error::io(dest, e))?,
        Item::Copy(src) => {
            let mut from = std::fs::File::open(src).map_err(|e| Error::io(src, e))?;
            std::io::copy(&mut from, &mut tmp).map_err(|e| Error::io(src, e))?;
        }
    }
    tmp.persist(dest).map_err(|e| Error::io(dest, e.error))?;
    Ok(())
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn check_path(path: &str) -> Result<()> {
    let safe = !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if safe {
        Ok(())
    } else {
        Err(Error::input(
            Location::file(path),
            "refusing to write outside the output folder",
        ))
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn post(title: &str, date: &str, tag: &str) -> String {
        format!("---\ntitle: {title}\ndate: {date}\ntags: [{tag}]\n---\nAbout {title}.\n")
    }

    fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn an_edit_re_renders_what_depends_on_it_and_matches_a_full_build() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        write(
            root,
            "site.toml",
            "title = \"T\"\nbase_url = \"https://t.github.io/blog/\"\nposts_per_page = 2\n",
        );
        write(root, "content/posts/a.md", &post("A", "2024-01-01", "x"));
        write(root, "content/posts/b.md", &post("B", "2024-02-01", "y"));
        write(root, "content/posts/c.md", &post("C", "2024-03-01", "y"));
        write(root, "content/posts/d.md", &post("D", "2024-04-01", "z"));
        write(
            root,
            "content/pages/about.md",
            "---\ntitle: About\n---\nHi.\n",
        );
        let out = tempfile::tempdir().unwrap();
        let mut live = Live::new(root, "http://127.0.0.1:9", false, out.path());
        let first = live.rebuild(false).unwrap();
        assert_eq!(first.rendered, first.pages_total);
        assert_eq!(first.base_path, "/blog/");

        // B's title is shown on its own page, on its neighbours' (previous/next), on
        // the list that holds it, its tag, the archive and the feeds; not elsewhere.
        write(root, "content/posts/b.md", &post("B2", "2024-02-01", "y"));
        let edit = live.rebuild(false).unwrap();
        for page in [
            "posts/b/index.html",
            "posts/a/index.html",
            "posts/c/index.html",
            "page/2/index.html",
            "tags/y/index.html",
            "archive/index.html",
            "atom.xml",
            "tags/y/atom.xml",
        ] {
            assert!(
                edit.changed.iter().any(|c| c == page),
                "{page} not in {:?}",
                edit.changed
            );
        }
        for page in [
            "posts/d/index.html",
            "index.html",
            "about/index.html",
            "tags/x/index.html",
            "style.css",
        ] {
            assert!(
                !edit.changed.iter().any(|c| c == page),
                "{page} in {:?}",
                edit.changed
            );
        }
        // Exactly those six of the thirteen pages: B, A, C, page 2, tag y, archive.
        assert_eq!((edit.rendered, edit.pages_total), (6, 13));

        // A post removed takes its page and its now empty tag with it.
        std::fs::remove_file(root.join("content/posts/a.md")).unwrap();
        let removed = live.rebuild(false).unwrap();
        assert!(removed.changed.contains(&"posts/a/index.html".to_string()));
        assert!(!out.path().join("posts/a").exists());
        assert!(!out.path().join("tags/x").exists());

        // After all that, the served folder is what a full build would write.
        let full = tempfile::tempdir().unwrap();
        let options = BuildOptions {
            base_url: Some("http://127.0.0.1:9/blog/".into()),
            output: Some(full.path().join("public")),
            ..BuildOptions::default()
        };
        Builder::default().build(root, &options).unwrap();
        assert!(
            tree(out.path()) == tree(&full.path().join("public")),
            "incremental and full builds differ"
        );
    }

    #[test]
    fn a_failed_rebuild_leaves_the_served_files_alone() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        write(
            root,
            "site.toml",
            "title = \"T\"\nbase_url = \"https://t.example/\"\n",
        );
        write(root, "content/posts/a.md", &post("A", "2024-01-01", "x"));
        let out = tempfile::tempdir().unwrap();
        let mut live = Live::new(root, "http://127.0.0.1:9", false, out.path());
        live.rebuild(false).unwrap();
        let before = tree(out.path());
        write(root, "content/posts/a.md", "---\ntitle: A\n---\nno date\n");
        let err = live.rebuild(false).unwrap_err().to_string();
        assert!(err.contains("a.md:1: the post has no date"), "{err}");
        assert!(tree(out.path()) == before);
    }

    fn pending(files: &[(&str, &str)]) -> Pending {
        let p = Pending::default();
        for (path, text) in files {
            p.write(path, text.as_bytes()).unwrap();
        }
        p
    }

    #[test]
    fn only_differing_files_are_written_and_vanished_ones_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = OutDir::new(tmp.path());
        let none = |_: &str| false;
        let first = out
            .apply(pending(&[("a/index.html", "A"), ("b.css", "B")]), &none)
            .unwrap();
        assert_eq!(first, ["a/index.html", "b.css"]);
        let second = out
            .apply(pending(&[("a/index.html", "A"), ("b.css", "B2")]), &none)
            .unwrap();
        assert_eq!(second, ["b.css"]);
        let third = out.apply(pending(&[("b.css", "B2")]), &none).unwrap();
        assert_eq!(third, ["a/index.html"]);
        assert!(!tmp.path().join("a").exists(), "empty folder left behind");
        assert_eq!(std::fs::read(tmp.path().join("b.css")).unwrap(), b"B2");
    }

    #[test]
    fn pending_refuses_paths_that_escape() {
        let p = Pending::default();
        assert!(p.write("../x", b"").is_err());
        assert!(p.write("/etc/x", b"").is_err());
        assert!(p.write("", b"").is_err());
    }
}
