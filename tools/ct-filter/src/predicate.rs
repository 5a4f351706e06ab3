//! The predicates, compiled from the command line, and their test on one event.

use std::net::IpAddr;

use ct_common::fields::{self, Found, Paths, Shape, Val};
use ct_common::glob::Glob;
use ct_common::time::{self, Time};

use crate::prefilter::{Prefilter, literal_of};

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
    /// `resources[].ARN` or its last part.
    ResourceName { arn: usize, globs: Vec<Glob> },
    /// `readOnly` (a boolean in events, the string "true"/"false" in some exports).
    ReadOnly { path: usize, want: bool },
    /// eventTime within [start, end], both inclusive.
    Time { path: usize, start: Option<Time>, end: Option<Time> },
    /// The assumed role, by name or ARN.
    Role { name: usize, arn: usize, identity_arn: usize, sel: Vec<RoleSel> },
    /// sourceIPAddress in a network, or equal to a text (service names).
    SourceIp { path: usize, sel: Vec<IpSel> },
    /// errorCode present and not null (or the opposite).
    Error { path: usize, want: bool },
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
    pub prefilter: Prefilter,
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

/// The identity types CloudTrail writes (design.md, research/format.md §4).
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
        let mut f = Filter { paths: Paths::new(), tests: Vec::new(), prefilter: Prefilter::default() };
        let globs = |v: &[String]| v.iter().map(|s| Glob::new(s)).collect::<Vec<_>>();
        f.text(&["eventID"], &spec.event_id, true);
        f.text(&["eventName"], &spec.event_name, true);
        let sources: Vec<String> = spec
            .event_source
            .iter()
            .map(|s| if s.contains('.') || s.contains('*') { s.clone() } else { format!("{s}.amazonaws.com") })
            .collect();
        f.text(&["eventSource"], &sources, true);
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
        f.text(&["resources.type"], &spec.resource_type, true);
        if !spec.resource_name.is_empty() {
            let arn = f.paths.add("resources.ARN");
            f.prefilter.require_any(spec.resource_name.iter().map(|u| literal_of(u)).collect());
            f.tests.push(Test::ResourceName { arn, globs: globs(&spec.resource_name) });
        }
        f.text(&["userIdentity.accessKeyId"], &spec.access_key_id, true);
        let start =
            spec.start.as_deref().map(|s| time::parse(s, now)).transpose().map_err(|e| format!("--start: {e}"))?;
        let end = spec.end.as_deref().map(|s| time::parse(s, now)).transpose().map_err(|e| format!("--end: {e}"))?;
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            return Err(format!("--start {s} is after --end {e}"));
        }
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
            if spec.error {
                f.prefilter.require_any(vec![Some("errorCode".to_string())]);
            }
            f.tests.push(Test::Error { path, want: spec.error });
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
        Ok(f)
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
        let all = self.tests.iter().all(|t| t.holds(found));
        Ok(if all { Verdict::Match } else { Verdict::NoMatch })
    }
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

/// The last part of an ARN: after its last `/`, or its last `:` when it has no `/`.
fn arn_tail(arn: &str) -> &str {
    match arn.rfind('/') {
        Some(i) => &arn[i + 1..],
        None => arn.rsplit(':').next().unwrap_or(arn),
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
                let mut names = f.strs(*user_name).chain(f.strs(*arn).map(arn_tail)).chain(root.then_some("root"));
                names.any(|n| globs.iter().any(|g| g.is_match(n)))
            }
            Test::ResourceName { arn, globs } => {
                f.strs(*arn).any(|a| globs.iter().any(|g| g.is_match(a) || g.is_match(arn_tail(a))))
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
                    f.strs(*name).any(|n| g.is_match(n)) || f.strs(*arn).any(|a| g.is_match(arn_tail(a)))
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
            Test::Error { path, want } => {
                let has = f.get(*path).any(|v| !matches!(v, Val::Null));
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
