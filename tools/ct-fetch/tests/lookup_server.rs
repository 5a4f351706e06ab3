//! The LookupEvents fake of tests/support/lookup.rs, rule by rule, with raw signed requests
//! (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
//! tests/lookup-cli.sh checks it against the AWS CLI.

mod support;

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::{Value, json};
use support::lookup::{CONTENT_TYPE, Fault, LookupServer, Options, Outcome, Signer, TARGET, amz_date, sign};
use support::{KEY_ID, SECRET, at};

fn now() -> i64 {
    at(2017, 6, 3, 0, 0)
}

fn base() -> i64 {
    at(2017, 6, 1, 0, 0)
}

/// Who made event `i` of the fixture: (userIdentity, the user name the console shows, key).
fn identity(i: usize) -> (Value, &'static str, &'static str) {
    match i % 3 {
        0 => (
            json!({"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/dev/alice","accountId":"111122223333",
                   "accessKeyId":"AKIAALICE0000000TEST","userName":"alice"}),
            "alice",
            "AKIAALICE0000000TEST",
        ),
        1 => (
            json!({"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deploy/ci-42",
                   "accountId":"111122223333","accessKeyId":"ASIADEPLOY000000TEST",
                   "sessionContext":{"sessionIssuer":{"type":"Role","userName":"deploy"}}}),
            "ci-42",
            "ASIADEPLOY000000TEST",
        ),
        _ => (
            json!({"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333",
                   "accessKeyId":"ASIAROOT00000000TEST"}),
            "root",
            "ASIAROOT00000000TEST",
        ),
    }
}

const NAMES: [(&str, &str, bool); 3] = [
    ("DescribeInstances", "ec2.amazonaws.com", true),
    ("RunInstances", "ec2.amazonaws.com", false),
    ("ConsoleLogin", "signin.amazonaws.com", false),
];

fn iso(t: i64) -> String {
    ct_common::time::Time::from_secs(t).to_iso()
}

/// Event `i` of us-east-1: two events every 10 minutes from 2017-06-01 00:00 (so that times
/// tie), users and names in turn, an instance resource for RunInstances.
fn event(i: usize) -> String {
    let (who, _, _) = identity(i);
    let (name, source, read_only) = NAMES[i % 4 % 3];
    let mut e = json!({
        "eventVersion":"1.08","userIdentity":who,"eventTime":iso(base() + (i as i64 / 2) * 600),
        "eventSource":source,"eventName":name,"awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7",
        "eventID":format!("e{i:04}"),"readOnly":read_only,"eventType":"AwsApiCall","managementEvent":true,
        "eventCategory":"Management","recipientAccountId":"111122223333"
    });
    if name == "RunInstances" {
        e["resources"] = json!([{"accountId":"111122223333","type":"AWS::EC2::Instance",
                                 "ARN":format!("arn:aws:ec2:us-east-1:111122223333:instance/i-{i:04}")}]);
    }
    e.to_string()
}

/// Written by hand: spacing, escapes and number text that re-serialising would change.
const ODD: &str = r#"{"eventVersion":"1.05", "eventTime":"2017-06-02T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"GetUser","awsRegion":"us-east-1","eventID":"odd-1","readOnly":true,"requestParameters":{"n":1.0E2,"s":"caf\u00e9 \/"},"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","userName":"bob"}}"#;

const N: usize = 120;

