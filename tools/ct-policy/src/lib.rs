//! ct-policy: least-privilege policies from what a principal really did, a CI gate that fails
//! when it did more than an allowed policy says, and an offline policy simulator.

pub mod check;
pub mod generate;
pub mod lint;
pub mod policies;
pub mod resources;
pub mod tags;
pub mod trail;
pub mod unused;

use std::fmt;
use std::io;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ct_common::cli::InputArgs;
use ct_common::input::{self, Flow, ReadOptions, Reader, Source, Visit};
use ct_common::lines::{self, Opened};
use ct_common::output::Output;
use ct_common::report::Reporter;
use ct_common::{EXIT_ERROR, EXIT_NEGATIVE, EXIT_OK, Error};
use ct_iam::authorize::PolicySet;
use ct_iam::eval::{Context, Decision, Mode, Request};
use ct_iam::policy;
use ct_iam::{Catalog, Event};
use ct_record::{ActionRecord, Wire};
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
#[command(name = NAME, version, max_term_width = 100, args_conflicts_with_subcommands = true, after_long_help = AFTER_HELP)]
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
    /// Do not write the summary line.
    #[arg(short, long)]
    pub quiet: bool,
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
    /// Do not write the summary line.
    #[arg(short, long)]
    pub quiet: bool,
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
    /// Do not write the summary line.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

const AFTER_HELP: &str = "\
Exit status: generate 0, or 2 on an error; check 0 when every action is allowed, 1 when one is
not (Unknown counts as not allowed unless --unknown allow), 2 on an error or an empty input;
simulate 0 on Allow, 1 otherwise, 2 on an error; lint 0 on a clean policy, 1 on any finding, 2
on an unreadable or malformed file; unused 0 when everything allowed was used, 1 when something
is unused, 2 on an error or an empty input.

