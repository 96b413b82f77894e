//! Replies under their parents. A response's `in_reply_to` names the id of another
//! response to the same page; the page shows the reply nested under it, each level
//! oldest first. A reply whose parent is missing, or whose parents lead back to
//! itself (files edited by hand can say anything), is shown at the top level and
//! named in a warning, so nothing is lost and nothing loops.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::{Kind, Response, Warning};

/// Replies deeper than this are shown at this depth (still saying whom they
/// answer), as WordPress does: a column of ever narrower boxes helps no reader, and
/// the template's recursion stays bounded whatever the files say.
pub const MAX_DEPTH: usize = 5;

/// What the pages show: for each post and each page an object with `responses`
/// (every response, oldest first), `response_threads` (the top-level ones, each with
/// its `replies`) and `response_counts` ("3 comments, 1 pingback"); and the avatar
/// files to copy (the file, its path in the site).
#[derive(Debug, Clone, Default)]
pub struct Shown {
    pub posts: Vec<Value>,
    pub pages: Vec<Value>,
    pub files: Vec<(PathBuf, String)>,
}

/// The values of one target's responses (`list`, oldest first).
///
/// `responses` is every response in the order a conversation reads: top-level
/// ones oldest first, each followed by its replies (likewise, all the way down).
/// Each item has `depth` (1 at the top), `has_replies`, and `closes`: how many lists
/// of replies end after it. So a template can nest lists without recursion (Tera
/// macros need an import in the page's own template, which a teacher's copy of
/// post.html would lack), while `response_threads` holds the same as a tree, each
/// item with its `replies`, for themes that do use a macro.
pub fn values(list: &[Response], warnings: &mut Vec<Warning>) -> Value {
    let parents = parents(list, warnings);
    let shown = shown_parents(list, &parents);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); list.len()];
    let mut roots = Vec::new();
    for (i, p) in shown.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(list.len());
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 1)).collect();
    while let Some((i, depth)) = stack.pop() {
        order.push((i, depth));
        stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1)));
    }
    let mut items: Vec<Value> = (0..list.len()).map(|i| item(list, &parents, i)).collect();
    let mut flat = Vec::with_capacity(list.len());
    for (n, &(i, depth)) in order.iter().enumerate() {
        let next_depth = order.get(n + 1).map_or(1, |&(_, d)| d);
        let mut v = items[i].clone();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("depth".into(), json!(depth));
            obj.insert("has_replies".into(), json!(!children[i].is_empty()));
            obj.insert("closes".into(), json!(depth.saturating_sub(next_depth)));
        }
        items[i] = v.clone();
        flat.push(v);
    }
    let threads: Vec<Value> = roots.iter().map(|&i| tree(&items, &children, i)).collect();
    json!({
        "responses": flat,
        "response_threads": threads,
        "response_counts": counts(list),
    })
}

/// Each response's parent (by position in `list`), when it has one that is there
/// and does not lead back to it.
fn parents(list: &[Response], warnings: &mut Vec<Warning>) -> Vec<Option<usize>> {
    let by_id: HashMap<&str, usize> = list
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.id.is_empty())
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    // Union-find over the links accepted so far: a response not yet linked is the
    // root of its tree, so linking it under `p` makes a circle exactly when `p`'s
    // root is the response itself.
    let mut root: Vec<usize> = (0..list.len()).collect();
    fn find(root: &mut [usize], mut i: usize) -> usize {
        while root[i] != i {
            root[i] = root[root[i]];
            i = root[i];
        }
        i
    }
    let mut parents = vec![None; list.len()];
    // Newest first: of a circle, the oldest (which the others cannot have been
    // written before) is the one shown at the top.
    let mut found = Vec::new();
    for (i, r) in list.iter().enumerate().rev() {
        if r.in_reply_to.is_empty() {
            continue;
        }
        let warn = |message: String| Warning {
            file: r.file.clone().unwrap_or_default(),
            line: r.reply_line,
            message,
        };
        match by_id.get(r.in_reply_to.as_str()) {
            None => found.push(warn(format!(
                "`in_reply_to = \"{}\"` names no response to the same post or page, so this reply is shown on its own; check the parent's id (its file's `id`, or its file name without .toml)",
                r.in_reply_to
            ))),
            Some(&p) if find(&mut root, p) == i => found.push(warn(format!(
                "`in_reply_to = \"{}\"` leads back to this response (the replies go round in a circle), so it is shown on its own; one of them should not be a reply",
                r.in_reply_to
            ))),
            Some(&p) => {
                parents[i] = Some(p);
                let top = find(&mut root, p);
                root[i] = top;
            }
        }
    }
    warnings.extend(found.into_iter().rev());
    parents
}

/// The parent each response is shown under: its own, or for one deeper than
/// `MAX_DEPTH`, the ancestor at `MAX_DEPTH - 1`. A like or a repost is named on a
/// line of its own, never a box that could hold replies, so replies to one are
/// shown at the top.
fn shown_parents(list: &[Response], parents: &[Option<usize>]) -> Vec<Option<usize>> {
    let compact = |p: usize| matches!(list[p].kind, Kind::Like | Kind::Repost);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); parents.len()];
    let mut queue = Vec::new();
    for (i, p) in parents.iter().enumerate() {
        match p {
            Some(p) if !compact(*p) => children[*p].push(i),
            _ => queue.push(i),
        }
    }
    let mut shown = vec![None; parents.len()];
    let mut depth = vec![1; parents.len()];
    // Parents before children: every linked response is reached from a root, since
    // the links hold no circle.
    let mut next = 0;
    while next < queue.len() {
        let p = queue[next];
        next += 1;
        for &c in &children[p] {
            let under = if depth[p] < MAX_DEPTH {
                Some(p)
            } else {
                shown[p]
            };
            shown[c] = under;
            depth[c] = under.map_or(1, |u| depth[u] + 1);
            queue.push(c);
        }
    }
    shown
}

