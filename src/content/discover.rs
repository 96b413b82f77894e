//! Which files under `content/` are posts and pages, and which are not built and why.
//! A teacher who copies another generator's files by hand gets every one of them
//! either built or named: `.markdown` files, Hugo's `_index.md` and translations,
//! Jekyll's `_drafts/`, images beside a plain post.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Kind;
use super::inside::{self, SiteFolder};
use super::skipped::Skip;
use crate::error::Error;

/// The extensions Markdown files are saved with, by Jekyll, Hugo and editors.
const MARKDOWN: [&str; 5] = ["md", "markdown", "mdown", "mkd", "mkdn"];

/// Whether the file name ends in one of the Markdown extensions, in any case.
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| MARKDOWN.iter().any(|m| x.eq_ignore_ascii_case(m)))
}

/// A link's path (`other.md`, `../pages/about.markdown`) names a Markdown file.
pub fn links_to_markdown(path: &str) -> bool {
    is_markdown(Path::new(path))
}

/// Text that may hold a link to a Markdown file: `.md` also covers `.mdown`,
/// `.mkd` covers `.mkdn`.
pub fn may_link_to_markdown(text: &str) -> bool {
    let lower = |ext: &str| text.contains(ext) || text.contains(&ext.to_ascii_uppercase());
    lower(".md") || lower(".markdown") || lower(".mkd")
}

/// The Markdown file that makes a folder a bundle: `index.md` or `index.markdown`...
pub fn is_index(path: &Path) -> bool {
    is_markdown(path) && path.file_stem().is_some_and(|s| s == "index")
}

/// The bundle's own Markdown file in `dir`, if there is one.
pub fn bundle_index(dir: &Path) -> Option<PathBuf> {
    MARKDOWN
        .iter()
        .map(|x| dir.join(format!("index.{x}")))
        .find(|p| p.is_file())
}

/// What the walk of `content/` found.
#[derive(Default)]
pub struct Found {
    pub files: Vec<(PathBuf, Kind)>,
    pub skipped: Vec<(PathBuf, Skip)>,
    pub errors: Vec<Error>,
}

/// Every file under `content`: posts and pages to read, the rest named with why.
/// `language` is the site's, which decides which translation (`post.fr.md`) is built.
pub fn find(site: &SiteFolder, content: &Path, language: &str) -> Found {
    let mut found = Found::default();
    if !content.is_dir() {
        return found;
    }
    // Whether each folder holds a bundle's index, asked once per folder, not once per
    // image in it.
    let mut bundles = HashMap::new();
    let walker = walkdir::WalkDir::new(content)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| !super::is_hidden(e.file_name()));
    for entry in walker {
        let kind = entry.as_ref().ok().and_then(|e| kind_of(content, e.path()));
        let entry = match entry {
            Ok(e) => e,
            // Outside posts/ and pages/ nothing is read, so a broken link there only
            // goes unnamed; inside, it is the teacher's to fix.
            Err(e) => {
                let inside = e.path().is_some_and(|p| kind_of(content, p).is_some());
                if inside {
                    found.errors.push(inside::walk_error(e, content));
                }
                continue;
            }
        };
        // Folders and Markdown files are read here; a bundle's files are checked when
        // the bundle lists them, and any other file is only named.
        let read_here = entry.file_type().is_dir() || is_markdown(entry.path());
        if kind.is_some()
            && read_here
            && let Err(e) = site.check_entry(&entry)
        {
            found.errors.push(e);
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.into_path();
        match (kind, classify(content, &path, &mut bundles)) {
            (None, _) => found.skipped.push((path, Skip::Outside)),
            (Some(kind), Is::Markdown) => found.files.push((path, kind)),
            (Some(_), Is::Asset) => {}
            (Some(_), Is::Skipped(why)) => found.skipped.push((path, why)),
        }
    }
    pick_languages(&mut found, language);
    // The order of a walk sorted by name, which decides which of two files claiming
    // one URL is named first. Sorted here, not in the walk: walkdir's sort takes
    // each name apart again for every comparison, a tenth of a rebuild in `serve`.
    found.files.sort_by_cached_key(|(path, _)| walk_order(path));
    found
        .skipped
        .sort_by_cached_key(|(path, _)| walk_order(path));
    found
}

