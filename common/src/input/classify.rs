//! Recognising what a JSON document is, and handing on the CloudTrail events inside it.
//!
//! A document is parsed once by serde_json with visitors that look only at the keys that
//! identify a container; the events themselves are passed on as the raw bytes of the input
//! (`RawValue`), never re-serialised. Container arrays are walked element by element, so the
//! events before a damaged spot are handed on before the damage is reported.

use std::fmt;
use std::io::{self, Read};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::compact::compact;
use super::split::{Item, Splitter};
use super::{Flow, Visit};

/// Deepest nesting of envelopes (an event inside a string inside a log payload...).
const MAX_NESTING: u8 = 4;

/// What a document turned out to be, once its events (if any) were handed on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The document is itself one event.
    Event,
    /// A container; its events, `n` of them, were handed on.
    Container(u64),
    /// A CloudTrail digest file: integrity data, no events.
    Digest,
    /// A CloudWatch Logs control message: no events.
    Control,
    /// Valid JSON, but nothing CloudTrail.
    Foreign,
}

/// Where the parse is, for messages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Index {
    pub what: &'static str,
    pub n: u64,
}

/// Carries the visitor and state through serde's callbacks.
pub(crate) struct Emitter<'v> {
    pub visit: &'v mut dyn Visit,
    pub source: &'v str,
    /// Line of the current document's first byte.
    pub line: u64,
    /// Whether the current document holds whitespace outside strings: known when the scanner
    /// delimited it, `None` when it was parsed straight from its line (then each event is
    /// checked on its own, cheaply).
    pub loose: Option<bool>,
    pub index: Option<Index>,
    pub events: u64,
    pub stopped: bool,
    pub io_error: Option<io::Error>,
    pub max_doc: usize,
    /// Start and end of the current document, to locate the events handed on from it.
    doc_span: (usize, usize),
    /// End (offset in the document) of the last event handed on from it, if any.
    pub last_end: Option<usize>,
    /// Messages handed on so far.
    pub messages: u64,
    /// Events and messages to pass over silently: a document parsed again after a first,
    /// tentative parse of its first line already handed these on.
    pub skip: (u64, u64),
    scratch: Vec<u8>,
    nesting: u8,
}

/// A serde error that only unwinds the parse: the reason is kept in the emitter.
fn unwind<E: de::Error>() -> E {
    E::custom("ct: stopped")
}

impl<'v> Emitter<'v> {
    pub(crate) fn new(visit: &'v mut dyn Visit, source: &'v str, max_doc: usize) -> Self {
        Emitter {
            visit,
            source,
            line: 1,
            loose: None,
            index: None,
            events: 0,
            stopped: false,
            io_error: None,
            max_doc,
            doc_span: (0, 0),
            last_end: None,
            messages: 0,
            skip: (0, 0),
            scratch: Vec::new(),
            nesting: 0,
        }
    }

    /// Hands one event on (or reports it, when nested too deeply). `loose` says whether it may
    /// hold whitespace to remove.
    fn emit(&mut self, raw: &[u8], loose: Option<bool>) -> Result<(), ()> {
        let at = raw.as_ptr() as usize;
        if at >= self.doc_span.0 && at < self.doc_span.1 {
            self.last_end = Some(at + raw.len() - self.doc_span.0);
        }
        if self.skip.0 > 0 {
            self.skip.0 -= 1;
            return Ok(());
        }
        if too_deep(raw) {
            // Valid JSON, but no ct tool (serde_json) and not every jq reads it: an error
            // here rather than a record that breaks the next stage.
            let line = self.index.is_none().then_some(self.line);
            return self.bad(line, &format_args!("event nested deeper than {MAX_DEPTH} levels"));
        }
        let loose = loose.unwrap_or_else(|| maybe_loose(raw));
        let json = if loose { compact(raw, &mut self.scratch) } else { raw };
        self.events += 1;
        match self.visit.event(json) {
            Ok(Flow::Continue) => Ok(()),
            Ok(Flow::Stop) => {
                self.stopped = true;
                Err(())
            }
            Err(e) => {
                self.io_error = Some(e);
                Err(())
            }
        }
    }

