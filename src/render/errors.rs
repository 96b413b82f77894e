//! Tera's errors as a teacher can use them: the template's file, the line, and the
//! message that says what is wrong. Tera's runtime errors carry no line, so the line
//! is found from what the message names (a variable, a macro, a function...).

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
    let line = text.and_then(|text| locate(&innermost, text).or_else(|| locate(&full, text)));
    let location = Location {
        file: file.into(),
        line,
        column: None,
    };
    let message = innermost
        .lines()
        .map(|l| shorten(l.trim_end()))
        .collect::<Vec<_>>()
        .join("\n  ");
    Error::input(location, format!("template error: {message}")).with_hint(HINT)
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
pub(super) fn locate(msg: &str, text: &str) -> Option<usize> {
    static NAMED: LazyLock<[(Regex, &str); 14]> = LazyLock::new(|| {
        let re = |p: &str| Regex::new(p).expect("valid regex");
        [
            // Not inside a longer name (`x` in `extends`, `post.title` in `a.post.title`).
            (re(r"Variable `([^`]+)`"), r"(?:^|[^\w.])({})"),
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
        let found = at.captures(text)?;
        let start = found.get(1).or(found.get(0))?.start();
        Some(crate::error::line_col(text, start).0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_found_from_what_the_message_names() {
        let text = "a\n{% macro menu(items) %}\n{{ range(end=n) }}\n{{ x | replace(from=1) }}\n\
                    {%- for k, v in m %}\n{% include \"p.html\" %}\n{{ post.titel }}";
        let at = |msg: &str| locate(msg, text);
        assert_eq!(
            at("macro calls nested: the macro `self::menu` keeps"),
            Some(2)
        );
        assert_eq!(at("Function call 'range' failed\nwould make"), Some(3));
        assert_eq!(at("Filter call 'replace' failed\ntoo big"), Some(4));
        assert_eq!(
            at("too much work, the last at the loop `for k, v in` in"),
            Some(5)
        );
        assert_eq!(at("the last at the include of 'p.html' in"), Some(6));
        assert_eq!(at("Variable `post.titel` not found"), Some(7));
        let text = "{% extends \"base.html\" %}\n{{ a.x }}\n{{ x | upper }}";
        assert_eq!(locate("Variable `x` not found", text), Some(3));
        assert_eq!(at("something else"), None);
    }

    #[test]
    fn load_errors_are_found_by_what_they_name() {
        let text = "{% block a %}{% endblock a %}\n{% macro m() %}{% endmacro m %}\n\
                    {{ x | shout }}{{ 99999999999999999999 }}\n{% if x is odd2 %}{% endif %}\n\
                    {% block a %}{% endblock a %}{% macro m() %}{% endmacro m %}\n{{ nofn() }}\n\
                    {% include \"nav.html\" %}";
        let at = |msg: &str| locate(msg, text);
        assert_eq!(at("Filter 'shout' not found"), Some(3));
        assert_eq!(at("Integer out of bounds: `99999999999999999999`"), Some(3));
        assert_eq!(at("Test 'odd2' not found"), Some(4));
        assert_eq!(at("Block `a` is duplicated"), Some(5));
        assert_eq!(at("Macro `m` is duplicated"), Some(5));
        assert_eq!(at("Function 'nofn' not found"), Some(6));
        assert_eq!(at("Template '[nav.html]' not found"), Some(7));
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
