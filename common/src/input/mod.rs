//! The shared input reader: every shape of CloudTrail input in, compact event JSON out.
//!
//! `Reader::read` handles one source (a file or stdin): it recognises gzip by its magic
//! bytes, cuts the content into JSON documents, recognises each document (an event, a
//! `{"Records":[...]}` delivery file, an array, lookup-events output, an EventBridge
//! envelope, a CloudWatch Logs payload, a digest file) and hands each event to a [`Visit`].
//! Bad spots are reported to the same `Visit` and reading goes on around them.
//! [`drive`] runs it over many sources, on several threads when asked, with the same output;
//! [`run`] is the loop the tools drive with their own [`Sink`], NDJSON lines included.

mod classify;
mod compact;
pub mod gzip;
mod parallel;
mod scan;
mod sink;
mod sources;
mod split;

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};

pub use classify::Place;
pub use compact::compact;
pub use parallel::{Totals, drive};
pub use sink::{Fork, Lines, Sink, document, run, run_forked};
pub use sources::{Source, expand};

use crate::error::Failed;
use classify::{Emitter, Kind};
use split::{Item, Splitter};

/// Whether to go on reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// What the reader hands on. Implemented by each tool (ct-unzip writes events out,
/// ct-filter tests them) and by the recorder behind `--jobs`.
pub trait Visit {
    /// One event: its JSON text exactly as in the input, without insignificant whitespace.
    fn event(&mut self, json: &[u8]) -> io::Result<Flow>;
    /// A bad spot in the input. Returning `Stop` ends reading (`--strict`).
    fn error(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) -> Flow;
    /// Something worth knowing that is not wrong (a digest file skipped, an empty file).
    fn note(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display);
}

/// Limits that keep memory bounded on hostile input.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Largest single JSON document (a whole delivery file, or one NDJSON line) held in memory.
    pub max_document: usize,
    /// Largest file inflated whole in memory; larger ones are streamed.
    pub max_whole_file: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { max_document: 1 << 30, max_whole_file: 512 << 20 }
    }
}

/// What reading one source produced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SourceStats {
    pub events: u64,
    pub digest: bool,
    pub stopped: bool,
}

/// Reads sources, reusing its buffers and decompressor from one to the next.
pub struct Reader {
    opts: ReadOptions,
    inflater: gzip::Inflater,
    packed: Vec<u8>,
    plain: Vec<u8>,
}

const SNIFF: usize = 64 * 1024;
const STREAM_BUF: usize = 256 * 1024;

impl Reader {
    pub fn new(opts: ReadOptions) -> Self {
        Reader { opts, inflater: gzip::Inflater::new(), packed: Vec::new(), plain: Vec::new() }
    }

    /// Reads one source to its end, handing events and problems to `visit`. Returns `Err`
    /// only for an error of `visit` itself (such as a closed stdout), which ends everything.
    pub fn read(&mut self, source: &Source, visit: &mut dyn Visit) -> io::Result<SourceStats> {
        match source {
            Source::Stdin => {
                let stdin = io::stdin();
                crate::output::grow_pipe(0);
                self.read_stream(stdin.lock(), "<stdin>", visit)
            }
            Source::File(path) => {
                let name = sources::shown(&path.display().to_string());
                match File::open(path) {
                    Ok(f) => self.read_file(f, &name, visit),
                    Err(e) => {
                        let stopped = visit.error(&name, &Failed::Open(&e)) == Flow::Stop;
                        Ok(SourceStats { stopped, ..Default::default() })
                    }
                }
            }
            Source::Bad { name, message } => {
                let stopped = visit.error(name, message) == Flow::Stop;
                Ok(SourceStats { stopped, ..Default::default() })
            }
        }
    }

    /// Reads a byte stream (not necessarily a file) from its start.
    pub fn read_stream<R: Read>(&mut self, r: R, name: &str, visit: &mut dyn Visit) -> io::Result<SourceStats> {
        let mut r = BufReader::with_capacity(STREAM_BUF, r);
        let head = match io::BufRead::fill_buf(&mut r) {
            Ok(h) => h,
            Err(e) => {
                let stopped = visit.error(&name, &Failed::Read(&e)) == Flow::Stop;
                return Ok(SourceStats { stopped, ..Default::default() });
            }
        };
        let src: Box<dyn Read + '_> = if gzip::is_gzip(head) { Box::new(gzip::stream(r)) } else { Box::new(r) };
        let sp = Splitter::stream(src, Vec::new(), self.opts.max_document);
        self.run(sp, name, visit, true)
    }

