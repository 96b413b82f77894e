//! The leftovers that have a Markdown equivalent, converted: what `import` does to a
//! Jekyll or Hugo post before writing it. What has none stays as written and is
//! returned, for the import's report.

use std::collections::BTreeMap;

use super::{Kind, Leftover, find, scan};

/// A link to another file of the old site, for the importer to resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTo<'a> {
    /// `{% link _posts/x.md %}`, `{{< ref "x.md" >}}`: a path in the old folder.
    File(&'a str),
    /// `{% post_url 2010-07-21-name %}`: a post's file name without extension.
    PostName(&'a str),
}

pub struct Context<'a> {
    /// The old site's settings with a text value (`_config.yml`), for `{{ site.title }}`.
    pub site: &'a BTreeMap<String, String>,
    /// The relative link from this post to another of the import, if it is one.
    pub link: &'a dyn Fn(LinkTo<'_>) -> Option<String>,
    /// Liquid ran before Markdown (Jekyll), so `{% raw %}` inside code was Liquid too.
    pub liquid_in_code: bool,
}

#[derive(Debug)]
pub struct Converted {
    pub body: String,
    /// What is still there, at its place in `body`.
    pub left: Vec<Leftover>,
}

pub fn convert(body: &str, cx: &Context) -> Converted {
    if !scan::might_have(body) {
        return Converted {
            body: body.to_string(),
            left: Vec::new(),
        };
    }
    let in_code = in_code(body, cx.liquid_in_code);
    let body = in_code.as_str();
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    for l in find(body) {
        if l.range.start < at {
            continue;
        }
        if let Some((range, text)) = replacement(body, &l, cx)
            && range.start >= at
        {
            out.push_str(&body[at..range.start]);
            out.push_str(&text);
            at = range.end;
        }
    }
    out.push_str(&body[at..]);
    let left = find(&out);
    Converted { body: out, left }
}

/// Code as the old generator showed it. Jekyll read `{% raw %}` before the Markdown,
/// so the code showed what was between the tags; Hugo shows `{{</* x */>}}` in code
/// as `{{< x >}}`.
fn in_code(body: &str, liquid: bool) -> String {
    let regions = scan::regions(body);
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    for code in &regions.code {
        if code.start < at {
            continue;
        }
        out.push_str(&body[at..code.start]);
        let text = &body[code.clone()];
        if liquid {
            out.push_str(&unraw(text));
        } else {
            let shown = [
                ("{{</*", "{{<"),
                ("*/>}}", ">}}"),
                ("{{%/*", "{{%"),
                ("*/%}}", "%}}"),
            ];
            out.push_str(
                &shown
                    .iter()
                    .fold(text.to_string(), |t, (a, b)| t.replace(a, b)),
            );
        }
        at = code.end;
    }
    out.push_str(&body[at..]);
    out
}

/// Liquid's reading of raw tags: the first `{% endraw %}` ends a raw part, and a
/// `{% raw %}` inside one is text.
fn unraw(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut at = 0;
    let mut raw = false;
    for m in RAW.find_iter(code) {
        let opens = !m.as_str().contains("endraw");
        if raw && opens {
            continue;
        }
        out.push_str(&code[at..m.start()]);
        at = m.end();
        raw = opens;
    }
    out.push_str(&code[at..]);
    out
}

static RAW: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    // A fixed pattern; it compiles.
    regex::Regex::new(r"\{%-?\s*(?:end)?raw\s*-?%\}").expect("raw tag pattern")
});

type Edit = (std::ops::Range<usize>, String);

fn replacement(body: &str, l: &Leftover, cx: &Context) -> Option<Edit> {
    let whole = l.range.clone();
    let text = match l.kind {
        Kind::SiteUrl => site_url(&l.name)?,
        Kind::SiteVariable => {
            let key = l.name.strip_prefix("site.")?;
            cx.site.get(key)?.clone()
        }
        Kind::Highlight => {
            let inner = &body[l.inner.clone()?];
            let lang = l.args.split_whitespace().next().unwrap_or("");
            let lang = lang.trim_matches(['"', '\'']);
            let start_of_line = body[..whole.start].ends_with('\n') || whole.start == 0;
            let lead = if start_of_line { "" } else { "\n" };
            format!("{lead}{}", fence(lang, inner))
        }
        Kind::Raw => body[l.inner.clone()?].to_string(),
        Kind::PostLink => {
            let target = unquote(l.args.split_whitespace().next()?);
            let to = match l.name.as_str() {
                "post_url" => LinkTo::PostName(target),
                _ => LinkTo::File(target),
            };
            (cx.link)(to)?
        }
        Kind::Ial => return Some(ial(body, l)),
        Kind::MarkdownAttr => return markdown_attr(body, l),
        Kind::Figure => figure(&params(&l.args))?,
        Kind::Video | Kind::Embed => player(&l.name, &params(&l.args))?,
        Kind::Math => math(&body[l.inner.clone()?]),
        Kind::Include | Kind::Liquid | Kind::LiquidOutput | Kind::Shortcode | Kind::WordPress => {
            return None;
        }
    };
    Some((whole, text))
}

