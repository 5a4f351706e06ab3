//! A fast path for reading an event: one pass over the text that finds the fields the mapping
//! reads and checks the JSON grammar of everything it skips, several times faster than serde's
//! derived reader, which spends most of its time in its general machinery.
//!
//! It answers only when it is sure, and gives up (`None`) on anything unusual: a control byte
//! anywhere (so whitespace is only spaces and strings need no control check), an escape in a
//! key or in a value it reads, a lone surrogate, a wrong type, a known field twice, nesting
//! deeper than 100. The caller then reads the event with serde, which decides and words the
//! error. So whatever this accepts, serde accepts with the same fields (a test and a fuzz
//! target compare the two); it never accepts what serde refuses.
//!
//! The text's quotes and backslashes are marked first (`super::arch`), and read by the JSON
//! scanner (`super::scan`); here are the event's fields, and the identities remembered.

use std::borrow::Cow;
use std::cell::RefCell;

use super::arch;
use super::scan::Scan;
use super::{Attributes, Event, Identity, Issuer, Resource, SessionContext};

/// Where a string of an identity lies in the identity's text: offset and length.
type Span = Option<(u32, u32)>;

/// An identity read before: its whole text (an object, from `{` to `}`) and where its
/// strings lie in it. A trail's identities repeat (a few dozen sessions make most of its
/// events), and reading one field by field was a third of the reader's work. A text that
/// starts with these exact bytes holds this exact object, which ends where this text ends, so
/// the identity can be rebuilt from the spans without reading it again.
struct Remembered {
    text: Box<str>,
    /// type, arn, accountId, userName, principalId, invokedBy, then the session issuer's
    /// type, arn and userName, then mfaAuthenticated.
    spans: [Span; 10],
    /// Whether sessionContext was an object, and then whether its sessionIssuer and its
    /// attributes were.
    session: Option<(bool, bool)>,
}

impl Remembered {
    /// `None` when a string is not borrowed from `text` (the fast reader only borrows).
    fn of(id: &Identity<'_>, text: &str) -> Option<Remembered> {
        let span = |s: &Option<Cow<'_, str>>| -> Option<Span> {
            match s {
                None => Some(None),
                Some(Cow::Borrowed(x)) => {
                    let at = (x.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
                    (at + x.len() <= text.len())
                        .then_some(Some((u32::try_from(at).ok()?, u32::try_from(x.len()).ok()?)))
                }
                Some(Cow::Owned(_)) => None,
            }
        };
        let sc = id.session_context.as_ref();
        let issuer = sc.and_then(|c| c.session_issuer.as_ref());
        let mfa = sc.and_then(|c| c.attributes.as_ref()).map(|a| &a.mfa_authenticated);
        let none = None;
        Some(Remembered {
            text: text.into(),
            spans: [
                span(&id.kind)?,
                span(&id.arn)?,
                span(&id.account_id)?,
                span(&id.user_name)?,
                span(&id.principal_id)?,
                span(&id.invoked_by)?,
                span(issuer.map_or(&none, |i| &i.kind))?,
                span(issuer.map_or(&none, |i| &i.arn))?,
                span(issuer.map_or(&none, |i| &i.user_name))?,
                span(mfa.unwrap_or(&none))?,
            ],
            session: sc.map(|c| (c.session_issuer.is_some(), c.attributes.is_some())),
        })
    }

    /// The identity, its strings borrowed from `text` (equal to the remembered text).
    fn identity<'a>(&self, text: &'a str) -> Option<Identity<'a>> {
        let mut strs = [const { None }; 10];
        for (slot, span) in strs.iter_mut().zip(&self.spans) {
            if let Some((at, len)) = *span {
                let at = at as usize;
                *slot = Some(Cow::Borrowed(text.get(at..at + len as usize)?));
            }
        }
        let [kind, arn, account_id, user_name, principal_id, invoked_by, i_kind, i_arn, i_user, mfa] = strs;
        let session_context = self.session.map(|(issuer, attributes)| SessionContext {
            session_issuer: issuer.then_some(Issuer { kind: i_kind, arn: i_arn, user_name: i_user }),
            attributes: attributes.then_some(Attributes { mfa_authenticated: mfa }),
        });
        Some(Identity { kind, arn, account_id, user_name, principal_id, invoked_by, session_context })
    }
}

