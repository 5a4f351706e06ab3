//! The input loop every tool drives with its own [`Sink`].
//!
//! [`run`] expands the paths (standard input, `-`, directories walked in sorted order), opens
//! each source and looks at its first line: NDJSON goes to the sink line by line, straight
//! from the input buffer (the fast path: no copy, no re-encoding); anything else (gzip,
//! delivery files, pretty JSON, lookup-events output) goes through the common [`Reader`],
//! several files at once with `-j`, and comes to the sink as compact events. Bad spots go to
//! the [`Reporter`], which under `--strict` stops the loop at the first of them, whatever the
//! source; the loop counts what it read for the summary line.
//!
//! [`run_forked`] does the same for a sink that can also [`Fork`]: the lines of an NDJSON
//! source are then cut into chunks and taken by `-j` copies of the sink on as many threads,
//! whose results are joined, and whose messages come out afterwards in input order.

use std::fmt;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::{Mutex, mpsc};

use super::{Flow, ReadOptions, Reader, Source, Totals, Visit, drive, expand};
use crate::error::Failed;
use crate::lines::{self, LinePlace, Opened};
use crate::report::{Held, Reporter};

/// Which sources a sink takes line by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// NDJSON sources (their first line one JSON object that is not a container of events)
    /// come as lines; every other source goes through the common reader.
    Json,
    /// As `Json`, and sources of plain text lines too (neither JSON nor gzip), such as the
    /// `service:Action` lines ct-policy reads.
    Text,
    /// Every source goes through the common reader, which hands on compact events.
    Never,
}

/// What a tool does with its input; [`run`] does the rest (sources, shapes, `--strict`,
/// counts). Bad spots, the sink's own included, go to the reporter it is handed.
pub trait Sink {
    /// Which sources come as lines.
    const LINES: Lines = Lines::Json;

    /// One event, as the common reader hands it on: compact JSON, found in a source that is
    /// not NDJSON or in a line that held a container of events.
    fn event(&mut self, json: &[u8], report: &mut Reporter) -> io::Result<Flow>;

    /// One line of an NDJSON (or text) source: not blank, without its line ending, exactly
    /// as in the input. By default it goes through the common reader, which hands on the
    /// events it holds and reports what is wrong with it.
    fn line(&mut self, text: &[u8], place: LinePlace<'_>, report: &mut Reporter) -> io::Result<Flow> {
        document(self, text, &place, report)
    }

    /// A stretch of whole lines of the source `name` (the last one may lack its newline at
    /// the end of the input), numbered from `*line` on; `*line` ends past them. By default
    /// each non-blank line goes to [`Sink::line`]; a sink may take them in batches, or pass
    /// over stretches it can tell hold nothing for it (counting their lines).
    fn lines(&mut self, region: &[u8], name: &str, line: &mut u64, report: &mut Reporter) -> io::Result<Flow> {
        lines::split(region, line, |text, n| self.line(text, LinePlace(name, n), report))
    }
}

/// A sink whose result does not depend on the order of its lines (an aggregate), so that the
/// lines of one NDJSON source can be shared out among threads.
pub trait Fork: Sink + Send + Sized {
    /// An empty sink with the same settings, for a worker; `None` when this one must see
    /// every line itself and in order (it writes as it goes).
    fn fork(&self) -> Option<Self>;
    /// Adds what a worker gathered.
    fn join(&mut self, worker: Self);
}

/// Reads every source of `paths` (standard input when there is none) into `sink`, reading
/// `jobs` files at once where the common reader reads them. Returns `Err` only for an error
/// of the sink itself (a closed stdout), which ends everything; a bad input is reported and
/// counted, and ends the loop only under `--strict` (`report.strict`).
pub fn run<S: Sink>(paths: &[PathBuf], jobs: usize, sink: &mut S, report: &mut Reporter) -> io::Result<Totals> {
    each(paths, jobs, sink, report, sequential)
}

/// As [`run`], and NDJSON sources read by `jobs` forks of the sink (see [`Fork`]), unless
/// `--strict` (which must stop at the first bad line) or the sink declines.
pub fn run_forked<S: Fork>(paths: &[PathBuf], jobs: usize, sink: &mut S, report: &mut Reporter) -> io::Result<Totals> {
    each(paths, jobs, sink, report, |sink, src, head, name, report| {
        if jobs > 1 && !report.strict {
            let workers: Option<Vec<S>> = (0..jobs).map(|_| sink.fork()).collect();
            if let Some(workers) = workers {
                return parallel(sink, workers, src, head, name, report);
            }
        }
        sequential(sink, src, head, name, report)
    })
}