    fn read_file(&mut self, mut f: File, name: &str, visit: &mut dyn Visit) -> io::Result<SourceStats> {
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        let mut head = std::mem::take(&mut self.packed);
        head.clear();
        head.resize(SNIFF, 0);
        let n = match gzip::read_full(&mut f, &mut head) {
            Ok(n) => n,
            Err(e) => {
                self.packed = head;
                let stopped = visit.error(&name, &Failed::Read(&e)) == Flow::Stop;
                return Ok(SourceStats { stopped, ..Default::default() });
            }
        };
        head.truncate(n);
        if gzip::is_gzip(&head) && size <= self.opts.max_whole_file as u64 {
            // The common case: a delivered .json.gz file, inflated whole by libdeflate.
            if let Err(e) = f.read_to_end(&mut head) {
                self.packed = head;
                let stopped = visit.error(&name, &Failed::Read(&e)) == Flow::Stop;
                return Ok(SourceStats { stopped, ..Default::default() });
            }
            let mut plain = std::mem::take(&mut self.plain);
            let whole = self.inflater.gunzip(&head, &mut plain, self.opts.max_whole_file);
            let result = match whole {
                Ok(()) => {
                    let sp = Splitter::whole(plain, self.opts.max_document);
                    self.run(sp, name, visit, false)
                }
                Err(_) => {
                    // Damaged or huge: stream it, so the events before the damage still come out.
                    // A buffer grown for a huge file is let go rather than kept beside the stream.
                    self.plain = if plain.capacity() <= 64 << 20 { plain } else { Vec::new() };
                    let src: Box<dyn Read + '_> = Box::new(gzip::stream(&head[..]));
                    let sp = Splitter::stream(src, Vec::new(), self.opts.max_document);
                    run_splitter(sp, name, visit, self.opts.max_document).map(|(stats, _)| stats)
                }
            };
            self.packed = head;
            return result;
        }
        let prefix = io::Cursor::new(std::mem::take(&mut head));
        let result = if gzip::is_gzip(prefix.get_ref()) {
            let chained = BufReader::with_capacity(STREAM_BUF, prefix.chain(f));
            let src: Box<dyn Read + '_> = Box::new(gzip::stream(chained));
            run_splitter(Splitter::stream(src, Vec::new(), self.opts.max_document), name, visit, self.opts.max_document)
        } else {
            // Plain JSON: stream it, so a multi-gigabyte NDJSON file needs no more memory
            // than its longest line.
            let first = prefix.into_inner();
            run_splitter(
                Splitter::stream(Box::new(f), first, self.opts.max_document),
                name,
                visit,
                self.opts.max_document,
            )
        };
        result.map(|(stats, _)| stats)
    }

    fn run(&mut self, sp: Splitter<'_>, name: &str, visit: &mut dyn Visit, streamed: bool) -> io::Result<SourceStats> {
        let (stats, buf) = run_splitter(sp, name, visit, self.opts.max_document)?;
        if !streamed {
            self.plain = buf;
        }
        Ok(stats)
    }
}

