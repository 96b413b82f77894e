//! Tera's errors as a teacher can use them: the template's file, the line, and the
//! message that says what is wrong. Tera's runtime errors carry no line, so the line
//! is found from what the message names (a variable, a macro, a function...); when
//! that is in more than one place, the error says so rather than pick one.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::theme::Origin;
use crate::error::{Error, Location};

/// A Tera error as a teacher can use it: the template's file, the line where we can
/// find it, and the innermost message (Tera wraps the useful part).
pub(super) fn template_error(
    e: &tera::Error,
    origins: &BTreeMap<String, (String, Origin)>,
) -> Error {
    let mut messages = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        messages.push(s.to_string());
        source = s.source();
    }
    let full = messages.join("\n");
    // Tera's own account of where it was rendering comes first: the messages inside
    // it may quote the teacher's text (`throw(message="...")`, a value a filter
    // refused), which can name any template. Else the innermost template named.
    let name = rendering_where(&messages[0], origins)
        .or_else(|| {
            messages
                .iter()
                .rev()
                .find_map(|m| quoted_template(m, origins))
        })
        .unwrap_or_default();
    let innermost = messages.last().cloned().unwrap_or_default();
    let (file, text) = match origins.get(&name) {
        Some((text, origin)) => (origin.describe(&name), Some(text.as_str())),
        None => ("templates".to_string(), None),
    };
    // What the innermost message names first; the wrappers around it name the
    // function or filter that failed.
    let found = text.and_then(|text| locate(&innermost, text).or_else(|| locate(&full, text)));
    let (line, note) = Found::split(found);
    let location = Location {
        file: file.into(),
        line,
        column: None,
    };
    let mut lines: Vec<String> = innermost.lines().map(|l| shorten(l.trim_end())).collect();
    lines.extend(note);
    Error::input(location, format!("template error: {}", lines.join("\n  "))).with_hint(HINT)
}

/// Where in a template the thing an error names is: its only place, or the first of
/// several (Tera does not say which one failed).
#[derive(Debug, PartialEq)]
pub(super) enum Found {
    Only(usize),
    /// The first line and the others.
    First(usize, Vec<usize>),
}

impl Found {
    /// The line a location may claim, and what to say instead when it is a guess.
    pub(super) fn split(found: Option<Found>) -> (Option<usize>, Option<String>) {
        const SHOWN: usize = 5;
        match found {
            Some(Found::Only(line)) => (Some(line), None),
            Some(Found::First(first, others)) => {
                let mut also: Vec<String> =
                    others.iter().take(SHOWN).map(usize::to_string).collect();
                if others.len() > SHOWN {
                    also.push("…".to_string());
                }
                let note = format!(
                    "Tera does not say which line: first use at line {first} (also at {})",
                    also.join(", ")
                );
                (None, Some(note))
            }
            None => (None, None),
        }
    }
}

pub(super) const HINT: &str = "fix the template, or delete your copy to go back to the theme's";

/// A parse error quotes the template's line whole; a line of thousands of brackets
/// would bury the message, and the location already gives line and column.
pub(super) fn shorten(line: &str) -> String {
    const MAX: usize = 200;
    match line.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    }
}

/// The template a render failed in, from the location Tera puts around every render
/// error: `Failed to render 'A'`, maybe `: error while rendering macro `m::f``, then
/// ` (error happened in 'B').` when in a parent's block, then the patched
/// ` (inside 'C')` for the innermost include or macro. The last named is where.
fn rendering_where(msg: &str, origins: &BTreeMap<String, (String, Origin)>) -> Option<String> {
    static AT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"^Failed to render '(.+?)'(?:: error while rendering macro `[\w:]+`)?",
            r"(?: \(error happened in '(.+?)'\)\.| \(error happened in a parent template\))?",
            r"(?: \(inside '(.+)'\))?$",
        ))
        .expect("valid regex")
    });
    let c = AT.captures(msg)?;
    [3, 2, 1]
        .into_iter()
        .filter_map(|i| c.get(i))
        .map(|m| m.as_str())
        .find(|n| origins.contains_key(*n))
        .map(str::to_string)
}

