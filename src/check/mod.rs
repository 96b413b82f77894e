//! `check`: every internal link, anchor and image in the built site resolves; missing
//! alt text and posts without tags or summary are warnings; `--external` also asks
//! other sites whether the pages we link to still exist.

pub mod external;
pub mod scan;
pub mod targets;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::site::{LocalLink, Site};

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
    let posts = site.posts.iter().map(|p| (&p.path, &p.source));
    let pages = site.pages.iter().map(|p| (&p.path, &p.source));
    posts
        .chain(pages)
        .map(|(path, source)| (format!("{path}index.html"), crate::error::shown(source)))
        .collect()
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
    warn_about_posts(site, &mut report);
    warn_about_leftovers(site, &mut report);
    let scans = scan_pages(public);
    let known = Known::new(site, public, &mut report);
    let mut links = Vec::new();
    for (path, s) in &scans {
        let page = path
            .strip_prefix(public)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        known.walk_page(&page, s, &mut report, external_links, &mut links);
    }
    for link in links {
        known.follow(&link, &scans, &mut report);
    }
    once_for_the_post(&mut report);
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

/// Posts a reader cannot find by topic or whose lists show no text.
fn warn_about_posts(site: &Site, report: &mut Report) {
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
}

/// Leftovers of other generators (`{{ site.baseurl }}`, `{{< figure >}}`) in the posts.
fn warn_about_leftovers(site: &Site, report: &mut Report) {
    for (at, message) in crate::content::leftovers::in_site(site) {
        let place = (at.line.unwrap_or(1), at.column.unwrap_or(1));
        let file = crate::error::shown(&at.file);
        report.add_at(file, place, Severity::Warning, message);
    }
}

/// Every built HTML page, read once (in parallel: a large site has thousands).
fn scan_pages(public: &Path) -> HashMap<PathBuf, scan::PageScan> {
    let pages: Vec<PathBuf> = walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().to_path_buf())
        .collect();
    pages
        .par_iter()
        .filter_map(|p| {
            std::fs::read(p)
                .ok()
                .map(|html| (p.clone(), scan::scan(&html)))
        })
        .collect()
}

/// List pages show posts' text (a short post whole), so a post's broken link is found
/// again on the home and tag pages: it is reported once, for the post, where the
/// teacher fixes it.
fn once_for_the_post(report: &mut Report) {
    let in_content: HashSet<String> = (report.by_file.iter())
        .filter(|(file, _)| !file.ends_with(MADE_BY_THEME))
        .flat_map(|(_, problems)| problems.iter().map(|p| p.message.clone()))
        .collect();
    for (file, problems) in &mut report.by_file {
        if file.ends_with(MADE_BY_THEME) {
            problems.retain(|p| !in_content.contains(&p.message));
        }
    }
    report.by_file.retain(|_, problems| !problems.is_empty());
}

/// What the check of the built pages knows beforehand: who wrote each page, which
/// links the Markdown stage already reported, and where each Markdown link was typed.
struct Known<'a> {
    public: &'a Path,
    base: &'a crate::config::BaseUrl,
    owners: HashMap<String, String>,
    /// (page, url) of the links already told at their Markdown line.
    told: HashSet<(String, String)>,
    told_urls: HashSet<String>,
    /// Every Markdown link by (page, url): the links of a content page not in it were
    /// written by the theme's templates (or as HTML in the file).
    typed: HashMap<(String, &'a str), &'a LocalLink>,
    typed_urls: HashSet<&'a str>,
}

impl<'a> Known<'a> {
    /// Broken links and images in the Markdown are told here, at the line they were
    /// typed on; the same ones are then not told again from the HTML. Lists (home,
    /// tags, archive) show the posts' summaries, so a post's broken image is on them
    /// too: told once, for the post.
    fn new(site: &'a Site, public: &'a Path, report: &mut Report) -> Self {
        let mut told = HashSet::new();
        let mut told_urls = HashSet::new();
        for m in targets::missing_in_content(site, public) {
            let at = (m.location.line.unwrap_or(1), m.location.column.unwrap_or(1));
            let file = crate::error::shown(&m.location.file);
            report.add_at(file, at, Severity::Error, m.message());
            told_urls.insert(m.url.clone());
            told.insert((m.page, m.url));
        }
        let typed: HashMap<(String, &str), &LocalLink> = targets::typed(site)
            .map(|(_, page, l)| ((page, l.url.as_str()), l))
            .collect();
        let typed_urls = typed.keys().map(|(_, url)| *url).collect();
        Known {
            public,
            base: &site.config.base,
            owners: owners(site),
            told,
            told_urls,
            typed,
            typed_urls,
        }
    }

