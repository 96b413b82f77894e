//! One spelling per page: the same post is linked as `http://` or `https://`, with or
//! without `www.`-free host case, a trailing slash, `index.html`, a `#fragment` or a
//! newsletter's `?utm_source=...`. Links are compared in this form, never as typed.

use url::Url;

/// Query parameters that only say where a reader came from, never which page.
const TRACKING: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "ref_src",
    "ref_url",
    "s_cid",
    "oly_enc_id",
    "oly_anon_id",
    "vero_id",
    "wt_mc",
    "__s",
];

fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_") || name.starts_with("pk_") || TRACKING.contains(&name.as_str())
}

/// `href` resolved against `base` and reduced to the form links are compared in:
/// host and path, no scheme (http and https name the same page), no default port, no
/// fragment, no tracking parameters, no trailing `/` or `index.html`. None for
/// anything that is not an http(s) address.
pub fn normalize(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    let url = match base {
        Some(b) => b.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    normalize_url(&url)
}

/// The identity of a response: its normalised address, but with its fragment. A
/// silo's likes differ only there (`.../status/1#liked-by-7`, `#liked-by-9`), so two
/// people liking one post stay two likes.
pub fn response_key(href: &str) -> Option<String> {
    let url = Url::parse(href.trim()).ok()?;
    let mut key = normalize_url(&url)?;
    if let Some(f) = url.fragment().filter(|f| !f.is_empty()) {
        key.push('#');
        key.push_str(f);
    }
    Some(key)
}

pub fn normalize_url(url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    // The url crate has already lower-cased the host and dropped a default port,
    // but a port that is default for the *other* scheme must go too, since the
    // scheme is ignored.
    let host = url.host_str()?.trim_end_matches('.');
    let port = url.port().filter(|p| !matches!(p, 80 | 443));
    let mut path = url.path();
    for index in ["index.html", "index.htm"] {
        if let Some(p) = path.strip_suffix(index)
            && p.ends_with('/')
        {
            path = p;
        }
    }
    let path = path.trim_end_matches('/');
    let mut out = String::with_capacity(host.len() + path.len() + 8);
    out.push_str(host);
    if let Some(p) = port {
        out.push(':');
        out.push_str(&p.to_string());
    }
    out.push_str(path);
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(
                &url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(kept)
                    .finish(),
            );
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_page_meet() {
        let want = normalize("https://t.github.io/blog/posts/x/", None).unwrap();
        assert_eq!(want, "t.github.io/blog/posts/x");
        for same in [
            "http://t.github.io/blog/posts/x/",
            "HTTPS://T.GitHub.IO/blog/posts/x",
            "https://t.github.io:443/blog/posts/x/index.html",
            "http://t.github.io:80/blog/posts/x/#comments",
            "https://t.github.io/blog/posts/x/?utm_source=newsletter&utm_medium=email",
            "https://t.github.io/blog/posts/x/?fbclid=abc#top",
            "https://t.github.io./blog/posts/x/",
        ] {
            assert_eq!(
                normalize(same, None).as_deref(),
                Some(want.as_str()),
                "{same}"
            );
        }
    }

    #[test]
    fn different_pages_stay_apart() {
        let want = normalize("https://t.github.io/blog/posts/x/", None).unwrap();
        for other in [
            "https://t.github.io/blog/posts/x-2/",
            "https://t.github.io/blog/posts/",
            "https://t.github.io/blog/Posts/x/",
            "https://t.github.io:8080/blog/posts/x/",
            "https://t.github.io/blog/posts/x/?page=2",
            "https://other.github.io/blog/posts/x/",
            "https://t.github.io/blog/posts/x/comments/",
        ] {
            assert_ne!(
                normalize(other, None).as_deref(),
                Some(want.as_str()),
                "{other}"
            );
        }
        assert_eq!(normalize("mailto:t@example.org", None), None);
        assert_eq!(normalize("not a url", None), None);
    }

    #[test]
    fn relative_links_resolve_against_the_base() {
        let base = Url::parse("https://blog.example.org/2024/05/reply/").unwrap();
        assert_eq!(
            normalize("../../../other/", Some(&base)).unwrap(),
            "blog.example.org/other"
        );
    }

    #[test]
    fn responses_keep_their_fragment() {
        assert_ne!(
            response_key("https://s.example/status/1#liked-by-7"),
            response_key("https://s.example/status/1#liked-by-9")
        );
        assert_eq!(
            response_key("http://s.example/status/1/").unwrap(),
            "s.example/status/1"
        );
    }

    #[test]
    fn other_query_parameters_are_kept() {
        assert_eq!(
            normalize("https://a.org/p?id=3&utm_campaign=x", None).unwrap(),
            "a.org/p?id=3"
        );
    }
}
