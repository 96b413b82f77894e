//! `![Class photo](class photo.JPG)`: Markdown ends a link's address at a space, so an
//! image whose file name has one (every Mac screenshot) stays as text on the page
//! and nothing complains. It is read as the image it was meant to be, as if it had
//! been written `![Class photo](<class photo.JPG>)`.

use std::sync::LazyLock;

use regex::Regex;

/// An image written with a space in its file name.
pub(super) struct SpacedImage<'a> {
    pub alt: &'a str,
    pub dest: &'a str,
    pub title: &'a str,
    /// Bytes of source it takes.
    pub len: usize,
}

/// The image at the start of `src`, when it is one whose address has a space and
/// ends in a file extension (so `![a](see page 3)` stays text).
pub(super) fn at_start(src: &str) -> Option<SpacedImage<'_>> {
    static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"^!\[([^\[\]\n]*)\]\([ \t]*([^()<>"\s][^()<>"\n]*?\.[A-Za-z][A-Za-z0-9]{0,4})(?:[ \t]+"([^"\n]*)")?[ \t]*\)"#,
        )
        .expect("valid regex")
    });
    // The pattern stays on one line: no need to look further.
    let line = src.split('\n').next().unwrap_or(src);
    let c = IMAGE.captures(line)?;
    let dest = c.get(2)?.as_str();
    dest.contains([' ', '\t']).then(|| SpacedImage {
        alt: c.get(1).map_or("", |m| m.as_str()),
        dest,
        title: c.get(3).map_or("", |m| m.as_str()),
        len: c.get(0).map_or(0, |m| m.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_with_spaces_and_a_title() {
        let i = at_start("![Class photo](class photo.JPG \"Our class\") and more").unwrap();
        assert_eq!(
            (i.alt, i.dest, i.title, i.len),
            ("Class photo", "class photo.JPG", "Our class", 43)
        );
        let i = at_start("![](Screenshot 2024-03-01 at 10.15.32.png)").unwrap();
        assert_eq!(i.dest, "Screenshot 2024-03-01 at 10.15.32.png");
    }

    #[test]
    fn not_a_file_or_no_space_is_not_one() {
        assert!(at_start("![a](see page 3)").is_none());
        assert!(at_start("![a](photo.png)").is_none());
        assert!(at_start("![a](my\nphoto.png)").is_none());
        assert!(at_start("text ![a](my photo.png)").is_none());
    }
}
