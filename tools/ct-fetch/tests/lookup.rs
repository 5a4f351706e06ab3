//! ct-fetch --lookup against the tests' LookupEvents server (support/lookup.rs), which keeps
//! the API's rules strictly, its two requests a second per region included: the wiki's
//! questions give the events the bucket gives, storms of throttling and server errors lose and
//! double nothing, an expired page token starts over without a gap, regions go at once.

mod support;

use std::io::Read;
use std::process::Output;
use std::time::{Duration, Instant};

use ct_common::time::{Time, TimeReader, Zone, parse_event_time};
use ct_filter::{Filter, LookupArgs, Spec, Verdict};
use support::lookup::{Fault, LookupServer, Options};

/// The server's now: just after the sample day, so that its events are in the 90 days.
const NOW: &str = "2017-06-03T00:00:00Z";

fn now() -> Time {
    parse_event_time(NOW).unwrap()
}

/// The sample trail's events (tests/data/bucket), each as its file holds it.
fn sample() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/bucket/AWSLogs");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.to_string_lossy().contains("/CloudTrail/") {
                files.push(p);
            }
        }
    }
    files.sort();
    #[derive(serde::Deserialize)]
    struct Delivery {
        #[serde(rename = "Records")]
        records: Vec<Box<serde_json::value::RawValue>>,
    }
    let mut out = Vec::new();
    for f in files {
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&f).unwrap()).read_to_string(&mut text).unwrap();
        let d: Delivery = serde_json::from_str(&text).unwrap();
        out.extend(d.records.into_iter().map(|r| r.get().to_string()));
    }
    out
}

fn server(events: Vec<String>) -> LookupServer {
    LookupServer::start(events, Options { now: now().secs, rate_per_sec: 2 })
}

/// ct-fetch against `s`, with the server's now as its own (CT_NOW).
fn fetch(s: &LookupServer) -> std::process::Command {
    let mut cmd = s.fetch();
    cmd.env("CT_NOW", NOW);
    cmd
}

/// What the event history of `region` holds that ct-filter selects with `args` in the window:
/// management events, each once, oldest first (ties by event ID, the server's order reversed).
fn expected(events: &[String], region: &str, args: &LookupArgs, start: &str, end: &str) -> Vec<String> {
    let spec = Spec { start: Some(start.into()), end: Some(end.into()), region: vec![region.into()], ..args.spec() };
    let filter = Filter::new(&spec, now()).unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<(Time, String, String)> = Vec::new();
    for e in events {
        let v: serde_json::Value = serde_json::from_str(e).unwrap();
        if v["eventCategory"] == "Data" || v["managementEvent"] == false || v["eventType"] == "AwsCloudTrailInsight" {
            continue;
        }
        let mut found = ct_common::fields::Found::default();
        if filter.test(e.as_bytes(), &mut found).unwrap() != Verdict::Match {
            continue;
        }
        let id = v["eventID"].as_str().unwrap().to_string();
        if seen.insert(id.clone()) {
            out.push((parse_event_time(v["eventTime"].as_str().unwrap()).unwrap(), id, e.clone()));
        }
    }
    out.sort();
    out.into_iter().map(|(_, _, e)| e).collect()
}

