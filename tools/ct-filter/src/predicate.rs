//! The predicates, compiled from the command line, and their test on one event.

use std::net::IpAddr;

use ct_common::fields::{self, Found, Paths, Shape, Val};
use ct_common::glob::Glob;
use ct_common::time::{self, Time, TimeReader, Zone};

use crate::prefilter::{Prefilter, literal_of};
use crate::resource::{self, ResourceTest};
use ct_iam::arn;

/// What testing one line gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Match,
    NoMatch,
    /// The line is a container of events (`{"Records":[...]}` and the like).
    Container,
    /// Valid JSON that is not an object.
    NotObject,
}

/// One condition on an event.
#[derive(Debug)]
enum Test {
    /// A string at any of `paths` matches any of `globs`.
    Text { paths: Vec<usize>, globs: Vec<Glob> },
    /// The user name as the console shows it.
    User { user_name: usize, arn: usize, kind: usize, globs: Vec<Glob> },
    /// `readOnly` (a boolean in events, the string "true"/"false" in some exports).
    ReadOnly { path: usize, want: bool },
    /// eventTime within [start, end], both inclusive.
    Time { path: usize, start: Option<Time>, end: Option<Time> },
    /// The assumed role, by name or ARN.
    Role { name: usize, arn: usize, identity_arn: usize, sel: Vec<RoleSel> },
    /// sourceIPAddress in a network, or equal to a text (service names).
    SourceIp { path: usize, sel: Vec<IpSel> },
    /// errorCode present and not null, or a failed console sign-in (or the opposite).
    Error { path: usize, console: usize, want: bool },
    /// eventCategory, inferred for records older than eventVersion 1.07.
    Category { category: usize, management: usize, event_type: usize, want: Vec<String> },
    /// `--where PATH=VALUE`.
    Where { path: usize, want: WhereVal },
    /// `--has PATH`.
    Has { path: usize },
}

#[derive(Debug)]
enum RoleSel {
    Name(Glob),
    Arn(Glob),
}

#[derive(Debug)]
enum IpSel {
    Net(IpAddr, u8),
    Text(Glob),
}

#[derive(Debug)]
enum WhereVal {
    Null,
    Bool(bool),
    Num(f64, String),
    Text(Glob),
}

/// The conjunction of every predicate given, with its prefilter.
pub struct Filter {
    paths: Paths,
    tests: Vec<Test>,
    /// `--resource-type` and `--resource-name`, tested last: the mapping may have to run.
    resources: Option<ResourceTest>,
    pub prefilter: Prefilter,
    /// The predicates the note on why nothing matched speaks of (see `hint.rs`).
    pub(crate) hinted: Vec<Hinted>,
    /// eventTime, when a time predicate reads it.
    pub(crate) time_path: Option<usize>,
}

/// Where a predicate finds its values in an event, for the note on why nothing matched.
#[derive(Debug, Clone)]
pub(crate) enum Reader {
    Paths(Vec<usize>),
    User { user_name: usize, arn: usize, kind: usize },
    Role { name: usize, arn: usize },
}

/// A predicate the note on why nothing matched speaks of: its option, its values as
/// compared, and where they are read.
#[derive(Debug, Clone)]
pub(crate) struct Hinted {
    pub option: &'static str,
    pub values: Vec<String>,
    pub reader: Reader,
}

/// The predicates as given on the command line (values not yet checked).
#[derive(Debug, Default, Clone)]
pub struct Spec {
    pub event_id: Vec<String>,
    pub event_name: Vec<String>,
    pub event_source: Vec<String>,
    pub read_only: Option<bool>,
    pub user: Vec<String>,
    pub resource_type: Vec<String>,
    pub resource_name: Vec<String>,
    pub access_key_id: Vec<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    /// The zone of --start and --end when they are written without one.
    pub tz: Zone,
    pub arn: Vec<String>,
    pub role: Vec<String>,
    pub identity_type: Vec<String>,
    pub account: Vec<String>,
    pub region: Vec<String>,
    pub source_ip: Vec<String>,
    pub user_agent: Vec<String>,
    pub error: bool,
    pub no_error: bool,
    pub error_code: Vec<String>,
    pub event_type: Vec<String>,
    pub category: Vec<String>,
    pub wheres: Vec<String>,
    pub has: Vec<String>,
}

/// The identity types CloudTrail writes (AWS CloudTrail User Guide, "CloudTrail userIdentity
/// element").
pub const IDENTITY_TYPES: &[&str] = &[
    "Root",
    "IAMUser",
    "AssumedRole",
    "Role",
    "FederatedUser",
    "Directory",
    "AWSService",
    "AWSAccount",
    "IdentityCenterUser",
    "SAMLUser",
    "WebIdentityUser",
    "Unknown",
];

const CATEGORIES: &[&str] = &["Management", "Data", "Insight", "NetworkActivity"];

