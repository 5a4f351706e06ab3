//! Reading many sources, on several threads when asked, with output identical to one thread.
//!
//! Workers read whole files into recordings (the events' bytes and the messages, in order);
//! the calling thread replays the recordings in input order through the real `Visit`, so
//! ordering, `--strict` and any per-event logic (dedupe, filtering) behave exactly as when
//! reading sequentially. Stdin and very large files are read by the calling thread itself,
//! streaming, so that memory stays bounded.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use super::{Flow, ReadOptions, Reader, Source, SourceStats, Visit};

/// Files larger than this are read by the calling thread, streaming, never recorded.
const RECORD_LIMIT: u64 = 64 << 20;

/// What a whole run read.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Sources read (digest files included).
    pub files: u64,
    /// Of those, digest files (skipped: they hold no events).
    pub digests: u64,
    /// Events handed on by the common reader.
    pub events: u64,
    /// Lines of the NDJSON sources handed on line by line, as numbered (`input::run`).
    pub lines: u64,
    /// Reading ended early because the visitor asked to stop.
    pub stopped: bool,
}

impl Totals {
    pub(crate) fn add(&mut self, s: &SourceStats) {
        self.files += 1;
        self.digests += u64::from(s.digest);
        self.events += s.events;
    }
}

/// Reads every source in order with `jobs` threads (1 means the calling thread only).
pub fn drive(sources: &[Source], jobs: usize, opts: ReadOptions, visit: &mut dyn Visit) -> io::Result<Totals> {
    let parallel = sources.iter().filter(|s| matches!(s, Source::File(_))).count();
    if jobs <= 1 || parallel <= 1 {
        let mut reader = Reader::new(opts);
        let mut totals = Totals::default();
        for s in sources {
            let stats = reader.read(s, visit)?;
            totals.add(&stats);
            if stats.stopped {
                totals.stopped = true;
                break;
            }
        }
        return Ok(totals);
    }
    drive_parallel(sources, jobs, opts, visit)
}

fn inline(s: &Source) -> bool {
    match s {
        Source::Stdin => true,
        Source::File(p) => std::fs::metadata(p).map(|m| m.len() > RECORD_LIMIT).unwrap_or(false),
        Source::Bad { .. } => true,
    }
}

fn drive_parallel(sources: &[Source], jobs: usize, opts: ReadOptions, visit: &mut dyn Visit) -> io::Result<Totals> {
    let inline: Vec<bool> = sources.iter().map(inline).collect();
    let next = AtomicUsize::new(0);
    let abort = AtomicBool::new(false);
    // How far the replay has got; workers keep at most `window` sources ahead of it.
    let replayed = Mutex::new(0usize);
    let moved = Condvar::new();
    let window = 2 * jobs + 2;
    let (tx, rx) = mpsc::channel::<(usize, Recording)>();

    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, abort, replayed, moved, inline) = (&next, &abort, &replayed, &moved, &inline);
            scope.spawn(move || {
                let mut reader = Reader::new(opts);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= sources.len() || abort.load(Ordering::Relaxed) {
                        return;
                    }
                    if inline[i] {
                        continue;
                    }
                    {
                        let mut done = replayed.lock().unwrap_or_else(|p| p.into_inner());
                        while i >= *done + window && !abort.load(Ordering::Relaxed) {
                            done = moved.wait(done).unwrap_or_else(|p| p.into_inner());
                        }
                    }
                    if abort.load(Ordering::Relaxed) {
                        return;
                    }
                    let mut rec = Recording::default();
                    // A recording never fails: it only appends to memory.
                    rec.stats = reader.read(&sources[i], &mut rec).unwrap_or_default();
                    if tx.send((i, rec)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);

        let mut reader = Reader::new(opts);
        let mut pending: BTreeMap<usize, Recording> = BTreeMap::new();
        let mut totals = Totals::default();
        let result = (|| {
            for (i, source) in sources.iter().enumerate() {
                let stats = if inline[i] {
                    reader.read(source, visit)?
                } else {
                    let rec = loop {
                        if let Some(r) = pending.remove(&i) {
                            break r;
                        }
                        match rx.recv() {
                            Ok((j, r)) => {
                                pending.insert(j, r);
                            }
                            Err(_) => return Err(io::Error::other("a reader thread ended early")),
                        }
                    };
                    rec.replay(visit)?
                };
                totals.add(&stats);
                *replayed.lock().unwrap_or_else(|p| p.into_inner()) = i + 1;
                moved.notify_all();
                if stats.stopped {
                    totals.stopped = true;
                    break;
                }
            }
            Ok(totals)
        })();
        abort.store(true, Ordering::Relaxed);
        moved.notify_all();
        drop(rx);
        result
    })
}

enum Rec {
    Event(usize),
    Error(String, String),
    Note(String, String),
}

/// One source's output held in memory: event bytes back to back, and the order of things.
#[derive(Default)]
struct Recording {
    data: Vec<u8>,
    items: Vec<Rec>,
    stats: SourceStats,
}

impl Visit for Recording {
    fn event(&mut self, json: &[u8]) -> io::Result<Flow> {
        self.data.extend_from_slice(json);
        self.items.push(Rec::Event(self.data.len()));
        Ok(Flow::Continue)
    }
    fn error(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) -> Flow {
        self.items.push(Rec::Error(place.to_string(), msg.to_string()));
        Flow::Continue
    }
    fn note(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) {
        self.items.push(Rec::Note(place.to_string(), msg.to_string()));
    }
}

impl Recording {
    fn replay(self, visit: &mut dyn Visit) -> io::Result<SourceStats> {
        let mut stats = self.stats;
        let mut start = 0;
        let mut events = 0;
        for item in &self.items {
            let flow = match item {
                Rec::Event(end) => {
                    events += 1;
                    let f = visit.event(&self.data[start..*end])?;
                    start = *end;
                    f
                }
                Rec::Error(place, msg) => visit.error(place, msg),
                Rec::Note(place, msg) => {
                    visit.note(place, msg);
                    Flow::Continue
                }
            };
            if flow == Flow::Stop {
                stats.stopped = true;
                stats.events = events;
                return Ok(stats);
            }
        }
        Ok(stats)
    }
}
