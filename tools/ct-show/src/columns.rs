//! What a record is (its kind), which columns each kind shows, and the cell of a column in
//! one record: the event columns of the console's Event history, or any JSON path.

use std::cmp::Ordering;

use jiff::Timestamp;
use serde_json::value::RawValue;

use crate::record::{Obj, Shape, as_string, shape};
use crate::resources::{self, Resource};
use crate::zone::{Bucket, Zone, parse_time};
use ct_iam::arn;

/// The kinds of record ct-show knows, told apart by their fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A CloudTrail event.
    Event,
    /// An action record (ct-actions).
    Action,
    /// One use of an action by one event (ct-actions --per-event).
    Use,
    /// A finding record (ct-policy check).
    Finding,
    /// An object record (ct-fetch --list).
    Object,
    /// A verification record (ct-verify).
    Verification,
    /// Any other JSON object: its columns are the keys of the first one.
    Other,
}

impl Kind {
    /// A record's kind, by the fields it has.
    pub fn of(obj: &Obj<'_>) -> Kind {
        let has = |k| obj.has(k);
        if has("action") && has("decision") {
            Kind::Finding
        } else if has("action") && has("count") {
            Kind::Action
        } else if has("action") && has("known") {
            Kind::Use
        } else if has("key") && has("size") {
            Kind::Object
        } else if has("key") && has("status") && has("kind") {
            Kind::Verification
        } else if ["eventVersion", "eventTime", "eventName", "eventSource"].iter().any(|k| has(k)) {
            Kind::Event
        } else {
            Kind::Other
        }
    }

    /// The name of the kind in messages, one and several: `1 event`, `2 action records`.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Kind::Event => ("event", "events"),
            Kind::Action => ("action record", "action records"),
            Kind::Use => ("per-event action record", "per-event action records"),
            Kind::Finding => ("finding", "findings"),
            Kind::Object => ("object record", "object records"),
            Kind::Verification => ("verification record", "verification records"),
            Kind::Other => ("other record", "other records"),
        }
    }

    /// The columns shown when --fields is not given (Other: the first record's keys).
    pub fn defaults(self) -> &'static [&'static str] {
        match self {
            Kind::Event => {
                &["time", "user", "event", "resource-type", "resource", "source", "region", "access-key", "ip", "error"]
            }
            Kind::Action => &["action", "count", "denied", "first", "last", "principals"],
            Kind::Use => &["eventTime", "action", "principal", "region", "resources", "errorCode", "denied"],
            Kind::Finding => &["decision", "action", "count", "denied", "principals", "resources", "statement"],
            Kind::Object => &["key", "kind", "size", "lastModified"],
            Kind::Verification => &["status", "kind", "key", "reason"],
            Kind::Other => &[],
        }
    }
}

/// The event columns with names of their own (the console's Event history and a few more);
/// every other name is a JSON path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Time,
    User,
    Event,
    ResourceType,
    Resource,
    ResourceArn,
    Source,
    Region,
    AccessKey,
    Ip,
    Error,
    Id,
    Account,
    Arn,
    Role,
    Agent,
}

/// Each named event column: its name and the path it reads (empty when it is worked out).
pub const NAMED: &[(&str, Named, &str)] = &[
    ("time", Named::Time, "eventTime"),
    ("user", Named::User, ""),
    ("event", Named::Event, "eventName"),
    ("resource-type", Named::ResourceType, ""),
    ("resource", Named::Resource, ""),
    ("resource-arn", Named::ResourceArn, ""),
    ("source", Named::Source, "eventSource"),
    ("region", Named::Region, "awsRegion"),
    ("access-key", Named::AccessKey, "userIdentity.accessKeyId"),
    ("ip", Named::Ip, "sourceIPAddress"),
    ("error", Named::Error, "errorCode"),
    ("id", Named::Id, "eventID"),
    ("account", Named::Account, "recipientAccountId"),
    ("arn", Named::Arn, "userIdentity.arn"),
    ("role", Named::Role, ""),
    ("agent", Named::Agent, "userAgent"),
];

/// Keys whose values are times (shown in the display zone, and sorted as instants).
pub const TIME_KEYS: &[&str] = &["eventTime", "first", "last", "lastModified", "delivered", "creationDate"];

