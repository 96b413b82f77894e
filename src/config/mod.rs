//! `site.toml`: loaded once, validated, and turned into the values the rest of the
//! pipeline needs (base URL split into origin and path, defaults filled in).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

use crate::error::{Error, Location, Result, line_col};

pub const SITE_FILE: &str = "site.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    pub base_url: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub theme: Option<String>,
    /// `author = "Name"`, or an `[author]` table with more detail.
    #[serde(default, deserialize_with = "author_name_or_table")]
    pub author: Author,
    #[serde(default = "default_posts_per_page")]
    pub posts_per_page: usize,
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    #[serde(default)]
    pub menu: Option<Vec<MenuItem>>,
    #[serde(default)]
    pub network: NetworkConfig,
    #[serde(default)]
    pub webmention: WebmentionConfig,
    #[serde(default)]
    pub extra: toml::Table,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub avatar: String,
}

fn author_name_or_table<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Author, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NameOrTable {
        Name(String),
        Table(Author),
    }
    // Untagged enums hide the inner error, so try the table form again for a useful one.
    let value = toml::Value::deserialize(d)?;
    match value {
        toml::Value::String(name) => Ok(Author {
            name,
            ..Author::default()
        }),
        other => match NameOrTable::deserialize(other.clone()) {
            Ok(NameOrTable::Table(a)) => Ok(a),
            Ok(NameOrTable::Name(name)) => Ok(Author {
                name,
                ..Author::default()
            }),
            Err(_) => Author::deserialize(other).map_err(serde::de::Error::custom),
        },
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// A blog with no post for this many days is shown as quiet.
    pub quiet_after_days: u32,
    /// Entries kept in the cache per blog.
    pub keep_per_blog: usize,
    /// Posts on the My network river.
    pub river_count: usize,
    /// At most this many posts of one blog on the river, so a prolific blog cannot drown the rest.
    pub river_per_blog: usize,
    /// Seconds before one feed's fetch gives up.
    pub timeout_seconds: u64,
    /// Feeds fetched at once.
    pub concurrency: usize,
    /// Largest feed accepted, in megabytes; a bigger (or endless) one counts as failed.
    pub max_feed_mb: u64,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            quiet_after_days: 90,
            keep_per_blog: 50,
            river_count: 30,
            river_per_blog: 3,
            timeout_seconds: 20,
            concurrency: 32,
            max_feed_mb: 5,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebmentionConfig {
    /// A Webmention receiver (e.g. webmention.io) named on every page.
    #[serde(default)]
    pub endpoint: Option<String>,
}

fn default_language() -> String {
    "en".into()
}
fn default_posts_per_page() -> usize {
    10
}
fn default_feed_limit() -> usize {
    20
}

/// The base URL, split the way links need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Always ends with `/`: `https://name.github.io/blog/`.
    pub url: Url,
    /// `https://name.github.io`, made once: every permalink starts with it.
    origin: String,
}

impl BaseUrl {
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        let mut url = Url::parse(s.trim()).map_err(|_| {
            let written = s.trim();
            if Url::parse(&format!("https://{written}")).is_ok_and(|u| u.host_str().is_some()) {
                format!("`{s}` needs https:// in front: https://{written}")
            } else {
                format!(
                    "`{s}` is not a full web address; write it like https://NAME.github.io/blog/"
                )
            }
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("`{s}` must start with https:// or http://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("`{s}` has no host name"));
        }
        // The repository's page is what a teacher sees in the browser's address bar
        // while setting up; every link would then point at github.com.
        if matches!(url.host_str(), Some("github.com" | "www.github.com")) {
            let mut parts = url
                .path_segments()
                .into_iter()
                .flatten()
                .filter(|p| !p.is_empty());
            let (name, repo) = (
                parts.next().unwrap_or("NAME"),
                parts.next().unwrap_or("REPO"),
            );
            return Err(format!(
                "`{s}` is the address of your repository on GitHub, not of your blog; GitHub Pages publishes it at https://{name}.github.io/{repo}/ (or https://{name}.github.io/ for a repository named {name}.github.io)"
            ));
        }
        url.set_query(None);
        url.set_fragment(None);
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        let origin = url.origin().ascii_serialization();
        Ok(BaseUrl { url, origin })
    }

    /// `/` or `/blog/`: what root-relative links need in front.
    pub fn path(&self) -> &str {
        self.url.path()
    }

    /// `https://name.github.io` without a path.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Absolute URL of a root-relative path that already carries the base path.
    pub fn absolute(&self, root_relative: &str) -> String {
        [self.origin.as_str(), root_relative].concat()
    }

    /// Root-relative URL of a site path like `posts/x/` (no leading slash).
    pub fn join(&self, site_path: &str) -> String {
        [self.path(), site_path.trim_start_matches('/')].concat()
    }

    /// The custom domain GitHub Pages needs in `CNAME`, if base_url names one.
    pub fn custom_domain(&self) -> Option<String> {
        let host = self.url.host_str()?;
        let is_local = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok();
        if is_local || host.ends_with(".github.io") || host.contains('[') {
            return None;
        }
        Some(host.to_string())
    }
}

/// site.toml, checked, with the base URL parsed.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub site: SiteConfig,
    pub base: BaseUrl,
}

