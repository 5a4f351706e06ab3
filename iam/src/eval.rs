//! Evaluating identity policies, as IAM does, with a third answer for the logs' blind spots.
//!
//! Semantics from the IAM User Guide ("Policy evaluation logic", "IAM JSON policy elements:
//! Condition operators", "Creating a condition with multiple keys or values", "IAM policy
//! elements: Variables and tags"): an explicit Deny wins, an Allow is needed, and without one
//! the request is implicitly denied. Actions match case-insensitively, ARNs case-sensitively.
//!
//! CloudTrail does not record every condition key a request carried (principal and resource
//! tags, organisation ids, ...). In `Check` mode a condition on a key the logs cannot show is
//! Unknown, never guessed; in `Simulate` mode a key not given is absent, as in IAM.

use std::collections::HashMap;
use std::net::IpAddr;

use ct_common::glob::{Glob, Piece, matches_pieces};
use ct_common::time;

use crate::policy::{Condition, Effect, Patterns, Policy, Statement};

/// The decision for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
    /// The decision depends on a condition key the logs cannot show.
    Unknown,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
            Decision::Unknown => "Unknown",
        }
    }
}

/// Three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    pub fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::True,
        }
    }
    pub fn or(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::False,
        }
    }
    pub fn from(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

/// How absent keys are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// From logs: a key the logs cannot show is Unknown.
    Check,
    /// A stated request: a key not given is absent.
    Simulate,
}

/// Which absent keys a context proves absent (in `Check` mode).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Known {
    /// One event: every key in `observable()`, which ct fills whenever the event shows it.
    #[default]
    Event,
    /// An aggregate of many events: only these keys (lower-cased), whose values every event
    /// had; the values of different events are pooled.
    Pooled(Vec<String>),
    /// Nothing (a bare action name): every condition is Unknown.
    Nothing,
}

/// The request context: condition keys (case-insensitive) with their values.
#[derive(Debug, Clone, Default)]
pub struct Context {
    values: HashMap<String, Vec<String>>,
    pub known: Known,
    /// Observable keys (lower-cased, or prefixes ending in `/`) whose absence this one record
    /// does not prove: tags in a request whose tags ct could not read.
    pub unproven: Vec<String>,
    /// Multivalued keys (lower-cased) whose values here are some of the request's, perhaps not
    /// all: aws:CalledVia when the event shows only the last service of a chain. A set
    /// operator settles only what those values alone decide.
    pub partial: Vec<String>,
    /// The caller as the record names it (a user's ARN, an assumed role's session ARN), for the
    /// Principal element of resource-based policies.
    pub caller: Option<String>,
    /// Keys (lower-cased) whose values the user stated (`--assume`): known in any mode.
    pub assumed: Vec<String>,
    /// Keys (lower-cased, or prefixes ending in `/` or `*`) this one record proves absent
    /// although they are not `observable` in general: a request-only service key whose
    /// parameter the logged request lacks, a resource's tags where the stream knows them all.
    /// `unproven` wins.
    pub absent: Vec<String>,
}

impl Context {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether this context settles `key`: its values are the request's, and its absence is
    /// the request's (Check mode).
    fn knows(&self, key: &str) -> bool {
        if self.assumed.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            return true;
        }
        match &self.known {
            // One event: the values it shows are the request's; its silence proves absence
            // only for observable keys.
            Known::Event => {
                let k = key.to_ascii_lowercase();
                // Entries are keys, or prefixes ending in `/` or `*` (aws:ResourceTag/).
                let listed = |list: &[String]| {
                    list.iter().any(|u| {
                        k == *u
                            || (u.ends_with('/') && k.starts_with(u.as_str()))
                            || u.strip_suffix('*').is_some_and(|p| k.starts_with(p))
                    })
                };
                self.get(key).is_some() || ((observable(key) || listed(&self.absent)) && !listed(&self.unproven))
            }
            Known::Pooled(keys) => keys.iter().any(|k| k.eq_ignore_ascii_case(key)),
            Known::Nothing => false,
        }
    }

    fn pooled(&self) -> bool {
        matches!(self.known, Known::Pooled(_))
    }

    /// Adds a value of a key (keys with several values are multivalued, or come from several
    /// events of an aggregate).
    pub fn add(&mut self, key: &str, value: &str) {
        let v = self.values.entry(key.to_ascii_lowercase()).or_default();
        if !v.iter().any(|x| x == value) {
            v.push(value.to_string());
        }
    }

    /// States a fact the logs cannot show (`--assume KEY=VALUE`): the key's values are these,
    /// for every request.
    pub fn assume(&mut self, key: &str, value: &str) {
        self.add(key, value);
        let k = key.to_ascii_lowercase();
        if !self.assumed.contains(&k) {
            self.assumed.push(k);
        }
    }

    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values.get(&key.to_ascii_lowercase()).map(Vec::as_slice).filter(|v| !v.is_empty())
    }
}

