//! Which of the site's files a changed path is, and so how much to rebuild; editor
//! swap files, `public/` and `.git` are none of them.

use std::path::Path;

/// What kind of file changed, which decides how much to rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Posts, pages, bundle files, `data/`: re-render what depends on them.
    Content,
    /// `templates/` or a theme's templates: render every page again.
    Template,
    /// `site.toml` or `network.toml`: everything again.
    Config,
    /// `static/` or a theme's static files: copied; CSS alone needs no page reload.
    Static,
}

/// What a change to this path (relative to the site folder) means; None to ignore it.
pub fn classify(rel: &Path) -> Option<Change> {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.iter().any(|p| is_ignored_name(p)) {
        return None;
    }
    match parts.as_slice() {
        [file] if file == "site.toml" || file == "network.toml" => Some(Change::Config),
        [first, ..] if first == "content" || first == "data" => Some(Change::Content),
        [first, ..] if first == "static" => Some(Change::Static),
        [first, ..] if first == "templates" => Some(Change::Template),
        [first, _, kind, ..] if first == "themes" && kind == "static" => Some(Change::Static),
        [first, ..] if first == "themes" => Some(Change::Template),
        _ => None,
    }
}

/// Editor swap, backup and lock files, and hidden files (which builds skip too).
fn is_ignored_name(name: &str) -> bool {
    const SUFFIXES: [&str; 9] = [
        "~",
        ".swp",
        ".swo",
        ".swx",
        ".tmp",
        ".bak",
        ".kate-swp",
        ".crdownload",
        ".part",
    ];
    name.starts_with('.')
        || name.starts_with('#')
        || name == "4913" // vim checks it may write a folder with this file
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_classified_by_folder() {
        let c = |p: &str| classify(Path::new(p));
        assert_eq!(c("content/posts/a.md"), Some(Change::Content));
        assert_eq!(c("content/posts/trip/heron.svg"), Some(Change::Content));
        assert_eq!(c("data/network/feeds.json"), Some(Change::Content));
        assert_eq!(c("templates/post.html"), Some(Change::Template));
        assert_eq!(
            c("themes/chalk/templates/base.html"),
            Some(Change::Template)
        );
        assert_eq!(c("themes/chalk/static/style.css"), Some(Change::Static));
        assert_eq!(c("static/style.css"), Some(Change::Static));
        assert_eq!(c("site.toml"), Some(Change::Config));
        assert_eq!(c("network.toml"), Some(Change::Config));
    }

    #[test]
    fn output_git_and_editor_files_are_ignored() {
        for p in [
            "public/index.html",
            ".git/index",
            "README.md",
            "content/posts/.a.md.swp",
            "content/posts/a.md~",
            "content/posts/#a.md#",
            "content/posts/.#a.md",
            "content/posts/4913",
            "static/.DS_Store",
            "content/posts/a.md.tmp",
            "notes/site.toml",
        ] {
            assert_eq!(classify(Path::new(p)), None, "{p}");
        }
    }
}