/// A field as asked for: `user`, `requestParameters.instanceType`, `time/hour`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// As written: the column's heading.
    pub name: String,
    /// Before any `/UNIT`.
    pub base: String,
    pub bucket: Option<Bucket>,
}

impl Field {
    pub fn parse(text: &str) -> Result<Field, String> {
        let text = text.trim();
        let (base, bucket) = match text.rsplit_once('/') {
            Some((base, unit)) => {
                let unit = Bucket::parse(unit)
                    .ok_or_else(|| format!("{text:?}: a time is bucketed by {} (time/hour)", Bucket::NAMES))?;
                let last = base.rsplit('.').next().unwrap_or(base);
                if base != "time" && !TIME_KEYS.contains(&last) {
                    return Err(format!(
                        "{text:?}: only times can be bucketed: time, or a path ending in {}",
                        TIME_KEYS.join(", ")
                    ));
                }
                (base, Some(unit))
            }
            None => (text, None),
        };
        if base.is_empty() || base.split('.').any(str::is_empty) {
            return Err(format!("{text:?}: not a field name or a dotted JSON path"));
        }
        Ok(Field { name: text.to_string(), base: base.to_string(), bucket })
    }

    /// A comma-separated list.
    pub fn list(texts: &[String]) -> Result<Vec<Field>, String> {
        texts.iter().flat_map(|t| t.split(',')).map(Field::parse).collect()
    }
}

/// How a column reads a record.
#[derive(Debug, Clone)]
enum Get {
    Named(Named),
    Path(Vec<String>),
}

/// A field resolved for one kind of record.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    get: Get,
    time: bool,
    bucket: Option<Bucket>,
}

impl Column {
    /// `field` as a column of records of `kind`: a named event column for events, else a
    /// JSON path.
    pub fn new(field: &Field, kind: Kind) -> Column {
        let named = (kind == Kind::Event).then(|| NAMED.iter().find(|(n, _, _)| *n == field.base)).flatten();
        let get = match named {
            Some((_, named, _)) => Get::Named(*named),
            None => Get::Path(field.base.split('.').map(String::from).collect()),
        };
        let time = match &get {
            Get::Named(n) => *n == Named::Time,
            Get::Path(p) => p.last().is_some_and(|k| TIME_KEYS.contains(&k.as_str())),
        };
        Column { name: field.name.clone(), get, time, bucket: field.bucket }
    }

    /// A top-level key as it is (a key holding a dot is not a path).
    pub fn key(key: &str) -> Column {
        Column {
            name: key.to_string(),
            get: Get::Path(vec![key.to_string()]),
            time: TIME_KEYS.contains(&key),
            bucket: None,
        }
    }

    /// This column's cell in `rec`.
    pub fn cell(&self, rec: &Rec<'_>, zone: &Zone) -> Cell {
        let cell = match &self.get {
            Get::Named(n) => named(*n, rec),
            Get::Path(p) => {
                let parts: Vec<&str> = p.iter().map(String::as_str).collect();
                let mut found = Vec::new();
                rec.obj.lookup(&parts, &mut found);
                Cell::of(&found)
            }
        };
        if !self.time {
            return cell;
        }
        match cell {
            Cell::Text(s) => match parse_time(&s) {
                Some(t) => match self.bucket {
                    Some(b) => Cell::Bucket(zone.bucket(t, b), b),
                    None => Cell::Time(t),
                },
                None => Cell::Text(s),
            },
            other => other,
        }
    }
}

/// One record being shown: its text and its top-level keys.
pub struct Rec<'a> {
    pub text: &'a str,
    pub obj: Obj<'a>,
    resources: std::cell::OnceCell<Vec<Resource>>,
}

impl<'a> Rec<'a> {
    pub fn new(text: &'a str, obj: Obj<'a>) -> Self {
        Rec { text, obj, resources: std::cell::OnceCell::new() }
    }

    /// The event's resources (read once for all the resource columns).
    fn resources(&self) -> &[Resource] {
        self.resources.get_or_init(|| resources::of(self))
    }
}

