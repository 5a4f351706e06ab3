//! NDJSON on several threads: the calling thread cuts the input into chunks of whole lines,
//! workers map and aggregate them, and the aggregates are merged, which is exact (see
//! record.rs). Messages are reported afterwards in input order.

use std::io::{self, Read};
use std::sync::{Mutex, mpsc};

use ct_common::Flow;

use crate::State;

const CHUNK: usize = 4 << 20;

/// A chunk: its position, the line number of its first line, its bytes.
type Chunk = (usize, u64, Vec<u8>);

/// A message with its place in the input: chunk, order within the chunk, (error?, place, text).
type Placed = (usize, u64, (bool, String, String));

pub(crate) fn lines<R: Read>(
    mut src: R,
    head: Vec<u8>,
    name: &str,
    jobs: usize,
    state: &mut State<'_>,
) -> io::Result<Flow> {
    let (tx, rx) = mpsc::sync_channel::<Chunk>(jobs * 2);
    let rx = Mutex::new(rx);
    let template = state.worker();
    let results: Vec<(State<'static>, Vec<Placed>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs)
            .map(|_| {
                let rx = &rx;
                let mut w = template.worker();
                scope.spawn(move || {
                    let mut msgs = Vec::new();
                    loop {
                        let next = rx.lock().map(|r| r.recv()).unwrap_or_else(|p| p.into_inner().recv());
                        let Ok((seq, first, data)) = next else { break };
                        let res = ct_common::lines::batches(&data[..], Vec::new(), crate::BATCH, |b| {
                            w.lines(b, name, first - 1)
                        });
                        if let Err(e) = res {
                            w.msgs.error(&name, &format_args!("{e}"));
                        }
                        if let crate::Msgs::Collect { list, .. } = &mut w.msgs {
                            msgs.extend(list.drain(..).enumerate().map(|(i, m)| (seq, i as u64, m)));
                        }
                    }
                    (w, msgs)
                })
            })
            .collect();
        // Read whole lines into chunks and hand them out.
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
            if tx.send((seq, line, std::mem::replace(&mut buf, rest))).is_err() {
                break;
            }
            seq += 1;
            line += lines_in;
        }
        drop(tx);
        let out = handles.into_iter().filter_map(|h| h.join().ok()).collect();
        if let Some(e) = read_err {
            return Err(e);
        }
        Ok(out)
    })?;
    let mut msgs = Vec::new();
    for (w, m) in results {
        state.absorb(w);
        msgs.extend(m);
    }
    msgs.sort_by_key(|(seq, i, _)| (*seq, *i));
    for (_, _, (is_error, place, msg)) in msgs {
        if is_error {
            state.msgs.error(&place, &msg);
        } else {
            state.msgs.note(&place, &msg);
        }
    }
    Ok(Flow::Continue)
}