/// Keys that a request may lack and that ct fills from a CloudTrail record whenever the
/// request carried them, so that their absence in the context is their absence in the request.
///
/// Not here, so that their absence settles nothing: the keys IAM always has (the principal's
/// ARN, account, type and id, the time, the requested region), whose absence from a context
/// only says the record did not show them; and the services' keys, which describe the
/// resource as well as the request (`ec2:InstanceType` applies to TerminateInstances through
/// the instance, which the event does not describe) or come in shapes ct may not read (S3's
/// headers). Their values, when a record shows them, still count.
pub fn observable(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    // aws:CalledVia is absent from a direct call (IAM User Guide, global condition keys), which
    // CloudTrail shows without userIdentity.invokedBy; ct fills it from invokedBy.
    const KEYS: &[&str] = &[
        "aws:sourceip",
        "aws:multifactorauthpresent",
        "aws:username",
        "aws:sourcevpce",
        "aws:tagkeys",
        "aws:calledvia",
        "aws:calledviafirst",
        "aws:calledvialast",
    ];
    KEYS.contains(&k.as_str()) || k.starts_with("aws:requesttag/")
}

/// One request to decide.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// `service:Action`.
    pub action: &'a str,
    /// The resource ARN, `*` for actions without resource types, `None` when the logs do
    /// not show it. A `*` inside an ARN stands for a part the logs do not show.
    pub resource: Option<&'a str>,
    pub context: &'a Context,
    pub mode: Mode,
}

/// The decision with what made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub decision: Decision,
    /// `policy: statement` of the statement that decided (explicit deny, allow, or the one
    /// whose conditions could not be read).
    pub statement: Option<String>,
    /// For Unknown: the keys the logs could not show.
    pub unknown_keys: Vec<String>,
}

/// A condition operator, parsed: base comparison, negation, IfExists, set qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    base: Base,
    negated: bool,
    if_exists: bool,
    set: Option<SetQ>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    ArnLike,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetQ {
    ForAllValues,
    ForAnyValue,
}

