//! Least-privilege policy documents from action records.

use std::collections::{BTreeMap, BTreeSet};

use ct_actions::ActionRecord;
use ct_iam::Catalog;
use serde::Serialize;

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

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub include_denied: bool,
    pub wildcard_resources: bool,
    pub restrict_region: bool,
    pub restrict: Vec<String>,
    pub generalize: bool,
    pub guess: bool,
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

/// `t2.micro`, `t2.small` → `t2.*`: values that share a family (the part before the first
/// dot) become one pattern; others stay as they are.
pub fn generalize(values: &[&str]) -> (Vec<String>, bool) {
    let mut families: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &v in values {
        let fam = v.split_once('.').map_or(v, |(f, _)| f);
        families.entry(fam).or_default().push(v);
    }
    let mut out = Vec::new();
    let mut wild = false;
    for (fam, vs) in families {
        if vs.len() > 1 && vs.iter().all(|v| v.contains('.')) {
            out.push(format!("{fam}.*"));
            wild = true;
        } else {
            out.extend(vs.into_iter().map(String::from));
        }
    }
    (out, wild)
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

/// Builds the statements. `records` are the action records; the result is sorted.
pub fn statements(records: &[ActionRecord], opts: &Options) -> (Vec<PolicyStatement>, Vec<String>) {
    let catalog = Catalog::get();
    let mut unknown = Vec::new();
    // (service, resources, conditions) -> actions
    type Key = (String, Vec<String>, BTreeMap<String, BTreeMap<String, Vec<String>>>);
    let mut groups: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for r in records {
        if !opts.include_denied && r.count > 0 && r.count <= r.denied {
            continue;
        }
        let action = catalog.action_named(&r.action);
        let name = action.map_or_else(|| r.action.clone(), |a| a.full_name().to_string());
        if action.is_none() {
            unknown.push(r.action.clone());
        }
        used.insert(name.to_ascii_lowercase());
        let service = name.split(':').next().unwrap_or("").to_string();
        let mut resources: Vec<String> = Vec::new();
        if !opts.wildcard_resources
            && let Some(a) = action
            && !a.resources.is_empty()
            && !r.sets.resources.capped
        {
            let types: Vec<_> = a.resources.iter().filter_map(|t| catalog.resource_type(a.prefix, t.name)).collect();
            resources = r
                .sets
                .resources
                .sorted()
                .into_iter()
                .filter(|arn| types.iter().any(|t| t.glob().is_match(arn)))
                .map(String::from)
                .collect();
            if !resources.is_empty() && a.resources.iter().any(|t| t.required) {
                // Resource types the action may also touch that no record named (a new
                // instance's volume): allowed by pattern, in the account and region seen.
                let one =
                    |s: &ct_actions::Capped| (s.len() == 1 && !s.capped).then(|| s.first().map(String::from)).flatten();
                let (region, account) = (one(&r.sets.regions), one(&r.sets.accounts));
                for t in &types {
                    if !resources.iter().any(|x| t.glob().is_match(x)) {
                        let partition = r
                            .sets
                            .principals
                            .first()
                            .and_then(|p| ct_iam::arn::partition(p))
                            .unwrap_or("aws")
                            .to_string();
                        resources.push(ct_iam::arn::fill(t.arn, |v| match v {
                            "Partition" => Some(partition.as_str()),
                            "Region" => region.as_deref(),
                            "Account" => account.as_deref(),
                            _ => None,
                        }));
                    }
                }
            }
        }
        if resources.is_empty() {
            resources.push("*".to_string());
        }
        resources.sort();
        resources.dedup();
        let mut condition: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        if opts.restrict_region
            && !GLOBAL_SERVICES.contains(&service.as_str())
            && !r.sets.regions.is_empty()
            && !r.sets.regions.capped
        {
            condition
                .entry("StringEquals".into())
                .or_default()
                .insert("aws:RequestedRegion".into(), r.sets.regions.sorted().into_iter().map(String::from).collect());
        }
        for key in &opts.restrict {
            let Some(set) = r.sets.context.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v) else {
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
            condition.entry(op.into()).or_default().insert(canonical, values);
        }
        groups.entry((service, resources, condition)).or_default().insert(name);
    }
    let mut out = Vec::new();
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
        out.push(PolicyStatement {
            sid,
            effect: "Allow",
            action: actions.into_iter().collect(),
            resource: resources,
            condition,
        });
    }
    if opts.guess {
        let guessed = guess(&used);
        if !guessed.is_empty() {
            out.push(PolicyStatement {
                sid: "GuessedRelatedReads".into(),
                effect: "Allow",
                action: guessed,
                resource: vec!["*".into()],
                condition: BTreeMap::new(),
            });
        }
    }
    unknown.sort();
    unknown.dedup();
    (out, unknown)
}

