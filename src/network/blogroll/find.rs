//! Which blog a teacher means by a name or an address, for `network remove`.

use super::{Blog, Blogroll, feed_key};
use crate::error::{Error, Location, Result};

/// How many close names a "no blog called ..." error suggests.
const CLOSE_NAMES: usize = 3;

impl Blogroll {
    /// The one blog `what` names: its name (any case), its cache name, its feed or
    /// site address, or, when nothing matches exactly, a part of its name or its web
    /// host. Two blogs matching, or none, is an error that lists them or the close names.
    pub fn find(&self, what: &str) -> Result<&Blog> {
        let what = what.trim();
        let wanted = what.to_lowercase();
        let key = feed_key(what);
        let slug = crate::site::urls::slugify(what);
        let exact: Vec<&Blog> = self
            .blogs
            .iter()
            .filter(|b| {
                b.name.to_lowercase() == wanted
                    || slug.as_ref().is_some_and(|s| *s == b.slug())
                    || feed_key(&b.feed) == key
                    || (!b.site.is_empty() && feed_key(&b.site) == key)
            })
            .collect();
        let found = if exact.is_empty() {
            self.blogs
                .iter()
                .filter(|b| {
                    (!wanted.is_empty() && b.name.to_lowercase().contains(&wanted))
                        || host(&b.feed).is_some_and(|h| h == wanted.trim_start_matches("www."))
                        || host(&b.site).is_some_and(|h| h == wanted.trim_start_matches("www."))
                })
                .collect()
        } else {
            exact
        };
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(self.none_found(what)),
            many => {
                let list: Vec<String> = many.iter().map(|b| self.describe(b)).collect();
                Err(Error::input(
                    Location::file(&self.path),
                    format!(
                        "{} blogs match \"{what}\":\n    {}",
                        many.len(),
                        list.join("\n    ")
                    ),
                )
                .with_hint(
                    "give the whole name in quotes, or the feed address, of the one to remove",
                ))
            }
        }
    }

    fn none_found(&self, what: &str) -> Error {
        let at = Location::file(&self.path);
        if self.blogs.is_empty() {
            return Error::input(at, "lists no blogs, so there is nothing to remove");
        }
        let wanted = what.to_lowercase();
        let mut close: Vec<(f64, &Blog)> = self
            .blogs
            .iter()
            .map(|b| {
                let score = strsim::normalized_damerau_levenshtein(&wanted, &b.name.to_lowercase())
                    .max(strsim::jaro_winkler(&wanted, &b.name.to_lowercase()) - 0.2);
                (score, b)
            })
            .filter(|(score, _)| *score >= 0.5)
            .collect();
        close.sort_by(|a, b| b.0.total_cmp(&a.0));
        let names: Vec<String> = close
            .iter()
            .take(CLOSE_NAMES)
            .map(|(_, b)| self.describe(b))
            .collect();
        let message = format!("has no blog called \"{what}\"");
        if names.is_empty() {
            Error::input(at, message).with_hint(
                "`staffroom network status` lists the blogs you follow; give one's name in quotes, or its feed address",
            )
        } else {
            Error::input(
                at,
                format!("{message}; the closest are:\n    {}", names.join("\n    ")),
            )
            .with_hint("give the name in quotes as network.toml spells it, or the feed address")
        }
    }

    /// `"Name" (feed), line N`, as the lists in these errors show a blog.
    fn describe(&self, b: &Blog) -> String {
        format!("\"{}\" ({}), line {}", b.name, b.feed, b.line)
    }
}

fn host(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    Some(u.host_str()?.trim_start_matches("www.").to_lowercase())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn roll() -> Blogroll {
        Blogroll::parse(
            Path::new("network.toml"),
            "[[blog]]\nname = \"Mr Lee's Maths\"\nsite = \"https://lee.example.org/\"\nfeed = \"https://lee.example.org/feed\"\n\n\
             [[blog]]\nname = \"Maths Mum\"\nfeed = \"https://mum.example.net/rss\"\n\n\
             [[blog]]\nname = \"Science Corner\"\nfeed = \"https://sci.example.com/atom.xml\"\n",
        )
        .unwrap()
    }

    #[test]
    fn finds_by_name_slug_feed_site_part_or_host() {
        let r = roll();
        for what in [
            "mr lee's maths",
            "mr-lee-s-maths",
            "http://www.lee.example.org/feed/",
            "https://lee.example.org",
            "lee's",
            "lee.example.org",
        ] {
            assert_eq!(r.find(what).unwrap().name, "Mr Lee's Maths", "{what}");
        }
        // An exact name wins over a part of another one.
        assert_eq!(r.find("maths mum").unwrap().name, "Maths Mum");
    }

    #[test]
    fn two_matches_or_none_are_errors_that_list_blogs() {
        let r = roll();
        let err = r.find("maths").unwrap_err().to_string();
        assert!(err.contains("2 blogs match \"maths\""), "{err}");
        assert!(
            err.contains("\"Maths Mum\" (https://mum.example.net/rss), line 6"),
            "{err}"
        );
        let err = r.find("Sciense Corner").unwrap_err().to_string();
        assert!(
            err.contains(
                "no blog called \"Sciense Corner\"; the closest are:\n    \"Science Corner\""
            ),
            "{err}"
        );
        let err = r.find("zzz").unwrap_err().to_string();
        assert!(err.contains("network status"), "{err}");
    }
}