    /// The file a teacher opens to fix `page`.
    fn owner(&self, page: &str) -> String {
        (self.owners.get(page).cloned()).unwrap_or_else(|| format!("{page}{MADE_BY_THEME}"))
    }

    fn already_told(&self, page: &str, url: &str) -> bool {
        self.told.contains(&(page.to_string(), url.to_string()))
            || (!self.owners.contains_key(page) && self.told_urls.contains(url))
    }

    /// "image `a.png`" or "link `b/`", saying when the theme rather than the Markdown
    /// wrote it.
    fn describe(&self, page: &str, raw: &str, images: &[String]) -> String {
        let what = if images.iter().any(|i| i == raw) {
            "image"
        } else {
            "link"
        };
        let theirs =
            self.owners.contains_key(page) && !self.typed.contains_key(&(page.to_string(), raw));
        if theirs {
            format!("{what} `{raw}` (from the theme's templates or HTML in this file)")
        } else {
            format!("{what} `{raw}`")
        }
    }

    /// Reports one page's images without alt text and links that cannot resolve; the
    /// links to other sites go to `external`, the local ones to `links`.
    fn walk_page(
        &self,
        page: &str,
        s: &scan::PageScan,
        report: &mut Report,
        external: &mut Vec<(String, String)>,
        links: &mut Vec<Link>,
    ) {
        for src in &s.images_without_alt {
            report.add(
                self.owner(page),
                Severity::Warning,
                format!(
                    "the image {src} has no alt text; describe it for readers who cannot see it"
                ),
            );
        }
        for (raw, _) in &s.links {
            let raw = raw.trim();
            let local = (raw.strip_prefix(self.base.url.as_str()))
                .map(|rest| format!("{}{rest}", self.base.path()));
            let target = local.as_deref().unwrap_or(raw);
            if target.starts_with("http://") || target.starts_with("https://") {
                external.push((self.owner(page), target.to_string()));
                continue;
            }
            if target.starts_with("//")
                || target.contains(':') && !target.starts_with('/') && !target.starts_with('#')
            {
                continue; // mailto:, tel:, data: and the like
            }
            if self.already_told(page, target) {
                continue;
            }
            match resolve(self.public, self.base.path(), page, target) {
                Ok(link) => links.push(link),
                Err(msg) => report.add(
                    self.owner(page),
                    Severity::Error,
                    format!("{} {msg}", self.describe(page, raw, &s.images)),
                ),
            }
        }
    }

    /// Reports a link whose file or `#fragment` is not in the built site.
    fn follow(&self, link: &Link, scans: &HashMap<PathBuf, scan::PageScan>, report: &mut Report) {
        if !link.file.is_file() {
            let images =
                (scans.get(&self.public.join(&link.page))).map_or(&[][..], |s| &s.images[..]);
            report.add(
                self.owner(&link.page),
                Severity::Error,
                format!(
                    "{} points to a page or file that does not exist",
                    self.describe(&link.page, &link.raw, images)
                ),
            );
            return;
        }
        let Some(fragment) = &link.fragment else {
            return;
        };
        let decoded = percent_decode(fragment);
        let has = (scans.get(&link.file)).is_some_and(|s| s.ids.contains(&decoded));
        let is_html = link.file.extension().is_some_and(|x| x == "html");
        if !is_html || has {
            return;
        }
        match self.typed.get(&(link.page.clone(), link.raw.as_str())) {
            Some(l) => report.add_at(
                self.owner(&link.page),
                (l.line, l.column),
                Severity::Error,
                format!("the link `{}` points to #{fragment}, but that page has no heading or element with that id; check the heading's id (a heading \"Our results\" has the id our-results)", l.written),
            ),
            // A list page showing a post's summary: told once, for the post.
            None if !self.owners.contains_key(&link.page)
                && self.typed_urls.contains(link.raw.as_str()) => {}
            None => report.add(
                self.owner(&link.page),
                Severity::Error,
                format!("link `{}` points to #{fragment}, but that page has no heading or element with that id", link.raw),
            ),
        }
    }
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