    /// Hands a note on (unless already handed on by a tentative parse).
    pub(crate) fn note(&mut self, line: Option<u64>, msg: &dyn fmt::Display) {
        if self.skip.1 > 0 {
            self.skip.1 -= 1;
            return;
        }
        self.messages += 1;
        let place = Place { source: self.source, line, index: self.index };
        self.visit.note(&place, msg);
    }

    pub(crate) fn place(&self, line: Option<u64>) -> Place<'v> {
        Place { source: self.source, line, index: self.index }
    }

    /// Reports a bad spot inside the current document; `Err` when reading must stop.
    fn bad(&mut self, line: Option<u64>, msg: &dyn fmt::Display) -> Result<(), ()> {
        if self.skip.1 > 0 {
            self.skip.1 -= 1;
            return Ok(());
        }
        self.messages += 1;
        let place = Place { source: self.source, line, index: self.index };
        match self.visit.error(&place, msg) {
            Flow::Continue => Ok(()),
            Flow::Stop => {
                self.stopped = true;
                Err(())
            }
        }
    }

    /// Handles one top-level document; the caller reports a parse error. When `doc` runs on
    /// past the end of the first JSON value (a tentative line holding two documents), the
    /// value's length comes back with the kind.
    pub(crate) fn document(&mut self, doc: &[u8]) -> Result<(Kind, Option<usize>), serde_json::Error> {
        self.index = None;
        self.last_end = None;
        let start = doc.as_ptr() as usize;
        self.doc_span = (start, start + doc.len());
        let mut de = serde_json::Deserializer::from_slice(doc);
        let loose = self.loose;
        let kind = de.deserialize_any(Classify { em: self, loose })?;
        let len = match de.end() {
            Ok(()) => None,
            // Only a one-line tentative document can run on; its column is its byte offset.
            Err(e) if e.line() == 1 && e.to_string().starts_with("trailing characters") => {
                Some(e.column().saturating_sub(1))
            }
            Err(e) => return Err(e),
        };
        if kind == Kind::Event {
            let text = doc[..len.unwrap_or(doc.len())].trim_ascii_end();
            // The parse skipped over the values without decoding them, so their UTF-8 is
            // checked here: every record written must be UTF-8.
            if let Err(e) = std::str::from_utf8(text) {
                let at = e.valid_up_to();
                return Err(<serde_json::Error as de::Error>::custom(format_args!(
                    "invalid UTF-8 in a string (byte {} of the record)",
                    at + 1
                )));
            }
            if self.emit(text, self.loose).is_err() {
                return Err(unwind());
            }
        }
        Ok((kind, len))
    }

    /// An event (or container) carried as a JSON string: lookup-events' CloudTrailEvent,
    /// a CloudWatch Logs message.
    fn nested_text(&mut self, text: &str, what: &str) -> Result<(), ()> {
        if self.nesting >= MAX_NESTING {
            return self.bad(None, &format_args!("{what} nested too deeply"));
        }
        self.nesting += 1;
        let mut de = serde_json::Deserializer::from_str(text);
        let saved = self.index;
        let res = de.deserialize_any(Classify { em: self, loose: None }).and_then(|k| de.end().map(|_| k));
        self.index = saved;
        self.nesting -= 1;
        match res {
            Ok(Kind::Event) => self.emit(text.as_bytes(), None),
            Ok(Kind::Container(_)) => Ok(()),
            Ok(_) => self.bad(None, &format_args!("{what} is not a CloudTrail event")),
            Err(_) if self.stopped || self.io_error.is_some() => Err(()),
            Err(e) => self.bad(None, &format_args!("{what} is not valid JSON: {}", describe(&e))),
        }
    }

    /// A value that sits inside an envelope: an array element or an EventBridge `detail`.
    fn nested_value(&mut self, raw: &RawValue, loose: Option<bool>, what: &str) -> Result<(), ()> {
        let bytes = raw.get().as_bytes();
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let res = de.deserialize_any(Classify { em: self, loose });
        match res {
            Ok(Kind::Event) => self.emit(bytes, loose),
            Ok(Kind::Container(_)) => Ok(()),
            Ok(Kind::Digest) => {
                self.note(None, &"digest file, no events");
                Ok(())
            }
            Ok(_) => self.bad(None, &format_args!("{what} is not a CloudTrail event")),
            Err(_) if self.stopped || self.io_error.is_some() => Err(()),
            // The element was already validated as JSON; a failure here is a nested container's.
            Err(e) => self.bad(None, &describe(&e)),
        }
    }

    /// A CloudWatch Logs subscription payload as a Lambda function receives it:
    /// base64 of gzip of the payload.
    fn awslogs(&mut self, data: &str) -> Result<(), ()> {
        use base64::Engine;
        if self.nesting >= MAX_NESTING {
            return self.bad(None, &"awslogs payload nested too deeply");
        }
        let Ok(gz) = base64::engine::general_purpose::STANDARD.decode(data.trim()) else {
            return self.bad(None, &"awslogs.data is not base64");
        };
        let mut plain = Vec::new();
        let limit = self.max_doc as u64;
        let decoded = if super::gzip::is_gzip(&gz) {
            super::gzip::stream(&gz[..]).take(limit + 1).read_to_end(&mut plain)
        } else {
            plain.extend_from_slice(&gz);
            Ok(plain.len())
        };
        if let Err(e) = decoded {
            return self.bad(None, &format_args!("awslogs.data: {}", super::gzip::describe(&e)));
        }
        if plain.len() as u64 > limit {
            return self.bad(None, &"awslogs.data inflates beyond the document size limit");
        }
        self.nesting += 1;
        let saved = (self.line, self.loose, self.index);
        let mut sp = Splitter::whole(plain, self.max_doc);
        sp.scan_only();
        let res = loop {
            match sp.next_item() {
                Item::End => break Ok(()),
                Item::Doc { range, loose, .. } => {
                    self.loose = Some(loose);
                    let doc = sp.slice(range);
                    match self.document(doc).map(|(k, _)| k) {
                        Ok(Kind::Event | Kind::Container(_) | Kind::Control) => {}
                        Ok(_) => {
                            if self.bad(None, &"awslogs payload is not CloudWatch Logs data").is_err() {
                                break Err(());
                            }
                        }
                        Err(_) if self.stopped || self.io_error.is_some() => break Err(()),
                        Err(e) => {
                            if self.bad(None, &format_args!("awslogs payload: {}", describe(&e))).is_err() {
                                break Err(());
                            }
                            break Ok(());
                        }
                    }
                }
                _ => {
                    break self.bad(None, &"awslogs payload is not JSON");
                }
            }
        };
        (self.line, self.loose, self.index) = saved;
        self.nesting -= 1;
        res
    }
}