fn quoted_template(msg: &str, origins: &BTreeMap<String, (String, Origin)>) -> Option<String> {
    msg.split(['\'', '`', '"'])
        .skip(1)
        .step_by(2)
        .filter(|n| origins.contains_key(*n))
        .last()
        .map(str::to_string)
}

/// Where in `text` the thing an error message names is: a variable, a macro (its
/// definition), a function, filter or test, a loop, an include, a block, a number.
pub(super) fn locate(msg: &str, text: &str) -> Option<Found> {
    static NAMED: LazyLock<[(Regex, &str); 14]> = LazyLock::new(|| {
        let re = |p: &str| Regex::new(p).expect("valid regex");
        [
            // Not inside a longer name (`x` in `extends`, `post.title` in `a.post.title`
            // or `post.titles`).
            (re(r"Variable `([^`]+)`"), r"(?:^|[^\w.])({})(?:[^\w]|$)"),
            (
                re(r"the macro `(?:\w+)::(\w+)`"),
                r"\{%-?\s*macro\s+{}\s*\(",
            ),
            (re(r"Function call '(\w+)' failed"), r"\b{}\s*\("),
            (re(r"Filter call '(\w+)' failed"), r"\|\s*{}\b"),
            (
                re(r"the loop `for (\w+(?:, \w+)?) in`"),
                r"\{%-?\s*for\s+{}\s+in\b",
            ),
            (
                re(r"the include of '([^']+)'"),
                r#"\{%-?\s*include\s[^%]*["'`]{}["'`]"#,
            ),
            (
                re(r"the import of '([^']+)'"),
                r#"\{%-?\s*import\s+["'`]{}["'`]"#,
            ),
            (
                re(r"^Filter '(\w+)' not found"),
                r"(?:\|\s*|\{%-?\s*filter\s+){}\b",
            ),
            (re(r"^Test '(\w+)' not found"), r"\bis\s+(?:not\s+)?{}\b"),
            (re(r"^Function '(\w+)' not found"), r"\b{}\s*\("),
            (
                re(r"^Template '\[([^\],]+)"),
                r#"\{%-?\s*include\s[^%]*["'`]{}["'`]"#,
            ),
            // A duplicate is the second of its name; the first is where the
            // teacher would look for the other one.
            (
                re(r"^Block `(\w+)` is duplicated"),
                r"\{%-?\s*block\s+{}\b[\s\S]*?(\{%-?\s*block\s+{}\b)",
            ),
            (
                re(r"^Macro `(\w+)` is duplicated"),
                r"\{%-?\s*macro\s+{}\s*\([\s\S]*?(\{%-?\s*macro\s+{}\s*\()",
            ),
            (re(r"^(?:Integer|Float) out of bounds: `([^`]+)`"), r"{}"),
        ]
    });
    NAMED.iter().find_map(|(find, pattern)| {
        let name = find.captures(msg)?.get(1)?.as_str();
        let name = regex::escape(name).replace(", ", r"\s*,\s*");
        let Ok(at) = Regex::new(&pattern.replace("{}", &name)) else {
            return None;
        };
        // A pattern with a group finds the place by what the group matched.
        let mut lines: Vec<usize> = at
            .captures_iter(text)
            .filter_map(|found| found.get(1).or(found.get(0)))
            .filter(|m| !cannot_fail(&text[m.end()..]))
            .map(|m| crate::error::line_col(text, m.start()).0)
            .collect();
        lines.dedup();
        match lines.len() {
            0 => None,
            1 => Some(Found::Only(lines[0])),
            _ => Some(Found::First(lines[0], lines.split_off(1))),
        }
    })
}

