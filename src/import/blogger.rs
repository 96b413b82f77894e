//! A Blogger export (Atom, from Settings → Back up content). Not built yet.

use std::path::Path;

use super::model::Export;
use crate::error::{Error, Location, Result};

pub fn read(path: &Path) -> Result<Export> {
    Err(Error::input(
        Location::file(path),
        "reading a Blogger export is not built yet",
    ))
}
