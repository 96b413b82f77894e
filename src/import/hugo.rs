//! A Hugo site's folder: posts from each section under `content/` (page bundles with
//! their files), pages from `content/*.md`, front matter in YAML or TOML, each old URL
//! (Hugo's default `/SECTION/SLUG/` or the `[permalinks]` pattern) kept as an alias.
//! `_index.md` files are list pages, not posts; translations are left out unless they
//! are in the site's language. Each is named in the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

use super::folder::{self, Draft, Old};
use super::front::{self, Map};
use super::jekyll::{aliases_for, file_date, markdown_under};
use super::model::{Asset, AssetFrom, Export, Item, ItemKind, Problem};
use super::permalink;
use crate::error::{Error, Location, Result};

const CONFIGS: [&str; 8] = [
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config/_default/hugo.toml",
    "config/_default/config.toml",
];

/// Layouts the theme makes for itself (staffroom has /archive/ and /search/).
const THEME_PAGES: [&str; 4] = ["archives", "search", "section", "list"];

struct Config {
    map: Map,
    languages: Vec<String>,
}

pub fn read(dir: &Path, site_language: &str) -> Result<Export> {
    let config = config(dir)?;
    let mut export = Export {
        old_base: config
            .map
            .get("baseURL")
            .or(config.map.get("baseurl"))
            .and_then(front::text),
        ..Export::default()
    };
    let content = dir.join("content");
    let mut drafts = Vec::new();
    let mut skipped: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let files = markdown_under(&content);
    let bundles: Vec<PathBuf> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "index.md"))
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .filter(|d| *d != content)
        .collect();
    for file in &files {
        let rel = file.strip_prefix(&content).unwrap_or(file);
        let rel_s = rel.to_string_lossy().replace('\\', "/");
        if let Some(why) = skip_reason(file, &bundles, &config, site_language) {
            skipped.entry(why).or_default().push(rel_s);
            continue;
        }
        let top = rel.components().count() == 1;
        match item(file, &rel_s, top, &config) {
            Ok(Some(d)) => {
                let noun = match (d.item.kind, d.item.front.draft) {
                    (ItemKind::Page, _) => "page",
                    (_, true) => "draft",
                    _ => "post",
                };
                *export.read.entry(noun).or_default() += 1;
                export.problems.extend(d.date_problem());
                drafts.push(d);
            }
            Ok(None) => skipped
                .entry("pages the theme made (archives, search) or hid (headless)")
                .or_default()
                .push(rel_s),
            Err(why) => export.problems.push(Problem {
                origin: format!("content/{rel_s}"),
                what: why,
                fix: "fix the file and import again; nothing else changes".into(),
            }),
        }
    }
    for (what, files) in skipped {
        export.problems.push(Problem {
            origin: "content/".into(),
            what: format!("not imported, {what}: {}", files.join(", ")),
            fix:
                "nothing to do, unless you want one of them: then copy its text into a post or page"
                    .into(),
        });
    }
    let mut site = BTreeMap::new();
    if let Some(t) = config.map.get("title").and_then(front::text) {
        site.insert("title".to_string(), t);
    }
    let statics = dir.join("static");
    let old = Old {
        statics: &statics,
        site: &site,
        liquid: false,
    };
    export.items = folder::finish(drafts, &old, &mut export.problems);
    export.problems.extend(left_out(dir));
    Ok(export)
}

/// Why a Markdown file of the old site is not imported, if it is not.
fn skip_reason(
    file: &Path,
    bundles: &[PathBuf],
    config: &Config,
    site_language: &str,
) -> Option<&'static str> {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let in_bundle = bundles
        .iter()
        .any(|b| file.starts_with(b) && file.parent() != Some(b.as_path()))
        || bundles
            .iter()
            .any(|b| file.parent() == Some(b.as_path()) && name != "index.md");
    if name.starts_with("_index.") {
        return Some("list pages (_index.md), which the theme makes");
    }
    if in_bundle && is_translation(&name, config).is_none() {
        return Some("files inside a page bundle");
    }
    let translated = match is_translation(&name, config) {
        Some(lang) => lang != site_language,
        // The site is in another language than the old one's default, and this
        // file has a translation into it: that one comes in instead.
        None => translation_of(file, site_language).is_file(),
    };
    translated.then_some("translations")
}

