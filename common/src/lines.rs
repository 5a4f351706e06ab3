//! Sources read line by line: NDJSON records go straight to the tool, with anything else
//! (gzip, delivery files, pretty JSON) left to the common reader.

use std::fs::File;
use std::io::{self, Read};

use crate::fields::{self, Found, Paths, Shape};
use crate::input::{Flow, Source};

/// A line of a source, as messages name it: `FILE: line N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinePlace<'a>(pub &'a str, pub u64);

impl std::fmt::Display for LinePlace<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: line {}", self.0, self.1)
    }
}

/// How a source will be read.
pub enum Opened {
    /// NDJSON: one record per line, with the bytes already read.
    Lines(Box<dyn Read>, Vec<u8>),
    /// Standard input that is not NDJSON: for the common reader, streaming.
    Stream(Box<dyn Read>),
    /// A file for the common reader (which may read it in parallel with others).
    Reader,
}

/// Opens a source and looks at its first line: a single JSON object that is not a container
/// of events means NDJSON.
pub fn open(source: &Source) -> io::Result<Opened> {
    open_as(source, false)
}

/// Like `open`, and with `text` also plain text lines (neither JSON nor gzip), such as the
/// `service:Action` lines ct-policy reads.
pub fn open_as(source: &Source, text: bool) -> io::Result<Opened> {
    let mut reader: Box<dyn Read> = match source {
        Source::Stdin => {
            crate::output::grow_pipe(0);
            Box::new(io::stdin())
        }
        Source::File(p) => Box::new(File::open(p)?),
        Source::Bad { .. } => return Ok(Opened::Reader),
    };
    let mut head = vec![0u8; 64 * 1024];
    let mut n = 0;
    // Read until a first complete line (or the end), so the choice sees a whole line.
    loop {
        if n == head.len() {
            head.resize(head.len() * 2, 0);
        }
        let k = match reader.read(&mut head[n..]) {
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        n += k;
        if k == 0 || memchr::memchr(b'\n', &head[..n]).is_some() || n > 64 << 20 {
            break;
        }
    }
    head.truncate(n);
    if head.starts_with(b"\xEF\xBB\xBF") {
        head.drain(..3);
    }
    let first = head.split(|&b| b == b'\n').map(|l| l.trim_ascii()).find(|l| !l.is_empty()).unwrap_or(b"");
    let one_record = first.first() == Some(&b'{')
        && matches!(fields::extract(&Paths::new(), first, &mut Found::default()), Ok(Shape::Event));
    let plain = text && !crate::input::gzip::is_gzip(&head) && !matches!(first.first(), Some(b'{' | b'['));
    if one_record || plain || head.is_empty() {
        return Ok(Opened::Lines(reader, head));
    }
    if matches!(source, Source::Stdin) {
        // Stdin cannot be opened again: hand the common reader what was read, then the rest.
        return Ok(Opened::Stream(Box::new(io::Cursor::new(head).chain(reader))));
    }
    Ok(Opened::Reader)
}

/// Calls `f` with each non-blank line of `src` (after `buf`, the bytes already read), without
/// its line ending, and its line number.
pub fn each<R: Read>(src: R, buf: Vec<u8>, mut f: impl FnMut(&[u8], u64) -> io::Result<Flow>) -> io::Result<Flow> {
    let mut line = 1u64;
    regions(src, buf, |region| split(region, &mut line, &mut f))
}

/// As `each`, but calls `f` with up to `max` lines at a time (and their numbers), so that a
/// caller can run one stage of its work over many lines before the next: each stage's code
/// then stays in the instruction cache.
pub fn batches<R: Read>(
    src: R,
    buf: Vec<u8>,
    max: usize,
    mut f: impl FnMut(&[(&[u8], u64)]) -> io::Result<Flow>,
) -> io::Result<Flow> {
    let mut line = 1u64;
    regions(src, buf, |region| batch(region, &mut line, max, &mut f))
}

/// The non-blank lines of `region` (whole lines), numbered from `line` on, handed to `f` up to
/// `max` at a time (see `batches`).
pub fn batch<'r>(
    region: &'r [u8],
    line: &mut u64,
    max: usize,
    mut f: impl FnMut(&[(&'r [u8], u64)]) -> io::Result<Flow>,
) -> io::Result<Flow> {
    let max = max.max(1);
    // A batch borrows its region: one per region (a region is some 64 KiB of lines).
    let mut batch: Vec<(&[u8], u64)> = Vec::with_capacity(max);
    let flow = split(region, line, |text, n| {
        batch.push((text, n));
        if batch.len() < max {
            return Ok(Flow::Continue);
        }
        let flow = f(&batch);
        batch.clear();
        flow
    })?;
    if flow == Flow::Continue && !batch.is_empty() {
        return f(&batch);
    }
    Ok(flow)
}

/// The non-blank lines of `region` (whole lines; the last may lack its newline), without their
/// line endings, numbered from `line` on; `line` ends past them.
pub fn split<'r>(
    region: &'r [u8],
    line: &mut u64,
    mut f: impl FnMut(&'r [u8], u64) -> io::Result<Flow>,
) -> io::Result<Flow> {
    // memchr finds the line ends many bytes at a time (a byte-wise split was 8 % of ct-actions).
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', region)
        .map(|i| i + 1)
        .chain((region.last() != Some(&b'\n')).then_some(region.len()));
    for end in ends {
        let raw = &region[start..end];
        start = end;
        if raw.is_empty() {
            continue;
        }
        let n = *line;
        *line += 1;
        let text = raw.strip_suffix(b"\n").unwrap_or(raw);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if f(text, n)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}

/// The longest line held, as the reader's largest document (`ReadOptions::max_document`).
pub const MAX_LINE: usize = 1 << 30;

/// Calls `f` with stretches of whole lines of `src` (after `buf`), as large as a read gives,
/// so that a caller may search many lines at once. The last line may lack its newline at the
/// end of input. A read error comes back after the lines read before it.
pub fn regions<R: Read>(src: R, buf: Vec<u8>, f: impl FnMut(&[u8]) -> io::Result<Flow>) -> io::Result<Flow> {
    regions_within(src, buf, MAX_LINE, f)
}

fn regions_within<R: Read>(
    mut src: R,
    mut buf: Vec<u8>,
    max_line: usize,
    mut f: impl FnMut(&[u8]) -> io::Result<Flow>,
) -> io::Result<Flow> {
    // Reads of 64 KiB, into a buffer that stays that size unless a line is longer: the
    // buffer then stays in the core's L2 cache, where the kernel writes each read and the
    // tool reads it back. With reads of 1 MiB, twice the L2 of the bench machine, every byte
    // went out to memory and back, and evicted the tools' own tables on its way (ct-actions'
    // records mode: 40 % fewer simulated L2 misses at 64 KiB).
    const CHUNK: usize = 1 << 16;
    let mut end = buf.len();
    let mut eof = false;
    loop {
        let complete = if eof { end } else { memchr::memrchr(b'\n', &buf[..end]).map_or(0, |i| i + 1) };
        if complete > 0 {
            if f(&buf[..complete])? == Flow::Stop {
                return Ok(Flow::Stop);
            }
            buf.copy_within(complete..end, 0);
            end -= complete;
        }
        if eof {
            return Ok(Flow::Continue);
        }
        if end > max_line {
            // No newline in a gigabyte: not NDJSON, and holding more would only cost memory.
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a line longer than {} MiB (the lines before it were read)", max_line >> 20),
            ));
        }
        if buf.len() - end < CHUNK / 2 {
            // Doubling, but not far past the longest line held.
            let grow = buf.len().max(CHUNK).min((max_line + 2 * CHUNK).saturating_sub(buf.len())).max(CHUNK);
            buf.resize(buf.len() + grow, 0);
        }
        loop {
            match src.read(&mut buf[end..]) {
                Ok(0) => eof = true,
                Ok(k) => end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // The lines read so far still count.
                    if end > 0 {
                        f(&buf[..end])?;
                    }
                    return Err(e);
                }
            }
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_without_endings_and_blank_lines_skipped() {
        let mut got = Vec::new();
        let src = io::Cursor::new(b"b\r\n\n  \nc".to_vec());
        each(src, b"a\n".to_vec(), |l, n| {
            got.push((String::from_utf8(l.to_vec()).unwrap(), n));
            Ok(Flow::Continue)
        })
        .unwrap();
        assert_eq!(got, vec![("a".into(), 1), ("b".into(), 2), ("c".into(), 5)]);
    }

    #[test]
    fn batches_number_lines_as_each_does_and_stop_when_told() {
        let input = b"a\nb\r\n\n  \nc\nd\ne\nf".to_vec();
        for max in 1..5 {
            let mut got = Vec::new();
            let mut sizes = Vec::new();
            batches(&input[..], Vec::new(), max, |b| {
                sizes.push(b.len());
                got.extend(b.iter().map(|(l, n)| (String::from_utf8(l.to_vec()).unwrap(), *n)));
                Ok(Flow::Continue)
            })
            .unwrap();
            let want: Vec<(String, u64)> =
                [("a", 1), ("b", 2), ("c", 5), ("d", 6), ("e", 7), ("f", 8)].map(|(l, n)| (l.into(), n)).into();
            assert_eq!(got, want, "batches of {max}");
            assert!(sizes.iter().all(|&s| (1..=max).contains(&s)), "batches of {max}: {sizes:?}");
            // Stopping after the first batch: no more calls.
            let mut calls = 0;
            let flow = batches(&input[..], Vec::new(), max, |_| {
                calls += 1;
                Ok(Flow::Stop)
            })
            .unwrap();
            assert_eq!((flow, calls), (Flow::Stop, 1));
        }
    }

    #[test]
    fn a_line_without_end_stops_at_the_limit_after_the_lines_before_it() {
        let mut input = b"{\"a\":1}\n{\"b\":2}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 5 << 20));
        let mut got = 0;
        let err = regions_within(&input[..], Vec::new(), 2 << 20, |r| {
            got += r.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
            Ok(Flow::Continue)
        })
        .unwrap_err();
        assert_eq!(got, 2);
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("a line longer than 2 MiB"), "{err}");
    }
}
