//! A response's `avatar`: a picture kept with the responses and copied into the
//! site, so a page never loads one from another site (which would tell it who reads
//! the page).

use std::path::{Path, PathBuf};

use super::store::RESPONSES_DIR;
use crate::content::inside::SiteFolder;

/// Pictures an avatar may be. Not SVG: one opened on its own runs its scripts on the
/// teacher's site.
const AVATAR_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "avif"];

/// The avatar's file and its path in the site, or why it cannot be one.
pub fn find(
    root: &Path,
    site: &SiteFolder,
    avatar: &str,
) -> std::result::Result<(PathBuf, String), String> {
    if avatar.contains("://") || avatar.starts_with("//") {
        return Err("is an address on another site; a page never loads pictures from elsewhere (it would tell that site who reads it)".into());
    }
    let rel = Path::new(avatar);
    let inside = rel
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside {
        return Err("must be a path inside data/responses/, without `..`".into());
    }
    let ext = rel
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !ext
        .as_deref()
        .is_some_and(|e| AVATAR_EXTENSIONS.contains(&e))
    {
        return Err(format!(
            "is not a picture the site can show ({})",
            AVATAR_EXTENSIONS.join(", ")
        ));
    }
    let file = root.join(RESPONSES_DIR).join(rel);
    if !file.is_file() {
        return Err(format!(
            "names a file that is not there ({})",
            crate::error::shown(&Path::new(RESPONSES_DIR).join(rel))
        ));
    }
    site.check(&file).map_err(|e| e.to_string())?;
    let site_path = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Ok((file, format!("responses/{site_path}")))
}
