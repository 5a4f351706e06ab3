//! The NDJSON fast path: lines straight from the input buffer, whole stretches of lines
//! skipped by one literal search when the prefilter allows it.

use std::io;

use ct_common::Flow;
use ct_common::input::Sink;
use ct_common::lines::LinePlace;
use ct_common::report::Reporter;
use memchr::{memchr, memchr_iter, memrchr};

use crate::Select;

/// Filters the lines of `r`, all complete (the last may lack its newline only at the end of
/// input), numbered from `line` on.
pub fn region(r: &[u8], line: &mut u64, sink: &mut Select<'_>, name: &str, report: &mut Reporter) -> io::Result<Flow> {
    let mut pos = 0;
    while pos < r.len() {
        // Checked at each line: the first match may allow skipping from then on.
        if sink.can_skip() {
            // One search over many lines: the lines before the first candidate cannot match,
            // unless an escape could hide the literal in them.
            let (stretch_end, next) = match sink.filter.prefilter.next_candidate(&r[pos..]) {
                None => (r.len(), None),
                Some(off) => {
                    let ls = memrchr(b'\n', &r[pos..pos + off]).map_or(pos, |i| pos + i + 1);
                    (ls, Some(ls))
                }
            };
            let stretch = &r[pos..stretch_end];
            if !stretch.is_empty() {
                if sink.filter.prefilter.first_group_hidden(stretch) {
                    for one in stretch.split_inclusive(|&b| b == b'\n') {
                        if one_line(one, line, sink, name, report)? == Flow::Stop {
                            return Ok(Flow::Stop);
                        }
                    }
                } else {
                    let ends = memchr_iter(b'\n', stretch).count() as u64;
                    *line += ends;
                    // Skipped lines are events read all the same (--stats counts them); a last
                    // line without its newline is one more.
                    sink.read += ends + u64::from(stretch.last() != Some(&b'\n'));
                }
            }
            pos = stretch_end;
            if next.is_none() {
                break;
            }
        }
        let end = memchr(b'\n', &r[pos..]).map_or(r.len(), |i| pos + i + 1);
        if one_line(&r[pos..end], line, sink, name, report)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
        pos = end;
    }
    Ok(Flow::Continue)
}

fn one_line(raw: &[u8], line: &mut u64, sink: &mut Select<'_>, name: &str, report: &mut Reporter) -> io::Result<Flow> {
    let n = *line;
    if raw.last() == Some(&b'\n') {
        *line += 1;
    }
    let text = raw.strip_suffix(b"\n").unwrap_or(raw);
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Flow::Continue);
    }
    sink.line(text, LinePlace(name, n), report)
}
