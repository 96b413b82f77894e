//! A Jekyll site's folder: posts from `_posts/` (dates and slugs from the file names
//! when the front matter has none), drafts from `_drafts/`, the top-level pages with a
//! title, each old URL (from `_config.yml`'s `permalink`) kept as an alias.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use serde_yaml_ng::Value;

use super::folder::{self, Draft, Old};
use super::front::{self, Map};
use super::model::{Export, Item, ItemKind, Problem};
use super::permalink;
use crate::error::{Error, Location, Result};

const MARKDOWN: [&str; 6] = ["md", "markdown", "mdown", "mkd", "mkdn", "mkdown"];
const NOT_PAGES: [&str; 7] = ["index", "404", "feed", "atom", "rss", "sitemap", "readme"];

pub fn read(dir: &Path) -> Result<Export> {
    let config = config(dir)?;
    let site: BTreeMap<String, String> = config
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), front::text(v)?)))
        .collect();
    let posts_permalink = config
        .get("collections")
        .and_then(|c| c.get("posts"))
        .and_then(|p| p.get("permalink"))
        .or(config.get("permalink"))
        .and_then(Value::as_str);
    let pattern = permalink::jekyll_pattern(posts_permalink);
    let pretty_pages = config.get("permalink").and_then(Value::as_str) == Some("pretty");
    let mut export = Export {
        old_base: site.get("url").map(|u| {
            let base = site.get("baseurl").map_or("", String::as_str);
            format!("{}{}/", u.trim_end_matches('/'), base.trim_end_matches('/'))
        }),
        ..Export::default()
    };
    let mut drafts = Vec::new();
    for (sub, draft) in [("_posts", false), ("_drafts", true)] {
        for file in markdown_under(&dir.join(sub)) {
            let rel = rel(dir, &file);
            match post(&file, &rel, draft, &pattern) {
                Ok(d) => {
                    *export
                        .read
                        .entry(if draft { "draft" } else { "post" })
                        .or_default() += 1;
                    export.problems.extend(d.date_problem());
                    drafts.push(d);
                }
                Err(why) => export.problems.push(Problem {
                    origin: rel,
                    what: why,
                    fix: "fix the file and import again; nothing else changes".into(),
                }),
            }
        }
    }
    let mut left_out = Vec::new();
    for entry in sorted_entries(dir) {
        let name = entry
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if let Some(d) = page(&entry, &name, pretty_pages) {
            *export.read.entry("page").or_default() += 1;
            drafts.push(d);
        } else if !matches!(name.as_str(), "_posts" | "_drafts" | "_config.yml")
            && !name.starts_with('.')
        {
            left_out.push(if entry.is_dir() {
                format!("{name}/")
            } else {
                name
            });
        }
    }
    let old = Old {
        statics: dir,
        site: &site,
        liquid: true,
    };
    export.items = folder::finish(drafts, &old, &mut export.problems);
    if !left_out.is_empty() {
        export.problems.push(Problem {
            origin: crate::error::shown(dir),
            what: format!("left out: {} (the old theme, feeds and other files; images that posts show were copied)", left_out.join(", ")),
            fix: "staffroom's theme makes the pages; copy anything else you need into static/".into(),
        });
    }
    Ok(export)
}

fn config(dir: &Path) -> Result<Map> {
    let file = dir.join("_config.yml");
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Ok(Map::new());
    };
    match serde_yaml_ng::from_str::<Value>(&text) {
        Ok(Value::Mapping(m)) => Ok(m
            .into_iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v)))
            .collect()),
        Ok(_) => Ok(Map::new()),
        Err(e) => {
            let line = e.location().map(|l| l.line());
            Err(Error::input(
                Location {
                    file,
                    line,
                    column: None,
                },
                format!("the old site's settings are not valid YAML ({e})"),
            )
            .with_hint("fix _config.yml (Jekyll would refuse it too) and import again"))
        }
    }
}

fn rel(dir: &Path, file: &Path) -> String {
    let r = file.strip_prefix(dir).unwrap_or(file);
    r.to_string_lossy().replace('\\', "/")
}

pub fn markdown_under(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| MARKDOWN.contains(&x.to_string_lossy().as_ref()))
        })
        .collect()
}

fn sorted_entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// `2014-3-3-my-post` → the day and `my-post`.
pub fn dated_name(stem: &str) -> Option<(DateTime<FixedOffset>, &str)> {
    let mut parts = stem.splitn(4, '-');
    let (y, m, d, rest) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let short = |s: &str, n: usize| s.len() <= n && s.chars().all(|c| c.is_ascii_digit());
    if y.len() != 4 || !short(y, 4) || !short(m, 2) || !short(d, 2) || rest.is_empty() {
        return None;
    }
    let day = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    let utc = FixedOffset::east_opt(0)?;
    Some((
        utc.from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
            .single()?,
        rest,
    ))
}

