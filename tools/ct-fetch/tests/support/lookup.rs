//! A strict fake of CloudTrail's LookupEvents API on 127.0.0.1, for the tests of
//! `ct-fetch --lookup` (no emulator implements it). It speaks AWS JSON 1.1 as the service does
//! and refuses what the service refuses:
//! <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html>; shapes
//! as in botocore's `cloudtrail/2013-11-01/service-2.json`; errors as HTTP 400 (or 5xx) with
//! `{"__type":"...","message":"..."}`
//! (<https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html>).
//!
//! Requests are signed with SigV4 (verified in full against `SECRET`); the region of the
//! credential scope is the region queried, so one endpoint serves every region. A region's event
//! history is its management events (with `EventCategory: insight`, its Insights events only) of
//! the 90 days up to `Options::now`, each eventID once, newest first. `tests/lookup-cli.sh`
//! checks this fake against the AWS CLI.

use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use ct_common::time::{Time, days_from_civil, parse_event_time};
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::http::request::Parts;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{KEY_ID, SECRET};

/// The `X-Amz-Target` of LookupEvents (`targetPrefix` + operation in service-2.json).
pub const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
/// The same operation as the Smithy awsJson1_1 protocol names it (`{service shape}.{operation}`),
/// which the AWS SDK for Rust sends; the service takes both.
pub const SMITHY_TARGET: &str = "CloudTrail_20131101.LookupEvents";
/// ListPublicKeys, which the same server answers with the test key that signs the sample
/// trail's digests (tests/data/digest-key), for ct-verify's online path.
pub const LIST_KEYS_TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys";
pub const SMITHY_LIST_KEYS_TARGET: &str = "CloudTrail_20131101.ListPublicKeys";
const TEST_KEYS: &str = include_str!("../../../../tests/data/digest-key/public-keys.json");
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The `LookupAttributeKey` enum of service-2.json.
const ATTRIBUTE_KEYS: [&str; 8] =
    ["EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"];
/// "Lookup supports the following attributes for Insights events" (API reference).
const INSIGHT_KEYS: [&str; 3] = ["EventId", "EventName", "EventSource"];
const NINETY_DAYS: i64 = 90 * 86_400;
/// How far `x-amz-date` may be from the clock (SigV4 refuses requests older than 15 minutes).
const SKEW: i64 = 15 * 60;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The server's "now", in epoch seconds: the end of the default window and of the 90 days
    /// of event history (events after it, or more than 90 days before it, are not there).
    pub now: i64,
    /// Requests per second per region; 0 for no limit. The service allows "two per second,
    /// per account, per Region" (API reference).
    pub rate_per_sec: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options { now: Time::clock().secs, rate_per_sec: 2 }
    }
}

/// What to do to the next requests, in place of answering them (`LookupServer::fault`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 400 ThrottlingException, whatever the rate.
    Throttle,
    /// 500 InternalFailure and 503 ServiceUnavailableException, in turn.
    ServerError,
    /// The next requests that carry a NextToken get InvalidNextTokenException (expired), and
    /// every token issued until then stays invalid.
    ExpireTokens,
    /// 400 AccessDeniedException (the caller's policy does not allow cloudtrail:LookupEvents).
    AccessDenied,
    /// 400 ExpiredTokenException (the session of the caller's credentials has expired).
    ExpiredToken,
}

/// How a request was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 200, with this many events and a NextToken or not.
    Ok { events: usize, next_token: bool },
    /// An error: HTTP status and `__type`.
    Error { status: u16, kind: String },
}

impl Outcome {
    /// The `__type` of an error, or "ok".
    pub fn kind(&self) -> &str {
        match self {
            Outcome::Ok { .. } => "ok",
            Outcome::Error { kind, .. } => kind,
        }
    }
}

/// One request as the server saw it (the parameters as sent, before defaults).
#[derive(Debug, Clone)]
pub struct Request {
    /// When it arrived, from the start of the server.
    pub arrived: Duration,
    /// The region of the credential scope; empty when the request was not authenticated.
    pub region: String,
    /// The first lookup attribute (key, value), if any.
    pub attribute: Option<(String, String)>,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub event_category: Option<String>,
    pub max_results: Option<i64>,
    pub had_next_token: bool,
    pub outcome: Outcome,
}