/// Reads one document of a line (a container of events, or an event the sink leaves to the
/// reader) through the common reader: its events go to `sink`, its problems are reported
/// at `place`.
pub fn document<S: Sink + ?Sized>(
    sink: &mut S,
    text: &[u8],
    place: &dyn fmt::Display,
    report: &mut Reporter,
) -> io::Result<Flow> {
    let name = place.to_string();
    let stats = Reader::new(ReadOptions::default()).read_stream(text, &name, &mut Through { sink, report })?;
    Ok(if stats.stopped { Flow::Stop } else { Flow::Continue })
}

/// The common reader's view of a sink: events to the sink, the rest to the reporter.
struct Through<'a, S: ?Sized> {
    sink: &'a mut S,
    report: &'a mut Reporter,
}

impl<S: Sink + ?Sized> Visit for Through<'_, S> {
    fn event(&mut self, json: &[u8]) -> io::Result<Flow> {
        self.sink.event(json, self.report)
    }
    fn error(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) -> Flow {
        self.report.error(place, msg)
    }
    fn note(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) {
        self.report.note(place, msg)
    }
}

/// The loop, with `ndjson` reading the lines of an NDJSON source (returning the flow and the
/// number of lines).
fn each<S: Sink>(
    paths: &[PathBuf],
    jobs: usize,
    sink: &mut S,
    report: &mut Reporter,
    mut ndjson: impl FnMut(&mut S, Box<dyn Read>, Vec<u8>, &str, &mut Reporter) -> io::Result<(Flow, u64)>,
) -> io::Result<Totals> {
    let sources = expand(paths);
    if S::LINES == Lines::Never {
        return drive(&sources, jobs, ReadOptions::default(), &mut Through { sink, report });
    }
    let mut totals = Totals::default();
    // Files for the common reader, read together (on `jobs` threads) when the next source
    // is not one of them.
    let mut batch: Vec<Source> = Vec::new();
    for source in sources {
        let opened = lines::open_as(&source, S::LINES == Lines::Text);
        if let Ok(Opened::Reader) = opened {
            batch.push(source);
            continue;
        }
        // What came before goes first, so that messages keep the order of the inputs.
        if read_batch(&mut batch, jobs, sink, report, &mut totals)? == Flow::Stop {
            break;
        }
        let flow = match opened {
            Ok(Opened::Lines(src, head)) => {
                let (flow, lines) = ndjson(sink, src, head, &source.name(), report)?;
                totals.files += 1;
                totals.lines += lines;
                flow
            }
            Ok(Opened::Stream(src)) => {
                // Standard input that is not NDJSON: streamed, never held whole.
                let stats =
                    Reader::new(ReadOptions::default()).read_stream(src, "<stdin>", &mut Through { sink, report })?;
                totals.add(&stats);
                if stats.stopped { Flow::Stop } else { Flow::Continue }
            }
            Ok(Opened::Reader) => Flow::Continue,
            Err(e) => report.error(&source.name(), &Failed::Open(&e)),
        };
        if flow == Flow::Stop {
            totals.stopped = true;
            return Ok(totals);
        }
    }
    read_batch(&mut batch, jobs, sink, report, &mut totals)?;
    Ok(totals)
}

/// Reads the files gathered for the common reader.
fn read_batch<S: Sink>(
    batch: &mut Vec<Source>,
    jobs: usize,
    sink: &mut S,
    report: &mut Reporter,
    totals: &mut Totals,
) -> io::Result<Flow> {
    if batch.is_empty() {
        return Ok(Flow::Continue);
    }
    let t = drive(batch, jobs, ReadOptions::default(), &mut Through { sink, report })?;
    batch.clear();
    totals.files += t.files;
    totals.digests += t.digests;
    totals.events += t.events;
    totals.stopped |= t.stopped;
    Ok(if t.stopped { Flow::Stop } else { Flow::Continue })
}