/// A place in the input, shown in messages as `file: line 3: record 7`.
pub struct Place<'a> {
    pub source: &'a str,
    pub line: Option<u64>,
    pub(crate) index: Option<Index>,
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.source)?;
        match (self.line, self.index) {
            // A one-line document: the record number says it all.
            (Some(1), Some(_)) | (None, _) => {}
            (Some(line), _) => write!(f, ": line {line}")?,
        }
        if let Some(ix) = self.index {
            write!(f, ": {} {}", ix.what, ix.n)?;
        }
        Ok(())
    }
}

/// Whether JSON text may hold whitespace outside strings. Raw control characters cannot
/// occur inside strings, and any run of spaces outside strings touches a structural
/// character on one side, so a `false` is certain; a `true` may be a space inside a string
/// and only costs an exact compaction pass.
pub(crate) fn maybe_loose(json: &[u8]) -> bool {
    if memchr::memchr3(b'\n', b'\r', b'\t', json).is_some() {
        return true;
    }
    let structural = |b: u8| matches!(b, b'{' | b'}' | b'[' | b']' | b':' | b',');
    memchr::memchr_iter(b' ', json)
        .any(|i| (i > 0 && structural(json[i - 1])) || json.get(i + 1).is_some_and(|&b| structural(b)))
}

/// serde_json's message without its position, which the caller reports its own way.
pub(crate) fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    match e.classify() {
        serde_json::error::Category::Eof => {
            "invalid JSON: the value opened here is never closed (truncated?)".to_string()
        }
        _ => format!("invalid JSON: {text}"),
    }
}

/// The keys that identify what an object is.
enum Field {
    Records,
    Events,
    CloudTrailEvent,
    LogEvents,
    MessageType,
    DetailType,
    Detail,
    Awslogs,
    /// Keys of a digest file.
    Digest,
    /// Keys every CloudTrail event carries; the bit tells them apart so duplicates count once.
    Event(u16),
    Other,
}