impl Filter {
    /// Compiles the predicates; `Err` is a usage error worded for the user.
    pub fn new(spec: &Spec, now: Time) -> Result<Filter, String> {
        let mut f = Filter {
            paths: Paths::new(),
            tests: Vec::new(),
            resources: None,
            prefilter: Prefilter::default(),
            hinted: Vec::new(),
            time_path: None,
        };
        let globs = |v: &[String]| v.iter().map(|s| Glob::new(s)).collect::<Vec<_>>();
        f.text(&["eventID"], &spec.event_id, true);
        f.text(&["eventName"], &spec.event_name, true);
        f.text(&["eventSource"], &event_sources(&spec.event_source), true);
        if let Some(want) = spec.read_only {
            let path = f.paths.add("readOnly");
            f.tests.push(Test::ReadOnly { path, want });
        }
        if !spec.user.is_empty() {
            let user_name = f.paths.add("userIdentity.userName");
            let arn = f.paths.add("userIdentity.arn");
            let kind = f.paths.add("userIdentity.type");
            f.prefilter.require_any(spec.user.iter().map(|u| literal_of(u)).collect());
            f.tests.push(Test::User { user_name, arn, kind, globs: globs(&spec.user) });
        }
        if !spec.resource_type.is_empty() || !spec.resource_name.is_empty() {
            // A type the mapping gives is nowhere in the text: only names prefilter, by their
            // last part, which the event states wherever the resource came from.
            let type_path = f.paths.add("resources.type");
            let arn_path = f.paths.add("resources.ARN");
            if !spec.resource_name.is_empty() {
                let lits = spec.resource_name.iter().map(|n| literal_of(resource::name_literal(n))).collect();
                f.prefilter.require_any(lits);
            }
            let (types, names) = (globs(&spec.resource_type), globs(&spec.resource_name));
            f.resources = Some(ResourceTest { type_path, arn_path, types, names });
        }
        f.text(&["userIdentity.accessKeyId"], &spec.access_key_id, true);
        let (start, end) = TimeReader::new(now, spec.tz.clone()).window(spec.start.as_deref(), spec.end.as_deref())?;
        if start.is_some() || end.is_some() {
            let path = f.paths.add("eventTime");
            f.tests.push(Test::Time { path, start, end });
        }
        f.text(&["userIdentity.arn", "userIdentity.sessionContext.sessionIssuer.arn"], &spec.arn, true);
        if !spec.role.is_empty() {
            let name = f.paths.add("userIdentity.sessionContext.sessionIssuer.userName");
            let arn = f.paths.add("userIdentity.sessionContext.sessionIssuer.arn");
            let identity_arn = f.paths.add("userIdentity.arn");
            let sel = spec
                .role
                .iter()
                .map(|r| if r.starts_with("arn:") { RoleSel::Arn(Glob::new(r)) } else { RoleSel::Name(Glob::new(r)) })
                .collect();
            f.prefilter.require_any(spec.role.iter().map(|r| literal_of(role_name_part(r))).collect());
            f.tests.push(Test::Role { name, arn, identity_arn, sel });
        }
        for t in &spec.identity_type {
            if !t.contains(['*', '?']) && !IDENTITY_TYPES.contains(&t.as_str()) {
                return Err(format!("--identity-type {t:?}: expected one of {}", IDENTITY_TYPES.join(", ")));
            }
        }
        f.text(&["userIdentity.type"], &spec.identity_type, true);
        f.text(&["recipientAccountId", "userIdentity.accountId"], &spec.account, true);
        f.text(&["awsRegion"], &spec.region, true);
        if !spec.source_ip.is_empty() {
            let path = f.paths.add("sourceIPAddress");
            let sel = spec.source_ip.iter().map(|s| ip_sel(s)).collect::<Result<Vec<_>, _>>()?;
            // Addresses have several spellings (IPv6 compression), so only texts prefilter.
            let lits = sel
                .iter()
                .map(|s| if let IpSel::Text(g) = s { literal_of(g.longest_literal()) } else { None })
                .collect();
            f.prefilter.require_any(lits);
            f.tests.push(Test::SourceIp { path, sel });
        }
        f.text(&["userAgent"], &spec.user_agent, true);
        if spec.error || spec.no_error {
            let path = f.paths.add("errorCode");
            // A failed console sign-in carries errorMessage and often no errorCode (CloudTrail
            // User Guide, "AWS Management Console sign-in events"): "error", the start
            // of both keys, is the one literal (one search, not two).
            let console = f.paths.add("responseElements.ConsoleLogin");
            if spec.error {
                f.prefilter.require_any(vec![Some("error".to_string())]);
            }
            f.tests.push(Test::Error { path, console, want: spec.error });
        }
        f.text(&["errorCode"], &spec.error_code, true);
        f.text(&["eventType"], &spec.event_type, true);
        if !spec.category.is_empty() {
            let want = spec
                .category
                .iter()
                .map(|c| {
                    CATEGORIES.iter().find(|k| k.eq_ignore_ascii_case(c)).map(|k| k.to_string()).ok_or_else(|| {
                        format!("--category {c:?}: expected management, data, insight or networkactivity")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let category = f.paths.add("eventCategory");
            let management = f.paths.add("managementEvent");
            let event_type = f.paths.add("eventType");
            f.tests.push(Test::Category { category, management, event_type, want });
        }
        for w in &spec.wheres {
            let (path, value) = w.split_once('=').ok_or_else(|| format!("--where {w:?}: expected PATH=VALUE"))?;
            check_path(path, "--where")?;
            let path_id = f.paths.add(path);
            let want = where_val(value);
            if let WhereVal::Text(g) = &want {
                f.prefilter.require_any(vec![literal_of(g.longest_literal())]);
            }
            f.tests.push(Test::Where { path: path_id, want });
        }
        for h in &spec.has {
            check_path(h, "--has")?;
            let path = f.paths.add(h);
            let last = h.rsplit('.').next().unwrap_or(h);
            f.prefilter.require_any(vec![literal_of(last)]);
            f.tests.push(Test::Has { path });
        }
        f.hint(spec);
        Ok(f)
    }

    /// Notes which predicates the note on why nothing matched speaks of. Their paths are
    /// those the predicates read already, so no event is read further for it.
    fn hint(&mut self, spec: &Spec) {
        let mut paths = |option: &'static str, paths: &[&str], values: &[String]| {
            if !values.is_empty() {
                let ids = paths.iter().map(|p| self.paths.add(p)).collect();
                self.hinted.push(Hinted { option, values: values.to_vec(), reader: Reader::Paths(ids) });
            }
        };
        paths("--event-name", &["eventName"], &spec.event_name);
        paths("--account", &["recipientAccountId", "userIdentity.accountId"], &spec.account);
        paths("--region", &["awsRegion"], &spec.region);
        paths("--error-code", &["errorCode"], &spec.error_code);
        paths("--event-type", &["eventType"], &spec.event_type);
        paths("--access-key-id", &["userIdentity.accessKeyId"], &spec.access_key_id);
        paths("--event-source", &["eventSource"], &event_sources(&spec.event_source));
        if !spec.user.is_empty() {
            let reader = Reader::User {
                user_name: self.paths.add("userIdentity.userName"),
                arn: self.paths.add("userIdentity.arn"),
                kind: self.paths.add("userIdentity.type"),
            };
            self.hinted.push(Hinted { option: "--user", values: spec.user.clone(), reader });
        }
        if !spec.role.is_empty() {
            let reader = Reader::Role {
                name: self.paths.add("userIdentity.sessionContext.sessionIssuer.userName"),
                arn: self.paths.add("userIdentity.sessionContext.sessionIssuer.arn"),
            };
            self.hinted.push(Hinted { option: "--role", values: spec.role.clone(), reader });
        }
        if self.tests.iter().any(|t| matches!(t, Test::Time { .. })) {
            self.time_path = Some(self.paths.add("eventTime"));
        }
    }

    /// The values a hinted predicate reads in an event (into `out`, deduplicated).
    pub(crate) fn values<'f>(&self, reader: &Reader, f: &'f Found<'_>, out: &mut Vec<&'f str>) {
        out.clear();
        match reader {
            Reader::Paths(ids) => ids.iter().for_each(|&p| out.extend(f.strs(p))),
            Reader::User { user_name, arn, kind } => {
                out.extend(f.strs(*user_name));
                out.extend(f.strs(*arn).map(arn::tail));
                if f.str(*kind) == Some("Root") {
                    out.push("root");
                }
            }
            Reader::Role { name, arn } => {
                out.extend(f.strs(*name));
                out.extend(f.strs(*arn));
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// A text predicate over `paths`; `prefilter` when its values are literal text.
    fn text(&mut self, paths: &[&str], values: &[String], prefilter: bool) {
        if values.is_empty() {
            return;
        }
        let ids = paths.iter().map(|p| self.paths.add(p)).collect();
        if prefilter {
            self.prefilter.require_any(values.iter().map(|v| literal_of(v)).collect());
        }
        self.tests.push(Test::Text { paths: ids, globs: values.iter().map(|v| Glob::new(v)).collect() });
    }

    /// Tests one line. `Err` is invalid JSON.
    pub fn test<'a>(&self, line: &'a [u8], found: &mut Found<'a>) -> Result<Verdict, serde_json::Error> {
        match fields::extract(&self.paths, line, found)? {
            Shape::Container => return Ok(Verdict::Container),
            Shape::NotObject => return Ok(Verdict::NotObject),
            Shape::Event => {}
        }
        let all =
            self.tests.iter().all(|t| t.holds(found)) && self.resources.as_ref().is_none_or(|r| r.holds(line, found));
        Ok(if all { Verdict::Match } else { Verdict::NoMatch })
    }
}

/// The --event-source values as compared: `ec2` stands for `ec2.amazonaws.com`.
pub fn event_sources(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|s| if s.contains('.') || s.contains('*') { s.clone() } else { format!("{s}.amazonaws.com") })
        .collect()
}

fn check_path(path: &str, opt: &str) -> Result<(), String> {
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(format!("{opt} {path:?}: expected a dotted path such as requestParameters.instanceType"));
    }
    Ok(())
}

/// The role name in a role selector: the name itself, or the name inside an ARN.
fn role_name_part(r: &str) -> &str {
    if r.starts_with("arn:") { r.rsplit(['/', ':']).next().unwrap_or(r) } else { r }
}

fn ip_sel(s: &str) -> Result<IpSel, String> {
    let bad = || {
        format!(
            "--source-ip {s:?}: expected an IPv4 or IPv6 address, a CIDR block (10.0.0.0/8, 2001:db8::/32) or a service name"
        )
    };
    if let Some((addr, bits)) = s.split_once('/') {
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let bits: u8 = bits.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if bits > max {
            return Err(bad());
        }
        return Ok(IpSel::Net(addr, bits));
    }
    if let Ok(addr) = s.parse::<IpAddr>() {
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        return Ok(IpSel::Net(addr, bits));
    }
    if s.is_empty() || s.bytes().any(|b| b.is_ascii_whitespace()) || s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return Err(bad());
    }
    Ok(IpSel::Text(Glob::new(s)))
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    // IPv4-mapped IPv6 addresses (::ffff:1.2.3.4) are the IPv4 address they carry.
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits)) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits)) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn where_val(v: &str) -> WhereVal {
    match v {
        "null" => WhereVal::Null,
        "true" => WhereVal::Bool(true),
        "false" => WhereVal::Bool(false),
        _ => match v.parse::<f64>() {
            Ok(n) if n.is_finite() && !v.contains(['*', '?']) => WhereVal::Num(n, v.to_string()),
            _ => WhereVal::Text(Glob::new(v)),
        },
    }
}