/// The old site's other files and folders (theme, settings), named in one line.
fn left_out(dir: &Path) -> Option<Problem> {
    let mut left: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let dir = e.file_type().is_ok_and(|t| t.is_dir());
                    if dir { format!("{name}/") } else { name }
                })
                .filter(|n| {
                    n != "content/" && !n.starts_with('.') && !CONFIGS.contains(&n.as_str())
                })
                .collect()
        })
        .unwrap_or_default();
    if left.is_empty() {
        return None;
    }
    left.sort();
    Some(Problem {
        origin: crate::error::shown(dir),
        what: format!(
            "left out: {} (the old theme, its files and settings; images that posts show were copied)",
            left.join(", ")
        ),
        fix: "staffroom's theme makes the pages; copy anything else you need into static/".into(),
    })
}

fn config(dir: &Path) -> Result<Config> {
    let mut map = Map::new();
    for name in CONFIGS {
        let file = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let parsed: std::result::Result<Map, String> = if name.ends_with(".toml") {
            toml::from_str::<toml::Table>(&text)
                .map(|t| {
                    t.into_iter()
                        .map(|(k, v)| (k, front::from_toml(v)))
                        .collect()
                })
                .map_err(|e| e.to_string())
        } else {
            serde_yaml_ng::from_str::<Map>(&text).map_err(|e| e.to_string())
        };
        map = parsed.map_err(|e| {
            Error::input(
                Location::file(&file),
                format!("the old site's settings cannot be read ({e})"),
            )
            .with_hint("fix the file (Hugo would refuse it too) and import again")
        })?;
        break;
    }
    let languages = match map.get("languages") {
        Some(Value::Mapping(m)) => m
            .keys()
            .filter_map(|k| k.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    Ok(Config { map, languages })
}

/// `post.fr.md` beside `post.md`.
fn translation_of(file: &Path, lang: &str) -> PathBuf {
    let stem = file.file_stem().unwrap_or_default().to_string_lossy();
    let ext = file.extension().unwrap_or_default().to_string_lossy();
    file.with_file_name(format!("{stem}.{lang}.{ext}"))
}

/// `post.fr.md` is the French translation of `post.md`: the language it is in, when
/// the site names it or it looks like a language code.
fn is_translation<'a>(name: &'a str, config: &Config) -> Option<&'a str> {
    let stem = name.rsplit_once('.')?.0;
    let (_, lang) = stem.rsplit_once('.')?;
    let looks = lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase());
    (config.languages.iter().any(|l| l == lang) || looks).then_some(lang)
}