impl Operator {
    pub fn parse(text: &str) -> Result<Operator, String> {
        let (set, rest) = if let Some(r) = text.strip_prefix("ForAllValues:") {
            (Some(SetQ::ForAllValues), r)
        } else if let Some(r) = text.strip_prefix("ForAnyValue:") {
            (Some(SetQ::ForAnyValue), r)
        } else {
            (None, text)
        };
        let (rest, if_exists) = match rest.strip_suffix("IfExists") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        use Base::*;
        let (base, negated) = match rest {
            "StringEquals" => (StringEquals, false),
            "StringNotEquals" => (StringEquals, true),
            "StringEqualsIgnoreCase" => (StringEqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (StringEqualsIgnoreCase, true),
            "StringLike" => (StringLike, false),
            "StringNotLike" => (StringLike, true),
            "NumericEquals" => (NumericEquals, false),
            "NumericNotEquals" => (NumericEquals, true),
            "NumericLessThan" => (NumericLessThan, false),
            "NumericLessThanEquals" => (NumericLessThanEquals, false),
            "NumericGreaterThan" => (NumericGreaterThan, false),
            "NumericGreaterThanEquals" => (NumericGreaterThanEquals, false),
            "DateEquals" => (DateEquals, false),
            "DateNotEquals" => (DateEquals, true),
            "DateLessThan" => (DateLessThan, false),
            "DateLessThanEquals" => (DateLessThanEquals, false),
            "DateGreaterThan" => (DateGreaterThan, false),
            "DateGreaterThanEquals" => (DateGreaterThanEquals, false),
            "Bool" => (Bool, false),
            "BinaryEquals" => (BinaryEquals, false),
            "IpAddress" => (IpAddress, false),
            "NotIpAddress" => (IpAddress, true),
            "ArnEquals" | "ArnLike" => (ArnLike, false),
            "ArnNotEquals" | "ArnNotLike" => (ArnLike, true),
            "Null" => (Null, false),
            _ => return Err(format!("unknown condition operator {text:?}")),
        };
        if base == Null && (if_exists || set.is_some()) {
            return Err(format!("{text:?}: Null takes neither IfExists nor a set qualifier"));
        }
        Ok(Operator { base, negated, if_exists, set })
    }

    /// Whether a policy value can be read by the operator: a number, a date, an address, a
    /// boolean. IAM refuses policies with values it cannot read; here a value that would make
    /// the condition silently false (and so switch a Deny off) refuses the policy.
    pub fn check_value(&self, value: &str) -> Result<(), String> {
        let ok = match self.base {
            Base::NumericEquals
            | Base::NumericLessThan
            | Base::NumericLessThanEquals
            | Base::NumericGreaterThan
            | Base::NumericGreaterThanEquals => value.trim().parse::<f64>().is_ok_and(f64::is_finite),
            Base::DateEquals
            | Base::DateLessThan
            | Base::DateLessThanEquals
            | Base::DateGreaterThan
            | Base::DateGreaterThanEquals => time::parse_event_time(value).is_some() || value.parse::<i64>().is_ok(),
            Base::IpAddress => {
                let (net, bits) = value.split_once('/').unwrap_or((value, ""));
                match net.parse::<IpAddr>() {
                    Ok(IpAddr::V4(_)) => bits.is_empty() || bits.parse::<u8>().is_ok_and(|b| b <= 32),
                    Ok(IpAddr::V6(_)) => bits.is_empty() || bits.parse::<u8>().is_ok_and(|b| b <= 128),
                    Err(_) => false,
                }
            }
            Base::Null => value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false"),
            Base::Bool => {
                value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false") || value.contains("${")
            }
            _ => true,
        };
        if ok { Ok(()) } else { Err(format!("{value:?} is not a value this operator can compare")) }
    }

    /// Whether policy variables may appear in the values (string, ARN and Bool operators).
    fn takes_variables(&self) -> bool {
        matches!(
            self.base,
            Base::StringEquals | Base::StringEqualsIgnoreCase | Base::StringLike | Base::ArnLike | Base::Bool
        )
    }
}

/// Whether one request value satisfies the positive comparison with one policy value.
fn compare(base: Base, req: &str, pattern: &Pattern) -> bool {
    let pol = pattern.text.as_str();
    let num = |s: &str| s.trim().parse::<f64>().ok();
    let date = |s: &str| time::parse_event_time(s).or_else(|| s.parse::<i64>().ok().map(time::Time::from_secs));
    match base {
        Base::StringEquals => req == pol,
        Base::StringEqualsIgnoreCase => req.to_lowercase() == pol.to_lowercase(),
        Base::StringLike => pattern.glob_match(req),
        Base::NumericEquals => num(req).zip(num(pol)).is_some_and(|(a, b)| a == b),
        Base::NumericLessThan => num(req).zip(num(pol)).is_some_and(|(a, b)| a < b),
        Base::NumericLessThanEquals => num(req).zip(num(pol)).is_some_and(|(a, b)| a <= b),
        Base::NumericGreaterThan => num(req).zip(num(pol)).is_some_and(|(a, b)| a > b),
        Base::NumericGreaterThanEquals => num(req).zip(num(pol)).is_some_and(|(a, b)| a >= b),
        Base::DateEquals => date(req).zip(date(pol)).is_some_and(|(a, b)| a == b),
        Base::DateLessThan => date(req).zip(date(pol)).is_some_and(|(a, b)| a < b),
        Base::DateLessThanEquals => date(req).zip(date(pol)).is_some_and(|(a, b)| a <= b),
        Base::DateGreaterThan => date(req).zip(date(pol)).is_some_and(|(a, b)| a > b),
        Base::DateGreaterThanEquals => date(req).zip(date(pol)).is_some_and(|(a, b)| a >= b),
        Base::Bool => req.eq_ignore_ascii_case(pol),
        Base::BinaryEquals => req == pol,
        Base::IpAddress => ip_in(req, pol),
        Base::ArnLike => pattern.arn_match_parts(req),
        Base::Null => false,
    }
}

/// Whether a request value is of the type the operator compares.
fn readable(base: Base, v: &str) -> bool {
    match base {
        Base::NumericEquals
        | Base::NumericLessThan
        | Base::NumericLessThanEquals
        | Base::NumericGreaterThan
        | Base::NumericGreaterThanEquals => v.trim().parse::<f64>().is_ok_and(f64::is_finite),
        Base::DateEquals
        | Base::DateLessThan
        | Base::DateLessThanEquals
        | Base::DateGreaterThan
        | Base::DateGreaterThanEquals => time::parse_event_time(v).is_some() || v.parse::<i64>().is_ok(),
        Base::IpAddress => v.parse::<IpAddr>().is_ok(),
        Base::Bool => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        Base::ArnLike => v.splitn(6, ':').count() == 6,
        _ => true,
    }
}

fn ip_in(ip: &str, cidr: &str) -> bool {
    let Ok(ip) = ip.parse::<IpAddr>() else { return false };
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => match (n.parse::<IpAddr>(), b.parse::<u8>()) {
            (Ok(n), Ok(b)) => (n, b),
            _ => return false,
        },
        None => match cidr.parse::<IpAddr>() {
            Ok(n) => (n, if n.is_ipv4() { 32 } else { 128 }),
            Err(_) => return false,
        },
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let m = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits)) };
            u32::from(a) & m == u32::from(n) & m
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let m = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits)) };
            u128::from(a) & m == u128::from(n) & m
        }
        _ => false,
    }
}

