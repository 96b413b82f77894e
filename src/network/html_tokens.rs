//! Remote HTML read as a stream of tokens (html5ever's tokenizer), without building a
//! tree. Tokenizing is linear in the input; html5ever's tree builder is not: every
//! start tag walks the stack of open elements, so deeply nested markup costs the square
//! of its depth. Whatever only needs tags and text (links, plain text, feed and
//! Webmention discovery) reads tokens; the sanitizer gets a depth-bounded copy
//! (`html_bound`) before its tree builder sees anything.

use std::cell::RefCell;

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// What the tokenizer should do after a token: the tree builder's job of switching
/// it into raw text after `<script>`, `<style>`, `<textarea>`… falls to the reader.
pub enum Next {
    Continue,
    Raw(RawKind),
    /// Everything after `<plaintext>` is text.
    Plaintext,
}

struct Sink<F>(RefCell<F>);

impl<F: FnMut(Token) -> Next> TokenSink for Sink<F> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match (self.0.borrow_mut())(token) {
            Next::Continue => TokenSinkResult::Continue,
            Next::Raw(kind) => TokenSinkResult::RawData(kind),
            Next::Plaintext => TokenSinkResult::Plaintext,
        }
    }
}

/// Feed every token of `html` to `f`, in document order.
pub fn each(html: &str, f: impl FnMut(Token) -> Next) {
    let tokenizer = Tokenizer::new(Sink(RefCell::new(f)), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The sink never asks to stop for a script, so one call reads everything; the
    // loop only guards against a future html5ever stopping early for another reason.
    while let TokenizerResult::Script(()) = tokenizer.feed(&input) {}
    tokenizer.end();
}

/// How the tree builder would have the tokenizer read the content of an HTML element
/// (scripting on, as html5ever, ammonia and browsers parse): `None` for markup.
pub fn raw_kind(name: &str) -> Option<RawKind> {
    match name {
        "script" => Some(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => Some(RawKind::Rawtext),
        "title" | "textarea" => Some(RawKind::Rcdata),
        _ => None,
    }
}

/// The value of attribute `name` on a tag.
pub fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t str> {
    tag.attrs
        .iter()
        .find(|a| a.name.ns.is_empty() && &*a.name.local == name)
        .map(|a| &*a.value)
}

/// Elements that never have content.
pub fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "image"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use html5ever::tokenizer::TagKind;

    /// Start tags seen, reading raw text as the tree builder would.
    fn starts(html: &str) -> Vec<String> {
        let mut seen = Vec::new();
        each(html, |t| match t {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                seen.push(tag.name.to_string());
                raw_kind(&tag.name).map_or(Next::Continue, Next::Raw)
            }
            _ => Next::Continue,
        });
        seen
    }

    #[test]
    fn raw_text_hides_markup_and_comments_are_not_tags() {
        assert_eq!(
            starts("<p><script>'<a href=x>'</script><!-- <b> --><textarea><i></textarea><em>"),
            ["p", "script", "textarea", "em"]
        );
    }

    #[test]
    fn a_truncated_tag_at_the_end_is_no_token() {
        assert_eq!(starts("<p>x<a href=\"y"), ["p"]);
    }
}