fn site_url(expr: &str) -> Option<String> {
    if matches!(expr, "site.baseurl" | "site.url") {
        return Some(String::new());
    }
    // `{{ "/about/" | relative_url }}`
    let (value, filter) = expr.split_once('|')?;
    matches!(filter.trim(), "relative_url" | "absolute_url")
        .then(|| unquote(value.trim()).to_string())
}

fn unquote(s: &str) -> &str {
    let t = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return inner;
        }
    }
    t
}

/// A fence longer than any run of backticks in the code.
fn fence(lang: &str, code: &str) -> String {
    let code = code
        .strip_prefix("\r\n")
        .or(code.strip_prefix('\n'))
        .unwrap_or(code);
    let code = code.trim_end();
    let mut longest = 0;
    let mut run = 0;
    for c in code.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let ticks = "`".repeat(longest.max(2) + 1);
    format!("{ticks}{lang}\n{code}\n{ticks}")
}

/// An attribute list on a line of its own goes with its line (`{:toc}` with the
/// `* TOC` above it, which kramdown replaced by the contents); one after text goes alone.
fn ial(body: &str, l: &Leftover) -> Edit {
    let line_start = body[..l.range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = body[l.range.end..]
        .find('\n')
        .map_or(body.len(), |i| l.range.end + i + 1);
    let alone = body[line_start..l.range.start].trim().is_empty()
        && body[l.range.end..line_end].trim().is_empty();
    if !alone {
        return (l.range.clone(), String::new());
    }
    let mut start = line_start;
    if l.name == "toc" && line_start > 0 {
        let prev_start = body[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
        let prev = body[prev_start..line_start].trim();
        if matches!(prev, "* TOC" | "- TOC" | "1. TOC" | "+ TOC") {
            start = prev_start;
        }
    }
    (start..line_end, String::new())
}

/// The attribute goes; an empty line after the tag lets CommonMark read what is inside
/// as Markdown, which is what `markdown="1"` asked kramdown for.
fn markdown_attr(body: &str, l: &Leftover) -> Option<Edit> {
    let start = if body[..l.range.start].ends_with(' ') {
        l.range.start - 1
    } else {
        l.range.start
    };
    let gt = l.range.end + body[l.range.end..].find('>')?;
    let line_end = body[gt..].find('\n').map_or(body.len(), |i| gt + i);
    let rest_of_line = &body[gt + 1..line_end];
    let next_blank = body[line_end..]
        .strip_prefix('\n')
        .is_none_or(|next| next.lines().next().is_none_or(|n| n.trim().is_empty()));
    if rest_of_line.trim().is_empty() && !next_blank {
        let mut text = body[l.range.end..line_end].to_string();
        text.push('\n');
        return Some((start..line_end, text));
    }
    Some((start..l.range.end, String::new()))
}

/// A shortcode's parameters: `key="value"`, `key=value`, or positional ("0", "1"...).
fn params(args: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = args.trim();
    let mut position = 0;
    while !rest.is_empty() {
        let key_end = rest.find(|c: char| c == '=' || c.is_whitespace() || c == '"' || c == '`');
        let key = match key_end {
            Some(e) if rest[e..].starts_with('=') => {
                let k = rest[..e].to_string();
                rest = &rest[e + 1..];
                k
            }
            _ => {
                position += 1;
                (position - 1).to_string()
            }
        };
        let (value, after) = match rest.chars().next() {
            Some(q @ ('"' | '`')) => {
                let close = closing_quote(&rest[1..], q);
                let value = rest[1..=close].replace("\\\"", "\"");
                (value, rest.get(close + 2..).unwrap_or(""))
            }
            _ => {
                let e = rest.find(char::is_whitespace).unwrap_or(rest.len());
                (rest[..e].to_string(), &rest[e..])
            }
        };
        out.insert(key, value);
        rest = after.trim_start();
    }
    out
}

/// Where a quoted value ends: the first `q` not escaped with `\\` (or the end).
fn closing_quote(s: &str, q: char) -> usize {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if q == '"' => escaped = true,
            c if c == q => return i,
            _ => {}
        }
    }
    s.len()
}

fn figure(p: &BTreeMap<String, String>) -> Option<String> {
    let src = p.get("src").or(p.get("0")).filter(|s| !s.is_empty())?;
    let alt = p.get("alt").or(p.get("title")).map_or("", String::as_str);
    let caption = p
        .get("caption")
        .or(p.get("title"))
        .map_or("", String::as_str);
    let src = if src.contains(' ') {
        format!("<{src}>")
    } else {
        src.clone()
    };
    Some(if caption.is_empty() {
        format!("![{alt}]({src})")
    } else {
        format!("![{alt}]({src} \"{}\")", caption.replace('"', "\\\""))
    })
}