/// ARN matching for the Resource element (`resource_match`), case-sensitive.
pub fn arn_match(pattern: &str, arn: &str) -> bool {
    crate::resource_match::matches_text(pattern, arn, false)
}

/// ARN matching for the Arn condition operators: each of the six parts on its own, never a
/// `*` running past a colon (IAM User Guide, condition operators: "each of the six
/// colon-delimited components of the ARN is checked separately").
pub fn arn_match_parts(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == 6 && a.len() == 6 && p.iter().zip(&a).all(|(p, a)| Glob::new(p).is_match(a))
}

/// A policy value with its variables substituted: its text (where `${*}`, `${?}` and `${$}`
/// became those characters), and, when it held `${*}` or `${?}`, its pieces, which keep
/// them apart from the wildcards `*` and `?` (a glob's text cannot).
struct Pattern {
    text: String,
    pieces: Option<Vec<Piece>>,
}

impl Pattern {
    /// StringLike's match.
    fn glob_match(&self, s: &str) -> bool {
        match &self.pieces {
            Some(p) => matches_pieces(p, s),
            None => Glob::new(&self.text).is_match(s),
        }
    }

    /// The Resource element's match (`resource_match`), read `wide` or strictly.
    fn arn_match(&self, arn: &str, wide: bool) -> bool {
        match &self.pieces {
            Some(p) => crate::resource_match::matches(p, arn, wide),
            None => crate::resource_match::matches_text(&self.text, arn, wide),
        }
    }

    /// ArnLike's match (`arn_match_parts`).
    fn arn_match_parts(&self, arn: &str) -> bool {
        let Some(pieces) = &self.pieces else { return arn_match_parts(&self.text, arn) };
        let p = pieces_parts(pieces);
        let a: Vec<&str> = arn.splitn(6, ':').collect();
        p.len() == 6 && a.len() == 6 && p.iter().zip(&a).all(|(p, a)| matches_pieces(p, a))
    }
}

/// Pieces cut at their first five colons, as `splitn(6, ':')` cuts text.
fn pieces_parts(pieces: &[Piece]) -> Vec<&[Piece]> {
    let mut parts = Vec::with_capacity(6);
    let mut rest = pieces;
    while parts.len() < 5
        && let Some(i) = rest.iter().position(|&p| p == Piece::Char(':'))
    {
        parts.push(&rest[..i]);
        rest = &rest[i + 1..];
    }
    parts.push(rest);
    parts
}

/// The result of substituting policy variables.
enum Subst {
    Text(Pattern),
    /// A variable whose key is missing; `observable` says whether that proves it absent.
    Missing {
        key: String,
        observable: bool,
    },
}

/// How `pattern` (whose match is `matches`) settles `resource`, an ARN the logs showed only in
/// part (`instance/*`): True only if it matches whatever stands there, tried with stand-ins of
/// one and of eight characters the pattern does not hold (so that neither a run of `?`, which
/// fits one length only, nor a literal passes for a `*`); False if no name there could match
/// (another type, region or account); Unknown otherwise.
pub fn placeholder(pattern: &str, resource: &str, wide: bool, matches: impl Fn(&str) -> bool) -> Tri {
    let c = ('\u{E000}'..='\u{F8FF}').find(|&c| !pattern.contains(c)).unwrap_or('\u{1}');
    let fits = |n: usize| matches(&resource.replace('*', &c.to_string().repeat(n)));
    if fits(1) && fits(8) {
        Tri::True
    } else if placeholder_may_match(pattern, resource, wide) {
        Tri::Unknown
    } else {
        Tri::False
    }
}

