//! The CI gate: every observed action evaluated against the allowed policies.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ct_iam::authorize::{PolicySet, authorize};
use ct_iam::eval::{self, Context, Decision, Mode, Request};
use ct_iam::{Catalog, Event, Mapping};
use ct_record::{ActionRecord, Capped, Sets};
use serde::Serialize;

/// One action that is not allowed, as written to stdout.
#[derive(Debug, Serialize, Clone, PartialEq, Eq)]
pub struct Finding {
    pub decision: &'static str,
    pub action: String,
    pub count: u64,
    /// Of those calls, how many AWS itself refused.
    pub denied: u64,
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    pub principals: Vec<String>,
    /// The statement that denied it (ExplicitDeny) or could not be settled (Unknown).
    pub statement: Option<String>,
    /// For Unknown: what the logs could not show.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
}

/// Collects decisions per action.
#[derive(Default)]
pub struct Gate {
    /// Count calls that AWS itself refused (by default they were not done, so they pass).
    pub include_denied: bool,
    /// Calls AWS refused, left out.
    pub refused: u64,
    pub findings: BTreeMap<(String, Decision), Finding>,
    pub allowed: BTreeMap<String, u64>,
    pub no_permission: u64,
    /// Objects read as events that have no eventSource or eventName.
    pub not_events: u64,
    pub observed: u64,
    /// Facts the user stated (`--assume KEY=VALUE`), true of every request.
    pub assumed: Vec<(String, String)>,
    /// For `unused`: each use is handed here (action, what to evaluate, context) instead of
    /// being decided.
    pub tap: Option<Tap>,
    /// The tags the events applied to resources, for aws:ResourceTag.
    pub tags: crate::tags::Tracker,
    /// Calls whose decision waits for the tags the whole input shows.
    pub deferred: crate::tags::Deferred<Call>,
    /// What the whole trail (`--trail`) and the input so far show: the role a launch passed,
    /// the stack of a change set.
    pub facts: crate::trail::Facts,
}

/// One use of an event, kept until the whole input is read.
#[derive(Debug, Clone)]
pub struct Call {
    action: String,
    resources: Vec<String>,
    ctx: Context,
    denied: u64,
    time: Option<String>,
    principals: Vec<String>,
}

/// Where `Gate::tap` hands each use.
pub type Tap = Box<dyn FnMut(&str, &[Option<String>], &Context)>;

