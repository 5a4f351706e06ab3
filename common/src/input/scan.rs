//! A structural scanner that finds where a JSON object or array ends without parsing it.
//!
//! It only tracks strings and bracket depth, so it is much cheaper than a parse: it lets the
//! reader cut a stream into documents (one NDJSON line, or a whole pretty-printed file) before
//! serde validates each one. Its state survives between calls so that a document can arrive in
//! pieces from a stream without being rescanned from its start.

use memchr::memchr2;

/// Scanner state for one document; `pos` is relative to the document's first byte.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scan {
    pos: usize,
    depth: u64,
    in_string: bool,
    /// Whitespace was seen outside strings: the document is not compact.
    pub(crate) loose: bool,
}

impl Scan {
    /// Continue scanning `doc` (the document from its first byte, `{` or `[`, to whatever is
    /// available). Returns the document's length once its closing bracket is seen, or `None`
    /// when more bytes are needed.
    pub(crate) fn advance(&mut self, doc: &[u8]) -> Option<usize> {
        let mut pos = self.pos;
        let len = doc.len();
        while pos < len {
            if self.in_string {
                match memchr2(b'"', b'\\', &doc[pos..]) {
                    None => {
                        pos = len;
                        break;
                    }
                    Some(i) => {
                        if doc[pos + i] == b'\\' {
                            // The escaped byte can never end the string; it may not have
                            // arrived yet, in which case `pos` points past the end.
                            pos += i + 2;
                        } else {
                            self.in_string = false;
                            pos += i + 1;
                        }
                    }
                }
                continue;
            }
            match doc[pos] {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        self.pos = pos + 1;
                        return Some(pos + 1);
                    }
                }
                b' ' | b'\n' | b'\r' | b'\t' => self.loose = true,
                _ => {}
            }
            pos += 1;
        }
        self.pos = pos;
        None
    }

    /// Bytes of the document examined so far.
    pub(crate) fn scanned(&self) -> usize {
        self.pos
    }

    /// Forget the first `n` bytes of the document (they were discarded by the caller).
    pub(crate) fn rebase(&mut self, n: usize) {
        self.pos -= n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(s: &str) -> Option<usize> {
        Scan::default().advance(s.as_bytes())
    }

    #[test]
    fn finds_the_end_of_objects_and_arrays() {
        assert_eq!(end(r#"{"a":1}{"b":2}"#), Some(7));
        assert_eq!(end(r#"[1,[2,3],{"x":[]}] trailing"#), Some(18));
        assert_eq!(end(r#"{"a":"}]\"{"}x"#), Some(13));
        assert_eq!(end(r#"{"a":"\\"}z"#), Some(10));
    }

    #[test]
    fn reports_incomplete_documents() {
        assert_eq!(end(r#"{"a":{"b":1}"#), None);
        assert_eq!(end(r#"{"a":"}"#), None);
    }

    #[test]
    fn resumes_across_pieces_including_a_split_escape() {
        let full = br#"{"k":"a\"b","n":[1,2]} rest"#;
        for cut in 1..full.len() {
            let mut s = Scan::default();
            let first = s.advance(&full[..cut]);
            let got = match first {
                Some(n) => Some(n),
                None => s.advance(full),
            };
            assert_eq!(got, Some(22), "cut at {cut}");
        }
    }

    #[test]
    fn notices_whitespace_outside_strings_only() {
        let mut s = Scan::default();
        s.advance(br#"{"a":"x y","b":[1,2]}"#);
        assert!(!s.loose);
        let mut s = Scan::default();
        s.advance(b"{\"a\": 1}");
        assert!(s.loose);
        let mut s = Scan::default();
        s.advance(b"{\n\"a\":1}");
        assert!(s.loose);
    }
}
