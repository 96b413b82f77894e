//! The tokens of other generators' template languages in a Markdown body, outside
//! code: code spans and blocks come from pulldown-cmark's offsets, since only the
//! Markdown parser knows where a fence really ends.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

/// Which template syntax a token is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `{% name args %}`
    LiquidTag,
    /// `{{ expression }}`
    LiquidOutput,
    /// `{{< name args >}}`
    HugoAngle,
    /// `{{% name args %}}`
    HugoPercent,
    /// `{: .class}`, `{:toc}`
    Ial,
    /// `markdown="1"` in an HTML tag
    MarkdownAttr,
    /// `[caption ...]`, `[/caption]`, `[gallery ...]`, `[embed]`
    WordPress,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub syntax: Syntax,
    pub range: Range<usize>,
    /// The tag or shortcode's name (`highlight`, `figure`, `/highlight`), or the
    /// expression for `{{ … }}`.
    pub name: String,
    /// What follows the name, trimmed.
    pub args: String,
}

/// The farthest a tag may reach for its closing delimiter: a stray `{{` in prose
/// must not swallow the rest of the post.
const MAX_TAG: usize = 4000;

const WORDPRESS: [&str; 6] = ["caption", "gallery", "embed", "video", "audio", "playlist"];

/// Byte ranges the Markdown parser reads as code, and those it reads as HTML.
pub struct Regions {
    pub code: Vec<Range<usize>>,
    pub html: Vec<Range<usize>>,
    pub links: Vec<Range<usize>>,
}

pub fn regions(body: &str) -> Regions {
    let mut r = Regions {
        code: Vec::new(),
        html: Vec::new(),
        links: Vec::new(),
    };
    for (start, piece) in pieces(body) {
        let events = Parser::new_ext(piece, crate::content::markdown::options());
        for (event, range) in events.into_offset_iter() {
            let range = range.start + start..range.end + start;
            match event {
                Event::Code(_) | Event::Start(Tag::CodeBlock(_)) => r.code.push(range),
                Event::Html(_) | Event::InlineHtml(_) => r.html.push(range),
                Event::Start(Tag::Link { .. }) => r.links.push(range),
                _ => {}
            }
        }
    }
    r
}

/// Whether `body` holds anything that could start a leftover: most posts do not, and
/// are then not parsed a second time.
pub fn might_have(body: &str) -> bool {
    [
        "{{",
        "{%",
        "{:",
        "markdown",
        "[caption",
        "[gallery",
        "[embed",
        "[video",
        "[audio",
        "[playlist",
    ]
    .iter()
    .any(|s| body.contains(s))
}

/// A long post in pieces cut at blank lines, each parsed on its own, as the Markdown
/// stage does (`markdown::pieces`): pulldown-cmark's tree of a whole dense post is
/// many times its size. A fence with a blank line across a cut is read as two.
fn pieces(body: &str) -> Vec<(usize, &str)> {
    // The sizes `markdown::pieces` uses.
    const WHOLE_MAX_BYTES: usize = 1024 * 1024;
    const PIECE_BYTES: usize = 256 * 1024;
    if body.len() <= WHOLE_MAX_BYTES {
        return vec![(0, body)];
    }
    let mut out = Vec::new();
    let mut start = 0;
    while body.len() - start > PIECE_BYTES {
        let limit = floor_boundary(body, start + PIECE_BYTES);
        let window = &body[start..limit];
        let cut = window
            .rfind("\n\n")
            .map(|i| i + 2)
            .or_else(|| window.rfind('\n').map(|i| i + 1))
            .filter(|&c| c > 0)
            .unwrap_or(window.len());
        out.push((start, &body[start..start + cut]));
        start += cut;
    }
    out.push((start, &body[start..]));
    out
}

fn inside(ranges: &[Range<usize>], at: usize) -> Option<&Range<usize>> {
    ranges.iter().find(|r| r.contains(&at))
}

/// Every token outside code, in order.
pub fn tokens(body: &str, regions: &Regions) -> Vec<Token> {
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(code) = inside(&regions.code, i) {
            i = code.end.max(i + 1);
            continue;
        }
        let token = match bytes[i] {
            b'{' => brace(body, i),
            b'[' if inside(&regions.links, i).is_none() => bracket(body, i),
            b'm' if inside(&regions.html, i).is_some() => markdown_attr(body, i),
            _ => None,
        };
        match token {
            Some(t) => {
                i = t.range.end;
                out.push(t);
            }
            None => i += 1,
        }
    }
    out
}

