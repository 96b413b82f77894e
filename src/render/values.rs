//! A page's values before they become a Tera context. List pages share post
//! summaries by reference, so `serve` can fingerprint every page of a large site
//! (to find the few that changed) without copying thousands of summaries, and
//! copies them only for the pages it actually renders.

use std::hash::Hasher;

use rayon::prelude::*;
use serde_json::{Map, Value};

/// A JSON value that may borrow parts of itself.
pub enum Node<'a> {
    Owned(Value),
    Ref(&'a Value),
    Str(&'a str),
    /// A string and a hash standing for it (the key its Markdown was cached by): a
    /// post's text is long, and hashing it for every page on every rebuild is not.
    Keyed(&'a str, u64),
    List(Vec<Node<'a>>),
    Object(Vec<(&'static str, Node<'a>)>),
    /// The fields of an object (a post's summary) and some more (its full text).
    Extend(&'a Value, Vec<(&'static str, Node<'a>)>),
}

impl Node<'_> {
    pub fn into_value(self) -> Value {
        match self {
            Node::Owned(v) => v,
            Node::Ref(v) => v.clone(),
            Node::Str(s) | Node::Keyed(s, _) => Value::String(s.to_string()),
            Node::List(items) => Value::Array(items.into_iter().map(Node::into_value).collect()),
            Node::Object(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.into_value()))
                    .collect(),
            ),
            Node::Extend(base, more) => {
                let mut map = match base {
                    Value::Object(m) => m.clone(),
                    _ => Map::new(),
                };
                for (k, v) in more {
                    map.insert(k.to_string(), v.into_value());
                }
                Value::Object(map)
            }
        }
    }
}

/// The page's own values (not the globals every page shares), by name.
#[derive(Default)]
pub struct Values<'a>(pub Vec<(&'static str, Node<'a>)>);

impl<'a> Values<'a> {
    pub fn put(&mut self, key: &'static str, value: Node<'a>) {
        self.0.push((key, value));
    }

    /// Anything serializable, converted now.
    pub fn insert<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        // Everything we insert is plain data, which always converts.
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.put(key, Node::Owned(value));
    }

    pub fn into_map(self) -> Map<String, Value> {
        self.0
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_value()))
            .collect()
    }
}

/// Precomputed hashes of shared values (the post summaries), by address, so each is
/// hashed once per build rather than once per list it appears in.
#[derive(Default)]
pub struct Known(crate::content::cache::FastMap<usize, u64>);

impl Known {
    /// `unseen`: top-level fields of the shared objects that no template can read,
    /// left out of their hashes (a change to them alone changes no page).
    pub fn new<V: std::borrow::Borrow<Value> + Sync>(shared: &[V], unseen: &[&str]) -> Known {
        Known(
            shared
                .par_iter()
                .map(|v| {
                    let v: &Value = v.borrow();
                    let mut h = crate::content::cache::hasher();
                    match v {
                        Value::Object(map) if !unseen.is_empty() => {
                            h.write_u8(5);
                            let fields = map.iter().filter(|(k, _)| !unseen.contains(&k.as_str()));
                            h.write_usize(fields.clone().count());
                            for (k, v) in fields {
                                h.write(k.as_bytes());
                                h.write_u8(0xff);
                                hash_value(v, &mut h);
                            }
                        }
                        _ => hash_value(v, &mut h),
                    }
                    (v as *const Value as usize, h.finish())
                })
                .collect(),
        )
    }
}

impl Known {
    /// Also these shared values, hashed whole.
    pub fn and(mut self, shared: &[Value]) -> Known {
        for v in shared {
            let mut h = crate::content::cache::hasher();
            hash_value(v, &mut h);
            self.0.insert(v as *const Value as usize, h.finish());
        }
        self
    }
}

/// A hash of the template name and every value, equal exactly when both are.
pub fn fingerprint(seed: u64, template: &str, values: &Values, known: &Known) -> u64 {
    let mut h = crate::content::cache::hasher();
    h.write_u64(seed);
    h.write(template.as_bytes());
    h.write_usize(values.0.len());
    for (k, v) in &values.0 {
        h.write(k.as_bytes());
        hash_node(v, &mut h, known);
    }
    h.finish()
}