/// A running server. It serves until the process ends.
pub struct LookupServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl LookupServer {
    /// Starts a server on 127.0.0.1 (a free port) over `events`, the JSON texts of CloudTrail
    /// events (one each; returned byte for byte in `CloudTrailEvent`). Panics on one that is
    /// not a JSON object.
    pub fn start(events: Vec<String>, opts: Options) -> LookupServer {
        let state = Arc::new(Mutex::new(State::new(events, opts)));
        let (tx, rx) = std::sync::mpsc::channel();
        let st = Arc::clone(&state);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let http = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
                loop {
                    let Ok((socket, _)) = listener.accept().await else { continue };
                    let _ = socket.set_nodelay(true);
                    let (st, http) = (Arc::clone(&st), http.clone());
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| serve(Arc::clone(&st), req));
                        let _ = http.serve_connection(hyper_util::rt::TokioIo::new(socket), service).await;
                    });
                }
            });
        });
        let addr = rx.recv().unwrap();
        LookupServer { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the next `times` authenticated requests with `f` instead (faults queue up in
    /// the order given; `ExpireTokens` counts requests that carry a NextToken). Faulted
    /// requests use none of the rate.
    pub fn fault(&self, f: Fault, times: u32) {
        let mut st = self.state.lock().unwrap();
        match f {
            Fault::ExpireTokens => st.expire_left += times,
            _ => st.faults.push_back((f, times)),
        }
    }

    /// Every request so far, in order of arrival.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.state.lock().unwrap().requests.clear();
    }

    /// ct-fetch with the test credentials, no profile or instance metadata, and this server as
    /// its endpoint (`--endpoint-url`); the caller adds `--lookup`, `--region` and the rest.
    pub fn fetch(&self) -> Command {
        let mut cmd = super::fetch();
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .arg("--endpoint-url")
            .arg(self.url());
        cmd
    }
}

async fn serve(
    state: Arc<Mutex<State>>,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let arrived = Instant::now();
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let (status, text, id) = {
        let mut st = state.lock().unwrap();
        let (status, text) = st.handle(&parts, &body, arrived);
        st.answered += 1;
        (status, text, st.answered)
    };
    let resp = hyper::Response::builder()
        .status(status)
        .header("content-type", CONTENT_TYPE)
        .header("x-amzn-requestid", format!("c7f1d3a2-0000-4000-8000-{id:012x}"))
        .body(Full::new(Bytes::from(text)))
        .unwrap();
    Ok(resp)
}

/// An error answer.
struct Refusal {
    status: u16,
    kind: &'static str,
    message: String,
}

fn refuse(kind: &'static str, message: impl Into<String>) -> Refusal {
    Refusal { status: 400, kind, message: message.into() }
}

fn throttled() -> Refusal {
    refuse("ThrottlingException", "Rate exceeded")
}

/// An event of the history, with the fields a lookup shows or matches.
struct Event {
    text: String,
    region: String,
    time: Time,
    id: Option<String>,
    name: Option<String>,
    source: Option<String>,
    read_only: Option<String>,
    access_key: Option<String>,
    username: Option<String>,
    /// (type, ARN) of each entry of `resources[]`.
    resources: Vec<(Option<String>, Option<String>)>,
    insight: bool,
}

impl Event {
    /// The event, or None when event history never holds it: data and network activity
    /// events, events without a region or a time, and events outside the 90 days up to `now`.
    fn read(text: String, now: i64) -> Option<Event> {
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("lookup server: not JSON ({e}): {text}"));
        assert!(v.is_object(), "lookup server: not an event: {text}");
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        let insight = s("/eventType").as_deref() == Some("AwsCloudTrailInsight")
            || s("/eventCategory").as_deref() == Some("Insight");
        let management = s("/eventCategory").is_none_or(|c| c == "Management")
            && v.get("managementEvent").and_then(Value::as_bool) != Some(false);
        if !insight && !management {
            return None;
        }
        let time = parse_event_time(v.get("eventTime")?.as_str()?)?;
        if time.secs < now - NINETY_DAYS || time.secs > now {
            return None;
        }
        let read_only = match v.get("readOnly") {
            Some(Value::Bool(b)) => Some(b.to_string()),
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let resources = v
            .get("resources")
            .and_then(Value::as_array)
            .map(|rs| {
                let field = |r: &Value, k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
                rs.iter().map(|r| (field(r, "type"), field(r, "ARN"))).collect()
            })
            .unwrap_or_default();
        Some(Event {
            region: s("/awsRegion")?,
            time,
            id: s("/eventID"),
            name: s("/eventName"),
            source: s("/eventSource"),
            read_only,
            access_key: s("/userIdentity/accessKeyId"),
            username: username(&v),
            resources,
            insight,
            text,
        })
    }