/// Identities remembered, in sets chosen by their first `KEYED` bytes, the most recent first
/// in each: 16 sets of 4 kept 94 % of the identities of the bench trail (measured against
/// the last 64 seen: 96 %), in some 32 KiB.
const SETS: usize = 16;
const WAYS: usize = 4;
const KEYED: usize = 64;
/// Identities longer than this are not remembered: each thread keeps up to 64, and an event
/// can hold an identity of any size (the bench trail's are some 600 bytes).
const LONGEST: usize = 4096;

thread_local! {
    static IDENTITIES: RefCell<[[Option<Remembered>; WAYS]; SETS]> =
        const { RefCell::new([const { [const { None }; WAYS] }; SETS]) };
}

/// The set of an identity whose text starts with `head`.
fn set_of(head: &[u8; KEYED]) -> usize {
    // The words folded together, then one multiply: no chain of eight multiplies to wait on.
    let mut h = 0u64;
    for (n, word) in head.chunks_exact(8).enumerate() {
        h ^= u64::from_le_bytes(word.try_into().unwrap_or_default()).rotate_left(7 * n as u32);
    }
    (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize % SETS
}

/// Reads `text` (UTF-8 already checked) when it is plain enough; `None` leaves it to serde.
pub(super) fn event(text: &str) -> Option<Event<'_>> {
    let mut ev = Event::default();
    event_into(text, &mut ev)?;
    Some(ev)
}

/// As `event`, into `ev` (default before, and left partly filled when the answer is `None`);
/// `Some(true)` when the object has a top-level `action` key.
pub(super) fn event_into<'a>(text: &'a str, ev: &mut Event<'a>) -> Option<bool> {
    // Events are mostly a few kilobytes: their marks fit on the stack.
    let words = text.len().div_ceil(64);
    let mut stack = [0u64; 64];
    let mut heap = Vec::new();
    let marks = if words <= stack.len() {
        &mut stack[..words]
    } else {
        heap.resize(words, 0);
        &mut heap[..]
    };
    if !arch::mark(text.as_bytes(), marks) {
        return None;
    }
    let mut s = Scan { b: text.as_bytes(), marks, t: text, i: 0, depth: 0, action: false };
    s.ws();
    s.event_into(ev)?;
    s.ws();
    (s.i == s.b.len()).then_some(s.action)
}

/// Sets a field once; a second value for it is left to serde (which refuses duplicates).
#[inline]
fn once<T>(slot: &mut Option<T>, v: Option<T>, seen: &mut u32, bit: u32) -> Option<()> {
    if *seen & bit != 0 {
        return None;
    }
    *seen |= bit;
    *slot = v;
    Some(())
}

