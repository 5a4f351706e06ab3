//! A scanner of JSON text over its marks (`super::arch::mark`): strings, literals and numbers
//! by the grammar, values skipped with their grammar checked, objects and arrays item by item.
//! What it does not read plainly it gives up on (`None`), for serde to decide.

use std::borrow::Cow;

/// The deepest nesting read; deeper is left to serde.
const MAX_DEPTH: u32 = 100;

/// The first marked position at or after `j`.
#[inline(always)]
fn next_mark(marks: &[u64], j: usize) -> Option<usize> {
    let mut w = j / 64;
    let mut m = *marks.get(w)? & (u64::MAX << (j % 64));
    while m == 0 {
        w += 1;
        m = *marks.get(w)?;
    }
    Some(w * 64 + m.trailing_zeros() as usize)
}

/// The end of the string whose opening quote is at `i` (the index after its closing quote),
/// and whether it has escapes; `None` for a bad escape, a lone surrogate or no end.
#[inline(always)]
fn string_end(b: &[u8], marks: &[u64], i: usize) -> Option<(usize, bool)> {
    let j = next_mark(marks, i + 1)?;
    if *b.get(j)? == b'"' {
        return Some((j + 1, false));
    }
    escaped_string_end(b, marks, j)
}

/// `string_end` from the first backslash at `j` on (rare in events: kept out of line).
#[cold]
#[inline(never)]
fn escaped_string_end(b: &[u8], marks: &[u64], mut j: usize) -> Option<(usize, bool)> {
    loop {
        if *b.get(j)? == b'"' {
            return Some((j + 1, true));
        }
        j += 1;
        match *b.get(j)? {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j += 1,
            b'u' => {
                let hex = b.get(j + 1..j + 5)?;
                let hex = std::str::from_utf8(hex).ok()?;
                let code = u16::from_str_radix(hex, 16).ok()?;
                if hex.starts_with(['+', '-']) || (0xD800..=0xDFFF).contains(&code) {
                    return None;
                }
                j += 5;
            }
            _ => return None,
        }
        j = next_mark(marks, j)?;
    }
}

/// The end of `word` at `i`.
#[inline]
fn literal_end(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    (b.get(i..i + word.len()) == Some(word)).then_some(i + word.len())
}

/// The end of the number at `i` (JSON's grammar: no leading zeros, digits after a point and
/// in an exponent).
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => {
            digits(&mut i);
        }
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        digits(&mut i).then_some(())?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        digits(&mut i).then_some(())?;
    }
    Some(i)
}

pub(super) struct Scan<'a, 'm> {
    pub(super) b: &'a [u8],
    /// Where `b` has quotes and backslashes (`mark`).
    pub(super) marks: &'m [u64],
    pub(super) t: &'a str,
    pub(super) i: usize,
    pub(super) depth: u32,
    /// The event has a top-level `action` key.
    pub(super) action: bool,
}

