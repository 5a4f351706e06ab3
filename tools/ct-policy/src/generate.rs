//! Least-privilege policy documents from action records.

mod evidence;
mod pack;
mod unlogged;

use std::collections::{BTreeMap, BTreeSet};

use ct_iam::Catalog;
use ct_record::{ActionRecord, Sets};
use serde::Serialize;

pub use evidence::{generalize, granted};
pub use pack::{size, split};

use evidence::{created_types, creates, job_tags, named_by_peer, one};
use unlogged::{DATA_EVENTS, UNLOGGED_NEXT, guess};

/// Services whose calls all arrive in us-east-1 whatever region the caller works in, and which
/// a region condition would lock out (IAM User Guide, "AWS: Denies access to AWS based on the
/// requested Region").
pub const GLOBAL_SERVICES: &[&str] = &[
    "iam",
    "sts",
    "cloudfront",
    "route53",
    "route53domains",
    "organizations",
    "support",
    "budgets",
    "globalaccelerator",
    "waf",
    "shield",
    "health",
    "ce",
    "cur",
    "account",
    "trustedadvisor",
];

/// The managed-policy size limit: characters without whitespace (IAM quotas).
pub const MAX_POLICY_CHARS: usize = 6144;

/// How resources are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResourceMode {
    /// The ARNs seen, generalised where they vary (`resources.rs`).
    #[default]
    General,
    /// The ARNs seen, as they are.
    Exact,
    /// `*` everywhere.
    Wildcard,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub include_denied: bool,
    pub resources: ResourceMode,
    pub restrict_region: bool,
    pub restrict: Vec<String>,
    pub generalize: bool,
    pub guess: bool,
    /// What the whole trail shows of instance profiles (`--trail`).
    pub profiles: Option<std::rc::Rc<crate::trail::Facts>>,
}