Examples:
  ct-unzip logs/ | ct-filter --role deploy-agent | ct-actions | ct-policy > policy.json
  ct-unzip logs/ | ct-filter --role build-agent | ct-actions | ct-policy check --policy allowed.json
  ct-unzip logs/ | ct-filter --role build-agent | ct-policy check --deny 'iam:*' --deny ec2:TerminateInstances
  ct-policy simulate --policy role.json --action ec2:RunInstances --context ec2:InstanceType=m5.large
  ct-policy check --authorization-details account.json --role build-agent --scp org-root.json --scp ou.json < events.ndjson
  ct-policy lint --format text policies/*.json
  ct-unzip logs/ | ct-filter --role deploy-agent | ct-policy unused --text --policy role.json";

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
        "ct-unzip logs/ | ct-filter --role deploy-agent --start -30d | ct-actions | ct-policy > policy.json\n\
         ct-unzip logs/ | ct-filter --role deploy-agent | ct-actions | ct-policy --restrict-region --restrict ec2:InstanceType --generalize\n\
         ct-unzip logs/ | ct-filter --role build-agent | ct-actions | ct-policy check --policy allowed.json\n\
         ct-unzip logs/ | ct-filter --role build-agent | ct-policy check --deny 'iam:*' --deny ec2:TerminateInstances\n\
         ct-policy simulate --policy role.json --action ec2:RunInstances --context ec2:InstanceType=m5.large\n\
         aws iam get-account-authorization-details > account.json; ct-policy check --authorization-details account.json --role build-agent --scp org-root.json < events.ndjson\n\
         ct-policy lint --format text policies/*.json\n\
         aws iam get-role-policy --role-name deploy-agent --policy-name deploy | ct-policy lint --errors-only -\n\
         ct-unzip logs/ | ct-filter --role deploy-agent --start -90d | ct-policy unused --text --policy role.json",
    ),
    ("SEE ALSO", "ct(7), ct-actions(1), ct-filter(1), ct-unzip(1)"),
];

/// Runs ct-policy; returns the exit status.
pub fn run(cli: &Cli) -> Result<u8, Error> {
    match &cli.command {
        None => run_generate(&cli.generate),
        Some(Command::Check(a)) => run_check(a),
        Some(Command::Simulate(a)) => run_simulate(a),
        Some(Command::Lint(a)) => run_lint(a),
        Some(Command::Unused(a)) => run_unused(a),
    }
}

/// What the inputs held: events, action records, plain action names.
struct Collect<'r> {
    report: &'r mut Reporter,
    records: Vec<ActionRecord>,
    events: u64,
    /// For check: evaluate events as they come.
    gate: Option<(&'r PolicySet, check::Gate)>,
    /// Events are welcome (check) or an error (generate).
    events_allowed: bool,
}

struct LinePlace<'a>(&'a str, u64);

impl fmt::Display for LinePlace<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: line {}", self.0, self.1)
    }
}

impl Collect<'_> {
    fn line(&mut self, text: &[u8], place: &dyn fmt::Display) -> io::Result<Flow> {
        let t = std::str::from_utf8(text).unwrap_or("").trim();
        if !t.starts_with('{') {
            // A plain `service:Action` line.
            let ok = t.split_once(':').is_some_and(|(s, a)| {
                !s.is_empty() && !a.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            if !ok {
                return Ok(self.report.error(place, &"expected an action record, an event or a service:Action line"));
            }
            let mut r = ActionRecord::new(t);
            r.count = 1;
            r.known = Catalog::get().action_named(t).is_some();
            r.inferred = false;
            self.records.push(r);
            return Ok(Flow::Continue);
        }
        if ct_common::event::top_level_str(text, "action").is_some() {
            return Ok(match serde_json::from_slice::<Wire>(text) {
                Ok(w) => {
                    self.records.push(ActionRecord::from_wire(w, usize::MAX));
                    Flow::Continue
                }
                Err(e) => self.report.error(place, &format_args!("bad action record: {e}")),
            });
        }
        // An event, or a container of events.
        let name = place.to_string();
        let stats = Reader::new(ReadOptions::default()).read_stream(text, &name, self)?;
        Ok(if stats.stopped { Flow::Stop } else { Flow::Continue })
    }
}

impl Visit for Collect<'_> {
    fn event(&mut self, json: &[u8]) -> io::Result<Flow> {
        if !self.events_allowed {
            return Ok(self.report.error(&"event", &"events need ct-actions first: ct-actions | ct-policy"));
        }
        match Event::parse(json) {
            Ok(ev) => {
                self.events += 1;
                if let Some((policies, gate)) = &mut self.gate {
                    gate.event(policies, &ev);
                }
                Ok(Flow::Continue)
            }
            Err(e) => Ok(self.report.error(&"event", &format_args!("not a CloudTrail event: {e}"))),
        }
    }
    fn error(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) -> Flow {
        self.report.error(place, msg)
    }
    fn note(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) {
        self.report.note(place, msg)
    }
}

/// Reads every input into `c`.
fn collect(inputs: &InputArgs, c: &mut Collect<'_>) -> Result<(), Error> {
    let sources = input::expand(&inputs.paths);
    let mut batch: Vec<Source> = Vec::new();
    for source in sources {
        match lines::open_as(&source, true) {
            Ok(Opened::Lines(reader, head)) => {
                if !batch.is_empty() {
                    input::drive(&batch, inputs.jobs(), ReadOptions::default(), c)?;
                    batch.clear();
                }
                let name = source.name();
                if let Err(e) = lines::each(reader, head, |t, n| c.line(t, &LinePlace(&name, n))) {
                    c.report.error(&name, &format_args!("read error: {}", ct_common::error::io_text(&e)));
                }
            }
            Ok(Opened::Stream(reader)) => {
                Reader::new(ReadOptions::default()).read_stream(reader, "<stdin>", c)?;
            }
            Ok(Opened::Reader) => batch.push(source),
            Err(e) => {
                c.report.error(&source.name(), &format_args!("cannot open: {}", ct_common::error::io_text(&e)));
            }
        }
    }
    if !batch.is_empty() {
        input::drive(&batch, inputs.jobs(), ReadOptions::default(), c)?;
    }
    Ok(())
}

fn run_generate(args: &GenerateArgs) -> Result<u8, Error> {
    let mut report = Reporter::new(NAME);
    report.strict = args.input.strict;
    let mut c = Collect { report: &mut report, records: Vec::new(), events: 0, gate: None, events_allowed: false };
    collect(&args.input, &mut c)?;
    // Several records of one action (concatenated outputs) are one action.
    let mut merged: std::collections::BTreeMap<String, ActionRecord> = std::collections::BTreeMap::new();
    for r in std::mem::take(&mut c.records) {
        merged.entry(r.action.clone()).or_insert_with(|| ActionRecord::new(&r.action)).merge(&r, usize::MAX);
    }
    let records: Vec<ActionRecord> = merged.into_values().collect();
    let opts = generate::Options {
        include_denied: args.include_denied,
        resources: match args.resources {
            ResourceMode::General => generate::ResourceMode::General,
            ResourceMode::Exact => generate::ResourceMode::Exact,
            ResourceMode::Wildcard => generate::ResourceMode::Wildcard,
        },
        restrict_region: args.restrict_region,
        restrict: args.restrict.clone(),
        generalize: args.generalize,
        guess: args.guess,
        profiles: if args.trail.is_empty() {
            None
        } else {
            Some(std::rc::Rc::new(trail::Facts::read(&args.trail, &mut report)?))
        },
    };
    let generated = generate::statements(&records, &opts).map_err(Error::Usage)?;
    for w in &generated.warnings {
        report.warn(&"policy", w);
    }
    if args.explain {
        for line in &generated.explain {
            report.tell(&"explain", line);
        }
    }
    let (statements, unknown) = (generated.statements, generated.unknown);
    if !unknown.is_empty() {
        report.fatal(&format_args!("not in the IAM action catalog, kept as written: {}", unknown.join(", ")));
    }
    if statements.is_empty() {
        report.fatal(&"no action to grant (no input, or every action was refused; see --include-denied)");
        return Ok(EXIT_ERROR);
    }
    let whole = generate::Document { version: "2012-10-17", statements: statements.clone() };
    warn_risky(&whole, &mut report);
    let size = generate::size(&whole);
    let render = |d: &generate::Document| {
        if args.compact { serde_json::to_string(d) } else { serde_json::to_string_pretty(d) }
            .map_err(|e| Error::Msg(e.to_string()))
    };
    if size <= generate::MAX_POLICY_CHARS {
        let mut out = Output::stdout(false);
        out.record(render(&whole)?.as_bytes())?;
        out.flush()?;
    } else {
        let Some(dir) = &args.split_dir else {
            report.fatal(&format_args!(
                "the policy is {size} characters without whitespace, over the {} a managed policy may hold; use --split-dir DIR to write it as several policies",
                generate::MAX_POLICY_CHARS
            ));
            return Ok(EXIT_ERROR);
        };
        let docs = generate::split(statements);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        for (i, d) in docs.iter().enumerate() {
            if generate::size(d) > generate::MAX_POLICY_CHARS {
                report.fatal(&format_args!("statement {} alone is over the size limit", d.statements[0].sid));
                return Ok(EXIT_ERROR);
            }
            let path = dir.join(format!("policy-{}.json", i + 1));
            std::fs::write(&path, render(d)? + "\n").map_err(|e| Error::io(path.display().to_string(), e))?;
        }
        report.summary(&format_args!("{} characters split into {} policies in {}", size, docs.len(), dir.display()));
    }
    Ok(if report.errors > 0 { EXIT_ERROR } else { EXIT_OK })
}

fn run_check(args: &CheckArgs) -> Result<u8, Error> {
    let mut report = Reporter::new(NAME);
    report.strict = args.input.strict;
    report.quiet = args.quiet;
    let (policies, _) = policies::load(&args.policies, &mut report)?;
    let assumed = args.policies.assumed()?;
    let mut tags = tags::Tracker::new();
    trail::learn_tags(&args.trail, &mut report, &mut tags).map_err(|e| Error::Msg(e.to_string()))?;
    let facts = if args.trail.is_empty() {
        trail::Facts::default()
    } else {
        trail::Facts::read(&args.trail, &mut report).map_err(|e| Error::Msg(e.to_string()))?
    };
    let mut c = Collect {
        report: &mut report,
        records: Vec::new(),
        events: 0,
        gate: Some((
            &policies,
            check::Gate { include_denied: args.include_denied, assumed, tags, facts, ..Default::default() },
        )),
        events_allowed: true,
    };
    collect(&args.input, &mut c)?;
    let (events, records) = (c.events, std::mem::take(&mut c.records));
    let Some((_, mut gate)) = c.gate.take() else { return Ok(EXIT_ERROR) };
    for r in &records {
        gate.record(&policies, r);
    }
    gate.finish(&policies);
    let mut out = Output::stdout(false);
    let mut failing = 0;
    let mut unknown = 0;
    for f in gate.findings.values() {
        let line = serde_json::to_vec(f).map_err(|e| Error::Msg(e.to_string()))?;
        out.record(&line)?;
        if f.decision == Decision::Unknown.as_str() {
            unknown += 1;
            if args.unknown == UnknownMode::Allow {
                continue;
            }
        }
        failing += 1;
    }
    out.flush()?;
    if gate.not_events > 0 {
        report.error(
            &"input",
            &format_args!("{} objects without eventSource or eventName are not CloudTrail calls", gate.not_events),
        );
    }
    // Nothing evaluated at all (no call, or only calls that need no permission) must not pass.
    // Calls AWS refused are left out, so an input of nothing else evaluated nothing: it fails
    // like an empty one (an input whose calls all say AccessDenied must not pass a gate).
    let empty = gate.allowed.is_empty() && gate.findings.is_empty();
    report.summary(&format_args!(
        "check: {} events and {} action records read, {} actions allowed, {} not allowed ({} Unknown{}), {} refused calls left out",
        events,
        records.len(),
        gate.allowed.len(),
        gate.findings.len(),
        unknown,
        if args.unknown == UnknownMode::Allow { ", passed by --unknown allow" } else { "" },
        gate.refused
    ));
    if report.errors > 0 {
        return Ok(EXIT_ERROR);
    }
    if empty && !args.allow_empty {
        report.fatal(&format_args!(
            "the input holds no call to evaluate ({} refused calls left out): an empty input never passes (see \
             --allow-empty, --include-denied)",
            gate.refused
        ));
        return Ok(EXIT_ERROR);
    }
    Ok(if failing > 0 { EXIT_NEGATIVE } else { EXIT_OK })
}

fn run_unused(args: &UnusedArgs) -> Result<u8, Error> {
    let mut report = Reporter::new(NAME);
    report.strict = args.input.strict;
    report.quiet = args.quiet;
    let (policies, _) = policies::load(&args.policies, &mut report)?;
    // What the identity policies allow; a boundary, SCP or other policy only takes away, and
    // the calls in the logs were allowed by all of them.
    let state = std::rc::Rc::new(std::cell::RefCell::new(unused::Unused::new(&policies.identity)));
    let tap = std::rc::Rc::clone(&state);
    let gate = check::Gate {
        assumed: args.policies.assumed()?,
        tap: Some(Box::new(move |a: &str, t: &[Option<String>], c: &Context| tap.borrow_mut().call(a, t, c))),
        ..Default::default()
    };
    let mut c = Collect {
        report: &mut report,
        records: Vec::new(),
        events: 0,
        gate: Some((&policies, gate)),
        events_allowed: true,
    };
    collect(&args.input, &mut c)?;
    let (events, records) = (c.events, std::mem::take(&mut c.records));
    let Some((_, mut gate)) = c.gate.take() else { return Ok(EXIT_ERROR) };
    for r in &records {
        gate.record(&policies, r);
    }
    if gate.not_events > 0 {
        report.error(
            &"input",
            &format_args!("{} objects without eventSource or eventName are not CloudTrail calls", gate.not_events),
        );
    }
    let (calls, found) = {
        let s = state.borrow();
        (s.calls, s.report())
    };
    // No call is no evidence: it must not come out as "everything is unused".
    if calls == 0 && !args.allow_empty {
        report.fatal(&format_args!(
            "the input holds no call ({} refused calls left out): nothing can be said unused (see --allow-empty)",
            gate.refused
        ));
        return Ok(EXIT_ERROR);
    }
    let mut out = Output::stdout(false);
    let kinds = ["statement", "service", "action", "resource"];
    let mut counts = [0u64; 4];
    for f in &found.findings {
        if let Some(i) = kinds.iter().position(|k| *k == f.kind) {
            counts[i] += 1;
        }
        if args.text {
            out.record(f.text().as_bytes())?;
        } else {
            out.record(&serde_json::to_vec(f).map_err(|e| Error::Msg(e.to_string()))?)?;
        }
    }
    out.flush()?;
    let plural = ct_common::report::plural;
    report.summary(&format_args!(
        "unused: {} events and {} action records read, {}: {} unused, {}, {}, {}; {} counted as used on Unknown \
         decisions, {} refused calls left out",
        events,
        records.len(),
        plural(found.statements as u64, "Allow statement", "Allow statements"),
        counts[0],
        plural(counts[1], "unused service", "unused services"),
        plural(counts[2], "unused action", "unused actions"),
        plural(counts[3], "unused resource pattern", "unused resource patterns"),
        plural(found.unknown as u64, "grant", "grants"),
        gate.refused
    ));
    if report.errors > 0 {
        return Ok(EXIT_ERROR);
    }
    Ok(if found.findings.is_empty() { EXIT_OK } else { EXIT_NEGATIVE })
}

fn run_simulate(args: &SimulateArgs) -> Result<u8, Error> {
    let mut report = Reporter::new(NAME);
    report.verbose = true;
    let (policies, arn) = policies::load(&args.policies, &mut report)?;
    let mut ctx = Context::new();
    for kv in &args.context {
        let (k, v) = kv.split_once('=').ok_or_else(|| Error::Usage(format!("--context {kv:?}: expected KEY=VALUE")))?;
        ctx.add(k.trim(), v);
    }
    args.policies.assume_into(&mut ctx)?;
    ctx.caller = args.principal.clone().or(arn);
    if let Some(p) = &ctx.caller
        && ctx.get("aws:PrincipalArn").is_none()
    {
        // aws:PrincipalArn is the role's ARN for a role's session (IAM User Guide, global
        // condition keys).
        let role = ct_iam::arn::session_role(p).unwrap_or_else(|| p.clone());
        ctx.add("aws:PrincipalArn", &role);
    }
    if !policies.resource.is_empty() && ctx.caller.is_none() && ctx.get("aws:PrincipalArn").is_none() {
        return Err(Error::Usage(
            "--resource-policy needs the caller: give --principal ARN (or --context aws:PrincipalArn=ARN)".into(),
        ));
    }
    let req = Request { action: &args.action, resource: Some(&args.resource), context: &ctx, mode: Mode::Simulate };
    let out = ct_iam::authorize::authorize(&policies, &req);
    let mut o = Output::stdout(false);
    let line = match &out.statement {
        Some(s) => format!("{}\t{s}", out.decision.as_str()),
        None => format!("{}\t(no statement allows it)", out.decision.as_str()),
    };
    o.record(line.as_bytes())?;
    o.flush()?;
    Ok(if out.decision == Decision::Allow { EXIT_OK } else { EXIT_NEGATIVE })
}

/// Tells on stderr what a generated policy grants that can escalate privileges or destroy
/// broadly (issue 16): the logs showed these calls, but a reviewer should see them named.
fn warn_risky(doc: &generate::Document, report: &mut Reporter) {
    let Ok(text) = serde_json::to_string(doc) else { return };
    let Ok(policies) = policy::parse_file(&text, "policy", None) else { return };
    for f in policies.iter().flat_map(lint::risky_grants) {
        let st = f.statement.as_deref().unwrap_or("");
        report.warn(&"policy", &format_args!("statement {st}: {}: {}", f.code, f.message));
    }
}

fn run_lint(args: &LintArgs) -> Result<u8, Error> {
    let mut report = Reporter::new(NAME);
    report.quiet = args.quiet;
    for code in &args.ignore {
        if !lint::CODES.contains(&code.as_str()) {
            return Err(Error::Usage(format!(
                "--ignore {code:?}: not a finding code (one of: {})",
                lint::CODES.join(", ")
            )));
        }
    }
    let mut out = Output::stdout(false);
    let (mut files, mut errors, mut warnings) = (0u64, 0u64, 0u64);
    for path in &args.files {
        let stdin = path.as_os_str() == "-";
        let name = if stdin { "<stdin>".to_string() } else { path.display().to_string() };
        let text = if stdin {
            let mut s = String::new();
            io::Read::read_to_string(&mut io::stdin(), &mut s).map(|_| s)
        } else {
            std::fs::read_to_string(path)
        };
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                report.error(&name, &format_args!("cannot read: {}", ct_common::error::io_text(&e)));
                continue;
            }
        };
        let policies = match policy::parse_file(&text, &name, args.principal.as_deref()) {
            Ok(p) => p,
            // The parser's message starts with the file's name.
            Err(e) => {
                report.fatal(&e);
                report.errors += 1;
                continue;
            }
        };
        files += 1;
        // The file's own size when it is the document itself; an estimate inside CLI output.
        let plain = policies.len() == 1 && policies[0].name == name;
        for p in &policies {
            let size = plain.then(|| lint::size(&text));
            for f in lint::lint(p, size) {
                if args.ignore.iter().any(|c| c == f.code) || (args.errors_only && f.severity != lint::Severity::Error)
                {
                    continue;
                }
                match f.severity {
                    lint::Severity::Error => errors += 1,
                    lint::Severity::Warning => warnings += 1,
                }
                match args.format {
                    LintFormat::Json => {
                        out.record(&serde_json::to_vec(&f).map_err(|e| Error::Msg(e.to_string()))?)?;
                    }
                    LintFormat::Text => out.record(f.text().as_bytes())?,
                }
            }
        }
    }
    out.flush()?;
    // Silent on a clean run, as a CI step's log should be.
    if errors + warnings + report.errors == 0 {
        return Ok(EXIT_OK);
    }
    report.summary(&format_args!(
        "lint: {} read, {} and {}",
        ct_common::report::plural(files, "policy file", "policy files"),
        ct_common::report::plural(errors, "error", "errors"),
        ct_common::report::plural(warnings, "warning", "warnings")
    ));
    Ok(if report.errors > 0 {
        EXIT_ERROR
    } else if errors + warnings > 0 {
        EXIT_NEGATIVE
    } else {
        EXIT_OK
    })
}
