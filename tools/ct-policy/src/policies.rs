//! The policies a decision is made against, from the command line: identity policies (files,
//! --allow, --deny, or a principal of `get-account-authorization-details`), its boundary,
//! session policy, the organisation's SCPs and RCPs, resource-based policies, and the facts
//! the user states with --assume.

use std::path::{Path, PathBuf};

use clap::Args;
use ct_common::Error;
use ct_common::report::Reporter;
use ct_iam::authorize::{PolicySet, ResourcePolicy};
use ct_iam::eval::Context;
use ct_iam::policy::{self, Effect, Kind, Patterns, Policy, Statement, Who};

#[derive(Args, Debug, Default, Clone)]
pub struct PolicyArgs {
    /// A policy document, or the AWS CLI's output holding it (get-policy-version,
    /// get-role-policy, get-account-authorization-details with --role or --user). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub policy: Vec<PathBuf>,
    /// Allow actions matching PATTERN on any resource (repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub allow: Vec<String>,
    /// Deny actions matching PATTERN on any resource (repeatable). Given without --policy and
    /// --allow, everything else is allowed.
    #[arg(long, value_name = "PATTERN")]
    pub deny: Vec<String>,
    /// The output of `aws iam get-account-authorization-details`: the policies of --role or
    /// --user (inline, managed, its groups') and its permissions boundary.
    #[arg(long, value_name = "FILE")]
    pub authorization_details: Option<PathBuf>,
    /// In authorization details: the role whose policies count.
    #[arg(long, value_name = "NAME", conflicts_with = "user")]
    pub role: Option<String>,
    /// In authorization details: the user whose policies count.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// The principal's permissions boundary: what it allows caps what the identity policies
    /// allow.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// The session policy passed when the role was assumed: it caps the session too.
    #[arg(long, value_name = "FILE")]
    pub session_policy: Option<PathBuf>,
    /// A service control policy of one level of the organisation (repeatable, one per level,
    /// root first; several policies of one level: LEVEL:FILE with the same LEVEL number).
    #[arg(long, value_name = "FILE")]
    pub scp: Vec<String>,
    /// A resource control policy (repeatable); RCPs can only deny.
    #[arg(long, value_name = "FILE")]
    pub rcp: Vec<String>,
    /// A resource-based policy and the resources it is attached to, ARN_PATTERN=FILE (a bucket
    /// policy on arn:aws:s3:::bucket and arn:aws:s3:::bucket/*: give both). Repeatable.
    #[arg(long, value_name = "ARN_PATTERN=FILE")]
    pub resource_policy: Vec<String>,
    /// A fact the logs cannot show, KEY=VALUE: a principal's tag (aws:PrincipalTag/team=build),
    /// a resource's tag, aws:ResourceAccount. It holds for every request (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub assume: Vec<String>,
}

impl PolicyArgs {
    fn who(&self) -> Option<Who<'_>> {
        match (&self.role, &self.user) {
            (Some(r), _) => Some(Who::Role(r)),
            (None, Some(u)) => Some(Who::User(u)),
            (None, None) => None,
        }
    }

    /// The facts of --assume, added to `ctx` as known values.
    pub fn assume_into(&self, ctx: &mut Context) -> Result<(), Error> {
        for (k, v) in self.assumed()? {
            ctx.assume(&k, &v);
        }
        Ok(())
    }

    pub fn assumed(&self) -> Result<Vec<(String, String)>, Error> {
        self.assume
            .iter()
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
                _ => Err(Error::Usage(format!("--assume {kv:?}: expected KEY=VALUE"))),
            })
            .collect()
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::at(path, e))
}

fn one(path: &Path, kind: Kind) -> Result<Policy, Error> {
    let p = policy::parse_file_as(&read(path)?, &path.display().to_string(), kind).map_err(|e| Error::Msg(e.0))?;
    policy::check_actions(&p).map_err(|e| Error::Msg(e.0))?;
    Ok(p)
}

