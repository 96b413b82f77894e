//! A small builder for fixture sites in temp dirs, and checks on what the real
//! binary writes.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use regex::Regex;

pub mod kill;
pub mod net;
#[allow(unused_imports)]
pub use net::*;

pub struct TestSite {
    /// A private parent folder, so writes beside the site can be seen.
    pub dir: tempfile::TempDir,
    root: PathBuf,
}

pub const SITE_TOML: &str = r#"title = "Test Class Blog"
base_url = "https://teacher.github.io/blog/"
description = "A test"
posts_per_page = 2

[author]
name = "T. Teacher"
"#;

impl TestSite {
    /// A site with site.toml and nothing else.
    pub fn new() -> TestSite {
        let site = Self::empty();
        site.file("site.toml", SITE_TOML);
        site
    }

    fn empty() -> TestSite {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir(&root).unwrap();
        TestSite { dir, root }
    }

    /// A copy of the repository's example site.
    pub fn example() -> TestSite {
        Self::copy_of(&repo().join("example-site"))
    }

    /// A copy of the site in `from` (a fixture under tests/sites/), without its `public/`.
    pub fn copy_of(from: &Path) -> TestSite {
        let site = Self::empty();
        copy_dir(from, site.root());
        let _ = std::fs::remove_dir_all(site.root().join("public"));
        site
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn file(&self, rel: &str, text: &str) -> &Self {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    pub fn post(&self, name: &str, front: &str, body: &str) -> &Self {
        self.file(
            &format!("content/posts/{name}"),
            &format!("---\n{front}\n---\n{body}\n"),
        )
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = assert_cmd::Command::cargo_bin("staffroom")
            .unwrap()
            // Output as on a teacher's computer, even when the tests run on GitHub Actions.
            .env_remove("GITHUB_ACTIONS")
            .arg("--root")
            .arg(self.root())
            .args(args)
            .output()
            .unwrap();
        Run(out)
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn read(&self, rel: &str) -> String {
        let p = self.public().join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.public().join(rel).exists()
    }
}

pub struct Run(pub Output);

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code(),
            0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
    /// A user error: exit 1, a message, never a panic or backtrace.
    pub fn user_error(&self) -> String {
        let err = self.stderr();
        assert_eq!(self.code(), 1, "expected exit 1; stderr:\n{err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{err}"
        );
        err
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if rel.starts_with("public") {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Every `href`/`src` in every HTML file under `public` that points into the site
/// (root-relative under `base_path`, or relative) must name a file that exists.
/// Returns the broken ones as "page -> link".
pub fn broken_internal_links(public: &Path, base_path: &str) -> Vec<String> {
    let attr = Regex::new(r#"\s(?:href|src)="([^"]*)""#).unwrap();
    let mut broken = BTreeSet::new();
    for entry in walkdir::WalkDir::new(public) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let page_dir = entry.path().parent().unwrap();
        for cap in attr.captures_iter(&html) {
            let link = cap[1].replace("&amp;", "&");
            if link.is_empty()
                || link.starts_with('#')
                || link.contains("://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            let path = link.split(['#', '?']).next().unwrap();
            let target = if let Some(rest) = path.strip_prefix(base_path) {
                public.join(rest)
            } else if path.starts_with('/') {
                broken.insert(format!(
                    "{} -> {link} (outside the base path)",
                    entry.path().display()
                ));
                continue;
            } else {
                page_dir.join(path)
            };
            let exists = if path.ends_with('/') || target.is_dir() {
                target.join("index.html").is_file()
            } else {
                target.is_file()
            };
            if !exists {
                broken.insert(format!(
                    "{} -> {link}",
                    entry.path().strip_prefix(public).unwrap().display()
                ));
            }
        }
    }
    broken.into_iter().collect()
}

/// All files under a folder with their contents, to compare before and after.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            files.push((
                entry.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(entry.path()).unwrap(),
            ));
        }
    }
    files
}
