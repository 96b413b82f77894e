//! Counts in messages: "1 post", "2 posts", "1 entry", "3 entries"; the widths of the
//! tables commands print.

/// `n` and the noun, plural unless `n` is 1. The nouns our messages count take the
/// regular English plural: `entry` → `entries`, `address` → `addresses`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {}", plural(noun))
    }
}

fn plural(noun: &str) -> String {
    let vowel_before_y = noun
        .strip_suffix('y')
        .and_then(|stem| stem.chars().last())
        .is_some_and(|c| "aeiou".contains(c));
    if let Some(stem) = noun.strip_suffix('y').filter(|_| !vowel_before_y) {
        format!("{stem}ies")
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| noun.ends_with(e))
    {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// The width of a table's column: its longest text, in characters (0 for none).
pub fn widest<'a>(texts: impl Iterator<Item = &'a str>) -> usize {
    texts.map(|t| t.chars().count()).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_the_rest_plural() {
        assert_eq!(count(1, "file"), "1 file");
        assert_eq!(count(0, "file"), "0 files");
        assert_eq!(count(2, "entry"), "2 entries");
        assert_eq!(count(3, "address"), "3 addresses");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(count(2, "reply"), "2 replies");
    }
}