/// The value of a named event column.
fn named(n: Named, rec: &Rec<'_>) -> Cell {
    let path = |p: &str| {
        let parts: Vec<&str> = p.split('.').collect();
        let mut found = Vec::new();
        rec.obj.lookup(&parts, &mut found);
        Cell::of(&found)
    };
    match n {
        Named::User => user(&rec.obj).map_or(Cell::Empty, Cell::Text),
        Named::Role => role(&rec.obj).map_or(Cell::Empty, Cell::Text),
        Named::ResourceType => Cell::texts(rec.resources().iter().map(|r| r.kind.clone())),
        Named::Resource => Cell::texts(rec.resources().iter().map(|r| resources::name(&r.arn).to_string())),
        Named::ResourceArn => Cell::texts(rec.resources().iter().map(|r| r.arn.clone())),
        _ => path(NAMED.iter().find(|(_, m, _)| *m == n).map_or("", |(_, _, p)| p)),
    }
}

/// The user name as the console's Event history shows it, by the rule of `ct-filter --user`
/// (tools/ct-filter/src/predicate.rs, `Test::User`): userIdentity.userName, else the last
/// part of userIdentity.arn (an assumed role's session name, a federated user's name), else
/// `root` for the root user.
pub fn user(obj: &Obj<'_>) -> Option<String> {
    if let Some(name) = obj.str_at(&["userIdentity", "userName"]) {
        return Some(name);
    }
    if let Some(arn) = obj.str_at(&["userIdentity", "arn"]) {
        return Some(arn::tail(&arn).to_string());
    }
    (obj.str_at(&["userIdentity", "type"]).as_deref() == Some("Root")).then(|| "root".to_string())
}

/// The role a session was issued for, by name (as `ct-filter --role` takes it).
fn role(obj: &Obj<'_>) -> Option<String> {
    let issuer = ["userIdentity", "sessionContext", "sessionIssuer"];
    let at = |k: &'static str| obj.str_at(&[issuer[0], issuer[1], issuer[2], k]);
    if at("type").as_deref().is_some_and(|t| t != "Role") {
        return None;
    }
    at("userName").or_else(|| at("arn").map(|a| arn::tail(&a).to_string()))
}

/// One cell: what a column found in a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cell {
    /// Nothing there, or null.
    Empty,
    /// A string.
    Text(String),
    /// A number, as its JSON text.
    Number(String),
    /// Any other JSON value (a boolean, an array, an object, several values): its JSON text
    /// and its text for people (an array of plain values joined with ", ").
    Json { raw: String, text: String },
    /// A time, shown in the display zone.
    Time(Timestamp),
    /// The start of a bucket of times.
    Bucket(Timestamp, Bucket),
}

impl Cell {
    /// The cell of the values found at a path: one value, or several (through arrays) as a
    /// JSON array.
    pub fn of(found: &[&RawValue]) -> Cell {
        match found {
            [] => Cell::Empty,
            [one] => Cell::value(one),
            many => {
                let raw = format!("[{}]", many.iter().map(|v| v.get()).collect::<Vec<_>>().join(","));
                let text = many.iter().map(|v| Cell::value(v).plain()).collect::<Vec<_>>().join(", ");
                Cell::Json { raw, text }
            }
        }
    }

    /// The cell of one JSON value.
    pub fn value(raw: &RawValue) -> Cell {
        match shape(raw) {
            Shape::String => as_string(raw).map_or(Cell::Empty, Cell::Text),
            Shape::Null => Cell::Empty,
            Shape::Number => Cell::Number(raw.get().to_string()),
            Shape::Bool => Cell::Json { raw: raw.get().to_string(), text: raw.get().to_string() },
            Shape::Object => Cell::Json { raw: raw.get().to_string(), text: raw.get().to_string() },
            Shape::Array => {
                let items = serde_json::from_str::<Vec<&RawValue>>(raw.get()).unwrap_or_default();
                let plain = items.iter().all(|v| matches!(shape(v), Shape::String | Shape::Number | Shape::Bool));
                let text = if plain {
                    items.iter().map(|v| Cell::value(v).plain()).collect::<Vec<_>>().join(", ")
                } else {
                    raw.get().to_string()
                };
                Cell::Json { raw: raw.get().to_string(), text }
            }
        }
    }

