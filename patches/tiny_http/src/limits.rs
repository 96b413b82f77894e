//! PATCH (staffroom): bounds on what one client may send and hold. Upstream 0.12 has
//! none: a `Content-Length` of 64 GiB aborted the process (the body drain allocated
//! it), header lines and header counts were unlimited, a client could hold a thread
//! forever by sending nothing, and connections were unlimited. See PATCHES.md.

use std::io::{ErrorKind, Read, Result as IoResult};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a client may send and hold. Past a bound the client gets an error status
/// (400, 408, 413, 414, 431, 503) and its connection is closed; the server goes on.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes in the request line, or in one header line (414 / 431 past it).
    pub max_line: usize,
    /// Bytes in the whole request head: request line and headers (431).
    pub max_head: usize,
    /// Number of header lines (431).
    pub max_headers: usize,
    /// Bytes of a request body, which is read whole before the request is handed
    /// out, so no handler ever blocks on a slow client (413 past it).
    pub max_body: usize,
    /// From the first byte of a request to the end of its body (408 past it).
    pub request_timeout: Duration,
    /// How long a connection may wait for its next request (then closed quietly).
    pub idle_timeout: Duration,
    /// How long one write of a response may stall on a client that does not read.
    pub write_timeout: Option<Duration>,
    /// Open connections; more are answered 503 and closed at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 8 * 1024,
            max_head: 32 * 1024,
            max_headers: 100,
            max_body: 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(15),
            write_timeout: Some(Duration::from_secs(10)),
            max_connections: 128,
        }
    }
}

/// The socket read timeout: how often a blocked read wakes to look at its deadline
/// and at the server's close flag.
pub(crate) const TICK: Duration = Duration::from_millis(250);

/// One open connection, counted until both halves of its socket are dropped (an
/// event stream handed to the application keeps counting).
#[derive(Debug)]
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Slot {
    /// A slot, unless `max` connections are open already.
    pub(crate) fn take(open: &Arc<AtomicUsize>, max: usize) -> Option<Slot> {
        let mut n = open.load(Ordering::Acquire);
        loop {
            if n >= max {
                return None;
            }
            match open.compare_exchange(n, n + 1, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Some(Slot(open.clone())),
                Err(now) => n = now,
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Reads from a socket whose read timeout is `TICK`: waits through the ticks until
/// `until`, fails with `TimedOut` after it (also when bytes keep trickling in, so one
/// byte a second cannot stretch a request forever), and fails once `budget` bytes
/// have been read, setting `exceeded`.
pub(crate) struct Patient<'a, R> {
    pub inner: &'a mut R,
    pub until: Instant,
    pub close: &'a AtomicBool,
    pub budget: usize,
    pub exceeded: bool,
}

impl<'a, R: Read> Patient<'a, R> {
    pub(crate) fn new(
        inner: &'a mut R,
        until: Instant,
        close: &'a AtomicBool,
        budget: usize,
    ) -> Self {
        Patient {
            inner,
            until,
            close,
            budget,
            exceeded: false,
        }
    }
}

impl<R: Read> Read for Patient<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> IoResult<usize> {
        if self.budget == 0 {
            self.exceeded = true;
            return Err(ErrorKind::InvalidData.into());
        }
        let len = buf.len().min(self.budget);
        loop {
            if self.close.load(Ordering::Relaxed) {
                return Err(ErrorKind::ConnectionAborted.into());
            }
            match self.inner.read(&mut buf[..len]) {
                Ok(n) if n > 0 && Instant::now() > self.until => {
                    return Err(ErrorKind::TimedOut.into())
                }
                Ok(n) => {
                    self.budget -= n;
                    return Ok(n);
                }
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
                    if Instant::now() >= self.until {
                        return Err(ErrorKind::TimedOut.into());
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives one byte per read, or a read timeout, as a socket with `TICK` does.
    struct Trickle(Option<ErrorKind>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> IoResult<usize> {
            match self.0 {
                Some(kind) => Err(kind.into()),
                None => {
                    buf[0] = b'a';
                    Ok(1)
                }
            }
        }
    }

    #[test]
    fn a_deadline_ends_trickling_and_silent_clients_alike() {
        let close = AtomicBool::new(false);
        let past = Instant::now() - Duration::from_secs(1);
        let future = Instant::now() + Duration::from_secs(3600);
        let mut buf = [0u8; 4];
        for kind in [None, Some(ErrorKind::WouldBlock), Some(ErrorKind::TimedOut)] {
            let mut src = Trickle(kind);
            let err = Patient::new(&mut src, past, &close, 10)
                .read(&mut buf)
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TimedOut, "{kind:?}");
        }
        let mut src = Trickle(None);
        let mut p = Patient::new(&mut src, future, &close, 2);
        assert_eq!(p.read(&mut buf).unwrap(), 1);
        assert_eq!(p.read(&mut buf).unwrap(), 1);
        assert!(p.read(&mut buf).is_err() && p.exceeded);
        close.store(true, Ordering::Relaxed);
        let mut src = Trickle(Some(ErrorKind::WouldBlock));
        let err = Patient::new(&mut src, future, &close, 10)
            .read(&mut buf)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
    }

    #[test]
    fn slots_are_bounded_and_given_back() {
        let open = Arc::new(AtomicUsize::new(0));
        let a = Slot::take(&open, 2).unwrap();
        let _b = Slot::take(&open, 2).unwrap();
        assert!(Slot::take(&open, 2).is_none());
        drop(a);
        assert!(Slot::take(&open, 2).is_some());
    }
}
