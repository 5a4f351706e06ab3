//! Why nothing matched: one line on stderr naming what came close.
//!
//! While no event has matched, each event read is looked at for the values of the fields the
//! predicates name (event names, users, regions, ...): how many events each predicate held for
//! on its own, the values that match without case, and the distinct values seen (at most `CAP`
//! per predicate, so that memory stays bounded; values already kept are still counted past
//! it). The first match ends the looking and frees what was kept. Only on a terminal or with
//! --verbose: scripts see nothing of it.

use std::collections::HashMap;

use ct_common::fields::Found;
use ct_common::glob::Glob;
use ct_common::time::{self, Time};

use crate::predicate::{Filter, Hinted};

/// Distinct values kept per predicate.
pub const CAP: usize = 4096;

/// Values shown per predicate.
const SHOWN: usize = 3;

/// What the events read so far say about the predicates.
pub struct Hints {
    fields: Vec<Field>,
    events: u64,
    /// The earliest and latest eventTime read, when a time predicate is given.
    span: Option<((Time, String), (Time, String))>,
}

struct Field {
    hinted: Hinted,
    exact: Vec<Glob>,
    folded: Vec<Glob>,
    /// Events the predicate held for on its own.
    held: u64,
    seen: HashMap<Box<str>, u64>,
    /// Values that match a value of the predicate only without case, with their counts.
    nocase: Vec<(Box<str>, u64)>,
}

impl Hints {
    pub fn new(filter: &Filter) -> Hints {
        let fields = filter
            .hinted
            .iter()
            .map(|h| Field {
                exact: h.values.iter().map(|v| Glob::new(v)).collect(),
                folded: h.values.iter().map(|v| Glob::new_ignore_case(v)).collect(),
                hinted: h.clone(),
                held: 0,
                seen: HashMap::new(),
                nocase: Vec::new(),
            })
            .collect();
        Hints { fields, events: 0, span: None }
    }

    /// Counts one event that did not match, whose fields `filter` read into `found`.
    pub fn record(&mut self, filter: &Filter, found: &Found<'_>) {
        self.events += 1;
        let mut vals = Vec::new();
        for field in &mut self.fields {
            filter.values(&field.hinted.reader, found, &mut vals);
            let mut held = false;
            for &v in &vals {
                if field.exact.iter().any(|g| g.is_match(v)) {
                    held = true;
                } else if field.folded.iter().any(|g| g.is_match(v)) {
                    match field.nocase.iter().position(|(k, _)| &**k == v) {
                        Some(i) => field.nocase[i].1 += 1,
                        // Bounded too: an ignore-case glob can match many values.
                        None if field.nocase.len() < CAP => field.nocase.push((v.into(), 1)),
                        None => {}
                    }
                }
                if let Some(n) = field.seen.get_mut(v) {
                    *n += 1;
                } else if field.seen.len() < CAP {
                    field.seen.insert(v.into(), 1);
                }
            }
            field.held += u64::from(held);
        }
        if let Some(t) = filter.time_path.and_then(|p| found.str(p))
            && let Some(at) = time::parse_event_time(t)
        {
            match &mut self.span {
                None => self.span = Some(((at, t.to_string()), (at, t.to_string()))),
                Some((first, last)) => {
                    if at < first.0 {
                        *first = (at, t.to_string());
                    }
                    if at > last.0 {
                        *last = (at, t.to_string());
                    }
                }
            }
        }
    }

    /// The line to print when nothing matched: `no event matched; ...`.
    pub fn message(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.events == 0 {
            return "no event matched: the input held no events".to_string();
        }
        for f in self.fields.iter().filter(|f| f.held == 0) {
            parts.push(f.why());
        }
        if parts.is_empty() && !self.fields.is_empty() {
            // "on its own, --event-name matches 5 events and --user 113 events; ..."
            let each: Vec<String> = self
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| format!("{}{} {}", f.hinted.option, if i == 0 { " matches" } else { "" }, events(f.held)))
                .collect();
            parts.push(format!("on its own, {}; no event matches every predicate", each.join(" and ")));
        }
        if let Some(((_, first), (_, last))) = &self.span {
            parts.push(format!("the events read are from {first} to {last}"));
        }
        if parts.is_empty() {
            return format!("no event matched ({} read)", events(self.events));
        }
        format!("no event matched; {}", parts.join("; "))
    }
}

fn events(n: u64) -> String {
    ct_common::report::plural(n, "event", "events")
}

impl Field {
    /// What came close to a predicate that held for no event.
    fn why(&self) -> String {
        let option = self.hinted.option;
        if !self.nocase.is_empty() {
            let mut close = self.nocase.clone();
            close.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let shown: Vec<String> = close
                .iter()
                .take(SHOWN)
                .map(|(v, n)| format!("{v} matches {option} without case ({})", events(*n)))
                .collect();
            return shown.join("; ");
        }
        let given = self.hinted.values.join(", ");
        let mut near: Vec<(usize, &str, u64)> = Vec::new();
        for (v, &n) in &self.seen {
            let best = self.exact.iter().filter(|g| !g.is_wild()).filter_map(|g| close_to(g.as_str(), v)).min();
            if let Some(d) = best {
                near.push((d, v, n));
            }
        }
        near.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)).then(a.1.cmp(b.1)));
        if !near.is_empty() {
            let shown: Vec<String> = near.iter().take(SHOWN).map(|(_, v, n)| format!("{v} ({})", events(*n))).collect();
            return format!("{option} {given} matched no event; the nearest values seen: {}", shown.join(", "));
        }
        if self.seen.is_empty() {
            return format!("{option} {given} matched no event; no event has the field");
        }
        if self.seen.len() <= 2 * SHOWN {
            let mut all: Vec<(&str, u64)> = self.seen.iter().map(|(v, &n)| (&**v, n)).collect();
            all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let shown: Vec<String> = all.iter().map(|(v, n)| format!("{v} ({})", events(*n))).collect();
            return format!("{option} {given} matched no event; the values seen: {}", shown.join(", "));
        }
        format!("{option} {given} matched no event, nor any value close to it")
    }
}

