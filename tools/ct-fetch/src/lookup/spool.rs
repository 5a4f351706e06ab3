//! A region's events as the lookups return them (newest first, one stream per attribute value),
//! kept in a temporary file and written oldest first: the order a trail's files give, which
//! `ct-filter --start` and `--since`-style use expect. Memory holds only an index entry and the
//! event ID per event, whatever the window's size.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;

use ct_common::time::Time;

struct Entry {
    time: Time,
    /// The order of arrival: among events of the same second, the later arrival is the older
    /// (the API returns the newest first).
    arrival: u32,
    offset: u64,
    len: u32,
}

pub struct Spool {
    file: BufWriter<File>,
    index: Vec<Entry>,
    ids: HashSet<String>,
    size: u64,
}

impl Spool {
    pub fn new() -> io::Result<Spool> {
        Ok(Spool {
            file: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
            index: Vec::new(),
            ids: HashSet::new(),
            size: 0,
        })
    }

    /// Keeps an event unless one with its ID is kept already (returned again after a lookup
    /// started over, or by the lookups of two values). Returns whether it was kept.
    pub fn push(&mut self, id: &str, time: Time, text: &[u8]) -> io::Result<bool> {
        if !self.ids.insert(id.to_string()) {
            return Ok(false);
        }
        self.file.write_all(text)?;
        self.file.write_all(b"\n")?;
        let len = text.len() as u32 + 1;
        self.index.push(Entry { time, arrival: self.index.len() as u32, offset: self.size, len });
        self.size += u64::from(len);
        Ok(true)
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Writes the events, one per line, oldest first.
    pub fn write_to(self, out: &mut dyn Write) -> io::Result<()> {
        let Spool { file, mut index, .. } = self;
        let file = file.into_inner().map_err(|e| e.into_error())?;
        index.sort_unstable_by(|a, b| a.time.cmp(&b.time).then(b.arrival.cmp(&a.arrival)));
        let mut buf = Vec::new();
        for e in index {
            buf.resize(e.len as usize, 0);
            file.read_exact_at(&mut buf, e.offset)?;
            out.write_all(&buf)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_out_oldest_first_and_once() {
        let mut s = Spool::new().unwrap();
        // Newest first, as a lookup returns them; then a second stream.
        assert!(s.push("c", Time::from_secs(30), b"{\"c\":1}").unwrap());
        assert!(s.push("b2", Time::from_secs(20), b"{\"b2\":1}").unwrap());
        assert!(s.push("b1", Time::from_secs(20), b"{\"b1\":1}").unwrap());
        assert!(s.push("a", Time::from_secs(10), b"{\"a\":1}").unwrap());
        assert!(!s.push("b1", Time::from_secs(20), b"{\"b1\":1}").unwrap());
        assert!(s.push("d", Time::from_secs(25), b"{\"d\":1}").unwrap());
        assert_eq!(s.len(), 5);
        let mut out = Vec::new();
        s.write_to(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\"a\":1}\n{\"b1\":1}\n{\"b2\":1}\n{\"d\":1}\n{\"c\":1}\n");
    }
}
