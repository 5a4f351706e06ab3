//! The request an evaluation decides (its action, resource and condition-key context), how its
//! absent keys are read, and the three-valued answers about it: the model that the evaluator
//! and the Principal matcher share.

use std::collections::HashMap;

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
    pub(crate) fn knows(&self, key: &str) -> bool {
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

    pub(crate) fn pooled(&self) -> bool {
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