impl<'a> Scan<'a, '_> {
    #[inline]
    pub(super) fn ws(&mut self) {
        while self.b.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
    }

    #[inline]
    pub(super) fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    #[inline]
    pub(super) fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    /// A string at `i` (its opening quote); returns its contents and whether it has escapes.
    #[inline]
    pub(super) fn string(&mut self) -> Option<(&'a str, bool)> {
        if self.b.get(self.i) != Some(&b'"') {
            return None;
        }
        let (end, escaped) = string_end(self.b, self.marks, self.i)?;
        // Quotes are ASCII, so these are char boundaries.
        let s = self.t.get(self.i + 1..end - 1)?;
        self.i = end;
        Some((s, escaped))
    }

    /// A string value without escapes, or null.
    #[inline]
    pub(super) fn plain(&mut self) -> Option<Option<Cow<'a, str>>> {
        match self.peek()? {
            b'n' => self.literal("null").map(|_| None),
            _ => match self.string()? {
                (s, false) => Some(Some(Cow::Borrowed(s))),
                (_, true) => None,
            },
        }
    }

    /// A value kept as its text (checked, not parsed), or `None` for `null`.
    #[inline]
    pub(super) fn raw_or_null(&mut self) -> Option<Option<&'a str>> {
        if self.peek()? == b'n' {
            return self.literal("null").map(|_| None);
        }
        let from = self.i;
        self.skip()?;
        Some(Some(&self.t[from..self.i]))
    }

    #[inline]
    pub(super) fn literal(&mut self, word: &str) -> Option<()> {
        self.i = literal_end(self.b, self.i, word.as_bytes())?;
        Some(())
    }

    /// Any value, checked and skipped: one loop over the bytes that keeps the open
    /// containers as bits, without the calls of the readers above (most of an event is
    /// skipped).
    pub(super) fn skip(&mut self) -> Option<()> {
        let (b, marks) = (self.b, self.marks);
        let mut i = self.i;
        // The open containers, the innermost in the lowest bit: 1 for an object.
        let mut kinds: u128 = 0;
        let mut depth = 0;
        let ws = |i: &mut usize| {
            while b.get(*i) == Some(&b' ') {
                *i += 1;
            }
        };
        // A key and its colon.
        let key = |i: &mut usize| {
            ws(i);
            if b.get(*i) != Some(&b'"') {
                return None;
            }
            *i = string_end(b, marks, *i)?.0;
            ws(i);
            (b.get(*i) == Some(&b':')).then(|| *i += 1)
        };
        'value: loop {
            ws(&mut i);
            match *b.get(i)? {
                b'"' => i = string_end(b, marks, i)?.0,
                open @ (b'{' | b'[') => {
                    let object = open == b'{';
                    depth += 1;
                    if self.depth + depth > MAX_DEPTH {
                        return None;
                    }
                    kinds = kinds << 1 | u128::from(object);
                    i += 1;
                    ws(&mut i);
                    if b.get(i) == Some(if object { &b'}' } else { &b']' }) {
                        i += 1;
                        depth -= 1;
                        kinds >>= 1;
                    } else {
                        if object {
                            key(&mut i)?;
                        }
                        continue 'value;
                    }
                }
                b't' => i = literal_end(b, i, b"true")?,
                b'f' => i = literal_end(b, i, b"false")?,
                b'n' => i = literal_end(b, i, b"null")?,
                _ => i = number_end(b, i)?,
            }
            // After a value: commas and the ends of containers.
            loop {
                if depth == 0 {
                    self.i = i;
                    return Some(());
                }
                ws(&mut i);
                let object = kinds & 1 == 1;
                match *b.get(i)? {
                    b',' => {
                        i += 1;
                        if object {
                            key(&mut i)?;
                        }
                        continue 'value;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => return None,
                }
                i += 1;
                depth -= 1;
                kinds >>= 1;
            }
        }
    }

    /// An object at `i`: `field` reads (or skips) each member's value, given its key.
    pub(super) fn members(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.sequence(b'{', b'}', |s| {
            s.ws();
            let (key, escaped) = s.string()?;
            if escaped {
                return None;
            }
            s.eat(b':')?;
            field(s, key)
        })
    }

    pub(super) fn elements(&mut self, element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.sequence(b'[', b']', element)
    }

    /// `open`, items separated by commas, `close`.
    fn sequence(&mut self, open: u8, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(open)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        if self.peek()? == close {
            self.i += 1;
        } else {
            loop {
                item(self)?;
                match self.peek()? {
                    b',' => self.i += 1,
                    c if c == close => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// An object, or null (`None`); arrays (serde's positional form of a struct) are left to serde.
    pub(super) fn object<T: Default>(
        &mut self,
        mut field: impl FnMut(&mut Self, &mut T, &'a str) -> Option<()>,
    ) -> Option<Option<T>> {
        match self.peek()? {
            b'n' => self.literal("null").map(|_| None),
            b'{' => {
                let mut v = T::default();
                self.members(|s, k| field(s, &mut v, k))?;
                Some(Some(v))
            }
            _ => None,
        }
    }
}