    fn secs(&self) -> f64 {
        self.time.secs as f64 + f64::from(self.time.nanos) / 1e9
    }

    /// Exact, case-sensitive, as the console's lookup.
    fn has(&self, key: &str, value: &str) -> bool {
        let is = |f: &Option<String>| f.as_deref() == Some(value);
        match key {
            "EventId" => is(&self.id),
            "EventName" => is(&self.name),
            "EventSource" => is(&self.source),
            "ReadOnly" => is(&self.read_only),
            "AccessKeyId" => is(&self.access_key),
            "Username" => is(&self.username),
            "ResourceType" => self.resources.iter().any(|(t, _)| is(t)),
            "ResourceName" => self.resources.iter().any(|(_, n)| is(n)),
            _ => false,
        }
    }

    /// The entry of `Events` (the `Event` shape): fields the event lacks are left out.
    fn render(&self, out: &mut String) {
        let q = |s: &str| serde_json::to_string(s).unwrap();
        out.push('{');
        for (k, v) in [("EventId", &self.id), ("EventName", &self.name), ("ReadOnly", &self.read_only)]
            .into_iter()
            .chain([("AccessKeyId", &self.access_key)])
        {
            if let Some(v) = v {
                out.push_str(&format!("{}:{},", q(k), q(v)));
            }
        }
        out.push_str(&format!("\"EventTime\":{},", java_double(self.secs())));
        for (k, v) in [("EventSource", &self.source), ("Username", &self.username)] {
            if let Some(v) = v {
                out.push_str(&format!("{}:{},", q(k), q(v)));
            }
        }
        out.push_str("\"Resources\":[");
        for (i, (t, n)) in self.resources.iter().enumerate() {
            let fields: Vec<String> = [("ResourceType", t), ("ResourceName", n)]
                .into_iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{}:{}", q(k), q(v))))
                .collect();
            out.push_str(&format!("{}{{{}}}", if i > 0 { "," } else { "" }, fields.join(",")));
        }
        out.push_str(&format!("],\"CloudTrailEvent\":{}}}", q(&self.text)));
    }
}

/// The user name the console shows: userIdentity.userName, else `root` for the root user,
/// else the last part of the identity's ARN (for an assumed role, the session name).
fn username(v: &Value) -> Option<String> {
    let id = v.get("userIdentity")?;
    if let Some(name) = id.get("userName").and_then(Value::as_str) {
        return Some(name.to_string());
    }
    if id.get("type").and_then(Value::as_str) == Some("Root") {
        return Some("root".to_string());
    }
    let arn = id.get("arn").and_then(Value::as_str)?;
    Some(match arn.rfind('/') {
        Some(i) => arn[i + 1..].to_string(),
        None => arn.rsplit(':').next().unwrap_or(arn).to_string(),
    })
}

