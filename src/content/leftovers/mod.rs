//! Leftovers of other generators in a post: Liquid tags (`{% highlight %}`, `{{
//! site.baseurl }}`), kramdown attribute lists, Hugo shortcodes and WordPress
//! shortcodes. staffroom runs none of them, so a copied post would show them as text;
//! `build` and `check` name each at its line and column with what to write instead,
//! and `import` converts the common ones (`convert`).

mod convert;
mod scan;

use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

pub use convert::{Context, Converted, LinkTo, convert};
use scan::{Syntax, Token};

use crate::error::Location;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `{{ site.baseurl }}`, `{{ site.url }}`, `{{ "/x" | relative_url }}`
    SiteUrl,
    /// `{{ site.title }}` and other values of `_config.yml`
    SiteVariable,
    /// `{% highlight python %}…{% endhighlight %}`, `{{< highlight go >}}…`
    Highlight,
    /// `{% raw %}…{% endraw %}`
    Raw,
    /// `{% link _posts/x.md %}`, `{% post_url 2010-07-21-x %}`, `{{< ref "x.md" >}}`
    PostLink,
    /// `{% include x.html %}`
    Include,
    /// Any other `{% … %}`
    Liquid,
    /// Any other `{{ … }}`
    LiquidOutput,
    /// `{: .notice}`, `{:toc}`
    Ial,
    /// `markdown="1"`
    MarkdownAttr,
    /// `{{< figure src=… >}}`
    Figure,
    /// `{{< youtube id >}}`, `{{< vimeo id >}}`
    Video,
    /// `{{< x user=… id=… >}}`, `{{< instagram id >}}`
    Embed,
    /// `{{< math.inline >}}`, `{{< katex >}}`
    Math,
    /// Any other Hugo shortcode
    Shortcode,
    /// `[caption]`, `[gallery]`, `[embed]`
    WordPress,
}

/// One leftover, at its place in the Markdown body.
#[derive(Debug, Clone)]
pub struct Leftover {
    pub kind: Kind,
    /// The whole of it, closing tag included for a block (`{% highlight %}…`).
    pub range: Range<usize>,
    /// A block's content, between its opening and closing tags.
    pub inner: Option<Range<usize>>,
    /// 1-based, in the body.
    pub line: usize,
    pub column: usize,
    /// The opening tag as written, on one line and shortened.
    pub written: String,
    /// The tag or shortcode's name; the expression for `{{ … }}`.
    pub name: String,
    pub args: String,
    hugo: bool,
}

impl Leftover {
    /// What it is and what to write instead, in one sentence.
    pub fn message(&self) -> String {
        format!(
            "`{}` is {}, which staffroom shows as text; {}",
            self.written,
            self.what(),
            self.fix()
        )
    }

    pub fn what(&self) -> String {
        let who = if self.hugo { "Hugo" } else { "Jekyll" };
        match self.kind {
            Kind::SiteUrl => "a Jekyll site address".into(),
            Kind::SiteVariable => "a Jekyll site value".into(),
            Kind::Highlight if self.hugo => "a Hugo highlight shortcode".into(),
            Kind::Highlight => "a Jekyll highlight block".into(),
            Kind::Raw => "Jekyll's raw tag".into(),
            Kind::PostLink => format!("a {who} link to another post"),
            Kind::Include => "a Jekyll include (a piece of the old theme)".into(),
            Kind::Liquid | Kind::LiquidOutput => "Liquid (Jekyll's template language)".into(),
            Kind::Ial => "a kramdown attribute list".into(),
            Kind::MarkdownAttr => "kramdown's markdown attribute".into(),
            Kind::Figure => "a Hugo figure shortcode".into(),
            Kind::Video | Kind::Embed => format!(
                "a Hugo {} shortcode (it loaded a player from another site)",
                self.name
            ),
            Kind::Math => "a Hugo math shortcode (it loaded KaTeX from another site)".into(),
            Kind::Shortcode => "a Hugo shortcode".into(),
            Kind::WordPress => format!("a WordPress [{}] shortcode", self.name),
        }
    }

