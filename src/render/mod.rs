//! The render stage: Tera templates from the theme, filled with values from the site
//! model. Pages are rendered in parallel and handed to a sink as they are done.

pub mod context;
mod errors;
mod kinds;
mod load_errors;
pub mod notice;
pub mod pages;
mod query_aliases;
pub(crate) mod river;
#[cfg(test)]
mod tera_wording;
pub mod theme;
pub mod values;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use tera::{Tera, Value};

use crate::config::BaseUrl;
use crate::error::{Error, Location, Result};
use errors::template_error;
use load_errors::load_error;
use theme::{Origin, ThemeFiles};

pub struct Renderer {
    tera: Tera,
    origins: BTreeMap<String, (String, Origin)>,
    /// Post summary fields no template can read, so a page's fingerprint may leave
    /// them out (`serve` then skips list pages when only those changed).
    unseen: Vec<&'static str>,
}

/// Summary fields that change on most edits of a post's body but that few themes show.
const OPTIONAL_FIELDS: [&str; 1] = ["word_count"];

/// Which of `OPTIONAL_FIELDS` no template mentions. A template that could reach a
/// field without naming it (dumping a value as JSON, the whole context, or looping
/// over an object's keys) makes every field visible.
fn unseen_fields(templates: &BTreeMap<String, (String, Origin)>) -> Vec<&'static str> {
    let dumps = |t: &str| {
        t.contains("json_encode")
            || t.contains("__tera_context")
            || t.contains("get(")
            || t.split("{%").skip(1).any(|tag| {
                let tag = tag.split("%}").next().unwrap_or("");
                let tag = tag.trim_start_matches('-').trim_start();
                tag.starts_with("for ") && tag.split(" in ").next().unwrap_or("").contains(',')
            })
    };
    if templates.values().any(|(t, _)| dumps(t)) {
        return Vec::new();
    }
    OPTIONAL_FIELDS
        .into_iter()
        .filter(|f| !templates.values().any(|(t, _)| t.contains(f)))
        .collect()
}

impl Renderer {
    pub fn new(files: &ThemeFiles, base: &BaseUrl) -> Result<Renderer> {
        find_include_cycle(&files.templates)?;
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        // Tera's own escaper also turns `/` into `&#x2F;`, which bloats every URL;
        // HTML needs only the five characters this one escapes.
        tera.set_escape_fn(crate::content::text::escape_html);
        let list: Vec<(&str, &str)> = files
            .templates
            .iter()
            .map(|(name, (text, _))| (name.as_str(), text.as_str()))
            .collect();
        on_known_stack(|| tera.add_raw_templates(list))
            .map_err(|e| load_error(&e, &files.templates))?;
        let base_path = base.path().to_string();
        tera.register_function(
            "url",
            move |args: &HashMap<String, Value>| -> tera::Result<Value> {
                let path = args
                    .get("path")
                    .and_then(Value::as_str)
                    .ok_or_else(|| tera::Error::msg("url() needs path=\"...\""))?;
                Ok(Value::String(format!(
                    "{base_path}{}",
                    path.trim_start_matches('/')
                )))
            },
        );
        Ok(Renderer {
            tera,
            origins: files.templates.clone(),
            unseen: unseen_fields(&files.templates),
        })
    }

    /// Post summary fields no template can show (see `unseen_fields`).
    pub fn unseen(&self) -> &[&'static str] {
        &self.unseen
    }

    pub fn has(&self, template: &str) -> bool {
        self.origins.contains_key(template)
    }

    pub fn render(&self, template: &str, ctx: &tera::Context) -> Result<String> {
        on_known_stack(|| self.tera.render(template, ctx))
            .map_err(|e| template_error(&e, &self.origins))
    }
}

/// Stack for parsing and rendering templates: enough that the patched Tera's depth
/// bounds (100 nested macro calls, 400 levels of source nesting) are reached before
/// its stack check, even in a debug build, whichever thread does the work.
const TEMPLATE_STACK: usize = 64 << 20;

