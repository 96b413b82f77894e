//! The front matter of a Jekyll or Hugo file as written (YAML or TOML), and staffroom's
//! made from it (DESIGN.md "Moving in"): `published: false` is a draft, `redirect_from`
//! and `aliases` are aliases, `lastmod` is `updated`, `excerpt` and `description` are
//! `summary`, a categories text is a list; unknown keys are kept in `extra`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::Value;

use super::model::FrontMatter;
use crate::content::front_matter::{block, parse_date};

pub type Map = BTreeMap<String, Value>;

/// A Markdown file of the old site, split, nothing mapped yet.
pub struct Raw {
    pub map: Map,
    pub body: String,
}

/// The front matter as written (YAML between `---`, TOML between `+++`) and the body.
/// A file without front matter has an empty map.
pub fn read(path: &Path) -> Result<Raw, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read ({e})"))?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let Some((fence, closed)) = block(text) else {
        return Ok(Raw {
            map: Map::new(),
            body: text.to_string(),
        });
    };
    let (raw, body) =
        closed.ok_or_else(|| format!("its front matter opened with `{fence}` is never closed"))?;
    let map = if fence == "---" {
        match serde_yaml_ng::from_str::<Value>(raw) {
            Ok(Value::Mapping(m)) => m
                .into_iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v)))
                .collect(),
            Ok(_) => Map::new(),
            Err(e) => return Err(format!("its front matter is not valid YAML ({e})")),
        }
    } else {
        let table: toml::Table =
            toml::from_str(raw).map_err(|e| format!("its front matter is not valid TOML ({e})"))?;
        table.into_iter().map(|(k, v)| (k, from_toml(v))).collect()
    };
    Ok(Raw {
        map,
        // `write` puts one empty line after the front matter.
        body: text[body..].trim_start_matches(['\r', '\n']).to_string(),
    })
}

pub fn from_toml(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::Number(i.into()),
        toml::Value::Float(f) => Value::Number(f.into()),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Sequence(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => Value::Mapping(
            t.into_iter()
                .map(|(k, v)| (Value::String(k), from_toml(v)))
                .collect(),
        ),
    }
}

pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list, or a text split at commas (or at spaces when it has none: Jekyll's
/// `categories: jekyll update`).
pub fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Sequence(s) => s.iter().filter_map(text).collect(),
        v => {
            let t = text(v).unwrap_or_default();
            let parts: Vec<&str> = if t.contains(',') {
                t.split(',').collect()
            } else {
                t.split_whitespace().collect()
            };
            parts
                .into_iter()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect()
        }
    }
}

/// The keys staffroom reads, taken out of the map; what is left goes to `extra`.
pub struct Mapped {
    pub front: FrontMatter,
    /// `slug`, which names the old URL's last part.
    pub slug: Option<String>,
    /// Jekyll's `permalink` or Hugo's `url`: this post's own old URL.
    pub url: Option<String>,
}

pub fn map_front(mut map: Map) -> Mapped {
    let mut take = |k: &str| map.remove(k);
    let mut fm = FrontMatter {
        title: take("title").as_ref().and_then(text).unwrap_or_default(),
        date: take("date")
            .as_ref()
            .and_then(text)
            .and_then(|d| parse_date(&d)),
        ..FrontMatter::default()
    };
    for key in ["updated", "lastmod", "last_modified_at", "modified"] {
        if let Some(d) = take(key)
            .as_ref()
            .and_then(text)
            .and_then(|d| parse_date(&d))
        {
            fm.updated = fm.updated.max(Some(d));
        }
    }
    fm.draft = take("draft").is_some_and(|v| v.as_bool() == Some(true))
        | take("published").is_some_and(|v| v.as_bool() == Some(false));
    fm.tags = take("tags").as_ref().map(list).unwrap_or_default();
    let mut categories = take("categories").as_ref().map(list).unwrap_or_default();
    categories.extend(take("category").as_ref().map(list).unwrap_or_default());
    fm.categories = categories;
    for key in ["summary", "excerpt", "description"] {
        if fm.summary.is_none() {
            fm.summary = take(key).as_ref().and_then(text);
        }
    }
    for key in ["aliases", "redirect_from"] {
        fm.aliases
            .extend(take(key).as_ref().map(list).unwrap_or_default());
    }
    let slug = take("slug").as_ref().and_then(text);
    let url = take("permalink")
        .or_else(|| take("url"))
        .as_ref()
        .and_then(text);
    // Keys staffroom reads with another meaning keep their value under another name,
    // so the build does not refuse them (`menu: main` is not true or false).
    let renamed: Vec<(&str, Value)> = [("menu", "old_menu"), ("image", "old_image")]
        .into_iter()
        .filter_map(|(key, renamed)| Some((renamed, take(key)?)))
        .collect();
    map.extend(renamed.into_iter().map(|(k, v)| (k.to_string(), v)));
    fm.extra = map;
    Mapped {
        front: fm,
        slug,
        url,
    }
}

/// The title of a post that has none, from its file name: `whats-new` → "Whats new".
pub fn title_from(slug: &str) -> String {
    let words = slug.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jekyll_front_matter_is_mapped() {
        let raw: Map = serde_yaml_ng::from_str(
            "title: Hi\ndate: 2014-12-17 11:16:21 -0800\npublished: false\ncategories: jekyll update\n\
             excerpt: Short\nredirect_from: /old/\nlast_modified_at: 2015-01-01\nlayout: post\nmenu: main\n",
        )
        .unwrap();
        let m = map_front(raw);
        assert_eq!(m.front.title, "Hi");
        assert!(m.front.draft);
        assert_eq!(m.front.categories, ["jekyll", "update"]);
        assert_eq!(m.front.summary.as_deref(), Some("Short"));
        assert_eq!(m.front.aliases, ["/old/"]);
        assert_eq!(
            m.front.date.unwrap().to_rfc3339(),
            "2014-12-17T11:16:21-08:00"
        );
        assert!(m.front.updated.is_some());
        assert_eq!(
            m.front.extra.keys().collect::<Vec<_>>(),
            ["layout", "old_menu"]
        );
    }
}