/// Whether some name in place of the `*`s of `resource` (an ARN the logs showed in part) could
/// match `pattern`: their literal starts and ends must agree (one a prefix, or suffix, of the
/// other). `fold`, for a Deny, compares without case, so that it stays possible more often.
pub fn placeholder_may_match(pattern: &str, resource: &str, fold: bool) -> bool {
    let (p, r) = if fold {
        (pattern.to_ascii_lowercase(), resource.to_ascii_lowercase())
    } else {
        (pattern.to_string(), resource.to_string())
    };
    if !p.contains(['*', '?']) {
        // An exact ARN is one of the names when the resource, read as a pattern, matches it.
        return crate::resource_match::matches_text(&r, &p, false);
    }
    let lit_start = |s: &str| s.find(['*', '?']).unwrap_or(s.len());
    let (pp, rp) = (&p[..lit_start(&p)], &r[..lit_start(&r)]);
    let lit_end = |s: &str| s.rfind(['*', '?']).map_or(0, |i| i + 1);
    let (ps, rs) = (&p[lit_end(&p)..], &r[lit_end(&r)..]);
    (pp.starts_with(rp) || rp.starts_with(pp)) && (ps.ends_with(rs) || rs.ends_with(ps))
}

/// `substitute` for a Resource pattern: only in the resource part, after the fifth colon (IAM
/// User Guide, "IAM policy elements: Variables and tags": "you can use a policy variable only
/// in the resource portion of the ARN ... after the fifth colon"); before it, `${...}` is
/// plain text. A pattern without five colons (`*`) has no resource part.
fn substitute_resource(text: &str, ctx: &Context, mode: Mode) -> Subst {
    let Some((cut, _)) = text.match_indices(':').nth(4) else {
        return Subst::Text(Pattern { text: text.to_string(), pieces: None });
    };
    let (head, tail) = text.split_at(cut + 1);
    match substitute(tail, ctx, mode) {
        Subst::Text(t) => Subst::Text(Pattern {
            text: format!("{head}{}", t.text),
            pieces: t.pieces.map(|p| Piece::of(head).chain(p).collect()),
        }),
        missing => missing,
    }
}

/// Replaces `${key}` (and `${key, 'default'}`, `${$}`, `${*}`, `${?}`) in `text` from the
/// context.
fn substitute(text: &str, ctx: &Context, mode: Mode) -> Subst {
    let mut out = String::with_capacity(text.len());
    // The pieces of `out` up to the last `${*}` or `${?}`; None while there was none.
    let mut pieces: Option<Vec<Piece>> = None;
    let mut done = 0;
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let inner = rest[i + 2..i + j].trim();
        rest = &rest[i + j + 1..];
        match inner {
            "$" => out.push('$'),
            // The characters themselves, which the pieces keep apart from the wildcards.
            "*" | "?" => {
                let p = pieces.get_or_insert_with(Vec::new);
                p.extend(Piece::of(&out[done..]));
                let c = if inner == "*" { '*' } else { '?' };
                p.push(Piece::Char(c));
                out.push(c);
                done = out.len();
            }
            _ => {
                let (key, default) = match inner.split_once(',') {
                    Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\'').to_string())),
                    None => (inner, None),
                };
                let unsettled = || Subst::Missing { key: key.to_string(), observable: false };
                match ctx.get(key) {
                    // Values this context cannot vouch for, or an absence it does not prove
                    // (a default stands in only for a key the request did not have).
                    _ if mode == Mode::Check && !ctx.knows(key) => return unsettled(),
                    // One variable, several values (pooled from events, or a multivalued key):
                    // which one the request had is not known.
                    Some([_, _, ..]) if mode == Mode::Check => return unsettled(),
                    Some([v, ..]) => out.push_str(v),
                    _ => match default {
                        Some(d) => out.push_str(&d),
                        None => {
                            return Subst::Missing {
                                key: key.to_string(),
                                observable: mode == Mode::Simulate || ctx.knows(key),
                            };
                        }
                    },
                }
            }
        }
    }
    out.push_str(rest);
    if let Some(p) = &mut pieces {
        p.extend(Piece::of(&out[done..]));
    }
    Subst::Text(Pattern { text: out, pieces })
}