impl Config {
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(SITE_FILE);
        crate::content::inside::check_site_file(root, &path)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::input(
                    Location::file(&path),
                    "no site.toml here, so this folder is not a staffroom site",
                )
                .with_hint("run the command inside your site folder, pass --root DIR, or create a site with `staffroom init DIR`"));
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(Error::input(Location::file(&path), "is not UTF-8 text")
                    .with_hint("save the file as UTF-8 in your editor"));
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        Self::from_str(root, &path, &text)
    }

    pub fn from_str(root: &Path, path: &Path, text: &str) -> Result<Config> {
        let site: SiteConfig = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        let base = BaseUrl::parse(&site.base_url).map_err(|msg| {
            Error::input(key_location(path, text, "base_url"), format!("base_url: {msg}"))
                .with_hint("use the address your blog is published at, e.g. base_url = \"https://yourname.github.io/blog/\"")
        })?;
        if site.title.trim().is_empty() {
            return Err(
                Error::input(key_location(path, text, "title"), "title is empty")
                    .with_hint("give your blog a name, e.g. title = \"Room 14 Notes\""),
            );
        }
        if site.posts_per_page == 0 {
            return Err(Error::input(
                key_location(path, text, "posts_per_page"),
                "posts_per_page must be at least 1",
            ));
        }
        if let Some(theme) = &site.theme {
            let bad = theme.is_empty() || theme.contains(['/', '\\']) || theme.starts_with('.');
            if bad {
                return Err(Error::input(
                    key_location(path, text, "theme"),
                    format!("theme `{theme}` is not a folder name under themes/"),
                ));
            }
        }
        Ok(Config {
            root: root.to_path_buf(),
            site,
            base,
        })
    }

    /// Replace base_url (for `--base-url` and `serve`).
    pub fn override_base_url(&mut self, url: &str) -> Result<()> {
        self.base = BaseUrl::parse(url).map_err(|msg| {
            Error::input(Location::file("--base-url"), msg)
                .with_hint("pass a full address, e.g. --base-url https://yourname.github.io/blog/")
        })?;
        self.site.base_url = self.base.url.to_string();
        Ok(())
    }
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let (line, col) = e.span().map_or((None, None), |s| {
        let (l, c) = line_col(text, s.start);
        (Some(l), Some(c))
    });
    let mut message = e.message().trim().to_string();
    let mut hint = None;
    if message.starts_with("unknown field") {
        hint = Some("check the spelling; your own settings go under an [extra] table".to_string());
    } else if message.contains("missing field") {
        hint = Some("site.toml needs at least title and base_url".to_string());
    }
    message = message.replace("`", "'");
    let location = Location {
        file: path.to_path_buf(),
        line,
        column: col,
    };
    let err = Error::input(location, message);
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
}

/// Where `key = ...` is written, for errors found after parsing.
pub fn key_location(path: &Path, text: &str, key: &str) -> Location {
    let line = text.lines().position(|l| {
        let l = l.trim_start();
        l.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
    });
    match line {
        Some(i) => Location::line(path, i + 1),
        None => Location::file(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config> {
        Config::from_str(Path::new("."), Path::new("site.toml"), text)
    }

    /// The message of a site.toml that does not load.
    fn load_err(text: &str) -> String {
        load(text).unwrap_err().to_string()
    }

    #[test]
    fn base_url_gets_trailing_slash_and_path() {
        let c = load("title = \"T\"\nbase_url = \"https://a.github.io/blog\"").unwrap();
        assert_eq!(c.base.path(), "/blog/");
        assert_eq!(c.base.join("posts/x/"), "/blog/posts/x/");
        assert_eq!(c.base.absolute("/blog/x/"), "https://a.github.io/blog/x/");
        assert_eq!(c.base.custom_domain(), None);
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let err =
            load_err("title = \"T\"\nbase_url = \"https://a.b/\"\nposts_per_page = \"ten\"\n");
        assert!(err.starts_with("site.toml:3:"), "{err}");
        assert!(err.contains("ten"), "{err}");
    }

    #[test]
    fn bad_base_url_names_the_key() {
        let err = load_err("title = \"T\"\nbase_url = \"not a url\"\n");
        assert!(err.starts_with("site.toml:2: base_url:"), "{err}");
    }

    #[test]
    fn unknown_key_hints_at_extra() {
        let err = load_err("title = \"T\"\nbase_url = \"https://a.b/\"\ntitel = 1\n");
        assert!(err.contains("titel") && err.contains("[extra]"), "{err}");
    }

    #[test]
    fn author_is_a_name_or_a_table() {
        let c = load("title = \"T\"\nbase_url = \"https://a.b/\"\nauthor = \"Ana\"").unwrap();
        assert_eq!(c.site.author.name, "Ana");
        let c = load(
            "title = \"T\"\nbase_url = \"https://a.b/\"\n[author]\nname = \"Ana\"\nbio = \"Hi\"",
        )
        .unwrap();
        assert_eq!(c.site.author.bio, "Hi");
        let err = load_err("title = \"T\"\nbase_url = \"https://a.b/\"\n[author]\nnmae = \"Ana\"");
        assert!(err.contains("nmae"), "{err}");
    }

    #[test]
    fn custom_domain_becomes_cname() {
        let c = load("title = \"T\"\nbase_url = \"https://blog.school.org/\"").unwrap();
        assert_eq!(c.base.custom_domain().as_deref(), Some("blog.school.org"));
    }
}
