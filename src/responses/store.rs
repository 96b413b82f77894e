//! `data/responses/`: responses from outside the network, one file per response, in
//! TOML (easy to write by hand) or JSON, in sub-folders if the teacher likes
//! (`imported/hello-world/`). `webmention import` and `import` write TOML files here;
//! a teacher can write, edit or delete them like any other file of the site.
//!
//! ```toml
//! target = "https://name.github.io/blog/posts/density-lesson/"  # your post or page,
//!                                # or its site path: "/posts/density-lesson/"
//! url = "https://colleague.example.org/2024/05/floating-fruit/" # their response;
//!                                # a comment has none
//! kind = "reply"            # comment, pingback, trackback, reply, like, repost, mention
//! id = "wp-12"              # optional: its name on the page (default: the file's stem)
//! in_reply_to = "wp-11"     # optional: the id of the response it answers
//! author = "Sam Lee"
//! author_url = "https://colleague.example.org/"
//! avatar = "avatars/sam.png" # optional: a picture under data/responses/
//! blog = "Sam's Classroom"
//! title = "Floating fruit"
//! date = 2024-05-02         # or "2024-05-02T08:30:00Z"
//! content = "We tried your bucket lesson with oranges..."  # plain text, or:
//! html = "<p>We tried <em>your</em> lesson</p>"            # sanitized at build
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
    /// The post or page on this site it responds to: an absolute address, or a site
    /// path (`/posts/x/`) that gets base_url's path in front.
    pub target: String,
    /// Its name among the responses to the same target; the file's stem when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The `id` of the response it answers, on the same target.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub in_reply_to: String,
    /// The response's own address; a comment has none.
    #[serde(default, alias = "source", skip_serializing_if = "String::is_empty")]
    pub url: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author_url: String,
    /// A picture file under data/responses/, copied into the site.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub avatar: String,
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
    /// HTML, sanitized when the site is built.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub html: String,
}

/// A file that was read, for messages that name it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    pub response: Stored,
    /// `response.id`, or the file's stem when the file names none.
    pub id: String,
    /// Lines of `id` and `in_reply_to` in the file, for messages.
    pub id_line: Option<usize>,
    pub reply_line: Option<usize>,
    /// The avatar's file, and its path in the site (`responses/avatars/x.png`).
    pub avatar: Option<(PathBuf, String)>,
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

/// Every response file, in sub-folders too, sorted by path so builds are
/// reproducible. All bad files are reported together.
pub fn load_all(root: &Path) -> Result<Vec<Loaded>> {
    let dir = root.join(RESPONSES_DIR);
    if std::fs::symlink_metadata(&dir).is_err() {
        return Ok(Vec::new());
    }
    // A response file linked to one outside the site would have its text shown in
    // the pages (or in an error message, in a CI log): every link is resolved.
    let site = crate::content::inside::SiteFolder::new(root)?;
    let walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    let mut paths = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|e| crate::content::inside::walk_error(e, &dir))?;
        site.check_entry(&entry)?;
        let ext = entry.path().extension().and_then(|e| e.to_str());
        if entry.file_type().is_file() && matches!(ext, Some("toml" | "json")) {
            paths.push(entry.into_path());
        }
    }
    // Sorted here rather than in the walk, so `a/z.toml` comes before `a-b.toml`
    // the same way on every system.
    paths.sort();
    Error::all(paths.into_iter().map(|path| load(root, &site, path)))
}

fn load(root: &Path, site: &crate::content::inside::SiteFolder, path: PathBuf) -> Result<Loaded> {
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let response = parse(&path, &text)?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let id_line = (!response.id.is_empty()).then(|| line_of(&text, "id").unwrap_or(1));
    let id = if response.id.is_empty() {
        stem.unwrap_or_default()
    } else {
        response.id.clone()
    };
    let at = |line: Option<usize>| match line {
        Some(l) => Location::line(&path, l),
        None => Location::file(&path),
    };
    // Only an id the page links to must make a clean anchor: a file from before ids
    // (it has an address of its own) may be called anything.
    let anchored = id_line.is_some() || response.url.is_empty();
    let clean = !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c));
    if anchored && !clean {
        let what = if id_line.is_some() {
            format!("`id = \"{id}\"`")
        } else {
            format!("this response's id is its file name, `{id}`, which")
        };
        return Err(Error::input(
            at(id_line),
            format!("{what} may hold only letters, digits, `-`, `_` and `.` (the page links to the response as #response-ID)"),
        )
        .with_hint("write an `id` such as `wp-12` or `anne-2024-05-02` in the file, or rename the file"));
    }
    let avatar = match response.avatar.as_str() {
        "" => None,
        a => Some(super::avatar::find(root, site, &response.avatar).map_err(|why| {
            Error::input(Location::line(&path, line_of(&text, "avatar").unwrap_or(1)), format!("`avatar = \"{a}\"` {why}"))
                .with_hint("put the picture in data/responses/ (for example data/responses/avatars/anne.png) and write its path from there: avatar = \"avatars/anne.png\"")
        })?),
    };
    Ok(Loaded {
        reply_line: line_of(&text, "in_reply_to"),
        path,
        response,
        id,
        id_line,
        avatar,
    })
}

/// The line a key is written on.
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches('"');
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(['=', ':', '"']))
        })
        .map(|i| i + 1)
}

pub fn load_one(path: &Path) -> Result<Stored> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(path, &text)
}

fn parse(path: &Path, text: &str) -> Result<Stored> {
    let is_json = path.extension().is_some_and(|e| e == "json");
    let hint = "a response file needs `target` (your post's or page's address, or its path like /posts/my-post/) and, unless it is a comment, `url` (the response's address); see docs/THEMES.md";
    let stored: Stored = if is_json {
        serde_json::from_str(text).map_err(|e| {
            Error::input(
                Location::line(path, e.line()).with_column(Some(e.column())),
                e.to_string().replace('`', "'"),
            )
            .with_hint(hint)
        })?
    } else {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_col(text, s.start))
                .map_or((None, None), |(l, c)| (Some(l), Some(c)));
            let location = Location {
                file: path.to_path_buf(),
                line,
                column,
            };
            Error::input(location, e.message().trim().replace('`', "'")).with_hint(hint)
        })?
    };
    let target_ok = stored.target.starts_with('/') && !stored.target.starts_with("//")
        || super::normalize::normalize(&stored.target, None).is_some();
    let url_ok = stored.url.is_empty() || super::normalize::normalize(&stored.url, None).is_some();
    for (key, value, ok, what) in [
        (
            "target",
            &stored.target,
            target_ok,
            "a full http(s) address or a path on this site starting with `/`",
        ),
        (
            "url",
            &stored.url,
            url_ok,
            "a full http(s) address (or left out, for a comment)",
        ),
    ] {
        if !ok {
            let line = line_of(text, key)
                .or_else(|| line_of(text, "source"))
                .unwrap_or(1);
            return Err(Error::input(
                Location::line(path, line),
                format!("`{key}` must be {what}, not `{value}`"),
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
        write(
            dir.path(),
            "imported/hello/wp-3.toml",
            "target = \"/posts/x/\"\nkind = \"comment\"\nin_reply_to = \"wp-2\"\n",
        );
        write(dir.path(), ".hidden/c.toml", "not read");
        let all = load_all(dir.path()).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[2].id, "wp-3");
        assert_eq!(all[2].response.kind, Kind::Comment);
        assert_eq!(all[2].reply_line, Some(3));
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
            "target = \"posts/x/\"\nurl = \"https://r.org/1\"\n",
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
