//! Text and HTML: plain text of the teacher's own HTML (a post's summary), for meta
//! descriptions and the JSON feed, and text escaped for HTML. Untrusted HTML from
//! other blogs goes through `network::sanitize` instead, which parses it properly.

/// `s` with `&`, `<`, `>`, `"` and `'` escaped, safe as HTML text or an attribute
/// value.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

/// Plain text of the teacher's own HTML (a summary, a description), cut at a word to
/// at most `max_chars`. Only the start is read: enough for the text to overflow
/// `max_chars`, or all of it when it does not. Other blogs' HTML, which may hide text
/// in scripts or nest without end, goes through `network::sanitize::plain_text`.
pub fn summary_text(html: &str, max_chars: usize) -> String {
    let budget = max_chars.saturating_mul(2).saturating_add(64);
    let (text, cut) = strip_tags(html, Some(budget));
    match cut_words(&text, max_chars) {
        (s, true) => s,
        (s, false) if !cut => s,
        // The part read did not overflow but there is more (entities and spaces
        // shrink it): the whole text decides.
        _ => cut_words(&strip_tags(html, None).0, max_chars).0,
    }
}

/// The text outside tags, decoded; with `budget`, stop after that many characters
/// that are not white space (then also `true`).
fn strip_tags(html: &str, budget: Option<usize>) -> (String, bool) {
    let mut out = String::new();
    let mut in_tag = false;
    let mut seen = 0;
    for (i, c) in html.char_indices() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => {
                out.push(c);
                if !c.is_whitespace() {
                    seen += 1;
                    if budget.is_some_and(|b| seen >= b) && i + c.len_utf8() < html.len() {
                        return (decode_entities(&out), true);
                    }
                }
            }
            _ => {}
        }
    }
    (decode_entities(&out), false)
}

/// Whole words of `text` up to `max_chars`, with `…` when some were left out (then
/// also `true`).
fn cut_words(text: &str, max_chars: usize) -> (String, bool) {
    let mut s = String::new();
    let mut len = 0;
    for w in text.split_whitespace() {
        let n = w.chars().count();
        if len + n + 1 > max_chars {
            s.push('…');
            return (s, true);
        }
        if !s.is_empty() {
            s.push(' ');
            len += 1;
        }
        s.push_str(w);
        len += n;
    }
    (s, false)
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_strips_tags_and_cuts_at_words() {
        assert_eq!(
            summary_text("<p>Hello <b>big</b> world &amp; more</p>", 100),
            "Hello big world & more"
        );
        assert_eq!(summary_text("<p>one two three</p>", 8), "one two…");
    }
}