/// Hands on every document of one source.
fn run_splitter(
    mut sp: Splitter<'_>,
    name: &str,
    visit: &mut dyn Visit,
    max_doc: usize,
) -> io::Result<(SourceStats, Vec<u8>)> {
    let mut em = Emitter::new(visit, name, max_doc);
    let mut stats = SourceStats::default();
    let mut counts = Counts::default();
    let mut item = sp.next_item();
    // The first line of text that was not JSON, while no document has been seen.
    let mut unread: Option<u64> = None;
    loop {
        if let Some(first) = unread
            && counts.docs > 0
        {
            // JSON came after all: the text before it is a bad line, not a foreign file.
            unread = None;
            let place = em.place(Some(first));
            if em.visit.error(&place, &"not JSON (expected an object or an array)") == Flow::Stop {
                stats.stopped = true;
                return Ok((finish(stats, &em), sp.into_buffer()));
            }
        }
        let outcome = match item {
            Item::End => break,
            Item::NotJson { line, binary } => {
                counts.errors += 1;
                let msg = if binary { "binary data, not JSON" } else { "not JSON (expected an object or an array)" };
                if counts.docs == 0 && binary {
                    // A binary file is reported once, as a file.
                    stats.stopped = em.visit.error(&name, &msg) == Flow::Stop;
                    return Ok((finish(stats, &em), sp.into_buffer()));
                }
                if counts.docs == 0 {
                    // Text that does not start as JSON: a file of something else (reported
                    // once, at the end), unless JSON follows (a garbage first line must not
                    // cost the good lines after it).
                    unread.get_or_insert(line);
                    Step::Next(Flow::Continue)
                } else {
                    let place = em.place(Some(line));
                    Step::Next(em.visit.error(&place, &msg))
                }
            }
            Item::TooLarge { line } => {
                counts.errors += 1;
                let place = em.place(Some(line));
                let msg = format!("JSON document larger than {} MiB, skipped", max_doc >> 20);
                Step::Next(em.visit.error(&place, &msg))
            }
            Item::Line { range, line } => {
                counts.docs += 1;
                em.line = line;
                // One check of the whole line spares one per event when it is compact, as
                // delivered files are; otherwise each event is checked on its own.
                em.loose = if classify::maybe_loose(sp.slice(range.clone())) { None } else { Some(false) };
                let (events, messages) = (em.events, em.messages);
                let result = em.document(sp.slice(range.clone()));
                match result {
                    Err(e)
                        if e.classify() == serde_json::error::Category::Eof && !em.stopped && em.io_error.is_none() =>
                    {
                        // The document goes on past its line: find its end and parse it again,
                        // passing over what the first attempt already handed on.
                        em.skip = (em.events - events, em.messages - messages);
                        em.events = events;
                        em.messages = messages;
                        counts.docs -= 1;
                        Step::Again(sp.rescan())
                    }
                    result => {
                        let len = result.as_ref().ok().and_then(|(_, len)| *len);
                        let resume = resume_line(&em, sp.slice(range), line);
                        sp.finish_line(len);
                        conclude(result, &mut em, &mut sp, line, resume, true, &mut counts)?
                    }
                }
            }
            Item::Doc { range, line, loose, complete } => {
                counts.docs += 1;
                em.line = line;
                em.loose = Some(loose);
                let result = em.document(sp.slice(range.clone()));
                em.skip = (0, 0);
                let resume = resume_line(&em, sp.slice(range), line);
                conclude(result, &mut em, &mut sp, line, resume, complete, &mut counts)?
            }
        };
        match outcome {
            Step::Again(next) => item = next,
            Step::Next(Flow::Continue) if !em.stopped => item = sp.next_item(),
            Step::Next(_) => {
                stats.stopped = true;
                return Ok((finish(stats, &em), sp.into_buffer()));
            }
        }
    }
    if unread.is_some() {
        // Nothing but text that is not JSON: one error for the file.
        if em.visit.error(&name, &"not JSON (expected an object or an array)") == Flow::Stop {
            stats.stopped = true;
        }
    }
    if let Some(e) = sp.take_read_error() {
        let msg = match e.kind() {
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
                gzip::describe(&e)
            }
            _ => Failed::Read(&e).to_string(),
        };
        if em.visit.error(&name, &msg) == Flow::Stop {
            stats.stopped = true;
        }
    } else if counts.docs == 0 && counts.errors == 0 {
        em.note(None, &"empty input, no events");
    }
    stats.digest = counts.digests > 0 && em.events == 0;
    Ok((finish(stats, &em), sp.into_buffer()))
}

/// The line after which to go on when `doc` (starting at `line`) fails: after the last event
/// handed on from it, or else after its first line (in NDJSON the next line is the next
/// record).
fn resume_line(em: &Emitter<'_>, doc: &[u8], line: u64) -> u64 {
    match em.last_end {
        Some(end) => line + memchr::memchr_iter(b'\n', &doc[..end.min(doc.len())]).count() as u64,
        None => line,
    }
}

/// What one source held, for its notes and stats.
#[derive(Default)]
struct Counts {
    docs: u64,
    digests: u64,
    errors: u64,
}

