//! What a fetched feed goes through before feed-rs sees it: decoded to UTF-8 by the
//! XML rules, HTML named entities turned into character references the XML reader
//! knows, and an unversioned `<rss>` given the version every reader assumes.

use std::borrow::Cow;

/// `bytes` as UTF-8, by RFC 7303's order: a byte order mark, then the HTTP charset,
/// then the XML declaration, then the first bytes (UTF-16/32 without a BOM), then
/// UTF-8 (Windows-1252 when the bytes are not UTF-8, what such feeds nearly always
/// are). The declaration is rewritten to say UTF-8 so the XML reader does not decode
/// a second time.
pub(super) fn decode<'a>(bytes: &'a [u8], content_type: &str) -> Cow<'a, [u8]> {
    let (label, skip) = match bytes {
        [0, 0, 0xfe, 0xff, ..] => (Some("utf-32be"), 4),
        [0xff, 0xfe, 0, 0, ..] => (Some("utf-32le"), 4),
        [0xef, 0xbb, 0xbf, ..] => (Some("utf-8"), 3),
        [0xfe, 0xff, ..] => (Some("utf-16be"), 2),
        [0xff, 0xfe, ..] => (Some("utf-16le"), 2),
        _ => (None, 0),
    };
    let sniffed = match bytes {
        [0, 0, 0, 0x3c, ..] => Some("utf-32be"),
        [0x3c, 0, 0, 0, ..] => Some("utf-32le"),
        [0, 0x3c, 0, 0x3f, ..] => Some("utf-16be"),
        [0x3c, 0, 0x3f, 0, ..] => Some("utf-16le"),
        _ => None,
    };
    let body = &bytes[skip..];
    let label = label
        .map(str::to_string)
        // A header whose charset the bytes break (says UTF-8, is Windows-1252) is
        // wrong about this document; then the document's own word is taken.
        .or_else(|| header_charset(content_type).filter(|l| decodes_cleanly(l, body)))
        .or_else(|| sniffed.map(str::to_string))
        .or_else(|| declared_encoding(body));
    let text: String = match label.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("utf-32be" | "utf-32" | "ucs-4") => utf32(body, sniffed != Some("utf-32le")),
        Some("utf-32le") => utf32(body, false),
        // A plain "utf-16" label on bytes that sniff as little-endian is little-endian.
        Some("utf-16" | "utf-16be" | "utf-16le")
            if sniffed.is_some_and(|s| s.starts_with("utf-16")) =>
        {
            let enc = if sniffed == Some("utf-16le") {
                encoding_rs::UTF_16LE
            } else {
                encoding_rs::UTF_16BE
            };
            enc.decode_without_bom_handling(body).0.into_owned()
        }
        Some(l) => match encoding_rs::Encoding::for_label(l.as_bytes()) {
            Some(enc) if enc == encoding_rs::UTF_8 => match std::str::from_utf8(body) {
                Ok(s) if skip == 0 => return Cow::Borrowed(bytes).with_utf8_declaration(s),
                // A feed that says UTF-8 but has a few stray bytes (a pasted Latin-1
                // quote) is still mostly UTF-8: keep it, stray bytes replaced.
                _ => String::from_utf8_lossy(body).into_owned(),
            },
            Some(enc) => enc.decode_without_bom_handling(body).0.into_owned(),
            None => lossy_or_1252(body),
        },
        None => match std::str::from_utf8(body) {
            Ok(s) if skip == 0 => return Cow::Borrowed(bytes).with_utf8_declaration(s),
            _ => lossy_or_1252(body),
        },
    };
    Cow::Owned(utf8_declaration(&text).into_bytes())
}

trait WithDeclaration<'a> {
    fn with_utf8_declaration(self, text: &str) -> Cow<'a, [u8]>;
}

impl<'a> WithDeclaration<'a> for Cow<'a, [u8]> {
    /// Already UTF-8: copied only when the declaration names another encoding.
    fn with_utf8_declaration(self, text: &str) -> Cow<'a, [u8]> {
        match declared_encoding(text.as_bytes()) {
            Some(l) if !l.eq_ignore_ascii_case("utf-8") => {
                Cow::Owned(utf8_declaration(text).into_bytes())
            }
            _ => self,
        }
    }
}

fn decodes_cleanly(label: &str, body: &[u8]) -> bool {
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(enc) => enc
            .decode_without_bom_handling_and_without_replacement(body)
            .is_some(),
        None => true,
    }
}

fn lossy_or_1252(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(body)
            .0
            .into_owned(),
    }
}

fn utf32(body: &[u8], big_endian: bool) -> String {
    body.chunks_exact(4)
        .map(|c| {
            let n = if big_endian {
                u32::from_be_bytes([c[0], c[1], c[2], c[3]])
            } else {
                u32::from_le_bytes([c[0], c[1], c[2], c[3]])
            };
            char::from_u32(n).unwrap_or('\u{fffd}')
        })
        .collect()
}

fn header_charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
            .filter(|v| !v.is_empty())
    })
}

/// The `encoding="…"` of an XML declaration at the start of `bytes`.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
    let decl = &head[head.find("<?xml")?..];
    let decl = &decl[..decl.find("?>")?];
    let after = &decl[decl.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    Some(after[1..].split(quote).next()?.trim().to_string())
}

