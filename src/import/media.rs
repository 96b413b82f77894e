//! Which addresses belong to the old site, and the files of one post: every image or
//! attachment on the old site becomes a file in the post's bundle (named after the
//! URL's last part, so the Markdown stays readable), and every image left on another
//! host is counted for the report.

use std::collections::{BTreeMap, HashMap, HashSet};

use url::Url;

use super::model::{Asset, AssetFrom};

/// The old blog's address and the hosts that served its files.
#[derive(Debug, Clone)]
pub struct OldSite {
    pub base: Url,
    /// Hosts whose files are the blog's own: the blog's host, `NAME.files.wordpress.com`,
    /// Blogger's image hosts.
    hosts: Vec<String>,
    /// Host suffixes that are the blog's own (`.bp.blogspot.com`).
    suffixes: Vec<String>,
    /// WordPress's page for an attachment (site path) and the file it shows: a link
    /// to that page (galleries link each image to one) becomes a link to the file.
    pub attachment_pages: HashMap<String, String>,
}

/// Extensions of files that are worth bringing across when a post links to them.
const FILES: [&str; 24] = [
    "jpg", "jpeg", "png", "gif", "webp", "svg", "avif", "bmp", "tif", "tiff", "mp3", "m4a", "ogg",
    "wav", "mp4", "m4v", "webm", "mov", "pdf", "doc", "docx", "ppt", "pptx", "odt",
];

impl OldSite {
    /// `base` as the export names it (`https://blog.example.org`); None when it is
    /// not a web address.
    pub fn new(base: &str, extra_hosts: &[&str], suffixes: &[&str]) -> Option<OldSite> {
        let mut base = Url::parse(base.trim()).ok()?;
        if !matches!(base.scheme(), "http" | "https") {
            return None;
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let host = base.host_str()?.to_ascii_lowercase();
        let bare = host.strip_prefix("www.").unwrap_or(&host).to_string();
        let mut hosts = vec![host.clone(), bare.clone(), format!("www.{bare}")];
        if let Some(name) = bare.strip_suffix(".wordpress.com") {
            hosts.push(format!("{name}.files.wordpress.com"));
        }
        hosts.extend(extra_hosts.iter().map(|h| h.to_string()));
        Some(OldSite {
            base,
            hosts,
            suffixes: suffixes.iter().map(|s| s.to_string()).collect(),
            attachment_pages: HashMap::new(),
        })
    }

    pub fn owns(&self, url: &Url) -> bool {
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        self.hosts.contains(&host) || self.suffixes.iter().any(|s| host.ends_with(s.as_str()))
    }

    /// An address on the old blog as a path of this site (`/2019/03/hello/`,
    /// `/?p=12`), for aliases and for links between posts.
    pub fn site_path(&self, url: &str) -> Option<String> {
        let url = self.base.join(url.trim()).ok()?;
        if url.host_str() != self.base.host_str() && !self.owns(&url) {
            return None;
        }
        let rest = url
            .path()
            .strip_prefix(self.base.path())
            .unwrap_or(url.path());
        let mut path = format!("/{}", rest.trim_start_matches('/'));
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        Some(path)
    }
}

/// The files of one post, gathered while its body is converted.
pub struct Media<'a> {
    site: Option<&'a OldSite>,
    pub assets: Vec<Asset>,
    by_url: HashMap<String, String>,
    names: HashSet<String>,
    /// Images left where they are, by host.
    pub remote: BTreeMap<String, usize>,
}