impl Test {
    fn holds(&self, f: &Found<'_>) -> bool {
        match self {
            Test::Text { paths, globs } => {
                paths.iter().any(|&p| f.strs(p).any(|s| globs.iter().any(|g| g.is_match(s))))
            }
            Test::User { user_name, arn, kind, globs } => {
                let root = f.str(*kind) == Some("Root");
                let mut names = f.strs(*user_name).chain(f.strs(*arn).map(arn::tail)).chain(root.then_some("root"));
                names.any(|n| globs.iter().any(|g| g.is_match(n)))
            }
            Test::ReadOnly { path, want } => f.get(*path).any(|v| match v {
                Val::Bool(b) => b == want,
                Val::Str(s) => s.eq_ignore_ascii_case(if *want { "true" } else { "false" }),
                _ => false,
            }),
            Test::Time { path, start, end } => f
                .strs(*path)
                .next()
                .and_then(time::parse_event_time)
                .is_some_and(|t| start.is_none_or(|s| t >= s) && end.is_none_or(|e| t <= e)),
            Test::Role { name, arn, identity_arn, sel } => sel.iter().any(|s| match s {
                RoleSel::Name(g) => {
                    f.strs(*name).any(|n| g.is_match(n)) || f.strs(*arn).any(|a| g.is_match(arn::tail(a)))
                }
                RoleSel::Arn(g) => f.strs(*arn).chain(f.strs(*identity_arn)).any(|a| g.is_match(a)),
            }),
            Test::SourceIp { path, sel } => f.strs(*path).any(|s| {
                let ip = s.parse::<IpAddr>().ok();
                sel.iter().any(|sel| match (sel, ip) {
                    (IpSel::Net(net, bits), Some(ip)) => in_net(ip, *net, *bits),
                    (IpSel::Net(..), None) => false,
                    (IpSel::Text(g), _) => g.is_match(s),
                })
            }),
            Test::Error { path, console, want } => {
                let has = f.get(*path).any(|v| !matches!(v, Val::Null)) || f.str(*console) == Some("Failure");
                has == *want
            }
            Test::Category { category, management, event_type, want } => {
                let cat = match f.str(*category) {
                    Some(c) => c.to_string(),
                    // Before eventVersion 1.07 there was no eventCategory.
                    None if f.str(*event_type) == Some("AwsCloudTrailInsight") => "Insight".to_string(),
                    None if f.get(*management).any(|v| *v == Val::Bool(false)) => "Data".to_string(),
                    None => "Management".to_string(),
                };
                want.iter().any(|w| w.eq_ignore_ascii_case(&cat))
            }
            Test::Where { path, want } => f.get(*path).any(|v| match (want, v) {
                (WhereVal::Null, Val::Null) => true,
                (WhereVal::Bool(b), Val::Bool(x)) => b == x,
                (WhereVal::Bool(b), Val::Str(s)) => s == if *b { "true" } else { "false" },
                (WhereVal::Num(n, _), Val::Num(x)) => n == x,
                (WhereVal::Num(_, text), Val::Str(s)) => s == text,
                (WhereVal::Text(g), Val::Str(s)) => g.is_match(s),
                _ => false,
            }),
            Test::Has { path } => f.get(*path).any(|v| !matches!(v, Val::Null)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Time = Time { secs: 1_496_325_600, nanos: 0 }; // 2017-06-01T14:00:00Z

    /// One event per userIdentity type, in the shapes of the CloudTrail userIdentity element
    /// page (docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
    const IDENTITIES: &[(&str, &str)] = &[
        (
            "Root",
            r#"{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAROOT"}"#,
        ),
        (
            "IAMUser",
            r#"{"type":"IAMUser","principalId":"AIDAALICE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAALICE","userName":"alice"}"#,
        ),
        (
            "AssumedRole",
            r#"{"type":"AssumedRole","principalId":"AROADEPLOY:ci-42","arn":"arn:aws:sts::111122223333:assumed-role/deploy-agent/ci-42","accountId":"111122223333","accessKeyId":"ASIADEPLOY","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROADEPLOY","arn":"arn:aws:iam::111122223333:role/service-role/deploy-agent","accountId":"111122223333","userName":"deploy-agent"},"attributes":{"creationDate":"2017-06-01T13:00:00Z","mfaAuthenticated":"false"}}}"#,
        ),
        (
            "FederatedUser",
            r#"{"type":"FederatedUser","principalId":"111122223333:bob","arn":"arn:aws:sts::111122223333:federated-user/bob","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"IAMUser","principalId":"AIDABROKER","arn":"arn:aws:iam::111122223333:user/broker","accountId":"111122223333","userName":"broker"}}}"#,
        ),
        ("AWSService", r#"{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}"#),
        ("AWSAccount", r#"{"type":"AWSAccount","principalId":"AIDAOTHER","accountId":"444455556666"}"#),
        (
            "IdentityCenterUser",
            r#"{"type":"IdentityCenterUser","accountId":"111122223333","onBehalfOf":{"userId":"544894e8-80c1-707f-60e3-3ba6510dfac1","identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-9067642ac7"},"credentialId":"EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE"}"#,
        ),
        (
            "SAMLUser",
            r#"{"type":"SAMLUser","principalId":"SampleUkh1i4+ExamplexL/jEvs=:SamlExample","userName":"dave@example.com","identityProvider":"bdGOnTesti4+ExamplexL/jEvs="}"#,
        ),
        (
            "WebIdentityUser",
            r#"{"type":"WebIdentityUser","principalId":"accounts.google.com:app.apps.googleusercontent.com:user","userName":"user-subject","identityProvider":"accounts.google.com"}"#,
        ),
        ("Unknown", r#"{"type":"Unknown","principalId":"AIDAUNKNOWN","accountId":"111122223333","userName":"erin"}"#),
    ];

    fn event(identity: Option<&str>, extra: &str) -> String {
        let who = identity.map(|i| format!(r#""userIdentity":{i},"#)).unwrap_or_default();
        format!(
            r#"{{"eventVersion":"1.08",{who}"eventTime":"2017-06-01T13:05:42Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"ap-southeast-2","sourceIPAddress":"198.51.100.20","userAgent":"aws-cli/1.11.90","recipientAccountId":"111122223333"{extra}}}"#
        )
    }

    fn holds(spec: Spec, ev: &str) -> bool {
        let f = Filter::new(&spec, NOW).expect("valid spec");
        let mut found = Found::default();
        f.test(ev.as_bytes(), &mut found).expect("valid JSON") == Verdict::Match
    }

    fn identity(kind: &str) -> &'static str {
        IDENTITIES.iter().find(|(k, _)| *k == kind).unwrap().1
    }

    #[test]
    fn identity_type_selects_exactly_its_type() {
        for (kind, who) in IDENTITIES {
            let ev = event(Some(who), "");
            for (other, _) in IDENTITIES {
                let spec = Spec { identity_type: vec![other.to_string()], ..Spec::default() };
                assert_eq!(holds(spec, &ev), kind == other, "{kind} vs --identity-type {other}");
            }
        }
        let untyped = event(Some(r#"{"accountId":"111122223333","invokedBy":"s3.amazonaws.com"}"#), "");
        let none = event(None, "");
        for ev in [&untyped, &none] {
            for (kind, _) in IDENTITIES {
                assert!(!holds(Spec { identity_type: vec![kind.to_string()], ..Spec::default() }, ev));
            }
        }
        assert!(Filter::new(&Spec { identity_type: vec!["Admin".into()], ..Spec::default() }, NOW).is_err());
    }

    #[test]
    fn user_is_what_the_console_shows() {
        let user = |u: &str| Spec { user: vec![u.to_string()], ..Spec::default() };
        assert!(holds(user("root"), &event(Some(identity("Root")), "")));
        assert!(holds(user("alice"), &event(Some(identity("IAMUser")), "")));
        assert!(holds(user("ci-42"), &event(Some(identity("AssumedRole")), "")));
        assert!(!holds(user("deploy-agent"), &event(Some(identity("AssumedRole")), "")));
        assert!(holds(user("bob"), &event(Some(identity("FederatedUser")), "")));
        assert!(holds(user("dave@example.com"), &event(Some(identity("SAMLUser")), "")));
        assert!(holds(user("erin"), &event(Some(identity("Unknown")), "")));
        assert!(holds(user("a*"), &event(Some(identity("IAMUser")), "")));
        let pathed = identity("IAMUser").replace("user/alice", "user/dev/alice").replace(r#","userName":"alice""#, "");
        assert!(holds(user("alice"), &event(Some(&pathed), "")));
        assert!(!holds(user("alice"), &event(None, "")));
        assert!(!holds(user("root"), &event(Some(identity("AWSService")), "")));
    }

    #[test]
    fn role_by_name_or_arn_and_arn_of_identity_or_issuer() {
        let ev = event(Some(identity("AssumedRole")), "");
        let role = |r: &str| Spec { role: vec![r.to_string()], ..Spec::default() };
        assert!(holds(role("deploy-agent"), &ev));
        assert!(holds(role("deploy-*"), &ev));
        assert!(holds(role("arn:aws:iam::111122223333:role/service-role/deploy-agent"), &ev));
        assert!(holds(role("arn:aws:sts::111122223333:assumed-role/deploy-agent/*"), &ev));
        assert!(!holds(role("build-agent"), &ev));
        assert!(!holds(role("alice"), &event(Some(identity("IAMUser")), "")));
        let arn = |a: &str| Spec { arn: vec![a.to_string()], ..Spec::default() };
        assert!(holds(arn("arn:aws:sts::111122223333:assumed-role/deploy-agent/ci-42"), &ev));
        assert!(holds(arn("arn:aws:iam::*:role/service-role/*"), &ev));
        assert!(!holds(arn("arn:aws:iam::111122223333:user/alice"), &ev));
    }

    #[test]
    fn lookup_attributes() {
        let ev = event(
            Some(identity("IAMUser")),
            r#","eventID":"e-1","readOnly":false,"resources":[{"type":"AWS::EC2::Instance","ARN":"arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0abc"}]"#,
        );
        let s = |f: fn(&mut Spec, String), v: &str| {
            let mut spec = Spec::default();
            f(&mut spec, v.to_string());
            spec
        };
        assert!(holds(s(|s, v| s.event_id.push(v), "e-1"), &ev));
        assert!(!holds(s(|s, v| s.event_id.push(v), "e-2"), &ev));
        assert!(holds(s(|s, v| s.event_name.push(v), "RunInstances"), &ev));
        // Event names compare case-sensitively, as CloudTrail writes them.
        assert!(!holds(s(|s, v| s.event_name.push(v), "runinstances"), &ev));
        assert!(holds(s(|s, v| s.event_source.push(v), "ec2"), &ev));
        assert!(holds(s(|s, v| s.event_source.push(v), "ec2.amazonaws.com"), &ev));
        assert!(!holds(s(|s, v| s.event_source.push(v), "ec"), &ev));
        assert!(holds(Spec { read_only: Some(false), ..Spec::default() }, &ev));
        assert!(!holds(Spec { read_only: Some(true), ..Spec::default() }, &ev));
        assert!(!holds(Spec { read_only: Some(false), ..Spec::default() }, &event(None, "")));
        assert!(holds(s(|s, v| s.resource_type.push(v), "AWS::EC2::Instance"), &ev));
        assert!(holds(s(|s, v| s.resource_name.push(v), "i-0abc"), &ev));
        assert!(holds(s(|s, v| s.resource_name.push(v), "arn:aws:ec2:*:instance/i-0abc"), &ev));
        assert!(!holds(s(|s, v| s.resource_name.push(v), "i-0ab"), &ev));
        assert!(holds(s(|s, v| s.access_key_id.push(v), "AKIAALICE"), &ev));
        // Repeated values are ORed.
        let both = Spec { event_name: vec!["ConsoleLogin".into(), "RunInstances".into()], ..Spec::default() };
        assert!(holds(both, &ev));
        // Lookup-events output writes readOnly as a string.
        assert!(holds(Spec { read_only: Some(true), ..Spec::default() }, r#"{"eventName":"X","readOnly":"true"}"#));
    }

    /// A CloudFormation CreateStack as CloudTrail wrote it in 2017: no resources[].
    const CREATE_STACK: &str = r#"{"eventVersion":"1.05","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deploy-agent/ci-1","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/deploy-agent","userName":"deploy-agent"}}},"eventTime":"2017-06-01T13:06:24Z","eventSource":"cloudformation.amazonaws.com","eventName":"CreateStack","awsRegion":"ap-southeast-2","requestParameters":{"stackName":"webapp-prod","roleARN":"arn:aws:iam::111122223333:role/cfn-exec","capabilities":["CAPABILITY_IAM"]},"responseElements":{"stackId":"arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/19646292-66eb-4562-855a-55545b100b89"},"eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;

    fn rt(types: &[&str], names: &[&str]) -> Spec {
        Spec {
            resource_type: types.iter().map(|t| t.to_string()).collect(),
            resource_name: names.iter().map(|n| n.to_string()).collect(),
            ..Spec::default()
        }
    }

    #[test]
    fn resources_the_console_shows_for_events_without_resources() {
        assert!(holds(rt(&["AWS::CloudFormation::Stack"], &[]), CREATE_STACK));
        assert!(holds(rt(&[], &["webapp-prod"]), CREATE_STACK));
        assert!(holds(rt(&["AWS::CloudFormation::Stack"], &["webapp-prod"]), CREATE_STACK));
        assert!(holds(rt(&["AWS::CloudFormation::*"], &["webapp-*"]), CREATE_STACK));
        assert!(holds(rt(&["stack"], &[]), CREATE_STACK), "the IAM resource type name");
        let arn =
            "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/19646292-66eb-4562-855a-55545b100b89";
        assert!(holds(rt(&[], &[arn]), CREATE_STACK));
        assert!(holds(rt(&[], &["arn:aws:cloudformation:*:stack/webapp-prod/*"]), CREATE_STACK));
        assert!(!holds(rt(&["AWS::EC2::Instance"], &[]), CREATE_STACK));
        assert!(!holds(rt(&[], &["webapp-staging"]), CREATE_STACK));
        assert!(!holds(rt(&["AWS::CloudFormation::Stack"], &["webapp-staging"]), CREATE_STACK));
        // The role passed is an inferred iam:PassRole, not a resource of the call.
        assert!(!holds(rt(&["AWS::IAM::Role"], &[]), CREATE_STACK));
        assert!(!holds(rt(&[], &["cfn-exec"]), CREATE_STACK));
        // A failed create names its stack without an id: the name is still the stack's.
        let failed = CREATE_STACK.replace(r#""responseElements":{"stackId":"arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/19646292-66eb-4562-855a-55545b100b89"}"#, r#""errorCode":"AlreadyExistsException","responseElements":null"#);
        assert!(holds(rt(&["AWS::CloudFormation::Stack"], &["webapp-prod"]), &failed));
    }

    #[test]
    fn resources_of_the_request_by_console_type_or_iam_type() {
        let run = event(
            Some(identity("IAMUser")),
            r#","requestParameters":{"instanceType":"t2.micro","imageId":"ami-0a9c3f51","subnetId":"subnet-6e7f829a","groupSet":{"items":[{"groupId":"sg-5d3e9a21"}]}},"responseElements":{"instancesSet":{"items":[{"instanceId":"i-0abc"}]}}"#,
        );
        assert!(holds(rt(&["AWS::EC2::Subnet"], &["subnet-6e7f829a"]), &run));
        assert!(holds(rt(&["AWS::EC2::SecurityGroup"], &["sg-5d3e9a21"]), &run));
        assert!(holds(rt(&["image"], &["ami-0a9c3f51"]), &run), "no console type in the table: the IAM name");
        assert!(holds(rt(&["AWS::EC2::Instance"], &[]), &run));
        assert!(!holds(rt(&["AWS::S3::Bucket"], &[]), &run));
        // An event's own resources[] answer alone: the request is not looked into.
        let with = event(
            Some(identity("IAMUser")),
            r#","requestParameters":{"subnetId":"subnet-6e7f829a"},"resources":[{"type":"AWS::EC2::Instance","ARN":"arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0abc"}]"#,
        );
        assert!(holds(rt(&["AWS::EC2::Instance"], &["i-0abc"]), &with));
        assert!(!holds(rt(&["AWS::EC2::Subnet"], &[]), &with));
        assert!(!holds(rt(&[], &["subnet-6e7f829a"]), &with));
        // Service events and sign-ins use no resource of the caller's.
        assert!(!holds(
            rt(&["*"], &[]),
            r#"{"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","eventType":"AwsConsoleSignIn"}"#
        ));
    }

    #[test]
    fn resource_types_never_prefilter_and_names_by_their_last_part() {
        let f = Filter::new(&rt(&["AWS::CloudFormation::Stack"], &[]), NOW).unwrap();
        assert!(f.prefilter.is_empty(), "a mapped type is nowhere in the text");
        let f = Filter::new(&rt(&[], &["arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod"]), NOW)
            .unwrap();
        assert!(f.prefilter.may_match(CREATE_STACK.as_bytes()));
        assert!(!f.prefilter.may_match(br#"{"eventName":"DescribeStacks"}"#));
        let f = Filter::new(&rt(&[], &["arn:aws:cloudformation:*:stack/webapp-prod/*"]), NOW).unwrap();
        assert!(f.prefilter.is_empty());
    }

    #[test]
    fn time_bounds_are_inclusive_instants() {
        let ev = event(None, "");
        let t = |start: Option<&str>, end: Option<&str>| {
            holds(Spec { start: start.map(String::from), end: end.map(String::from), ..Spec::default() }, &ev)
        };
        assert!(t(Some("2017-06-01T13:05:42Z"), Some("2017-06-01T13:05:42Z")));
        assert!(t(Some("2017-06-01 1:00 pm"), Some("2017-06-02 5:00 pm")));
        assert!(!t(Some("2017-06-01T13:05:43Z"), None));
        assert!(!t(None, Some("2017-06-01T13:05:41Z")));
        assert!(t(Some("2017-06-01T23:05:42+10:00"), None));
        assert!(t(Some("-1h"), Some("now")));
        assert!(!t(Some("-30m"), None));
        assert!(!holds(Spec { start: Some("2017-01-01".into()), ..Spec::default() }, r#"{"eventName":"X"}"#));
        assert!(Filter::new(&Spec { start: Some("tomorrow".into()), ..Spec::default() }, NOW).is_err());
        assert!(
            Filter::new(
                &Spec { start: Some("2017-06-02".into()), end: Some("2017-06-01".into()), ..Spec::default() },
                NOW
            )
            .is_err()
        );
    }

    #[test]
    fn source_ip_by_address_network_or_name() {
        let at = |ip: &str| event(None, "").replace("198.51.100.20", ip);
        let ip = |v: &str| Spec { source_ip: vec![v.to_string()], ..Spec::default() };
        assert!(holds(ip("198.51.100.20"), &at("198.51.100.20")));
        assert!(holds(ip("198.51.100.0/24"), &at("198.51.100.20")));
        assert!(!holds(ip("198.51.101.0/24"), &at("198.51.100.20")));
        assert!(holds(ip("0.0.0.0/0"), &at("203.0.113.9")));
        assert!(holds(ip("2001:db8::/32"), &at("2001:0db8:0000::7")));
        assert!(holds(ip("2001:db8::7"), &at("2001:db8:0:0:0:0:0:7")));
        assert!(!holds(ip("2001:db8::/32"), &at("2001:db9::7")));
        assert!(holds(ip("10.0.0.0/8"), &at("::ffff:10.1.2.3")));
        // A service name in the field never matches a network...
        assert!(!holds(ip("0.0.0.0/0"), &at("ec2.amazonaws.com")));
        assert!(!holds(ip("::/0"), &at("AWS Internal")));
        // ...but can be selected by name.
        assert!(holds(ip("ec2.amazonaws.com"), &at("ec2.amazonaws.com")));
        assert!(holds(ip("*.amazonaws.com"), &at("ec2.amazonaws.com")));
        for bad in ["10.0.0.0/33", "1.2.3.4/x", "300.1.1.1", "::/129", "", "a b"] {
            assert!(Filter::new(&ip(bad), NOW).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn outcome_predicates() {
        let ok = event(None, r#","errorCode":null,"eventType":"AwsApiCall""#);
        let denied =
            event(None, r#","errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized""#);
        let plain = event(None, "");
        let err = |want: bool| Spec { error: want, no_error: !want, ..Spec::default() };
        assert!(holds(err(true), &denied));
        assert!(!holds(err(true), &ok));
        assert!(!holds(err(true), &plain));
        assert!(holds(err(false), &ok));
        assert!(holds(err(false), &plain));
        assert!(!holds(err(false), &denied));
        // A failed console sign-in has an errorMessage and no errorCode (CloudTrail User Guide,
        // "AWS Management Console sign-in events"); a successful one is no error.
        let login = |outcome: &str, extra: &str| {
            format!(
                r#"{{"eventVersion":"1.05","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn"{extra},"responseElements":{{"ConsoleLogin":"{outcome}"}},"additionalEventData":{{"MFAUsed":"No"}}}}"#
            )
        };
        let failed = login("Failure", r#","errorMessage":"Failed authentication""#);
        assert!(holds(err(true), &failed));
        assert!(!holds(err(false), &failed));
        assert!(!holds(err(true), &login("Success", "")));
        assert!(holds(err(false), &login("Success", "")));
        // The prefilter does not rule the failure out: it looks for "error", in both keys.
        let f = Filter::new(&err(true), NOW).unwrap();
        assert!(f.prefilter.may_match(failed.as_bytes()) && f.prefilter.may_match(denied.as_bytes()));
        assert!(!f.prefilter.may_match(plain.as_bytes()));
        let code = |c: &str| Spec { error_code: vec![c.to_string()], ..Spec::default() };
        assert!(holds(code("*UnauthorizedOperation"), &denied));
        assert!(!holds(code("AccessDenied"), &denied));
        assert!(holds(Spec { event_type: vec!["AwsApiCall".into()], ..Spec::default() }, &ok));
    }

    #[test]
    fn category_with_inference_for_old_records() {
        let cat = |c: &str| Spec { category: vec![c.to_string()], ..Spec::default() };
        let data = event(None, r#","eventCategory":"Data","managementEvent":false"#);
        assert!(holds(cat("data"), &data));
        assert!(holds(cat("DATA"), &data));
        assert!(!holds(cat("management"), &data));
        assert!(holds(cat("data"), &event(None, r#","managementEvent":false"#)));
        assert!(holds(cat("management"), &event(None, "")));
        assert!(holds(cat("insight"), r#"{"eventVersion":"1.07","eventType":"AwsCloudTrailInsight","eventTime":"x"}"#));
        assert!(holds(cat("networkactivity"), &event(None, r#","eventCategory":"NetworkActivity""#)));
        assert!(Filter::new(&cat("audit"), NOW).is_err());
    }

    #[test]
    fn where_and_has_on_any_field() {
        let ev = event(
            Some(identity("AssumedRole")),
            r#","requestParameters":{"instanceType":"t2.micro","maxCount":1,"ebsOptimized":false,"capabilities":["CAPABILITY_IAM","CAPABILITY_NAMED_IAM"],"note":null,"spot":1.50}"#,
        );
        let w = |v: &str| Spec { wheres: vec![v.to_string()], ..Spec::default() };
        assert!(holds(w("requestParameters.instanceType=t2.*"), &ev));
        assert!(!holds(w("requestParameters.instanceType=t3.*"), &ev));
        assert!(holds(w("requestParameters.maxCount=1"), &ev));
        assert!(holds(w("requestParameters.maxCount=1.0"), &ev));
        assert!(holds(w("requestParameters.spot=1.5"), &ev));
        assert!(holds(w("requestParameters.ebsOptimized=false"), &ev));
        assert!(holds(w("requestParameters.note=null"), &ev));
        assert!(holds(w("requestParameters.capabilities=CAPABILITY_NAMED_IAM"), &ev));
        assert!(holds(w("userIdentity.sessionContext.attributes.mfaAuthenticated=false"), &ev));
        assert!(!holds(w("requestParameters.missing=x"), &ev));
        assert!(!holds(w("requestParameters.instanceType=null"), &ev));
        let has = |p: &str| Spec { has: vec![p.to_string()], ..Spec::default() };
        assert!(holds(has("requestParameters.instanceType"), &ev));
        assert!(holds(has("userIdentity.sessionContext"), &ev));
        assert!(!holds(has("requestParameters.note"), &ev));
        assert!(!holds(has("responseElements"), &ev));
        assert!(Filter::new(&w("noequals"), NOW).is_err());
        assert!(Filter::new(&w("a..b=1"), NOW).is_err());
    }

    #[test]
    fn all_predicates_must_hold() {
        let ev = event(Some(identity("IAMUser")), "");
        let both = Spec { user: vec!["alice".into()], event_name: vec!["RunInstances".into()], ..Spec::default() };
        assert!(holds(both, &ev));
        let one_off = Spec { user: vec!["alice".into()], event_name: vec!["ConsoleLogin".into()], ..Spec::default() };
        assert!(!holds(one_off, &ev));
        assert!(holds(Spec::default(), &ev), "no predicate: everything matches");
    }

    #[test]
    fn containers_and_non_objects_are_told_apart() {
        let f = Filter::new(&Spec::default(), NOW).unwrap();
        let mut found = Found::default();
        assert_eq!(f.test(br#"{"Records":[]}"#, &mut found).unwrap(), Verdict::Container);
        assert_eq!(f.test(b"[1]", &mut found).unwrap(), Verdict::NotObject);
        assert!(f.test(b"{nope", &mut found).is_err());
    }
}
