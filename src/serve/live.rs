//! The preview's rebuilds. Unlike `build`, which stages a whole new folder and swaps
//! it in, a rebuild here renders only the pages whose inputs changed, collects every
//! output in memory, and only when all of it succeeded writes the files whose bytes
//! differ, each one atomically (temp file + rename) into the folder being served.
//! So a failed rebuild leaves the last good site untouched, and a good one tells
//! exactly which files changed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::served::{OutDir, Pending};
use crate::build::{BuildOptions, Builder, Mode, Stages};
use crate::config::Config;
use crate::error::Result;
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
    /// Drafts and future posts in the preview (marked on their pages), which `build`
    /// leaves out.
    pub unpublished: usize,
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
    /// Drafts and future posts included (the default; `--no-drafts` turns it off).
    drafts: bool,
    /// Holds the memo of the last good build.
    builder: Builder,
    out: OutDir,
}

impl Live {
    pub fn new(root: &Path, origin: &str, drafts: bool, out: &Path) -> Live {
        Live {
            root: root.to_path_buf(),
            origin: origin.trim_end_matches('/').to_string(),
            drafts,
            builder: Builder::default(),
            out: OutDir::new(out),
        }
    }

    pub fn output(&self) -> &Path {
        &self.out.root
    }

    /// Rebuild, rendering only the pages whose templates or values differ from the
    /// last good build's.
    pub fn rebuild(&mut self) -> Result<Report> {
        let started = Instant::now();
        let config = Config::load(&self.root)?;
        let base_path = config.base.path().to_string();
        let options = BuildOptions {
            // The preview shows what the teacher is writing (marked), unless asked
            // to show exactly what `build` will publish.
            load: LoadOptions {
                drafts: self.drafts,
                future: self.drafts,
                preview: true,
            },
            base_url: Some(format!("{}{}", self.origin, base_path)),
            output: Some(self.out.root.clone()),
        };
        let mut stages = Stages::default();
        let mut prepared = self.builder.prepare(&self.root, &options, &mut stages)?;
        let mut warnings = std::mem::take(&mut prepared.warnings);
        let pending = Pending::default();
        let written = self
            .builder
            .write(&prepared, &pending, Mode::Changed, &mut stages)?;
        let (pages, feeds) = written.pages.unwrap_or_default();
        // Pages and feeds skipped as unchanged are in the folder already: not to be
        // removed.
        let changed = self
            .out
            .apply(pending, &|p| pages.contains(p) || feeds.contains(p))?;
        stages.lap("write changed files");
        warnings.extend(crate::build::missing_targets(
            &prepared.site,
            &self.out.root,
        ));
        let pages_total = pages.len();
        self.builder.memo.commit(pages, feeds);
        let site = &prepared.site;
        let unpublished = site.posts.iter().filter(|p| p.unpublished()).count()
            + site.pages.iter().filter(|p| p.draft).count();
        Ok(Report {
            changed,
            rendered: written.rendered,
            pages_total,
            took: started.elapsed(),
            base_path,
            stages: stages.list,
            warnings,
            unpublished,
        })
    }
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
        let first = live.rebuild().unwrap();
        assert_eq!(first.rendered, first.pages_total);
        assert_eq!(first.base_path, "/blog/");

        // B's title is shown on its own page, on its neighbours' (previous/next), on
        // the list that holds it, its tag, the archive and the feeds; not elsewhere.
        write(root, "content/posts/b.md", &post("B2", "2024-02-01", "y"));
        let edit = live.rebuild().unwrap();
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
        let removed = live.rebuild().unwrap();
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
        live.rebuild().unwrap();
        let before = tree(out.path());
        write(root, "content/posts/a.md", "---\ntitle: A\n---\nno date\n");
        let err = live.rebuild().unwrap_err().to_string();
        assert!(err.contains("a.md:1: the post has no date"), "{err}");
        assert!(tree(out.path()) == before);
    }
}
