//! `init` and `new`: the files a teacher starts from.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::{Error, Location, Result};

const SITE_TOML: &str = include_str!("files/site.toml");
const FIRST_POST: &str = include_str!("files/first-post.md");
const ABOUT: &str = include_str!("files/about.md");
const NETWORK_TOML: &str = include_str!("files/network.toml");
const GITIGNORE: &str = include_str!("files/gitignore");
const WORKFLOW: &str = include_str!("files/pages.yml");

pub const WORKFLOW_PATH: &str = ".github/workflows/pages.yml";

/// The files of a new site, relative to its folder.
pub fn starter_files(today: NaiveDate) -> Vec<(&'static str, String)> {
    vec![
        ("site.toml", SITE_TOML.to_string()),
        ("network.toml", NETWORK_TOML.to_string()),
        (
            "content/posts/hello-world.md",
            FIRST_POST.replace("{date}", &today.to_string()),
        ),
        ("content/pages/about.md", ABOUT.to_string()),
        ("static/images/.keep", String::new()),
        ("data/network/.keep", String::new()),
        (".gitignore", GITIGNORE.to_string()),
        (WORKFLOW_PATH, workflow()),
    ]
}

/// Whether `bytes` at `path` are still the example page a new site starts with, which
/// the teacher has not changed: an import may put their own About page there.
pub fn is_untouched_starter(path: &Path, bytes: &[u8]) -> bool {
    path.ends_with("content/pages/about.md") && bytes == ABOUT.as_bytes()
}

/// The Pages workflow, installing this very version of staffroom with the GitHub
/// Action at the root of staffroom's own repository.
fn workflow() -> String {
    WORKFLOW
        .replace("{action}", action_repository())
        .replace("{version}", env!("CARGO_PKG_VERSION"))
}

/// `owner/name` of staffroom's repository, as `uses:` wants it.
fn action_repository() -> &'static str {
    let url = env!("CARGO_PKG_REPOSITORY");
    url.strip_prefix("https://github.com/")
        .unwrap_or(url)
        .trim_end_matches('/')
}

/// Create a new site in `dir`. A folder with files in it is refused unless `force`,
/// and even then no existing file is overwritten.
pub fn create_site(dir: &Path, force: bool, today: NaiveDate) -> Result<Vec<PathBuf>> {
    let has_files = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
    if has_files && !force {
        return Err(Error::input(Location::file(dir), "is not empty")
            .with_hint("choose a new folder name, or pass --force to add the missing files here (nothing is overwritten)"));
    }
    let mut written = Vec::new();
    for (rel, text) in starter_files(today) {
        let path = dir.join(rel);
        if path.exists() {
            continue;
        }
        crate::output::write_atomically(&path, text.as_bytes(), true)?;
        written.push(path);
    }
    Ok(written)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKind {
    Post,
    Page,
}

/// A new Markdown file named after its title, marked as a draft.
pub fn new_content(root: &Path, kind: NewKind, title: &str, today: NaiveDate) -> Result<PathBuf> {
    if !root.join(crate::config::SITE_FILE).is_file() {
        return Err(Error::input(
            Location::file(root.join(crate::config::SITE_FILE)),
            "not found, so this is not a staffroom site",
        )
        .with_hint("run this inside your site folder, or pass --root DIR"));
    }
    let title = title.trim();
    let Some(slug) = file_slug(title) else {
        return Err(Error::input(
            Location::file("title"),
            format!("cannot make a file name from \"{title}\""),
        )
        .with_hint("use a title with some letters or digits"));
    };
    let folder = match kind {
        NewKind::Post => "content/posts",
        NewKind::Page => "content/pages",
    };
    let path = root.join(folder).join(format!("{slug}.md"));
    if path.exists() {
        return Err(
            Error::input(Location::file(&path), "already exists; nothing was changed")
                .with_hint("pick another title, or open that file to keep writing"),
        );
    }
    let quoted = serde_json::to_string(title).unwrap_or_else(|_| format!("\"{title}\""));
    let text = match kind {
        NewKind::Post => format!(
            "---\ntitle: {quoted}\ndate: {today}\ntags: []\ndraft: true\n---\nStart writing here. Remove `draft: true` above when the post is ready to publish.\n"
        ),
        NewKind::Page => format!("---\ntitle: {quoted}\ndraft: true\n---\nStart writing here.\n"),
    };
    crate::output::write_atomically(&path, text.as_bytes(), true)?;
    Ok(path)
}

/// The file name made from a title. Letters of every script stay (transliterated, as
/// in URLs), with the marks that belong to them, but emoji and other symbols are
/// dropped first: the slug crate spells them out, so "🌊 Waves" became
/// `water-wave-waves.md`.
fn file_slug(title: &str) -> Option<String> {
    let kept: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || unicode_ident::is_xid_continue(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    crate::site::urls::slugify(&kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_installs_this_version_with_staffrooms_own_action() {
        let text = workflow();
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            text.contains(&format!("uses: staffroom-ssg/staffroom@v{version}\n")),
            "{text}"
        );
        assert!(text.contains(&format!("version: \"{version}\"")), "{text}");
        assert!(!text.contains("{version}") && !text.contains("{action}"));
    }

    #[test]
    fn new_post_is_a_dated_draft_and_never_overwrites() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("site.toml"), "").unwrap();
        let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let p = new_content(tmp.path(), NewKind::Post, "Café: \"quotes\"", day).unwrap();
        assert!(p.ends_with("content/posts/cafe-quotes.md"));
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.contains("title: \"Café: \\\"quotes\\\"\"")
                && text.contains("date: 2024-03-01")
                && text.contains("draft: true"),
            "{text}"
        );
        assert!(new_content(tmp.path(), NewKind::Post, "Café: quotes", day).is_err());
    }

    #[test]
    fn file_names_drop_emoji_and_keep_other_scripts() {
        assert_eq!(
            file_slug("🌊 Waves & tides ✨").as_deref(),
            Some("waves-tides")
        );
        assert_eq!(file_slug("Family 👨‍👩‍👧 day").as_deref(), Some("family-day"));
        assert_eq!(file_slug("Über Größe").as_deref(), Some("uber-grosse"));
        assert_eq!(
            file_slug("हिन्दी कक्षा"),
            crate::site::urls::slugify("हिन्दी कक्षा")
        );
        assert_eq!(
            file_slug("Café: \"quotes\"").as_deref(),
            Some("cafe-quotes")
        );
        assert_eq!(file_slug("🌊✨"), None);
    }
}