/// Whether a service's condition key can never be in the request context of `action`: the
/// Service Authorization Reference lists, for each action, the keys of its own and of its
/// resource types; a key it lists for neither (cloudformation:RoleArn on DescribeStacks, s3:
/// keys on a KMS call) is absent from every such request. Global (aws:) keys may be in any.
fn never_in_context(action: &str, key: &str) -> bool {
    if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
        return false;
    }
    let catalog = crate::Catalog::get();
    catalog.action_named(action).is_some_and(|a| !catalog.key_applies(a, key))
}

/// How several request values of one key (from several events of an aggregate) are read
/// for an operator without a set qualifier: an Allow must hold for every request, a Deny
/// applies if it holds for any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quant {
    All,
    Any,
}

fn condition(c: &Condition, req: &Request<'_>, vars: bool, quant: Quant, unknown: &mut Vec<String>) -> Tri {
    let Ok(op) = Operator::parse(&c.operator) else { return Tri::Unknown };
    let knowable = req.mode == Mode::Simulate || req.context.knows(&c.key) || never_in_context(req.action, &c.key);
    if !knowable {
        // A key this context cannot vouch for (pooled from many events, or never shown by
        // the logs): neither its values nor its absence settle anything.
        unknown.push(c.key.clone());
        return Tri::Unknown;
    }
    let time_key = c.key.eq_ignore_ascii_case("aws:CurrentTime") || c.key.eq_ignore_ascii_case("aws:EpochTime");
    let ordering = matches!(
        op.base,
        Base::DateLessThan | Base::DateLessThanEquals | Base::DateGreaterThan | Base::DateGreaterThanEquals
    );
    if req.mode == Mode::Check && req.context.pooled() && time_key && !ordering {
        // An aggregate keeps only its first and last times: enough to place every event
        // before or after a date, not to say whether one fell on it.
        unknown.push(c.key.clone());
        return Tri::Unknown;
    }
    if req.mode == Mode::Check
        && req.context.pooled()
        && op.set.is_some()
        && req.context.get(&c.key).is_some_and(|v| v.len() > 1)
    {
        // Set qualifiers compare one request's values; pooled values mix requests. One value
        // pooled from requests that all had the key is each request's whole set.
        unknown.push(c.key.clone());
        return Tri::Unknown;
    }
    let present = req.context.get(&c.key);
    if op.base == Base::Null {
        let want_absent = c.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
        let want_present = c.values.iter().any(|v| v.eq_ignore_ascii_case("false"));
        // Several values are ORed: ["true","false"] always holds.
        return Tri::from(if present.is_some() { want_present } else { want_absent });
    }
    // Whether this statement is a Deny: the side that cases the guide leaves open fall on.
    let deny = quant == Quant::Any;
    let Some(values) = present else {
        // Absent key: IfExists and ForAllValues hold, ForAnyValue does not, a negated
        // operator holds, any other does not (IAM User Guide, condition operators).
        if op.if_exists && op.set == Some(SetQ::ForAnyValue) {
            // IfExists says an absent key holds, ForAnyValue that it does not ("If the key
            // ... is not present, the condition returns false"); the guide does not say which
            // wins. ct reads it so that a Deny applies and an Allow does not.
            return Tri::from(deny);
        }
        return Tri::from(op.if_exists || op.set == Some(SetQ::ForAllValues) || (op.set.is_none() && op.negated));
    };
    // Policy values, with variables where the operator takes them.
    let mut pol = Vec::new();
    for v in &c.values {
        if vars && op.takes_variables() {
            match substitute(v, req.context, req.mode) {
                Subst::Text(t) => pol.push(t),
                Subst::Missing { key, observable: false } => {
                    unknown.push(key);
                    return Tri::Unknown;
                }
                // A variable without a value: "the policy element evaluates to false" (IAM
                // User Guide, policy variables) for an Allow; a Deny is kept (see
                // `resource_matches`).
                Subst::Missing { .. } => return Tri::from(deny),
            }
        } else {
            pol.push(Pattern { text: v.clone(), pieces: None });
        }
    }
    let positive = |r: &str| pol.iter().any(|p| compare(op.base, r, p));
    // The test for one request value, negation included. A request value the operator cannot
    // read (NumericEquals on "abc") matches no policy value; what a negated operator makes of
    // it the guide does not say, so there the value counts for a Deny and against an Allow.
    let one = |r: &str| {
        if op.negated && !readable(op.base, r) {
            deny
        } else if op.negated {
            !positive(r)
        } else {
            positive(r)
        }
    };
    let every = match op.set {
        Some(SetQ::ForAllValues) => true,
        Some(SetQ::ForAnyValue) => false,
        None => quant == Quant::All,
    };
    let held = if every { values.iter().all(|r| one(r)) } else { values.iter().any(|r| one(r)) };
    let k = c.key.to_ascii_lowercase();
    if req.mode == Mode::Check && req.context.partial.contains(&k) && held == every {
        // Some of the request's values: one that holds settles "any", one that fails settles
        // "every"; otherwise the values not shown might decide.
        unknown.push(c.key.clone());
        return Tri::Unknown;
    }
    Tri::from(held)
}

