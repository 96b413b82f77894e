//! Heading ids, the tags around a heading with its self-link, and the entries of the
//! table of contents.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, HeadingLevel};
use serde::Serialize;

use crate::content::text::escape_html;

#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// The ids given so far in one file, and for each id asked for twice, the next
/// number to try after it. Trying `notes-1`, `notes-2`... from 1 on every repeat
/// made a post of many equal headings quadratic; a number once found taken stays
/// taken, so starting where the last search ended gives the same ids.
#[derive(Default)]
pub(super) struct Ids {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

/// The id the teacher gave (`{#id}`), else one made from the text; a repeat gets a
/// number, so every link to a section lands on that section.
pub(super) fn heading_id(ids: &mut Ids, given: Option<CowStr>, text: &str) -> String {
    let base = given.map(|i| i.to_string()).unwrap_or_else(|| {
        let s = id_from_text(text);
        if s.is_empty() { "section".into() } else { s }
    });
    unique_id(ids, &base)
}

/// An id as GitHub and kramdown make them, so links written for the old site or read
/// on GitHub keep landing: letters and digits of every script kept, lowercase
/// (`## 매크로 선언` → `매크로-선언`, `## Café` → `café`), any other run of characters
/// one `-`. For text in ASCII this is the slug it always was (`Step 1: Plan` →
/// `step-1-plan`), so ids of existing posts stay as they were.
pub(super) fn id_from_text(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        // Marks belong to the letter before them (Devanagari vowel signs, Thai tones).
        let kept = c.is_ascii_alphanumeric()
            || (!c.is_ascii() && (c.is_alphanumeric() || unicode_ident::is_xid_continue(c)));
        if kept {
            if dash && !id.is_empty() {
                id.push('-');
            }
            dash = false;
            id.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    id
}

pub(super) fn open_tag(
    n: u8,
    id: &str,
    classes: &[CowStr],
    attrs: &[(CowStr, Option<CowStr>)],
) -> String {
    let mut open = format!("<h{n} id=\"{}\"", escape_html(id));
    if !classes.is_empty() {
        let cls: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
        open.push_str(&format!(" class=\"{}\"", escape_html(&cls.join(" "))));
    }
    for (k, v) in attrs {
        open.push_str(&format!(
            " {}=\"{}\"",
            escape_html(k),
            escape_html(v.as_deref().unwrap_or(""))
        ));
    }
    open.push('>');
    open
}

/// Ends the heading with a self-link, so a reader can copy a link to the section.
pub(super) fn close_tag(n: u8, id: &str, text: &str) -> String {
    format!(
        " <a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section: {}\">#</a></h{n}>\n",
        escape_html(id),
        escape_html(text)
    )
}

pub(super) fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn unique_id(ids: &mut Ids, base: &str) -> String {
    if ids.taken.insert(base.to_string()) {
        return base.to_string();
    }
    let n = ids.next.entry(base.to_string()).or_insert(1);
    loop {
        let id = format!("{base}-{n}");
        *n += 1;
        if ids.taken.insert(id.clone()) {
            return id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::render;
    use super::super::tests::{ctx, pages};
    use crate::content::highlight::Highlighter;

    #[test]
    fn headings_get_unique_ids_and_self_links() {
        let p = pages();
        let r = render(
            "## Hello *there*\n\n## Hello there\n\n### Custom {#mine}",
            &ctx(&p),
            &Highlighter::new(),
        )
        .unwrap();
        assert!(r.html.contains("<h2 id=\"hello-there\">Hello <em>there</em> <a class=\"anchor\" href=\"#hello-there\""), "{}", r.html);
        assert!(r.html.contains("id=\"hello-there-1\""));
        assert!(r.html.contains("id=\"mine\""));
        assert_eq!(r.toc.len(), 3);
    }

    #[test]
    fn ids_keep_the_letters_of_every_script() {
        use super::id_from_text as id;
        assert_eq!(id("매크로 선언"), "매크로-선언");
        assert_eq!(id("Café au lait"), "café-au-lait");
        assert_eq!(id("Привет, мир!"), "привет-мир");
        assert_eq!(id("नमस्ते दुनिया"), "नमस्ते-दुनिया");
        assert_eq!(id("数学 2"), "数学-2");
        assert_eq!(id("🎉 Party"), "party");
        // ASCII headings keep the ids slug gave them.
        for text in [
            "Step 1: Plan",
            "  Hello -- *World*  ",
            "C++ & Rust",
            "snake_case and CamelCase",
            "What's new? (2024)",
            "---",
        ] {
            assert_eq!(id(text), slug::slugify(text), "{text}");
        }
    }

    #[test]
    fn repeated_ids_count_on_past_ids_written_by_hand() {
        let mut ids = super::Ids::default();
        let mut id = |given: Option<&'static str>, text| {
            super::heading_id(&mut ids, given.map(Into::into), text)
        };
        assert_eq!(id(None, "Notes"), "notes");
        assert_eq!(id(None, "Notes 1"), "notes-1");
        assert_eq!(id(Some("notes-2"), "x"), "notes-2");
        assert_eq!(id(None, "Notes"), "notes-3");
        assert_eq!(id(None, "Notes 1"), "notes-1-1");
        assert_eq!(id(None, "Notes"), "notes-4");
        assert_eq!(id(Some("notes-5"), "x"), "notes-5");
        assert_eq!(id(Some("notes-5"), "x"), "notes-5-1");
        assert_eq!(id(None, "Notes"), "notes-6");
        assert_eq!(id(None, "Notes-1-1"), "notes-1-1-1");
    }
}
