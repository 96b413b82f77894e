//! Errors from loading the templates. Tera parses every template at once, so which
//! file is wrong is read from the error's own fields (`Failed to parse 'NAME'`, the
//! template that extends a missing one...), never from names quoted in the message:
//! a parse error quotes the line of source, and `{% extends "base.html" %}` on that
//! line named the built-in base.html instead of the teacher's post.html.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use tera::ErrorKind;

use super::errors::{Found, HINT, locate, shorten, template_error};
use super::theme::Origin;
use crate::error::{Error, Location};

/// A source line longer than this is shown as a window around the column.
const EXCERPT_WIDTH: usize = 80;
/// How much of that window comes before the column.
const EXCERPT_BEFORE: usize = 50;

pub(super) fn load_error(e: &tera::Error, origins: &BTreeMap<String, (String, Origin)>) -> Error {
    let Some((name, message, at)) = what_failed(e) else {
        return template_error(e, origins);
    };
    let Some((text, origin)) = origins.get(&name) else {
        return template_error(e, origins);
    };
    let (line, note) = match &at {
        At::Place(line, _) => (Some(*line), None),
        At::Tag(tag) => (tag_line(text, tag), None),
        At::Unknown => Found::split(locate(&message, text)),
    };
    let mut lines: Vec<String> = message.lines().map(|l| shorten(l.trim_end())).collect();
    lines.extend(note);
    let mut column = None;
    if let At::Place(line, col) = at {
        column = Some(col);
        lines.extend(excerpt(text, line, col));
    }
    let location = Location {
        file: origin.describe(&name).into(),
        line,
        column,
    };
    Error::input(location, format!("template error: {}", lines.join("\n  "))).with_hint(HINT)
}

/// Where in the template the error is.
enum At {
    /// Line and column, from the parser.
    Place(usize, usize),
    /// The first tag that matches this pattern.
    Tag(String),
    /// To be found from what the message names.
    Unknown,
}

/// The template at fault, what is wrong with it, and where.
fn what_failed(e: &tera::Error) -> Option<(String, String, At)> {
    match &e.kind {
        ErrorKind::Msg(m) => {
            if let Some(name) = m
                .strip_prefix("Failed to parse '")
                .and_then(|r| r.strip_suffix('\''))
            {
                let inner = std::error::Error::source(e)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                let (message, at) = parse_detail(&inner);
                return Some((name.to_string(), message, at));
            }
            // Tera's check that every `{% import %}` names a template.
            static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(
                    r"^Template `(.+)` loads macros from `(.+)` which isn't present in Tera$",
                )
                .expect("valid regex")
            });
            let c = IMPORT.captures(m)?;
            let missing = regex::escape(&c[2]);
            Some((
                c[1].to_string(),
                format!(
                    "imports macros from '{}', but there is no such template",
                    &c[2]
                ),
                At::Tag(format!(r#"\{{%-?\s*import\s+["'`]{missing}["'`]"#)),
            ))
        }
        ErrorKind::MissingParent { current, parent } => Some((
            current.clone(),
            format!("extends '{parent}', but there is no such template"),
            At::Tag(format!(
                r#"\{{%-?\s*extends\s+["'`]{}["'`]"#,
                regex::escape(parent)
            )),
        )),
        ErrorKind::CircularExtend {
            tpl,
            inheritance_chain,
        } => Some((
            tpl.clone(),
            format!(
                "templates extend each other in a circle: {} → {tpl}",
                inheritance_chain.join(" → ")
            ),
            At::Tag(r"\{%-?\s*extends\s".to_string()),
        )),
        _ => None,
    }
}

/// The message and place of a parse error: pest's (` --> L:C`, the source line, a
/// caret, `= expected ...`) or the patched Tera's nesting bound (`line L, column C: `).
/// Others (`Block `x` is duplicated`) say only what is wrong.
fn parse_detail(msg: &str) -> (String, At) {
    static OURS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^line (\d+), column (\d+): ").expect("valid regex"));
    static PEST: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*--> (\d+):(\d+)").expect("valid regex"));
    let place = |c: &regex::Captures| match (c[1].parse(), c[2].parse()) {
        (Ok(line), Ok(col)) => At::Place(line, col),
        _ => At::Unknown,
    };
    if let Some(c) = OURS.captures(msg) {
        return (msg[c[0].len()..].to_string(), place(&c));
    }
    if let Some(c) = PEST.captures(msg) {
        // What pest expected follows the source excerpt, on the line starting `= `;
        // the excerpt itself is left out (it may be one line of 100,000 brackets).
        let said: Vec<&str> = msg
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("= "))
            .map(|l| l.trim().trim_start_matches("= "))
            .collect();
        let message = if said.is_empty() {
            "the template cannot be read here".to_string()
        } else {
            said.join(" ")
        };
        return (message, place(&c));
    }
    (msg.to_string(), At::Unknown)
}

fn tag_line(text: &str, pattern: &str) -> Option<usize> {
    let at = Regex::new(pattern).ok()?.find(text)?;
    Some(crate::error::line_col(text, at.start()).0)
}

/// The source line at an error with a caret under the column, as pest shows it, but
/// cut to a window around the column so that a long line stays readable.
fn excerpt(text: &str, line: usize, col: usize) -> Vec<String> {
    let Some(src) = text.split('\n').nth(line.saturating_sub(1)) else {
        return Vec::new();
    };
    // Tabs and other control characters would move the caret off its column.
    let chars: Vec<char> = src
        .trim_end_matches('\r')
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let at = col.saturating_sub(1).min(chars.len());
    let start = if chars.len() <= EXCERPT_WIDTH {
        0
    } else {
        at.saturating_sub(EXCERPT_BEFORE)
            .min(chars.len() - EXCERPT_WIDTH)
    };
    let end = (start + EXCERPT_WIDTH).min(chars.len());
    let mut shown: String = chars[start..end].iter().collect();
    let mut caret = at - start;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if end < chars.len() {
        shown.push('…');
    }
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    vec![
        format!("{pad} |"),
        format!("{number} | {shown}").trim_end().to_string(),
        format!("{pad} | {}^", " ".repeat(caret)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_shown_around_the_column() {
        let text = format!("a\n{}", "(".repeat(1000));
        assert_eq!(
            excerpt(&text, 2, 500),
            [
                "  |".to_string(),
                format!("2 | …{}…", "(".repeat(80)),
                format!("  | {}^", " ".repeat(51)),
            ]
        );
        assert_eq!(
            excerpt("{% if %}", 1, 7),
            ["  |", "1 | {% if %}", "  |       ^"]
        );
        assert_eq!(excerpt("a\n\tb\n", 2, 2), ["  |", "2 |  b", "  |  ^"]);
        assert_eq!(excerpt("a\n\n", 2, 1), ["  |", "2 |", "  | ^"]);
        assert!(excerpt("a", 5, 1).is_empty());
    }

    #[test]
    fn parse_errors_give_their_place_and_what_was_expected() {
        let pest = " --> 12:5\n   |\n12 | {{ \"x\" }\n   |     ^---\n   |\n   = expected a thing";
        let (message, at) = parse_detail(pest);
        assert_eq!(message, "expected a thing");
        assert!(matches!(at, At::Place(12, 5)));
        let (message, at) = parse_detail("line 7, column 3: tags nested");
        assert_eq!(message, "tags nested");
        assert!(matches!(at, At::Place(7, 3)));
        let (message, at) = parse_detail("Block `x` is duplicated");
        assert_eq!(message, "Block `x` is duplicated");
        assert!(matches!(at, At::Unknown));
    }
}
