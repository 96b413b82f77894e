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
    // The innermost template named in the chain is where the problem is.
    let name = messages
        .iter()
        .rev()
        .find_map(|m| quoted_template(m, origins))
        .unwrap_or_default();
    let innermost = messages.last().cloned().unwrap_or_default();
    let (file, text) = match origins.get(&name) {
        Some((text, origin)) => (origin.describe(&name), Some(text.as_str())),
        None => ("templates".to_string(), None),
    };
    // What the innermost message names first; the wrappers around it name the
    // function or filter that failed.
    let line = parse_error_line(&full).or_else(|| {
        let text = text?;
        locate(&innermost, text).or_else(|| locate(&full, text))
    });
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
    Error::input(location, format!("template error: {message}"))
        .with_hint("fix the template, or delete your copy to go back to the theme's")
}

/// A parse error quotes the template's line whole; a line of thousands of brackets
/// would bury the message, and the location already gives line and column.
fn shorten(line: &str) -> String {
    const MAX: usize = 200;
    match line.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    }
}

fn quoted_template(msg: &str, origins: &BTreeMap<String, (String, Origin)>) -> Option<String> {
    msg.split(['\'', '`', '"'])
        .skip(1)
        .step_by(2)
        .filter(|n| origins.contains_key(*n))
        .last()
        .map(str::to_string)
}

/// Tera's parse errors carry ` --> LINE:COL`; the patched Tera's nesting bound says
/// `line LINE, column COL`.
fn parse_error_line(msg: &str) -> Option<usize> {
    static AT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"--> (\d+):\d+|line (\d+), column \d+").expect("valid regex"));
    let c = AT.captures(msg)?;
    c.get(1).or(c.get(2))?.as_str().parse().ok()
}

/// Where in `text` the thing an error message names is: a variable, a macro (its
/// definition), a function or filter call, a loop, an include.
fn locate(msg: &str, text: &str) -> Option<usize> {
    static NAMED: LazyLock<[(Regex, &str); 7]> = LazyLock::new(|| {
        let re = |p: &str| Regex::new(p).expect("valid regex");
        [
            (re(r"Variable `([^`]+)`"), r"{}"),
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
        ]
    });
    NAMED.iter().find_map(|(find, pattern)| {
        let name = find.captures(msg)?.get(1)?.as_str();
        let name = regex::escape(name).replace(", ", r"\s*,\s*");
        let Ok(at) = Regex::new(&pattern.replace("{}", &name)) else {
            return None;
        };
        let found = at.find(text)?;
        Some(crate::error::line_col(text, found.start()).0)
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
        assert_eq!(at("something else"), None);
    }

    #[test]
    fn long_lines_are_shortened() {
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(500);
        assert_eq!(shorten(&long), format!("{}…", "é".repeat(200)));
    }

    #[test]
    fn parse_errors_give_their_line() {
        assert_eq!(parse_error_line(" --> 12:5\n  |"), Some(12));
        assert_eq!(parse_error_line("line 7, column 3: tags nested"), Some(7));
        assert_eq!(parse_error_line("no line here"), None);
    }
}
