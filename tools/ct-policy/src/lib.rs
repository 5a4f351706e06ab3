//! ct-policy: least-privilege policies from what a principal really did, a CI gate that fails
//! when it did more than an allowed policy says, and an offline policy simulator.
#![forbid(unsafe_code)]

pub mod check;
mod cmd;
mod collect;
pub mod generate;
pub mod lint;
pub mod policies;
pub mod resources;
pub mod tags;
pub mod trail;
pub mod unused;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ct_common::Error;
use ct_common::cli::{InputArgs, QuietArgs, after_help};
pub use policies::PolicyArgs;

pub const NAME: &str = "ct-policy";

/// Least-privilege IAM policies from CloudTrail, and a CI gate against an allowed policy.
///
/// Without a subcommand, ct-policy reads action records (from ct-actions) or plain
/// service:Action lines and writes the IAM policy document they need: only actions that
/// succeeded at least once, on the resources they were used on where the action takes resource
/// types, grouped into statements by service and resource set. `check` evaluates what a
/// principal did (action records, or events directly) against allowed policies and fails
/// (exit 1) on anything not allowed; `simulate` answers one request offline.
#[derive(Parser, Debug)]
#[command(name = NAME, version, max_term_width = 100, args_conflicts_with_subcommands = true, after_long_help = after_help(MAN_SECTIONS))]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub generate: GenerateArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fail (exit 1) when the actions seen are not all allowed by the given policies.
    Check(CheckArgs),
    /// Decide one request against policies, offline, like `aws iam simulate-custom-policy`.
    Simulate(SimulateArgs),
    /// Report what IAM's validator would, and grants that escalate privileges (exit 1 on any).
    Lint(LintArgs),
    /// List what the policies allow that nothing in the input used (exit 1 on any).
    Unused(UnusedArgs),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ResourceMode {
    /// The ARNs seen, generalised where they vary: object keys to their folder, per-run names
    /// to their stem, identifiers made anew for each resource to the type in the account and
    /// region seen.
    #[default]
    General,
    /// The ARNs seen, exactly.
    #[value(alias = "observed")]
    Exact,
    /// * everywhere.
    Wildcard,
}

