//! Files in `content/` that a build does not publish, and the lines of the build's
//! summary that name them: why, and what to do. Nothing a teacher copied into
//! `content/` may vanish without a word.

use std::path::{Path, PathBuf};

use crate::error::shown;

/// Why a file under `content/` is not built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Not in `content/posts/` or `content/pages/`.
    Outside,
    /// Not Markdown, and not a file of a bundle.
    NotMarkdown,
    /// An HTML file: staffroom makes pages from Markdown.
    Html,
    /// Hugo's `_index.md`, the page of a section.
    Section,
    /// In Jekyll's `_drafts/` folder.
    DraftsFolder,
    /// A translation (`post.fr.md`) in another language than the site's.
    Translation { language: String },
    /// The untranslated file, when its translation in the site's language is built.
    OtherLanguage { chosen: PathBuf },
    /// Hugo's headless bundle (`headless: true`): text for a theme to place.
    Headless,
    /// A page with no text that only asks the old theme for a layout.
    LayoutOnly { layout: String },
}

impl Skip {
    /// Why, and what to do, after the file's name.
    fn explain(&self, file: &Path, root: &Path, language: &str) -> String {
        match self {
            Skip::Outside => outside(file, root),
            Skip::NotMarkdown => "not Markdown and not beside the index.md of a post bundle, so it is not copied to the site; put files to publish as they are in static/ (static/images/a.png is /images/a.png), or make the post a folder (NAME/index.md) with its files beside index.md".into(),
            Skip::Html => "an HTML file; staffroom makes pages from Markdown, so it is not built: write it as Markdown (.md) in content/pages/, or put it in static/ to publish it as it is".into(),
            Skip::Section => "Hugo's page for a section (_index.md), not a post; staffroom has no section pages (it lists posts by tag and on /archive/), so it is not built: if its text matters, put it in a page in content/pages/".into(),
            Skip::DraftsFolder => "in Jekyll's _drafts folder, which is not built; staffroom keeps drafts with the posts: move it to content/posts/ and add `draft: true` and a date, and `staffroom serve` shows it".into(),
            Skip::Translation { language: code } => format!(
                "a translation (`{code}` in its name); staffroom builds a site in one language, `{language}` (`language` in site.toml), so it is not built. If it is no translation, take `.{code}` out of its name"
            ),
            Skip::OtherLanguage { chosen } => format!(
                "not built: its translation {} is in the site's language, `{language}`, and is built instead",
                shown(chosen.strip_prefix(root).unwrap_or(chosen))
            ),
            Skip::Headless => "Hugo's headless bundle (`headless: true`): text for the old theme to place, not a page of its own, so it is not built".into(),
            Skip::LayoutOnly { layout } => format!(
                "has no text, only `layout: {layout}` for the old theme, so it is not built; staffroom makes its own archive (/archive/), tag pages and search page (search = true in site.toml)"
            ),
        }
    }
}

fn outside(file: &Path, root: &Path) -> String {
    let content = root.join("content");
    let rel = file.strip_prefix(&content).unwrap_or(file);
    let is_top = rel.components().count() == 1;
    if is_top && super::discover::is_markdown(file) {
        let name = shown(rel);
        format!(
            "not in content/posts/ or content/pages/, the folders staffroom builds, so it is not built: move it to content/pages/{name} for a page, or content/posts/{name} for a post"
        )
    } else {
        "not in content/posts/ or content/pages/, the folders staffroom builds, so it is not built: move posts to content/posts/ and pages to content/pages/ (a post's images beside it in a folder NAME/index.md)".into()
    }
}

/// More files than this with one reason in one folder are named by their folder,
/// unless every file is asked for (`--verbose`).
const GROUP_OVER: usize = 3;

/// The summary's lines, or none when every file was built: a heading, then one line
/// per file (or per folder of many) with why and what to do. Paths are shown from
/// `root`; `language` is the site's.
pub fn summary(skipped: &[(PathBuf, Skip)], root: &Path, language: &str, all: bool) -> Vec<String> {
    if skipped.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![format!(
        "Not built: {} in content/:",
        crate::words::count(skipped.len(), "file")
    )];
    let mut grouped_any = false;
    for group in groups(skipped, root) {
        let (file, why) = &skipped[group[0]];
        let text = why.explain(file, root, language);
        if group.len() > GROUP_OVER && !all {
            grouped_any = true;
            let folder = group_folder(file, why, root);
            lines.push(format!(
                "  {}/ ({}): {text}",
                shown(folder.strip_prefix(root).unwrap_or(&folder)),
                crate::words::count(group.len(), "file")
            ));
        } else {
            for &i in &group {
                let file = &skipped[i].0;
                lines.push(format!(
                    "  {}: {text}",
                    shown(file.strip_prefix(root).unwrap_or(file))
                ));
            }
        }
    }
    if grouped_any {
        lines.push("  (`staffroom build --verbose` names each file)".into());
    }
    lines
}

/// Indices of `skipped` with one reason in one folder, in the order first met.
fn groups(skipped: &[(PathBuf, Skip)], root: &Path) -> Vec<Vec<usize>> {
    let mut groups: Vec<(PathBuf, &Skip, Vec<usize>)> = Vec::new();
    for (i, (file, why)) in skipped.iter().enumerate() {
        let folder = group_folder(file, why, root);
        // A file right in content/ is told on its own: its line says where to move it.
        let alone = folder == root.join("content");
        match groups
            .iter_mut()
            .find(|(f, w, _)| !alone && *f == folder && *w == why)
        {
            Some((_, _, members)) => members.push(i),
            None => groups.push((folder, why, vec![i])),
        }
    }
    groups.into_iter().map(|(_, _, members)| members).collect()
}

/// The folder a file is named by among many: for a file outside posts/ and pages/,
/// the folder of content/ it lies in; otherwise its own folder.
fn group_folder(file: &Path, why: &Skip, root: &Path) -> PathBuf {
    let content = root.join("content");
    if *why == Skip::Outside
        && let Ok(rel) = file.strip_prefix(&content)
        && rel.components().count() > 1
        && let Some(first) = rel.components().next()
    {
        return content.join(first);
    }
    file.parent().unwrap_or(file).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_files_of_one_folder_are_named_by_the_folder() {
        let root = Path::new("/s");
        let mut skipped: Vec<(PathBuf, Skip)> = (1..=5)
            .map(|i| (root.join(format!("content/post/p{i}.md")), Skip::Outside))
            .collect();
        skipped.push((root.join("content/about.md"), Skip::Outside));
        skipped.push((root.join("content/posts/a.txt"), Skip::NotMarkdown));
        let short = summary(&skipped, root, "en", false);
        assert_eq!(short[0], "Not built: 7 files in content/:");
        assert!(
            short[1].starts_with("  content/post/ (5 files): not in content/posts/"),
            "{short:?}"
        );
        assert!(short[2].starts_with("  content/about.md: not in content/posts/ or content/pages/, the folders staffroom builds, so it is not built: move it to content/pages/about.md"), "{short:?}");
        assert!(
            short[3].starts_with("  content/posts/a.txt: not Markdown"),
            "{short:?}"
        );
        assert!(short[4].contains("--verbose"));
        let all = summary(&skipped, root, "en", true);
        assert_eq!(all.len(), 8, "{all:?}");
        assert!(summary(&[], root, "en", false).is_empty());
    }
}