/// A response's value, with whom it answers (`in_reply_to_author`, and
/// `in_reply_to_anchor` when the page shows the parent at an anchor).
fn item(list: &[Response], parents: &[Option<usize>], i: usize) -> Value {
    let mut v = list[i].value();
    let parent = parents[i].map(|p| &list[p]);
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "in_reply_to_author".into(),
            json!(parent.map_or("", Response::who)),
        );
        obj.insert(
            "in_reply_to_anchor".into(),
            json!(parent.map_or("", |p| p.anchor.as_str())),
        );
    }
    v
}

fn tree(items: &[Value], children: &[Vec<usize>], i: usize) -> Value {
    let mut v = items[i].clone();
    let replies: Vec<Value> = children[i]
        .iter()
        .map(|&c| tree(items, children, c))
        .collect();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("replies".into(), Value::Array(replies));
    }
    v
}

/// "3 comments, 1 pingback, 2 written, 1 like": how many of each kind, in the order
/// the page shows them. Replies and mentions together are "written", as before
/// comments came.
fn counts(list: &[Response]) -> String {
    let n = |kinds: &[Kind]| list.iter().filter(|r| kinds.contains(&r.kind)).count();
    let mut parts = Vec::new();
    for (noun, kind) in [
        ("comment", Kind::Comment),
        ("pingback", Kind::Pingback),
        ("trackback", Kind::Trackback),
    ] {
        match n(&[kind]) {
            0 => {}
            k => parts.push(crate::words::count(k, noun)),
        }
    }
    match n(&[Kind::Reply, Kind::Mention]) {
        0 => {}
        k => parts.push(format!("{k} written")),
    }
    for (noun, kind) in [("like", Kind::Like), ("repost", Kind::Repost)] {
        match n(&[kind]) {
            0 => {}
            k => parts.push(crate::words::count(k, noun)),
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str, parent: &str, kind: Kind) -> Response {
        Response {
            id: id.into(),
            in_reply_to: parent.into(),
            author: format!("Author {id}"),
            kind,
            ..Default::default()
        }
    }

    fn ids(threads: &Value) -> String {
        threads
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let inner = ids(&t["replies"]);
                let id = t["id"].as_str().unwrap();
                if inner.is_empty() {
                    id.to_string()
                } else {
                    format!("{id}({inner})")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn replies_nest_and_missing_parents_and_circles_go_to_the_top() {
        let list = vec![
            r("b", "a", Kind::Comment), // before its parent in the list
            r("a", "", Kind::Comment),
            r("c", "b", Kind::Comment),
            r("x", "nobody", Kind::Comment),
            r("p", "q", Kind::Comment),
            r("q", "p", Kind::Comment),
            r("self", "self", Kind::Pingback),
        ];
        let mut warnings = Vec::new();
        let v = values(&list, &mut warnings);
        assert_eq!(ids(&v["response_threads"]), "a(b(c)) x p(q) self");
        let flat: Vec<(&str, u64, u64)> = v["responses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let n = |k: &str| r[k].as_u64().unwrap();
                (r["id"].as_str().unwrap(), n("depth"), n("closes"))
            })
            .collect();
        assert_eq!(
            flat,
            [
                ("a", 1, 0),
                ("b", 2, 0),
                ("c", 3, 2),
                ("x", 1, 0),
                ("p", 1, 0),
                ("q", 2, 1),
                ("self", 1, 0)
            ]
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings[0]
                .message
                .contains("\"nobody\"` names no response")
        );
        assert!(warnings[1].message.contains("leads back"));
        assert_eq!(v["responses"][2]["in_reply_to_author"], "Author b");
        assert_eq!(v["responses"][3]["in_reply_to_author"], "");
        assert_eq!(v["response_counts"], "6 comments, 1 pingback");
    }

    #[test]
    fn deep_chains_stop_nesting_at_the_limit() {
        let n = 10_000;
        let list: Vec<Response> = (0..n)
            .map(|i| {
                let parent = if i == 0 {
                    String::new()
                } else {
                    (i - 1).to_string()
                };
                r(&i.to_string(), &parent, Kind::Reply)
            })
            .collect();
        let v = values(&list, &mut Vec::new());
        let mut level = &v["response_threads"][0];
        for _ in 2..MAX_DEPTH {
            level = &level["replies"][0];
        }
        assert_eq!(level["depth"], MAX_DEPTH - 1);
        let deepest = level["replies"].as_array().unwrap();
        assert_eq!(deepest.len(), n - (MAX_DEPTH - 1));
        assert!(deepest.iter().all(|r| r["replies"] == json!([])));
        assert_eq!(
            deepest[1]["in_reply_to_author"],
            format!("Author {}", MAX_DEPTH - 1)
        );
        assert_eq!(v["response_counts"], "10000 written");
    }
}