    pub fn fix(&self) -> String {
        let fix = match self.kind {
            Kind::SiteUrl => {
                "start the link at the site's root instead (`/images/a.png`); staffroom puts base_url's path in front"
            }
            Kind::SiteVariable => "write the value itself",
            Kind::Highlight => {
                "write a code fence instead: a line ```python (the language), the code, and a line ```"
            }
            Kind::Raw => "delete it and its {% endraw %}; the text between is shown as it is",
            Kind::PostLink => "link to the other post's file instead: [text](other-post.md)",
            Kind::Include => {
                "write what it showed into the post, or delete it; a part of every page belongs in templates/"
            }
            Kind::Liquid | Kind::LiquidOutput => "write the text it made, or delete it",
            Kind::Ial if self.name == "toc" => {
                "delete it (and the `* TOC` line above it); a table of contents comes from the theme"
            }
            Kind::Ial => {
                "delete it; for a class, write the paragraph in HTML: <p class=\"notice\">…</p>"
            }
            Kind::MarkdownAttr => {
                "delete the attribute and leave an empty line after the HTML tag, so the Markdown inside it is read"
            }
            Kind::Figure => {
                "write an image with a caption: ![what it shows](photo.jpg \"Caption\")"
            }
            Kind::Video | Kind::Embed => "write a link to it instead: [Watch the video](https://…)",
            Kind::Math => {
                "write maths as $…$ or $$…$$; staffroom makes MathML of it when it builds, with no script"
            }
            Kind::Shortcode => "write what it showed in Markdown or HTML, or delete it",
            Kind::WordPress if self.name.ends_with("caption") => {
                "write an image with a caption: ![what it shows](photo.jpg \"Caption\")"
            }
            Kind::WordPress if self.name.ends_with("gallery") => {
                "put the images one after another: ![…](a.jpg) ![…](b.jpg)"
            }
            Kind::WordPress => "write a link to it instead: [Watch the video](https://…)",
        };
        fix.to_string()
    }
}

/// Every leftover in a Markdown body, outside code, in order.
pub fn find(body: &str) -> Vec<Leftover> {
    if !scan::might_have(body) {
        return Vec::new();
    }
    let regions = scan::regions(body);
    let tokens = scan::tokens(body, &regions);
    let mut out = Vec::new();
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        let mut leftover = leftover(body, t);
        if let Some(close) = closing(t)
            && let Some(j) = (k + 1..tokens.len())
                .find(|&j| tokens[j].syntax == t.syntax && tokens[j].name == close)
        {
            leftover.range.end = tokens[j].range.end;
            leftover.inner = Some(t.range.end..tokens[j].range.start);
            k = j;
        }
        out.push(leftover);
        k += 1;
    }
    out
}

/// For a tag whose content is not Markdown (code, raw text, a script), the name of
/// the tag that ends it, in the same syntax.
fn closing(t: &Token) -> Option<String> {
    let hugo = matches!(t.syntax, Syntax::HugoAngle | Syntax::HugoPercent);
    match (t.syntax, t.name.as_str()) {
        (Syntax::LiquidTag, "raw" | "highlight" | "comment") => Some(format!("end{}", t.name)),
        (_, n) if hugo && (n == "highlight" || is_math(n) || n.ends_with(".inline")) => {
            Some(format!("/{n}"))
        }
        _ => None,
    }
}

fn is_math(name: &str) -> bool {
    let base = name.strip_suffix(".inline").unwrap_or(name);
    matches!(base, "math" | "katex" | "mathjax" | "tex" | "latex")
}

fn leftover(body: &str, t: &Token) -> Leftover {
    let (line, column) = crate::error::line_col(body, t.range.start);
    let written: String = body[t.range.clone()]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let written = if written.chars().count() > 60 {
        format!("{}…", written.chars().take(59).collect::<String>())
    } else {
        written
    };
    Leftover {
        kind: kind_of(t),
        range: t.range.clone(),
        inner: None,
        line,
        column,
        written,
        name: t.name.clone(),
        args: t.args.clone(),
        hugo: matches!(t.syntax, Syntax::HugoAngle | Syntax::HugoPercent),
    }
}

