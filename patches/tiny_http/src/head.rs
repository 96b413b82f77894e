//! PATCH (staffroom): reading a request head and body within `Limits`, and refusing
//! the framing tricks upstream 0.12 let through (an unparsable or negative
//! `Content-Length` was taken as "no body", so the body was read as the next request;
//! `Transfer-Encoding: anything` was taken as chunked; both headers together were
//! accepted; bytes outside ASCII made the connection close without an answer).
//! See PATCHES.md.

use std::io::{ErrorKind, Read};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use chunked_transfer::Decoder;

use crate::limits::{Limits, Patient};
use crate::{HTTPVersion, Header, Method, StatusCode};

/// Why no request came out of the connection.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The client left, stayed idle too long, or the server is closing: close quietly.
    Gone,
    /// Answer with this status and close the connection.
    Refuse(StatusCode, HTTPVersion),
}

/// How the body of a request is framed.
#[derive(Debug, PartialEq)]
pub(crate) enum Body {
    None,
    Length(usize),
    Chunked,
}

pub(crate) struct Head {
    pub method: Method,
    pub path: String,
    pub version: HTTPVersion,
    pub headers: Vec<Header>,
    pub body: Body,
    pub expects_continue: bool,
    /// When the whole request (head and body) must have arrived.
    pub until: Instant,
}

const HTTP_1_1: HTTPVersion = HTTPVersion(1, 1);

fn refuse(code: u16, version: &HTTPVersion) -> ReadError {
    ReadError::Refuse(StatusCode(code), version.clone())
}

/// Wait (up to the idle timeout) for a request to start, then read its head.
pub(crate) fn read_head<R: Read>(
    src: &mut R,
    limits: &Limits,
    close: &AtomicBool,
) -> Result<Head, ReadError> {
    let mut first = [0u8];
    let idle_until = Instant::now() + limits.idle_timeout;
    match Patient::new(src, idle_until, close, 1).read(&mut first) {
        Ok(1) => {}
        _ => return Err(ReadError::Gone),
    }
    let until = Instant::now() + limits.request_timeout;
    let mut p = Patient::new(src, until, close, limits.max_head);
    let mut pending = Some(first[0]);
    // Empty lines before a request are allowed (RFC 9112 2.2), within the head's budget.
    let line = loop {
        let line = read_line(&mut p, pending.take(), limits.max_line, 414, &HTTP_1_1)?;
        if !line.is_empty() {
            break line;
        }
    };
    let (method, path, version) = request_line(&line).map_err(|c| refuse(c, &HTTP_1_1))?;
    let mut headers = Vec::new();
    loop {
        let line = read_line(&mut p, None, limits.max_line, 431, &version)?;
        if line.is_empty() {
            break;
        }
        if headers.len() == limits.max_headers {
            return Err(refuse(431, &version));
        }
        headers.push(header_line(&line).map_err(|c| refuse(c, &version))?);
    }
    let (body, expects_continue) = framing(&version, &headers, limits)?;
    Ok(Head {
        method,
        path,
        version,
        headers,
        body,
        expects_continue,
        until,
    })
}

/// One line, without its CRLF (a bare LF also ends it, RFC 9112 2.2).
fn read_line<R: Read>(
    p: &mut Patient<'_, R>,
    first: Option<u8>,
    max_line: usize,
    too_long: u16,
    version: &HTTPVersion,
) -> Result<Vec<u8>, ReadError> {
    let mut line: Vec<u8> = first.into_iter().collect();
    loop {
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(line);
        }
        if line.len() > max_line {
            return Err(refuse(too_long, version));
        }
        let mut byte = [0u8];
        match p.read(&mut byte) {
            Ok(1) => line.push(byte[0]),
            Ok(_) => return Err(ReadError::Gone),
            Err(_) if p.exceeded => return Err(refuse(431, version)),
            Err(e) if e.kind() == ErrorKind::TimedOut => return Err(refuse(408, version)),
            Err(_) => return Err(ReadError::Gone),
        }
    }
}

