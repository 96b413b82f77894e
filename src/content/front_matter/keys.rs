//! Keys a teacher probably meant: `Title:` for `title:`, `tittle:`, `tag:`. A key we do
//! not know is kept for templates, so a slip would otherwise pass without a word (and
//! `Draft: true` would publish the post).

use serde_json::{Map, Value};

use super::FrontMatter;

/// Every key the front matter reads, with the other generators' names for them.
pub const KNOWN: &[&str] = &[
    "title",
    "date",
    "updated",
    "lastmod",
    "last_modified_at",
    "tags",
    "categories",
    "category",
    "summary",
    "excerpt",
    "slug",
    "draft",
    "published",
    "aliases",
    "redirect_from",
    "menu",
];

/// A key that is not one we read but looks like one that is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    pub key: String,
    pub known: &'static str,
    /// 1-based line in the file.
    pub line: usize,
    /// Differs from `known` only in upper and lower case.
    pub case_only: bool,
}

impl NearMiss {
    /// The hint for an error about `known` being absent.
    pub fn hint(&self) -> String {
        if self.case_only {
            format!(
                "`{}` on line {} is not read as `{}`: keys are written in lowercase; change it to `{}`",
                self.key, self.line, self.known, self.known
            )
        } else {
            format!(
                "`{}` on line {} looks like `{}` misspelt; change it to `{}`",
                self.key, self.line, self.known, self.known
            )
        }
    }
}

impl FrontMatter {
    /// What to tell a teacher whose front matter lacks `key`, when another key looks
    /// like it.
    pub fn hint_for_missing(&self, key: &str) -> Option<String> {
        self.near_misses
            .iter()
            .find(|m| m.known == key)
            .map(NearMiss::hint)
    }
}

/// The unknown keys of `map` that look like a known key the map does not have.
pub fn near_misses(map: &Map<String, Value>, line_of: impl Fn(&str) -> usize) -> Vec<NearMiss> {
    let mut found = Vec::new();
    for key in map.keys() {
        if KNOWN.contains(&key.as_str()) {
            continue;
        }
        let lower = key.to_lowercase();
        let Some(known) = closest(&lower) else {
            continue;
        };
        if map.contains_key(known) {
            continue;
        }
        found.push(NearMiss {
            key: key.clone(),
            known,
            line: line_of(key),
            case_only: lower == known,
        });
    }
    found
}

/// The known key `lower` is one slip away from: one letter added, missing, changed or
/// swapped (two for the longer keys, where that is still unmistakable).
fn closest(lower: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .map(|k| (strsim::damerau_levenshtein(lower, k), *k))
        .filter(|(d, k)| *d == 0 || (*d == 1 && k.len() >= 4) || (*d == 2 && k.len() >= 7))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn misses(keys: &[&str]) -> Vec<(String, &'static str, bool)> {
        let map: Map<String, Value> = keys.iter().map(|k| (k.to_string(), Value::Null)).collect();
        near_misses(&map, |_| 2)
            .into_iter()
            .map(|m| (m.key, m.known, m.case_only))
            .collect()
    }

    #[test]
    fn case_and_one_slip_are_near_misses() {
        assert_eq!(misses(&["Title"]), [("Title".into(), "title", true)]);
        assert_eq!(misses(&["tittle"]), [("tittle".into(), "title", false)]);
        assert_eq!(misses(&["tag"]), [("tag".into(), "tags", false)]);
        assert_eq!(
            misses(&["catagories"]),
            [("catagories".into(), "categories", false)]
        );
        assert_eq!(misses(&["DRAFT"]), [("DRAFT".into(), "draft", true)]);
    }

    #[test]
    fn own_keys_and_keys_already_given_are_not() {
        assert!(misses(&["mood", "author", "image", "layout", "cover"]).is_empty());
        assert!(misses(&["title", "Title"]).is_empty());
        assert!(misses(&["tags", "tag"]).is_empty());
    }
}