fn lines(out: &Output) -> Vec<String> {
    String::from_utf8(out.stdout.clone()).unwrap().lines().map(str::to_string).collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The ISO form of a time argument, as the tools read it (for `expected`).
fn iso(text: &str, end: bool) -> String {
    let r = TimeReader::new(now(), Zone::utc());
    if end { r.end(text).unwrap().to_iso() } else { r.start(text).unwrap().to_iso() }
}

#[test]
fn the_wikis_three_questions_give_the_events_the_bucket_gives() {
    let events = sample();
    let s = server(events.clone());
    let cases: [(&str, &[&str], LookupArgs, &str, &str); 3] = [
        // Who logged in to the console on 1 June.
        (
            "us-east-1",
            &["--event-name", "ConsoleLogin"],
            LookupArgs { event_name: vec!["ConsoleLogin".into()], ..Default::default() },
            "2017-06-01 12:00 AM",
            "2017-06-01 11:59 PM",
        ),
        // What alice did.
        (
            "us-east-1",
            &["--user", "alice"],
            LookupArgs { user: vec!["alice".into()], ..Default::default() },
            "2017-06-01",
            "2017-06-02",
        ),
        // Which stacks were created between 1 pm and 5 pm the next day.
        (
            "ap-southeast-2",
            &["--event-name", "CreateStack"],
            LookupArgs { event_name: vec!["CreateStack".into()], ..Default::default() },
            "2017-06-01 1:00 pm",
            "2017-06-02 5:00 pm",
        ),
    ];
    for (region, opts, args, start, end) in cases {
        let want = expected(&events, region, &args, &iso(start, false), &iso(end, true));
        assert!(!want.is_empty(), "{opts:?}");
        let out = fetch(&s)
            .args(["--lookup", "--region", region, "--start", start, "--end", end])
            .args(opts)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{opts:?}: {}", stderr(&out));
        assert_eq!(lines(&out), want, "{opts:?}");
    }
    // The attribute sent was the option's own.
    let mut sent: Vec<_> = s.requests().iter().map(|r| r.attribute.clone().unwrap()).collect();
    sent.dedup();
    assert_eq!(
        sent,
        [
            ("EventName".to_string(), "ConsoleLogin".to_string()),
            ("Username".into(), "alice".into()),
            ("EventName".into(), "CreateStack".into())
        ]
    );
}

#[test]
fn globs_and_resources_are_applied_to_what_the_whole_window_gives() {
    let events = sample();
    let s = server(events.clone());
    let args = LookupArgs {
        event_name: vec!["Create*".into()],
        resource_name: vec!["webapp-prod".into()],
        ..Default::default()
    };
    let (start, end) = ("2017-06-01T13:00:00Z", "2017-06-01T14:00:00Z");
    let want = expected(&events, "ap-southeast-2", &args, start, end);
    assert!(!want.is_empty());
    let out = fetch(&s)
        .args(["--lookup", "--region", "ap-southeast-2", "--start", start, "--end", end])
        .args(["--event-name", "Create*", "--resource-name", "webapp-prod"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(lines(&out), want);
    assert!(s.requests().iter().all(|r| r.attribute.is_none()), "a glob or a resource is never sent");
    assert!(stderr(&out).contains("returned by the API"), "{}", stderr(&out));
}

/// `n` events in `region`, a minute apart before the server's now.
fn synthetic(n: usize, region: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            let t = Time::from_secs(now().secs - 3600 - 60 * i as i64).to_iso();
            format!(
                r#"{{"eventVersion":"1.08","eventTime":"{t}","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"{region}","eventID":"{region}-{i:05}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333"}}"#
            )
        })
        .collect()
}

fn ids(out: &Output) -> Vec<String> {
    lines(out)
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["eventID"].as_str().unwrap().to_string())
        .collect()
}

/// The IDs of `synthetic(n, region)`, oldest first.
fn synthetic_ids(n: usize, region: &str) -> Vec<String> {
    (0..n).rev().map(|i| format!("{region}-{i:05}")).collect()
}

