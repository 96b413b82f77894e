//! `check`: every internal link, anchor and image in the built site resolves; missing
//! alt text and posts without tags or summary are warnings; `--external` also asks
//! other sites whether the pages we link to still exist.

pub mod external;
pub mod scan;
pub mod targets;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::site::Site;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub severity: Severity,
    pub message: String,
    /// Line and column in the file, when the problem is at one place in it.
    pub at: Option<(usize, usize)>,
}

/// Problems grouped by the file a teacher would open to fix them.
#[derive(Debug, Default)]
pub struct Report {
    pub by_file: BTreeMap<String, Vec<Problem>>,
}

impl Report {
    pub fn add(&mut self, file: impl Into<String>, severity: Severity, message: impl Into<String>) {
        self.by_file.entry(file.into()).or_default().push(Problem {
            severity,
            message: message.into(),
            at: None,
        });
    }

    /// A problem at a line and column of the file.
    pub fn add_at(
        &mut self,
        file: impl Into<String>,
        at: (usize, usize),
        severity: Severity,
        message: impl Into<String>,
    ) {
        self.by_file.entry(file.into()).or_default().push(Problem {
            severity,
            message: message.into(),
            at: Some(at),
        });
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.by_file
            .values()
            .flatten()
            .filter(|p| p.severity == severity)
            .count()
    }
}

/// After the name of a page no content file makes (a list, the 404 page).
const MADE_BY_THEME: &str = " (made by the theme)";

/// Who wrote each output page: a content file, or the theme for generated pages.
fn owners(site: &Site) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for p in &site.posts {
        map.insert(
            format!("{}index.html", p.path),
            crate::error::shown(&p.source),
        );
    }
    for p in &site.pages {
        map.insert(
            format!("{}index.html", p.path),
            crate::error::shown(&p.source),
        );
    }
    map
}

/// One link found on one page, resolved to a file in the output.
struct Link {
    page: String,
    raw: String,
    file: PathBuf,
    fragment: Option<String>,
}

