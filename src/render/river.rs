//! The My network river as readers take it in: a blog's burst of posts (three posts
//! written on one evening) under one heading rather than three rows that repeat its
//! name. This is where the typed network page meets the template.

use serde::Serialize;

use crate::network::page::{NetworkPage, RiverBlog, RiverPost};

/// Posts of one blog this close to its newest post in the group join the group.
const BURST_HOURS: i64 = 36;

/// The `network` value a template sees: the page's fields and `river_groups`.
#[derive(Serialize)]
pub struct NetworkView<'a> {
    #[serde(flatten)]
    page: &'a NetworkPage,
    river_groups: Vec<RiverGroup<'a>>,
}

/// A run of consecutive river posts from one blog.
#[derive(Debug, Serialize)]
struct RiverGroup<'a> {
    blog: &'a RiverBlog,
    items: Vec<&'a RiverPost>,
}

/// `network` with `river_groups` added.
pub fn with_groups(page: &NetworkPage) -> NetworkView<'_> {
    NetworkView {
        page,
        river_groups: groups(&page.river),
    }
}

/// Runs of consecutive items from one blog, each item within `BURST_HOURS` of the
/// run's first (newest) one.
fn groups(river: &[RiverPost]) -> Vec<RiverGroup<'_>> {
    let mut out: Vec<RiverGroup> = Vec::new();
    for item in river {
        match out.last_mut() {
            Some(g)
                if g.blog.slug == item.blog.slug
                    && (g.items[0].at - item.at).num_hours().abs() <= BURST_HOURS =>
            {
                g.items.push(item);
            }
            _ => out.push(RiverGroup {
                blog: &item.blog,
                items: vec![item],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn item(blog: &str, date: &str) -> RiverPost {
        let at = DateTime::parse_from_rfc3339(date).unwrap().to_utc();
        RiverPost {
            title: format!("{blog} {date}"),
            url: String::new(),
            date: String::new(),
            date_iso: date.into(),
            date_display: String::new(),
            summary: String::new(),
            author: String::new(),
            blog: RiverBlog {
                name: blog.into(),
                slug: blog.to_lowercase(),
                site: String::new(),
                initial: blog[..1].into(),
                colour: 0,
            },
            responds_to: Vec::new(),
            at,
        }
    }

    #[test]
    fn a_blogs_burst_of_posts_is_one_group() {
        let page = NetworkPage {
            river: vec![
                item("Ada", "2024-05-03T20:00:00+00:00"),
                item("Ada", "2024-05-03T09:00:00+00:00"),
                item("Ada", "2024-05-02T12:00:00+01:00"),
                // Too long after the group's newest post: a group of its own.
                item("Ada", "2024-04-20T12:00:00+00:00"),
                item("Bo", "2024-04-19T12:00:00+00:00"),
                item("Ada", "2024-04-19T10:00:00+00:00"),
            ],
            count: 2,
            blogs: Vec::new(),
            groups: Vec::new(),
            last_fetch: String::new(),
            last_fetch_display: String::new(),
        };
        let view = with_groups(&page);
        let shape: Vec<(&str, usize)> = (view.river_groups.iter())
            .map(|g| (g.blog.name.as_str(), g.items.len()))
            .collect();
        assert_eq!(shape, [("Ada", 3), ("Ada", 1), ("Bo", 1), ("Ada", 1)]);
        // What the template reads: the page's own fields beside the groups.
        let v = serde_json::to_value(&view).unwrap();
        assert_eq!(v["river"][0]["blog"]["initial"], "A");
        assert_eq!(v["river_groups"][0]["blog"]["initial"], "A");
        assert_eq!(
            v["river_groups"][0]["items"][2]["title"],
            page.river[2].title
        );
        assert_eq!(v["count"], 2);
        assert!(v["river"][0].get("at").is_none(), "{v}");
    }
}