/// `text` with its XML declaration's encoding (if any) said to be UTF-8.
fn utf8_declaration(text: &str) -> String {
    let text = text.trim_start_matches('\u{feff}');
    let Some(start) = text.find("<?xml").filter(|s| *s < 512) else {
        return text.to_string();
    };
    let Some(len) = text[start..].find("?>") else {
        return text.to_string();
    };
    let decl = &text[start..start + len];
    let Some(enc) = decl.find("encoding") else {
        return text.to_string();
    };
    let rest = &decl[enc..];
    let Some(q1) = rest.find(['"', '\'']) else {
        return text.to_string();
    };
    let quote = &rest[q1..q1 + 1];
    let Some(q2) = rest[q1 + 1..].find(quote) else {
        return text.to_string();
    };
    let (a, b) = (start + enc, start + enc + q1 + 1 + q2 + 1);
    format!("{}encoding=\"utf-8\"{}", &text[..a], &text[b..])
}

/// HTML named entities (`&eacute;`, `&nbsp;`) as numeric references: XML knows only
/// five names, and feeds written by HTML tools use all of HTML's. The table is the
/// HTML5 one html5ever carries. A document that declares its own entities (a DOCTYPE
/// with an internal subset) is left alone.
pub(super) fn html_entities(input: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    if !input.contains(&b'&') {
        return input;
    }
    let text = String::from_utf8_lossy(&input);
    if text.contains("<!ENTITY") {
        return input;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    let mut changed = false;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let name_len = rest[1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .filter(|n| *n > 0 && rest[1 + n..].starts_with(';'));
        let replaced = name_len.and_then(|n| {
            let name = &rest[1..1 + n];
            if matches!(name, "lt" | "gt" | "amp" | "quot" | "apos") {
                return None;
            }
            let key = &rest[1..2 + n];
            let &(a, b) = html5ever::data::NAMED_ENTITIES.get(key)?;
            (a != 0).then(|| {
                let mut r = format!("&#{a};");
                if b != 0 {
                    r.push_str(&format!("&#{b};"));
                }
                (r, n + 2)
            })
        });
        match replaced {
            Some((r, used)) => {
                out.push_str(&r);
                rest = &rest[used..];
                changed = true;
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out.into_bytes())
    } else {
        input
    }
}

/// `<rss>` with no `version` is read as RSS 2.0 (a superset of 0.9x), as every
/// reader does; feed-rs refuses it.
pub(super) fn rss_version(input: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    let head_len = input.len().min(4096);
    let head = String::from_utf8_lossy(&input[..head_len]);
    let Some(at) = root_start(&head, "rss") else {
        return input;
    };
    let tag_end = head[at..].find('>').map(|e| at + e).unwrap_or(head.len());
    if head[at..tag_end].contains("version") {
        return input;
    }
    let insert = at + "<rss".len();
    let mut out = Vec::with_capacity(input.len() + 16);
    out.extend_from_slice(&input[..insert]);
    out.extend_from_slice(b" version=\"2.0\"");
    out.extend_from_slice(&input[insert..]);
    Cow::Owned(out)
}

/// Where the root element `<name` starts, past the prologue (declaration, comments,
/// DOCTYPE, processing instructions).
fn root_start(head: &str, name: &str) -> Option<usize> {
    let mut i = 0;
    while let Some(lt) = head[i..].find('<').map(|p| p + i) {
        let rest = &head[lt..];
        if rest.starts_with("<?") {
            i = lt + rest.find("?>")? + 2;
        } else if rest.starts_with("<!--") {
            i = lt + rest.find("-->")? + 3;
        } else if rest.starts_with("<!") {
            i = lt + rest.find('>')? + 1;
        } else {
            let after = &rest[1 + name.len().min(rest.len() - 1)..];
            let is_name = rest[1..].starts_with(name)
                && after.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/');
            return is_name.then_some(lt);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_become_references() {
        let out = html_entities(Cow::Borrowed(b"<t>a &eacute; &amp; &bogus; &nbsp;</t>"));
        assert_eq!(&*out, b"<t>a &#233; &amp; &bogus; &#160;</t>");
    }

    #[test]
    fn unversioned_rss_gets_a_version() {
        let out = rss_version(Cow::Borrowed(
            b"<?xml version='1.0'?>\n<!-- x -->\n<rss>\n<channel/>",
        ));
        assert_eq!(
            &*out,
            b"<?xml version='1.0'?>\n<!-- x -->\n<rss version=\"2.0\">\n<channel/>"
        );
        let kept = rss_version(Cow::Borrowed(b"<rss version=\"0.91\">"));
        assert!(matches!(kept, Cow::Borrowed(_)));
    }

    #[test]
    fn utf16_without_bom_and_header_charset() {
        let text = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss><channel><title>Caf\u{e9}</title></channel></rss>";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let out = decode(&bytes, "");
        assert!(
            String::from_utf8_lossy(&out)
                .contains("encoding=\"utf-8\"?><rss><channel><title>Caf\u{e9}")
        );
        // The header wins over the declaration (RFC 7303).
        let latin = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><t>\xe9</t>";
        let out = decode(latin, "text/xml; charset=iso-8859-1");
        assert_eq!(
            String::from_utf8_lossy(&out),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><t>\u{e9}</t>"
        );
    }
}
