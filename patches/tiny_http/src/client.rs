use std::io::{BufReader, BufWriter, Cursor, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{HTTPVersion, Header, StatusCode};
use crate::head::{read_body, read_head, Body, ReadError};
use crate::limits::{Limits, Patient, TICK};
use crate::util::RefinedTcpStream;
use crate::util::{SequentialReader, SequentialReaderBuilder, SequentialWriterBuilder};
use crate::Request;

/// A ClientConnection is an object that will store a socket to a client
/// and return Request objects.
pub struct ClientConnection {
    // address of the client
    remote_addr: Option<SocketAddr>,

    // sequence of Readers to the stream, so that the data is not read in
    //  the wrong order
    source: SequentialReaderBuilder<BufReader<RefinedTcpStream>>,

    // sequence of Writers to the stream, to avoid writing response #2 before
    //  response #1
    sink: SequentialWriterBuilder<BufWriter<RefinedTcpStream>>,

    // Reader to read the next header from
    next_header_source: SequentialReader<BufReader<RefinedTcpStream>>,

    // set to true if we know that the previous request is the last one
    no_more_requests: bool,

    // true if the connection goes through SSL
    secure: bool,

    // PATCH: what a client may send, and the server's close flag (so no read outlives it)
    limits: Arc<Limits>,
    close: Arc<AtomicBool>,
}

impl ClientConnection {
    pub(crate) fn new(
        write_socket: RefinedTcpStream,
        mut read_socket: RefinedTcpStream,
        limits: Arc<Limits>,
        close: Arc<AtomicBool>,
    ) -> ClientConnection {
        // PATCH: a client gone before we asked its address is no reason to panic.
        let remote_addr = read_socket.peer_addr().ok().flatten();
        let secure = read_socket.secure();

        let mut source = SequentialReaderBuilder::new(BufReader::with_capacity(1024, read_socket));
        let first_header = source.next().unwrap();

        ClientConnection {
            source,
            sink: SequentialWriterBuilder::new(BufWriter::with_capacity(1024, write_socket)),
            remote_addr,
            next_header_source: first_header,
            no_more_requests: false,
            secure,
            limits,
            close,
        }
    }

    pub fn secure(&self) -> bool {
        self.secure
    }

    fn read(&mut self) -> Result<Request, ReadError> {
        let head = read_head(&mut self.next_header_source, &self.limits, &self.close)?;

        // building the writer for the request
        let mut writer = self.sink.next().unwrap();

        // PATCH: the body is read whole here, within the limits, so the application's
        // threads never wait on a slow client; `100 Continue` is sent only for a body
        // that will be accepted.
        if head.expects_continue && head.body != Body::None {
            let sent = writer
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .and_then(|()| writer.flush());
            if sent.is_err() {
                return Err(ReadError::Gone);
            }
        }
        let body = read_body(
            &mut self.next_header_source,
            &head,
            &self.limits,
            &self.close,
        )?;

        let upgrade = head.headers.iter().any(|h| {
            h.field.equiv("Connection") && h.value.as_str().to_ascii_lowercase().contains("upgrade")
        });
        let data: Box<dyn Read + Send + 'static> = if upgrade && head.body == Body::None {
            // An upgraded connection is the application's from here on: hand it the
            // stream itself, as upstream does.
            let mut data_source = self.source.next().unwrap();
            std::mem::swap(&mut self.next_header_source, &mut data_source);
            Box::new(data_source)
        } else {
            Box::new(Cursor::new(body))
        };

        Ok(crate::request::new_request_with_body(
            self.secure,
            head.method,
            head.path,
            head.version,
            head.headers,
            self.remote_addr,
            data,
            writer,
        ))
    }

    /// PATCH: answer a refused request, then read (and drop) what the client still
    /// sends for a moment, so closing does not reset the connection before the
    /// client has read the answer.
    fn refuse(&mut self, code: StatusCode, version: HTTPVersion) {
        use crate::Response;
        let mut writer = self.sink.next().unwrap();
        let text = format!("{} {}\n", code.0, code.default_reason_phrase());
        let response = Response::from_string(text)
            .with_status_code(code)
            .with_header(Header::from_bytes(&b"Connection"[..], &b"close"[..]).unwrap());
        let version = if version > HTTPVersion(1, 1) {
            HTTPVersion(1, 1)
        } else {
            version
        };
        if response
            .raw_print(&mut writer, version, &[], false, None)
            .is_err()
            || writer.flush().is_err()
        {
            return;
        }
        drop(writer);
        // The answer is complete: a client reading to the end gets it at once.
        if let Ok(w) = self.sink.inner().lock() {
            w.get_ref().shutdown_write();
        }
        let until = Instant::now() + LINGER;
        let mut rest = Patient::new(
            &mut self.next_header_source,
            until,
            &self.close,
            LINGER_BYTES,
        );
        let _ = std::io::copy(&mut rest, &mut std::io::sink());
    }

    /// PATCH: one request at a time per connection: wait until the previous answer is
    /// written before reading the next request, so a client cannot queue requests
    /// without reading the answers. An answer that lasts (an event stream handed to the
    /// application) ends the reading after the idle timeout; the answer goes on.
    fn previous_answered(&mut self) -> bool {
        let until = Instant::now() + self.limits.idle_timeout;
        while Instant::now() < until {
            if self.close.load(Relaxed) {
                return false;
            }
            if self.sink.wait_for_last(TICK) {
                return true;
            }
        }
        false
    }
}

/// How long, and how many bytes, a refused client is read after the answer.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 256 * 1024;

impl Iterator for ClientConnection {
    type Item = Request;

    fn next(&mut self) -> Option<Request> {
        // the client sent a "connection: close" header in this previous request
        //  or is using HTTP 1.0, meaning that no new request will come
        if self.no_more_requests || !self.previous_answered() {
            return None;
        }

        let rq = match self.read() {
            Err(ReadError::Refuse(code, version)) => {
                // we don't know where the next request would start, so we have to close
                self.refuse(code, version);
                return None;
            }
            Err(ReadError::Gone) => return None,
            Ok(rq) => rq,
        };

        // updating the status of the connection
        let connection_header = rq
            .headers()
            .iter()
            .find(|h| h.field.equiv("Connection"))
            .map(|h| h.value.as_str());

        let lowercase = connection_header.map(|h| h.to_ascii_lowercase());

        match lowercase {
            Some(ref val) if val.contains("close") => self.no_more_requests = true,
            Some(ref val) if val.contains("upgrade") => self.no_more_requests = true,
            Some(ref val)
                if !val.contains("keep-alive") && *rq.http_version() == HTTPVersion(1, 0) =>
            {
                self.no_more_requests = true
            }
            None if *rq.http_version() == HTTPVersion(1, 0) => self.no_more_requests = true,
            _ => (),
        };

        // returning the request
        Some(rq)
    }
}