/// The context IAM would have had for one event.
pub fn event_context<K: AsRef<str>, V: AsRef<str>>(ev: &Event<'_>, extra: &[(K, V)]) -> Context {
    let mut c = Context::new();
    if let Some(r) = ev.aws_region.as_deref() {
        c.add("aws:RequestedRegion", r);
    }
    // Through a VPC endpoint a request has no aws:SourceIp (IAM User Guide, global keys).
    if let Some(ip) = ev.source_ip_address.as_deref().filter(|s| s.parse::<std::net::IpAddr>().is_ok())
        && ev.vpc_endpoint_id.is_none()
    {
        c.add("aws:SourceIp", ip);
    }
    if let Some(p) = ev.principal() {
        c.add("aws:PrincipalArn", p);
    }
    // The caller as resource-based policies name it: a role's session, a user.
    c.caller = ev.user_identity.as_ref().and_then(|i| i.arn.as_deref()).or(ev.principal()).map(str::to_string);
    // The caller's account, not the account called (they differ across accounts).
    let arn_account = ev.principal().and_then(ct_iam::arn::account);
    if let Some(a) = ev.user_identity.as_ref().and_then(|i| i.account_id.as_deref()).or(arn_account) {
        c.add("aws:PrincipalAccount", a);
    }
    if let Some(t) = ev.event_time.as_deref() {
        c.add("aws:CurrentTime", t);
        if let Some(tt) = ct_common::time::parse_event_time(t) {
            c.add("aws:EpochTime", &tt.secs.to_string());
        }
    }
    if let Some(v) = ev.vpc_endpoint_id.as_deref() {
        c.add("aws:SourceVpce", v);
    }
    if let Some(id) = &ev.user_identity {
        if let Some(m) =
            id.session_context.as_ref().and_then(|s| s.attributes.as_ref()).and_then(|a| a.mfa_authenticated.as_deref())
        {
            c.add("aws:MultiFactorAuthPresent", m);
        }
        if let Some(p) = id.principal_id.as_deref() {
            c.add("aws:userid", p);
        }
        match id.kind.as_deref() {
            Some("IAMUser") => {
                c.add("aws:PrincipalType", "User");
                if let Some(u) = id.user_name.as_deref() {
                    c.add("aws:username", u);
                }
            }
            Some("AssumedRole") => c.add("aws:PrincipalType", "AssumedRole"),
            Some("FederatedUser") => c.add("aws:PrincipalType", "FederatedUser"),
            Some("Root") => c.add("aws:PrincipalType", "Account"),
            _ => {}
        }
    }
    // A call a service made with the caller's credentials (the mapping's rule, repeated here
    // for the uses whose context leaves the global keys out, such as iam:PassRole).
    let via = ct_iam::mapping::via_service(ev);
    if let Some(s) = via {
        c.add("aws:ViaAWSService", "true");
        if ct_iam::mapping::CALLED_VIA.contains(&s) {
            c.add("aws:CalledVia", s);
            // The last service of the chain is the one that called (IAM User Guide, global
            // condition keys, aws:CalledViaLast).
            c.add("aws:CalledViaLast", s);
        }
    }
    for (k, v) in extra {
        c.add(k.as_ref(), v.as_ref());
    }
    // Tags come in many shapes, not all of which ct reads: a request that mentions tags but
    // gave ct none does not prove it had none.
    let mentions_tags =
        ev.request_parameters.is_some_and(|p| p.as_bytes().windows(3).any(|w| w.eq_ignore_ascii_case(b"tag")));
    if mentions_tags && c.get("aws:TagKeys").is_none() {
        c.unproven.extend(["aws:tagkeys".into(), "aws:requesttag/".into()]);
    }
    // aws:CalledVia lists every service of a chain (IAM User Guide, global condition keys,
    // aws:CalledVia), and the event shows only the last, invokedBy (the mapping's context,
    // in `extra`). Nothing calls CloudFormation on a caller's behalf, so a call it made has
    // exactly its name; one made by another service of the table may have been called via
    // an earlier one, and one made by a service outside the table may still carry an earlier
    // one's name. A direct call (no invokedBy) has none.
    match via {
        None => {}
        Some("cloudformation.amazonaws.com") => c.add("aws:CalledViaFirst", "cloudformation.amazonaws.com"),
        Some(s) if ct_iam::mapping::CALLED_VIA.contains(&s) => {
            c.partial.push("aws:calledvia".into());
            c.unproven.push("aws:calledviafirst".into());
        }
        Some(_) => c.unproven.extend(["aws:calledvia".into(), "aws:calledviafirst".into(), "aws:calledvialast".into()]),
    }
    c
}

/// Service keys that only a request carries (never the resource), each named by the Service
/// Authorization Reference as a request parameter: when the logged request lacks the
/// parameter, the request lacked the key. Other service keys may describe the resource
/// (ec2:InstanceType on TerminateInstances) and stay unsettled when absent.
const REQUEST_ONLY: &[&str] = &[
    // AWS CloudFormation: "Filters access by the ARN of an IAM service role" passed in the call.
    "cloudformation:rolearn",
    "cloudformation:templateurl",
    "cloudformation:stackpolicyurl",
    // AWS KMS: the encryption context of the request.
    "kms:encryptioncontextkeys",
    "kms:encryptioncontext:",
    // Route 53: the record sets a ChangeResourceRecordSets request changes.
    "route53:changeresourcerecordsetsactions",
    "route53:changeresourcerecordsetsnormalizedrecordnames",
    "route53:changeresourcerecordsetsrecordtypes",
];

