//! Front matter: YAML between `---` lines or TOML between `+++` lines.
//! Parsed to a generic map first (so syntax errors carry a line), then each known key
//! is checked on its own (so a wrong type names the key and its line).

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use crate::content::skipped::Skip;
use crate::error::{Error, Location, Result};

mod keys;
mod required;
mod values;
mod yaml_hints;
pub use keys::NearMiss;
use required::not_built;
pub use values::parse_date;
use values::{boolean, date, listed, string, strings};

#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: String,
    pub date: Option<DateTime<FixedOffset>>,
    /// The date names its time zone; otherwise it is the teacher's own day or time.
    pub date_has_zone: bool,
    pub updated: Option<DateTime<FixedOffset>>,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    pub summary: Option<String>,
    pub slug: Option<String>,
    pub draft: bool,
    pub aliases: Vec<String>,
    /// Pages only: listed in the default menu.
    pub menu: bool,
    /// The lead image (`image`), for lists and Open Graph; checked when the post is
    /// placed, since only then are its folder's files known.
    pub image: Option<LeadImage>,
    /// Every key we do not know, for templates.
    pub extra: Map<String, Value>,
    /// Keys among `extra` that look like a known key this front matter lacks.
    pub near_misses: Vec<NearMiss>,
    /// Set when the file is not for the build to publish (Hugo's headless bundle).
    pub not_built: Option<Skip>,
    /// Problems the build works around, for its warnings.
    pub notes: Vec<String>,
}

/// `image: heron.jpg`, or as Jekyll's SEO plugin writes it, `image: {path: heron.jpg,
/// alt: "A heron"}`; `image_alt` gives the alt text too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadImage {
    /// As written: relative to the post's folder, or `/images/x.jpg` in static/.
    pub src: String,
    pub alt: String,
    /// The line of the `image` key, for errors.
    pub line: usize,
}

/// The front matter and where the Markdown body starts.
pub struct Split<'a> {
    pub front: FrontMatter,
    pub body: &'a str,
    /// 1-based line of the body's first line, so Markdown problems can name a line.
    pub body_line: usize,
}

enum Format {
    Yaml,
    Toml,
}

/// What a file must give, which depends on where it is.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// A post, which needs a date.
    pub post: bool,
    /// The date of a file named like Jekyll's posts (`2014-3-3-hello.md`), taken when
    /// the front matter gives none.
    pub name_date: Option<DateTime<FixedOffset>>,
}

/// Split a page's front matter from its body (the rules of a page: a title is needed).
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>> {
    split_as(path, text, &Rules::default())
}

pub fn split_as<'a>(path: &Path, text: &'a str, rules: &Rules) -> Result<Split<'a>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some((fence, closed)) = block(text) else {
        return Err(
            Error::input(Location::line(path, 1), "no front matter").with_hint(
                "start the file with a block like\n---\ntitle: \"My post\"\ndate: 2024-03-01\n---",
            ),
        );
    };
    let format = if fence == "---" {
        Format::Yaml
    } else {
        Format::Toml
    };
    let Some((raw, body_start)) = closed else {
        return Err(Error::input(
            Location::line(path, 1),
            format!("the front matter opened with `{fence}` is never closed"),
        )
        .with_hint(format!(
            "add a line with just `{fence}` after the last front matter key"
        )));
    };
    let map = match format {
        Format::Yaml => parse_yaml(path, raw)?,
        Format::Toml => parse_toml(path, raw)?,
    };
    let body = &text[body_start..];
    let front = FrontMatter::from_map(path, raw, map, rules, body.trim().is_empty())?;
    let body_line = text[..body_start].matches('\n').count() + 1;
    Ok(Split {
        front,
        body,
        body_line,
    })
}

/// The front matter block at the start of `text`: its fence (`---` for YAML, `+++` for
/// TOML) and, unless the block is never closed, the text between the fences and the byte
/// where the body starts. None when the file does not open with a fence.
pub fn block(text: &str) -> Option<(&'static str, Option<(&str, usize)>)> {
    let fence = match text.lines().next()?.trim_end() {
        "---" => "---",
        "+++" => "+++",
        _ => return None,
    };
    let after_open = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = after_open;
    for line in text[after_open..].split_inclusive('\n') {
        if line.trim_end() == fence {
            return Some((
                fence,
                Some((&text[after_open..offset], offset + line.len())),
            ));
        }
        offset += line.len();
    }
    Some((fence, None))
}

/// Front matter lines start on line 2 of the file.
const FIRST_KEY_LINE: usize = 2;