/// The edit distance between `given` and `seen` (ignoring case; a swap of two neighbours
/// counts once), when small enough for `seen` to be what was meant.
pub fn close_to(given: &str, seen: &str) -> Option<usize> {
    let a: Vec<char> = given.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = seen.chars().flat_map(char::to_lowercase).collect();
    let limit = match a.len() {
        0..=4 => 1,
        5..=10 => 2,
        _ => 3,
    };
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let d = distance(&a, &b);
    (d <= limit).then_some(d)
}

/// Optimal string alignment distance.
fn distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predicate::Spec;

    const NOW: Time = Time { secs: 1_496_325_600, nanos: 0 };

    fn hints(spec: Spec, lines: &[&str]) -> String {
        let filter = Filter::new(&spec, NOW).unwrap();
        let mut h = Hints::new(&filter);
        for l in lines {
            let mut found = Found::default();
            filter.test(l.as_bytes(), &mut found).unwrap();
            h.record(&filter, &found);
        }
        h.message()
    }

    #[test]
    fn distances_allow_a_slip_or_two() {
        assert_eq!(close_to("ap-southeast2", "ap-southeast-2"), Some(1));
        assert_eq!(close_to("alcie", "alice"), Some(1), "a swap counts once");
        assert_eq!(close_to("RunInstance", "runinstances"), Some(1));
        assert_eq!(close_to("us-east-1", "us-east-2"), Some(1));
        assert_eq!(close_to("us-east-1", "eu-west-1"), None);
        assert_eq!(close_to("bob", "alice"), None);
        assert_eq!(close_to("ConsoleLogin", "GetObject"), None);
    }

    #[test]
    fn names_what_came_close() {
        let ev = |name: &str, region: &str| format!(r#"{{"eventName":"{name}","awsRegion":"{region}"}}"#);
        let (a, b, c) =
            (ev("ConsoleLogin", "us-east-1"), ev("ConsoleLogin", "us-east-1"), ev("GetObject", "ap-southeast-2"));
        let lines = [a.as_str(), b.as_str(), c.as_str()];
        let spec = |f: fn(&mut Spec)| {
            let mut s = Spec::default();
            f(&mut s);
            s
        };
        assert_eq!(
            hints(spec(|s| s.event_name = vec!["consolelogin".into()]), &lines),
            "no event matched; ConsoleLogin matches --event-name without case (2 events)"
        );
        assert_eq!(
            hints(spec(|s| s.region = vec!["ap-southeast2".into()]), &lines),
            "no event matched; --region ap-southeast2 matched no event; the nearest values seen: ap-southeast-2 (1 event)"
        );
        assert_eq!(
            hints(spec(|s| s.region = vec!["eu-central-2".into()]), &lines),
            "no event matched; --region eu-central-2 matched no event; the values seen: us-east-1 (2 events), ap-southeast-2 (1 event)"
        );
        assert_eq!(
            hints(spec(|s| s.user = vec!["alice".into()]), &lines),
            "no event matched; --user alice matched no event; no event has the field"
        );
        let both = spec(|s| {
            s.event_name = vec!["GetObject".into()];
            s.region = vec!["us-east-1".into()];
        });
        assert_eq!(
            hints(both, &lines),
            "no event matched; on its own, --event-name matches 1 event and --region 2 events; no event matches every predicate"
        );
        assert_eq!(hints(Spec::default(), &[]), "no event matched: the input held no events");
    }

    #[test]
    fn users_as_the_console_shows_them_and_the_time_span() {
        let l1 = r#"{"eventTime":"2017-06-01T09:00:00Z","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/alice","userName":"alice"}}"#;
        let l2 = r#"{"eventTime":"2017-06-02T10:00:00Z","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/bob","userName":"bob"}}"#;
        let spec = Spec { user: vec!["Alice".into()], start: Some("2017-01-01".into()), ..Spec::default() };
        assert_eq!(
            hints(spec, &[l1, l2]),
            "no event matched; alice matches --user without case (1 event); the events read are from 2017-06-01T09:00:00Z to 2017-06-02T10:00:00Z"
        );
    }

    #[test]
    fn distinct_values_are_capped() {
        let lines: Vec<String> = (0..CAP + 10).map(|i| format!(r#"{{"eventName":"E{i}"}}"#)).collect();
        let filter = Filter::new(&Spec { event_name: vec!["X".into()], ..Spec::default() }, NOW).unwrap();
        let mut h = Hints::new(&filter);
        for l in &lines {
            let mut found = Found::default();
            filter.test(l.as_bytes(), &mut found).unwrap();
            h.record(&filter, &found);
        }
        assert_eq!(h.fields[0].seen.len(), CAP);
        assert_eq!(h.events, (CAP + 10) as u64);
    }
}