/// Waits until the server has answered `n` requests.
fn after_requests(s: &LookupServer, n: usize) {
    let t = Instant::now();
    while s.requests().len() < n {
        assert!(t.elapsed() < Duration::from_secs(30), "the server saw {} requests", s.requests().len());
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn storms_of_throttling_and_server_errors_lose_and_double_nothing() {
    let s = server(synthetic(260, "eu-west-1"));
    let child = fetch(&s)
        .args(["--lookup", "--region", "eu-west-1", "--start", "2017-06-01"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Mid-way, while pages go on with a NextToken.
    after_requests(&s, 2);
    s.fault(Fault::Throttle, 2);
    s.fault(Fault::ServerError, 2);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(ids(&out), synthetic_ids(260, "eu-west-1"));
    let reqs = s.requests();
    let kinds: Vec<&str> = reqs.iter().map(|r| r.outcome.kind()).collect();
    // The two throttles injected, and on a busy machine some of the rate's own (the server
    // sees arrivals late and bunched when it waits for a CPU).
    let throttled = kinds.iter().filter(|k| **k == "ThrottlingException").count();
    assert!(throttled >= 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k != "ok" && **k != "ThrottlingException").count(), 2, "{kinds:?}");
    // Every request after a refusal carried the token again.
    for w in reqs.windows(2) {
        if w[0].outcome.kind() != "ok" {
            assert_eq!(w[1].had_next_token, w[0].had_next_token, "{:?}", w);
        }
    }
    let err = stderr(&out);
    assert!(err.contains(&format!("{throttled} throttled")), "{err}");
    assert!(err.contains("260 events from 1 region"), "{err}");
}

#[test]
fn an_expired_token_starts_over_from_the_oldest_event_received() {
    let s = server(synthetic(180, "eu-west-1"));
    let child = fetch(&s)
        .args(["--lookup", "--region", "eu-west-1", "--start", "2017-06-01"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    after_requests(&s, 2);
    s.fault(Fault::ExpireTokens, 1);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(ids(&out), synthetic_ids(180, "eu-west-1"), "every event once");
    let reqs = s.requests();
    let expired = reqs.iter().position(|r| r.outcome.kind() == "InvalidNextTokenException").expect("a token expired");
    let again = &reqs[expired + 1];
    assert!(!again.had_next_token, "started over without the token");
    assert!(again.end.unwrap() < reqs[0].end.unwrap(), "from the oldest event received, not from the top");
}

#[test]
fn regions_are_read_at_once_each_within_its_own_limit() {
    let mut events = synthetic(200, "eu-west-1");
    events.extend(synthetic(200, "us-west-2"));
    let s = server(events);
    let out = fetch(&s)
        .args(["--lookup", "--region", "us-west-2", "--region", "eu-west-1", "--start", "2017-06-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut want = synthetic_ids(200, "us-west-2");
    want.extend(synthetic_ids(200, "eu-west-1"));
    assert_eq!(ids(&out), want, "regions in the order given, each oldest first");
    // At once: each region's first request comes before the other's last (timing-free, so
    // that a busy machine cannot fail it).
    let reqs = s.requests();
    let span = |region: &str| {
        let times: Vec<Duration> = reqs.iter().filter(|r| r.region == region).map(|r| r.arrived).collect();
        (*times.iter().min().unwrap(), *times.iter().max().unwrap())
    };
    let ((a0, a1), (b0, b1)) = (span("us-west-2"), span("eu-west-1"));
    assert!(a0 < b1 && b0 < a1, "one region after the other: {:?} {:?}", (a0, a1), (b0, b1));
    // Paced under the limit: a request may meet a throttle when the machine is busy (its
    // arrival delayed against the next), never most of them.
    let throttled = reqs.iter().filter(|r| r.outcome.kind() == "ThrottlingException").count();
    assert!(throttled * 4 <= reqs.len(), "{throttled} of {} requests throttled", reqs.len());
}

#[test]
fn max_events_keeps_the_newest_and_says_so() {
    let s = server(synthetic(120, "eu-west-1"));
    let out = fetch(&s)
        .args(["--lookup", "--region", "eu-west-1", "--start", "2017-06-01", "--max-events", "60"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let all = synthetic_ids(120, "eu-west-1");
    assert_eq!(ids(&out), all[60..].to_vec());
    assert!(stderr(&out).contains("stopped at --max-events 60"), "{}", stderr(&out));
    let answered = s.requests().iter().filter(|r| r.outcome.kind() == "ok").count();
    assert_eq!(answered, 2, "no page read past the 60th event");
}

#[test]
fn an_empty_window_is_no_error() {
    let s = server(synthetic(10, "eu-west-1"));
    let out = fetch(&s)
        .args(["--lookup", "--region", "eu-west-1", "--start", "2017-05-01", "--end", "2017-05-02"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("0 events from 1 region"), "{}", stderr(&out));
}

#[test]
fn refusals_name_the_region_the_request_and_what_to_do() {
    let run = |fault, args: &[&str]| {
        let s = server(synthetic(10, "eu-west-1"));
        s.fault(fault, 100);
        fetch(&s)
            .args([
                "--lookup",
                "--region",
                "eu-west-1",
                "--start",
                "2017-06-01T00:00:00Z",
                "--event-name",
                "RunInstances",
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(Fault::AccessDenied, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("lookup in eu-west-1 (EventName=RunInstances, 2017-06-01T00:00:00Z to 2017-06-03T00:00:00Z): page 1: AccessDeniedException"),
        "{err}"
    );
    assert!(err.contains("needs cloudtrail:LookupEvents"), "{err}");
    let out = run(Fault::ExpiredToken, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ExpiredTokenException") && stderr(&out).contains("renew"), "{}", stderr(&out));
    // A throttle that outlasts the retries ends the region with an error, after them.
    let out = run(Fault::Throttle, &["--retries", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ThrottlingException") && stderr(&out).contains("after 2 attempts"),
        "{}",
        stderr(&out)
    );
}