fn parse_yaml(path: &Path, raw: &str) -> Result<Map<String, Value>> {
    if raw.trim().is_empty() {
        return Ok(Map::new());
    }
    if let Some(line) = too_deep(raw) {
        return Err(Error::input(
            Location::line(path, line + FIRST_KEY_LINE - 1),
            format!("front matter nests lists or tables more than {MAX_FLOW_DEPTH} deep"),
        )
        .with_hint("front matter needs only plain values and short lists like [a, b]; remove the extra brackets"));
    }
    // Parsed to YAML's own value first: it refuses a key given twice, where a map of
    // JSON values would silently keep the last one.
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(raw).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        if let Some(key) = duplicate_key(&msg) {
            return Error::input(
                second_use(path, raw, key),
                format!("front matter gives `{key}` twice"),
            )
            .with_hint(format!("keep one `{key}:` line and delete the other"));
        }
        let hint = yaml_hints::for_error(raw, &msg);
        let (line, column) = match hint.line {
            Some(n) => (Some(n + FIRST_KEY_LINE - 1), None),
            None => (
                e.location().map(|l| l.line() + FIRST_KEY_LINE - 1),
                e.location().map(|l| l.column()),
            ),
        };
        Error::input(
            Location {
                file: path.into(),
                line,
                column,
            },
            format!("front matter is not valid YAML: {msg}"),
        )
        .with_hint(hint.text)
    })?;
    let value = serde_json::to_value(&yaml).map_err(|e| {
        Error::input(
            Location::line(path, FIRST_KEY_LINE),
            format!("front matter has a key that is not text: {e}"),
        )
        .with_hint("write keys as words, like title: or date:")
    })?;
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        _ => Err(Error::input(
            Location::line(path, FIRST_KEY_LINE),
            "front matter must be a list of `key: value` lines",
        )),
    }
}

/// Deeper than any real front matter, and far below where the YAML parser's work grows
/// with the square of the depth (100,000 brackets took minutes).
const MAX_FLOW_DEPTH: usize = 64;

