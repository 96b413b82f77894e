//! What SOURCE is: a WordPress export (WXR), a Blogger export (Atom), a Jekyll folder or
//! a Hugo folder. Decided by what is inside, not by the file name, since exports are
//! renamed freely (`blog.wordpress.2024-05-01.000.xml`, `blog-05-01-2024.xml`).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    WordPress(PathBuf),
    Blogger(PathBuf),
    Jekyll(PathBuf),
    Hugo(PathBuf),
}

impl Source {
    pub fn path(&self) -> &Path {
        match self {
            Source::WordPress(p) | Source::Blogger(p) | Source::Jekyll(p) | Source::Hugo(p) => p,
        }
    }

    /// For the report's first line: "a WordPress export".
    pub fn describe(&self) -> &'static str {
        match self {
            Source::WordPress(_) => "a WordPress export",
            Source::Blogger(_) => "a Blogger export",
            Source::Jekyll(_) => "a Jekyll site",
            Source::Hugo(_) => "a Hugo site",
        }
    }
}

const HUGO_CONFIGS: [&str; 6] = [
    "hugo.toml",
    "hugo.yaml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
];

pub fn detect(path: &Path) -> Result<Source> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return folder(path);
    }
    let mut head = Vec::with_capacity(16 * 1024);
    std::fs::File::open(path)
        .and_then(|f| f.take(16 * 1024).read_to_end(&mut head))
        .map_err(|e| Error::io(path, e))?;
    let head = String::from_utf8_lossy(&head);
    if head.contains("<rss") && head.contains("wordpress.org/export/") {
        return Ok(Source::WordPress(path.to_path_buf()));
    }
    if head.contains("<feed") && head.contains("blogger.com") {
        return Ok(Source::Blogger(path.to_path_buf()));
    }
    Err(Error::input(
        Location::file(path),
        "this is not a WordPress or Blogger export",
    )
    .with_hint(
        "in WordPress: Tools → Export → All content gives a .xml file; in Blogger: \
                 Settings → Back up content gives a .xml (Atom) file. For a Jekyll or Hugo site, \
                 give its folder",
    ))
}

fn folder(dir: &Path) -> Result<Source> {
    if dir.join("_config.yml").is_file()
        || dir.join("_config.toml").is_file()
        || dir.join("_posts").is_dir()
    {
        return Ok(Source::Jekyll(dir.to_path_buf()));
    }
    if dir.join("content").is_dir() && HUGO_CONFIGS.iter().any(|c| dir.join(c).is_file())
        || dir.join("config/_default").is_dir()
    {
        return Ok(Source::Hugo(dir.to_path_buf()));
    }
    if dir.join("site.toml").is_file() {
        return Err(Error::input(
            Location::file(dir.join("site.toml")),
            "this folder is already a staffroom site",
        )
        .with_hint("give the old blog's export file or its Jekyll or Hugo folder"));
    }
    Err(Error::input(
        Location::file(dir),
        "this folder is neither a Jekyll site (no _config.yml, no _posts/) nor a Hugo site \
         (no hugo.toml or config.toml beside content/)",
    )
    .with_hint("give the folder that holds _config.yml (Jekyll) or hugo.toml / config.toml (Hugo)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import")
            .join(rel)
    }

    #[test]
    fn knows_the_fixtures() {
        let wp = fixture("wordpress/themeunittestdata.wordpress.xml");
        assert_eq!(detect(&wp).unwrap(), Source::WordPress(wp));
        for j in ["jekyll-docs", "jekyll-lanyon"] {
            assert!(
                matches!(detect(&fixture(j)).unwrap(), Source::Jekyll(_)),
                "{j}"
            );
        }
        for h in ["hugo-basic", "hugo-papermod"] {
            assert!(
                matches!(detect(&fixture(h)).unwrap(), Source::Hugo(_)),
                "{h}"
            );
        }
    }

    #[test]
    fn an_rss_feed_is_not_an_export() {
        let dir = tempfile::tempdir().unwrap();
        let feed = dir.path().join("feed.xml");
        std::fs::write(
            &feed,
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel/></rss>",
        )
        .unwrap();
        let e = detect(&feed).unwrap_err().to_string();
        assert!(e.contains("not a WordPress or Blogger export"), "{e}");
    }
}