/// Marks the keys whose absence this event proves: request-only keys the mapping looked for
/// and did not find, and ec2:CreateAction on a CreateTags call of its own (the key is set only
/// when a create call tags the resources it creates; Amazon EC2 User Guide, "Grant permission
/// to tag Amazon EC2 resources during creation"), which CloudTrail logs as the create call.
fn proven_absent(ev: &Event<'_>, u: &ct_iam::Use<'_>, ctx: &mut Context) {
    if ev.request_parameters.is_none() {
        return;
    }
    for k in u.absent.iter() {
        let k = k.to_ascii_lowercase();
        if REQUEST_ONLY.iter().any(|r| if r.ends_with(':') { k.starts_with(r) } else { k == *r }) {
            ctx.absent.push(k);
        }
    }
    if ev.event_name.as_deref() == Some("CreateTags")
        && ev.event_source.as_deref() == Some("ec2.amazonaws.com")
        && u.action == "ec2:CreateTags"
    {
        ctx.absent.push("ec2:createaction".into());
    }
}

/// The context of an aggregate: every value seen, pooled over its events. Only keys every
/// event has exactly one value of (region, principal, account, time), in sets that were not
/// capped, can settle a condition; any other key is Unknown, because a record cannot say
/// which events lacked it. Give events instead of records for an exact check.
pub fn record_context(r: &ActionRecord, sets: &Sets) -> Context {
    let mut c = Context::new();
    let mut known = Vec::new();
    // A set settles its key only when it is whole (not capped) and every event had a value
    // (not partial: the record says which sets some events lacked).
    let mut all = |c: &mut Context, k: &str, s: &Capped, name: &str| {
        s.sorted().into_iter().for_each(|v| c.add(k, v));
        if !s.is_empty() && !s.capped && !sets.partial.contains(name) {
            known.push(k.to_ascii_lowercase());
        }
    };
    all(&mut c, "aws:RequestedRegion", &sets.regions, "regions");
    all(&mut c, "aws:PrincipalArn", &sets.principals, "principals");
    // The callers' accounts are those of the principals' ARNs (`accounts` holds the accounts
    // called, which differ across accounts).
    let mut callers = Capped::default();
    let mut whole = true;
    for p in sets.principals.sorted() {
        match ct_iam::arn::account(p) {
            Some(a) => callers.insert(a, usize::MAX),
            None => whole = false,
        }
    }
    callers.capped = sets.principals.capped || !whole;
    all(&mut c, "aws:PrincipalAccount", &callers, "principals");
    for (k, v) in sets.context.iter() {
        v.sorted().into_iter().for_each(|x| c.add(k, x));
        // A service key (ec2:InstanceType, iam:PassedToService) that every call carried: the
        // record names the service keys some calls lacked (`context:KEY` in partial), so in a
        // set that was not capped its pooled values settle a condition as the calls' would,
        // an Allow needing every value and a Deny any. The global keys' absence is not
        // recorded (a call without tags, without invokedBy), so they settle nothing here.
        let mut whole = !v.is_empty() && !v.capped && !sets.partial.contains(&format!("context:{k}"));
        // kms:EncryptionContext:KEY (AWS KMS Developer Guide, "AWS KMS condition keys"): a
        // call lacks KEY when its encryption context has other keys only, or none (which the
        // record notes as the templated key's absence); the pooled sets show neither, unless
        // every call had a context (kms:EncryptionContextKeys not partial) of that one key.
        if let Some(name) = k.strip_prefix("kms:EncryptionContext:") {
            let keys = sets.context.iter().find(|(c, _)| *c == "kms:EncryptionContextKeys").map(|(_, v)| v);
            whole &= keys.is_some_and(|keys| {
                keys.len() == 1
                    && !keys.capped
                    && !sets.partial.contains("context:kms:EncryptionContextKeys")
                    && keys.first() == Some(name)
            });
        }
        if whole && !k.to_ascii_lowercase().starts_with("aws:") {
            known.push(k.to_ascii_lowercase());
        }
        // aws:CalledVia (IAM User Guide, global condition keys: aws:CalledVia, CalledViaFirst,
        // CalledViaLast), when every call went through a service (`via` counts them all, which
        // records of any version carry) and all through the same one: each call's chain was
        // then that one service, first and last.
        if whole && k.eq_ignore_ascii_case("aws:CalledVia") && v.len() == 1 && sets.via >= r.count {
            let service = v.sorted()[0];
            c.add("aws:CalledViaFirst", service);
            c.add("aws:CalledViaLast", service);
            known.extend(["aws:calledvia", "aws:calledviafirst", "aws:calledvialast"].map(String::from));
        }
    }
    // The caller, when the record holds one principal.
    if sets.principals.len() == 1 && !sets.principals.capped && !sets.partial.contains("principals") {
        c.caller = sets.principals.sorted().first().map(|p| p.to_string());
    }
    if let (Some(first), Some(last)) = (&r.first, &r.last) {
        c.add("aws:CurrentTime", first);
        c.add("aws:CurrentTime", last);
        if !sets.partial.contains("time") {
            known.push("aws:currenttime".into());
        }
    }
    c.known = ct_iam::eval::Known::Pooled(known);
    c
}