/// The file's time of last change, for a draft without a date: the same on each
/// import, so a second one changes nothing.
pub fn file_date(file: &Path) -> Option<DateTime<FixedOffset>> {
    let modified = std::fs::metadata(file).ok()?.modified().ok()?;
    let utc: DateTime<chrono::Utc> = modified.into();
    Some(
        utc.date_naive()
            .and_hms_opt(0, 0, 0)?
            .and_utc()
            .fixed_offset(),
    )
}

fn post(file: &Path, rel: &str, draft: bool, pattern: &str) -> std::result::Result<Draft, String> {
    let raw = front::read(file)?;
    let stem = file
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let (name_date, name) = match dated_name(&stem) {
        Some((d, n)) => (Some(d), n.to_string()),
        None if draft => (None, stem.clone()),
        None => {
            return Err(
                "is not a post: Jekyll only publishes posts named YEAR-MONTH-DAY-title.md".into(),
            );
        }
    };
    let mut m = front::map_front(raw.map);
    let old_slug = m.slug.clone().unwrap_or_else(|| name.clone());
    let slug = crate::site::urls::slugify(&old_slug).unwrap_or_else(|| "post".into());
    let fm = &mut m.front;
    let dated_by_file = fm.date.is_none() && name_date.is_none();
    fm.date = fm.date.or(name_date).or_else(|| file_date(file));
    fm.draft |= draft;
    if fm.title.is_empty() {
        fm.title = front::title_from(&name);
    }
    let old_url = m.url.clone().or_else(|| {
        let mut fields = permalink::date_fields(fm.date);
        let cats: Vec<String> = fm.categories.iter().map(|c| c.to_lowercase()).collect();
        fields.insert("categories", cats.join("/"));
        fields.insert("title", old_slug.clone());
        fields.insert(
            "slug",
            crate::site::urls::slugify(&old_slug).unwrap_or_default(),
        );
        fields.insert("name", name.clone());
        fields.insert("output_ext", ".html".into());
        permalink::expand(pattern, &fields)
    });
    let aliases = std::mem::take(&mut fm.aliases);
    fm.aliases = aliases_for(
        aliases.into_iter().chain(old_url),
        &format!("/posts/{slug}/"),
    );
    Ok(Draft {
        item: Item {
            kind: ItemKind::Post,
            origin: rel.to_string(),
            slug,
            front: m.front,
            body: raw.body,
            assets: Vec::new(),
            responses: Vec::new(),
        },
        rel: rel.to_string(),
        dated_by_file,
    })
}

/// Old addresses as site paths, each once, without the new one.
pub fn aliases_for(old: impl Iterator<Item = String>, new: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in old {
        let a = a.trim();
        if a.is_empty() || a.contains("://") {
            continue;
        }
        let a = if a.starts_with('/') {
            a.to_string()
        } else {
            format!("/{a}")
        };
        if a != new && a.trim_end_matches('/') != new.trim_end_matches('/') && !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// A top-level Markdown file with a title is a page; the home page, 404 and feeds
/// are the theme's.
fn page(file: &Path, name: &str, pretty: bool) -> Option<Draft> {
    let ext = file.extension()?.to_string_lossy().into_owned();
    if !file.is_file() || !MARKDOWN.contains(&ext.as_str()) {
        return None;
    }
    let stem = name.strip_suffix(&format!(".{ext}"))?;
    if NOT_PAGES.contains(&stem.to_lowercase().as_str()) {
        return None;
    }
    let raw = front::read(file).ok()?;
    let mut m = front::map_front(raw.map);
    if m.front.title.is_empty() {
        return None;
    }
    let slug = crate::site::urls::slugify(m.slug.as_deref().unwrap_or(stem))?;
    let old = m.url.clone().unwrap_or_else(|| {
        if pretty {
            format!("/{stem}/")
        } else {
            format!("/{stem}.html")
        }
    });
    let aliases = std::mem::take(&mut m.front.aliases);
    m.front.aliases = aliases_for(aliases.into_iter().chain([old]), &format!("/{slug}/"));
    m.front.date = None;
    Some(Draft {
        item: Item {
            kind: ItemKind::Page,
            origin: name.to_string(),
            slug,
            front: m.front,
            body: raw.body,
            assets: Vec::new(),
            responses: Vec::new(),
        },
        rel: name.to_string(),
        dated_by_file: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_give_dates_and_slugs() {
        let (d, slug) = dated_name("2014-3-3-my-post").unwrap();
        assert_eq!(
            (d.to_rfc3339().as_str(), slug),
            ("2014-03-03T00:00:00+00:00", "my-post")
        );
        assert!(dated_name("about").is_none());
        assert!(dated_name("2014-13-03-x").is_none());
    }
}
