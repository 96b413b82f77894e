//! Fetch the old site's images into the bundles: a few at a time, each bounded in
//! time and size, each written to a temporary file and renamed, so an import that is
//! stopped half way leaves only whole files and the next run fetches only the rest
//! (`write` lists only files that are not there yet). A file that cannot be had is
//! named in the report; the import goes on.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::network::fetch::{Client, HttpOptions, Outcome, run_pool};
use crate::output::write_atomically;

/// Old sites are often slow shared hosting; a few at once is polite and fast enough.
const AT_ONCE: usize = 8;
/// Larger than any photo a teacher would post; a classroom video may be bigger and
/// is then named in the report.
const MAX_BYTES: u64 = 50 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct Missing {
    pub url: String,
    pub file: PathBuf,
    pub why: String,
}

/// Download each (URL, file); `from` replaces the old site's address (scheme, host,
/// port and leading path) for every URL, for a copy of the site or one that moved.
/// Returns how many were written, and the ones that were not.
pub fn fetch_all(
    downloads: &[(String, PathBuf)],
    from: Option<&Url>,
    progress: &mut dyn FnMut(usize, usize),
) -> (usize, Vec<Missing>) {
    if downloads.is_empty() {
        return (0, Vec::new());
    }
    let client = Client::new(HttpOptions {
        timeout: TIMEOUT,
        max_bytes: MAX_BYTES,
        max_redirects: 5,
    });
    let total = downloads.len();
    let mut done = 0;
    let results = run_pool(
        downloads,
        AT_ONCE,
        |(url, file)| {
            let at = from.map_or_else(|| url.clone(), |f| moved(url, f));
            match client.get_page(&at).outcome {
                Outcome::Body { bytes, .. } => write_atomically(file, &bytes, true)
                    .map_err(|e| format!("could not write it: {e}")),
                Outcome::Failed { error, .. } => Err(error),
                Outcome::Gone => Err("HTTP 410 Gone".into()),
                Outcome::NotModified => Err("the server answered 304 to a plain request".into()),
            }
        },
        |_, _| {
            done += 1;
            progress(done, total);
        },
    );
    let mut written = 0;
    let mut missing = Vec::new();
    for ((url, file), result) in downloads.iter().zip(results) {
        match result {
            Ok(()) => written += 1,
            Err(why) => missing.push(Missing {
                url: url.clone(),
                file: file.clone(),
                why,
            }),
        }
    }
    (written, missing)
}

/// `url` with its origin replaced by `from`'s, `from`'s path put in front of its path.
fn moved(url: &str, from: &Url) -> String {
    let Ok(old) = Url::parse(url) else {
        return url.to_string();
    };
    let mut new = from.clone();
    let path = format!("{}{}", from.path().trim_end_matches('/'), old.path());
    new.set_path(&path);
    new.set_query(old.query());
    new.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_address_is_swapped_for_the_copy() {
        let from = Url::parse("http://127.0.0.1:8080/copy/").unwrap();
        assert_eq!(
            moved("https://teach.files.wordpress.com/2019/03/a.jpg", &from),
            "http://127.0.0.1:8080/copy/2019/03/a.jpg"
        );
    }
}
