//! What to tell a teacher when YAML refuses their front matter. The parser's words
//! ("found character that cannot start any token") name the grammar, not the mistake;
//! the usual mistakes (a tab, Word's curly quotes, a quote left open, a colon in a
//! title, an alias bomb) can be told apart from the text itself.

/// A hint, and a better line (1-based, within the front matter) when the parser's
/// points past the mistake (an unclosed quote is found only at the end).
pub struct Hint {
    pub text: String,
    pub line: Option<usize>,
}

pub fn for_error(raw: &str, msg: &str) -> Hint {
    let lines: Vec<&str> = raw.lines().collect();
    let find = |p: &dyn Fn(&str) -> bool| lines.iter().position(|l| p(l)).map(|i| i + 1);
    if msg.contains("repetition limit") || msg.contains("recursion limit") {
        return hint("front matter needs only plain values; remove the `&` and `*` references");
    }
    if let Some(n) = find(&|l| l.trim_start_matches(' ').starts_with('\t')) {
        return Hint {
            text:
                "this line starts with a tab: indent front matter with spaces, e.g. \"  - science\""
                    .into(),
            line: Some(n),
        };
    }
    if let Some(n) = find(&|l| l.contains(['\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}'])) {
        return Hint {
            text: "curly quotes (“ ” from a word processor) are letters to YAML, not quotes: type straight quotes, title: \"Lesson 1: Density\"".into(),
            line: Some(n),
        };
    }
    if let Some(n) = find(&|l| open_quote(l)) {
        return Hint {
            text: "a quote is opened on this line but not closed: end the text with the same quote mark".into(),
            line: Some(n),
        };
    }
    hint("text with a colon in it needs quotes: title: \"Lesson 1: Density\"")
}

fn hint(text: &str) -> Hint {
    Hint {
        text: text.into(),
        line: None,
    }
}

/// `title: "Pond day` — a value that starts with a quote and does not end with one.
fn open_quote(line: &str) -> bool {
    let Some((_, value)) = line.split_once(':') else {
        return false;
    };
    let value = value.trim();
    let Some(q) = value.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
        return false;
    };
    value.len() == 1 || !value.ends_with(q)
}

#[cfg(test)]
mod tests {
    use super::for_error;

    #[test]
    fn each_usual_mistake_gets_its_own_hint() {
        let tab = for_error(
            "title: T\ntags:\n\t- a",
            "found character that cannot start any token",
        );
        assert!(tab.text.contains("tab"), "{}", tab.text);
        assert_eq!(tab.line, Some(3));
        let curly = for_error("title: “Pond day: fun”", "mapping values are not allowed");
        assert!(curly.text.contains("curly"), "{}", curly.text);
        let open = for_error(
            "title: \"Pond day\ndate: 2024-01-01",
            "found unexpected end of stream",
        );
        assert_eq!(open.line, Some(1));
        let colon = for_error("title: Lesson 1: Density", "mapping values are not allowed");
        assert!(colon.text.contains("colon"), "{}", colon.text);
        assert_eq!(colon.line, None);
    }
}