/// `--scp FILE` (each its own level) or `--scp LEVEL:FILE` (files of one level together).
fn levels(args: &[String], kind: Kind, flag: &str) -> Result<Vec<Vec<Policy>>, Error> {
    let mut out: Vec<(Option<u32>, Vec<Policy>)> = Vec::new();
    for a in args {
        let (level, file) = match a.split_once(':') {
            Some((l, f)) if !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) => {
                (Some(l.parse::<u32>().map_err(|_| Error::Usage(format!("{flag} {a:?}: bad level")))?), f)
            }
            _ => (None, a.as_str()),
        };
        let p = one(Path::new(file), kind)?;
        match level.and_then(|l| out.iter_mut().find(|(x, _)| *x == Some(l))) {
            Some((_, v)) => v.push(p),
            None => out.push((level, vec![p])),
        }
    }
    out.sort_by_key(|(l, _)| *l);
    Ok(out.into_iter().map(|(_, v)| v).collect())
}

/// Every policy of the command line, checked as IAM would check it before saving it.
/// Also returns the principal's ARN when authorization details name it.
pub fn load(a: &PolicyArgs, report: &mut Reporter) -> Result<(PolicySet, Option<String>), Error> {
    let mut set = PolicySet::default();
    let mut arn = None;
    let who = a.who();
    if who.is_some() && a.authorization_details.is_none() && a.policy.is_empty() {
        return Err(Error::Usage("--role and --user name a principal of --authorization-details FILE".into()));
    }
    let mut files: Vec<&PathBuf> = a.policy.iter().collect();
    files.extend(a.authorization_details.iter());
    for path in files {
        let name = path.display().to_string();
        let g = policy::parse_granted(&read(path)?, &name, who).map_err(|e| Error::Msg(e.0))?;
        if let Some(b) = g.boundary {
            if a.boundary.is_some() {
                return Err(Error::Usage(format!(
                    "{name}: the principal has a permissions boundary, and --boundary gives another"
                )));
            }
            report.note(&name, &format_args!("the permissions boundary {} counts", b.name));
            set.boundary.get_or_insert_with(Vec::new).push(b);
        }
        set.identity.extend(g.identity);
        arn = arn.or(g.arn);
    }
    if let Some(b) = &a.boundary {
        set.boundary = Some(vec![one(b, Kind::Identity)?]);
    }
    if let Some(s) = &a.session_policy {
        set.session = Some(vec![one(s, Kind::Identity)?]);
    }
    set.scps = levels(&a.scp, Kind::Scp, "--scp")?;
    set.rcps = levels(&a.rcp, Kind::Rcp, "--rcp")?;
    for rp in &a.resource_policy {
        let Some((pattern, file)) = rp.split_once('=') else {
            return Err(Error::Usage(format!("--resource-policy {rp:?}: expected ARN_PATTERN=FILE")));
        };
        if pattern != "*" && !pattern.starts_with("arn:") {
            return Err(Error::Usage(format!("--resource-policy {rp:?}: {pattern:?} is not an ARN pattern")));
        }
        set.resource
            .push(ResourcePolicy { pattern: pattern.to_string(), policy: one(Path::new(file), Kind::Resource)? });
    }
    for p in &set.identity {
        policy::check_actions(p).map_err(|e| Error::Msg(e.0))?;
    }
    for p in set.all() {
        if !p.variables() {
            report.note(
                &p.name,
                &format_args!("Version {}: policy variables are plain text", p.version.as_deref().unwrap_or("absent")),
            );
        }
    }
    let stmt = |id: &str, effect, actions: &[String]| Statement {
        id: id.to_string(),
        effect,
        action: Patterns::Is(actions.to_vec()),
        resource: Patterns::Is(vec!["*".into()]),
        conditions: Vec::new(),
        principal: None,
    };
    let mut cli = Vec::new();
    if !a.allow.is_empty() {
        cli.push(stmt("--allow", Effect::Allow, &a.allow));
    }
    if a.policy.is_empty() && a.authorization_details.is_none() && a.allow.is_empty() && !a.deny.is_empty() {
        cli.push(stmt("everything not denied", Effect::Allow, &["*".to_string()]));
    }
    if !a.deny.is_empty() {
        cli.push(stmt("--deny", Effect::Deny, &a.deny));
    }
    if !cli.is_empty() {
        let p = Policy { name: "command line".into(), version: Some("2012-10-17".into()), statements: cli };
        policy::check_actions(&p).map_err(|e| Error::Usage(e.0))?;
        set.identity.push(p);
    }
    if set.identity.is_empty() {
        return Err(Error::Usage(
            "no identity policy: give --policy FILE, --authorization-details FILE with --role or --user, --allow \
             PATTERN or --deny PATTERN"
                .into(),
        ));
    }
    Ok((set, arn))
}
