//! What the records show beyond their actions: the values a policy may grant, value families,
//! the resource types a job creates and the tags it marks them with, and a resource named
//! only by an identity that a sibling call tied to it.

use std::collections::{BTreeMap, BTreeSet};

use ct_iam::Catalog;
use ct_record::{ActionRecord, Capped, Sets};

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

/// The values a policy may grant for a record: those of the calls that succeeded. An action
/// whose calls all failed for another reason than a refusal was still permitted, so their
/// values are granted then; refused calls only with `--include-denied`.
pub fn granted(r: &ActionRecord, include_denied: bool) -> Sets {
    if include_denied {
        return r.sets.called(true);
    }
    let errors: u64 = r.sets.errors.iter().filter(|(c, _)| !ct_record::transient(c)).map(|(_, n)| n).sum();
    let failed = errors.saturating_sub(r.denied);
    if r.count.saturating_sub(r.denied + failed) > 0 || r.sets.failed.is_none() {
        Sets { failed: None, refused: None, ..(*r.sets).clone() }
    } else {
        r.sets.called(false)
    }
}

/// The one value of a set, if it has exactly one and is whole.
pub(super) fn one(s: &Capped) -> Option<String> {
    (s.len() == 1 && !s.capped).then(|| s.first().map(String::from)).flatten()
}

/// Verbs of the actions that make a new resource, whose name or identifier the caller learns
/// only from the answer.
const CREATING: &[&str] = &["Create", "Run", "Allocate", "Copy", "Import", "Request", "Launch", "Start", "Publish"];

/// The resource types (`prefix:name`) that an action creates: those whose name its own name
/// holds after a creating verb (RunInstances an `instance`, CreateStack a `stack`, StartBuild a
/// `build`).
pub(super) fn creates(action: &ct_iam::catalog::Action) -> Vec<String> {
    let Some(rest) = CREATING.iter().find_map(|v| action.name.strip_prefix(v)) else { return Vec::new() };
    let rest = rest.to_ascii_lowercase();
    action
        .resources
        .iter()
        .filter(|t| {
            let n: String = t.name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
            !n.is_empty() && rest.starts_with(&n)
        })
        .map(|t| format!("{}:{}", action.prefix, t.name))
        .collect()
}

/// The resource types that the principal creates.
pub(super) fn created_types(records: &[(&ActionRecord, Sets)]) -> BTreeSet<String> {
    let catalog = Catalog::get();
    records.iter().filter_map(|(r, _)| catalog.action_named(&r.action)).flat_map(creates).collect()
}

/// The tags that mark what the job creates, by resource type: for each type the principal
/// creates with tags, the (key, value) pairs that every such create call carried with one value
/// (`app=webapp`, not `Name=web-0301`, which varies).
pub(super) fn job_tags(records: &[(&ActionRecord, Sets)]) -> BTreeMap<String, Vec<(String, String)>> {
    let catalog = Catalog::get();
    let mut out: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for (r, sets) in records {
        let Some(a) = catalog.action_named(&r.action) else { continue };
        if !sets.context.iter().any(|(k, _)| k.starts_with("aws:RequestTag/")) {
            continue;
        }
        let tags: BTreeSet<(String, String)> = sets
            .context
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("aws:RequestTag/")?.to_string(), one(v)?)))
            .collect();
        for name in creates(a) {
            match out.entry(name) {
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(tags.clone());
                }
                std::collections::btree_map::Entry::Occupied(mut e) => e.get_mut().retain(|x| tags.contains(x)),
            }
        }
    }
    // One tag per type: the first that is the job's own (keys AWS sets, aws:..., and Name,
    // which names each resource, say nothing of the job).
    out.into_iter()
        .filter_map(|(k, v)| {
            let pick = v.into_iter().find(|(key, _)| !key.starts_with("aws:") && !key.eq_ignore_ascii_case("Name"))?;
            Some((k, vec![pick]))
        })
        .collect()
}

/// For a record whose calls named no resource of type `t` but named it by an identity (a
/// service condition key, such as cloudformation:ChangeSetName for ExecuteChangeSet, whose
/// request gives only the change set): another record of the principal's, of the same service,
/// that carried every one of those values and named resources of the type (CreateChangeSet,
/// whose request names the stack). The key, that record's action and its ARNs of the type.
pub(super) fn named_by_peer<'c>(
    chosen: &'c [(&ActionRecord, Sets)],
    me: &ActionRecord,
    sets: &Sets,
    t: &ct_iam::catalog::ResourceType,
) -> Option<(String, String, Vec<&'c str>)> {
    let service = me.action.split(':').next()?;
    for (key, mine) in sets.context.iter() {
        if key.starts_with("aws:") || mine.is_empty() || mine.capped || sets.partial.contains(&format!("context:{key}"))
        {
            continue;
        }
        for (other, theirs) in chosen {
            if other.action == me.action || other.action.split(':').next() != Some(service) {
                continue;
            }
            let Some((_, values)) = theirs.context.iter().find(|(k, _)| *k == key) else { continue };
            if !mine.sorted().iter().all(|v| values.sorted().contains(v)) || theirs.resources.capped {
                continue;
            }
            let named: Vec<&str> = theirs
                .resources
                .sorted()
                .into_iter()
                .filter(|x| t.glob().is_match(x) && !crate::resources::names_nothing(t.arn, x))
                .collect();
            if !named.is_empty() {
                return Some((key.to_string(), other.action.clone(), named));
            }
        }
    }
    None
}