/// A number as Java's `Double.toString` writes it (`1.496322246E9`), the form AWS's JSON
/// services use for timestamps; clients must read it as a number, not an integer.
fn java_double(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{v}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    let s = format!("{v:e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    if m.contains('.') { format!("{m}E{e}") } else { format!("{m}.0E{e}") }
}

/// The request body, with its types checked (a wrong type is a SerializationException).
#[derive(Default)]
struct Params {
    attributes: Vec<(Option<String>, Option<String>)>,
    start: Option<f64>,
    end: Option<f64>,
    category: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

fn parse(body: &[u8]) -> Result<Params, Refusal> {
    let ser = |m: String| refuse("SerializationException", m);
    let v: Value = serde_json::from_slice(body).map_err(|e| ser(format!("Malformed JSON: {e}")))?;
    let obj = v.as_object().ok_or_else(|| ser("The request body must be a JSON object".into()))?;
    let text = |k: &str, v: &Value| match v {
        Value::String(s) => Ok(Some(s.clone())),
        Value::Null => Ok(None),
        _ => Err(ser(format!("{k}: expected a string, found {v}"))),
    };
    let time = |k: &str, v: &Value| match v {
        Value::Number(n) => Ok(n.as_f64()),
        Value::Null => Ok(None),
        _ => Err(ser(format!("{k}: expected epoch seconds as a number, found {v}"))),
    };
    let mut p = Params::default();
    for (k, v) in obj {
        match k.as_str() {
            "LookupAttributes" => match v {
                Value::Array(items) => {
                    for item in items {
                        let o = item.as_object().ok_or_else(|| ser(format!("LookupAttributes: found {item}")))?;
                        let f = |name: &str| o.get(name).map_or(Ok(None), |v| text(name, v));
                        p.attributes.push((f("AttributeKey")?, f("AttributeValue")?));
                    }
                }
                Value::Null => {}
                _ => return Err(ser(format!("LookupAttributes: expected a list, found {v}"))),
            },
            "StartTime" => p.start = time(k, v)?,
            "EndTime" => p.end = time(k, v)?,
            "EventCategory" => p.category = text(k, v)?,
            "NextToken" => p.next_token = text(k, v)?,
            "MaxResults" => match v {
                Value::Number(n) if n.is_i64() => p.max_results = n.as_i64(),
                Value::Null => {}
                _ => return Err(ser(format!("MaxResults: expected an integer, found {v}"))),
            },
            _ => {} // unknown members are ignored, as by the service
        }
    }
    Ok(p)
}

/// What a valid request selects.
struct Lookup {
    attribute: Option<(String, String)>,
    start: f64,
    end: f64,
    insight: bool,
    max: usize,
}

/// The parameters checked against the API reference, with the defaults: the last 90 days,
/// 50 events a page.
fn validate(p: &Params, now: i64) -> Result<Lookup, Refusal> {
    let attributes = |m: String| refuse("InvalidLookupAttributesException", m);
    let attribute = match p.attributes.as_slice() {
        [] => None,
        [(Some(k), Some(v))] => {
            if !ATTRIBUTE_KEYS.contains(&k.as_str()) {
                return Err(attributes(format!("Invalid AttributeKey: {k}")));
            }
            if !(1..=2000).contains(&v.chars().count()) {
                return Err(attributes("AttributeValue must be 1 to 2000 characters long".into()));
            }
            Some((k.clone(), v.clone()))
        }
        [_] => return Err(attributes("A lookup attribute needs both AttributeKey and AttributeValue".into())),
        _ => return Err(attributes("You can specify only one lookup attribute".into())),
    };
    let end = p.end.unwrap_or(now as f64);
    let start = p.start.unwrap_or((now - NINETY_DAYS) as f64);
    if start > end {
        return Err(refuse("InvalidTimeRangeException", "StartTime must be before or at EndTime"));
    }
    let insight = match p.category.as_deref() {
        None => false,
        Some("insight") => true,
        Some(c) => {
            let m = format!("Invalid EventCategory {c}: the only valid value is insight");
            return Err(refuse("InvalidEventCategoryException", m));
        }
    };
    if let Some((k, _)) = attribute.as_ref().filter(|(k, _)| insight && !INSIGHT_KEYS.contains(&k.as_str())) {
        return Err(attributes(format!("{k} is not a lookup attribute for Insights events")));
    }
    let max = match p.max_results {
        None => 50,
        Some(n @ 1..=50) => n as usize,
        Some(n) => return Err(refuse("InvalidMaxResultsException", format!("MaxResults {n}: from 1 to 50"))),
    };
    Ok(Lookup { attribute, start, end, insight, max })
}

/// A NextToken handed out: for which query, where the next page starts, in which order.
struct Issued {
    query: String,
    offset: usize,
    serial: u64,
}

struct State {
    opts: Options,
    started: Instant,
    /// The history of every region, newest first (eventTime, then eventID, descending).
    events: Vec<Event>,
    /// region -> (tokens, last refill)
    buckets: HashMap<String, (f64, Instant)>,
    faults: VecDeque<(Fault, u32)>,
    server_errors: u32,
    expire_left: u32,
    /// Tokens of a serial below this have expired.
    expired_below: u64,
    tokens: HashMap<String, Issued>,
    serial: u64,
    requests: Vec<Request>,
    answered: u64,
}

impl State {
    fn new(events: Vec<String>, opts: Options) -> State {
        let mut seen = HashSet::new();
        let mut kept: Vec<Event> = events
            .into_iter()
            .filter_map(|t| Event::read(t, opts.now))
            // The store holds each event once however often it was delivered.
            .filter(|e| e.id.as_ref().is_none_or(|id| seen.insert(id.clone())))
            .collect();
        kept.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| b.id.cmp(&a.id)));
        State {
            opts,
            started: Instant::now(),
            events: kept,
            buckets: HashMap::new(),
            faults: VecDeque::new(),
            server_errors: 0,
            expire_left: 0,
            expired_below: 0,
            tokens: HashMap::new(),
            serial: 0,
            requests: Vec::new(),
            answered: 0,
        }
    }

    fn handle(&mut self, parts: &Parts, body: &[u8], arrived: Instant) -> (u16, String) {
        let mut log = Request {
            arrived: arrived - self.started,
            region: String::new(),
            attribute: None,
            start: None,
            end: None,
            event_category: None,
            max_results: None,
            had_next_token: false,
            outcome: Outcome::Ok { events: 0, next_token: false },
        };
        let (status, text) = match self.answer(parts, body, arrived, &mut log) {
            Ok((text, events, next_token)) => {
                log.outcome = Outcome::Ok { events, next_token };
                (200, text)
            }
            Err(r) => {
                log.outcome = Outcome::Error { status: r.status, kind: r.kind.to_string() };
                let body = serde_json::json!({ "__type": r.kind, "message": r.message });
                (r.status, body.to_string())
            }
        };
        self.requests.push(log);
        (status, text)
    }

    /// The body of the answer, the number of events in it and whether it has a NextToken.
    fn answer(
        &mut self,
        parts: &Parts,
        body: &[u8],
        arrived: Instant,
        log: &mut Request,
    ) -> Result<(String, usize, bool), Refusal> {
        let region = authenticate(parts, body)?;
        log.region = region.clone();
        let target = header(parts, "x-amz-target").unwrap_or_default();
        if parts.method == hyper::Method::POST
            && parts.uri.path() == "/"
            && (target == LIST_KEYS_TARGET || target == SMITHY_LIST_KEYS_TARGET)
        {
            return Self::list_public_keys(body);
        }
        if parts.method != hyper::Method::POST
            || parts.uri.path() != "/"
            || (target != TARGET && target != SMITHY_TARGET)
        {
            return Err(refuse("UnknownOperationException", format!("Unknown operation {target}")));
        }
        if header(parts, "content-type").as_deref() != Some(CONTENT_TYPE) {
            return Err(refuse("SerializationException", format!("Content-Type must be {CONTENT_TYPE}")));
        }
        let p = parse(body)?;
        if let Some((Some(k), Some(v))) = p.attributes.first() {
            log.attribute = Some((k.clone(), v.clone()));
        }
        (log.start, log.end, log.event_category) = (p.start, p.end, p.category.clone());
        (log.max_results, log.had_next_token) = (p.max_results, p.next_token.is_some());

        if let Some(f) = self.next_fault() {
            return Err(self.faulted(f));
        }
        if !self.take_rate(&region, arrived) {
            return Err(throttled());
        }

        let lookup = validate(&p, self.opts.now)?;
        // A token is good only for the query it came from: every other parameter as sent.
        let query =
            format!("{region}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}", p.attributes, p.start, p.end, p.category, p.max_results);
        let offset = match &p.next_token {
            None => 0,
            Some(t) => self.resume(t, &query)?,
        };
        Ok(self.page(&region, &lookup, query, offset))
    }

    /// ListPublicKeys: the test keys whose validity meets [StartTime, EndTime] (epoch seconds;
    /// API reference: "If StartTime and EndTime are not specified, the current public key is
    /// returned"), times as JSON 1.1 numbers, Value as base64 (a blob).
    fn list_public_keys(body: &[u8]) -> Result<(String, usize, bool), Refusal> {
        let req: Value = serde_json::from_slice(body).map_err(|e| refuse("SerializationException", e.to_string()))?;
        let num = |k: &str| req.get(k).and_then(Value::as_f64);
        let (start, end) = (num("StartTime").unwrap_or(f64::MIN), num("EndTime").unwrap_or(f64::MAX));
        if start > end {
            return Err(refuse("InvalidTimeRangeException", "StartTime is after EndTime"));
        }
        let keys: Value = serde_json::from_str(TEST_KEYS).expect("the test keys");
        let epoch = |v: &Value| {
            v.as_str().and_then(|s| ct_common::time::parse(s, Time::clock()).ok()).map(|t| t.secs as f64).unwrap_or(0.0)
        };
        let list: Vec<Value> = keys["PublicKeyList"]
            .as_array()
            .expect("a key list")
            .iter()
            .filter(|k| epoch(&k["ValidityStartTime"]) <= end && epoch(&k["ValidityEndTime"]) >= start)
            .map(|k| {
                serde_json::json!({
                    "Value": k["Value"],
                    "ValidityStartTime": epoch(&k["ValidityStartTime"]),
                    "ValidityEndTime": epoch(&k["ValidityEndTime"]),
                    "Fingerprint": k["Fingerprint"],
                })
            })
            .collect();
        let n = list.len();
        Ok((serde_json::json!({ "PublicKeyList": list }).to_string(), n, false))
    }

    /// Where the page of a NextToken starts.
    fn resume(&mut self, token: &str, query: &str) -> Result<usize, Refusal> {
        let Some(issued) = self.tokens.get(token) else {
            return Err(refuse("InvalidNextTokenException", "Invalid NextToken"));
        };
        let expired = if self.expire_left > 0 {
            self.expire_left -= 1;
            self.expired_below = self.serial + 1;
            true
        } else {
            issued.serial < self.expired_below
        };
        if expired {
            return Err(refuse(
                "InvalidNextTokenException",
                "The NextToken has expired: start the lookup again without it",
            ));
        }
        if issued.query != query {
            let m = "The NextToken was issued for a request with different parameters";
            return Err(refuse("InvalidNextTokenException", m));
        }
        Ok(issued.offset)
    }

    /// The page from `offset`, with a NextToken for the rest (if any).
    fn page(&mut self, region: &str, lookup: &Lookup, query: String, offset: usize) -> (String, usize, bool) {
        let matching: Vec<&Event> = self
            .events
            .iter()
            .filter(|e| e.region == region && e.insight == lookup.insight)
            .filter(|e| (lookup.start..=lookup.end).contains(&e.secs()))
            .filter(|e| lookup.attribute.as_ref().is_none_or(|(k, v)| e.has(k, v)))
            .collect();
        let next = offset + lookup.max;
        let page = &matching[offset.min(matching.len())..next.min(matching.len())];
        let mut out = String::from("{\"Events\":[");
        for (i, e) in page.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            e.render(&mut out);
        }
        out.push(']');
        let (events, more) = (page.len(), next < matching.len());
        if more {
            self.serial += 1;
            let seed = format!("{query}\n{next}\n{}", self.serial);
            let token = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(seed.as_bytes()));
            out.push_str(&format!(",\"NextToken\":{}", serde_json::to_string(&token).unwrap()));
            self.tokens.insert(token, Issued { query, offset: next, serial: self.serial });
        }
        out.push('}');
        (out, events, more)
    }

    fn next_fault(&mut self) -> Option<Fault> {
        let (f, n) = self.faults.front_mut()?;
        let f = *f;
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.faults.pop_front();
        }
        Some(f)
    }

    fn faulted(&mut self, f: Fault) -> Refusal {
        match f {
            Fault::Throttle => throttled(),
            Fault::ServerError => {
                self.server_errors += 1;
                if self.server_errors % 2 == 1 {
                    Refusal { status: 500, kind: "InternalFailure", message: "An internal error occurred".into() }
                } else {
                    let m = "The service is unavailable: try again later".into();
                    Refusal { status: 503, kind: "ServiceUnavailableException", message: m }
                }
            }
            Fault::AccessDenied => refuse(
                "AccessDeniedException",
                "User: arn:aws:iam::111122223333:user/ct-test is not authorized to perform: cloudtrail:LookupEvents \
                 because no identity-based policy allows the cloudtrail:LookupEvents action",
            ),
            Fault::ExpiredToken => {
                refuse("ExpiredTokenException", "The security token included in the request is expired")
            }
            Fault::ExpireTokens => unreachable!("ExpireTokens is counted apart"),
        }
    }

    /// A token bucket per region holding at most one request, refilled at the rate: the strict
    /// reading of "two per second, per Region", measured from the arrival of each request.
    fn take_rate(&mut self, region: &str, now: Instant) -> bool {
        let rate = f64::from(self.opts.rate_per_sec);
        if rate == 0.0 {
            return true;
        }
        let (tokens, last) = self.buckets.entry(region.to_string()).or_insert((1.0, now));
        *tokens = (*tokens + now.saturating_duration_since(*last).as_secs_f64() * rate).min(1.0);
        *last = now.max(*last);
        if *tokens >= 1.0 - 1e-9 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// A header's value, with repeated headers joined by commas as SigV4 does.
fn header(parts: &Parts, name: &str) -> Option<String> {
    let values: Vec<String> =
        parts.headers.get_all(name).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// Checks the SigV4 `Authorization` header in full and returns the region of its scope.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>
fn authenticate(parts: &Parts, body: &[u8]) -> Result<String, Refusal> {
    let incomplete = |m: &str| refuse("IncompleteSignatureException", m);
    let invalid = |m: String| refuse("InvalidSignatureException", m);
    let auth = header(parts, "authorization")
        .ok_or_else(|| refuse("MissingAuthenticationTokenException", "Missing Authentication Token"))?;
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| incomplete("The Authorization header must use the AWS4-HMAC-SHA256 algorithm"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(incomplete("Authorization header requires 'Credential', 'Signature' and 'SignedHeaders'"));
    };
    let [key_id, date, region, service, terminator] = credential.split('/').collect::<Vec<_>>()[..] else {
        return Err(incomplete("The Credential must be KEY/DATE/REGION/SERVICE/aws4_request"));
    };
    if key_id != KEY_ID {
        return Err(refuse("UnrecognizedClientException", "The security token included in the request is invalid."));
    }
    if terminator != "aws4_request" {
        return Err(invalid(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        )));
    }
    if service != "cloudtrail" {
        return Err(invalid(format!("Credential should be scoped to correct service: 'cloudtrail', not '{service}'.")));
    }
    if !valid_region(region) {
        return Err(invalid(format!("Credential should be scoped to a valid region, not '{region}'.")));
    }
    let amz_date = header(parts, "x-amz-date").ok_or_else(|| incomplete("The X-Amz-Date header is required"))?;
    let Some(signed_at) = read_amz_date(&amz_date) else {
        return Err(incomplete("X-Amz-Date must be YYYYMMDD'T'HHMMSS'Z'"));
    };
    if !amz_date.starts_with(date) || date.len() != 8 {
        return Err(invalid(format!("Date in Credential scope does not match YYYYMMDD from X-Amz-Date: '{date}'")));
    }
    if (signed_at - Time::clock().secs).abs() > SKEW {
        return Err(invalid(format!("Signature expired: {amz_date} is more than 15 minutes from the server's time")));
    }
    let names: Vec<&str> = signed.split(';').collect();
    if !names.contains(&"host") {
        return Err(invalid("'Host' must be a 'SignedHeader' in the AWS Authorization.".into()));
    }
    if !names.contains(&"x-amz-date") {
        return Err(invalid("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.".into()));
    }
    let payload = hex::encode(Sha256::digest(body));
    if let Some(claimed) = header(parts, "x-amz-content-sha256")
        && claimed != payload
    {
        return Err(invalid("The provided 'x-amz-content-sha256' header does not match the body".into()));
    }
    let headers: Vec<(String, String)> =
        names.iter().map(|n| (n.to_string(), header(parts, n).unwrap_or_default())).collect();
    let scope = Signer { key_id, secret: SECRET, region, service };
    let canonical =
        canonical_request(parts.method.as_str(), parts.uri.path(), parts.uri.query().unwrap_or(""), &headers, &payload);
    if scope.signature(&amz_date, &canonical) != signature {
        return Err(invalid(
            "The request signature we calculated does not match the signature you provided. Check your AWS \
             Secret Access Key and signing method. Consult the service documentation for details."
                .into(),
        ));
    }
    Ok(region.to_string())
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-north-1`...
fn valid_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// Seconds since the epoch of `YYYYMMDDTHHMMSSZ`.
fn read_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, mo as u32, d as u32) * 86_400 + n(9..11)? * 3600 + n(11..13)? * 60 + n(13..15)?)
}

/// `x-amz-date` for a time.
pub fn amz_date(t: i64) -> String {
    let iso = Time::from_secs(t).to_iso(); // 2017-06-01T13:05:00Z
    iso.chars().filter(|c| c.is_ascii_alphanumeric()).collect() // 20170601T130500Z
}

/// The canonical request of SigV4: headers are (name, value) pairs of the signed headers.
fn canonical_request(method: &str, path: &str, query: &str, headers: &[(String, String)], payload: &str) -> String {
    let mut hs: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect();
    hs.sort();
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort();
    let names: Vec<&str> = hs.iter().map(|(n, _)| n.as_str()).collect();
    let lines: String = hs.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    format!("{method}\n{path}\n{}\n{lines}\n{}\n{payload}", pairs.join("&"), names.join(";"))
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Who signs, and for which scope (the date comes from `x-amz-date`).
pub struct Signer<'a> {
    pub key_id: &'a str,
    pub secret: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

impl Signer<'_> {
    fn signature(&self, amz_date: &str, canonical: &str) -> String {
        let date = amz_date.get(..8).unwrap_or(amz_date);
        let scope = format!("{date}/{}/{}/aws4_request", self.region, self.service);
        let to_sign =
            format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex::encode(Sha256::digest(canonical.as_bytes())));
        let mut key = hmac(format!("AWS4{}", self.secret).as_bytes(), date);
        for part in [self.region, self.service, "aws4_request"] {
            key = hmac(&key, part);
        }
        hex::encode(hmac(&key, &to_sign))
    }

    /// The `Authorization` header of a request: `headers` are the headers to sign, as sent
    /// (`x-amz-date` among them); the body's hash is the payload's.
    pub fn authorization(
        &self,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> String {
        let owned: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        let amz_date = owned.iter().find(|(n, _)| n.eq_ignore_ascii_case("x-amz-date")).map_or("", |(_, v)| v);
        let payload = hex::encode(Sha256::digest(body));
        let canonical = canonical_request(method, path, query, &owned, &payload);
        let mut names: Vec<String> = owned.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        names.sort();
        let date = amz_date.get(..8).unwrap_or(amz_date);
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{date}/{}/{}/aws4_request, SignedHeaders={}, Signature={}",
            self.key_id,
            self.region,
            self.service,
            names.join(";"),
            self.signature(amz_date, &canonical)
        )
    }
}

/// The headers of a LookupEvents request with `body` to `host` (`127.0.0.1:PORT`) for
/// `region`, signed now with the test key, as an SDK sends them.
pub fn sign(host: &str, region: &str, body: &[u8]) -> Vec<(String, String)> {
    let date = amz_date(Time::clock().secs);
    let headers = [("content-type", CONTENT_TYPE), ("host", host), ("x-amz-date", &date), ("x-amz-target", TARGET)];
    let signer = Signer { key_id: KEY_ID, secret: SECRET, region, service: "cloudtrail" };
    let auth = signer.authorization("POST", "/", "", &headers, body);
    headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).chain([("authorization".to_string(), auth)]).collect()
}