fn action_matches(patterns: &Patterns, action: &str) -> bool {
    let hit = |list: &[String]| list.iter().any(|p| Glob::new_ignore_case(p).is_match(action));
    match patterns {
        Patterns::Is(l) => hit(l),
        Patterns::Not(l) => !hit(l),
    }
}

fn resource_matches(
    patterns: &Patterns,
    req: &Request<'_>,
    vars: bool,
    effect: Effect,
    unknown: &mut Vec<String>,
) -> Tri {
    let deny = effect == Effect::Deny;
    // Read wide where matching more refuses more (`resource_match::matches`).
    let wide = deny == matches!(patterns, Patterns::Is(_));
    let Some(resource) = req.resource else {
        // The logs do not name the resource: only `*` settles it.
        return match patterns {
            Patterns::Is(l) if l.iter().any(|p| p == "*") => Tri::True,
            Patterns::Not(l) if l.iter().any(|p| p == "*") => Tri::False,
            _ => {
                unknown.push("the resource".into());
                Tri::Unknown
            }
        };
    };
    let mut any_unknown = false;
    let mut hit = false;
    let list = match patterns {
        Patterns::Is(l) | Patterns::Not(l) => l,
    };
    for p in list {
        let p = if vars {
            match substitute_resource(p, req.context, req.mode) {
                Subst::Text(t) => t,
                Subst::Missing { key, observable: false } => {
                    unknown.push(key);
                    any_unknown = true;
                    continue;
                }
                // A variable without a value. IAM User Guide, "IAM policy elements: Variables
                // and tags": for a key not in the request, "the policy element evaluates to
                // false" without a default. That reads clearly for an Allow (it grants
                // nothing there); for a Deny it would switch the Deny off because a key is
                // missing, which the guide does not spell out, so ct reads the pattern as
                // the one that keeps the Deny: matching under Resource, not matching under
                // NotResource.
                Subst::Missing { .. } => match (deny, patterns) {
                    (true, Patterns::Is(_)) => {
                        hit = true;
                        continue;
                    }
                    (true, Patterns::Not(_)) => continue,
                    (false, Patterns::Not(_)) => return Tri::False,
                    (false, Patterns::Is(_)) => continue,
                },
            }
        } else {
            Pattern { text: p.clone(), pieces: None }
        };
        let m = if req.mode == Mode::Check && resource != "*" && resource.contains('*') {
            // A placeholder (`instance/*`): the real ARN is one the logs did not show.
            placeholder(&p.text, resource, wide, |arn| p.arn_match(arn, wide))
        } else {
            Tri::from(p.arn_match(resource, wide))
        };
        match m {
            Tri::True => hit = true,
            Tri::Unknown => {
                any_unknown = true;
                if !unknown.iter().any(|k| k == "the resource") {
                    unknown.push("the resource".into());
                }
            }
            Tri::False => {}
        }
    }
    let is = if hit {
        Tri::True
    } else if any_unknown {
        Tri::Unknown
    } else {
        Tri::False
    };
    match patterns {
        Patterns::Is(_) => is,
        Patterns::Not(_) => match is {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        },
    }
}

fn applies(st: &Statement, req: &Request<'_>, vars: bool, scope: Scope, unknown: &mut Vec<String>) -> Tri {
    if !action_matches(&st.action, req.action) {
        return Tri::False;
    }
    let quant = if st.effect == Effect::Allow { Quant::All } else { Quant::Any };
    let mut t = match &st.principal {
        None => Tri::True,
        Some(p) => crate::principal::matches(p, req, st.effect, scope, unknown),
    };
    if t == Tri::False {
        return t;
    }
    t = t.and(resource_matches(&st.resource, req, vars, st.effect, unknown));
    for c in &st.conditions {
        if t == Tri::False {
            break;
        }
        t = t.and(condition(c, req, vars, quant, unknown));
    }
    t
}