/// The 1-based line of `raw` where `[`/`{` collections nest past [`MAX_FLOW_DEPTH`], in
/// one pass. Brackets inside quoted text and comments do not count; a quote only opens
/// where a value can start, so the `'` of `don't` is text.
fn too_deep(raw: &str) -> Option<usize> {
    let (mut depth, mut line) = (0usize, 1);
    let mut quote: Option<char> = None;
    let mut chars = raw.chars().peekable();
    let mut prev = '\n';
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        match quote {
            Some('"') if c == '\\' => {
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' if matches!(prev, ' ' | '\t' | '\n' | '[' | '{' | ',' | ':') => {
                    quote = Some(c);
                }
                '#' if matches!(prev, ' ' | '\t' | '\n') => {
                    while chars.next_if(|&n| n != '\n').is_some() {}
                }
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(line);
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        prev = c;
    }
    None
}

/// The key serde_yaml names in "duplicate entry with key \"title\"".
fn duplicate_key(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("duplicate entry with key \"")?;
    rest.strip_suffix('"')
}

/// The line where a top-level key is given the second time.
fn second_use(path: &Path, raw: &str, key: &str) -> Location {
    let mut uses = raw.lines().enumerate().filter(|(_, l)| {
        l.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    });
    match uses.nth(1) {
        Some((i, _)) => Location::line(path, i + FIRST_KEY_LINE),
        None => Location::line(path, FIRST_KEY_LINE),
    }
}

fn parse_toml(path: &Path, raw: &str) -> Result<Map<String, Value>> {
    let table: toml::Table = toml::from_str(raw).map_err(|e| {
        let (line, column) = e.span().map_or((None, None), |s| {
            let (l, c) = crate::error::line_col(raw, s.start);
            (Some(l + FIRST_KEY_LINE - 1), Some(c))
        });
        Error::input(
            Location {
                file: path.into(),
                line,
                column,
            },
            format!("front matter is not valid TOML: {}", e.message().trim()),
        )
        .with_hint("text values need quotes: title = \"My post\"")
    })?;
    let mut map = Map::new();
    for (k, v) in table {
        map.insert(k, toml_to_json(v));
    }
    Ok(map)
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

impl FrontMatter {
    fn from_map(
        path: &Path,
        raw: &str,
        map: Map<String, Value>,
        rules: &Rules,
        body_blank: bool,
    ) -> Result<FrontMatter> {
        let mut fm = FrontMatter::default();
        let mut errors = Vec::new();
        let mut failed: Vec<&str> = Vec::new();
        let at = |key: &str| {
            let mut loc = crate::config::key_location(path, raw, key);
            loc.line = loc.line.map(|l| l + FIRST_KEY_LINE - 1).or(Some(1));
            loc
        };
        // The names other generators use for our keys (Jekyll, Hugo), so a post copied
        // across builds as it was written. Our own name wins when both are given.
        let ours = |key: &str| map.contains_key(key);
        for (key, value) in &map {
            let checked = match key.as_str() {
                "title" => string(value).map(|s| fm.title = s),
                "date" => fm.read_date(value, rules, || at(key)),
                "updated" => date(value).map(|d| fm.updated = Some(d)),
                "lastmod" | "last_modified_at" if !ours("updated") => {
                    date(value).map(|d| fm.updated = fm.updated.max(Some(d)))
                }
                "tags" => listed(value, &[',']).map(|v| fm.tags = v),
                // Jekyll separates categories with spaces: `categories: jekyll update`.
                "categories" => listed(value, &[',', ' ']).map(|v| fm.categories = v),
                // Jekyll's one category: `category: release`.
                "category" if !ours("categories") => strings(value).map(|v| fm.categories = v),
                "summary" => string(value).map(|s| fm.summary = Some(s)),
                "excerpt" if !ours("summary") => string(value).map(|s| fm.summary = Some(s)),
                "slug" => string(value).map(|s| fm.slug = Some(s)),
                "draft" => boolean(value).map(|b| fm.draft |= b),
                // Jekyll's way to keep a post off the site.
                "published" => boolean(value).map(|b| fm.draft |= !b),
                "aliases" => strings(value).map(|v| fm.aliases.extend(v)),
                "redirect_from" => strings(value).map(|v| fm.aliases.extend(v)),
                "menu" => boolean(value).map(|b| fm.menu = b),
                "image" => values::image(value).map(|(src, alt)| {
                    let line = at(key).line.unwrap_or(1);
                    let image = fm.image.get_or_insert_with(Default::default);
                    (image.src, image.line) = (src, line);
                    if !alt.is_empty() {
                        image.alt = alt;
                    }
                }),
                "image_alt" => string(value).map(|alt| {
                    let image = fm.image.get_or_insert_with(Default::default);
                    if image.alt.is_empty() {
                        image.alt = alt;
                    }
                }),
                _ => {
                    fm.extra.insert(key.clone(), value.clone());
                    Ok(())
                }
            };
            if let Err(msg) = checked {
                failed.push(key);
                errors.push(Error::input(at(key), format!("`{key}` {msg}")));
            }
        }
        fm.near_misses = keys::near_misses(&map, |key| at(key).line.unwrap_or(1));
        // A key in the wrong case has no reason to be kept for templates, and left
        // alone `Draft: true` would publish the post.
        for m in fm.near_misses.iter().filter(|m| m.case_only) {
            // Its error says what to do about the missing key too.
            failed.push(m.known);
            errors.push(
                Error::input(
                    Location::line(path, m.line),
                    format!(
                        "`{}` is not read: front matter keys are written in lowercase",
                        m.key
                    ),
                )
                .with_hint(format!("change it to `{}`", m.known)),
            );
        }
        // `image_alt` alone, or an empty `image:`, is no lead image.
        fm.image = fm.image.filter(|i| !i.src.trim().is_empty());
        fm.not_built = not_built(&fm, rules, body_blank);
        if fm.not_built.is_some() {
            // Not published, so nothing in it needs fixing.
            return Ok(fm);
        }
        fm.require(path, rules, &failed, &mut errors);
        match Error::from_many(errors) {
            Some(e) => Err(e),
            None => Ok(fm),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FrontMatter> {
        split(Path::new("post.md"), text).map(|s| s.front)
    }

    #[test]
    fn yaml_and_toml_both_work_and_keep_extra() {
        let y = parse(
            "---\ntitle: \"A: b\"\ndate: 2024-03-01\ntags: [Math, edtech]\nmood: happy\n---\nbody",
        )
        .unwrap();
        assert_eq!(y.title, "A: b");
        assert_eq!(y.tags, ["Math", "edtech"]);
        assert_eq!(y.extra["mood"], "happy");
        let t =
            parse("+++\ntitle = \"T\"\ndate = 2024-03-01T10:00:00+01:00\ndraft = true\n+++\nbody")
                .unwrap();
        assert!(t.draft);
        assert_eq!(t.date.unwrap().to_rfc3339(), "2024-03-01T10:00:00+01:00");
    }

    #[test]
    fn other_generators_keys_and_lists_in_one_string() {
        let f = parse(
            "---\ntitle: T\ndate: 2014-12-17 11:16:21 -0800\npublished: false\n\
             tags: \"maths, year 7\"\ncategories: jekyll update\nexcerpt: Short.\n\
             redirect_from: [/2014/old/]\nlast_modified_at: 2015-01-02\n---\n",
        )
        .unwrap();
        assert_eq!(f.date.unwrap().to_rfc3339(), "2014-12-17T11:16:21-08:00");
        assert!(f.draft);
        assert_eq!(f.tags, ["maths", "year 7"]);
        assert_eq!(f.categories, ["jekyll", "update"]);
        assert_eq!(f.summary.as_deref(), Some("Short."));
        assert_eq!(f.aliases, ["/2014/old/"]);
        assert_eq!(f.updated.unwrap().date_naive().to_string(), "2015-01-02");
        let ours = parse("---\ntitle: T\nsummary: Ours.\nexcerpt: Theirs.\n---\n").unwrap();
        assert_eq!(ours.summary.as_deref(), Some("Ours."));
        assert_eq!(ours.extra["excerpt"], "Theirs.");
    }

    #[test]
    fn collections_nested_too_deep_are_refused_before_parsing() {
        let deep = format!(
            "---\ntitle: T\nx: {}{}\n---\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let err = parse(&deep).unwrap_err().to_string();
        assert!(
            err.starts_with("post.md:3: front matter nests lists or tables more than 64 deep"),
            "{err}"
        );
        let maps = format!(
            "---\ntitle: T\nx: {}1{}\n---\n",
            "{a: ".repeat(500),
            "}".repeat(500)
        );
        assert!(parse(&maps).is_err());
        // Brackets in quoted text, comments and plain words are text.
        let fine = format!(
            "---\ntitle: \"{}\"\nsummary: don't {} # {}\nextra: [a, [b]]\n---\n",
            "[".repeat(100),
            "x",
            "{".repeat(100)
        );
        assert_eq!(parse(&fine).unwrap().title, "[".repeat(100));
        assert!(too_deep("a: 'it''s [[[['").is_none());
    }

    #[test]
    fn a_key_given_twice_names_the_second_line() {
        let err = parse("---\ntitle: A\ndate: 2024-01-01\ntitle: B\n---\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("post.md:4: front matter gives `title` twice"),
            "{err}"
        );
    }

    #[test]
    fn a_lead_image_as_text_or_a_table_with_alt_text() {
        let f = parse("---\ntitle: T\nimage: heron.jpg\nimage_alt: A heron\n---\n").unwrap();
        let want = |src: &str, alt: &str, line| LeadImage {
            src: src.into(),
            alt: alt.into(),
            line,
        };
        assert_eq!(f.image, Some(want("heron.jpg", "A heron", 3)));
        let f = parse("---\ntitle: T\n\nimage: {path: /images/a.png, alt: Door}\n---\n").unwrap();
        assert_eq!(f.image, Some(want("/images/a.png", "Door", 4)));
        assert_eq!(
            parse("---\ntitle: T\nimage_alt: x\n---\n").unwrap().image,
            None
        );
        let err = parse("---\ntitle: T\nimage: [a, b]\n---\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("post.md:3: `image` must be"), "{err}");
    }

    #[test]
    fn body_starts_after_the_fence() {
        let s = split(Path::new("p.md"), "---\ntitle: T\n---\n# Hello\n").unwrap();
        assert_eq!(s.body, "# Hello\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let err = parse("---\ntitle: T\ndate: 2024-03-01\ndraft: maybe\n---\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("post.md:4: `draft` must be true or false"),
            "{err}"
        );
    }

    #[test]
    fn impossible_date_is_an_error() {
        let err = parse("---\ntitle: T\ndate: 2024-02-30\n---\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("post.md:3: `date`"), "{err}");
    }

    #[test]
    fn yaml_syntax_error_has_file_line() {
        let err = parse("---\ntitle: T\ndate: [2024\n---\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("post.md:"), "{err}");
        assert!(err.contains("not valid YAML"), "{err}");
    }

    #[test]
    fn unclosed_and_missing_front_matter() {
        assert!(
            parse("---\ntitle: T\n")
                .unwrap_err()
                .to_string()
                .contains("never closed")
        );
        assert!(
            parse("# just markdown")
                .unwrap_err()
                .to_string()
                .contains("no front matter")
        );
        assert!(
            parse("---\ndate: 2024-01-01\n---\n")
                .unwrap_err()
                .to_string()
                .contains("no title")
        );
    }
}