/// What to do after an item.
enum Step {
    /// Read the next item, or stop.
    Next(Flow),
    /// Process this item (a document found by rescanning a line).
    Again(Item),
}

/// Reports what a parsed document turned out to be, or where it broke.
fn conclude(
    result: Result<(Kind, Option<usize>), serde_json::Error>,
    em: &mut Emitter<'_>,
    sp: &mut Splitter<'_>,
    line: u64,
    resume: u64,
    complete: bool,
    counts: &mut Counts,
) -> io::Result<Step> {
    let flow = match result {
        Ok((Kind::Event | Kind::Container(_), _)) => Flow::Continue,
        Ok((Kind::Digest, _)) => {
            counts.digests += 1;
            em.note(None, &"CloudTrail digest file, no events: skipped");
            Flow::Continue
        }
        Ok((Kind::Control, _)) => {
            em.note(Some(line), &"CloudWatch Logs control message, no events");
            Flow::Continue
        }
        Ok((Kind::Foreign, _)) => {
            counts.errors += 1;
            let place = em.place(Some(line));
            em.visit.error(&place, &"JSON value is not a CloudTrail event or a known container of events")
        }
        Err(_) if em.stopped => Flow::Stop,
        Err(_) if em.io_error.is_some() => {
            return Err(em.io_error.take().unwrap_or_else(|| io::Error::other("write failed")));
        }
        Err(e) => {
            let eof = e.classify() == serde_json::error::Category::Eof;
            let flow = if eof && !complete && sp.has_read_error() {
                // Cut off by damaged compression: the read error is the one to report.
                Flow::Continue
            } else {
                counts.errors += 1;
                // A value never closed is reported where it opens.
                let at = if eof { line } else { line + e.line().saturating_sub(1) as u64 };
                let place = em.place(Some(at));
                em.visit.error(&place, &classify::describe(&e))
            };
            sp.resync_after(resume);
            flow
        }
    };
    Ok(Step::Next(flow))
}