fn item(
    file: &Path,
    rel: &str,
    top: bool,
    config: &Config,
) -> std::result::Result<Option<Draft>, String> {
    let raw = front::read(file)?;
    let layout = ["layout", "type"]
        .iter()
        .filter_map(|k| raw.map.get(*k).and_then(front::text))
        .any(|l| THEME_PAGES.contains(&l.as_str()));
    if layout || raw.map.get("headless").and_then(Value::as_bool) == Some(true) {
        return Ok(None);
    }
    let bundle = file
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("index."));
    let path = Path::new(rel);
    let filename = if bundle {
        path.parent().map(name_of).unwrap_or_default()
    } else {
        name_of(path)
    };
    let mut m = front::map_front(raw.map);
    for key in ["publishDate", "pubdate", "publishdate"] {
        if let Some(v) = m.front.extra.remove(key)
            && m.front.date.is_none()
        {
            m.front.date =
                front::text(&v).and_then(|d| crate::content::front_matter::parse_date(&d));
        }
    }
    let kind = if top { ItemKind::Page } else { ItemKind::Post };
    if m.front.title.is_empty() {
        if kind == ItemKind::Page {
            return Ok(None);
        }
        m.front.title = front::title_from(&filename);
    }
    let old_slug = m.slug.clone().unwrap_or_else(|| filename.clone());
    let slug = crate::site::urls::slugify(&old_slug).unwrap_or_else(|| "post".into());
    let dated_by_file =
        kind == ItemKind::Post && m.front.date.is_none() && m.front.updated.is_none();
    if kind == ItemKind::Post && m.front.date.is_none() {
        m.front.date = m.front.updated.or_else(|| file_date(file));
    }
    let dirs: Vec<String> = path
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let dirs = if bundle {
        &dirs[..dirs.len().saturating_sub(1)]
    } else {
        &dirs[..]
    };
    let section = dirs.first().cloned().unwrap_or_default();
    let old_url = m.url.clone().or_else(|| {
        let title = crate::site::urls::slugify(&m.front.title).unwrap_or_default();
        let mut fields = permalink::date_fields(m.front.date);
        fields.insert("section", section.clone());
        fields.insert("sections", dirs.join("/"));
        fields.insert("title", title.clone());
        fields.insert("slug", m.slug.clone().unwrap_or(title));
        fields.insert("filename", filename.clone());
        fields.insert("contentbasename", filename.clone());
        fields.insert("slugorfilename", old_slug.clone());
        let pattern =
            pattern_for(config, &section).unwrap_or_else(|| "/:sections/:slugorfilename/".into());
        permalink::expand(&pattern, &fields).map(|u| u.to_lowercase())
    });
    // A relative alias is relative to the page's folder, as Hugo reads it.
    let here = dirs.join("/");
    let aliases = relative_aliases(std::mem::take(&mut m.front.aliases), &here);
    let new = match kind {
        ItemKind::Post => format!("/posts/{slug}/"),
        ItemKind::Page => format!("/{slug}/"),
    };
    m.front.aliases = aliases_for(aliases.into_iter().chain(old_url), &new);
    if kind == ItemKind::Page {
        m.front.date = None;
    }
    let assets = if bundle {
        bundle_files(file)
    } else {
        Vec::new()
    };
    // staffroom's summary marker has spaces in it.
    let body = raw.body.replace("<!--more-->", "<!-- more -->");
    Ok(Some(Draft {
        item: Item {
            kind,
            origin: format!("content/{rel}"),
            slug,
            front: m.front,
            body,
            assets,
            responses: Vec::new(),
        },
        rel: rel.to_string(),
        dated_by_file,
    }))
}

/// A file's name without extension or language: `post.fr.md` is `post`.
fn name_of(p: &Path) -> String {
    let n = p.file_stem().unwrap_or_default().to_string_lossy();
    n.split('.').next().unwrap_or(&n).to_string()
}

/// Aliases as Hugo reads them: a relative one is relative to the page's folder, and
/// one without a file name is a folder.
fn relative_aliases(aliases: Vec<String>, here: &str) -> Vec<String> {
    aliases
        .into_iter()
        .map(|a| {
            let a = if a.starts_with('/') || here.is_empty() {
                a
            } else {
                format!("/{here}/{a}")
            };
            if a.ends_with('/') || a.rsplit('/').next().is_some_and(|l| l.contains('.')) {
                a
            } else {
                format!("{a}/")
            }
        })
        .collect()
}

/// `[permalinks]` for a section: `posts = "/:year/:slug/"`, or under `page` in newer
/// Hugo (`[permalinks.page]`).
fn pattern_for(config: &Config, section: &str) -> Option<String> {
    let p = config.map.get("permalinks")?;
    p.get(section)
        .and_then(Value::as_str)
        .or_else(|| p.get("page")?.get(section)?.as_str())
        .map(String::from)
}

/// The files of a page bundle (not its Markdown), by their path inside it.
fn bundle_files(index: &Path) -> Vec<Asset> {
    let Some(dir) = index.parent() else {
        return Vec::new();
    };
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.path().extension().is_none_or(|x| x != "md"))
        .map(|e| Asset {
            name: e
                .path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .to_string_lossy()
                .replace('\\', "/"),
            from: AssetFrom::File(e.into_path()),
        })
        .collect()
}
