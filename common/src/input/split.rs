//! Cutting a byte stream into JSON documents: NDJSON lines, concatenated objects, or one
//! document spread over many lines. Works the same on a whole buffer and on a stream read in
//! chunks, with memory bounded by the largest document.

use std::io::{self, Read};
use std::ops::Range;

use memchr::{memchr, memchr_iter};

use super::scan::Scan;

const CHUNK: usize = 1 << 20;

/// What the splitter found next.
#[derive(Debug)]
pub(crate) enum Item {
    /// A document from `{` or `[` to its closing bracket, or to the end of input when
    /// `complete` is false (the parse will then report where it broke off).
    Doc {
        range: Range<usize>,
        line: u64,
        loose: bool,
        complete: bool,
    },
    /// A candidate document: from its first byte, `{` or `[`, to the end of its line. Most
    /// documents are one line (NDJSON, delivered files), and parsing the line straight away
    /// saves a scanning pass; when the parse runs out of line, `rescan` finds the real end.
    Line {
        range: Range<usize>,
        line: u64,
    },
    /// Text that cannot start a JSON object or array, at `line`.
    NotJson {
        line: u64,
        binary: bool,
    },
    /// A document longer than the limit starting at `line`; it is skipped.
    TooLarge {
        line: u64,
    },
    End,
}

pub(crate) struct Splitter<'r> {
    src: Box<dyn Read + 'r>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    read_error: Option<io::Error>,
    /// Line number of `buf[start]`.
    line: u64,
    /// End of the document handed out last; consumed on the next call.
    pending: Option<usize>,
    resyncing: bool,
    /// While resyncing: the rest of the current line is being skipped.
    skip_line: bool,
    skipping: Option<Scan>,
    max_doc: usize,
    at_start: bool,
    /// Offer one-line candidates (`Item::Line`) before scanning.
    lines: bool,
    /// End of the candidate line handed out last (its newline, or the end of input).
    line_end: usize,
}