fn kind_of(t: &Token) -> Kind {
    let name = t.name.trim_start_matches('/');
    match t.syntax {
        Syntax::LiquidOutput => {
            let expr = name.split('|').next().unwrap_or("").trim();
            let literal = expr.starts_with(['"', '\'']);
            let filtered = name.ends_with("relative_url") || name.ends_with("absolute_url");
            if matches!(expr, "site.baseurl" | "site.url") || literal && filtered {
                Kind::SiteUrl
            } else if expr.starts_with("site.") {
                Kind::SiteVariable
            } else {
                Kind::LiquidOutput
            }
        }
        Syntax::LiquidTag => match name {
            "raw" | "endraw" => Kind::Raw,
            "highlight" | "endhighlight" => Kind::Highlight,
            "link" | "post_url" => Kind::PostLink,
            "include" | "include_relative" => Kind::Include,
            _ => Kind::Liquid,
        },
        Syntax::HugoAngle | Syntax::HugoPercent => match name {
            "figure" => Kind::Figure,
            "youtube" | "vimeo" | "vimeo_simple" | "youtube_simple" => Kind::Video,
            "x" | "twitter" | "tweet" | "twitter_simple" | "x_simple" | "instagram"
            | "instagram_simple" => Kind::Embed,
            "ref" | "relref" => Kind::PostLink,
            "highlight" => Kind::Highlight,
            n if is_math(n) => Kind::Math,
            _ => Kind::Shortcode,
        },
        Syntax::Ial => Kind::Ial,
        Syntax::MarkdownAttr => Kind::MarkdownAttr,
        Syntax::WordPress => Kind::WordPress,
    }
}

/// The leftovers in the site's posts and pages, for `build` and `check`.
pub fn in_site(site: &crate::site::Site) -> Vec<(Location, String)> {
    let posts = site.posts.iter().map(|p| p.source.as_path());
    let files: Vec<&Path> = posts
        .chain(site.pages.iter().map(|p| p.source.as_path()))
        .collect();
    in_files(&files)
}

/// The leftovers in each file, as `build` and `check` tell them: the file, the line
/// and column in it, and the message. Files that cannot be read are skipped: the
/// build that came first has told about them.
pub fn in_files(files: &[&Path]) -> Vec<(Location, String)> {
    let found: Vec<Vec<(Location, String)>> = files
        .par_iter()
        .map(|file| {
            let Ok(text) = std::fs::read_to_string(file) else {
                return Vec::new();
            };
            let Ok(split) = crate::content::front_matter::split(file, &text) else {
                return Vec::new();
            };
            find(split.body)
                .into_iter()
                .map(|l| {
                    let at = Location::line(*file, split.body_line + l.line - 1)
                        .with_column(Some(l.column));
                    (at, l.message())
                })
                .collect()
        })
        .collect();
    found.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(body: &str) -> Vec<(Kind, usize, usize)> {
        find(body)
            .into_iter()
            .map(|l| (l.kind, l.line, l.column))
            .collect()
    }

    #[test]
    fn a_block_is_one_leftover_and_its_content_is_not_looked_into() {
        let body = "Intro {{ site.baseurl }}\n{% highlight liquid %}\n{{ page.title }}\n{% endhighlight %}\n\
                    {% raw %}{% include x.html %}{% endraw %} {% include y.html %}\n";
        assert_eq!(
            kinds(body),
            [
                (Kind::SiteUrl, 1, 7),
                (Kind::Highlight, 2, 1),
                (Kind::Raw, 5, 1),
                (Kind::Include, 5, 43)
            ]
        );
    }

    #[test]
    fn nothing_in_code_is_a_leftover() {
        let body = "Use `{{ site.url }}` like this:\n\n```liquid\n{% post_url x %}\n```\n\n    {{< figure >}}\n";
        assert!(find(body).is_empty(), "{:?}", find(body));
    }

    #[test]
    fn hugo_shortcodes_are_told_apart() {
        let body = "{{< figure src=\"a.jpg\" >}}\n\n{{< youtube abc >}}\n\n[x]({{< ref \"b.md\" >}})\n\n\
                    {{< math.inline >}}\n\\(x\\)\n{{</ math.inline >}}\n\n{{% notice info %}}\nHi\n{{% /notice %}}\n";
        let k: Vec<Kind> = find(body).into_iter().map(|l| l.kind).collect();
        assert_eq!(
            k,
            [
                Kind::Figure,
                Kind::Video,
                Kind::PostLink,
                Kind::Math,
                Kind::Shortcode,
                Kind::Shortcode
            ]
        );
    }

    #[test]
    fn the_message_says_what_and_what_to_do() {
        let l = &find("See {% post_url 2010-07-21-name %}.")[0];
        assert_eq!(
            l.message(),
            "`{% post_url 2010-07-21-name %}` is a Jekyll link to another post, which staffroom shows as text; link to the other post's file instead: [text](other-post.md)"
        );
    }
}
