//! The shared input reader: every shape of CloudTrail input in, compact event JSON out.
//!
//! `Reader::read` handles one source (a file or stdin): it recognises gzip by its magic
//! bytes, cuts the content into JSON documents, recognises each document (an event, a
//! `{"Records":[...]}` delivery file, an array, lookup-events output, an EventBridge
//! envelope, a CloudWatch Logs payload, a digest file) and hands each event to a [`Visit`].
//! Bad spots are reported to the same `Visit` and reading goes on around them.
//! [`drive`] runs it over many sources, on several threads when asked, with the same output.

mod classify;
mod compact;
pub mod gzip;
mod parallel;
mod scan;
mod sources;
mod split;

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};

pub use classify::Place;
pub use compact::compact;
pub use parallel::{Totals, drive};
pub use sources::{Source, expand};

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
        ReadOptions {
            max_document: 1 << 30,
            max_whole_file: 512 << 20,
        }
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
        Reader {
            opts,
            inflater: gzip::Inflater::new(),
            packed: Vec::new(),
            plain: Vec::new(),
        }
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
                let name = path.display().to_string();
                match File::open(path) {
                    Ok(f) => self.read_file(f, &name, visit),
                    Err(e) => {
                        let stopped = visit.error(
                            &name,
                            &format_args!("cannot open: {}", crate::error::io_text(&e)),
                        ) == Flow::Stop;
                        Ok(SourceStats {
                            stopped,
                            ..Default::default()
                        })
                    }
                }
            }
            Source::Bad { name, message } => {
                let stopped = visit.error(name, message) == Flow::Stop;
                Ok(SourceStats {
                    stopped,
                    ..Default::default()
                })
            }
        }
    }

    /// Reads a byte stream (not necessarily a file) from its start.
    pub fn read_stream<R: Read>(
        &mut self,
        r: R,
        name: &str,
        visit: &mut dyn Visit,
    ) -> io::Result<SourceStats> {
        let mut r = BufReader::with_capacity(STREAM_BUF, r);
        let head = match io::BufRead::fill_buf(&mut r) {
            Ok(h) => h,
            Err(e) => {
                let stopped = visit.error(
                    &name,
                    &format_args!("read error: {}", crate::error::io_text(&e)),
                ) == Flow::Stop;
                return Ok(SourceStats {
                    stopped,
                    ..Default::default()
                });
            }
        };
        let src: Box<dyn Read + '_> = if gzip::is_gzip(head) {
            Box::new(gzip::stream(r))
        } else {
            Box::new(r)
        };
        let sp = Splitter::stream(src, Vec::new(), self.opts.max_document);
        self.run(sp, name, visit, true)
    }

    fn read_file(
        &mut self,
        mut f: File,
        name: &str,
        visit: &mut dyn Visit,
    ) -> io::Result<SourceStats> {
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        let mut head = std::mem::take(&mut self.packed);
        head.clear();
        head.resize(SNIFF, 0);
        let n = match gzip::read_full(&mut f, &mut head) {
            Ok(n) => n,
            Err(e) => {
                self.packed = head;
                let stopped = visit.error(
                    &name,
                    &format_args!("read error: {}", crate::error::io_text(&e)),
                ) == Flow::Stop;
                return Ok(SourceStats {
                    stopped,
                    ..Default::default()
                });
            }
        };
        head.truncate(n);
        if gzip::is_gzip(&head) && size <= self.opts.max_whole_file as u64 {
            // The common case: a delivered .json.gz file, inflated whole by libdeflate.
            if let Err(e) = f.read_to_end(&mut head) {
                self.packed = head;
                let stopped = visit.error(
                    &name,
                    &format_args!("read error: {}", crate::error::io_text(&e)),
                ) == Flow::Stop;
                return Ok(SourceStats {
                    stopped,
                    ..Default::default()
                });
            }
            let mut plain = std::mem::take(&mut self.plain);
            let whole = self
                .inflater
                .gunzip(&head, &mut plain, self.opts.max_whole_file);
            let result = match whole {
                Ok(()) => {
                    let sp = Splitter::whole(plain, self.opts.max_document);
                    self.run(sp, name, visit, false)
                }
                Err(_) => {
                    // Damaged or huge: stream it, so the events before the damage still come out.
                    self.plain = plain;
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
            run_splitter(
                Splitter::stream(src, Vec::new(), self.opts.max_document),
                name,
                visit,
                self.opts.max_document,
            )
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

    fn run(
        &mut self,
        sp: Splitter<'_>,
        name: &str,
        visit: &mut dyn Visit,
        streamed: bool,
    ) -> io::Result<SourceStats> {
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
    let mut docs = 0u64;
    let mut digests = 0u64;
    let mut errors = 0u64;
    loop {
        let item = sp.next_item();
        let failed = match item {
            Item::End => break,
            Item::NotJson { line, binary } => {
                errors += 1;
                let msg = if binary {
                    "binary data, not JSON"
                } else {
                    "not JSON (expected an object or an array)"
                };
                if docs == 0 {
                    // A file that does not even start as JSON is reported once, as a file.
                    let flow = em.visit.error(&name, &msg);
                    stats.stopped = flow == Flow::Stop;
                    return Ok((finish(stats, &em), sp.into_buffer()));
                }
                let place = em.place(Some(line));
                em.visit.error(&place, &msg) == Flow::Stop
            }
            Item::TooLarge { line } => {
                errors += 1;
                let place = em.place(Some(line));
                let msg = format!("JSON document larger than {} MiB, skipped", max_doc >> 20);
                em.visit.error(&place, &msg) == Flow::Stop
            }
            Item::Doc {
                range,
                line,
                loose,
                complete,
            } => {
                docs += 1;
                em.line = line;
                em.loose = loose;
                let doc = sp.slice(range);
                match em.document(doc) {
                    Ok(Kind::Event | Kind::Container(_)) => false,
                    Ok(Kind::Digest) => {
                        digests += 1;
                        em.visit
                            .note(&name, &"CloudTrail digest file, no events: skipped");
                        false
                    }
                    Ok(Kind::Control) => {
                        let place = em.place(Some(line));
                        em.visit
                            .note(&place, &"CloudWatch Logs control message, no events");
                        false
                    }
                    Ok(Kind::Foreign) => {
                        errors += 1;
                        let place = em.place(Some(line));
                        em.visit.error(
                            &place,
                            &"JSON value is not a CloudTrail event or a known container of events",
                        ) == Flow::Stop
                    }
                    Err(_) if em.stopped => true,
                    Err(_) if em.io_error.is_some() => {
                        let e = em
                            .io_error
                            .take()
                            .unwrap_or_else(|| io::Error::other("write failed"));
                        return Err(e);
                    }
                    Err(e) => {
                        let eof = e.classify() == serde_json::error::Category::Eof;
                        let stop = if eof && !complete && sp.has_read_error() {
                            // Cut off by damaged compression: the read error is the one to report.
                            false
                        } else {
                            errors += 1;
                            // A value never closed is reported where it opens.
                            let at = if eof {
                                line
                            } else {
                                line + e.line().saturating_sub(1) as u64
                            };
                            let place = em.place(Some(at));
                            em.visit.error(&place, &classify::describe(&e)) == Flow::Stop
                        };
                        // Go on after the last event handed on from this document, or else
                        // after its first line: in NDJSON the next line is the next record.
                        let resume = match em.last_end {
                            Some(end) => {
                                line + memchr::memchr_iter(b'\n', &doc[..end]).count() as u64
                            }
                            None => line,
                        };
                        sp.resync_after(resume);
                        stop
                    }
                }
            }
        };
        if failed || em.stopped {
            stats.stopped = true;
            return Ok((finish(stats, &em), sp.into_buffer()));
        }
    }
    if let Some(e) = sp.take_read_error() {
        let msg = match e.kind() {
            io::ErrorKind::InvalidInput
            | io::ErrorKind::InvalidData
            | io::ErrorKind::UnexpectedEof => gzip::describe(&e),
            _ => format!("read error: {}", crate::error::io_text(&e)),
        };
        if em.visit.error(&name, &msg) == Flow::Stop {
            stats.stopped = true;
        }
    } else if docs == 0 && errors == 0 {
        em.visit.note(&name, &"empty input, no events");
    }
    stats.digest = digests > 0 && em.events == 0;
    Ok((finish(stats, &em), sp.into_buffer()))
}

fn finish(mut stats: SourceStats, em: &Emitter<'_>) -> SourceStats {
    stats.events = em.events;
    stats
}