/// Runs `f` on a stack with at least `TEMPLATE_STACK` left: the thread's own when it
/// has that much, else a fresh one (rayon's and `serve`'s threads have 2 MB), so a
/// template renders the same in `build` and in `serve`.
fn on_known_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(TEMPLATE_STACK, TEMPLATE_STACK, f)
}

/// A template that includes, extends or imports itself (directly or through others)
/// is refused up front, naming the line of the tag. The patched Tera (patches/tera)
/// also bounds include and macro depth while rendering, which catches the cycles
/// this pattern cannot see (an include of a list of names, a computed one).
fn find_include_cycle(templates: &BTreeMap<String, (String, Origin)>) -> Result<()> {
    use std::sync::LazyLock;
    static USES: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"\{%-?\s*(?:include|extends|import)\s+["']([^"']+)["']"#)
            .expect("valid regex")
    });
    let uses = |name: &str| -> Vec<(String, usize)> {
        templates.get(name).map_or_else(Vec::new, |(text, _)| {
            USES.captures_iter(text)
                .map(|c| {
                    let at = c.get(0).map_or(0, |m| m.start());
                    (c[1].to_string(), crate::error::line_col(text, at).0)
                })
                .collect()
        })
    };
    // Depth-first search; `path` holds the chain being followed.
    fn visit(
        name: &str,
        uses: &dyn Fn(&str) -> Vec<(String, usize)>,
        path: &mut Vec<(String, usize)>,
        done: &mut std::collections::HashSet<String>,
    ) -> Option<Vec<(String, usize)>> {
        if done.contains(name) {
            return None;
        }
        for (next, line) in uses(name) {
            path.push((name.to_string(), line));
            // Only the part of the chain from `next` on is the circle; the templates
            // before it merely lead there.
            if let Some(start) = path.iter().position(|(n, _)| *n == next) {
                return Some(path[start..].to_vec());
            }
            if let Some(cycle) = visit(&next, uses, path, done) {
                return Some(cycle);
            }
            path.pop();
        }
        done.insert(name.to_string());
        None
    }
    let mut done = std::collections::HashSet::new();
    for name in templates.keys() {
        if let Some(cycle) = visit(name, &uses, &mut Vec::new(), &mut done) {
            let (first, line) = &cycle[0];
            let chain: Vec<&str> = cycle.iter().map(|(n, _)| n.as_str()).collect();
            let origin = templates
                .get(first)
                .map_or_else(|| first.clone(), |(_, o)| o.describe(first));
            return Err(Error::input(
                Location::line(origin, *line),
                format!(
                    "templates include each other in a circle: {} → {}",
                    chain.join(" → "),
                    first
                ),
            )
            .with_hint("remove one of the includes"));
        }
    }
    Ok(())
}

/// Paths of templates a build would use, for `serve` to watch.
pub fn template_dirs(root: &Path, theme: Option<&str>) -> Vec<std::path::PathBuf> {
    let mut dirs = vec![root.join("templates")];
    if let Some(t) = theme {
        dirs.push(root.join("themes").join(t));
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unseen(texts: &[&str]) -> Vec<&'static str> {
        let templates = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("t{i}.html"), (t.to_string(), Origin::BuiltIn(b""))))
            .collect();
        unseen_fields(&templates)
    }

    #[test]
    fn a_field_is_unseen_only_when_no_template_can_reach_it() {
        assert_eq!(unseen(&["{{ post.title }}"]), ["word_count"]);
        assert!(unseen(&["{{ post.title }}", "{{ post.word_count }}"]).is_empty());
        assert!(unseen(&["{{ post | json_encode }}"]).is_empty());
        assert!(unseen(&["{%- for k, v in post %}{{ v }}{% endfor %}"]).is_empty());
        assert!(unseen(&["{{ post | get(key=name) }}"]).is_empty());
        assert_eq!(
            unseen(&["{% for p in posts %}{{ p.url }}{% endfor %}"]),
            ["word_count"]
        );
    }
}