/// Whether one statement of `policy` applies to a request, whatever its other statements say
/// (for ct-policy unused: what each Allow statement was needed for). Unknown when the logs
/// cannot settle it.
pub fn statement_applies(policy: &Policy, st: &Statement, req: &Request<'_>) -> Tri {
    applies(st, req, policy.variables(), Scope::Any, &mut Vec::new())
}

/// Actions that need no permission and that no policy can deny: "No permissions are required
/// to perform this operation. If an administrator attaches a policy to your identity that
/// explicitly denies access to the sts:GetCallerIdentity action, you can still perform this
/// operation" (AWS STS API Reference, GetCallerIdentity).
pub fn always_allowed(action: &str) -> bool {
    action.eq_ignore_ascii_case("sts:GetCallerIdentity")
}

/// The statement named for an action that needs no permission.
pub const ALWAYS_ALLOWED: &str = "needs no permission (AWS STS API Reference, GetCallerIdentity)";

/// How a Principal element is read (`principal::matches`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A policy without Principal, or any match counts.
    Any,
    /// A resource-based policy in the caller's own account: an Allow that names only the
    /// account hands the decision to the account's identity policies, so it grants nothing
    /// on its own (IAM User Guide, "Cross-account policy evaluation logic" and "AWS JSON
    /// policy elements: Principal", AWS account principals).
    SameAccount,
}

/// What one set of policies says about a request: the first statement of each kind that
/// applies (`True`) or might (`Unknown`), and the keys that left it open.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub deny: Option<String>,
    pub deny_unknown: Option<String>,
    pub allow: Option<String>,
    pub allow_unknown: Option<String>,
    pub keys: Vec<String>,
}

impl Scan {
    /// Whether these policies allow the request (not counting their denies).
    pub fn allows(&self) -> Tri {
        if self.allow.is_some() {
            Tri::True
        } else if self.allow_unknown.is_some() {
            Tri::Unknown
        } else {
            Tri::False
        }
    }
}

/// Reads every statement of `policies` against the request; `label` prefixes the statements
/// named (`permissions boundary`, `SCP level 1`), `scope` reads their Principal elements.
pub fn scan(policies: &[Policy], req: &Request<'_>, label: &str, scope: Scope) -> Scan {
    let mut out = Scan::default();
    for p in policies {
        for st in &p.statements {
            let mut unknown = Vec::new();
            let t = applies(st, req, p.variables(), scope, &mut unknown);
            let id = || {
                if label.is_empty() {
                    format!("{}: {}", p.name, st.id)
                } else {
                    format!("{label} {}: {}", p.name, st.id)
                }
            };
            match (st.effect, t) {
                (Effect::Deny, Tri::True) => out.deny = out.deny.take().or_else(|| Some(id())),
                (Effect::Deny, Tri::Unknown) => {
                    out.deny_unknown = out.deny_unknown.take().or_else(|| Some(id()));
                    out.keys.extend(unknown);
                }
                (Effect::Allow, Tri::True) => out.allow = out.allow.take().or_else(|| Some(id())),
                (Effect::Allow, Tri::Unknown) => {
                    out.allow_unknown = out.allow_unknown.take().or_else(|| Some(id()));
                    out.keys.extend(unknown);
                }
                (_, Tri::False) => {}
            }
        }
    }
    out.keys.sort();
    out.keys.dedup();
    out
}

/// Decides one request against a set of identity policies.
pub fn evaluate(policies: &[Policy], req: &Request<'_>) -> Outcome {
    if always_allowed(req.action) {
        return Outcome { decision: Decision::Allow, statement: Some(ALWAYS_ALLOWED.into()), unknown_keys: Vec::new() };
    }
    let sc = scan(policies, req, "", Scope::Any);
    let out = |decision, statement, unknown_keys| Outcome { decision, statement, unknown_keys };
    if let Some(s) = sc.deny {
        return out(Decision::ExplicitDeny, Some(s), Vec::new());
    }
    match (sc.allow, sc.deny_unknown, sc.allow_unknown) {
        (Some(s), None, _) => out(Decision::Allow, Some(s), Vec::new()),
        (Some(_), Some(d), _) => out(Decision::Unknown, Some(d), sc.keys),
        (None, _, Some(a)) => out(Decision::Unknown, Some(a), sc.keys),
        (None, _, None) => out(Decision::ImplicitDeny, None, Vec::new()),
    }
}
