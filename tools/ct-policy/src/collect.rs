//! What ct-policy reads: action records (from ct-actions), plain `service:Action` lines, and,
//! for check and unused, events, each evaluated as it comes. The sources, their shapes,
//! `--strict` and the messages are the common input loop's (`ct_common::input::run`).

use std::io;

use ct_common::Error;
use ct_common::cli::InputArgs;
use ct_common::input::{self, Flow, Lines, Sink};
use ct_common::lines::LinePlace;
use ct_common::report::Reporter;
use ct_iam::authorize::PolicySet;
use ct_iam::{Catalog, Event};
use ct_record::{ActionRecord, Wire};

use crate::check::Gate;

/// What the inputs held: events, action records, plain action names.
pub(crate) struct Collect<'p> {
    pub records: Vec<ActionRecord>,
    pub events: u64,
    /// For check and unused: the gate that evaluates events as they come, with its policies.
    /// Without one (generate), an event is an error: it needs ct-actions first.
    pub gate: Option<(&'p PolicySet, Gate)>,
}

impl<'p> Collect<'p> {
    /// Action records and action lines only.
    pub fn records() -> Self {
        Collect { records: Vec::new(), events: 0, gate: None }
    }

    /// Events too, each evaluated by `gate` against `policies`.
    pub fn gated(policies: &'p PolicySet, gate: Gate) -> Self {
        Collect { records: Vec::new(), events: 0, gate: Some((policies, gate)) }
    }

    /// Reads every input; bad ones are reported, and under `--strict` end the reading.
    pub fn read(&mut self, inputs: &InputArgs, report: &mut Reporter) -> Result<(), Error> {
        input::run(&inputs.paths, inputs.jobs(), self, report)?;
        Ok(())
    }
}

impl Sink for Collect<'_> {
    /// `service:Action` lines are plain text.
    const LINES: Lines = Lines::Text;

    fn line(&mut self, text: &[u8], place: LinePlace<'_>, report: &mut Reporter) -> io::Result<Flow> {
        let t = std::str::from_utf8(text).unwrap_or("").trim();
        if !t.starts_with('{') {
            // A plain `service:Action` line.
            let ok = t.split_once(':').is_some_and(|(s, a)| {
                !s.is_empty() && !a.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            if !ok {
                return Ok(report.error(&place, &"expected an action record, an event or a service:Action line"));
            }
            let mut r = ActionRecord::new(t);
            r.count = 1;
            r.known = Catalog::get().action_named(t).is_some();
            r.inferred = false;
            self.records.push(r);
            return Ok(Flow::Continue);
        }
        if ct_common::event::top_level_str(text, "action").is_some() {
            return Ok(match serde_json::from_slice::<Wire>(text) {
                Ok(w) => {
                    self.records.push(ActionRecord::from_wire(w, usize::MAX));
                    Flow::Continue
                }
                Err(e) => report.error(&place, &format_args!("bad action record: {e}")),
            });
        }
        // An event, or a container of events.
        input::document(self, text, &place, report)
    }

    fn event(&mut self, json: &[u8], report: &mut Reporter) -> io::Result<Flow> {
        let Some((policies, gate)) = &mut self.gate else {
            return Ok(report.error(&"event", &"events need ct-actions first: ct-actions | ct-policy"));
        };
        match Event::parse(json) {
            Ok(ev) => {
                self.events += 1;
                gate.event(policies, &ev);
                Ok(Flow::Continue)
            }
            Err(e) => Ok(report.error(&"event", &format_args!("not a CloudTrail event: {e}"))),
        }
    }
}