pub fn check_output(
    site: &Site,
    public: &Path,
    external_links: &mut Vec<(String, String)>,
) -> Report {
    let mut report = Report::default();
    let owners = owners(site);
    let owner = |page: &str| {
        owners
            .get(page)
            .cloned()
            .unwrap_or_else(|| format!("{page}{MADE_BY_THEME}"))
    };

    for post in &site.posts {
        let file = crate::error::shown(&post.source);
        if post.tags.is_empty() {
            report.add(
                &file,
                Severity::Warning,
                "has no tags, so readers cannot find it by topic",
            );
        }
        if post.summary.trim().is_empty() {
            report.add(
                &file,
                Severity::Warning,
                "has no summary (add `summary:` or start with a paragraph)",
            );
        }
    }

    for (at, message) in crate::content::leftovers::in_site(site) {
        let place = (at.line.unwrap_or(1), at.column.unwrap_or(1));
        let file = crate::error::shown(&at.file);
        report.add_at(file, place, Severity::Warning, message);
    }

    let pages: Vec<PathBuf> = walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().to_path_buf())
        .collect();
    let scans: HashMap<PathBuf, scan::PageScan> = pages
        .par_iter()
        .filter_map(|p| {
            std::fs::read(p)
                .ok()
                .map(|html| (p.clone(), scan::scan(&html)))
        })
        .collect();

    // Broken links and images in the Markdown are told at the line they were typed
    // on; the same ones are then not told again from the HTML.
    // Lists (home, tags, archive) show the posts' summaries, so a post's broken image
    // is on them too: told once, for the post.
    let mut told: std::collections::HashSet<(String, String)> = Default::default();
    let mut told_urls: std::collections::HashSet<String> = Default::default();
    for m in targets::missing_in_content(site, public) {
        let at = (m.location.line.unwrap_or(1), m.location.column.unwrap_or(1));
        let file = crate::error::shown(&m.location.file);
        report.add_at(file, at, Severity::Error, m.message());
        told_urls.insert(m.url.clone());
        told.insert((m.page, m.url));
    }
    // Where each Markdown link sits, so a missing anchor is told at its line too.
    let typed: std::collections::HashMap<(String, &str), &crate::site::LocalLink> =
        targets::typed(site)
            .map(|(_, page, l)| ((page, l.url.as_str()), l))
            .collect();
    let typed_urls: std::collections::HashSet<&str> = typed.keys().map(|(_, url)| *url).collect();
    let already_told = |page: &str, url: &str| {
        told.contains(&(page.to_string(), url.to_string()))
            || (!owners.contains_key(page) && told_urls.contains(url))
    };
    // Which links of a content page came from its Markdown; the rest were written by
    // the theme's templates (or as HTML in the file), and are reported as such.
    let mut from_markdown: std::collections::HashSet<(String, &str)> = Default::default();
    let content = (site.posts.iter().map(|p| (&p.path, &p.local)))
        .chain(site.pages.iter().map(|p| (&p.path, &p.local)));
    for (path, local) in content {
        for l in local.iter() {
            from_markdown.insert((format!("{path}index.html"), l.url.as_str()));
        }
    }
    let describe = |page: &str, raw: &str, images: &[String]| {
        let what = if images.iter().any(|i| i == raw) {
            "image"
        } else {
            "link"
        };
        let theirs = owners.contains_key(page) && !from_markdown.contains(&(page.to_string(), raw));
        if theirs {
            format!("{what} `{raw}` (from the theme's templates or HTML in this file)")
        } else {
            format!("{what} `{raw}`")
        }
    };

    let base = &site.config.base;
    let mut links = Vec::new();
    for (path, s) in &scans {
        let page = path
            .strip_prefix(public)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        for src in &s.images_without_alt {
            report.add(
                owner(&page),
                Severity::Warning,
                format!(
                    "the image {src} has no alt text; describe it for readers who cannot see it"
                ),
            );
        }
        for (raw, _) in &s.links {
            let raw = raw.trim();
            let local = raw
                .strip_prefix(base.url.as_str())
                .map(|rest| format!("{}{rest}", base.path()));
            let target = local.as_deref().unwrap_or(raw);
            if target.starts_with("http://") || target.starts_with("https://") {
                external_links.push((owner(&page), target.to_string()));
                continue;
            }
            if target.starts_with("//")
                || target.contains(':') && !target.starts_with('/') && !target.starts_with('#')
            {
                continue; // mailto:, tel:, data: and the like
            }
            if already_told(&page, target) {
                continue;
            }
            match resolve(public, base.path(), &page, target) {
                Ok(link) => links.push(link),
                Err(msg) => report.add(
                    owner(&page),
                    Severity::Error,
                    format!("{} {msg}", describe(&page, raw, &s.images)),
                ),
            }
        }
    }
    for link in links {
        let exists = link.file.is_file();
        if !exists {
            let images = scans
                .get(&public.join(&link.page))
                .map_or(&[][..], |s| &s.images[..]);
            report.add(
                owner(&link.page),
                Severity::Error,
                format!(
                    "{} points to a page or file that does not exist",
                    describe(&link.page, &link.raw, images)
                ),
            );
            continue;
        }
        if let Some(fragment) = &link.fragment {
            let decoded = percent_decode(fragment);
            let has = scans
                .get(&link.file)
                .is_some_and(|s| s.ids.contains(&decoded));
            let is_html = link.file.extension().is_some_and(|x| x == "html");
            if is_html && !has {
                match typed.get(&(link.page.clone(), link.raw.as_str())) {
                    Some(l) => report.add_at(
                        owner(&link.page),
                        (l.line, l.column),
                        Severity::Error,
                        format!("the link `{}` points to #{fragment}, but that page has no heading or element with that id; check the heading's id (a heading \"Our results\" has the id our-results)", l.written),
                    ),
                    // A list page showing a post's summary: told once, for the post.
                    None if !owners.contains_key(&link.page)
                        && typed_urls.contains(link.raw.as_str()) => {}
                    None => report.add(
                        owner(&link.page),
                        Severity::Error,
                        format!("link `{}` points to #{fragment}, but that page has no heading or element with that id", link.raw),
                    ),
                }
            }
        }
    }
    // List pages show posts' text (a short post whole), so a post's broken link is
    // found again on the home and tag pages: it is reported once, for the post, where
    // the teacher fixes it.
    let in_content: std::collections::HashSet<String> = (report.by_file.iter())
        .filter(|(file, _)| !file.ends_with(MADE_BY_THEME))
        .flat_map(|(_, problems)| problems.iter().map(|p| p.message.clone()))
        .collect();
    for (file, problems) in &mut report.by_file {
        if file.ends_with(MADE_BY_THEME) {
            problems.retain(|p| !in_content.contains(&p.message));
        }
    }
    report.by_file.retain(|_, problems| !problems.is_empty());
    for problems in report.by_file.values_mut() {
        problems.sort_by(|a, b| {
            (a.severity.cmp(&b.severity))
                .then(a.at.cmp(&b.at))
                .then(a.message.cmp(&b.message))
        });
        problems.dedup_by(|a, b| a.message == b.message);
    }
    report
}

fn resolve(public: &Path, base_path: &str, page: &str, target: &str) -> Result<Link, String> {
    let (path, fragment) = match target.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string()).filter(|f| !f.is_empty())),
        None => (target, None),
    };
    let path = path.split('?').next().unwrap_or("");
    let site_path = if path.is_empty() {
        page.to_string()
    } else if let Some(rest) = path.strip_prefix(base_path) {
        rest.to_string()
    } else if path.starts_with('/') {
        return Err(format!(
            "is outside the site's base path {base_path}; start it with {base_path}"
        ));
    } else {
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        format!("{dir}/{path}")
    };
    let mut parts: Vec<String> = Vec::new();
    for seg in site_path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("climbs above the site's root".into());
                }
            }
            s => parts.push(percent_decode(s)),
        }
    }
    let mut file = public.join(parts.join("/"));
    if site_path.is_empty() || site_path.ends_with('/') || file.is_dir() {
        file = file.join("index.html");
    }
    Ok(Link {
        page: page.to_string(),
        raw: target.to_string(),
        file,
        fragment,
    })
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}