/// 120 management events in us-east-1 and ODD, plus what event history leaves out or keeps
/// apart: another region, data events, a second delivery, an Insights event, events older
/// than 90 days or after now.
fn fixture() -> Vec<String> {
    let mut events: Vec<String> = (0..N).map(event).collect();
    events.push(ODD.to_string());
    for i in 0..5 {
        events.push(event(i).replace("us-east-1", "eu-west-1").replace("\"e000", "\"eu000"));
    }
    events.push(event(7)); // delivered twice
    let data = |id: &str, extra: &str| {
        format!(
            r#"{{"eventTime":"2017-06-01T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"{id}","readOnly":true,{extra}}}"#
        )
    };
    events.push(data("data-1", r#""managementEvent":false,"eventCategory":"Data""#));
    events.push(data("data-2", r#""managementEvent":false"#)); // before eventVersion 1.07
    events.push(data("net-1", r#""eventCategory":"NetworkActivity""#));
    events.push(
        r#"{"eventVersion":"1.07","eventTime":"2017-06-01T15:00:00Z","awsRegion":"us-east-1","eventID":"insight-1","eventType":"AwsCloudTrailInsight","eventCategory":"Insight","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","insightDetails":{"state":"Start"}}"#
            .to_string(),
    );
    events.push(event(200).replace(&iso(base() + 100 * 600), &iso(now() - 91 * 86_400)));
    events.push(event(202).replace(&iso(base() + 101 * 600), &iso(now() + 60)));
    events
}

fn start(rate: u32) -> LookupServer {
    LookupServer::start(fixture(), Options { now: now(), rate_per_sec: rate })
}

/// Sends a request as it is, over a new connection; returns the status and the body.
fn send(s: &LookupServer, headers: &[(String, String)], body: &[u8]) -> (u16, String) {
    let mut tcp = std::net::TcpStream::connect(s.addr).unwrap();
    let mut req = String::from("POST / HTTP/1.1\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()));
    tcp.write_all(req.as_bytes()).unwrap();
    tcp.write_all(body).unwrap();
    let mut resp = Vec::new();
    tcp.read_to_end(&mut resp).unwrap();
    let resp = String::from_utf8(resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap();
    assert!(head.to_ascii_lowercase().contains(&format!("content-type: {CONTENT_TYPE}")), "{head}");
    (head[9..12].parse().unwrap(), body.to_string())
}

/// A LookupEvents call signed for `region`: status and JSON body.
fn call(s: &LookupServer, region: &str, body: Value) -> (u16, Value) {
    let body = body.to_string();
    let (status, text) = send(s, &sign(&s.addr.to_string(), region, body.as_bytes()), body.as_bytes());
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

/// The `__type` of an error answer (asserting it is one, with a message).
fn error(answer: &(u16, Value)) -> &str {
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert!(answer.1["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", answer.1);
    answer.1["__type"].as_str().unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["Events"].as_array().unwrap().iter().map(|e| e["EventId"].as_str().unwrap().to_string()).collect()
}

/// Every page of a query: the eventIDs in order, and how many pages.
fn all_pages(s: &LookupServer, region: &str, mut body: Value) -> (Vec<String>, usize) {
    let (mut got, mut pages) = (Vec::new(), 0);
    loop {
        let (status, page) = call(s, region, body.clone());
        assert_eq!(status, 200, "{page}");
        got.extend(ids(&page));
        pages += 1;
        match page.get("NextToken") {
            Some(t) => body["NextToken"] = t.clone(),
            None => return (got, pages),
        }
    }
}

fn attr(key: &str, value: &str) -> Value {
    json!({"LookupAttributes":[{"AttributeKey":key,"AttributeValue":value}]})
}

/// The fixture's management events of us-east-1 that `keep` selects (by index), newest first.
fn expected(keep: impl Fn(usize) -> bool) -> Vec<String> {
    let mut want: Vec<(i64, String)> =
        (0..N).filter(|&i| keep(i)).map(|i| (base() + (i as i64 / 2) * 600, format!("e{i:04}"))).collect();
    want.sort_by(|a, b| b.cmp(a));
    want.into_iter().map(|(_, id)| id).collect()
}

#[test]
fn pages_cover_every_event_once_newest_first() {
    let s = start(0);
    let (got, pages) = all_pages(&s, "us-east-1", json!({"MaxResults":7}));
    // ODD (2017-06-02 10:00) is the newest; then the fixture, ties by eventID descending.
    let mut want = vec!["odd-1".to_string()];
    want.extend(expected(|_| true));
    assert_eq!(got, want);
    assert_eq!(pages, want.len().div_ceil(7));
    // The default page is 50; the last page has no NextToken.
    let (status, page) = call(&s, "us-east-1", json!({}));
    assert_eq!((status, ids(&page).len()), (200, 50));
    assert!(page["NextToken"].as_str().is_some_and(|t| !t.is_empty()));
    let (_, pages) = all_pages(&s, "us-east-1", json!({}));
    assert_eq!(pages, 3);
    // Other regions see their own events only.
    let (got, _) = all_pages(&s, "eu-west-1", json!({}));
    assert_eq!(got, ["eu0004", "eu0003", "eu0002", "eu0001", "eu0000"]);
    let (got, _) = all_pages(&s, "ap-southeast-2", json!({}));
    assert!(got.is_empty());
}

#[test]
fn events_are_shown_as_the_service_shows_them() {
    let s = start(0);
    let t = base() + 2400;
    let body = json!({"MaxResults":50,"StartTime":t,"EndTime":t}).to_string();
    let (status, text) = send(&s, &sign(&s.addr.to_string(), "us-east-1", body.as_bytes()), body.as_bytes());
    assert_eq!(status, 200, "{text}");
    // EventTime is epoch seconds as the service writes numbers, not an integer.
    assert!(text.contains(&format!("\"EventTime\":{}E9,", t as f64 / 1e9)), "{text}");
    let page: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(ids(&page), ["e0009", "e0008"]);
    let e9 = &page["Events"][0];
    assert_eq!(e9["CloudTrailEvent"].as_str().unwrap(), event(9));
    assert_eq!(e9["EventTime"].as_f64().unwrap(), t as f64);
    assert_eq!(e9["EventName"], "RunInstances");
    assert_eq!(e9["EventSource"], "ec2.amazonaws.com");
    assert_eq!(e9["ReadOnly"], "false");
    assert_eq!(e9["AccessKeyId"], "AKIAALICE0000000TEST");
    assert_eq!(e9["Username"], "alice");
    assert_eq!(
        e9["Resources"],
        json!([{"ResourceType":"AWS::EC2::Instance","ResourceName":"arn:aws:ec2:us-east-1:111122223333:instance/i-0009"}])
    );
    let e8 = &page["Events"][1];
    assert_eq!((&e8["Username"], &e8["ReadOnly"], &e8["Resources"]), (&json!("root"), &json!("true"), &json!([])));
    // The stored text comes back byte for byte, however it is written.
    let (_, page) = call(&s, "us-east-1", attr("EventId", "odd-1"));
    assert_eq!(page["Events"][0]["CloudTrailEvent"].as_str().unwrap(), ODD);
    assert!(page["Events"][0].get("AccessKeyId").is_none());
    // Fields an event lacks are left out.
    let (_, page) = call(&s, "us-east-1", json!({"EventCategory":"insight"}));
    let insight = page["Events"][0].as_object().unwrap();
    let mut keys: Vec<&str> = insight.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["CloudTrailEvent", "EventId", "EventName", "EventSource", "EventTime", "Resources"]);
}

#[test]
fn each_lookup_attribute_matches_exactly() {
    let s = start(0);
    let check = |key: &str, value: &str, keep: &dyn Fn(usize) -> bool| {
        let (got, _) = all_pages(&s, "us-east-1", attr(key, value));
        let got: Vec<String> = got.into_iter().filter(|id| id != "odd-1").collect();
        assert_eq!(got, expected(keep), "{key}={value}");
    };
    check("EventName", "ConsoleLogin", &|i| i % 4 == 2);
    check("EventName", "consolelogin", &|_| false);
    check("EventSource", "signin.amazonaws.com", &|i| i % 4 == 2);
    check("EventSource", "signin", &|_| false);
    check("ReadOnly", "true", &|i| i % 4 % 3 == 0);
    check("ReadOnly", "false", &|i| i % 4 % 3 != 0);
    check("Username", "alice", &|i| i % 3 == 0);
    check("Username", "ci-42", &|i| i % 3 == 1);
    check("Username", "deploy", &|_| false);
    check("Username", "root", &|i| i % 3 == 2);
    check("AccessKeyId", "ASIADEPLOY000000TEST", &|i| i % 3 == 1);
    check("EventId", "e0042", &|i| i == 42);
    check("ResourceType", "AWS::EC2::Instance", &|i| i % 4 == 1);
    check("ResourceName", "arn:aws:ec2:us-east-1:111122223333:instance/i-0005", &|i| i == 5);
    check("ResourceName", "i-0005", &|_| false);
    let (got, _) = all_pages(&s, "us-east-1", attr("Username", "bob"));
    assert_eq!(got, ["odd-1"]);
}

#[test]
fn malformed_lookups_are_refused() {
    let s = start(0);
    let two = json!({"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"ConsoleLogin"},
                                         {"AttributeKey":"Username","AttributeValue":"alice"}]});
    for body in [
        two,
        attr("UserName", "alice"),
        attr("EventName", ""),
        attr("EventName", &"x".repeat(2001)),
        json!({"LookupAttributes":[{"AttributeKey":"EventName"}]}),
    ] {
        assert_eq!(error(&call(&s, "us-east-1", body.clone())), "InvalidLookupAttributesException", "{body}");
    }
    assert_eq!(call(&s, "us-east-1", attr("EventName", &"x".repeat(2000))).0, 200);
    for n in [0, 51, -1] {
        assert_eq!(error(&call(&s, "us-east-1", json!({"MaxResults":n}))), "InvalidMaxResultsException");
    }
    for n in [1, 50] {
        assert_eq!(call(&s, "us-east-1", json!({"MaxResults":n})).0, 200);
    }
    for body in [json!({"MaxResults":"5"}), json!({"StartTime":"2017-06-01"}), json!([]), json!({"EventCategory":1})] {
        assert_eq!(error(&call(&s, "us-east-1", body.clone())), "SerializationException", "{body}");
    }
    let mut headers = sign(&s.addr.to_string(), "us-east-1", b"{\"MaxResults\":");
    let (status, text) = send(&s, &headers, b"{\"MaxResults\":");
    assert_eq!(status, 400);
    assert!(text.contains("\"__type\":\"SerializationException\""), "{text}");
    // Another operation of the service.
    let target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails";
    headers = resign(&s, "us-east-1", b"{}", &[("x-amz-target", target)]);
    let (status, text) = send(&s, &headers, b"{}");
    assert_eq!(status, 400);
    assert!(text.contains("\"__type\":\"UnknownOperationException\""), "{text}");
}

#[test]
fn the_time_range_is_inclusive_and_defaults_to_90_days() {
    let s = start(0);
    let t = base() + 600;
    assert_eq!(error(&call(&s, "us-east-1", json!({"StartTime":t + 1,"EndTime":t}))), "InvalidTimeRangeException");
    // Both ends are inclusive; fractions are read.
    let (got, _) = all_pages(&s, "us-east-1", json!({"StartTime":t,"EndTime":t + 600}));
    assert_eq!(got, ["e0005", "e0004", "e0003", "e0002"]);
    let (got, _) = all_pages(&s, "us-east-1", json!({"StartTime":t as f64 + 0.5,"EndTime":t as f64 + 600.25}));
    assert_eq!(got, ["e0005", "e0004"]);
    // Without times: the 90 days up to now (the older event and the one after now are not there).
    let (got, _) = all_pages(&s, "us-east-1", json!({}));
    assert_eq!(got.len(), N + 1);
    let (got, _) = all_pages(&s, "us-east-1", json!({"StartTime":0,"EndTime":now() + 86_400}));
    assert_eq!(got.len(), N + 1);
    // A start after now with no end is a reversed range.
    assert_eq!(error(&call(&s, "us-east-1", json!({"StartTime":now() + 1}))), "InvalidTimeRangeException");
}

#[test]
fn a_next_token_is_good_only_for_its_own_query() {
    let s = start(0);
    let q = json!({"MaxResults":10,"StartTime":base(),"EndTime":now(),
                   "LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"false"}]});
    let (_, page) = call(&s, "us-east-1", q.clone());
    let token = page["NextToken"].clone();
    let with = |mut body: Value| {
        body["NextToken"] = token.clone();
        body
    };
    let changed = [
        json!({"MaxResults":10,"StartTime":base(),"EndTime":now() - 1,"LookupAttributes":q["LookupAttributes"]}),
        json!({"MaxResults":9,"StartTime":base(),"EndTime":now(),"LookupAttributes":q["LookupAttributes"]}),
        json!({"MaxResults":10,"StartTime":base(),"EndTime":now()}),
        json!({"MaxResults":10,"StartTime":base(),"EndTime":now(),
               "LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"true"}]}),
    ];
    for body in changed {
        assert_eq!(error(&call(&s, "us-east-1", with(body.clone()))), "InvalidNextTokenException", "{body}");
    }
    // The region is a parameter too.
    assert_eq!(error(&call(&s, "us-west-2", with(q.clone()))), "InvalidNextTokenException");
    let mut forged = with(q.clone());
    forged["NextToken"] = json!("bm90IGEgdG9rZW4=");
    assert_eq!(error(&call(&s, "us-east-1", forged)), "InvalidNextTokenException");
    // With the same parameters it goes on, as often as asked.
    for _ in 0..2 {
        let (status, next) = call(&s, "us-east-1", with(q.clone()));
        assert_eq!(status, 200);
        assert_eq!(ids(&next), expected(|i| i % 4 % 3 != 0)[10..20]);
    }
}

#[test]
fn history_is_management_events_once_and_insights_apart() {
    let s = start(0);
    let (got, _) = all_pages(&s, "us-east-1", json!({}));
    assert!(!got.iter().any(|id| id.starts_with("data") || id.starts_with("net") || id.starts_with("insight")));
    assert_eq!(got.iter().filter(|id| *id == "e0007").count(), 1);
    for id in ["data-1", "data-2", "net-1", "insight-1", "e0200", "e0202"] {
        assert_eq!(ids(&call(&s, "us-east-1", attr("EventId", id)).1), Vec::<String>::new(), "{id}");
    }
    let (got, _) = all_pages(&s, "us-east-1", json!({"EventCategory":"insight"}));
    assert_eq!(got, ["insight-1"]);
    let mut q = attr("EventName", "RunInstances");
    q["EventCategory"] = json!("insight");
    assert_eq!(all_pages(&s, "us-east-1", q).0, ["insight-1"]);
    let mut q = attr("Username", "alice");
    q["EventCategory"] = json!("insight");
    assert_eq!(error(&call(&s, "us-east-1", q)), "InvalidLookupAttributesException");
    for c in ["Insight", "management", "data"] {
        assert_eq!(error(&call(&s, "us-east-1", json!({"EventCategory":c}))), "InvalidEventCategoryException");
    }
}

#[test]
fn two_requests_a_second_per_region() {
    let s = start(2);
    let q = json!({"MaxResults":5});
    let kinds: Vec<String> = (0..3).map(|_| call(&s, "us-east-1", q.clone())).map(|a| kind(&a)).collect();
    assert_eq!(kinds[0], "ok");
    assert!(kinds[1..].contains(&"ThrottlingException".to_string()), "{kinds:?}");
    let throttled = call(&s, "us-east-1", q.clone());
    assert_eq!(error(&throttled), "ThrottlingException");
    assert_eq!(throttled.1["message"], "Rate exceeded");
    // Another region has its own rate.
    assert_eq!(call(&s, "eu-west-1", q.clone()).0, 200);
    std::thread::sleep(Duration::from_millis(520));
    let (status, page) = call(&s, "us-east-1", q.clone());
    assert_eq!(status, 200);
    // Throttled requests took nothing: the next token still leads to the second page.
    let mut next = q.clone();
    next["NextToken"] = page["NextToken"].clone();
    std::thread::sleep(Duration::from_millis(520));
    assert_eq!(ids(&call(&s, "us-east-1", next).1), expected(|_| true)[4..9]);
    let log = s.requests();
    assert!(log.windows(2).all(|w| w[0].arrived <= w[1].arrived));
    assert!(log.iter().any(|r| r.outcome == Outcome::Error { status: 400, kind: "ThrottlingException".into() }));
}

fn kind(answer: &(u16, Value)) -> String {
    if answer.0 == 200 { "ok".into() } else { answer.1["__type"].as_str().unwrap().to_string() }
}

/// The headers of `sign` with some replaced (or added), signed again.
fn resign(s: &LookupServer, region: &str, body: &[u8], replace: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> =
        sign(&s.addr.to_string(), region, body).into_iter().filter(|(n, _)| n != "authorization").collect();
    for (n, v) in replace {
        headers.retain(|(m, _)| m != n);
        headers.push((n.to_string(), v.to_string()));
    }
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let signer = Signer { key_id: KEY_ID, secret: SECRET, region, service: "cloudtrail" };
    let auth = signer.authorization("POST", "/", "", &pairs, body);
    headers.push(("authorization".into(), auth));
    headers
}

#[test]
fn requests_must_be_signed_with_the_key() {
    let s = start(0);
    let body = br#"{"MaxResults":5}"#;
    let error_of = |headers: &[(String, String)], body: &[u8]| {
        let (status, text) = send(&s, headers, body);
        assert_eq!(status, 400, "{text}");
        serde_json::from_str::<Value>(&text).unwrap()["__type"].as_str().unwrap().to_string()
    };
    // A signature over another body (a tampered request).
    let headers = sign(&s.addr.to_string(), "us-east-1", br#"{"MaxResults":6}"#);
    assert_eq!(error_of(&headers, body), "InvalidSignatureException");
    // Another secret, another key id, another service, a stale date.
    let bad = Signer { key_id: KEY_ID, secret: "not-the-secret", region: "us-east-1", service: "cloudtrail" };
    let mut headers = sign(&s.addr.to_string(), "us-east-1", body);
    let pairs: Vec<(String, String)> = headers.iter().filter(|(n, _)| n != "authorization").cloned().collect();
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    headers.retain(|(n, _)| n != "authorization");
    headers.push(("authorization".into(), bad.authorization("POST", "/", "", &refs, body)));
    assert_eq!(error_of(&headers, body), "InvalidSignatureException");
    let other = Signer { key_id: "AKIAOTHERKEY00000000", secret: SECRET, region: "us-east-1", service: "cloudtrail" };
    headers.retain(|(n, _)| n != "authorization");
    headers.push(("authorization".into(), other.authorization("POST", "/", "", &refs, body)));
    assert_eq!(error_of(&headers, body), "UnrecognizedClientException");
    let s3 = Signer { key_id: KEY_ID, secret: SECRET, region: "us-east-1", service: "s3" };
    headers.retain(|(n, _)| n != "authorization");
    headers.push(("authorization".into(), s3.authorization("POST", "/", "", &refs, body)));
    assert_eq!(error_of(&headers, body), "InvalidSignatureException");
    let stale = amz_date(ct_common::time::Time::clock().secs - 3600);
    assert_eq!(error_of(&resign(&s, "us-east-1", body, &[("x-amz-date", &stale)]), body), "InvalidSignatureException");
    assert_eq!(error_of(&resign(&s, "nowhere", body, &[]), body), "InvalidSignatureException");
    // A header changed after signing, and no signature at all.
    let mut headers = sign(&s.addr.to_string(), "us-east-1", body);
    headers.iter_mut().find(|(n, _)| n == "x-amz-target").unwrap().1 = TARGET.replace("Lookup", "Describe");
    assert_eq!(error_of(&headers, body), "InvalidSignatureException");
    headers.retain(|(n, _)| n != "authorization");
    assert_eq!(error_of(&headers, body), "MissingAuthenticationTokenException");
    // x-amz-content-sha256, when sent and signed, must be the body's.
    let wrong = "0".repeat(64);
    assert_eq!(
        error_of(&resign(&s, "us-east-1", body, &[("x-amz-content-sha256", &wrong)]), body),
        "InvalidSignatureException"
    );
    // Extra signed headers, with runs of spaces, are fine; so is the body's own hash.
    let good = resign(&s, "ap-southeast-2", body, &[("x-amz-user-agent", "test  agent/1.0")]);
    assert_eq!(send(&s, &good, body).0, 200);
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(body));
    assert_eq!(send(&s, &resign(&s, "us-east-1", body, &[("x-amz-content-sha256", &hash)]), body).0, 200);
    let log = s.requests();
    assert_eq!(log[log.len() - 2].region, "ap-southeast-2");
    // Refused before the signature was known good: no region logged.
    assert!(log[..log.len() - 2].iter().all(|r| r.region.is_empty() && r.outcome.kind() != "ok"));
}

#[test]
fn the_signer_agrees_with_the_aws_documentation() {
    // "Example: GET Object" of "Authenticating Requests (AWS Signature Version 4)",
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
    let signer = Signer {
        key_id: "AKIAIOSFODNN7EXAMPLE",
        secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1",
        service: "s3",
    };
    let headers = [
        ("Host", "examplebucket.s3.amazonaws.com"),
        ("Range", "bytes=0-9"),
        ("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("x-amz-date", "20130524T000000Z"),
    ];
    let auth = signer.authorization("GET", "/test.txt", "", &headers, b"");
    assert_eq!(
        auth,
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
         SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
         Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
}

#[test]
fn faults_come_in_the_order_injected() {
    let s = start(0);
    let q = json!({"MaxResults":10});
    s.fault(Fault::Throttle, 2);
    s.fault(Fault::ServerError, 2);
    s.fault(Fault::AccessDenied, 1);
    s.fault(Fault::ExpiredToken, 1);
    let mut got = Vec::new();
    for _ in 0..7 {
        let (status, body) = call(&s, "us-east-1", q.clone());
        got.push((status, if status == 200 { "ok".to_string() } else { body["__type"].as_str().unwrap().into() }));
    }
    let want = [
        (400, "ThrottlingException"),
        (400, "ThrottlingException"),
        (500, "InternalFailure"),
        (503, "ServiceUnavailableException"),
        (400, "AccessDeniedException"),
        (400, "ExpiredTokenException"),
        (200, "ok"),
    ];
    assert_eq!(got, want.map(|(c, k)| (c, k.to_string())));
    let (_, denied) = {
        s.fault(Fault::AccessDenied, 1);
        call(&s, "us-east-1", q.clone())
    };
    assert!(denied["message"].as_str().unwrap().contains("is not authorized to perform: cloudtrail:LookupEvents"));
    // The log has each of them, with what was asked.
    let log = s.requests();
    assert_eq!(log.len(), 8);
    assert_eq!(log[2].outcome, Outcome::Error { status: 500, kind: "InternalFailure".into() });
    assert_eq!(log[6].outcome, Outcome::Ok { events: 10, next_token: true });
    assert!(log.iter().all(|r| r.region == "us-east-1" && r.max_results == Some(10) && !r.had_next_token));
}

#[test]
fn expired_tokens_send_the_client_back_to_the_start() {
    let s = start(0);
    let q = json!({"MaxResults":20,"LookupAttributes":[{"AttributeKey":"Username","AttributeValue":"alice"}]});
    let (_, first) = call(&s, "us-east-1", q.clone());
    let mut next = q.clone();
    next["NextToken"] = first["NextToken"].clone();
    s.fault(Fault::ExpireTokens, 1);
    let answer = call(&s, "us-east-1", next.clone());
    assert_eq!(error(&answer), "InvalidNextTokenException");
    assert!(answer.1["message"].as_str().unwrap().contains("expired"));
    // The old token stays expired; a new query gets tokens that work.
    assert_eq!(error(&call(&s, "us-east-1", next)), "InvalidNextTokenException");
    let (got, pages) = all_pages(&s, "us-east-1", q);
    assert_eq!(got, expected(|i| i % 3 == 0));
    assert_eq!(pages, 2);
    let log = s.requests();
    assert_eq!(log[1].attribute, Some(("Username".into(), "alice".into())));
    assert!(log[1].had_next_token);
}