/// Posts in `content/posts/`, pages in `content/pages/`, nothing elsewhere.
fn kind_of(content: &Path, path: &Path) -> Option<Kind> {
    let rel = path.strip_prefix(content).ok()?;
    match rel.components().next()?.as_os_str().to_str()? {
        "posts" => Some(Kind::Post),
        "pages" => Some(Kind::Page),
        _ => None,
    }
}

/// What a file inside posts/ or pages/ is to the build.
enum Is {
    Markdown,
    /// A file of a bundle, copied beside its page.
    Asset,
    Skipped(Skip),
}

fn classify(content: &Path, path: &Path, bundles: &mut HashMap<PathBuf, bool>) -> Is {
    let rel = path.strip_prefix(content).unwrap_or(path);
    let in_drafts = rel
        .parent()
        .is_some_and(|p| p.components().any(|c| c.as_os_str() == "_drafts"));
    if in_drafts {
        return Is::Skipped(Skip::DraftsFolder);
    }
    if !is_markdown(path) {
        if in_bundle(content, path, bundles) {
            return Is::Asset;
        }
        let html = path
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| x.eq_ignore_ascii_case("html") || x.eq_ignore_ascii_case("htm"));
        return Is::Skipped(if html { Skip::Html } else { Skip::NotMarkdown });
    }
    if path.file_stem().is_some_and(|s| s == "_index") {
        return Is::Skipped(Skip::Section);
    }
    Is::Markdown
}

/// A file in a folder (or below one) that holds a bundle's `index.md`: copied beside
/// the bundle's page.
fn in_bundle(content: &Path, path: &Path, bundles: &mut HashMap<PathBuf, bool>) -> bool {
    path.ancestors()
        .skip(1)
        .take_while(|dir| *dir != content && dir.starts_with(content))
        .any(|dir| {
            *bundles
                .entry(dir.to_path_buf())
                .or_insert_with(|| bundle_index(dir).is_some())
        })
}

/// The language a file name gives, as Hugo writes translations: `post.fr.md`,
/// `post.pt-br.md`. Only ISO 639-1 codes count, so `notes.v2.md` is no translation.
pub fn language_of(path: &Path) -> Option<String> {
    let stem = Path::new(path.file_stem()?);
    let code = stem.extension()?.to_str()?;
    let (primary, region) = code.split_once('-').unwrap_or((code, ""));
    let region_ok = region.is_empty()
        || (region.len() <= 8 && region.chars().all(|c| c.is_ascii_alphanumeric()));
    let primary_ok = primary.len() == 2
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && isolang::Language::from_639_1(primary).is_some();
    (primary_ok && region_ok).then(|| code.to_string())
}

