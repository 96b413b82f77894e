//! The served folder's files as answers. Pages are read whole, because the reload
//! script goes into them; every other file is streamed from disk, so a large video
//! asked for by many connections at once costs file handles, not its size in memory
//! for each. Files other than pages are answered in byte ranges when asked.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tiny_http::{Response, StatusCode};

use super::http::{Answer, Shared, redirect, text, with};
use super::reload;

pub(super) fn site_file(
    shared: &Shared,
    base: &str,
    url: &str,
    rel: &str,
    slash: bool,
    range: Option<&str>,
) -> Answer {
    let mut path = shared.output.join(rel);
    if path.is_dir() {
        if !slash {
            // `/posts/x` → `/posts/x/`, so the page's relative links resolve.
            let (p, q) = url.split_once('?').map_or((url, ""), |(p, q)| (p, q));
            let q = if q.is_empty() {
                String::new()
            } else {
                format!("?{q}")
            };
            return redirect(&format!("{p}/{q}"));
        }
        path.push("index.html");
    }
    // Generation first, file second: if a rebuild lands in between, the page is newer
    // than its stamp and merely reloads once more.
    let generation = shared.hub.generation();
    let Some(real) = inside(&shared.output, &path) else {
        return not_found(shared, base);
    };
    if is_page(&path) {
        return match std::fs::read(&real) {
            Ok(bytes) => page(&path, &bytes, base, generation, 200),
            Err(_) => not_found(shared, base),
        };
    }
    let Some((file, len)) = File::open(&real)
        .ok()
        .and_then(|f| Some((f.metadata().ok()?.len(), f)))
        .map(|(len, f)| (f, len))
    else {
        return not_found(shared, base);
    };
    let content_type = content_type(&path);
    // Safari plays a post's video only from a server that answers byte ranges.
    let answer = match range.and_then(|r| byte_range(r, len)) {
        None => streamed(file, 0, len, 200),
        Some(Some((start, end))) => with(
            streamed(file, start, end - start + 1, 206),
            "Content-Range",
            &format!("bytes {start}-{end}/{len}"),
        ),
        Some(None) => {
            let refused = text(416, "That part of the file does not exist.\n");
            return with(
                with(refused, "Content-Range", &format!("bytes */{len}")),
                "Accept-Ranges",
                "bytes",
            );
        }
    };
    let answer = with(answer, "Content-Type", &content_type);
    with(answer, "Accept-Ranges", "bytes")
}

/// `len` bytes of `file` from `start`, read as they are sent.
fn streamed(mut file: File, start: u64, len: u64, status: u16) -> Answer {
    if file.seek(SeekFrom::Start(start)).is_err() {
        return text(500, "The file could not be read.\n");
    }
    let Ok(length) = usize::try_from(len) else {
        return text(500, "The file is too large to send.\n");
    };
    let body: Box<dyn Read + Send> = Box::new(file.take(len));
    Response::new(StatusCode(status), Vec::new(), body, Some(length), None)
}

/// The one byte range a `Range: bytes=...` header asks for, as first and last index:
/// None to send the whole file (no usable header, or several ranges, which browsers
/// do not need), Some(None) when the range lies outside the file.
fn byte_range(header: &str, len: u64) -> Option<Option<(u64, u64)>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        // The last n bytes.
        let n: u64 = last.parse().ok()?;
        (n > 0 && len > 0).then(|| (len - n.min(len), len - 1))
    } else {
        let first: u64 = first.parse().ok()?;
        let last = match last {
            "" => len.saturating_sub(1),
            l => l.parse::<u64>().ok()?.min(len.saturating_sub(1)),
        };
        (first < len && first <= last).then_some((first, last))
    };
    Some(range)
}

/// The file's real path, if it exists and really is inside `output` (no symbolic
/// link leads out of it).
fn inside(output: &Path, path: &Path) -> Option<PathBuf> {
    let real = path.canonicalize().ok()?;
    let root = output.canonicalize().ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(real)
}

/// An HTML page, which is sent with the reload script and so always whole.
fn is_page(path: &Path) -> bool {
    mime_guess::from_path(path)
        .first_or_octet_stream()
        .essence_str()
        == "text/html"
}

fn content_type(path: &Path) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml")
        || mime.suffix().is_some_and(|s| s == "xml" || s == "json");
    if textual && mime.get_param("charset").is_none() {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    }
}

/// A page with the reload script in it.
fn page(path: &Path, bytes: &[u8], base: &str, generation: u64, status: u16) -> Answer {
    let body = reload::inject(bytes, base, generation);
    let response = Response::from_data(body)
        .with_status_code(StatusCode(status))
        .boxed();
    with(response, "Content-Type", &content_type(path))
}

/// The site's own 404.html with status 404, or a plain page when the site has none
/// yet (the first build failed): either way with the reload script, so the error
/// overlay shows and the page recovers by itself.
pub(super) fn not_found(shared: &Shared, base: &str) -> Answer {
    let generation = shared.hub.generation();
    let own = shared.output.join("404.html");
    if let Some(bytes) = inside(&shared.output, &own).and_then(|p| std::fs::read(p).ok()) {
        return page(&own, &bytes, base, generation, 404);
    }
    let html = if shared.hub.error().is_some() {
        "<!doctype html><title>Not built yet</title><body><h1>The site has not built yet</h1>\
         <p>staffroom shows the problem over this page. Fix it and save; this page reloads by itself.</p></body>"
    } else {
        "<!doctype html><title>Not found</title><body><h1>Not found</h1>\
         <p>There is no page at this address.</p></body>"
    };
    page(
        Path::new("404.html"),
        html.as_bytes(),
        base,
        generation,
        404,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_are_read_as_browsers_send_them() {
        assert_eq!(byte_range("bytes=0-1", 10), Some(Some((0, 1))));
        assert_eq!(byte_range("bytes=4-", 10), Some(Some((4, 9))));
        assert_eq!(byte_range("bytes=8-99", 10), Some(Some((8, 9))));
        assert_eq!(byte_range("bytes=-3", 10), Some(Some((7, 9))));
        assert_eq!(byte_range("bytes=-30", 10), Some(Some((0, 9))));
        assert_eq!(byte_range("bytes=10-", 10), Some(None));
        assert_eq!(byte_range("bytes=5-2", 10), Some(None));
        assert_eq!(byte_range("bytes=0-", 0), Some(None));
        assert_eq!(byte_range("bytes=0-1,4-5", 10), None);
        assert_eq!(byte_range("items=0-1", 10), None);
        assert_eq!(byte_range("bytes=x-1", 10), None);
        assert_eq!(
            byte_range("bytes=99999999999999999999-", 10),
            None,
            "a number too large is no range"
        );
    }
}
