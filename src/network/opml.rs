//! OPML, the format every feed reader imports and exports (Feedly, Inoreader,
//! NetNewsWire ...). Folders become tags on the way in and come back out on export.

use std::path::Path;

use opml::{Head, OPML, Outline};

use std::collections::HashSet;

use super::blogroll::{Blog, Blogroll, feed_key, free_name, http_url, same_feed};
use super::sanitize::plain;
use crate::error::{Error, Location, Result};

/// What an import found in a file.
#[derive(Debug, Default)]
pub struct Import {
    /// Blogs not followed yet, named so they do not clash with followed ones.
    pub new: Vec<Blog>,
    pub already_followed: usize,
    /// Outlines whose feed address is not an http(s) URL.
    pub unusable: usize,
}

/// Read an OPML file's feeds, leaving out those `existing` already follows.
pub fn import(path: &Path, bytes: &[u8], existing: &Blogroll) -> Result<Import> {
    let text = decode(bytes);
    if let Some(line) = too_deep(&text) {
        return Err(Error::input(
            Location::line(path, line),
            format!("folders are nested more than {MAX_DEPTH} deep, which no feed reader writes"),
        )
        .with_hint("export your subscriptions again from your feed reader (it is usually called \"Export OPML\"); network.toml was not changed"));
    }
    let doc = OPML::from_str(&text).map_err(|e| {
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(&format!(": {s}"));
            source = s.source();
        }
        Error::input(
            Location::file(path),
            format!("is not an OPML file staffroom can read ({msg})"),
        )
        .with_hint("export your subscriptions again from your feed reader (it is usually called \"Export OPML\"); network.toml was not changed")
    })?;
    let mut found = Vec::new();
    collect(&doc.body.outlines, &mut Vec::new(), &mut found);
    let mut out = Import::default();
    let mut feeds: HashSet<String> = existing.blogs.iter().map(|b| feed_key(&b.feed)).collect();
    let mut taken = existing.slugs();
    for (outline, tags) in found {
        let Some(feed) = outline.xml_url.as_deref().and_then(http_url) else {
            out.unusable += 1;
            continue;
        };
        if !feeds.insert(feed_key(&feed)) {
            out.already_followed += 1;
            continue;
        }
        let title = [outline.title.as_deref(), Some(outline.text.as_str())]
            .into_iter()
            .flatten()
            .map(plain)
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| {
                url::Url::parse(&feed)
                    .ok()
                    .and_then(|u| u.host_str().map(String::from))
                    .unwrap_or_else(|| feed.clone())
            });
        let mut tags = tags;
        for c in outline.category.as_deref().unwrap_or("").split(',') {
            let c = c.trim().trim_matches('/');
            if !c.is_empty() && !tags.iter().any(|t: &String| t.eq_ignore_ascii_case(c)) {
                tags.push(c.to_string());
            }
        }
        let blog = Blog {
            name: free_name(&taken, &title, &feed),
            site: outline
                .html_url
                .as_deref()
                .and_then(http_url)
                .unwrap_or_default(),
            feed,
            tags,
            note: outline
                .description
                .as_deref()
                .map(plain)
                .filter(|d| d.chars().count() <= 200)
                .unwrap_or_default(),
            line: 0,
        };
        taken.insert(blog.slug());
        out.new.push(blog);
    }
    Ok(out)
}

/// Elements nested inside each other, `<opml><body>` included. Feed readers write one or
/// two folder levels; the OPML reader recurses per level, so 100,000 levels overflowed
/// its stack.
const MAX_DEPTH: usize = 64;

/// The line where elements nest past [`MAX_DEPTH`], found in one linear pass with no
/// recursion. A file that is not XML is left to the OPML reader to report.
fn too_deep(text: &str) -> Option<usize> {
    let at = super::parse::depth::first_deeper_than(text.as_bytes(), MAX_DEPTH)?;
    Some(crate::error::line_col(text, at).0)
}

/// Every outline with a feed, with the folder names above it as tags.
fn collect<'a>(
    outlines: &'a [Outline],
    folders: &mut Vec<String>,
    out: &mut Vec<(&'a Outline, Vec<String>)>,
) {
    for o in outlines {
        if o.xml_url.is_some() {
            out.push((o, folders.clone()));
        }
        if !o.outlines.is_empty() {
            let name = plain(o.title.as_deref().unwrap_or(&o.text));
            let pushed = o.xml_url.is_none() && !name.is_empty();
            if pushed {
                folders.push(name);
            }
            collect(&o.outlines, folders, out);
            if pushed {
                folders.pop();
            }
        }
    }
}

/// OPML files are often Latin-1 despite the XML rules; read them as declared.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_lowercase();
    let label = head
        .split("encoding=")
        .nth(1)
        .and_then(|r| r.trim_start_matches(['"', '\'']).split(['"', '\'']).next())
        .unwrap_or("windows-1252");
    let enc =
        encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252);
    enc.decode(bytes).0.into_owned()
}

