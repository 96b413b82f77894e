//! Where each link and image to the site's own files sits in its Markdown file, so a
//! missing target is reported at the line the teacher typed (`check::targets`).

use crate::content::markdown;

/// A link or image in a Markdown file to a file of the site, with its place.
pub type LocalLink = markdown::LocalRef;

/// Where each reference sits in the file: lines found once, not once per link.
pub(super) fn locate(body: &str, body_line: usize, refs: &mut [LocalLink]) {
    if refs.is_empty() {
        return;
    }
    let starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    for r in refs {
        let at = r.offset.min(body.len());
        let line = starts.partition_point(|&s| s <= at).max(1);
        let start = starts[line - 1];
        r.column = body.get(start..at).map_or(0, |t| t.chars().count()) + 1;
        r.line = line + body_line - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_the_front_matter_and_columns_count_characters() {
        let body = "Intro.\n\nÉté ![a](/a.png)\n[b](/b/)";
        let mut refs: Vec<LocalLink> = [(14, true, "/a.png"), (27, false, "/b/")]
            .into_iter()
            .map(|(offset, image, url)| LocalLink {
                offset,
                line: 0,
                column: 0,
                image,
                url: url.into(),
                written: url.into(),
            })
            .collect();
        assert_eq!(&body[14..15], "!");
        locate(body, 5, &mut refs);
        let found = refs;
        assert_eq!((found[0].line, found[0].column), (7, 5));
        assert_eq!((found[1].line, found[1].column), (8, 1));
        assert!(found[0].image && !found[1].image);
    }
}