/// The text from `from` up to `close`, searched no farther than `MAX_TAG`.
fn until(body: &str, from: usize, close: &str) -> Option<usize> {
    let end = floor_boundary(body, (from + MAX_TAG).min(body.len()));
    body.get(from..end)?.find(close).map(|i| from + i)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn brace(body: &str, i: usize) -> Option<Token> {
    let rest = &body[i..];
    let (syntax, open, close) = if rest.starts_with("{{<") {
        (Syntax::HugoAngle, 3, ">}}")
    } else if rest.starts_with("{{%") {
        (Syntax::HugoPercent, 3, "%}}")
    } else if rest.starts_with("{%") {
        (Syntax::LiquidTag, 2, "%}")
    } else if rest.starts_with("{{") {
        (Syntax::LiquidOutput, 2, "}}")
    } else if rest.starts_with("{:") {
        let end = rest
            .find(['}', '\n'])
            .filter(|&e| rest.as_bytes()[e] == b'}')?;
        return Some(Token {
            syntax: Syntax::Ial,
            range: i..i + end + 1,
            name: rest[2..end].trim().to_string(),
            args: String::new(),
        });
    } else {
        return None;
    };
    let end = until(body, i + open, close)?;
    let inner = body[i + open..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
    // Hugo's comment form `{{</* figure */>}}` is how a post shows a shortcode as text.
    if inner.starts_with("/*") {
        return None;
    }
    let (name, args) = match syntax {
        Syntax::LiquidOutput => (inner.to_string(), String::new()),
        _ => {
            // `{{</ math.inline >}}` closes like `{{< /math.inline >}}`.
            let (slash, words) = match inner.strip_prefix('/') {
                Some(w) => ("/", w.trim_start()),
                None => ("", inner),
            };
            let (n, a) = words.split_once(char::is_whitespace).unwrap_or((words, ""));
            (format!("{slash}{n}"), a.trim().to_string())
        }
    };
    if name.is_empty() {
        return None;
    }
    Some(Token {
        syntax,
        range: i..end + close.len(),
        name,
        args,
    })
}

fn bracket(body: &str, i: usize) -> Option<Token> {
    let rest = &body[i + 1..];
    let (slash, words) = match rest.strip_prefix('/') {
        Some(w) => ("/", w),
        None => ("", rest),
    };
    let name = WORDPRESS.iter().find(|n| {
        words.starts_with(**n)
            && words[n.len()..].starts_with(|c: char| c == ']' || c.is_whitespace())
    })?;
    let end = rest
        .find([']', '\n'])
        .filter(|&e| rest.as_bytes()[e] == b']')?;
    Some(Token {
        syntax: Syntax::WordPress,
        range: i..i + 1 + end + 1,
        name: format!("{slash}{name}"),
        args: words[name.len()..end - slash.len()].trim().to_string(),
    })
}

fn markdown_attr(body: &str, i: usize) -> Option<Token> {
    if !body[..i].ends_with(char::is_whitespace) {
        return None;
    }
    let mut rest = body[i..].strip_prefix("markdown")?.trim_start();
    rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'');
    if quote.is_some() {
        rest = &rest[1..];
    }
    let word = ["1", "block", "span"]
        .into_iter()
        .find(|w| rest.starts_with(w))?;
    rest = &rest[word.len()..];
    if let Some(q) = quote {
        rest = rest.strip_prefix(q)?;
    }
    Some(Token {
        syntax: Syntax::MarkdownAttr,
        range: i..body.len() - rest.len(),
        name: "markdown".into(),
        args: word.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(body: &str) -> Vec<String> {
        tokens(body, &regions(body))
            .into_iter()
            .map(|t| format!("{:?} {} [{}]", t.syntax, t.name, t.args))
            .collect()
    }

    #[test]
    fn finds_each_syntax_outside_code() {
        let body = "A {{ site.baseurl }}/x and `{{ not }}`.\n\n```\n{% raw %}\n```\n\n\
                    {% highlight python linenos %}\n\n{{< figure src=\"a.jpg\" >}} {{</ math.inline >}}\n\n\
                    <div markdown=\"1\">\n\n{: .notice}\n[caption id=\"x\"]A[/caption]\n";
        assert_eq!(
            names(body),
            [
                "LiquidOutput site.baseurl []",
                "LiquidTag highlight [python linenos]",
                "HugoAngle figure [src=\"a.jpg\"]",
                "HugoAngle /math.inline []",
                "MarkdownAttr markdown [1]",
                "Ial .notice []",
                "WordPress caption [id=\"x\"]",
                "WordPress /caption []",
            ]
        );
    }

    #[test]
    fn the_attribute_range_is_the_attribute() {
        let body = "<div class=\"a\" markdown='block'>\nx\n</div>\n";
        let t = &tokens(body, &regions(body))[0];
        assert_eq!(&body[t.range.clone()], "markdown='block'");
    }

    #[test]
    fn a_long_post_is_read_in_pieces_with_their_places() {
        let para = "Some words to make a paragraph of.\n\n".repeat(40_000);
        let body = format!("{para}`{{{{ site.url }}}}` and {{{{ site.baseurl }}}}\n");
        assert!(pieces(&body).len() > 4);
        let found = tokens(&body, &regions(&body));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&body[found[0].range.clone()], "{{ site.baseurl }}");
    }

    #[test]
    fn a_stray_brace_does_not_swallow_the_post() {
        let body = format!("{{{{ open\n{}", "word ".repeat(2000));
        assert!(names(&body).is_empty());
    }
}