fn hash_node(node: &Node, h: &mut crate::content::cache::FastHasher, known: &Known) {
    match node {
        Node::Owned(v) => hash_value(v, h),
        Node::Ref(v) => hash_ref(v, h, known),
        Node::Str(s) => hash_value_str(s, h),
        Node::Keyed(_, key) => {
            h.write_u8(7);
            h.write_u64(*key);
        }
        Node::Extend(base, more) => {
            h.write_u8(6);
            hash_ref(base, h, known);
            h.write_usize(more.len());
            for (k, v) in more {
                h.write(k.as_bytes());
                h.write_u8(0xff);
                hash_node(v, h, known);
            }
        }
        Node::List(items) => {
            h.write_u8(4);
            h.write_usize(items.len());
            for i in items {
                hash_node(i, h, known);
            }
        }
        Node::Object(fields) => {
            h.write_u8(5);
            h.write_usize(fields.len());
            for (k, v) in fields {
                h.write(k.as_bytes());
                h.write_u8(0xff);
                hash_node(v, h, known);
            }
        }
    }
}

fn hash_ref(v: &Value, h: &mut crate::content::cache::FastHasher, known: &Known) {
    match known.0.get(&(v as *const Value as usize)) {
        Some(digest) => {
            h.write_u8(9);
            h.write_u64(*digest);
        }
        None => hash_value(v, h),
    }
}

fn hash_value_str(s: &str, h: &mut crate::content::cache::FastHasher) {
    h.write_u8(3);
    h.write_usize(s.len());
    h.write(s.as_bytes());
}

/// Walks the value itself: much faster than serializing it, and unambiguous thanks
/// to a tag before each value and a length before each list or string.
pub fn hash_value(v: &Value, h: &mut crate::content::cache::FastHasher) {
    match v {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => {
            h.write_u8(1);
            h.write_u8(u8::from(*b));
        }
        Value::Number(n) => {
            h.write_u8(2);
            match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => h.write_u64(u),
                (None, Some(i)) => h.write_i64(i),
                _ => h.write_u64(n.as_f64().unwrap_or(0.0).to_bits()),
            }
        }
        Value::String(s) => hash_value_str(s, h),
        Value::Array(items) => {
            h.write_u8(4);
            h.write_usize(items.len());
            for i in items {
                hash_value(i, h);
            }
        }
        Value::Object(map) => {
            h.write_u8(5);
            h.write_usize(map.len());
            for (k, v) in map {
                h.write(k.as_bytes());
                h.write_u8(0xff);
                hash_value(v, h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn print(values: &Values, known: &Known) -> u64 {
        fingerprint(1, "t.html", values, known)
    }

    #[test]
    fn a_reference_hashes_like_a_copy_of_it_unless_known() {
        let summary = json!({ "title": "A", "n": 3 });
        let mut by_ref = Values::default();
        by_ref.put("posts", Node::List(vec![Node::Ref(&summary)]));
        let mut by_copy = Values::default();
        by_copy.put("posts", Node::List(vec![Node::Owned(summary.clone())]));
        let none = Known::default();
        assert_eq!(print(&by_ref, &none), print(&by_copy, &none));
        assert_eq!(by_ref.into_map(), by_copy.into_map());
    }

    #[test]
    fn an_extended_object_is_the_object_plus_its_fields() {
        let summary = json!({ "title": "A", "url": "/a/" });
        let node = Node::Extend(&summary, vec![("content", Node::Str("<p>x</p>"))]);
        assert_eq!(
            node.into_value(),
            json!({ "title": "A", "url": "/a/", "content": "<p>x</p>" })
        );
    }

    #[test]
    fn a_keyed_string_hashes_as_its_key_and_becomes_the_string() {
        let page = |text: &'static str, key| {
            let mut v = Values::default();
            v.put("content", Node::Keyed(text, key));
            v
        };
        let none = Known::default();
        // The key stands for the text: equal keys are equal texts by construction.
        assert_eq!(
            print(&page("<p>a</p>", 7), &none),
            print(&page("<p>b</p>", 7), &none)
        );
        assert_ne!(
            print(&page("<p>a</p>", 7), &none),
            print(&page("<p>a</p>", 8), &none)
        );
        assert_eq!(page("<p>a</p>", 7).into_map()["content"], "<p>a</p>");
    }

    #[test]
    fn any_difference_changes_the_fingerprint() {
        let a = json!({ "title": "A" });
        let b = json!({ "title": "B" });
        let pair = [a, b];
        let known = Known::new(&pair, &[]);
        let (a, b) = (&pair[0], &pair[1]);
        let list = |v: &'static str, x| {
            let mut vals = Values::default();
            vals.insert("page_title", v);
            vals.put("posts", Node::List(vec![Node::Ref(x)]));
            vals
        };
        let base = print(&list("P", a), &known);
        assert_ne!(base, print(&list("P", b), &known));
        assert_ne!(base, print(&list("Q", a), &known));
        assert_eq!(base, print(&list("P", a), &known));
        assert_ne!(base, fingerprint(1, "other.html", &list("P", a), &known));
    }
}
