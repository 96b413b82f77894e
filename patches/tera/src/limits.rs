//! staffroom patch (see PATCHES.md): bounds on what one template can make Tera do,
//! so a template mistake becomes an error instead of a stack overflow (which aborts
//! the whole process), an endless loop, or an allocation that aborts it.

use std::io::{self, Write};

use serde_json::Value;

use crate::errors::{Error, Result};

/// Macro calls and includes nested inside each other. A recursive macro with a
/// stop condition (a nested menu) stays far below this.
pub const MAX_CALL_DEPTH: usize = 100;
/// Loop turns, macro calls and includes in one render.
pub const MAX_STEPS: u64 = 1_000_000;
/// Bytes in any string a template makes, and in one rendered page.
pub const MAX_BYTES: usize = 32 << 20;
/// Bytes one render may make or copy in all: values made by filters, functions,
/// `~`, macros and filter sections, and values copied each time they are read (Tera
/// copies a value made by the template on every read). With `MAX_STEPS` alone, each
/// of a million loop turns could still copy `MAX_BYTES`.
pub const MAX_WORK: u64 = 4 << 30;
/// Items in a list a template makes (`range`, `split`, `concat`...).
pub const MAX_ITEMS: usize = 100_000;
/// Lists and maps nested in a value a template makes.
pub const MAX_VALUE_DEPTH: usize = 64;
/// Nesting of a template's source (tags in tags, brackets in brackets, operators in
/// a chain), counted in grammar rules: a few rules per level of tags.
pub const MAX_SOURCE_DEPTH: usize = 400;
/// Stack left below which rendering stops with an error rather than overflow.
const STACK_RED_ZONE: usize = 192 * 1024;

/// An error, not a crash, when the thread's stack is nearly used up: the
/// depth bounds above keep this from happening on an ordinary stack, and this
/// catches whatever they miss (a small thread stack, an unusually deep value).
pub fn check_stack(what: &str) -> Result<()> {
    match stacker::remaining_stack() {
        Some(left) if left < STACK_RED_ZONE => Err(Error::msg(format!(
            "{what} is nested too deeply to render; make it simpler"
        ))),
        _ => Ok(()),
    }
}

pub fn too_big(what: &str) -> Error {
    Error::msg(format!(
        "{what} would be more than {} MB; a page can be at most that big",
        MAX_BYTES >> 20
    ))
}

pub fn too_many(what: &str, n: usize) -> Error {
    Error::msg(format!("{what} would make {n} items; the limit is {MAX_ITEMS}"))
}

/// About what a value costs in memory, walked without recursion.
pub fn value_size(value: &Value) -> usize {
    let mut bytes = 0usize;
    let mut todo = vec![value];
    while let Some(v) = todo.pop() {
        bytes = bytes.saturating_add(32);
        match v {
            Value::String(s) => bytes = bytes.saturating_add(s.len()),
            Value::Array(a) => todo.extend(a.iter()),
            Value::Object(m) => {
                for (k, x) in m {
                    bytes = bytes.saturating_add(k.len());
                    todo.push(x);
                }
            }
            _ => {}
        }
    }
    bytes
}

/// Checks a value a filter, function or literal made: its size and its depth,
/// without recursion (the value may be deep). Returns the size.
pub fn check_value(what: &str, value: &Value) -> Result<usize> {
    let mut bytes = 0usize;
    let mut todo = vec![(value, 0usize)];
    while let Some((v, depth)) = todo.pop() {
        if depth > MAX_VALUE_DEPTH {
            return Err(Error::msg(format!(
                "{what} makes lists nested more than {MAX_VALUE_DEPTH} deep"
            )));
        }
        // About what a `Value` costs in memory besides its text.
        bytes += 32;
        match v {
            Value::String(s) => bytes += s.len(),
            Value::Array(a) => {
                todo.extend(a.iter().map(|x| (x, depth + 1)));
            }
            Value::Object(m) => {
                for (k, x) in m {
                    bytes += k.len();
                    todo.push((x, depth + 1));
                }
            }
            _ => {}
        }
        if bytes > MAX_BYTES {
            return Err(too_big(what));
        }
    }
    Ok(bytes)
}

/// A writer that refuses to grow past `MAX_BYTES`, so a page (or a macro's or a
/// filter section's output) stops at the bound instead of exhausting memory.
pub struct Capped<W> {
    pub inner: W,
    written: usize,
}

impl<W> Capped<W> {
    pub fn new(inner: W) -> Self {
        Capped { inner, written: 0 }
    }
}

impl<W: Write> Write for Capped<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written = self.written.saturating_add(buf.len());
        if self.written > MAX_BYTES {
            return Err(io::Error::other(too_big("the page").to_string()));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