impl<'de> de::Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, k: &str) -> Result<Field, E> {
                Ok(match k {
                    "Records" => Field::Records,
                    "Events" => Field::Events,
                    "CloudTrailEvent" => Field::CloudTrailEvent,
                    "logEvents" => Field::LogEvents,
                    "messageType" => Field::MessageType,
                    "detail-type" => Field::DetailType,
                    "detail" => Field::Detail,
                    "awslogs" => Field::Awslogs,
                    "digestStartTime"
                    | "digestEndTime"
                    | "digestS3Object"
                    | "logFiles"
                    | "digestPublicKeyFingerprint" => Field::Digest,
                    "eventVersion" => Field::Event(1),
                    "eventTime" => Field::Event(2),
                    "eventSource" => Field::Event(4),
                    "eventName" => Field::Event(8),
                    "eventID" => Field::Event(16),
                    "eventType" => Field::Event(32),
                    "awsRegion" => Field::Event(64),
                    "userIdentity" => Field::Event(128),
                    "recipientAccountId" => Field::Event(256),
                    "eventCategory" => Field::Event(512),
                    _ => Field::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// Classifies one value (object or array), handing on the events of containers.
struct Classify<'e, 'v> {
    em: &'e mut Emitter<'v>,
    /// Whether raw values inside may hold whitespace to remove (`None`: check each).
    loose: Option<bool>,
}

impl<'de> Visitor<'de> for Classify<'_, '_> {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut n = 0u64;
        let before = self.em.events;
        let outer = self.em.index;
        loop {
            self.em.index = Some(Index { what: "element", n: n + 1 });
            let Some(raw) = seq.next_element::<&'de RawValue>()? else {
                break;
            };
            n += 1;
            if self.em.nested_value(raw, self.loose, "array element").is_err() {
                return Err(unwind());
            }
        }
        self.em.index = outer;
        if n == 0 {
            self.em.note(None, &"empty array, no events");
        }
        Ok(Kind::Container(self.em.events - before))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let em = self.em;
        let mut container: Option<u64> = None;
        let mut cloudtrail_event: Option<String> = None;
        let mut detail_type: Option<String> = None;
        let mut detail: Option<&'de RawValue> = None;
        let mut message_type: Option<String> = None;
        let mut awslogs: Option<String> = None;
        let mut digest_keys = 0;
        let mut event_keys = 0u16;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Records => {
                    let n =
                        map.next_value_seed(Elements { em, loose: self.loose, what: "record", how: Each::Record })?;
                    container = Some(container.unwrap_or(0) + n);
                }
                Field::Events => {
                    let n =
                        map.next_value_seed(Elements { em, loose: self.loose, what: "entry", how: Each::Lookup })?;
                    container = Some(container.unwrap_or(0) + n);
                }
                Field::LogEvents if message_type.as_deref() == Some("CONTROL_MESSAGE") => {
                    // A health check of the subscription; its messages are plain text.
                    map.next_value::<IgnoredAny>()?;
                    container = Some(container.unwrap_or(0));
                }
                Field::LogEvents => {
                    let n =
                        map.next_value_seed(Elements { em, loose: self.loose, what: "logEvent", how: Each::LogEvent })?;
                    container = Some(container.unwrap_or(0) + n);
                }
                Field::CloudTrailEvent => cloudtrail_event = map.next_value::<AnyString>()?.0,
                Field::DetailType => detail_type = map.next_value::<AnyString>()?.0,
                Field::Detail => detail = Some(map.next_value()?),
                Field::MessageType => message_type = map.next_value::<AnyString>()?.0,
                Field::Awslogs => {
                    let v: AwsLogs = map.next_value()?;
                    awslogs = v.data;
                }
                Field::Digest => {
                    digest_keys += 1;
                    map.next_value::<IgnoredAny>()?;
                }
                Field::Event(bit) => {
                    event_keys |= bit;
                    map.next_value::<IgnoredAny>()?;
                }
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(n) = container {
            if n == 0 && message_type.as_deref() == Some("CONTROL_MESSAGE") {
                return Ok(Kind::Control);
            }
            if n == 0 {
                em.note(None, &"empty container, no events");
            }
            return Ok(Kind::Container(n));
        }
        let before = em.events;
        if let Some(text) = cloudtrail_event {
            em.nested_text(&text, "CloudTrailEvent").map_err(|_| unwind::<A::Error>())?;
            return Ok(Kind::Container(em.events - before));
        }
        if let (Some(dt), Some(detail)) = (&detail_type, detail) {
            let what = format!("EventBridge event ({dt:?}) detail");
            em.nested_value(detail, self.loose, &what).map_err(|_| unwind::<A::Error>())?;
            return Ok(Kind::Container(em.events - before));
        }
        if let Some(data) = awslogs {
            em.awslogs(&data).map_err(|_| unwind::<A::Error>())?;
            return Ok(Kind::Container(em.events - before));
        }
        if digest_keys >= 2 {
            return Ok(Kind::Digest);
        }
        if event_keys.count_ones() >= 2 {
            return Ok(Kind::Event);
        }
        if message_type.as_deref() == Some("CONTROL_MESSAGE") {
            return Ok(Kind::Control);
        }
        Ok(Kind::Foreign)
    }
}

