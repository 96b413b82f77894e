//! The My network river as readers take it in: whose blog each post is from at a
//! glance, and a blog's burst of posts (three posts written on one evening) under
//! one heading rather than three rows that repeat its name.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value, json};

/// Posts of one blog this close to its newest post in the group join the group.
const BURST_HOURS: i64 = 36;

/// How many colours the letter avatars come in (`blog-avatar-0` ... in style.css).
pub const AVATAR_COLOURS: u32 = 6;

/// `network` with `river_groups` added, and each river item's `blog` given
/// `initial` and `colour` for a letter avatar when the blog has no icon.
pub fn with_groups(network: &Value) -> Value {
    let mut network = network.clone();
    let Some(map) = network.as_object_mut() else {
        return network;
    };
    let mut river: Vec<Value> = map
        .get("river")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for item in &mut river {
        if let Some(blog) = item.get_mut("blog").and_then(Value::as_object_mut) {
            avatar(blog);
        }
    }
    let groups = groups(&river);
    map.insert("river".into(), Value::Array(river));
    map.insert("river_groups".into(), Value::Array(groups));
    network
}

/// Runs of consecutive items from one blog, each item within `BURST_HOURS` of the
/// run's first (newest) one.
fn groups(river: &[Value]) -> Vec<Value> {
    let mut out: Vec<(Value, Option<DateTime<FixedOffset>>, Vec<Value>)> = Vec::new();
    for item in river {
        let blog = item.get("blog").cloned().unwrap_or(Value::Null);
        let date = item
            .get("date_iso")
            .and_then(Value::as_str)
            .and_then(|d| DateTime::parse_from_rfc3339(d).ok());
        let joins = out.last().is_some_and(|(b, first, _)| {
            let same = b.get("slug").is_some() && b.get("slug") == blog.get("slug");
            let close = match (first, date) {
                (Some(f), Some(d)) => (*f - d).num_hours().abs() <= BURST_HOURS,
                _ => false,
            };
            same && close
        });
        match out.last_mut() {
            Some((_, _, items)) if joins => items.push(item.clone()),
            _ => out.push((blog, date, vec![item.clone()])),
        }
    }
    out.into_iter()
        .map(|(blog, _, items)| json!({ "blog": blog, "items": items }))
        .collect()
}

/// The blog's initial and a colour picked from its slug, so a blog keeps its colour
/// from build to build and neighbours usually differ.
fn avatar(blog: &mut Map<String, Value>) {
    let name = blog.get("name").and_then(Value::as_str).unwrap_or("");
    let slug = blog.get("slug").and_then(Value::as_str).unwrap_or(name);
    let (initial, colour) = letter_avatar(name, slug);
    blog.insert("initial".into(), Value::String(initial));
    blog.insert("colour".into(), json!(colour));
}

/// A letter avatar for `name`: its initial, and a colour (`blog-avatar-N`) picked
/// from `key`. Also used for the authors of responses that have no picture.
pub fn letter_avatar(name: &str, key: &str) -> (String, u32) {
    // FNV-1a, then mixed (MurmurHash3's finaliser) so the low bits that pick the
    // colour depend on every byte.
    let mut h = (key.bytes()).fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    (initial(name), h % AVATAR_COLOURS)
}

/// "The Reading Nook" is R, "Mrs. Ndiaye's Maths Corner" is M, "école 42" is É.
fn initial(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let skip = matches!(
        words.first().map(|w| w.to_lowercase()).as_deref(),
        Some("the" | "a" | "an")
    ) && words.len() > 1;
    let rest = if skip { &words[1..] } else { &words[..] };
    rest.iter()
        .flat_map(|w| w.chars())
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(blog: &str, date: &str) -> Value {
        json!({
            "title": format!("{blog} {date}"),
            "date_iso": date,
            "blog": { "name": blog, "slug": blog.to_lowercase(), "site": "" },
        })
    }

    fn shape(network: &Value) -> Vec<(String, usize)> {
        network["river_groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                let name = g["blog"]["name"].as_str().unwrap().to_string();
                (name, g["items"].as_array().unwrap().len())
            })
            .collect()
    }

    #[test]
    fn a_blogs_burst_of_posts_is_one_group() {
        let network = json!({ "river": [
            item("Ada", "2024-05-03T20:00:00+00:00"),
            item("Ada", "2024-05-03T09:00:00+00:00"),
            item("Ada", "2024-05-02T12:00:00+01:00"),
            // Too long after the group's newest post: a group of its own.
            item("Ada", "2024-04-20T12:00:00+00:00"),
            item("Bo", "2024-04-19T12:00:00+00:00"),
            item("Ada", "2024-04-19T10:00:00+00:00"),
            item("Bo", "not a date"),
            item("Bo", "not a date"),
        ]});
        let out = with_groups(&network);
        assert_eq!(
            shape(&out),
            [
                ("Ada", 3),
                ("Ada", 1),
                ("Bo", 1),
                ("Ada", 1),
                ("Bo", 1),
                ("Bo", 1)
            ]
            .map(|(n, c)| (n.to_string(), c))
        );
        assert_eq!(out["river"][0]["blog"]["initial"], "A");
        assert_eq!(out["river_groups"][0]["blog"]["initial"], "A");
        assert!(out["river"][0]["blog"]["colour"].as_u64().unwrap() < u64::from(AVATAR_COLOURS));
    }

    #[test]
    fn initials_skip_articles_and_punctuation() {
        assert_eq!(initial("The Reading Nook"), "R");
        assert_eq!(initial("Mrs. Ndiaye's Maths Corner"), "M");
        assert_eq!(initial("\"école\" 42"), "É");
        assert_eq!(initial("The"), "T");
        assert_eq!(initial("…"), "?");
    }
}