    /// Strings worked out by the tool: one is text, several an array.
    pub fn texts(items: impl Iterator<Item = String>) -> Cell {
        let mut items: Vec<String> = items.collect();
        match items.len() {
            0 => Cell::Empty,
            1 => Cell::Text(items.remove(0)),
            _ => Cell::Json { raw: serde_json::to_string(&items).unwrap_or_default(), text: items.join(", ") },
        }
    }

    /// The text of a cell that is not a time.
    pub fn plain(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::Number(s) | Cell::Json { text: s, .. } => s.clone(),
            Cell::Time(t) | Cell::Bucket(t, _) => t.to_string(),
        }
    }

    /// The order of `--sort`: times as instants, numbers as numbers, the rest as text; an
    /// empty cell after every other.
    pub fn compare(&self, other: &Cell) -> Ordering {
        use Cell::*;
        match (self, other) {
            (Empty, Empty) => Ordering::Equal,
            (Empty, _) => Ordering::Greater,
            (_, Empty) => Ordering::Less,
            (Time(a) | Bucket(a, _), Time(b) | Bucket(b, _)) => a.cmp(b),
            (Number(a), Number(b)) => match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
                _ => a.cmp(b),
            },
            (Time(_) | Bucket(..), _) => Ordering::Less,
            (_, Time(_) | Bucket(..)) => Ordering::Greater,
            (a, b) => a.plain().cmp(&b.plain()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One event per userIdentity type, in the shapes of the CloudTrail userIdentity element
    /// page (docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html),
    /// the same as ct-filter's test of --user, with the name the console shows.
    const IDENTITIES: &[(&str, &str)] = &[
        (
            "root",
            r#"{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAROOT"}"#,
        ),
        (
            "alice",
            r#"{"type":"IAMUser","principalId":"AIDAALICE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAALICE","userName":"alice"}"#,
        ),
        (
            "ci-42",
            r#"{"type":"AssumedRole","principalId":"AROADEPLOY:ci-42","arn":"arn:aws:sts::111122223333:assumed-role/deploy-agent/ci-42","accountId":"111122223333","accessKeyId":"ASIADEPLOY","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROADEPLOY","arn":"arn:aws:iam::111122223333:role/service-role/deploy-agent","accountId":"111122223333","userName":"deploy-agent"},"attributes":{"creationDate":"2017-06-01T13:00:00Z","mfaAuthenticated":"false"}}}"#,
        ),
        (
            "bob",
            r#"{"type":"FederatedUser","principalId":"111122223333:bob","arn":"arn:aws:sts::111122223333:federated-user/bob","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"IAMUser","principalId":"AIDABROKER","arn":"arn:aws:iam::111122223333:user/broker","accountId":"111122223333","userName":"broker"}}}"#,
        ),
        ("", r#"{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}"#),
        ("", r#"{"type":"AWSAccount","principalId":"AIDAOTHER","accountId":"444455556666"}"#),
        (
            "dave@example.com",
            r#"{"type":"SAMLUser","principalId":"SampleUkh1i4+ExamplexL/jEvs=:SamlExample","userName":"dave@example.com","identityProvider":"bdGOnTesti4+ExamplexL/jEvs="}"#,
        ),
        ("erin", r#"{"type":"Unknown","principalId":"AIDAUNKNOWN","accountId":"111122223333","userName":"erin"}"#),
        (
            "alice",
            r#"{"type":"IAMUser","principalId":"AIDAALICE","arn":"arn:aws:iam::111122223333:user/dev/alice","accountId":"111122223333"}"#,
        ),
        ("root", r#"{"type":"Root","principalId":"111122223333","accountId":"111122223333"}"#),
    ];

    fn event(identity: &str) -> String {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{identity},"eventTime":"2017-06-01T13:05:42Z","eventName":"X"}}"#
        )
    }

    #[test]
    fn user_is_what_the_console_shows() {
        for (want, identity) in IDENTITIES {
            let text = event(identity);
            let obj = Obj::parse(&text).unwrap().unwrap();
            assert_eq!(user(&obj).unwrap_or_default(), *want, "{identity}");
        }
        let none = Obj::parse(r#"{"eventName":"X"}"#).unwrap().unwrap();
        assert_eq!(user(&none), None);
        let assumed = event(IDENTITIES[2].1);
        assert_eq!(role(&Obj::parse(&assumed).unwrap().unwrap()).as_deref(), Some("deploy-agent"));
        let federated = event(IDENTITIES[3].1);
        assert_eq!(role(&Obj::parse(&federated).unwrap().unwrap()), None);
    }

    #[test]
    fn kinds_by_their_fields() {
        let kind = |t: &str| Kind::of(&Obj::parse(t).unwrap().unwrap());
        assert_eq!(kind(&event(IDENTITIES[0].1)), Kind::Event);
        assert_eq!(kind(r#"{"action":"ec2:RunInstances","count":3,"denied":1,"known":true}"#), Kind::Action);
        assert_eq!(
            kind(
                r#"{"action":"ec2:RunInstances","eventID":"x","eventTime":"2017-06-01T13:05:42Z","resources":[],"context":{},"denied":false,"known":true}"#
            ),
            Kind::Use
        );
        assert_eq!(kind(r#"{"decision":"ExplicitDeny","action":"ec2:TerminateInstances","count":1}"#), Kind::Finding);
        assert_eq!(kind(r#"{"key":"AWSLogs/x.json.gz","size":2211,"kind":"log"}"#), Kind::Object);
        assert_eq!(kind(r#"{"file":"a","status":"ok"}"#), Kind::Other);
    }

    #[test]
    fn fields_are_names_paths_or_buckets_of_times() {
        let f = Field::parse("time/hour").unwrap();
        assert_eq!((f.base.as_str(), f.bucket), ("time", Some(Bucket::Hour)));
        assert_eq!(Field::parse("first/day").unwrap().bucket, Some(Bucket::Day));
        assert!(Field::parse("user/hour").unwrap_err().contains("only times"));
        assert!(Field::parse("time/week").unwrap_err().contains("minute, hour, day or month"));
        assert!(Field::parse("a..b").is_err());
        assert!(Field::parse("").is_err());
        let list = Field::list(&["user,event".into(), "requestParameters.instanceType".into()]).unwrap();
        assert_eq!(
            list.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["user", "event", "requestParameters.instanceType"]
        );
    }

    #[test]
    fn cells_of_values_arrays_and_paths_through_arrays() {
        let text = r#"{"eventTime":"2017-06-01T13:05:42Z","n":3,"b":true,"a":["x","y"],"o":{"k":[1]},"r":[{"ARN":"p"},{"ARN":"q"}],"z":null}"#;
        let rec = Rec::new(text, Obj::parse(text).unwrap().unwrap());
        let zone = Zone::default();
        let cell = |name: &str| Column::new(&Field::parse(name).unwrap(), Kind::Event).cell(&rec, &zone);
        assert_eq!(cell("time"), Cell::Time(parse_time("2017-06-01T13:05:42Z").unwrap()));
        assert_eq!(cell("eventTime"), Cell::Time(parse_time("2017-06-01T13:05:42Z").unwrap()));
        assert_eq!(cell("n"), Cell::Number("3".into()));
        assert_eq!(cell("b").plain(), "true");
        assert_eq!(cell("a").plain(), "x, y");
        assert_eq!(cell("o").plain(), r#"{"k":[1]}"#);
        assert_eq!(cell("r.ARN"), Cell::Json { raw: r#"["p","q"]"#.into(), text: "p, q".into() });
        assert_eq!(cell("z"), Cell::Empty);
        assert_eq!(cell("missing"), Cell::Empty);
        assert!(matches!(cell("time/day"), Cell::Bucket(_, Bucket::Day)));
    }

    #[test]
    fn sorting_puts_empty_cells_last_and_numbers_in_number_order() {
        let n = |s: &str| Cell::Number(s.into());
        assert_eq!(n("9").compare(&n("10")), Ordering::Less);
        assert_eq!(Cell::Empty.compare(&n("1")), Ordering::Greater);
        assert_eq!(Cell::Text("a".into()).compare(&Cell::Text("b".into())), Ordering::Less);
    }
}
