//! From a request's URL to what to answer, before any file is touched. Every segment
//! is decoded once and checked on its own, so no spelling of `..`, `/` or `\` (plain,
//! `%2e%2e`, `%2f`, `%5c`) can name a file outside the output folder.

use percent_encoding::percent_decode_str;

/// Where the preview's own files live, under the site's base path (and at `/`).
pub const INTERNAL: &str = "__staffroom";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The live-reload event stream.
    Events,
    /// The live-reload script.
    Script,
    /// Send the browser here (a root-relative URL).
    Redirect(String),
    /// A file or folder inside the output: `posts/x` (never empty segments, `.` or `..`).
    Site {
        rel: String,
        /// The URL ended with `/`: a folder's index is wanted.
        slash: bool,
    },
    NotFound,
}

/// `base_path` is `/` or `/blog/`, as `BaseUrl::path` gives it.
pub fn route(raw_url: &str, base_path: &str) -> Route {
    let url = strip_origin(raw_url);
    let path = url.split(['?', '#']).next().unwrap_or("");
    let query = url.find('?').map(|i| &url[i..]).unwrap_or("");
    let Some(path) = path.strip_prefix('/') else {
        return Route::NotFound;
    };
    let mut segments = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        match decode_segment(raw) {
            Some(s) => segments.push(s),
            None => return Route::NotFound,
        }
    }
    let slash = path.is_empty() || path.ends_with('/');
    let base: Vec<&str> = base_path.split('/').filter(|s| !s.is_empty()).collect();

    // The reload script and stream answer under the base path, where the pages
    // link to them, and at `/` too.
    let internal = |rest: &[String]| match rest {
        [dir, file] if dir == INTERNAL && file == "events" => Some(Route::Events),
        [dir, file] if dir == INTERNAL && file == "reload.js" => Some(Route::Script),
        [dir, ..] if dir == INTERNAL => Some(Route::NotFound),
        _ => None,
    };
    if let Some(r) = internal(&segments) {
        return r;
    }
    let under_base =
        segments.len() >= base.len() && segments.iter().zip(&base).all(|(s, b)| s == b);
    if !under_base {
        return if segments.is_empty() {
            Route::Redirect(base_path.to_string())
        } else {
            Route::NotFound
        };
    }
    let rest = &segments[base.len()..];
    if let Some(r) = internal(rest) {
        return r;
    }
    if rest.is_empty() && !slash {
        return Route::Redirect(format!("{base_path}{query}"));
    }
    Route::Site {
        rel: rest.join("/"),
        slash,
    }
}

/// The address under base path `new` of a request under the earlier base path `old`,
/// or None when the request is not under `old`, or is the new site's own (under
/// `new`, and `new` is the more specific path).
pub fn moved(raw_url: &str, old: &str, new: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let url = strip_origin(raw_url);
    let (path, query) = url.find('?').map_or((url, ""), |i| url.split_at(i));
    let rest = match path.strip_prefix(old) {
        Some(rest) => rest,
        None if path == old.trim_end_matches('/') => "",
        None => return None,
    };
    if new.len() > old.len() && path.starts_with(new) {
        return None;
    }
    Some(format!("{new}{rest}{query}"))
}

/// Browsers send `/path`, but HTTP also allows `http://host/path`.
fn strip_origin(url: &str) -> &str {
    for scheme in ["http://", "https://"] {
        if let Some(rest) = url
            .get(..scheme.len())
            .filter(|s| s.eq_ignore_ascii_case(scheme))
        {
            let rest = &url[rest.len()..];
            return rest.find('/').map_or("/", |i| &rest[i..]);
        }
    }
    url
}

/// One path segment, decoded; None when it could step outside its folder.
fn decode_segment(raw: &str) -> Option<String> {
    let decoded = percent_decode_str(raw).decode_utf8().ok()?;
    let bad = decoded == "."
        || decoded == ".."
        || decoded.contains(['/', '\\', '\0', ':'])
        || decoded.chars().any(char::is_control);
    (!bad).then(|| decoded.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(rel: &str, slash: bool) -> Route {
        Route::Site {
            rel: rel.into(),
            slash,
        }
    }

    #[test]
    fn a_moved_base_sends_old_addresses_to_the_same_page() {
        assert_eq!(
            moved("/blog/posts/a/?x=1", "/blog/", "/class/"),
            Some("/class/posts/a/?x=1".into())
        );
        assert_eq!(moved("/blog", "/blog/", "/"), Some("/".into()));
        assert_eq!(
            moved("/posts/a/", "/", "/blog/"),
            Some("/blog/posts/a/".into())
        );
        assert_eq!(moved("/blog/posts/a/", "/", "/blog/"), None);
        assert_eq!(moved("/other/", "/blog/", "/"), None);
        assert_eq!(moved("/blogger/", "/blog/", "/"), None);
    }

    #[test]
    fn plain_paths_map_into_the_output() {
        assert_eq!(route("/", "/"), site("", true));
        assert_eq!(route("/posts/a/", "/"), site("posts/a", true));
        assert_eq!(route("/style.css?v=2", "/"), site("style.css", false));
        assert_eq!(route("/posts//a/", "/"), site("posts/a", true));
        assert_eq!(route("/caf%C3%A9.html", "/"), site("café.html", false));
    }

    #[test]
    fn every_spelling_of_a_step_outside_is_refused() {
        for url in [
            "/../etc/passwd",
            "/posts/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/.%2e/x",
            "/..%2fetc%2fpasswd",
            "/posts%2f..%2f..%2fetc",
            "/..\\..\\etc\\passwd",
            "/..%5c..%5cetc",
            "/C:%5cWindows",
            "/x%00.html",
            "/%ff%fe",
            "etc/passwd",
        ] {
            assert_eq!(route(url, "/"), Route::NotFound, "{url}");
        }
    }

    #[test]
    fn absolute_urls_and_double_slashes_stay_inside() {
        assert_eq!(route("//etc/passwd", "/"), site("etc/passwd", false));
        assert_eq!(
            route("http://evil/etc/passwd", "/"),
            site("etc/passwd", false)
        );
        assert_eq!(route("HTTP://h", "/"), site("", true));
        // Decoded once only: `%252e` is the file name `%2e`, which is harmless.
        assert_eq!(route("/%252e%252e/x", "/"), site("%2e%2e/x", false));
    }

    #[test]
    fn a_sub_path_site_is_served_under_its_path() {
        assert_eq!(route("/", "/blog/"), Route::Redirect("/blog/".into()));
        assert_eq!(route("/blog", "/blog/"), Route::Redirect("/blog/".into()));
        assert_eq!(
            route("/blog?x=1", "/blog/"),
            Route::Redirect("/blog/?x=1".into())
        );
        assert_eq!(route("/blog/", "/blog/"), site("", true));
        assert_eq!(route("/blog/posts/a/", "/blog/"), site("posts/a", true));
        assert_eq!(route("/posts/a/", "/blog/"), Route::NotFound);
        assert_eq!(route("/blogger/", "/blog/"), Route::NotFound);
        assert_eq!(route("/blog/../blog/x", "/blog/"), Route::NotFound);
    }

    #[test]
    fn reload_endpoints_answer_at_the_root_and_under_the_base() {
        assert_eq!(route("/__staffroom/events", "/"), Route::Events);
        assert_eq!(route("/blog/__staffroom/events", "/blog/"), Route::Events);
        assert_eq!(route("/__staffroom/reload.js?g=1", "/blog/"), Route::Script);
        assert_eq!(route("/__staffroom/x", "/"), Route::NotFound);
    }
}