fn finish(mut stats: SourceStats, em: &Emitter<'_>) -> SourceStats {
    stats.events = em.events;
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects what the reader hands on, as text.
    #[derive(Default)]
    struct Log {
        events: Vec<String>,
        messages: Vec<String>,
    }

    impl Visit for Log {
        fn event(&mut self, json: &[u8]) -> io::Result<Flow> {
            // Every event handed on must be UTF-8.
            self.events.push(String::from_utf8(json.to_vec()).expect("an event that is not UTF-8"));
            Ok(Flow::Continue)
        }
        fn error(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) -> Flow {
            self.messages.push(format!("E {place}: {msg}"));
            Flow::Continue
        }
        fn note(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) {
            self.messages.push(format!("N {place}: {msg}"));
        }
    }

    const A: &str = r#"{"eventTime":"t1","eventName":"A"}"#;
    const B: &str = r#"{"eventTime":"t2","eventName":"B"}"#;
    const C: &str = r#"{"eventTime":"t3","eventName":"C"}"#;

    fn read(input: &str) -> Log {
        let mut log = Log::default();
        Reader::new(ReadOptions::default()).read_stream(input.as_bytes(), "in", &mut log).unwrap();
        log
    }

    #[test]
    fn a_document_spread_over_lines_is_handed_on_once() {
        // The first line parses as far as A, then runs out: A must not come out twice.
        let log = read(&format!("{{\"Records\":[{A},\n{B},\n{C}]}}\n{A}\n"));
        assert_eq!(log.events, vec![A, B, C, A]);
        assert!(log.messages.is_empty(), "{:?}", log.messages);
    }

    #[test]
    fn messages_from_a_tentative_parse_are_not_repeated() {
        let log = read(&format!("{{\"Records\":[{A},7,\n{B}]}}\n"));
        assert_eq!(log.events, vec![A, B]);
        assert_eq!(log.messages, vec!["E in: record 2: record is not a JSON object"]);
    }

    #[test]
    fn several_documents_on_one_line_and_pretty_ones_between_lines() {
        let log = read(&format!("{A}{B} [{C}]\n{{\n  \"eventTime\": \"t4\",\n  \"eventName\": \"D\"\n}}\n{A}"));
        assert_eq!(log.events, vec![A, B, C, r#"{"eventTime":"t4","eventName":"D"}"#, A]);
    }

    #[test]
    fn after_a_bad_line_garbage_is_skipped_to_the_next_record() {
        let log = read(&format!("{A}\n{{\"eventTime\":tru}}\nnot json\n  indented\n{B}\n"));
        assert_eq!(log.events, vec![A, B]);
        assert_eq!(log.messages.len(), 1, "{:?}", log.messages);
        assert!(log.messages[0].starts_with("E in: line 2: invalid JSON: expected ident"), "{:?}", log.messages);
    }

    #[test]
    fn a_record_cut_off_at_the_end_of_input_is_reported_where_it_opens() {
        let log = read(&format!("{A}\n{B}\n{{\"Records\":[{C},{{\"eventTime\""));
        assert_eq!(log.events, vec![A, B, C]);
        assert_eq!(
            log.messages,
            vec!["E in: line 3: record 2: invalid JSON: the value opened here is never closed (truncated?)"]
        );
    }

    #[test]
    fn whitespace_inside_strings_is_kept_and_outside_removed() {
        let odd = r#"{"eventTime":"a, b: c","eventName":"x [ y ] { z }"}"#;
        let spaced = r#"{"eventTime" : "t" , "eventName":"a, b"}"#;
        let log = read(&format!("{odd}\n{spaced}\n"));
        assert_eq!(log.events, vec![odd, r#"{"eventTime":"t","eventName":"a, b"}"#]);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// Reads `data` from a stream and from a file; both must agree and never panic.
        fn both_ways(data: &[u8]) -> (Log, Log) {
            let mut stream = Log::default();
            Reader::new(ReadOptions::default()).read_stream(data, "in", &mut stream).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("f");
            std::fs::write(&path, data).unwrap();
            let mut file = Log::default();
            Reader::new(ReadOptions::default()).read(&Source::File(path), &mut file).unwrap();
            (stream, file)
        }

        fn gz(data: &[u8]) -> Vec<u8> {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn arbitrary_bytes_never_panic_and_always_say_something(data in prop::collection::vec(any::<u8>(), 0..2000)) {
                let (s, f) = both_ways(&data);
                prop_assert!(!s.events.is_empty() || !s.messages.is_empty());
                prop_assert_eq!(s.events, f.events);
            }

            #[test]
            fn damaged_documents_never_panic_and_events_stay_whole(
                cut in 0usize..400, flip in 0usize..400, byte in any::<u8>(), zip in any::<bool>()
            ) {
                let mut doc = format!("{{\"Records\":[{A},{B},{C}]}}\n{A}\n").into_bytes();
                let n = doc.len();
                doc[flip % n] = byte;
                doc.truncate(cut.max(1).min(n));
                let data = if zip { gz(&doc) } else { doc };
                let (s, f) = both_ways(&data);
                prop_assert_eq!(&s.events, &f.events);
                for e in &s.events {
                    // Every event handed on is whole JSON.
                    prop_assert!(serde_json::from_str::<serde_json::Value>(e).is_ok(), "{}", e);
                }
            }

            #[test]
            fn compacting_keeps_every_token(
                ws in prop::collection::vec(prop::sample::select(vec![" ", "\n", "\t", "\r\n", ""]), 12)
            ) {
                // Whitespace between every token of B gives B back, byte for byte.
                let parts = ["{", "\"eventTime\"", ":", "\"t2\"", ",", "\"eventName\"", ":", "\"B\"", "}"];
                let mut text = String::new();
                for (i, p) in parts.iter().enumerate() {
                    text.push_str(ws[i % ws.len()]);
                    text.push_str(p);
                }
                let (s, _) = both_ways(text.as_bytes());
                prop_assert_eq!(s.events, vec![B.to_string()]);
            }
        }
    }

    #[test]
    fn maybe_loose_never_misses_whitespace_outside_strings() {
        for (text, loose) in [
            (r#"{"a":"b c"}"#, false),
            (r#"{"a":"b, c"}"#, true), // a false alarm: only costs a compaction pass
            (r#"{"a": 1}"#, true),
            (r#"{"a":1 }"#, true),
            ("{\"a\":\n1}", true),
            (r#"[1 ,2]"#, true),
        ] {
            assert_eq!(classify::maybe_loose(text.as_bytes()), loose, "{text}");
        }
    }
}