const VERBS: &[&str] = &[
    "Create",
    "Delete",
    "Update",
    "Put",
    "Run",
    "Start",
    "Stop",
    "Terminate",
    "Modify",
    "Attach",
    "Detach",
    "Get",
    "List",
    "Describe",
    "Set",
    "Add",
    "Remove",
    "Register",
    "Deregister",
    "Associate",
    "Disassociate",
    "Enable",
    "Disable",
    "Tag",
    "Untag",
    "Invoke",
    "Publish",
    "Send",
    "Reboot",
    "Restore",
    "Upload",
    "Change",
    "Validate",
];

/// The List/Describe/Get partners of the actions used, from the catalog.
fn guess(used: &BTreeSet<String>) -> Vec<String> {
    let catalog = Catalog::get();
    let mut out = BTreeSet::new();
    for full in used {
        let Some(a) = catalog.action_named(full) else { continue };
        let noun = VERBS.iter().find_map(|v| a.name.strip_prefix(v)).unwrap_or(a.name);
        if noun.is_empty() {
            continue;
        }
        let singular = noun.strip_suffix('s').unwrap_or(noun);
        for verb in ["Describe", "List", "Get"] {
            for form in [singular.to_string(), format!("{singular}s"), format!("{singular}es")] {
                if let Some(p) = catalog.action(a.prefix, &format!("{verb}{form}")) {
                    let name = p.full_name().to_string();
                    if !used.contains(&name.to_ascii_lowercase()) {
                        out.insert(name);
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}

/// The size IAM counts: the document without whitespace.
pub fn size(doc: &Document) -> usize {
    serde_json::to_string(doc).map(|s| s.len()).unwrap_or(usize::MAX)
}

/// Packs statements into documents under the size limit (a statement larger than the limit
/// alone is an error for the caller to report).
pub fn split(statements: Vec<PolicyStatement>) -> Vec<Document> {
    // A statement too large for one document is cut into parts by its resources.
    let alone = |st: &PolicyStatement| size(&Document { version: "2012-10-17", statements: vec![st.clone()] });
    let mut pieces = Vec::new();
    for st in statements {
        let mut todo = vec![st];
        let mut parts = Vec::new();
        while let Some(st) = todo.pop() {
            if alone(&st) > MAX_POLICY_CHARS && st.resource.len() > 1 {
                let half = st.resource.len() / 2;
                let mut a = st.clone();
                let mut b = st;
                a.resource.truncate(half);
                b.resource.drain(..half);
                todo.push(b);
                todo.push(a);
            } else {
                parts.push(st);
            }
        }
        let n = parts.len();
        for (i, mut p) in parts.into_iter().enumerate() {
            if n > 1 {
                p.sid = format!("{}Part{}", p.sid, i + 1);
            }
            pieces.push(p);
        }
    }
    let mut docs: Vec<Document> = Vec::new();
    for st in pieces {
        match docs.last_mut() {
            Some(d) => {
                d.statements.push(st.clone());
                if size(d) > MAX_POLICY_CHARS && d.statements.len() > 1 {
                    d.statements.pop();
                    docs.push(Document { version: "2012-10-17", statements: vec![st] });
                }
            }
            None => docs.push(Document { version: "2012-10-17", statements: vec![st] }),
        }
    }
    docs
}