/// The blogroll as OPML 2.0: a folder per first tag, every tag in `category`.
pub fn export(blogroll: &Blogroll, site_title: &str, owner: &str) -> Result<String> {
    let mut doc = OPML {
        version: "2.0".into(),
        head: Some(Head {
            title: Some(format!("{site_title}: blogroll")),
            owner_name: (!owner.is_empty()).then(|| owner.to_string()),
            ..Head::default()
        }),
        ..OPML::default()
    };
    for blog in &blogroll.blogs {
        let outline = Outline {
            text: blog.name.clone(),
            title: Some(blog.name.clone()),
            r#type: Some("rss".into()),
            xml_url: Some(blog.feed.clone()),
            html_url: (!blog.site.is_empty()).then(|| blog.site.clone()),
            description: (!blog.note.is_empty()).then(|| blog.note.clone()),
            category: (!blog.tags.is_empty()).then(|| {
                blog.tags
                    .iter()
                    .map(|t| format!("/{t}"))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
            ..Outline::default()
        };
        match blog.tags.first() {
            Some(tag) => {
                let outlines = &mut doc.body.outlines;
                let i = match outlines
                    .iter()
                    .position(|o| o.xml_url.is_none() && &o.text == tag)
                {
                    Some(i) => i,
                    None => {
                        outlines.push(Outline {
                            text: tag.clone(),
                            title: Some(tag.clone()),
                            ..Outline::default()
                        });
                        outlines.len() - 1
                    }
                };
                outlines[i].outlines.push(outline);
            }
            None => doc.body.outlines.push(outline),
        }
    }
    if doc.body.outlines.is_empty() {
        doc.body.outlines.push(Outline {
            text: "No blogs yet".into(),
            ..Outline::default()
        });
    }
    let xml = doc
        .to_string()
        .map_err(|e| Error::io(&blogroll.path, std::io::Error::other(e.to_string())))?;
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}\n"
    ))
}

/// Whether two blogrolls follow the same feeds (for tests and sanity checks).
pub fn same_feeds(a: &[Blog], b: &[Blog]) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|x| b.iter().any(|y| same_feed(&x.feed, &y.feed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message of an OPML file that cannot be imported into an empty blogroll.
    fn import_err(file: &str, bytes: &[u8]) -> String {
        import(Path::new(file), bytes, &Blogroll::default())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn folders_become_tags_and_export_round_trips() {
        let xml = r#"<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
            <outline text="Maths"><outline text="Ms A" xmlUrl="https://a.example.org/feed" htmlUrl="https://a.example.org/"/>
              <outline text="Deeper"><outline text="B" xmlUrl="https://b.example.org/rss"/></outline></outline>
            <outline text="C" xmlUrl="https://c.example.org/atom.xml"/>
            <outline text="Bad" xmlUrl="feed://nope"/>
            <outline text="A again" xmlUrl="http://A.example.org/feed/"/></body></opml>"#;
        let got = import(Path::new("x.opml"), xml.as_bytes(), &Blogroll::default()).unwrap();
        assert_eq!(got.new.len(), 3);
        assert_eq!(got.unusable, 1);
        assert_eq!(got.already_followed, 1);
        assert_eq!(got.new[0].tags, vec!["Maths"]);
        assert_eq!(got.new[1].tags, vec!["Maths", "Deeper"]);
        assert!(got.new[2].tags.is_empty());
        let roll = Blogroll {
            path: "network.toml".into(),
            blogs: got.new.clone(),
        };
        let out = export(&roll, "Room 14", "Priya").unwrap();
        let again = import(Path::new("b.opml"), out.as_bytes(), &Blogroll::default()).unwrap();
        assert!(same_feeds(&again.new, &got.new));
        assert_eq!(again.new[1].tags, vec!["Maths", "Deeper"]);
    }

    #[test]
    fn not_opml_is_an_error_naming_the_file() {
        let err = import_err("bad.opml", b"{not xml :)");
        assert!(err.starts_with("bad.opml: is not an OPML file"), "{err}");
    }

    #[test]
    fn folders_nested_without_end_are_an_error_not_a_stack_overflow() {
        let deep = format!(
            "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n{}{}</body></opml>",
            "<outline text=\"a\">".repeat(100_000),
            "</outline>".repeat(100_000)
        );
        let err = import_err("deep.opml", deep.as_bytes());
        assert!(
            err.starts_with("deep.opml:3: folders are nested more than 64 deep"),
            "{err}"
        );
        let nested = format!(
            "<opml version=\"2.0\"><body>{}<outline text=\"f\" xmlUrl=\"https://a.example/feed\"/>{}</body></opml>",
            "<outline text=\"d\">".repeat(10),
            "</outline>".repeat(10)
        );
        let got = import(
            Path::new("ok.opml"),
            nested.as_bytes(),
            &Blogroll::default(),
        )
        .unwrap();
        assert_eq!(got.new.len(), 1);
    }
}