/// The lines of an NDJSON source on the calling thread. A failure to read is reported (the
/// lines before it still count); a failure of the sink ends everything.
fn sequential<S: Sink>(
    sink: &mut S,
    src: Box<dyn Read>,
    head: Vec<u8>,
    name: &str,
    report: &mut Reporter,
) -> io::Result<(Flow, u64)> {
    let mut line = 1u64;
    let mut failed = None;
    let read = lines::regions(src, head, |region| {
        sink.lines(region, name, &mut line, report).map_err(|e| {
            failed = Some(e);
            io::Error::other("the sink failed")
        })
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let flow = match read {
        Ok(flow) => flow,
        Err(e) => report.error(&name, &Failed::Read(&e)),
    };
    Ok((flow, line - 1))
}

/// The size of a chunk of lines handed to a worker.
const CHUNK: usize = 4 << 20;

/// A chunk: its position, the number of its first line, its bytes (whole lines).
type Chunk = (usize, u64, Vec<u8>);

/// A worker's message with its place: chunk, then order within the chunk.
type Placed = (usize, usize, Held);

/// The lines of an NDJSON source on several threads: the calling thread cuts the input into
/// chunks of whole lines, the workers take them as they come, and are joined into `sink` at
/// the end (exact for a [`Fork`]). Messages are reported afterwards, in input order.
fn parallel<S: Fork>(
    sink: &mut S,
    workers: Vec<S>,
    mut src: Box<dyn Read>,
    head: Vec<u8>,
    name: &str,
    report: &mut Reporter,
) -> io::Result<(Flow, u64)> {
    let jobs = workers.len();
    let (tx, rx) = mpsc::sync_channel::<Chunk>(jobs * 2);
    let rx = Mutex::new(rx);
    let template = report.holding();
    let (results, read_err, lines) = std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .map(|mut w| {
                let rx = &rx;
                let mut messages = template.holding();
                scope.spawn(move || {
                    let mut held: Vec<Placed> = Vec::new();
                    loop {
                        let next = rx.lock().map(|r| r.recv()).unwrap_or_else(|p| p.into_inner().recv());
                        let Ok((seq, first, data)) = next else { break };
                        let mut line = first;
                        if let Err(e) = w.lines(&data, name, &mut line, &mut messages) {
                            messages.error(&name, &format_args!("{e}"));
                        }
                        held.extend(messages.take_held().into_iter().enumerate().map(|(i, m)| (seq, i, m)));
                    }
                    (w, held)
                })
            })
            .collect();
        // Whole lines into chunks, handed out.
        let mut buf = head;
        let mut seq = 0;
        let mut line = 1u64;
        let mut eof = false;
        let mut read_err = None;
        while !eof {
            let start = buf.len();
            buf.resize(start + CHUNK, 0);
            let mut filled = start;
            while filled < buf.len() {
                match src.read(&mut buf[filled..]) {
                    Ok(0) => {
                        eof = true;
                        break;
                    }
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        read_err = Some(e);
                        eof = true;
                        break;
                    }
                }
            }
            buf.truncate(filled);
            let cut = if eof { buf.len() } else { memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1) };
            if cut == 0 {
                continue;
            }
            let rest = buf.split_off(cut);
            let lines_in = memchr::memchr_iter(b'\n', &buf).count() as u64;
            let ends_open = buf.last() != Some(&b'\n');
            if tx.send((seq, line, std::mem::replace(&mut buf, rest))).is_err() {
                break;
            }
            seq += 1;
            line += lines_in + u64::from(ends_open);
        }
        drop(tx);
        let results: Vec<(S, Vec<Placed>)> = handles.into_iter().filter_map(|h| h.join().ok()).collect();
        (results, read_err, line - 1)
    });
    let mut held = Vec::new();
    for (w, h) in results {
        sink.join(w);
        held.extend(h);
    }
    held.sort_by_key(|(seq, i, _)| (*seq, *i));
    let mut flow = report.replay(held.into_iter().map(|(_, _, h)| h));
    if let Some(e) = read_err {
        // The lines before the failure still count, as when reading on one thread.
        flow = report.error(&name, &Failed::Read(&e));
    }
    Ok((flow, lines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Keeps what it is handed, as text: `L name:n text` for lines, `E text` for events.
    #[derive(Default)]
    struct Keep {
        got: Vec<String>,
        forked: bool,
    }

    impl Sink for Keep {
        fn event(&mut self, json: &[u8], _: &mut Reporter) -> io::Result<Flow> {
            self.got.push(format!("E {}", String::from_utf8_lossy(json)));
            Ok(Flow::Continue)
        }
        fn line(&mut self, text: &[u8], place: LinePlace<'_>, report: &mut Reporter) -> io::Result<Flow> {
            if text.starts_with(b"bad") {
                return Ok(report.error(&place, &"a bad line"));
            }
            self.got.push(format!(
                "L {}:{} {}",
                place.0.rsplit('/').next().unwrap_or(""),
                place.1,
                String::from_utf8_lossy(text)
            ));
            Ok(Flow::Continue)
        }
    }

    impl Fork for Keep {
        fn fork(&self) -> Option<Self> {
            Some(Keep { got: Vec::new(), forked: true })
        }
        fn join(&mut self, worker: Self) {
            assert!(worker.forked);
            self.got.extend(worker.got);
        }
    }

    fn reporter(strict: bool) -> Reporter {
        let mut r = Reporter::new("ct-test");
        r.strict = strict;
        r
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// A directory of: an NDJSON file, a gzip delivery file, an NDJSON file with a bad line.
    fn inputs() -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("a.ndjson"), "{\"eventName\":\"A1\"}\n\n{\"eventName\":\"A2\"}\n").unwrap();
        fs::write(d.join("b.json.gz"), gz(b"{\"Records\":[{\"eventName\":\"B1\"},{\"eventName\":\"B2\"}]}")).unwrap();
        fs::write(d.join("c.ndjson"), "{\"eventName\":\"C1\"}\nbad\n{\"eventName\":\"C3\"}\n").unwrap();
        fs::write(d.join("d.ndjson"), "{\"eventName\":\"D1\"}\n").unwrap();
        let paths = ["a.ndjson", "b.json.gz", "c.ndjson", "d.ndjson"].map(|f| d.join(f)).to_vec();
        (dir, paths)
    }

    #[test]
    fn lines_come_as_lines_and_other_shapes_as_events_in_input_order() {
        let (_dir, paths) = inputs();
        let mut keep = Keep::default();
        let mut report = reporter(false);
        let totals = run(&paths, 2, &mut keep, &mut report).unwrap();
        assert_eq!(
            keep.got,
            [
                "L a.ndjson:1 {\"eventName\":\"A1\"}",
                "L a.ndjson:3 {\"eventName\":\"A2\"}",
                "E {\"eventName\":\"B1\"}",
                "E {\"eventName\":\"B2\"}",
                "L c.ndjson:1 {\"eventName\":\"C1\"}",
                "L c.ndjson:3 {\"eventName\":\"C3\"}",
                "L d.ndjson:1 {\"eventName\":\"D1\"}",
            ]
        );
        assert_eq!(report.errors, 1);
        assert_eq!((totals.files, totals.events, totals.lines, totals.stopped), (4, 2, 7, false));
    }

    #[test]
    fn strict_stops_at_the_first_bad_input_and_reads_no_further_source() {
        let (dir, paths) = inputs();
        let mut keep = Keep::default();
        let mut report = reporter(true);
        let totals = run(&paths, 1, &mut keep, &mut report).unwrap();
        assert!(totals.stopped);
        assert_eq!(report.errors, 1);
        assert_eq!(keep.got.last().map(String::as_str), Some("L c.ndjson:1 {\"eventName\":\"C1\"}"));

        // A bad file for the common reader stops the NDJSON files after it too.
        fs::write(dir.path().join("b.json.gz"), b"\x1f\x8b\x08\x00garbage").unwrap();
        let mut keep = Keep::default();
        let mut report = reporter(true);
        assert!(run(&paths, 2, &mut keep, &mut report).unwrap().stopped);
        assert!(keep.got.iter().all(|g| g.contains("A")), "{:?}", keep.got);
        assert_eq!(report.errors, 1);
    }

    #[test]
    fn forked_lines_give_what_one_thread_gives_and_messages_keep_their_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.ndjson");
        // Larger than several chunks, with bad lines spread over it and no final newline.
        let mut text = String::new();
        for i in 0..400_000 {
            if i % 100_000 == 7 {
                text.push_str("bad\n");
            } else {
                text.push_str(&format!("{{\"eventName\":\"E{i}\"}}\n"));
            }
        }
        text.pop();
        fs::write(&path, &text).unwrap();
        let paths = vec![path];
        let mut one = Keep::default();
        let mut r1 = reporter(false);
        let t1 = run_forked(&paths, 1, &mut one, &mut r1).unwrap();
        let mut four = Keep::default();
        let mut r4 = reporter(false);
        let t4 = run_forked(&paths, 4, &mut four, &mut r4).unwrap();
        four.got
            .sort_by_key(|g| g.split(' ').nth(1).and_then(|p| p.split(':').nth(1)).and_then(|n| n.parse::<u64>().ok()));
        assert_eq!(one.got.len(), 400_000 - 4);
        assert_eq!(one.got, four.got);
        assert_eq!((r1.errors, r4.errors), (4, 4));
        assert_eq!((t1.lines, t4.lines), (400_000, 400_000));

        // Under --strict the lines stay on one thread, so that the first bad one stops them.
        let mut strict = Keep::default();
        let mut rs = reporter(true);
        assert!(run_forked(&paths, 4, &mut strict, &mut rs).unwrap().stopped);
        assert_eq!(strict.got.len(), 7);
    }

    #[test]
    fn a_container_on_one_line_goes_through_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.ndjson");
        fs::write(&path, "{\"eventTime\":\"t\",\"eventName\":\"A\"}\n{\"Records\":[{\"eventName\":\"B\"}]}\n").unwrap();
        /// Leaves every line to the reader, as a sink that only wants events does.
        #[derive(Default)]
        struct Events(Vec<String>);
        impl Sink for Events {
            fn event(&mut self, json: &[u8], _: &mut Reporter) -> io::Result<Flow> {
                self.0.push(String::from_utf8_lossy(json).into_owned());
                Ok(Flow::Continue)
            }
        }
        let mut ev = Events::default();
        run(&[path], 1, &mut ev, &mut reporter(false)).unwrap();
        assert_eq!(ev.0, ["{\"eventTime\":\"t\",\"eventName\":\"A\"}", "{\"eventName\":\"B\"}"]);
    }
}