fn player(name: &str, p: &BTreeMap<String, String>) -> Option<String> {
    let id = p.get("id").or(p.get("0")).filter(|s| !s.is_empty())?;
    let (what, url) = match name {
        "youtube" | "youtube_simple" => (
            "the video on YouTube",
            format!("https://www.youtube.com/watch?v={id}"),
        ),
        "vimeo" | "vimeo_simple" => ("the video on Vimeo", format!("https://vimeo.com/{id}")),
        "instagram" | "instagram_simple" => (
            "the post on Instagram",
            format!("https://www.instagram.com/p/{id}/"),
        ),
        _ => {
            let user = p.get("user")?;
            ("the post on X", format!("https://x.com/{user}/status/{id}"))
        }
    };
    let title = p
        .get("title")
        .cloned()
        .unwrap_or_else(|| format!("Watch {what}"));
    let title = if name.starts_with('y') || name.starts_with('v') {
        title
    } else {
        title.replacen("Watch", "See", 1)
    };
    Some(format!("[{title}]({url})"))
}

/// A math shortcode's TeX as staffroom's `$…$` and `$$…$$`; one that held the script
/// loading KaTeX goes, since staffroom makes MathML itself.
fn math(inner: &str) -> String {
    let lower = inner.to_ascii_lowercase();
    if lower.contains("<script") || lower.contains("<link") {
        return String::new();
    }
    let text = inner.trim();
    let text = text.strip_prefix("<p>").unwrap_or(text);
    let text = text.strip_suffix("</p>").unwrap_or(text).trim();
    text.replace("\\(", "$")
        .replace("\\)", "$")
        .replace("\\[", "$$")
        .replace("\\]", "$$")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &str) -> Converted {
        let site = BTreeMap::from([(
            "repository".to_string(),
            "https://git.example/x".to_string(),
        )]);
        let link = |to: LinkTo| match to {
            LinkTo::PostName("2010-07-21-name") => Some("name.md".to_string()),
            LinkTo::File("_posts/a.md" | "a.md") => Some("../a/index.md".to_string()),
            _ => None,
        };
        convert(
            body,
            &Context {
                site: &site,
                link: &link,
                liquid_in_code: true,
            },
        )
    }

    #[test]
    fn the_common_ones_become_markdown() {
        let body = "![a]({{ site.baseurl }}/images/a.png) [r]({{ site.repository }}/issues)\n\
                    {% highlight python linenos %}\nprint(1)\n{% endhighlight %}\n\
                    See [x]({% post_url 2010-07-21-name %}) and [y]({% link _posts/a.md %}).\n\
                    `{% raw %}{{ page.title }}{% endraw %}` `{% raw %}{% raw %}{% endraw %}`\n\
                    * TOC\n{:toc}\n\nA paragraph\n{: .notice}\n\n\
                    {{< figure src=\"beach.jpg\" caption=\"At the \\\"beach\\\"\" >}}\n\n{{< youtube ZJthWmvUzzc >}}\n";
        let c = run(body);
        assert_eq!(
            c.body,
            "![a](/images/a.png) [r](https://git.example/x/issues)\n```python\nprint(1)\n```\n\
             See [x](name.md) and [y](../a/index.md).\n`{{ page.title }}` `{% raw %}`\n\nA paragraph\n\n\
             ![](beach.jpg \"At the \\\"beach\\\"\")\n\n[Watch the video on YouTube](https://www.youtube.com/watch?v=ZJthWmvUzzc)\n"
        );
        assert!(c.left.is_empty(), "{:?}", c.left);
    }

    #[test]
    fn what_has_no_markdown_stays_and_is_returned() {
        let c = run(
            "{% include note.html %}\n\n{% for x in y %}{{ x }}{% endfor %}\n\n[gallery ids=\"1,2\"]\n",
        );
        let kinds: Vec<Kind> = c.left.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Include,
                Kind::Liquid,
                Kind::LiquidOutput,
                Kind::Liquid,
                Kind::WordPress
            ]
        );
        assert!(c.body.starts_with("{% include note.html %}"));
    }

    #[test]
    fn markdown_in_html_is_read_as_markdown() {
        let c = run("<div class=\"note\" markdown=\"1\">\n**Hi**\n</div>\n");
        assert_eq!(c.body, "<div class=\"note\">\n\n**Hi**\n</div>\n");
    }

    #[test]
    fn code_shows_what_the_old_generator_showed() {
        let link = |_: LinkTo| None;
        let site = BTreeMap::new();
        let hugo = Context {
            site: &site,
            link: &link,
            liquid_in_code: false,
        };
        let c = convert("```\n{{</* figure src=\"a.jpg\" */>}}\n```\n", &hugo);
        assert_eq!(c.body, "```\n{{< figure src=\"a.jpg\" >}}\n```\n");
        assert!(c.left.is_empty());
    }

    #[test]
    fn hugo_math_and_highlight() {
        let c = run(
            "{{< math.inline >}}\n<p>\nInline \\(x^2\\)\n</p>\n{{</ math.inline >}}\n\n\
                     {{< math.inline >}}\n<script src=\"https://cdn/katex.js\"></script>\n{{</ math.inline >}}\n\n\
                     {{< highlight go \"linenos=table\" >}}\nfunc main() {}\n{{< /highlight >}}\n",
        );
        assert_eq!(c.body, "Inline $x^2$\n\n\n\n```go\nfunc main() {}\n```\n");
    }
}