/// What to evaluate for an action: its resources (and one unknown resource besides when they
/// are not all of them: `unnamed`), `*` when the action takes none, or one unknown resource.
fn targets(action: &str, resources: &[String], unnamed: bool) -> Vec<Option<String>> {
    if !resources.is_empty() {
        let unknown = unnamed.then_some(None);
        return resources.iter().map(|r| Some(r.clone())).chain(unknown).collect();
    }
    match Catalog::get().action_named(action) {
        Some(a) if a.resources.is_empty() => vec![Some("*".to_string())],
        _ => vec![None],
    }
}

impl Gate {
    /// Evaluates one use (from an event or an aggregate) and files the result.
    #[allow(clippy::too_many_arguments)]
    fn file(
        &mut self,
        policies: &PolicySet,
        action: &str,
        resources: &[String],
        unnamed: bool,
        ctx: &Context,
        count: u64,
        denied: u64,
        times: (Option<&str>, Option<&str>),
        principals: &[String],
    ) {
        self.observed += count;
        let stated = self.stated(ctx);
        let ctx: &Context = &stated;
        if let Some(tap) = &mut self.tap {
            tap(action, &targets(action, resources, unnamed), ctx);
            return;
        }
        let Some(out) = decide(policies, action, &targets(action, resources, unnamed), |_| Cow::Borrowed(ctx)) else {
            return;
        };
        self.put(out, action, resources, count, denied, times, principals);
    }

    /// Files one decision.
    #[allow(clippy::too_many_arguments)]
    fn put(
        &mut self,
        out: eval::Outcome,
        action: &str,
        resources: &[String],
        count: u64,
        denied: u64,
        times: (Option<&str>, Option<&str>),
        principals: &[String],
    ) {
        if out.decision == Decision::Allow {
            *self.allowed.entry(action.to_string()).or_default() += count;
            return;
        }
        let f = self.findings.entry((action.to_string(), out.decision)).or_insert_with(|| Finding {
            decision: out.decision.as_str(),
            action: action.to_string(),
            count: 0,
            denied: 0,
            resources: Vec::new(),
            first: None,
            last: None,
            principals: Vec::new(),
            statement: out.statement.clone(),
            unknown: Vec::new(),
        });
        f.count += count;
        f.denied += denied;
        for r in resources {
            if !f.resources.contains(r) && f.resources.len() < 100 {
                f.resources.push(r.clone());
            }
        }
        f.resources.sort();
        for p in principals {
            if !f.principals.contains(p) && f.principals.len() < 100 {
                f.principals.push(p.clone());
            }
        }
        f.principals.sort();
        for k in out.unknown_keys {
            if !f.unknown.contains(&k) {
                f.unknown.push(k);
            }
        }
        if let Some(t) = times.0
            && f.first.as_deref().is_none_or(|x| t < x)
        {
            f.first = Some(t.to_string());
        }
        if let Some(t) = times.1
            && f.last.as_deref().is_none_or(|x| t > x)
        {
            f.last = Some(t.to_string());
        }
    }