/// Whether a file's language suffix is the site's language: `fr` for `fr` or `fr-CA`.
pub fn is_site_language(code: &str, language: &str) -> bool {
    let primary = |l: &str| {
        l.split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    code.eq_ignore_ascii_case(language) || (!code.contains('-') && primary(language) == code)
}

/// Translations in another language than the site's are left out; one in the site's
/// language is built, and then the file it translates (Hugo's default language)
/// is left out in its favour.
fn pick_languages(found: &mut Found, language: &str) {
    let mut chosen = Vec::new();
    found.files.retain(|(path, _)| match language_of(path) {
        None => true,
        Some(code) if is_site_language(&code, language) => {
            chosen.push(path.clone());
            true
        }
        Some(code) => {
            found
                .skipped
                .push((path.clone(), Skip::Translation { language: code }));
            false
        }
    });
    for translation in chosen {
        let original = untranslated(&translation);
        if let Some(i) = found.files.iter().position(|(p, _)| *p == original) {
            let (path, _) = found.files.remove(i);
            found.skipped.push((
                path,
                Skip::OtherLanguage {
                    chosen: translation,
                },
            ));
        }
    }
}

/// `post.fr.md` → `post.md`.
pub fn untranslated(path: &Path) -> PathBuf {
    let stem = path.file_stem().map(Path::new);
    match (stem.and_then(Path::file_stem), path.extension()) {
        (Some(base), Some(ext)) => {
            let mut name = base.to_os_string();
            name.push(".");
            name.push(ext);
            path.with_file_name(name)
        }
        _ => path.to_path_buf(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn site_with(files: &[&str]) -> (tempfile::TempDir, Found) {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join("content").join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let site = SiteFolder::new(dir.path()).unwrap();
        let found = find(&site, &dir.path().join("content"), "en");
        (dir, found)
    }

    fn rel(dir: &tempfile::TempDir, p: &Path) -> String {
        let base = dir.path().join("content");
        p.strip_prefix(&base)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/")
    }

    #[test]
    fn files_are_found_in_walk_order() {
        let (dir, found) = site_with(&[
            "posts/b.md",
            "posts/a-b.md",
            "posts/a/index.md",
            "posts/a/z/index.md",
            "posts/a/y.md",
            "posts/A.md",
        ]);
        let names: Vec<_> = found.files.iter().map(|(p, _)| rel(&dir, p)).collect();
        assert_eq!(
            names,
            [
                "posts/A.md",
                "posts/a/index.md",
                "posts/a/y.md",
                "posts/a/z/index.md",
                "posts/a-b.md",
                "posts/b.md"
            ]
        );
    }

    #[test]
    fn every_file_is_built_or_named() {
        let (dir, found) = site_with(&[
            "posts/long.markdown",
            "posts/a.mdown",
            "posts/b.mkd",
            "posts/c.mkdn",
            "posts/Shout.MD",
            "posts/notes.txt",
            "posts/old.html",
            "posts/_index.md",
            "posts/_drafts/idea.md",
            "posts/trip/index.markdown",
            "posts/trip/photo.jpg",
            "posts/guide.md",
            "posts/guide.fr.md",
            "posts/intro.en.md",
            "about.md",
            "post/x.md",
            "pages/about.md",
        ]);
        let built: Vec<_> = found.files.iter().map(|(p, _)| rel(&dir, p)).collect();
        assert_eq!(
            built,
            [
                "pages/about.md",
                "posts/Shout.MD",
                "posts/a.mdown",
                "posts/b.mkd",
                "posts/c.mkdn",
                "posts/guide.md",
                "posts/intro.en.md",
                "posts/long.markdown",
                "posts/trip/index.markdown",
            ]
        );
        let skipped: Vec<_> = found
            .skipped
            .iter()
            .map(|(p, w)| format!("{} {w:?}", rel(&dir, p)))
            .collect();
        assert_eq!(
            skipped,
            [
                "about.md Outside",
                "post/x.md Outside",
                "posts/_drafts/idea.md DraftsFolder",
                "posts/_index.md Section",
                "posts/guide.fr.md Translation { language: \"fr\" }",
                "posts/notes.txt NotMarkdown",
                "posts/old.html Html",
            ]
        );
    }

    #[test]
    fn a_translation_in_the_sites_language_is_built_instead() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["posts/guide.md", "posts/guide.fr.md", "posts/guide.fa.md"] {
            let p = dir.path().join("content").join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let site = SiteFolder::new(dir.path()).unwrap();
        let found = find(&site, &dir.path().join("content"), "fr-CA");
        assert_eq!(found.files.len(), 1);
        assert!(found.files[0].0.ends_with("guide.fr.md"));
        let why: Vec<_> = found.skipped.iter().map(|(_, w)| w.clone()).collect();
        assert!(matches!(&why[0], Skip::Translation { language } if language == "fa"));
        assert!(
            matches!(&why[1], Skip::OtherLanguage { chosen } if chosen.ends_with("guide.fr.md"))
        );
    }

    #[test]
    fn language_suffixes_are_language_codes() {
        let l = |p: &str| language_of(Path::new(p));
        assert_eq!(l("post.fr.md").as_deref(), Some("fr"));
        assert_eq!(l("post.pt-br.markdown").as_deref(), Some("pt-br"));
        assert_eq!(l("post.md"), None);
        assert_eq!(l("notes.v2.md"), None);
        assert_eq!(l("notes.xx.md"), None);
        assert_eq!(l("v1.2.md"), None);
        assert!(is_site_language("fr", "fr-CA"));
        assert!(is_site_language("pt-br", "pt-BR"));
        assert!(!is_site_language("pt-br", "pt"));
        assert!(!is_site_language("fa", "en"));
        assert_eq!(untranslated(Path::new("a/b.fr.md")), Path::new("a/b.md"));
    }
}