impl<'a> Media<'a> {
    pub fn new(site: Option<&'a OldSite>) -> Media<'a> {
        Media {
            site,
            assets: Vec::new(),
            by_url: HashMap::new(),
            names: HashSet::new(),
            remote: BTreeMap::new(),
        }
    }

    /// The bundle file for an image's `src`, when it is on the old site; otherwise
    /// the image stays remote and is counted.
    pub fn image(&mut self, src: &str) -> Option<String> {
        let url = self.absolute(src)?;
        if self.site.is_some_and(|s| s.owns(&url)) {
            return Some(self.bring(url));
        }
        if let Some(host) = url.host_str() {
            *self.remote.entry(host.to_string()).or_default() += 1;
        }
        None
    }

    /// What a link's `href` becomes: a bundle file for a file on the old site, a site
    /// path for a page on it (its alias answers), or nothing (left as it is).
    pub fn link(&mut self, href: &str) -> Option<String> {
        let site = self.site?;
        let url = self.absolute(href)?;
        if !site.owns(&url) {
            return None;
        }
        let ext = url
            .path()
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if FILES.contains(&ext.as_str()) {
            return Some(self.bring(url));
        }
        let mut path = site.site_path(url.as_str())?;
        if let Some(file) = site.attachment_pages.get(&path)
            && let Ok(file) = self.absolute(file).ok_or(())
        {
            return Some(self.bring(file));
        }
        if let Some(f) = url.fragment() {
            path.push('#');
            path.push_str(f);
        }
        Some(path)
    }

    /// A media file (a `[video]`'s source): a bundle file when on the old site.
    pub fn file(&mut self, src: &str) -> Option<String> {
        let url = self.absolute(src)?;
        self.site
            .is_some_and(|s| s.owns(&url))
            .then(|| self.bring(url))
    }

    fn absolute(&self, src: &str) -> Option<Url> {
        let src = src.trim().replace("&amp;", "&");
        let url = match self.site {
            Some(s) => s.base.join(&src).ok()?,
            None => Url::parse(&src).ok()?,
        };
        matches!(url.scheme(), "http" | "https").then_some(url)
    }

    fn bring(&mut self, mut url: Url) -> String {
        // WordPress.com and Blogger resize by query (`?w=300`); the file itself is
        // the full image, and the site makes its own sizes.
        url.set_query(None);
        url.set_fragment(None);
        blogger_full_size(&mut url);
        let key = url.to_string();
        if let Some(name) = self.by_url.get(&key) {
            return name.clone();
        }
        let last = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_default();
        let name = unique_name(&mut self.names, &file_name(&last));
        self.by_url.insert(key.clone(), name.clone());
        self.assets.push(Asset {
            name: name.clone(),
            from: AssetFrom::Url(key),
        });
        name
    }
}

/// Blogger names an image's size in its path (`/s320/`, `/w400-h300/`) and links each
/// to its full size (`/s1600/`): both are the same file here.
fn blogger_full_size(url: &mut Url) {
    let host = url.host_str().unwrap_or("");
    if !(host.ends_with(".googleusercontent.com") || host.ends_with(".bp.blogspot.com")) {
        return;
    }
    let sized = |seg: &str| {
        let first = seg.split('-').next().unwrap_or("");
        first.len() > 1
            && matches!(first.as_bytes()[0], b's' | b'w' | b'h')
            && first[1..].bytes().all(|b| b.is_ascii_digit())
    };
    let segments: Vec<String> = match url.path_segments() {
        Some(s) => s.map(String::from).collect(),
        None => return,
    };
    if segments.len() < 2 {
        return;
    }
    let last = segments.len() - 1;
    let path: Vec<&str> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i + 1 == last && sized(s) {
                "s1600"
            } else {
                s.as_str()
            }
        })
        .collect();
    url.set_path(&path.join("/"));
}

/// A safe, readable file name: the URL's last part with anything odd made a dash.
fn file_name(last: &str) -> String {
    let (stem, ext) = match last.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, e.to_ascii_lowercase()),
        _ => (last, String::new()),
    };
    let mut stem = slug::slugify(stem);
    if stem.is_empty() || stem == "index" {
        stem = "file".into();
    }
    let ext: String = ext.chars().filter(char::is_ascii_alphanumeric).collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

fn unique_name(taken: &mut HashSet<String>, name: &str) -> String {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let mut candidate = name.to_string();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = if ext.is_empty() {
            format!("{stem}-{n}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wp() -> OldSite {
        OldSite::new("https://teach.wordpress.com", &[], &[]).unwrap()
    }

    #[test]
    fn old_urls_become_site_paths() {
        let s = wp();
        assert_eq!(
            s.site_path("https://teach.wordpress.com/2019/03/02/hello/")
                .unwrap(),
            "/2019/03/02/hello/"
        );
        assert_eq!(
            s.site_path("https://teach.wordpress.com/?p=12").unwrap(),
            "/?p=12"
        );
        assert_eq!(s.site_path("https://other.example/x/"), None);
        let sub = OldSite::new("https://school.example/blog", &[], &[]).unwrap();
        assert_eq!(
            sub.site_path("https://school.example/blog/2019/x/")
                .unwrap(),
            "/2019/x/"
        );
    }

    #[test]
    fn files_on_the_old_site_are_brought_with_unique_names() {
        let s = wp();
        let mut m = Media::new(Some(&s));
        let a = m.image("https://teach.files.wordpress.com/2019/03/Beach%20Day.JPG?w=300");
        let b = m.image("https://teach.files.wordpress.com/2019/03/beach-day.jpg");
        let again = m.image("https://teach.files.wordpress.com/2019/03/Beach%20Day.JPG");
        assert_eq!(a.as_deref(), Some("beach-day.jpg"));
        assert_eq!(b.as_deref(), Some("beach-day-2.jpg"));
        assert_eq!(again, a);
        assert_eq!(m.image("https://upload.example.org/x.png"), None);
        assert_eq!(m.remote.get("upload.example.org"), Some(&1));
        assert_eq!(
            m.link("https://teach.wordpress.com/2019/03/02/hello/#more")
                .as_deref(),
            Some("/2019/03/02/hello/#more")
        );
        assert_eq!(
            m.link("https://teach.files.wordpress.com/a/plan.pdf")
                .as_deref(),
            Some("plan.pdf")
        );
        assert_eq!(m.assets.len(), 3);
    }

    #[test]
    fn blogger_sizes_of_one_image_are_one_file() {
        let s = OldSite::new("https://c.blogspot.com/", &[], &[".bp.blogspot.com"]).unwrap();
        let mut m = Media::new(Some(&s));
        let small = m.image("https://1.bp.blogspot.com/-a/b/s320/pizza.jpg");
        let full = m.link("https://1.bp.blogspot.com/-a/b/s1600/pizza.jpg");
        assert_eq!(
            (small.as_deref(), full.as_deref()),
            (Some("pizza.jpg"), Some("pizza.jpg"))
        );
        assert_eq!(m.assets.len(), 1);
    }
}