/// RFC 9110 5.6.2 `tchar`: what a method or a header name is made of.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn request_line(line: &[u8]) -> Result<(Method, String, HTTPVersion), u16> {
    if !line.iter().all(|&b| b == b' ' || b.is_ascii_graphic()) {
        return Err(400);
    }
    let text = std::str::from_utf8(line).map_err(|_| 400u16)?;
    let parts: Vec<&str> = text.split(' ').collect();
    let [method, path, version] = parts[..] else {
        return Err(400);
    };
    if method.is_empty() || !method.bytes().all(is_tchar) || path.is_empty() {
        return Err(400);
    }
    let version = match version {
        "HTTP/1.1" => HTTPVersion(1, 1),
        "HTTP/1.0" => HTTPVersion(1, 0),
        v if v.starts_with("HTTP/") => return Err(505),
        _ => return Err(400),
    };
    let method = method.parse().map_err(|()| 400u16)?;
    Ok((method, path.to_owned(), version))
}

fn header_line(line: &[u8]) -> Result<Header, u16> {
    // A line folded onto the previous one (obs-fold) is refused (RFC 9112 5.2).
    let colon = line.iter().position(|&b| b == b':').ok_or(400u16)?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    // No space before the colon either (RFC 9112 5.1): `Content-Length : 5` smuggles.
    if name.is_empty() || !name.iter().copied().all(is_tchar) {
        return Err(400);
    }
    let value = trim_ows(value);
    if !value
        .iter()
        .all(|&b| b == b'\t' || b == b' ' || b.is_ascii_graphic())
    {
        return Err(400);
    }
    Header::from_bytes(name, value).map_err(|()| 400)
}

