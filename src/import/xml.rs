//! A streaming walk over an export's XML, shared by the WordPress and Blogger readers:
//! elements by their qualified name (`wp:post_id`: exports always write the usual
//! prefixes), attributes unescaped, and text with its entities and CDATA joined, so a
//! reader only keeps a stack of names and the text of the element that just closed.

use std::borrow::Cow;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Location, Result};

pub enum Step {
    Open {
        name: String,
        attrs: Vec<(String, String)>,
    },
    /// An element ended (also sent right after the `Open` of an empty element), with
    /// the text directly inside it.
    Close {
        name: String,
        text: String,
    },
    End,
}

pub struct Walk {
    reader: Reader<BufReader<File>>,
    path: PathBuf,
    buf: Vec<u8>,
    /// The text of each open element.
    texts: Vec<String>,
    /// An empty element's close, owed after its open.
    pending: Option<String>,
}

impl Walk {
    pub fn open(path: &Path) -> Result<Walk> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(Walk {
            reader: Reader::from_reader(BufReader::with_capacity(64 * 1024, file)),
            path: path.to_path_buf(),
            buf: Vec::new(),
            texts: Vec::new(),
            pending: None,
        })
    }

    pub fn next(&mut self) -> Result<Step> {
        if let Some(name) = self.pending.take() {
            return Ok(Step::Close {
                name,
                text: String::new(),
            });
        }
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => return Err(self.broken(&e.to_string())),
            };
            match event {
                Event::Start(e) => {
                    let (name, attrs) = element(&e);
                    self.texts.push(String::new());
                    return Ok(Step::Open { name, attrs });
                }
                Event::Empty(e) => {
                    let (name, attrs) = element(&e);
                    self.pending = Some(name.clone());
                    return Ok(Step::Open { name, attrs });
                }
                Event::End(e) => {
                    let name = e.name().as_ref().to_string();
                    let text = self.texts.pop().unwrap_or_default();
                    return Ok(Step::Close { name, text });
                }
                Event::Text(t) => {
                    let raw = t.xml10_content();
                    let text = quick_xml::escape::unescape(&raw)
                        .map(Cow::into_owned)
                        .unwrap_or_else(|_| raw.into_owned());
                    self.push(&text);
                }
                Event::CData(c) => {
                    let text = c.into_inner().into_owned();
                    self.push(&text);
                }
                Event::GeneralRef(r) => {
                    let text = if let Ok(Some(c)) = r.resolve_char_ref() {
                        c.to_string()
                    } else {
                        let raw = format!("&{};", r.xml10_content());
                        quick_xml::escape::unescape(&raw)
                            .map(Cow::into_owned)
                            .unwrap_or(raw)
                    };
                    self.push(&text);
                }
                Event::Eof => {
                    if !self.texts.is_empty() {
                        return Err(self.broken("the file ends before its last element is closed"));
                    }
                    return Ok(Step::End);
                }
                _ => {}
            }
        }
    }

    fn push(&mut self, text: &str) {
        if let Some(t) = self.texts.last_mut() {
            t.push_str(text);
        }
    }

    fn broken(&self, why: &str) -> Error {
        let at = self.reader.buffer_position() as usize;
        let line = std::fs::read(&self.path)
            .map(|b| b[..at.min(b.len())].iter().filter(|&&c| c == b'\n').count() + 1)
            .unwrap_or(1);
        Error::input(
            Location::line(&self.path, line),
            format!("the export is not well-formed XML: {why}"),
        )
        .with_hint(
            "the file may be cut short or changed by hand; export it again from the old blog",
        )
    }
}

fn element(e: &BytesStart) -> (String, Vec<(String, String)>) {
    let name = e.name().as_ref().to_string();
    let attrs = e
        .attributes()
        .flatten()
        .map(|a| {
            let key = a.key.as_ref().to_string();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(Cow::into_owned)
                .unwrap_or_else(|_| a.value.to_string());
            (key, value)
        })
        .collect();
    (name, attrs)
}

/// The value of attribute `key`, or "".
pub fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> &'a str {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}