impl<'r> Splitter<'r> {
    /// A splitter over a complete buffer.
    pub(crate) fn whole(data: Vec<u8>, max_doc: usize) -> Splitter<'static> {
        let end = data.len();
        Splitter::new(Box::new(io::empty()), data, end, true, max_doc)
    }

    /// A splitter that reads `src` in chunks, after the bytes already read into `buf`.
    pub(crate) fn stream(src: Box<dyn Read + 'r>, mut buf: Vec<u8>, max_doc: usize) -> Self {
        let end = buf.len();
        if buf.len() < CHUNK {
            buf.resize(CHUNK, 0);
        }
        Splitter::new(src, buf, end, false, max_doc)
    }

    fn new(src: Box<dyn Read + 'r>, buf: Vec<u8>, end: usize, eof: bool, max_doc: usize) -> Self {
        Splitter {
            src,
            buf,
            start: 0,
            end,
            eof,
            read_error: None,
            line: 1,
            pending: None,
            resyncing: false,
            skip_line: false,
            skipping: None,
            max_doc,
            at_start: true,
            lines: true,
            line_end: 0,
        }
    }

    /// Always delimit documents with the scanner (no `Item::Line`).
    pub(crate) fn scan_only(&mut self) {
        self.lines = false;
    }

    /// After an `Item::Line` was parsed: the document took the whole line (`None`) or its
    /// first `len` bytes, after which the next document starts on the same line.
    pub(crate) fn finish_line(&mut self, len: Option<usize>) {
        // The candidate holds no newline, so there are no lines to count.
        self.start = match len {
            None => self.line_end,
            Some(n) => self.start + n,
        };
        self.pending = None;
    }

    /// After an `Item::Line` whose document goes on past its line: scan for its real end.
    pub(crate) fn rescan(&mut self) -> Item {
        self.pending = None;
        self.scan_doc()
    }

    /// Gives the buffer back so its allocation can be reused.
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    pub(crate) fn slice(&self, r: Range<usize>) -> &[u8] {
        &self.buf[r]
    }

    /// Whether a read error ended the stream early.
    pub(crate) fn has_read_error(&self) -> bool {
        self.read_error.is_some()
    }

    /// The read error that ended the stream early, if any.
    pub(crate) fn take_read_error(&mut self) -> Option<io::Error> {
        self.read_error.take()
    }

    /// After a failed document: continue at the line after `line`, then skip every line that
    /// does not open a JSON object or array in its first column, so that the rest of a broken
    /// document is not mistaken for new ones while the next NDJSON line is still found.
    pub(crate) fn resync_after(&mut self, line: u64) {
        let Some(doc_end) = self.pending.take() else {
            // A failed candidate line: already positioned at its end.
            self.resyncing = true;
            return;
        };
        let mut pos = self.start;
        let mut cur = self.line;
        let limit = doc_end.max(self.start).min(self.end);
        while cur <= line {
            match memchr(b'\n', &self.buf[pos..limit]) {
                Some(i) => {
                    pos += i + 1;
                    cur += 1;
                }
                None => {
                    pos = limit;
                    break;
                }
            }
        }
        self.start = pos;
        self.line = cur;
        self.resyncing = true;
    }

    /// Reads more input. Returns false at the end of input.
    fn refill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < CHUNK / 2 {
            // Doubling, but never far past the largest document held: a gzip bomb would
            // otherwise double the buffer to twice the limit before the limit is seen.
            let ceiling = self.max_doc.saturating_add(2 * CHUNK);
            let grow = self.buf.len().max(CHUNK).min(ceiling.saturating_sub(self.buf.len())).max(CHUNK);
            self.buf.resize(self.buf.len() + grow, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return false;
                }
                Ok(n) => {
                    self.end += n;
                    return true;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.read_error = Some(e);
                    self.eof = true;
                    return false;
                }
            }
        }
    }

    fn count_lines(&mut self, upto: usize) {
        self.line += memchr_iter(b'\n', &self.buf[self.start..upto]).count() as u64;
        self.start = upto;
    }

    pub(crate) fn next_item(&mut self) -> Item {
        if let Some(end) = self.pending.take() {
            self.count_lines(end);
        }
        if let Some(mut scan) = self.skipping.take() {
            // Drain an over-long document without holding it.
            loop {
                let done = scan.advance(&self.buf[self.start..self.end]);
                if let Some(n) = done {
                    let upto = self.start + n;
                    self.count_lines(upto);
                    break;
                }
                let upto = self.end;
                let scanned = scan.scanned().min(upto - self.start);
                scan.rebase(scanned);
                self.count_lines(self.start + scanned);
                if !self.refill() {
                    self.count_lines(self.end);
                    return Item::End;
                }
            }
        }
        loop {
            if self.resyncing {
                if self.skip_line {
                    match memchr(b'\n', &self.buf[self.start..self.end]) {
                        Some(i) => {
                            self.start += i + 1;
                            self.line += 1;
                            self.skip_line = false;
                        }
                        None => {
                            self.start = self.end;
                            if !self.refill() {
                                return Item::End;
                            }
                        }
                    }
                    continue;
                }
                // At the start of a line: keep it only if it opens an object or array.
                if self.start == self.end && !self.refill() {
                    return Item::End;
                }
                if !matches!(self.buf[self.start], b'{' | b'[') {
                    self.skip_line = true;
                    continue;
                }
                self.resyncing = false;
            }
            if self.at_start {
                // A byte-order mark may open the input, and may arrive split across reads.
                while self.end - self.start < 3 && self.refill() {}
                if self.buf[self.start..self.end].starts_with(b"\xEF\xBB\xBF") {
                    self.start += 3;
                }
                self.at_start = false;
            }
            while self.start < self.end {
                match self.buf[self.start] {
                    b'\n' => self.line += 1,
                    b' ' | b'\r' | b'\t' => {}
                    _ => break,
                }
                self.start += 1;
            }
            if self.start == self.end {
                if !self.refill() {
                    return Item::End;
                }
                continue;
            }
            let first = self.buf[self.start];
            if first != b'{' && first != b'[' {
                let window = &self.buf[self.start..self.end.min(self.start + 4096)];
                let binary = window.iter().any(|&b| b == 0 || (b < 0x20 && !b"\t\r\n\x0c".contains(&b)));
                let line = self.line;
                // Let a later resync skip this line.
                self.pending = Some(self.start);
                self.resync_after(line - 1);
                return Item::NotJson { line, binary };
            }
            if self.lines {
                return self.candidate_line();
            }
            return self.scan_doc();
        }
    }

    /// The line from `start` (which opens an object or array) to its end.
    fn candidate_line(&mut self) -> Item {
        let mut searched = 0;
        let mut scan = Scan::default();
        let mut first_doc: Option<usize> = None;
        loop {
            if let Some(i) = memchr(b'\n', &self.buf[self.start + searched..self.end]) {
                self.line_end = self.start + searched + i;
                return Item::Line { range: self.start..self.line_end, line: self.line };
            }
            searched = self.end - self.start;
            // Documents one after the other on one line (`ct-fetch --stdout`, `cat *.json.gz`:
            // delivery files end without a newline): once the first has ended in what was read
            // and another begins, take them one by one with the scanner. Reading on to the
            // line's end would read the rest of the stream again for every document.
            if first_doc.is_none() {
                first_doc = scan.advance(&self.buf[self.start..self.end]);
            }
            if let Some(n) = first_doc
                && let Some(&b) = self.buf[self.start + n..self.end].iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r'))
                && (b == b'{' || b == b'[')
            {
                return self.scan_doc();
            }
            if searched > self.max_doc {
                // An enormous line: let the scanner deal with it (and skip it if too large).
                return self.scan_doc();
            }
            if !self.refill() {
                self.line_end = self.end;
                return Item::Line { range: self.start..self.end, line: self.line };
            }
        }
    }

    /// Finds where the document at `start` ends with the structural scanner.
    fn scan_doc(&mut self) -> Item {
        let mut scan = Scan::default();
        loop {
            if let Some(n) = scan.advance(&self.buf[self.start..self.end]) {
                let range = self.start..self.start + n;
                if n > self.max_doc {
                    self.pending = Some(range.end);
                    return Item::TooLarge { line: self.line };
                }
                self.pending = Some(range.end);
                return Item::Doc { range, line: self.line, loose: scan.loose, complete: true };
            }
            if self.end - self.start > self.max_doc {
                let line = self.line;
                let scanned = scan.scanned().min(self.end - self.start);
                scan.rebase(scanned);
                self.count_lines(self.start + scanned);
                self.skipping = Some(scan);
                return Item::TooLarge { line };
            }
            if !self.refill() {
                let range = self.start..self.end;
                self.pending = Some(range.end);
                return Item::Doc { range, line: self.line, loose: scan.loose, complete: false };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(data: &[u8], chunked: bool) -> Vec<String> {
        let mut sp = if chunked {
            // One byte per read: the harshest way a stream can arrive.
            struct Trickle<'a>(&'a [u8]);
            impl Read for Trickle<'_> {
                fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                    if self.0.is_empty() || out.is_empty() {
                        return Ok(0);
                    }
                    out[0] = self.0[0];
                    self.0 = &self.0[1..];
                    Ok(1)
                }
            }
            Splitter::stream(Box::new(Trickle(data)), Vec::new(), 1 << 20)
        } else {
            Splitter::whole(data.to_vec(), 1 << 20)
        };
        sp.scan_only();
        let mut out = Vec::new();
        loop {
            match sp.next_item() {
                Item::End => break,
                Item::Doc { range, line, loose, complete } => {
                    let text = String::from_utf8_lossy(sp.slice(range)).into_owned();
                    let flags = format!("{}{}", if loose { "L" } else { "" }, if complete { "" } else { "!" });
                    if flags.is_empty() {
                        out.push(format!("{line}:{text}"));
                    } else {
                        out.push(format!("{line}:{flags}:{text}"));
                    }
                }
                Item::NotJson { line, binary } => {
                    out.push(format!("{line}:notjson{}", if binary { "-bin" } else { "" }))
                }
                Item::TooLarge { line } => out.push(format!("{line}:toolarge")),
                Item::Line { .. } => unreachable!("scan_only"),
            }
        }
        out
    }

    fn both(data: &[u8]) -> Vec<String> {
        let a = items(data, false);
        assert_eq!(a, items(data, true), "whole and streamed splitting differ");
        a
    }

    #[test]
    fn ndjson_lines_and_concatenated_documents() {
        assert_eq!(
            both(b"{\"a\":1}\n{\"b\":2}\r\n\n[3]{\"c\":4}"),
            vec!["1:{\"a\":1}", "2:{\"b\":2}", "4:[3]", "4:{\"c\":4}"]
        );
    }

    #[test]
    fn documents_on_one_endless_line_are_taken_without_reading_the_rest() {
        // A ct-fetch --stdout stream: delivery files one after the other, no newline. The
        // first document must come after about one read, not after the whole stream (which
        // made the reader quadratic in the documents).
        struct Counting {
            data: Vec<u8>,
            at: usize,
            read: std::rc::Rc<std::cell::Cell<usize>>,
        }
        impl Read for Counting {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = out.len().min(self.data.len() - self.at).min(64 << 10);
                out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
                self.at += n;
                self.read.set(self.read.get() + n);
                Ok(n)
            }
        }
        let doc = format!("{{\"Records\":[{{\"x\":\"{}\"}}]}}", "y".repeat(1000));
        let data = doc.repeat(20_000).into_bytes(); // 20 MB on one line
        let read = std::rc::Rc::new(std::cell::Cell::new(0));
        let mut sp = Splitter::stream(Box::new(Counting { data, at: 0, read: read.clone() }), Vec::new(), 1 << 30);
        let mut docs = 0;
        loop {
            match sp.next_item() {
                Item::End => break,
                Item::Doc { range, .. } => {
                    assert_eq!(range.len(), doc.len());
                    if docs == 0 {
                        assert!(read.get() <= 2 * CHUNK, "{} bytes read for the first document", read.get());
                    }
                    docs += 1;
                }
                Item::Line { range, .. } => {
                    // The last one: the end of the stream is the end of its line.
                    assert_eq!(range.len(), doc.len());
                    sp.finish_line(None);
                    docs += 1;
                }
                _ => panic!("unexpected item"),
            }
        }
        assert_eq!(docs, 20_000);
    }

    #[test]
    fn a_pretty_document_is_one_item_marked_loose() {
        let got = both(b"\xEF\xBB\xBF{\n  \"Records\": [\n    {\"a\": 1}\n  ]\n}\n{\"b\":2}\n");
        assert_eq!(got.len(), 2);
        assert!(got[0].starts_with("1:L:{\n"));
        assert_eq!(got[1], "6:{\"b\":2}");
    }

    #[test]
    fn garbage_lines_are_reported_once_and_skipped() {
        let got = both(b"{\"a\":1}\nhello\nworld\n  {\"indented\":1}\n{\"b\":2}\n");
        assert_eq!(got, vec!["1:{\"a\":1}", "2:notjson", "5:{\"b\":2}"]);
        assert_eq!(both(b"\x00\x01\x02binary"), vec!["1:notjson-bin"]);
    }

    #[test]
    fn an_unfinished_document_runs_to_the_end() {
        assert_eq!(both(b"{\"a\":1}\n{\"b\":[2,"), vec!["1:{\"a\":1}", "2:!:{\"b\":[2,"]);
    }

    #[test]
    fn resync_continues_after_the_broken_line() {
        let data = b"{\"a\":\"x\n{\"b\":\"y\"}\n{\"c\":3}\n";
        let mut sp = Splitter::whole(data.to_vec(), 1 << 20);
        sp.scan_only();
        let Item::Doc { line: 1, .. } = sp.next_item() else { panic!() };
        // The parse would fail on line 1 (a raw newline in a string).
        sp.resync_after(1);
        let Item::Doc { range, line: 2, .. } = sp.next_item() else { panic!() };
        assert_eq!(sp.slice(range), b"{\"b\":\"y\"}");
        let Item::Doc { range, line: 3, .. } = sp.next_item() else { panic!() };
        assert_eq!(sp.slice(range), b"{\"c\":3}");
        assert!(matches!(sp.next_item(), Item::End));
    }

    #[test]
    fn an_over_long_document_is_skipped_and_counted() {
        let mut data = b"{\"a\":1}\n{\"big\":\"".to_vec();
        data.extend(std::iter::repeat_n(b'x', 3000));
        data.extend(b"\"}\n{\"c\":3}\n");
        let mut sp = Splitter::stream(Box::new(io::Cursor::new(data)), Vec::new(), 1000);
        sp.scan_only();
        assert!(matches!(sp.next_item(), Item::Doc { line: 1, .. }));
        assert!(matches!(sp.next_item(), Item::TooLarge { line: 2 }));
        let Item::Doc { range, line: 3, .. } = sp.next_item() else { panic!() };
        assert_eq!(sp.slice(range), b"{\"c\":3}");
    }
}