fn trim_ows(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

fn values<'h>(headers: &'h [Header], name: &'static str) -> Vec<&'h str> {
    headers
        .iter()
        .filter(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
        .collect()
}

/// How the body is framed, and whether the client waits for `100 Continue`; or the
/// status that refuses the request (RFC 9112 6.1, 6.3, 3.2).
fn framing(
    version: &HTTPVersion,
    headers: &[Header],
    limits: &Limits,
) -> Result<(Body, bool), ReadError> {
    let no = |code| Err(refuse(code, version));
    let hosts = values(headers, "Host");
    let host_char = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:[]%".contains(&b);
    if hosts.len() > 1
        || (hosts.is_empty() && *version == HTTP_1_1)
        || !hosts.iter().all(|h| h.bytes().all(host_char))
    {
        return no(400);
    }
    let expects_continue = match values(headers, "Expect")[..] {
        [] => false,
        [v] if v.eq_ignore_ascii_case("100-continue") => true,
        _ => return no(417),
    };
    let encodings = values(headers, "Transfer-Encoding");
    let lengths = values(headers, "Content-Length");
    if !encodings.is_empty() {
        if *version != HTTP_1_1 || encodings.len() > 1 || !lengths.is_empty() {
            return no(400);
        }
        if !encodings[0].eq_ignore_ascii_case("chunked") {
            return no(501);
        }
        return Ok((Body::Chunked, expects_continue));
    }
    let Some(first) = lengths.first() else {
        return Ok((Body::None, expects_continue));
    };
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    if !lengths.iter().all(|v| digits(v) && v == first) {
        return no(400);
    }
    match first.parse::<usize>() {
        Ok(0) => Ok((Body::None, expects_continue)),
        Ok(n) if n <= limits.max_body => Ok((Body::Length(n), expects_continue)),
        // Too many digits for a number is too large a body.
        _ => no(413),
    }
}

/// The whole body, read before the request is handed out.
pub(crate) fn read_body<R: Read>(
    src: &mut R,
    head: &Head,
    limits: &Limits,
    close: &AtomicBool,
) -> Result<Vec<u8>, ReadError> {
    let status = |p: &Patient<'_, R>, e: std::io::Error| {
        if p.exceeded {
            refuse(413, &head.version)
        } else if e.kind() == ErrorKind::TimedOut {
            refuse(408, &head.version)
        } else if e.kind() == ErrorKind::InvalidInput {
            refuse(400, &head.version)
        } else {
            ReadError::Gone
        }
    };
    match head.body {
        Body::None => Ok(Vec::new()),
        Body::Length(n) => {
            let mut p = Patient::new(src, head.until, close, n);
            let mut body = vec![0; n];
            p.read_exact(&mut body).map_err(|e| status(&p, e))?;
            Ok(body)
        }
        Body::Chunked => {
            // The chunk framing counts too, so endless chunk-size lines end as well.
            let budget = limits.max_body.saturating_mul(2).saturating_add(64 * 1024);
            let mut p = Patient::new(src, head.until, close, budget);
            let mut body = Vec::new();
            let read = Decoder::new(&mut p)
                .take(limits.max_body as u64 + 1)
                .read_to_end(&mut body);
            match read {
                Err(e) => Err(status(&p, e)),
                Ok(_) if body.len() > limits.max_body => Err(refuse(413, &head.version)),
                Ok(_) => Ok(body),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Head, ReadError> {
        let close = AtomicBool::new(false);
        read_head(&mut text.as_bytes(), &Limits::default(), &close)
    }

    fn status(text: &str) -> u16 {
        match head(text) {
            Ok(_) => 0,
            Err(ReadError::Gone) => 1,
            Err(ReadError::Refuse(c, _)) => c.0,
        }
    }

    #[test]
    fn framing_tricks_are_refused() {
        let ok = "GET / HTTP/1.1\r\nHost: a\r\n";
        assert_eq!(status(&format!("{ok}\r\n")), 0);
        assert_eq!(status("GET / HTTP/1.1\nHost: a\n\n"), 0);
        assert_eq!(status("\r\nGET / HTTP/1.0\r\n\r\n"), 0);
        for (extra, code) in [
            ("Content-Length: 68719476736\r\n", 413),
            ("Content-Length: 99999999999999999999999\r\n", 413),
            ("Content-Length: -1\r\n", 400),
            ("Content-Length: 1e3\r\n", 400),
            ("Content-Length: 5\r\nContent-Length: 6\r\n", 400),
            ("Content-Length: 5, 5\r\n", 400),
            ("Content-Length : 5\r\n", 400),
            ("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400),
            ("Transfer-Encoding: gzip, chunked\r\n", 501),
            (
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                400,
            ),
            (" folded\r\n", 400),
            ("Host: b\r\n", 400),
            ("Expect: 200-ok\r\n", 417),
            ("X: caf\u{e9}\r\n", 400),
        ] {
            assert_eq!(status(&format!("{ok}{extra}\r\n")), code, "{extra:?}");
        }
        assert_eq!(status("GET / HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(status("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
        assert_eq!(status("GET /\r\n\r\n"), 400);
        assert_eq!(status("GET / HTTP/0.9\r\n\r\n"), 505);
        assert_eq!(status("GET / HTTP/2.0\r\n\r\n"), 505);
        assert_eq!(status("G\u{e9}T / HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(status("GET / HTTP/1.1\r\nHost: a\r\n"), 1);
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(9000));
        assert_eq!(status(&long), 414);
        let many: String = (0..101).map(|i| format!("X-{i}: y\r\n")).collect();
        assert_eq!(status(&format!("{ok}{many}\r\n")), 431);
        let big: String = (0..5)
            .map(|i| format!("X-{i}: {}\r\n", "y".repeat(8000)))
            .collect();
        assert_eq!(status(&format!("{ok}{big}\r\n")), 431);
    }

    #[test]
    fn bodies_are_read_whole_within_the_cap() {
        let close = AtomicBool::new(false);
        let limits = Limits {
            max_body: 10,
            ..Limits::default()
        };
        let read = |text: &str| {
            let mut src = text.as_bytes();
            let head = read_head(&mut src, &limits, &close).map_err(|_| 0u16)?;
            read_body(&mut src, &head, &limits, &close).map_err(|e| match e {
                ReadError::Gone => 1,
                ReadError::Refuse(c, _) => c.0,
            })
        };
        let ok = "POST / HTTP/1.1\r\nHost: a\r\n";
        assert_eq!(
            read(&format!("{ok}Content-Length: 3\r\n\r\nabc")),
            Ok(b"abc".to_vec())
        );
        let chunked = format!("{ok}Transfer-Encoding: chunked\r\n\r\n");
        assert_eq!(
            read(&format!("{chunked}3\r\nabc\r\n0\r\n\r\n")),
            Ok(b"abc".to_vec())
        );
        assert_eq!(
            read(&format!("{chunked}b\r\nabcdefghijk\r\n0\r\n\r\n")),
            Err(413)
        );
        assert_eq!(read(&format!("{chunked}zz\r\n")), Err(400));
        assert_eq!(
            read(&format!("{chunked}{}", "1\r\na\r\n".repeat(20))),
            Err(413)
        );
        assert_eq!(read(&format!("{ok}Content-Length: 11\r\n\r\n")), Err(0));
        assert_eq!(read(&format!("{ok}Content-Length: 5\r\n\r\nab")), Err(1));
    }
}
