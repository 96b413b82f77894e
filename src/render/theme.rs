//! The theme: templates and static files, layered. A site's own `templates/` and
//! `static/` win over `themes/NAME/`, which wins over the built-in default theme.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::content::inside::SiteFolder;
use crate::error::{Error, Location, Result};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Where a template or static file came from, for error messages and copying.
#[derive(Debug, Clone)]
pub enum Origin {
    BuiltIn(&'static [u8]),
    File(PathBuf),
}

impl Origin {
    pub fn describe(&self, name: &str) -> String {
        match self {
            Origin::BuiltIn(_) => format!("{name} (built-in default theme)"),
            Origin::File(p) => crate::error::shown(p),
        }
    }
}

pub struct ThemeFiles {
    /// Template name (`post.html`, `partials/x.html`) → source text and origin.
    pub templates: BTreeMap<String, (String, Origin)>,
    /// Site path (`style.css`) → origin.
    pub statics: BTreeMap<String, Origin>,
}

impl ThemeFiles {
    pub fn load(root: &Path, theme: Option<&str>) -> Result<ThemeFiles> {
        let mut files = ThemeFiles {
            templates: BTreeMap::new(),
            statics: BTreeMap::new(),
        };
        if let Some(dir) = DEFAULT_THEME.get_dir("templates") {
            for f in all_files(dir) {
                let name = rel_name(f.path(), "templates");
                let text = String::from_utf8_lossy(f.contents()).into_owned();
                files
                    .templates
                    .insert(name, (text, Origin::BuiltIn(f.contents())));
            }
        }
        if let Some(dir) = DEFAULT_THEME.get_dir("static") {
            for f in all_files(dir) {
                files
                    .statics
                    .insert(rel_name(f.path(), "static"), Origin::BuiltIn(f.contents()));
            }
        }
        let mut layers = Vec::new();
        if let Some(name) = theme.filter(|t| *t != "default") {
            let dir = root.join("themes").join(name);
            if !dir.is_dir() {
                return Err(Error::input(
                    Location::file(root.join(crate::config::SITE_FILE)),
                    format!(
                        "theme = \"{name}\", but there is no folder {}",
                        crate::error::shown(&dir)
                    ),
                )
                .with_hint(
                    "remove the theme line to use the built-in theme, or create that folder",
                ));
            }
            layers.push(dir);
        }
        layers.push(root.to_path_buf());
        let site = SiteFolder::new(root)?;
        for layer in layers {
            for (name, path) in disk_files(&site, &layer.join("templates"))? {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    Error::input(
                        Location::file(&path),
                        format!("cannot be read as UTF-8 text: {e}"),
                    )
                })?;
                files.templates.insert(name, (text, Origin::File(path)));
            }
            for (name, path) in disk_files(&site, &layer.join("static"))? {
                files.statics.insert(name, Origin::File(path));
            }
        }
        Ok(files)
    }
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<_> = dir.files().collect();
    for d in dir.dirs() {
        out.extend(all_files(d));
    }
    out
}

fn rel_name(path: &Path, prefix: &str) -> String {
    path.strip_prefix(prefix)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The files under `dir`, following links that stay inside the site: a template
/// linked to a secret file could be printed by an `include`, a static file is
/// published as it is.
fn disk_files(site: &SiteFolder, dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| crate::content::inside::walk_error(e, dir))?;
        site.check_entry(&entry)?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if entry.file_type().is_file() && !hidden {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            out.push((
                rel.to_string_lossy().replace('\\', "/"),
                entry.path().to_path_buf(),
            ));
        }
    }
    Ok(out)
}