    /// The context with the user's --assume facts.
    fn stated<'c>(&self, ctx: &'c Context) -> Cow<'c, Context> {
        if self.assumed.is_empty() {
            return Cow::Borrowed(ctx);
        }
        let mut c = ctx.clone();
        for (k, v) in &self.assumed {
            c.assume(k, v);
        }
        Cow::Owned(c)
    }

    /// Decides the calls that waited for resource tags, each resource with its own tags as
    /// the whole input shows them just before the call. Call once, after reading.
    pub fn finish(&mut self, policies: &PolicySet) {
        let tags = std::mem::take(&mut self.tags).finish();
        for p in std::mem::take(&mut self.deferred) {
            let c = &p.call;
            let targets = targets(&c.action, &c.resources, false);
            let ctx_for = |target: &Option<String>| {
                let mut ctx = c.ctx.clone();
                if let Some(arn) = target {
                    tags.context_for(arn, p.time, p.event_id.as_deref()).apply(&mut ctx);
                }
                Cow::Owned(ctx)
            };
            if let Some(out) = decide(policies, &c.action, &targets, ctx_for) {
                let t = c.time.as_deref();
                self.put(out, &c.action, &c.resources, 1, c.denied, (t, t), &c.principals);
            }
        }
    }

    /// The stack of the change set a CloudFormation call names by ARN alone, when the trail or
    /// the input so far holds the CreateChangeSet that made it.
    fn change_set_stack(&self, ev: &Event<'_>) -> Option<String> {
        if ev.event_source.as_deref() != Some("cloudformation.amazonaws.com") {
            return None;
        }
        let req: serde_json::Value = serde_json::from_str(ev.request_parameters?).ok()?;
        let arn = req["changeSetName"].as_str().filter(|s| s.starts_with("arn:"))?;
        self.facts.stack_of_change_set(arn).map(str::to_string)
    }

    pub fn event(&mut self, policies: &PolicySet, ev: &Event<'_>) {
        match ct_iam::map(ev) {
            Mapping::Actions(uses) => {
                let denied = u64::from(ev.denied());
                if denied > 0 && !self.include_denied {
                    self.refused += 1;
                    return;
                }
                let principals: Vec<String> = ev.principal().map(str::to_string).into_iter().collect();
                self.tags.observe(ev, &uses);
                if ev.event_name.as_deref().is_some_and(crate::trail::teaches) {
                    self.facts.learn(ev);
                }
                let stack = self.change_set_stack(ev);
                // A launch with an instance profile passes the role inside it, which the event
                // does not name (`role/*`); the whole trail may show it.
                let launched: Vec<String> = uses
                    .iter()
                    .flat_map(|u| u.context.iter())
                    .filter(|(k, _)| k == "ec2:InstanceProfile")
                    .map(|(_, v)| v.to_string())
                    .collect();
                let passed: Option<Vec<String>> = (!launched.is_empty()).then_some(()).and_then(|()| {
                    let mut roles = std::collections::BTreeSet::new();
                    for profile in &launched {
                        roles.extend(self.facts.roles(profile)?);
                    }
                    (!roles.is_empty()).then(|| roles.into_iter().collect())
                });
                for u in uses {
                    let mut ctx = event_context(ev, &u.context);
                    proven_absent(ev, &u, &mut ctx);
                    let t = ev.event_time.as_deref();
                    let mut resources: Vec<String> = u.resources.iter().map(|r| r.to_string()).collect();
                    if u.action == "iam:PassRole"
                        && let Some(roles) = &passed
                        && resources.iter().any(|r| r.ends_with(":role/*"))
                    {
                        resources.retain(|r| !r.ends_with(":role/*"));
                        resources.extend(roles.iter().cloned());
                    }
                    if let Some(stack) = &stack
                        && let Some(r) = resources.iter_mut().find(|r| r.ends_with(":stack/*/*"))
                    {
                        *r = stack.clone();
                    }
                    if self.tap.is_none() {
                        let stated = self.stated(&ctx);
                        let targets = targets(&u.action, &resources, false);
                        let Some(out) = decide(policies, &u.action, &targets, |_| Cow::Borrowed(&*stated)) else {
                            continue;
                        };
                        self.observed += 1;
                        if crate::tags::waits_for_tags(&out) {
                            // The resource's tags: known only once the whole input is read.
                            let call = Call {
                                action: u.action.to_string(),
                                resources,
                                ctx: stated.into_owned(),
                                denied,
                                time: t.map(str::to_string),
                                principals: principals.clone(),
                            };
                            let time = t.and_then(ct_common::time::parse_event_time);
                            self.deferred.defer(time, ev.event_id.as_deref(), call);
                        } else {
                            self.put(out, &u.action, &resources, 1, denied, (t, t), &principals);
                        }
                        continue;
                    }
                    self.file(policies, &u.action, &resources, false, &ctx, 1, denied, (t, t), &principals);
                }
            }
            Mapping::NotACall(what) if what.starts_with("no eventSource") => self.not_events += 1,
            Mapping::NoPermission(_) | Mapping::NotACall(_) => self.no_permission += 1,
        }
    }

    pub fn record(&mut self, policies: &PolicySet, r: &ActionRecord) {
        if !self.include_denied && r.count > 0 && r.count <= r.denied {
            self.refused += r.count;
            return;
        }
        // Every call that was made: those that succeeded and those that failed for another
        // reason than a refusal (the permission was there), and the refused ones when asked.
        let sets = r.sets.called(self.include_denied);
        let ctx = record_context(r, &sets);
        let resources: Vec<String> = sets.resources.sorted().into_iter().map(String::from).collect();
        let principals: Vec<String> = sets.principals.sorted().into_iter().map(String::from).collect();
        let resources = if sets.resources.capped { Vec::new() } else { resources };
        // Some events named none of their resources: the record's do not speak for them.
        let unnamed = sets.partial.contains("resources");
        self.file(
            policies,
            &r.action,
            &resources,
            unnamed,
            &ctx,
            r.count.max(1),
            r.denied,
            (r.first.as_deref(), r.last.as_deref()),
            &principals,
        );
    }
}

/// The worst decision over a call's resources, each with its context: every resource must be
/// allowed.
fn decide<'c>(
    policies: &PolicySet,
    action: &str,
    targets: &[Option<String>],
    ctx_for: impl Fn(&Option<String>) -> Cow<'c, Context>,
) -> Option<eval::Outcome> {
    let mut worst: Option<eval::Outcome> = None;
    for target in targets {
        let ctx = ctx_for(target);
        let req = Request { action, resource: target.as_deref(), context: &ctx, mode: Mode::Check };
        let out = authorize(policies, &req);
        if worst.as_ref().is_none_or(|w| rank(out.decision) > rank(w.decision)) {
            worst = Some(out);
        }
    }
    worst
}

/// Allow < Unknown < ImplicitDeny < ExplicitDeny: the order in which one bad resource spoils
/// an action. A resource refused for certain refuses the call, whatever another resource's
/// open decision, so that --unknown allow cannot pass it.
fn rank(d: Decision) -> u8 {
    match d {
        Decision::Allow => 0,
        Decision::Unknown => 1,
        Decision::ImplicitDeny => 2,
        Decision::ExplicitDeny => 3,
    }
}