/// Whether a variable followed by `after` is one Tera does not need: `x is defined`,
/// `x | default(...)` are how a template asks about a missing one.
fn cannot_fail(after: &str) -> bool {
    static ASKS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:is\s+(?:not\s+)?(?:defined|undefined)\b|\|\s*default\b)")
            .expect("valid regex")
    });
    ASKS.is_match(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_found_from_what_the_message_names() {
        let text = "a\n{% macro menu(items) %}\n{{ range(end=n) }}\n{{ x | replace(from=1) }}\n\
                    {%- for k, v in m %}\n{% include \"p.html\" %}\n{{ post.titel }}";
        for (message, line) in [
            ("macro calls nested: the macro `self::menu` keeps", 2),
            ("Function call 'range' failed\nwould make", 3),
            ("Filter call 'replace' failed\ntoo big", 4),
            ("too much work, the last at the loop `for k, v in` in", 5),
            ("the last at the include of 'p.html' in", 6),
            ("Variable `post.titel` not found", 7),
        ] {
            assert_eq!(locate(message, text), Some(Found::Only(line)), "{message}");
        }
        assert_eq!(locate("something else", text), None);
        let text = "{% extends \"base.html\" %}\n{{ a.x }}\n{{ x | upper }}";
        assert_eq!(locate("Variable `x` not found", text), Some(Found::Only(3)));
    }

    #[test]
    fn a_name_used_in_several_places_is_not_pinned_on_one() {
        let text = "{{ post.titles }}\n{{ post.title }}\n{{ post.title }}{{ post.title }}\n\
                    {{ post.title | upper }}";
        assert_eq!(
            locate("Variable `post.title` not found", text),
            Some(Found::First(2, vec![3, 4]))
        );
        // Asking whether it exists cannot fail, so that is not where it failed.
        let text = "{% if no.field is defined %}\n{% if no.field is not defined %}\n\
                    {{ no.field | default(value=1) }}\n{{ no.field }}";
        assert_eq!(
            locate("Variable `no.field` not found", text),
            Some(Found::Only(4))
        );
        let (line, note) = Found::split(Some(Found::First(2, (3..10).collect())));
        assert_eq!(line, None);
        assert_eq!(
            note.as_deref(),
            Some("Tera does not say which line: first use at line 2 (also at 3, 4, 5, 6, 7, …)")
        );
    }

    #[test]
    fn load_errors_are_found_by_what_they_name() {
        let text = "{% block a %}{% endblock a %}\n{% macro m() %}{% endmacro m %}\n\
                    {{ x | shout }}{{ 99999999999999999999 }}\n{% if x is odd2 %}{% endif %}\n\
                    {% block a %}{% endblock a %}{% macro m() %}{% endmacro m %}\n{{ nofn() }}\n\
                    {% include \"nav.html\" %}";
        let at = |msg: &str| locate(msg, text).map(|f| Found::split(Some(f)).0);
        assert_eq!(at("Filter 'shout' not found"), Some(Some(3)));
        assert_eq!(
            at("Integer out of bounds: `99999999999999999999`"),
            Some(Some(3))
        );
        assert_eq!(at("Test 'odd2' not found"), Some(Some(4)));
        assert_eq!(at("Block `a` is duplicated"), Some(Some(5)));
        assert_eq!(at("Macro `m` is duplicated"), Some(Some(5)));
        assert_eq!(at("Function 'nofn' not found"), Some(Some(6)));
        assert_eq!(at("Template '[nav.html]' not found"), Some(Some(7)));
    }

    #[test]
    fn the_template_is_where_tera_says_it_was_rendering() {
        let origins: BTreeMap<String, (String, Origin)> = ["post.html", "base.html", "m's.html"]
            .into_iter()
            .map(|n| (n.to_string(), (String::new(), Origin::BuiltIn(b""))))
            .collect();
        let at = |msg: &str| rendering_where(msg, &origins);
        assert_eq!(
            at("Failed to render 'post.html'").as_deref(),
            Some("post.html")
        );
        assert_eq!(
            at("Failed to render 'post.html' (error happened in 'base.html').").as_deref(),
            Some("base.html")
        );
        assert_eq!(
            at("Failed to render 'post.html': error while rendering macro `m::f` (inside 'm's.html')")
                .as_deref(),
            Some("m's.html")
        );
        assert_eq!(at("see 'base.html'"), None);
    }

    #[test]
    fn long_lines_are_shortened() {
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(500);
        assert_eq!(shorten(&long), format!("{}…", "é".repeat(200)));
    }
}