#[derive(Args, Debug, Default)]
pub struct GenerateArgs {
    /// Also grant actions that were only ever refused (by default a denied call was not needed).
    #[arg(long)]
    pub include_denied: bool,
    /// Resources: general (the ARNs seen, generalised where they vary), exact or wildcard.
    #[arg(long, value_enum, value_name = "MODE", default_value = "general")]
    pub resources: ResourceMode,
    /// Write on stderr, for every statement, why each resource pattern was chosen and which
    /// values seen it covers.
    #[arg(long)]
    pub explain: bool,
    /// Events of the whole trail (not only the principal's), to learn what its own calls do not
    /// show: the role inside each instance profile it launched with (repeatable).
    #[arg(long, value_name = "PATH")]
    pub trail: Vec<PathBuf>,
    /// Allow only the regions seen (aws:RequestedRegion), except for global services such as
    /// IAM, STS, CloudFront, Route 53 and Organizations, which are called in us-east-1.
    #[arg(long)]
    pub restrict_region: bool,
    /// Allow only the values seen of this condition key (such as ec2:InstanceType), written
    /// in the IfExists form so that resources without the key are not locked out.
    #[arg(long, value_name = "KEY")]
    pub restrict: Vec<String>,
    /// With --restrict: values of one family become a pattern (t2.micro, t2.small -> t2.*).
    #[arg(long, requires = "restrict")]
    pub generalize: bool,
    /// Add, in their own statement, the List/Describe/Get actions that usually go with the
    /// actions used.
    #[arg(long)]
    pub guess: bool,
    /// Write one line instead of pretty JSON.
    #[arg(long)]
    pub compact: bool,
    /// Write policies larger than the 6,144-character limit as DIR/policy-1.json, ...
    #[arg(long, value_name = "DIR")]
    pub split_dir: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UnknownMode {
    /// An action whose decision the logs cannot settle fails the gate.
    Deny,
    /// Such an action passes.
    Allow,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// What an Unknown decision counts as.
    #[arg(long, value_enum, default_value = "deny", value_name = "MODE")]
    pub unknown: UnknownMode,
    /// Pass on an input that holds no events or records (by default that is an error).
    #[arg(long)]
    pub allow_empty: bool,
    /// Events of the whole trail (not only the principal's), read only for what the
    /// principal's own events do not show: the tags others set on the resources judged, the
    /// role inside an instance profile it launched with, the stack of a change set named by
    /// its ARN (repeatable).
    #[arg(long, value_name = "PATH")]
    pub trail: Vec<PathBuf>,
    /// Also count calls that AWS refused for lack of permission (by default they were not
    /// done, so they are left out, as ct-policy leaves them out of generated policies).
    #[arg(long)]
    pub include_denied: bool,
    #[command(flatten)]
    pub messages: QuietArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The action, service:Action.
    #[arg(long, value_name = "ACTION")]
    pub action: String,
    /// The resource ARN (default *).
    #[arg(long, value_name = "ARN", default_value = "*")]
    pub resource: String,
    /// The caller: a user's or role's ARN, or an assumed role's session ARN (default: the
    /// aws:PrincipalArn of --context, or the --role or --user of --authorization-details).
    /// Its account decides whether a resource-based policy is in the same account.
    #[arg(long, value_name = "ARN")]
    pub principal: Option<String>,
    /// A condition key and value, KEY=VALUE; a key given twice has several values.
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// One finding record (NDJSON) per line.
    Json,
    /// FILE: statement SID: severity: code: message, for people.
    Text,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Policy documents, or the AWS CLI's output holding them; - for standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// How findings are written.
    #[arg(long, value_enum, default_value = "json", value_name = "FORMAT")]
    pub format: LintFormat,
    /// Leave out findings with this code (repeatable).
    #[arg(long, value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Report errors only (warnings are left out and do not fail).
    #[arg(long)]
    pub errors_only: bool,
    /// In get-account-authorization-details output: the role or user whose policies to lint.
    #[arg(long, value_name = "NAME")]
    pub principal: Option<String>,
    #[command(flatten)]
    pub messages: QuietArgs,
}

#[derive(Args, Debug)]
pub struct UnusedArgs {
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// Write one line per finding for people (POLICY: statement SID: unused ...) instead of
    /// records.
    #[arg(long)]
    pub text: bool,
    /// Report on an input that holds no events or records (by default that is an error).
    #[arg(long)]
    pub allow_empty: bool,
    #[command(flatten)]
    pub messages: QuietArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Extra man page sections, rendered after OPTIONS by the man page generator.
pub const MAN_SECTIONS: &[(&str, &str)] = &[
    (
        "GENERATE",
        "Reads action records (ct-actions) or service:Action lines and writes a policy document (Version 2012-10-17), \
         sorted and deterministic. Actions refused every time are left out unless --include-denied, and so are the \
         resources and condition values seen only on refused calls or on calls that failed (a misspelled instance type, \
         a missing object); throttled calls count as made. Resources are those the IAM action catalog says the action \
         takes, generalised where they vary (--resources general, the default): each ARN is read against its type's \
         template; the partition, region and account stay as seen; an identifier (a template variable ending in Id) \
         that varied, or that the principal creates (RunInstances, CreateStack), becomes * (instance/*, change/*); a \
         name keeps its stem before what varies: object keys up to the / before the first part holding a digit \
         (builds/2.3.1/app.tgz to builds/*), other names up to the last separator before the first digit (test-pr-412 \
         to test-pr-*); a name seen once stays exact. --resources exact keeps the ARNs as seen, wildcard writes *. A \
         record whose resource set reached the --cap of ct-actions gets its types' patterns in the account and region \
         seen, with a warning, never *. Where an action touches resource types the logs did not name (the volume of a \
         new instance), those are allowed by pattern in the account and region seen. --explain writes on standard error, \
         for every statement, why each pattern was chosen and the values seen it covers.\n\n\
         Conditions: --restrict-region adds aws:RequestedRegion for the regions seen, leaving out global services; \
         --restrict KEY adds the values seen, in the IfExists form, because a condition on a key that only some of an \
         action's resources carry (ec2:InstanceType on RunInstances) would otherwise allow nothing; a KEY that no record \
         carries is an error naming the keys seen. iam:PassRole is granted on the roles passed, with \
         iam:PassedToService for the services that received them; where the calls passed an instance profile whose role \
         they do not show, --trail PATH (the events of the whole trail, not only the principal's) resolves it: the \
         role added to the profile (AddRoleToInstanceProfile), or the role EC2 assumed for an instance launched with the \
         profile (sts:AssumeRole by ec2.amazonaws.com with the instance ID as session name, joined with the launch's \
         answer); without it the grant is role/* in the account with a warning naming the profiles. A call that names \
         its resource only by an identity another call of the principal created (ExecuteChangeSet given a change set's \
         ARN, which names no stack) gets the resources of that other call when it carried every such value \
         (CreateChangeSet on the same cloudformation:ChangeSetName). Calls that a service \
         made with the principal's credentials, when every call of the action was such a call, get aws:CalledVia. \
         Resources the principal creates with tags, reached later by a pattern (TerminateInstances on instance/*), are \
         scoped with aws:ResourceTag for the tag every create carried with one value (not Name, nor AWS's own aws: tags), and \
         the creates themselves require that tag (aws:RequestTag) on the new resources, in a statement of their own. EC2 \
         resources created with tags need ec2:CreateTags with ec2:CreateAction, which is added. s3:ListBucket gets \
         s3:prefix for the prefixes listed, generalised like object keys, when every call named a prefix. Statements group actions by service and identical \
         resources and conditions, with Sids naming the service.\n\n\
         Warnings on standard error (the exit status is not changed): grants the evidence could not narrow, every grant \
         that allows privilege escalation or broad destruction (as lint reports them), and services whose data calls \
         the input cannot show (S3 objects, Lambda Invoke, DynamoDB items are logged only as data events). A policy \
         larger than 6,144 characters without whitespace is an error unless --split-dir writes it as several documents.",
    ),
    (
        "CHECK",
        "Reads action records, or events (each mapped and evaluated with its own resources and context), and evaluates \
         every action seen against the policies with IAM's rules for identity policies: an explicit Deny wins, an Allow \
         is needed; Action and NotAction match case-insensitively with * and ?, Resource and NotResource case-sensitively \
         by ARN part; every condition operator (String, Numeric, Date, Bool, Binary, IpAddress, Arn, Null), the IfExists \
         forms and the ForAllValues and ForAnyValue qualifiers; policy variables such as ${aws:username} under Version \
         2012-10-17. Keys come from the records: aws:RequestedRegion, aws:SourceIp, aws:PrincipalArn, aws:PrincipalAccount, \
         aws:CurrentTime, aws:MultiFactorAuthPresent, aws:username, aws:userid, aws:SourceVpce, aws:ViaAWSService, \
         aws:CalledVia, aws:CalledViaFirst and aws:CalledViaLast (from userIdentity.invokedBy), aws:RequestTag/* and \
         aws:TagKeys (the request's tags), iam:PassedToService (for each role passed), and the service keys seen in \
         requests. aws:ResourceTag/* comes from the tags the input itself applied to the resource before the call \
         (create-time tags, CreateTags and DeleteTags, each service's tagging calls): the set is whole for a resource \
         the input created, and only its tags are known for one created elsewhere. --trail PATH adds the events of the \
         whole trail for this alone, so that tags other principals set count; a call whose decision turns on a \
         resource's tags is decided after the whole input is read, since files are not in time order. A tag the input \
         cannot show stays Unknown; --assume KEY=VALUE states it. A change set named by its ARN alone is judged on the \
         stack that the CreateChangeSet answer in the input or the trail names. \
         A condition on a key the logs cannot show (a principal's tags) makes the decision \
         Unknown, which fails the gate unless --unknown allow. So does a key the record does not show although the \
         request had it: the keys IAM always has (principal, account, time, region) when the record hides them, a \
         service key such as ec2:InstanceType (which may describe the resource rather than the request), tags in a \
         request whose tags ct could not read. The absence of aws:SourceIp, aws:MultiFactorAuthPresent, \
         aws:username, aws:SourceVpce, aws:CalledVia and the request's tags is taken as the request's; so is the \
         absence of a request-only service key (cloudformation:RoleArn, kms:EncryptionContext, the Route 53 record set \
         keys) from a logged request, of ec2:CreateAction on a CreateTags call of its own, and of any service key the \
         Service Authorization Reference does not list for the action. A variable's default or \
         one of several values does not stand in for what the logs do not show. A resource the logs named only in part \
         (instance/*) is settled only by a pattern that fits any name there, and refused by one that fits none (another \
         type, region or account). Every resource of a call must be allowed: one refused for certain refuses the call, \
         whatever another's Unknown. An action record pools many calls and \
         does not say which of them lacked a global key, so with records only conditions on the region, principal, the \
         principals' accounts, the time (before or after a date), service keys every call carried, and aws:CalledVia \
         when every call went through one and the same service can be settled, \
         and only when their sets were not capped or partial; a record whose events did not all name their resources \
         is also checked for an unknown resource; anything else is Unknown: give the events instead for an exact check. \
         Calls that AWS itself refused are left out unless --include-denied. An input without any call to evaluate \
         fails too (exit 2), since an empty input must never pass a gate silently, unless --allow-empty. See POLICY \
         TYPES for boundaries, SCPs, RCPs, session and resource-based policies.\n\n\
         Each action that is not allowed is written as a finding record:\n\n\
         {\"decision\":\"ImplicitDeny\",\"action\":\"ec2:TerminateInstances\",\"count\":2,\"denied\":0,\"resources\":[\"arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0a1b\"],\"first\":\"2017-06-01T13:20:24Z\",\"last\":\"2017-06-02T09:10:35Z\",\"principals\":[\"arn:aws:iam::111122223333:role/build-agent\"],\"statement\":null}",
    ),
    (
        "SIMULATE",
        "The same evaluator for one request: prints the decision (Allow, ExplicitDeny or ImplicitDeny) and the statement \
         that decided it. A key not given is absent from the request, as in IAM, so simulate never answers Unknown. \
         The caller is --principal ARN (a user, a role, or a role's session), else the aws:PrincipalArn of --context, \
         else the --role or --user of --authorization-details; with --resource-policy one of them is needed. \
         Policies with Version 2008-10-17 or none are evaluated as IAM does, with policy variables left as text, and noted.",
    ),
    (
        "POLICY TYPES",
        "check, simulate and unused take the policies of a real authorization, read in AWS's order (IAM User Guide, \
         \"Policy evaluation logic\"): an explicit Deny in any of them refuses; the SCPs must allow at every level \
         (--scp FILE, repeatable, root first, one level each; LEVEL:FILE puts several files in one level); an RCP \
         (--rcp FILE) can only deny, since AWS attaches RCPFullAWSAccess at every level; an identity-based policy \
         (--policy, --allow, or --authorization-details FILE with --role NAME or --user NAME, which reads \
         `aws iam get-account-authorization-details` output: the principal's inline, managed and group policies and its \
         permissions boundary) must allow, or, in the resource's own account, a resource-based policy \
         (--resource-policy ARN_PATTERN=FILE, for the resources matching the pattern) that names the caller; across \
         accounts both must; the permissions boundary (--boundary FILE) and the session policy (--session-policy FILE) \
         must allow too. Files may be documents or the AWS CLI's output around them (get-policy-version, get-role-policy, \
         get-bucket-policy, get-key-policy, lambda get-policy, sqs get-queue-attributes, organizations describe-policy). \
         A policy IAM would refuse (a service prefix with a wildcard, s*:GetObject; a Principal in an identity policy or \
         an SCP; none in a resource-based policy or an RCP) is an error.\n\n\
         Readings ct chooses where the guide leaves room, so that no Deny is lost: a resource-based policy's Allow does \
         not pass over a boundary or a session policy; a resource whose ARN names no account (an S3 bucket) is read as \
         another account's unless --assume aws:ResourceAccount=ID says otherwise; a resource-based policy that names only \
         the account grants nothing by itself in that account; a Resource pattern's variable with no value keeps a Deny \
         (the pattern matches under Resource, not under NotResource) and grants nothing in an Allow; a request value of \
         the wrong type for its operator (NumericLessThan on \"ten\"), a multivalued key under an operator without a set \
         qualifier, and ForAnyValue with IfExists on an absent key all count for a Deny and against an Allow; upper case \
         in the region or account of a Deny's ARN matches any case, an Allow's only its own. Wildcards in a Resource stay \
         in their colon-separated segment, except a * that ends one; policy variables are substituted only after an \
         ARN's fifth colon. sts:GetCallerIdentity is always allowed. SCPs and RCPs are applied to every request: leave \
         out those that do not apply to the principal (the management account, service-linked roles).\n\n\
         --assume KEY=VALUE (repeatable) states what the logs cannot show, true of every request: a principal's tag \
         (aws:PrincipalTag/team=build), a resource's tag, aws:ResourceAccount, aws:PrincipalOrgID.",
    ),
    (
        "LINT",
        "Checks policy documents (or the AWS CLI output that --policy accepts) as IAM's policy validator does, against \
         the IAM action catalog: actions and services that do not exist (a pattern that matches no action), Resources \
         that are neither * nor an ARN, an action none of whose resource types a Resource of its statement can name (an \
         action without resource types needs *), service condition keys that do not exist or apply to none of the \
         statement's actions (aws: keys apply to all), Sids that repeat or hold other characters than letters and \
         digits, a missing or 2008-10-17 Version, and a document over the 6,144 characters without whitespace of a \
         managed policy. It also names the grants of Allow statements that let a principal escalate its privileges or \
         destroy broadly: NotAction or NotResource with Allow; * or service:* on every resource; iam:PassRole or \
         sts:AssumeRole on a wildcard role; IAM actions that grant permissions (AWS's Permissions management access \
         level, and CreateAccessKey, CreateLoginProfile, UpdateLoginProfile, AddUserToGroup, UpdateAssumeRolePolicy, \
         CreateUser); other services' Permissions management actions; Delete, Terminate, Purge and Destroy actions and \
         kms:ScheduleKeyDeletion on every resource of a type. A generated policy's risky grants are named on standard \
         error as warnings, without changing its exit status.\n\n\
         Each finding is written as a record (--format text writes FILE: statement SID: severity: code: message):\n\n\
         {\"file\":\"role.json\",\"statement\":\"Pass\",\"severity\":\"warning\",\"code\":\"passrole-wildcard\",\"message\":\"iam:PassRole on *: any role there can be passed to a service, and no iam:PassedToService condition limits which\"}\n\n\
         Errors: invalid-action, unknown-service, unknown-action, invalid-resource, resource-mismatch, \
         unknown-condition-key, invalid-sid, duplicate-sid, policy-too-large. Warnings: condition-key-mismatch, \
         missing-version, not-action, not-resource, service-wildcard, passrole-wildcard, assume-role-wildcard, \
         privilege-escalation, resource-exposure, destructive-wildcard. --ignore CODE leaves a code out; --errors-only \
         leaves out the warnings.",
    ),
    (
        "UNUSED",
        "Reads events or action records, as check does, and lists what the Allow statements of the policies allow that \
         no call in the input used, the question to ask before tightening a role. For each Allow statement: the whole \
         statement when no call used it; otherwise the actions it allows that no call used, one record each, except \
         that a service none of whose allowed actions was used is one record (with the number of its actions the \
         statement allows), so that Action * is one line per service, not one per action; and the Resource patterns \
         that no call the statement allowed matched, with the actions used through the statement. Action and NotAction \
         are expanded against the IAM action catalog, with the evaluator's matching (case-insensitive, * and ?); a name \
         the catalog does not hold is kept as written. Deny statements are not findings, and NotResource lists no grant \
         to report.\n\n\
         A call uses every Allow statement that applies to it, with check's rules, whatever the other statements (a \
         Deny included) say: when two statements allow the same call, neither is reported. A statement or Resource \
         pattern whose application to a call the logs cannot settle (Unknown, as in check: a condition on a \
         principal's or a resource's tags, a resource the record does not name) counts as USED, because reporting it \
         unused would lead to removing a permission the job needs; the summary counts these grants. Action records \
         pool their calls and settle fewer conditions than events do (see CHECK), so events give the narrowest answer. \
         Calls AWS refused are left out: they used nothing. The answer is only as good as the window of logs read: an \
         action a job uses once a quarter is unused in a month of its logs. An input with no call is an error (exit \
         2) unless --allow-empty, never a report that everything is unused.\n\n\
         Each finding is written as a record (kind statement, service, action or resource; patterns are the Action \
         patterns that allow it); --text writes POLICY: statement SID: unused ...:\n\n\
         {\"kind\":\"statement\",\"policy\":\"role.json\",\"statement\":\"Queue\",\"count\":20}\n\
         {\"kind\":\"service\",\"policy\":\"role.json\",\"statement\":\"Describe\",\"service\":\"ecs\",\"count\":14,\"patterns\":[\"ecs:Describe*\"]}\n\
         {\"kind\":\"action\",\"policy\":\"role.json\",\"statement\":\"Artifacts\",\"action\":\"s3:PutObject\",\"patterns\":[\"s3:PutObject\"]}\n\
         {\"kind\":\"resource\",\"policy\":\"role.json\",\"statement\":\"Artifacts\",\"resource\":\"arn:aws:s3:::old-builds/*\",\"actions\":[\"s3:GetObject\"]}",
    ),
    (
        "EXIT STATUS",
        "generate: 0, or 2 on an error. check: 0 when every action is allowed, 1 when one is not, 2 on an error or when \
         the input holds no events. simulate: 0 on Allow, 1 otherwise, 2 on an error. lint: 0 when no finding is \
         reported, 1 when one is, 2 when a file cannot be read or is not a policy (the others are still linted). \
         unused: 0 when every grant was used, 1 when one is unused, 2 on an error or when the input holds no call. A \
         closed standard output ends ct-policy quietly with status 0.",
    ),
    (
        "EXAMPLES",
        r#"ct-unzip logs/ | ct-filter --role deploy-agent --start -30d | ct-actions \
    | ct-policy > policy.json
ct-unzip logs/ | ct-filter --role deploy-agent | ct-actions \
    | ct-policy --restrict-region --restrict ec2:InstanceType --generalize
ct-unzip logs/ | ct-filter --role build-agent | ct-actions \
    | ct-policy check --policy allowed.json
ct-unzip logs/ | ct-filter --role build-agent \
    | ct-policy check --deny 'iam:*' --deny ec2:TerminateInstances
ct-policy simulate --policy role.json --action ec2:RunInstances \
    --context ec2:InstanceType=m5.large
aws iam get-account-authorization-details > account.json
ct-filter --role build-agent events.ndjson \
    | ct-policy check --authorization-details account.json \
    --role build-agent --scp org-root.json
ct-policy lint --format text policies/*.json
aws iam get-role-policy --role-name deploy-agent --policy-name deploy \
    | ct-policy lint --errors-only -
ct-unzip logs/ | ct-filter --role deploy-agent --start -90d \
    | ct-policy unused --text --policy role.json"#,
    ),
    ("SEE ALSO", "ct(7), ct-actions(1), ct-filter(1), ct-unzip(1)"),
];

/// Runs ct-policy; returns the exit status.
pub fn run(cli: &Cli) -> Result<u8, Error> {
    match &cli.command {
        None => cmd::generate::run(&cli.generate),
        Some(Command::Check(a)) => cmd::check::run(a),
        Some(Command::Simulate(a)) => cmd::simulate::run(a),
        Some(Command::Lint(a)) => cmd::lint::run(a),
        Some(Command::Unused(a)) => cmd::unused::run(a),
    }
}
