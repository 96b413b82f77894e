//! `data/responses/`: responses from outside the network, one file per response, in
//! TOML (easy to write by hand) or JSON. `webmention import` writes TOML files here;
//! a teacher can write, edit or delete them like any other file of the site.
//!
//! ```toml
//! target = "https://name.github.io/blog/posts/density-lesson/"  # your post
//! url = "https://colleague.example.org/2024/05/floating-fruit/" # their response
//! kind = "reply"            # reply, like, repost or mention (the default)
//! author = "Sam Lee"
//! author_url = "https://colleague.example.org/"
//! blog = "Sam's Classroom"
//! title = "Floating fruit"
//! date = 2024-05-02         # or "2024-05-02T08:30:00Z"
//! content = "We tried your bucket lesson with oranges..."
//! ```

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::Kind;
use crate::error::{Error, Location, Result, line_col};

pub const RESPONSES_DIR: &str = "data/responses";

/// One response as written in a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stored {
    /// The post on this site it responds to.
    pub target: String,
    /// The response's own address.
    #[serde(alias = "source")]
    pub url: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author_url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub blog: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(
        default,
        deserialize_with = "date_any",
        serialize_with = "date_rfc3339",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<DateTime<Utc>>,
    /// Plain text; the page shows the start of it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content: String,
}

/// A file that was read, for messages that name it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    pub response: Stored,
}

/// TOML writes dates bare (`date = 2024-05-02`), JSON as strings; both are accepted,
/// as a date or an RFC 3339 time.
fn date_any<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<DateTime<Utc>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Any {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Any::deserialize(d)? {
        Any::Text(s) => s,
        Any::Toml(t) => t.to_string(),
    };
    parse_date(&text).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`{text}` is not a date; write it like 2024-05-02 or 2024-05-02T08:30:00Z"
        ))
    })
}

fn date_rfc3339<S: serde::Serializer>(
    d: &Option<DateTime<Utc>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        None => s.serialize_none(),
    }
}

/// An RFC 3339 time, or a bare date (taken as midnight UTC).
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.to_utc());
    }
    // A TOML local date-time has no offset; UTC is the least surprising reading.
    if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(d.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// Every response file, sorted by file name so builds are reproducible. All bad files
/// are reported together.
pub fn load_all(root: &Path) -> Result<Vec<Loaded>> {
    let dir = root.join(RESPONSES_DIR);
    let read = match std::fs::read_dir(&dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    // A response file linked to one outside the site would have its text shown in
    // the pages (or in an error message, in a CI log). The folder is resolved once;
    // only the links in it need resolving again.
    let site = crate::content::inside::SiteFolder::new(root)?;
    site.check(&dir)?;
    let mut paths = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| Error::io(&dir, e))?;
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if !hidden && matches!(ext, "toml" | "json") && path.is_file() {
            if entry.file_type().is_ok_and(|t| t.is_symlink()) {
                site.check(&path)?;
            }
            paths.push(path);
        }
    }
    paths.sort();
    Error::all(
        paths
            .into_iter()
            .map(|path| load_one(&path).map(|response| Loaded { path, response })),
    )
}

pub fn load_one(path: &Path) -> Result<Stored> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let is_json = path.extension().is_some_and(|e| e == "json");
    let hint = "a response file needs `target` (your post's address) and `url` (the response's address); see docs/THEMES.md";
    let stored: Stored = if is_json {
        serde_json::from_str(&text).map_err(|e| {
            Error::input(
                Location::line(path, e.line()).with_column(Some(e.column())),
                e.to_string().replace('`', "'"),
            )
            .with_hint(hint)
        })?
    } else {
        toml::from_str(&text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_col(&text, s.start))
                .map_or((None, None), |(l, c)| (Some(l), Some(c)));
            let location = Location {
                file: path.to_path_buf(),
                line,
                column,
            };
            Error::input(location, e.message().trim().replace('`', "'")).with_hint(hint)
        })?
    };
    for (key, value) in [("target", &stored.target), ("url", &stored.url)] {
        if super::normalize::normalize(value, None).is_none() {
            let line = text
                .lines()
                .position(|l| {
                    let l = l.trim_start().trim_start_matches('"');
                    l.starts_with(key) || (key == "url" && l.starts_with("source"))
                })
                .map_or(1, |i| i + 1);
            return Err(Error::input(
                Location::line(path, line),
                format!("`{key}` must be a full http(s) address, not `{value}`"),
            )
            .with_hint(hint));
        }
    }
    Ok(stored)
}

/// Write one response as TOML, atomically; an existing file is left alone.
pub fn save(root: &Path, name: &str, stored: &Stored) -> Result<PathBuf> {
    let path = root.join(RESPONSES_DIR).join(name);
    let text = toml::to_string(stored).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    crate::output::write_atomically(&path, text.as_bytes(), true)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(RESPONSES_DIR).join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn toml_and_json_files_load_with_their_dates() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.toml",
            "target = \"https://t.org/posts/x/\"\nurl = \"https://r.org/1\"\nkind = \"like\"\ndate = 2024-05-02\n",
        );
        write(
            dir.path(),
            "b.json",
            r#"{"target": "https://t.org/posts/x/", "source": "https://r.org/2", "date": "2024-05-03T10:00:00+02:00"}"#,
        );
        write(dir.path(), "notes.txt", "ignored");
        let all = load_all(dir.path()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].response.kind, Kind::Like);
        assert_eq!(
            all[0].response.date.unwrap().to_rfc3339(),
            "2024-05-02T00:00:00+00:00"
        );
        assert_eq!(all[1].response.kind, Kind::Mention);
        assert_eq!(
            all[1].response.date.unwrap().to_rfc3339(),
            "2024-05-03T08:00:00+00:00"
        );
    }

    #[test]
    fn bad_files_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "bad.toml",
            "target = \"https://t.org/posts/x/\"\nurl = \"https://r.org/1\"\nkind = \"liked\"\n",
        );
        write(
            dir.path(),
            "bad.json",
            "{\n  \"target\": \"https://t.org/\",\n  \"url\": 3\n}",
        );
        write(
            dir.path(),
            "date.toml",
            "target = \"https://t.org/posts/x/\"\nurl = \"https://r.org/1\"\n\ndate = \"last tuesday\"\n",
        );
        write(
            dir.path(),
            "rel.toml",
            "target = \"/posts/x/\"\nurl = \"https://r.org/1\"\n",
        );
        let err = load_all(dir.path()).unwrap_err().to_string();
        assert!(err.contains("bad.toml:3:8"), "{err}");
        assert!(err.contains("unknown variant"), "{err}");
        assert!(err.contains("bad.json:3:"), "{err}");
        assert!(err.contains("date.toml:4:"), "{err}");
        assert!(err.contains("last tuesday"), "{err}");
        assert!(err.contains("rel.toml:1: `target` must be a full"), "{err}");
        assert!(err.contains("4 problems found"), "{err}");
    }

    #[test]
    fn saved_files_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let s = Stored {
            target: "https://t.org/posts/x/".into(),
            url: "https://r.org/1".into(),
            kind: Kind::Repost,
            author: "Sam \"Q\" Lee".into(),
            date: parse_date("2024-05-02T08:30:00Z"),
            ..Default::default()
        };
        let p = save(dir.path(), "r.toml", &s).unwrap();
        assert_eq!(load_one(&p).unwrap(), s);
    }
}