/// What generating gives besides the statements.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub statements: Vec<PolicyStatement>,
    /// Actions the catalog does not hold, kept as written.
    pub unknown: Vec<String>,
    /// Grants the evidence could not narrow, and what the trail cannot show.
    pub warnings: Vec<String>,
    /// For each statement, why each resource pattern was chosen (`--explain`).
    pub explain: Vec<String>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Document {
    #[serde(rename = "Version")]
    pub version: &'static str,
    #[serde(rename = "Statement")]
    pub statements: Vec<PolicyStatement>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct PolicyStatement {
    #[serde(rename = "Sid")]
    pub sid: String,
    #[serde(rename = "Effect")]
    pub effect: &'static str,
    #[serde(rename = "Action")]
    pub action: Vec<String>,
    #[serde(rename = "Resource")]
    pub resource: Vec<String>,
    #[serde(rename = "Condition", skip_serializing_if = "BTreeMap::is_empty")]
    pub condition: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Builds the statements from the records (one per action, merged).
pub fn statements(records: &[ActionRecord], opts: &Options) -> Result<Generated, String> {
    let catalog = Catalog::get();
    let mut out = Generated::default();
    // The records whose actions are granted, each with the values it may grant.
    let chosen: Vec<(&ActionRecord, Sets)> = records
        .iter()
        .filter(|r| opts.include_denied || r.count == 0 || r.count > r.denied)
        .map(|r| (r, granted(r, opts.include_denied)))
        .collect();
    // A key no record carries is a mistake the user must hear about (a misspelling, or a key
    // the events do not show), not a condition silently left out. A real key that none of the
    // actions granted takes (ec2:InstanceType for a role that never touches EC2) restricts
    // nothing, and is only noted: one set of flags then serves every role.
    for key in &opts.restrict {
        let seen = |sets: &Sets| sets.context.iter().any(|(k, _)| k.eq_ignore_ascii_case(key));
        if chosen.is_empty() || chosen.iter().any(|(_, s)| seen(s)) {
            continue;
        }
        let taken =
            chosen.iter().any(|(r, _)| catalog.action_named(&r.action).is_some_and(|a| catalog.key_applies(a, key)));
        if catalog.condition_key(key).is_some() && !taken {
            out.warnings
                .push(format!("--restrict {key}: none of the actions granted takes this key; nothing to restrict"));
            continue;
        }
        let mut keys: BTreeSet<&str> = BTreeSet::new();
        for (_, s) in &chosen {
            keys.extend(s.context.iter().map(|(k, _)| k).filter(|k| !k.starts_with("aws:")));
        }
        let keys: Vec<&str> = keys.into_iter().collect();
        return Err(format!(
            "--restrict {key}: no record carries this key; the keys seen are: {}",
            if keys.is_empty() { "(none besides the global aws: keys)".to_string() } else { keys.join(", ") }
        ));
    }
    // The instance profiles the principal launched with (the launches' ec2:InstanceProfile).
    let launched: BTreeSet<&str> = chosen
        .iter()
        .flat_map(|(_, s)| s.context.iter().filter(|(k, _)| *k == "ec2:InstanceProfile").flat_map(|(_, v)| v.sorted()))
        .collect();
    let created = created_types(&chosen);
    let tags = job_tags(&chosen);
    type Conditions = BTreeMap<String, BTreeMap<String, Vec<String>>>;
    // (service, resources, conditions) -> actions
    let mut groups: BTreeMap<(String, Vec<String>, Conditions), BTreeSet<String>> = BTreeMap::new();
    // pattern -> why, and the values it covers
    let mut why: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    // ec2 resources created with tags in the request: tagging on create needs ec2:CreateTags
    // with ec2:CreateAction (EC2 User Guide, "Grant permission to tag Amazon EC2 resources
    // during creation").
    // (resources, the job's tags required at creation) by action name.
    type Tagging = (BTreeSet<String>, Option<BTreeSet<(String, String)>>);
    let mut tag_on_create: BTreeMap<String, Tagging> = BTreeMap::new();
    for (r, sets) in &chosen {
        let action = catalog.action_named(&r.action);
        let name = action.map_or_else(|| r.action.clone(), |a| a.full_name().to_string());
        if action.is_none() {
            out.unknown.push(r.action.clone());
        }
        used.insert(name.to_ascii_lowercase());
        let service = name.split(':').next().unwrap_or("").to_string();
        let mut resources: Vec<String> = Vec::new();
        let mut types_touched: BTreeSet<String> = BTreeSet::new();
        // A pattern reaches resources never seen (not only other parts of one seen).
        let mut wide = false;
        if opts.resources != ResourceMode::Wildcard
            && let Some(a) = action
            && !a.resources.is_empty()
        {
            let types: Vec<_> = a.resources.iter().filter_map(|t| catalog.resource_type(a.prefix, t.name)).collect();
            let partition = sets.principals.first().and_then(ct_iam::arn::partition).unwrap_or("aws").to_string();
            let (region, account) = (one(&sets.regions), one(&sets.accounts));
            let type_pattern = |t: &ct_iam::catalog::ResourceType| {
                ct_iam::arn::fill(t.arn, |v| match v {
                    "Partition" => Some(partition.as_str()),
                    "Region" => region.as_deref(),
                    "Account" => account.as_deref(),
                    _ => None,
                })
            };
            if sets.resources.capped {
                // More resources than the record kept: the type's pattern in the account and
                // region seen, said out loud (never a silent `*`).
                for t in &types {
                    let p = type_pattern(t);
                    why.entry(p.clone())
                        .or_default()
                        .0
                        .insert(format!("{name}: more resources than ct-actions kept (--cap); the type's pattern"));
                    resources.push(p);
                }
                out.warnings.push(format!(
                    "{name}: the calls named more resources than the record kept (raise ct-actions --cap): granted on \
                     the resource types' patterns in the account and region seen"
                ));
            } else {
                let seen = sets.resources.sorted();
                for t in &types {
                    let mut arns: Vec<&str> = seen.iter().copied().filter(|arn| t.glob().is_match(arn)).collect();
                    if arns.is_empty() {
                        continue;
                    }
                    if opts.resources == ResourceMode::General
                        && arns.iter().all(|x| crate::resources::names_nothing(t.arn, x))
                        && let Some((key, peer, named)) = named_by_peer(&chosen, r, sets, t)
                    {
                        for x in &named {
                            why.entry(x.to_string()).or_default().0.insert(format!(
                                "{name}: the calls named no {} but {key} values that {peer} used on it",
                                t.name
                            ));
                        }
                        arns = named;
                    }
                    let tname = format!("{}:{}", a.prefix, t.name);
                    types_touched.insert(tname.clone());
                    // The roles passed are named exactly: a pattern there could pass any role.
                    if opts.resources == ResourceMode::Exact || (a.prefix == "iam" && a.name == "PassRole") {
                        resources.extend(arns.iter().map(|s| s.to_string()));
                        continue;
                    }
                    for p in crate::resources::generalise(t.arn, &arns, created.contains(&tname)) {
                        let e = why.entry(p.arn.clone()).or_default();
                        if !p.why.is_empty() {
                            e.0.insert(p.why.clone());
                        }
                        e.1.extend(p.covers.iter().cloned());
                        wide |= p.wide;
                        resources.push(p.arn);
                    }
                }
                if !resources.is_empty() && a.resources.iter().any(|t| t.required) {
                    // Resource types the action may also touch that no record named (a new
                    // instance's volume): allowed by pattern, in the account and region seen.
                    for t in &types {
                        if !resources.iter().any(|x| t.glob().is_match(x)) {
                            let p = type_pattern(t);
                            why.entry(p.clone())
                                .or_default()
                                .0
                                .insert(format!("{name}: a resource type the action may touch that no call named"));
                            resources.push(p);
                        }
                    }
                }
            }
        }
        if resources.is_empty() {
            resources.push("*".to_string());
        }
        resources.sort();
        resources.dedup();
        // A pattern that another covers adds nothing.
        let globs: Vec<ct_common::glob::Glob> =
            resources.iter().filter(|r| r.contains('*')).map(|r| ct_common::glob::Glob::new(r)).collect();
        // (Not for the roles passed: `role/*` stands for an instance profile's role, which --trail
        // may name, and must not swallow the roles named.)
        if name != "iam:PassRole" {
            resources.retain(|r| !globs.iter().any(|g| g.as_str() != r && g.is_match(r)));
        }
        let mut condition: Conditions = BTreeMap::new();
        let put = |condition: &mut Conditions, op: &str, key: &str, values: Vec<String>| {
            condition.entry(op.into()).or_default().insert(key.to_string(), values);
        };
        if opts.restrict_region
            && !GLOBAL_SERVICES.contains(&service.as_str())
            && !sets.regions.is_empty()
            && !sets.regions.capped
        {
            let regions = sets.regions.sorted().into_iter().map(String::from).collect();
            put(&mut condition, "StringEquals", "aws:RequestedRegion", regions);
        }
        for key in &opts.restrict {
            let Some(set) = sets.context.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v) else {
                continue;
            };
            if set.is_empty() || set.capped {
                continue;
            }
            let (values, wild) = if opts.generalize {
                generalize(&set.sorted())
            } else {
                (set.sorted().into_iter().map(String::from).collect(), false)
            };
            // IfExists: the key belongs to some of the action's resource types only (RunInstances
            // is authorised on an image, a subnet... that carry no ec2:InstanceType); without it
            // the condition would allow nothing.
            let op = if wild { "StringLikeIfExists" } else { "StringEqualsIfExists" };
            let canonical = catalog.condition_key(key).map_or(key.as_str(), |(k, _)| k).to_string();
            put(&mut condition, op, &canonical, values);
        }
        let context = |key: &str| sets.context.iter().find(|(k, _)| *k == key).map(|(_, v)| v);
        // A bucket is listed only under the prefixes the job listed, generalised at the object
        // keys' own boundary, when every call named a prefix (Amazon S3 User Guide, "Bucket
        // policy examples using condition keys": s3:prefix). Like a resource, so under
        // --resources general, unless --restrict s3:prefix asked for its own form.
        if opts.resources == ResourceMode::General
            && !opts.restrict.iter().any(|k| k.eq_ignore_ascii_case("s3:prefix"))
            && !sets.partial.contains("context:s3:prefix")
            && let Some(set) = context("s3:prefix").filter(|s| !s.is_empty() && !s.capped)
        {
            let seen = set.sorted();
            let patterns: BTreeSet<String> =
                crate::resources::name_patterns("s3:prefix", &seen).into_values().map(|(p, _)| p).collect();
            let op = if patterns.iter().any(|p| p.contains('*')) { "StringLike" } else { "StringEquals" };
            put(&mut condition, op, "s3:prefix", patterns.into_iter().collect());
        }
        // The role passed goes only to the services that received it (IAM User Guide,
        // "Granting a user permissions to pass a role to an AWS service": iam:PassedToService).
        if name == "iam:PassRole" {
            match context("iam:PassedToService").filter(|s| !s.is_empty() && !s.capped) {
                Some(s) => {
                    let services = s.sorted().into_iter().map(String::from).collect();
                    put(&mut condition, "StringEquals", "iam:PassedToService", services);
                }
                None => out.warnings.push(format!(
                    "{name}: the calls do not show which service received the role; granted without \
                     iam:PassedToService"
                )),
            }
            // A launch with an instance profile passes the role inside it, which the launch does
            // not name (`role/*`): the trail given with --trail may show it.
            let unnamed = |r: &String| r.ends_with(":role/*");
            if resources.iter().any(unnamed) {
                let resolved: Option<BTreeSet<String>> = opts.profiles.as_deref().and_then(|p| {
                    let mut roles = BTreeSet::new();
                    for profile in launched.iter().copied() {
                        roles.extend(p.roles(profile)?);
                    }
                    (!roles.is_empty()).then_some(roles)
                });
                match resolved {
                    Some(roles) => {
                        for role in &roles {
                            why.entry(role.clone()).or_default().0.insert(format!(
                                "{name}: the role of the instance profiles launched with ({}), from the trail",
                                launched.iter().copied().collect::<Vec<_>>().join(", ")
                            ));
                        }
                        resources.retain(|r| !unnamed(r));
                        resources.extend(roles);
                        resources.sort();
                        resources.dedup();
                    }
                    None => {
                        let profiles = launched.iter().copied().collect::<Vec<_>>().join(", ");
                        out.warnings.push(format!(
                            "{name} on role/*: a launch passed an instance profile{} whose role the calls do not \
                             show; give the trail's events with --trail, or name the role in the policy",
                            if profiles.is_empty() { String::new() } else { format!(" ({profiles})") }
                        ));
                    }
                }
            }
        }
        // Calls that a service made with the principal's credentials, and only such calls
        // (the record's `via` counts every call): allowed only through that service (IAM User
        // Guide, global condition keys, aws:CalledVia).
        if let Some(via) = context("aws:CalledVia")
            && !via.is_empty()
            && !via.capped
            && r.sets.via >= r.count
        {
            let services = via.sorted().into_iter().map(String::from).collect();
            put(&mut condition, "ForAnyValue:StringEquals", "aws:CalledVia", services);
        }
        // Resources the job made itself, reached by a pattern: only those that carry the job's
        // tag (IAM User Guide, "Controlling access to AWS resources using tags").
        let is_create = action.is_some_and(|a| !creates(a).is_empty());
        if wide && !is_create && !types_touched.is_empty() && opts.resources == ResourceMode::General {
            // The job's tags common to every type touched, each type taking aws:ResourceTag.
            let mut common: Option<Vec<(String, String)>> = None;
            for t in &types_touched {
                let takes_tags = t
                    .split_once(':')
                    .and_then(|(p, n)| catalog.resource_type(p, n))
                    .is_some_and(|rt| rt.condition_keys.contains(&"aws:ResourceTag/${TagKey}"));
                let these = tags.get(t).filter(|_| takes_tags).cloned().unwrap_or_default();
                common = Some(match common {
                    None => these,
                    Some(prev) => prev.into_iter().filter(|x| these.contains(x)).collect(),
                });
            }
            if let Some(pairs) = common.filter(|p| !p.is_empty()) {
                for (k, v) in pairs {
                    put(&mut condition, "StringEquals", &format!("aws:ResourceTag/{k}"), vec![v]);
                }
            }
        }
        if service == "ec2"
            && context("aws:TagKeys").is_some()
            && is_create
            && let Some(a) = action
        {
            // The new resources that take tags in the request.
            let taggable = |arn: &str| {
                a.resources
                    .iter()
                    .filter_map(|t| catalog.resource_type(a.prefix, t.name))
                    .any(|rt| rt.glob().is_match(arn) && rt.condition_keys.contains(&"aws:RequestTag/${TagKey}"))
            };
            let e = tag_on_create.entry(a.name.to_string()).or_default();
            e.0.extend(resources.iter().filter(|r| r.contains('*') && taggable(r)).cloned());
        }
        // What the job creates carries the job's tag from the start: the new resources of a type
        // with a job tag are allowed only with it in the request, in a statement of their own,
        // since aws:RequestTag does not describe the other resources of the call (the image, the
        // subnet) (EC2 User Guide, "Example: Tag resources on creation"; IAM User Guide,
        // "Controlling access during AWS requests").
        if opts.resources == ResourceMode::General
            && is_create
            && let Some(a) = action
        {
            let mut new: Vec<String> = Vec::new();
            let mut pairs: BTreeSet<(String, String)> = BTreeSet::new();
            for t in creates(a) {
                let Some(job) = tags.get(&t) else { continue };
                let Some(rt) = t.split_once(':').and_then(|(p, n)| catalog.resource_type(p, n)) else { continue };
                if !rt.condition_keys.contains(&"aws:RequestTag/${TagKey}") {
                    continue;
                }
                new.extend(resources.iter().filter(|r| rt.glob().is_match(r)).cloned());
                pairs.extend(job.iter().cloned());
            }
            if !new.is_empty() && !pairs.is_empty() {
                resources.retain(|r| !new.contains(r));
                let mut with_tags = condition.clone();
                for (k, v) in &pairs {
                    put(&mut with_tags, "StringEquals", &format!("aws:RequestTag/{k}"), vec![v.clone()]);
                }
                if let Some(e) = tag_on_create.get_mut(a.name) {
                    e.1 = Some(pairs.clone());
                }
                groups.entry((service.clone(), new, with_tags)).or_default().insert(name.clone());
                if resources.is_empty() {
                    continue;
                }
            }
        }
        let group = groups.entry((service, resources, condition)).or_default();
        // Calls that CloudTrail does not log but that a logged call shows the job makes next.
        if let Some((_, next, why)) = UNLOGGED_NEXT.iter().find(|(a, _, _)| *a == name) {
            group.insert(next.to_string());
            out.warnings.push(format!("{next} added beside {name} on the same resources: {why}"));
        }
        group.insert(name);
    }
    if !tag_on_create.is_empty() {
        let mut actions = Vec::new();
        let mut resources = BTreeSet::new();
        // The job's tags, when every create that tags requires the same ones.
        let mut required: Option<Option<BTreeSet<(String, String)>>> = None;
        for (a, (rs, pairs)) in tag_on_create {
            actions.push(a);
            resources.extend(rs);
            required = Some(match required {
                None => pairs,
                Some(prev) => prev.filter(|p| Some(p) == pairs.as_ref()),
            });
        }
        let mut condition: Conditions = BTreeMap::new();
        let equals = condition.entry("StringEquals".into()).or_default();
        equals.insert("ec2:CreateAction".into(), actions);
        for (k, v) in required.flatten().into_iter().flatten() {
            equals.insert(format!("aws:RequestTag/{k}"), vec![v]);
        }
        let resources: Vec<String> = resources.into_iter().collect();
        groups.entry(("ec2".into(), resources, condition)).or_default().insert("ec2:CreateTags".into());
    }
    let mut per_service: BTreeMap<String, usize> = BTreeMap::new();
    for ((service, resources, condition), actions) in groups {
        let n = per_service.entry(service.clone()).or_default();
        *n += 1;
        let mut sid = pascal(&service);
        if resources != ["*"] {
            sid.push_str("Scoped");
        }
        if !condition.is_empty() {
            sid.push_str("Conditional");
        }
        if *n > 1 {
            sid.push_str(&n.to_string());
        }
        for res in &resources {
            if let Some((reasons, covers)) = why.get(res).filter(|(r, _)| !r.is_empty()) {
                let mut shown: Vec<&str> = covers.iter().map(String::as_str).take(5).collect();
                if covers.len() > 5 {
                    shown.push("...");
                }
                let reasons: Vec<&str> = reasons.iter().map(String::as_str).collect();
                let covers = if covers.is_empty() {
                    String::new()
                } else {
                    format!("; covers {} seen: {}", covers.len(), shown.join(" "))
                };
                out.explain.push(format!("{sid}: {res}: {}{covers}", reasons.join("; ")));
            } else if res != "*" {
                out.explain.push(format!("{sid}: {res}: seen"));
            }
        }
        out.statements.push(PolicyStatement {
            sid,
            effect: "Allow",
            action: actions.into_iter().collect(),
            resource: resources,
            condition,
        });
    }
    // What the trail cannot show: object-level calls are data events, logged only when the trail
    // records them (CloudTrail User Guide, "Logging data events").
    for (prefix, management, data) in DATA_EVENTS {
        let has = |names: &[&str]| names.iter().any(|n| used.contains(&format!("{prefix}:{}", n.to_ascii_lowercase())));
        if has(management) && !has(data) {
            out.warnings.push(format!(
                "{prefix}: the job manages {prefix} resources but the input holds no {prefix} data events ({}...); if the \
                 trail does not record data events, this policy lacks the job's data access",
                data.iter().take(3).map(|d| format!("{prefix}:{d}")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    if opts.guess {
        let guessed = guess(&used);
        if !guessed.is_empty() {
            out.statements.push(PolicyStatement {
                sid: "GuessedRelatedReads".into(),
                effect: "Allow",
                action: guessed,
                resource: vec!["*".into()],
                condition: BTreeMap::new(),
            });
        }
    }
    out.unknown.sort();
    out.unknown.dedup();
    Ok(out)
}