/// Any JSON value; keeps it only when it is a string.
struct AnyString(Option<String>);

impl<'de> de::Deserialize<'de> for AnyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::event::Str::deserialize(d).map(|s| AnyString(s.0.map(std::borrow::Cow::into_owned)))
    }
}

#[derive(serde::Deserialize)]
struct AwsLogs {
    data: Option<String>,
}

#[derive(Clone, Copy)]
enum Each {
    /// `Records[]`: each element is an event.
    Record,
    /// lookup-events `Events[]`: each element carries the event as a string.
    Lookup,
    /// CloudWatch Logs `logEvents[]`: each element's `message` is the event as a string.
    LogEvent,
}

/// Walks a container's array, handing on each event as soon as it is parsed.
struct Elements<'e, 'v> {
    em: &'e mut Emitter<'v>,
    loose: Option<bool>,
    what: &'static str,
    how: Each,
}

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
        Err(E::custom(format_args!("the {} list is null", self.what)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let em = self.em;
        let before = em.events;
        let mut n = 0;
        loop {
            em.index = Some(Index { what: self.what, n: n + 1 });
            let outcome = match self.how {
                Each::Record => {
                    let Some(raw) = seq.next_element::<&'de RawValue>()? else {
                        break;
                    };
                    if raw.get().starts_with('{') {
                        em.emit(raw.get().as_bytes(), self.loose)
                    } else {
                        em.bad(None, &"record is not a JSON object")
                    }
                }
                Each::Lookup | Each::LogEvent => {
                    let key = if matches!(self.how, Each::Lookup) { "CloudTrailEvent" } else { "message" };
                    let Some(entry) = seq.next_element::<&'de RawValue>()? else {
                        break;
                    };
                    match crate::event::top_level_str(entry.get().as_bytes(), key) {
                        Some(text) => em.nested_text(&text, key),
                        None => em.bad(None, &format_args!("{} has no {key} string", self.what)),
                    }
                }
            };
            n += 1;
            if outcome.is_err() {
                return Err(unwind());
            }
        }
        em.index = None;
        Ok(em.events - before)
    }
}
/// The deepest nesting an event may have: what serde_json, which every ct tool reads events
/// with, accepts.
pub(crate) const MAX_DEPTH: usize = 127;

/// Whether JSON text nests deeper than `MAX_DEPTH`. Only text holding that many brackets can,
/// so nearly every record is ruled out by a count of them.
pub(crate) fn too_deep(raw: &[u8]) -> bool {
    if memchr::memchr2_iter(b'[', b'{', raw).take(MAX_DEPTH + 1).count() <= MAX_DEPTH {
        return false;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in raw {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_deep_draws_the_line_where_serde_json_does() {
        for depth in 120..=136 {
            let text = format!(r#"{{"eventVersion":"1.08","a":{}1{}}}"#, "[".repeat(depth - 1), "]".repeat(depth - 1));
            let serde_reads = serde_json::from_str::<serde_json::Value>(&text).is_ok();
            assert_eq!(too_deep(text.as_bytes()), !serde_reads, "depth {depth}");
        }
        // Brackets inside strings (escaped quotes included) are text, not nesting.
        let text = format!(r#"{{"a":"\"{}","b":[1]}}"#, "[".repeat(500));
        assert!(!too_deep(text.as_bytes()));
    }
}