impl<'a> Scan<'a, '_> {
    /// The event's fields into `ev` (which is default), in place: an event is some five
    /// hundred bytes, and moving it out of each reader up to the caller copied it five times.
    fn event_into(&mut self, ev: &mut Event<'a>) -> Option<()> {
        if self.peek()? != b'{' {
            return None;
        }
        let mut seen = 0u32;
        self.members(|s, key| {
            let (slot, bit) = match key {
                "eventSource" => (&mut ev.event_source, 1),
                "eventName" => (&mut ev.event_name, 1 << 1),
                "eventType" => (&mut ev.event_type, 1 << 2),
                "eventTime" => (&mut ev.event_time, 1 << 3),
                "eventID" => (&mut ev.event_id, 1 << 4),
                "awsRegion" => (&mut ev.aws_region, 1 << 5),
                "recipientAccountId" => (&mut ev.recipient_account_id, 1 << 6),
                "errorCode" => (&mut ev.error_code, 1 << 7),
                "errorMessage" => (&mut ev.error_message, 1 << 8),
                "sourceIPAddress" => (&mut ev.source_ip_address, 1 << 9),
                "vpcEndpointId" => (&mut ev.vpc_endpoint_id, 1 << 10),
                "readOnly" => {
                    let v = match s.peek()? {
                        b't' => s.literal("true").map(|_| Some(true))?,
                        b'f' => s.literal("false").map(|_| Some(false))?,
                        b'"' => match s.string()? {
                            (v, false) => v.parse().ok(),
                            (_, true) => return None,
                        },
                        // serde reads a number here (and refuses one beyond f64): left to it.
                        b'-' | b'0'..=b'9' => return None,
                        _ => s.skip().map(|_| None)?,
                    };
                    return once(&mut ev.read_only, v, &mut seen, 1 << 11);
                }
                "userIdentity" => {
                    let v = s.identity_seen()?;
                    return once(&mut ev.user_identity, v, &mut seen, 1 << 12);
                }
                "requestParameters" => {
                    let v = s.raw_or_null()?;
                    return once(&mut ev.request_parameters, v, &mut seen, 1 << 13);
                }
                "responseElements" => {
                    let v = s.raw_or_null()?;
                    return once(&mut ev.response_elements, v, &mut seen, 1 << 15);
                }
                "resources" => {
                    let v = match s.peek()? {
                        b'n' => s.literal("null").map(|_| None)?,
                        _ => {
                            let mut list = Vec::new();
                            s.elements(|s| {
                                list.push(s.resource()?);
                                Some(())
                            })?;
                            Some(list)
                        }
                    };
                    return once(&mut ev.resources, v, &mut seen, 1 << 14);
                }
                "action" => {
                    s.action = true;
                    return s.skip();
                }
                _ => return s.skip(),
            };
            let v = s.plain()?;
            once(slot, v, &mut seen, bit)
        })
    }

    fn resource(&mut self) -> Option<Resource<'a>> {
        let mut seen = 0;
        self.object(|s, r: &mut Resource<'a>, key| match key {
            "ARN" => once(&mut r.arn, s.plain()?, &mut seen, 1),
            "type" => once(&mut r.kind, s.plain()?, &mut seen, 2),
            _ => s.skip(),
        })?
    }

    /// The identity at `i`, from the identities remembered when its text is one of theirs.
    /// Only for the event's own `userIdentity`: a remembered text stands for what reading it
    /// gives at that depth (the nesting limit counts from there).
    fn identity_seen(&mut self) -> Option<Option<Identity<'a>>> {
        debug_assert_eq!(self.depth, 1, "an event's own userIdentity");
        self.ws();
        let rest = &self.b[self.i..];
        let Some(head) = rest.first_chunk::<KEYED>().filter(|h| h[0] == b'{') else { return self.identity() };
        let set = set_of(head);
        IDENTITIES.with_borrow_mut(|sets| {
            let ways = &mut sets[set];
            for k in 0..WAYS {
                if let Some(r) = &ways[k]
                    && rest.starts_with(r.text.as_bytes())
                    && let Some(id) = self.t.get(self.i..self.i + r.text.len()).and_then(|text| r.identity(text))
                {
                    self.i += r.text.len();
                    ways[..=k].rotate_right(1);
                    return Some(Some(id));
                }
            }
            let from = self.i;
            let id = self.identity()?;
            let text = self.t.get(from..self.i).filter(|t| t.len() <= LONGEST);
            if let Some(r) = id.as_ref().zip(text).and_then(|(id, text)| Remembered::of(id, text)) {
                ways.rotate_right(1);
                ways[0] = Some(r);
            }
            Some(id)
        })
    }

    fn identity(&mut self) -> Option<Option<Identity<'a>>> {
        let mut seen = 0;
        self.object(|s, id: &mut Identity<'a>, key| match key {
            "type" => once(&mut id.kind, s.plain()?, &mut seen, 1),
            "arn" => once(&mut id.arn, s.plain()?, &mut seen, 1 << 1),
            "accountId" => once(&mut id.account_id, s.plain()?, &mut seen, 1 << 2),
            "userName" => once(&mut id.user_name, s.plain()?, &mut seen, 1 << 3),
            "principalId" => once(&mut id.principal_id, s.plain()?, &mut seen, 1 << 4),
            "invokedBy" => once(&mut id.invoked_by, s.plain()?, &mut seen, 1 << 5),
            "sessionContext" => {
                let mut seen2 = 0;
                let v = s.object(|s, sc: &mut SessionContext<'a>, key| match key {
                    "sessionIssuer" => {
                        let mut seen3 = 0;
                        let v = s.object(|s, is: &mut Issuer<'a>, key| match key {
                            "type" => once(&mut is.kind, s.plain()?, &mut seen3, 1),
                            "arn" => once(&mut is.arn, s.plain()?, &mut seen3, 2),
                            "userName" => once(&mut is.user_name, s.plain()?, &mut seen3, 4),
                            _ => s.skip(),
                        })?;
                        once(&mut sc.session_issuer, v, &mut seen2, 1)
                    }
                    "attributes" => {
                        let mut seen3 = 0;
                        let v = s.object(|s, at: &mut Attributes<'a>, key| match key {
                            "mfaAuthenticated" => once(&mut at.mfa_authenticated, s.plain()?, &mut seen3, 1),
                            _ => s.skip(),
                        })?;
                        once(&mut sc.attributes, v, &mut seen2, 2)
                    }
                    _ => s.skip(),
                })?;
                once(&mut id.session_context, v, &mut seen, 1 << 6)
            }
            _ => s.skip(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Event;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// What the fast reader says of `text` must be what serde says: the same fields, or (when
    /// serde refuses it) no answer. It may leave to serde what serde accepts.
    fn agrees(text: &str) -> Result<(), String> {
        let fast = super::event(text);
        let serde = Event::parse_serde(text);
        match (fast, serde) {
            (Some(f), Ok(s)) if format!("{f:?}") == format!("{s:?}") => Ok(()),
            (Some(f), Ok(s)) => Err(format!("different fields for {text}:\n fast {f:?}\nserde {s:?}")),
            (Some(f), Err(e)) => Err(format!("fast accepted what serde refuses ({e}): {text}\n{f:?}")),
            (None, _) => Ok(()),
        }
    }

    fn fast_reads(text: &str) -> bool {
        super::event(text).is_some()
    }

    #[test]
    fn reads_a_plain_event_as_serde_does() {
        let ev = json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": "AssumedRole", "principalId": "AROA:s", "arn": "arn:aws:sts::1:assumed-role/r/s",
                "accountId": "111122223333", "sessionContext": {"sessionIssuer": {"type": "Role",
                "arn": "arn:aws:iam::111122223333:role/r", "userName": "r"}, "webIdFederationData": {},
                "attributes": {"creationDate": "2024-01-01T00:00:00Z", "mfaAuthenticated": "false"}}},
            "eventTime": "2024-01-01T00:00:01Z", "eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
            "awsRegion": "ap-southeast-2", "sourceIPAddress": "192.0.2.1", "userAgent": "aws-cli/2",
            "errorCode": "Client.UnauthorizedOperation", "errorMessage": "You are not authorized",
            "requestParameters": {"instanceType": "t2.micro", "n": [1, -2.5e3, 0, true, false, null]},
            "responseElements": {"instancesSet": {"items": [{"instanceId": "i-1"}]}}, "readOnly": false, "eventType": "AwsApiCall", "eventID": "e1",
            "recipientAccountId": "111122223333", "vpcEndpointId": "vpce-1",
            "resources": [{"ARN": "arn:aws:ec2:::instance/i-1", "accountId": "1", "type": "AWS::EC2::Instance"}],
            "tlsDetails": {"tlsVersion": "TLSv1.3"}
        });
        let text = ev.to_string();
        assert!(fast_reads(&text), "a plain event is read by the fast path");
        agrees(&text).unwrap();
        let ev = Event::parse_fast(&text).unwrap();
        assert_eq!(ev.request_parameters, Some(r#"{"instanceType":"t2.micro","n":[1,-2500.0,0,true,false,null]}"#));
        assert_eq!(ev.response_elements, Some(r#"{"instancesSet":{"items":[{"instanceId":"i-1"}]}}"#));
        assert_eq!(ev.principal(), Some("arn:aws:iam::111122223333:role/r"));
    }

    #[test]
    fn leaves_the_unusual_to_serde() {
        let cases = [
            // Escapes in a value read, in a key; a lone surrogate; control bytes; a tab.
            r#"{"eventName":"A\"B"}"#,
            r#"{"event\u004eame":"X"}"#,
            r#"{"x":"\ud800"}"#,
            "{\"x\":\"a\u{1}b\"}",
            "{\t\"eventName\":\"X\"}",
            // Wrong types, duplicates, the positional form of a struct, a top level not an object.
            r#"{"eventName":5}"#,
            r#"{"eventName":"A","eventName":"B"}"#,
            r#"{"userIdentity":{"arn":"a","arn":"b"}}"#,
            r#"{"userIdentity":["IAMUser"]}"#,
            r#"{"resources":[null]}"#,
            r#"[{"eventName":"X"}]"#,
            "null",
            // Bad JSON of every kind.
            r#"{"eventName":"X""#,
            r#"{"eventName":"X",}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":tru}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":[1,]}"#,
            r#"{"a" 1}"#,
            r#"{"eventName":"X"} x"#,
            r#"{"eventName":"X"}{}"#,
        ];
        for text in cases {
            assert!(!fast_reads(text), "left to serde: {text}");
            agrees(text).unwrap();
        }
        // Deep nesting is left to serde, whatever it decides.
        let deep = format!(r#"{{"a":{}1{}}}"#, "[".repeat(200), "]".repeat(200));
        assert!(!fast_reads(&deep));
        let deeper = format!(r#"{{"userIdentity":{}null{}}}"#, r#"{"x":"#.repeat(200), "}".repeat(200));
        assert!(!fast_reads(&deeper));
    }

    #[test]
    fn reads_what_it_skips_as_json_does() {
        // Values the fast path checks and skips; serde must accept the same.
        for text in [
            r#"{"a":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00","b":-0.5E+10,"c":[[],{}],"d":{"e":[{"f":null}]}}"#,
            r#" { "eventName" : "X" , "readOnly" : "true" , "requestParameters" : null } "#,
            r#"{"readOnly":{"x":1},"resources":[],"userIdentity":null}"#,
            r#"{"eventName":null,"requestParameters":[1,2],"resources":[{"ARN":null,"x":[1]}]}"#,
        ] {
            agrees(text).unwrap();
        }
        // Escaped pairs of surrogates are left to serde (which reads them).
        assert!(!fast_reads(r#"{"a":"\uD83D\uDE00"}"#));
        assert!(fast_reads(r#" { "eventName" : "X" , "readOnly" : "true" , "requestParameters" : null } "#));
    }

    /// JSON values drawn from the shapes events have, with the field names the reader knows.
    fn arb_value(depth: u32) -> BoxedStrategy<Value> {
        let key = prop_oneof![
            Just("eventName"),
            Just("eventSource"),
            Just("eventTime"),
            Just("eventType"),
            Just("eventID"),
            Just("awsRegion"),
            Just("recipientAccountId"),
            Just("errorCode"),
            Just("errorMessage"),
            Just("sourceIPAddress"),
            Just("vpcEndpointId"),
            Just("readOnly"),
            Just("userIdentity"),
            Just("requestParameters"),
            Just("resources"),
            Just("type"),
            Just("arn"),
            Just("accountId"),
            Just("userName"),
            Just("principalId"),
            Just("invokedBy"),
            Just("sessionContext"),
            Just("sessionIssuer"),
            Just("attributes"),
            Just("mfaAuthenticated"),
            Just("ARN"),
            Just("other"),
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            "[a-z\"\\\\/é\u{1}😀 ]{0,12}".prop_map(Value::String),
            Just(Value::String("true".into())),
        ];
        if depth == 0 {
            return leaf.boxed();
        }
        prop_oneof![
            3 => leaf,
            1 => proptest::collection::vec(arb_value(depth - 1), 0..4).prop_map(Value::Array),
            2 => proptest::collection::vec((key, arb_value(depth - 1)), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
        .boxed()
    }

    /// Identities long enough to be remembered, alike in their first bytes and different
    /// after them, read in any order, damaged or not: each event must read as serde reads it,
    /// whether its identity was remembered or not.
    fn arb_identity() -> impl Strategy<Value = String> {
        let session = prop_oneof![Just("GitHubActions"), Just("GitHubActions2"), Just("i-0abc"), Just("")];
        let date = prop_oneof![Just("2024-03-01T00:00:00Z"), Just("2024-03-01T00:05:00Z")];
        let mfa = prop_oneof![Just(r#""false""#), Just(r#""true""#), Just("null"), Just("5")];
        let issuer = prop_oneof![
            Just(r#"{"type":"Role","arn":"arn:aws:iam::111122223333:role/deploy","userName":"deploy"}"#),
            Just("null"),
            Just(r#"{"arn":"a","arn":"b"}"#),
        ];
        (session, date, mfa, issuer, any::<bool>(), any::<bool>()).prop_map(|(session, date, mfa, issuer, invoked, escaped)| {
            let invoked = if invoked { r#","invokedBy":"ec2.amazonaws.com""# } else { "" };
            let name = if escaped { r#"de\u0070loy"# } else { "deploy" };
            format!(
                r#"{{"type":"AssumedRole","principalId":"AROAEXAMPLEEXAMPLE123:{session}","arn":"arn:aws:sts::111122223333:assumed-role/{name}/{session}","accountId":"111122223333"{invoked},"sessionContext":{{"sessionIssuer":{issuer},"attributes":{{"creationDate":"{date}","mfaAuthenticated":{mfa}}}}}}}"#
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn remembered_identities_read_as_serde_reads_them(
            events in proptest::collection::vec((arb_identity(), any::<u8>(), any::<bool>()), 1..24)
        ) {
            for (identity, cut, tail) in events {
                let after = if tail { r#","eventName":"X"}"# } else { r#"}"# };
                let text = format!(r#"{{"eventSource":"s3.amazonaws.com","userIdentity":{identity}{after}"#);
                prop_assert!(agrees(&text).is_ok(), "{}", agrees(&text).unwrap_err());
                // The identity cut short, or followed by something that is not JSON.
                let short = &text[..text.len() - 1 - cut as usize % 40];
                prop_assert!(agrees(short).is_ok(), "{}", agrees(short).unwrap_err());
                let bad = format!(r#"{{"userIdentity":{identity}x}}"#);
                prop_assert!(!fast_reads(&bad));
            }
        }
    }

    #[test]
    fn long_identities_are_read_but_not_remembered() {
        let long = "x".repeat(super::LONGEST);
        let text = format!(r#"{{"eventName":"A","userIdentity":{{"type":"IAMUser","userName":"{long}"}}}}"#);
        for _ in 0..2 {
            agrees(&text).unwrap();
            assert_eq!(super::event(&text).unwrap().user_identity.unwrap().user_name.as_deref(), Some(long.as_str()));
        }
        super::IDENTITIES.with_borrow(|sets| {
            assert!(sets.iter().flatten().flatten().all(|r| r.text.len() <= super::LONGEST), "kept no long text");
        });
    }

    #[test]
    fn a_remembered_identity_is_read_again_from_the_new_text() {
        let identity = r#"{"type":"IAMUser","principalId":"AIDAEXAMPLEEXAMPLE1234","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"}"#;
        let first = format!(r#"{{"eventName":"A","userIdentity":{identity}}}"#);
        let second = format!(r#"{{"eventName":"B","userIdentity":{identity},"eventSource":"ec2.amazonaws.com"}}"#);
        let a = super::event(&first).unwrap();
        let b = super::event(&second).unwrap();
        agrees(&second).unwrap();
        let (ia, ib) = (a.user_identity.unwrap(), b.user_identity.unwrap());
        assert_eq!(ib.user_name.as_deref(), Some("alice"));
        assert_eq!(format!("{ia:?}"), format!("{ib:?}"));
        // The second event's strings are its own text's, not the first's.
        let arn = ib.arn.as_deref().unwrap();
        assert!(second.as_bytes().as_ptr_range().contains(&arn.as_ptr()), "borrowed from the second event");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn agrees_with_serde_on_generated_events(v in arb_value(4), spaced in any::<bool>(), cut in any::<u16>(), flip in any::<u8>()) {
            let text = if spaced { serde_json::to_string_pretty(&v).unwrap().replace('\n', " ") } else { v.to_string() };
            prop_assert!(agrees(&text).is_ok(), "{}", agrees(&text).unwrap_err());
            // Damaged: cut short, or one byte changed to a JSON-significant one.
            let b = text.as_bytes();
            let at = cut as usize % b.len().max(1);
            if let Ok(short) = std::str::from_utf8(&b[..at]) {
                prop_assert!(agrees(short).is_ok(), "{}", agrees(short).unwrap_err());
            }
            let mut changed = b.to_vec();
            if !changed.is_empty() && changed[at].is_ascii() {
                let significant = b"{}[]\",:\\ 0-.eEtfnu";
                changed[at] = significant[flip as usize % significant.len()];
                if let Ok(changed) = std::str::from_utf8(&changed) {
                    prop_assert!(agrees(changed).is_ok(), "{}", agrees(changed).unwrap_err());
                }
            }
        }
    }
}
