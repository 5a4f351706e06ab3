//! Which requests a lookup sends: LookupEvents takes one lookup attribute with one exact value
//! per request (API reference, LookupEvents, "LookupAttributes": "currently the list can
//! contain only one item"), so one attribute of those given is sent and every option is
//! applied to what comes back with ct-filter's own predicates.

use ct_common::glob::Glob;
use ct_common::time::Time;
use ct_filter::LookupArgs;
use ct_filter::predicate::event_sources;

/// A lookup attribute key of the API (LookupAttribute.AttributeKey).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    EventId,
    AccessKeyId,
    Username,
    EventName,
    EventSource,
    ReadOnly,
}

impl Key {
    /// The key as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Key::EventId => "EventId",
            Key::AccessKeyId => "AccessKeyId",
            Key::Username => "Username",
            Key::EventName => "EventName",
            Key::EventSource => "EventSource",
            Key::ReadOnly => "ReadOnly",
        }
    }
}

/// One stream of pages: a region, the window, and at most one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub region: String,
    pub attribute: Option<(Key, String)>,
    pub start: Time,
    pub end: Time,
    /// Insights events (EventCategory "insight") instead of management events.
    pub insights: bool,
}

impl Query {
    /// The request as an error message names it: `EventName=ConsoleLogin,
    /// 2017-06-01T00:00:00Z to 2017-06-02T00:00:00Z`.
    pub fn describe(&self) -> String {
        let what = match &self.attribute {
            Some((k, v)) => format!("{}={v}, ", k.as_str()),
            None => String::new(),
        };
        let insights = if self.insights { ", insights" } else { "" };
        format!("{what}{} to {}{insights}", self.start.to_iso(), self.end.to_iso())
    }
}

/// The attribute sent, with its values (one request stream each), or `None` (the whole window
/// is read). Only attributes whose values are all exact qualify (the API has no wildcards), and
/// only those AWS compares as ct-filter does, in the order of how few events a value usually
/// selects. --resource-type and --resource-name are never sent: AWS matches them against the
/// resources it associates with an event, which is not ct-filter's rule (resources[] and the
/// resources the request names), so sending them could drop events that ct-filter keeps.
pub fn attribute(args: &LookupArgs) -> Option<(Key, Vec<String>)> {
    let exact = |values: &[String]| !values.is_empty() && values.iter().all(|v| !Glob::new(v).is_wild());
    let sources = event_sources(&args.event_source);
    let candidates = [
        (Key::EventId, &args.event_id),
        (Key::AccessKeyId, &args.access_key_id),
        (Key::Username, &args.user),
        (Key::EventName, &args.event_name),
        (Key::EventSource, &sources),
    ];
    for (key, values) in candidates {
        if exact(values) {
            let mut values = values.clone();
            values.sort();
            values.dedup();
            return Some((key, values));
        }
    }
    args.read_only.map(|b| (Key::ReadOnly, vec![b.to_string()]))
}

/// The queries: each region with each value of the attribute sent.
pub fn queries(
    regions: &[String],
    attribute: Option<&(Key, Vec<String>)>,
    start: Time,
    end: Time,
    insights: bool,
) -> Vec<Query> {
    let mut out = Vec::new();
    for region in regions {
        let query = |attribute| Query { region: region.clone(), attribute, start, end, insights };
        match attribute {
            Some((key, values)) => out.extend(values.iter().map(|v| query(Some((*key, v.clone()))))),
            None => out.push(query(None)),
        }
    }
    out
}

/// What --dry-run says: the least a window costs. Each request returns up to 50 events and a
/// region takes two requests a second, so 100 events a second per region is the most.
pub fn dry_run(queries: &[Query], regions: usize) -> String {
    let n = queries.len();
    let per_region = n.div_ceil(regions.max(1));
    let secs = per_region.saturating_sub(1) as f64 / 2.0;
    format!(
        "{n} {} ({regions} {}): at least {n} {}, {secs:.1} s at two requests a second per region; \
         each request returns up to 50 events, so a region gives at most 100 events a second (360,000 an hour)",
        if n == 1 { "lookup" } else { "lookups" },
        if regions == 1 { "region" } else { "regions" },
        if n == 1 { "request" } else { "requests" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(f: impl FnOnce(&mut LookupArgs)) -> LookupArgs {
        let mut a = LookupArgs::default();
        f(&mut a);
        a
    }

    #[test]
    fn the_most_selective_exact_attribute_is_sent() {
        let a = args(|a| {
            a.event_name = vec!["ConsoleLogin".into()];
            a.user = vec!["alice".into()];
        });
        assert_eq!(attribute(&a), Some((Key::Username, vec!["alice".into()])));
        // A glob cannot be sent: the next attribute is.
        let a = args(|a| {
            a.event_name = vec!["ConsoleLogin".into()];
            a.user = vec!["al*".into()];
        });
        assert_eq!(attribute(&a), Some((Key::EventName, vec!["ConsoleLogin".into()])));
        // Several values: one stream each, sorted, once each.
        let a = args(|a| a.event_name = vec!["RunInstances".into(), "CreateStack".into(), "RunInstances".into()]);
        assert_eq!(attribute(&a), Some((Key::EventName, vec!["CreateStack".into(), "RunInstances".into()])));
        // `ec2` is sent as the event source ct-filter compares.
        let a = args(|a| a.event_source = vec!["ec2".into()]);
        assert_eq!(attribute(&a), Some((Key::EventSource, vec!["ec2.amazonaws.com".into()])));
        let a = args(|a| a.read_only = Some(false));
        assert_eq!(attribute(&a), Some((Key::ReadOnly, vec!["false".into()])));
    }

    #[test]
    fn resources_and_globs_alone_read_the_whole_window() {
        let a = args(|a| {
            a.resource_name = vec!["webapp-prod".into()];
            a.resource_type = vec!["AWS::CloudFormation::Stack".into()];
            a.event_name = vec!["Create*".into()];
        });
        assert_eq!(attribute(&a), None);
    }

    #[test]
    fn a_query_per_region_and_value() {
        let (s, e) = (Time::from_secs(0), Time::from_secs(60));
        let attr = (Key::EventName, vec!["A".to_string(), "B".to_string()]);
        let q = queries(&["r1".into(), "r2".into()], Some(&attr), s, e, false);
        let got: Vec<_> = q.iter().map(|q| (q.region.as_str(), q.attribute.as_ref().unwrap().1.as_str())).collect();
        assert_eq!(got, [("r1", "A"), ("r1", "B"), ("r2", "A"), ("r2", "B")]);
        assert_eq!(q[0].describe(), "EventName=A, 1970-01-01T00:00:00Z to 1970-01-01T00:01:00Z");
        assert_eq!(
            queries(&["r1".into()], None, s, e, true)[0].describe(),
            "1970-01-01T00:00:00Z to 1970-01-01T00:01:00Z, insights"
        );
        assert!(dry_run(&q, 2).starts_with("4 lookups (2 regions): at least 4 requests, 0.5 s"), "{}", dry_run(&q, 2));
    }
}
