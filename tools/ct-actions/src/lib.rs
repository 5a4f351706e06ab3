//! ct-actions: which IAM actions CloudTrail events really used.
#![forbid(unsafe_code)]

mod table;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::sync::LazyLock;

use clap::Parser;
use compact_str::CompactString;
use ct_common::Error;
use ct_common::cli::{InputArgs, MessageArgs, OutputArgs, after_help};
use ct_common::input::{self, Flow, Fork, Sink};
use ct_common::lines::{self, LinePlace};
use ct_common::output::Output;
use ct_common::report::{Reporter, Summary, plural};
use ct_iam::{Catalog, Event, Mapping};
use serde::Serialize;

pub use ct_record::{ActionRecord, Capped, Observed, Wire};

pub const NAME: &str = "ct-actions";

/// Which IAM actions CloudTrail events really used.
///
/// ct-actions maps each event to the IAM actions the call needed (zero, one or several) and
/// writes one action record per action, sorted by action: how often it was used, how often
/// refused, when, where, by whom, on which resources, and the condition-key values the events
/// show. It reads events (NDJSON, or anything ct-unzip reads) and its own action records,
/// which it merges: the records of any split of the events, merged, equal the records of all
/// of them, so ct-actions can be both the map and the reduce step of a larger job.
///
/// The mapping follows the AWS documentation: the IAM prefix of each event source (CloudWatch
/// logs as monitoring, Pinpoint's prefix is mobiletargeting, ...), S3's event names that are not
/// its action names (ListObjects needs s3:ListBucket, CopyObject s3:PutObject and s3:GetObject),
/// API-version suffixes (Lambda GetFunction20150331v2), KMS ReEncrypt (kms:ReEncryptFrom and
/// kms:ReEncryptTo), Lambda's Invoke data event (lambda:InvokeFunction), API Gateway's HTTP
/// verbs and Keyspaces' CQL verbs. Calls that need no permission of the caller (GetCallerIdentity,
/// console sign-in, SAML and web-identity federation, Identity Center portal calls, calls made
/// by AWS services) and events that are not calls (service events, Insights) map to nothing
/// and are counted in the summary. iam:PassRole is never logged by CloudTrail: it is inferred
/// where a request passes a role, and marked "inferred". Every action is looked up in the IAM
/// action catalog embedded in the tool; one that is not there is still written, with
/// "known": false, and named on stderr.
#[derive(Parser, Debug)]
#[command(
    name = NAME, version, max_term_width = 100, after_long_help = after_help(MAN_SECTIONS),
    mut_arg("verbose", |a| a.help("Write notes on stderr: each event that needs no permission, and why")),
    mut_arg("quiet", |a| a.help("Do not write the summary line (errors and unknown actions are still reported)")),
)]
pub struct Cli {
    /// Write one record per event and action, in input order, as events arrive (no merging).
    #[arg(long, conflicts_with = "text")]
    pub per_event: bool,

    /// Write only the sorted, distinct action names (service:Action), one per line.
    #[arg(long)]
    pub text: bool,

    /// Keep at most N values in each set of a record (regions, accounts, principals, resources,
    /// each context key): the N smallest in sorted order, with the set named in "capped" when
    /// values were left out.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub cap: u32,

    #[command(flatten)]
    pub messages: MessageArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

/// Extra man page sections, rendered after OPTIONS by the man page generator.
pub const MAN_SECTIONS: &[(&str, &str)] = &[
    (
        "ACTION RECORDS",
        "One JSON object per line, sorted by action:\n\n\
         {\"action\":\"ec2:RunInstances\",\"count\":3,\"denied\":1,\"errors\":{\"Client.UnauthorizedOperation\":1},\"first\":\"2017-06-01T01:02:03Z\",\"last\":\"2017-06-01T05:00:00Z\",\"regions\":[\"ap-southeast-2\"],\"accounts\":[\"111122223333\"],\"principals\":[\"arn:aws:iam::111122223333:role/deploy-agent\"],\"resources\":[\"arn:aws:ec2:ap-southeast-2:111122223333:instance/*\"],\"context\":{\"ec2:InstanceType\":[\"t2.micro\"]},\"known\":true}\n\n\
         action: the IAM action, in the catalog's spelling. count: events that used it. denied: of those, calls refused \
         for lack of permission (AccessDenied, Client.UnauthorizedOperation and their kin); other errors still prove the \
         permission was granted. errors: every errorCode with its count. first, last: the earliest and latest eventTime. \
         regions, accounts, principals (the role of an assumed-role session, else the identity's ARN): sets. resources: the \
         ARNs the calls touched, from the records' resources or from the request parameters filled into the catalog's ARN \
         templates (`instance/*` where the new resource's name was not yet known), or from the response where only it names \
         the resource (a new stack's id); ids the templates cannot take as they are are read as AWS writes them (Route 53's \
         `/hostedzone/Z1`, CodeBuild's build ids `PROJECT:UUID`), and a DynamoDB query or scan of an index names the index. \
         context: condition-key values the events show, for keys that apply to the action (aws:RequestedRegion, aws:SourceIp, \
         aws:MultiFactorAuthPresent, ec2:InstanceType, s3:prefix, aws:RequestTag/...). A call made by an AWS service with the \
         caller's credentials (userIdentity.invokedBy) has aws:ViaAWSService true, and aws:CalledVia with that service when \
         it is one that sets the key (athena, cloudformation, dynamodb, kms); a direct call has neither. An inferred \
         iam:PassRole has the global keys of the call that passed the role, and iam:PassedToService, the service principal the role is passed to (the service called, or \
         ecs-tasks.amazonaws.com for ECS task roles, ec2.amazonaws.com for instance profiles, ...; none for CodeBuild, \
         which does not set the key); a launch that names an instance profile has ec2:InstanceProfile, the profile's ARN, \
         since the profile's role (in PassRole's resources as role/*) is not in the event. known: the catalog holds the action. inferred: present and true \
         when every use was inferred (iam:PassRole). capped: the sets that reached --cap. partial: the sets that some events had no value for \
         (regions, accounts, principals, time; resources when an event named none of an action's resources; context:KEY when a \
         service key that applies to the action, such as s3:prefix, was missing from some requests; context:aws:CalledVia when \
         some calls were not made through a service that sets it), which therefore do not \
         speak for every call. The sets above hold the values of the calls that succeeded (or failed only because the service \
         was busy: throttling, internal errors); failed and refused, present when such calls were seen, hold the same sets \
         (regions, accounts, principals, resources, context, capped, partial) for the calls that failed with another error \
         (the permission was granted, the value may be a mistake) and for those refused for lack of permission: \
         \"refused\":{\"regions\":[\"eu-west-1\"],\"accounts\":[\"111122223333\"],\"principals\":[...],\"resources\":[...],\"context\":{...}}.\n\n\
         With --per-event, each line is one use: action, eventID, eventTime, principal, region, account, resources, context, \
         errorCode, denied, known, inferred.",
    ),
    (
        "MAPPING",
        // The list of exceptions is iam/data/unmapped.txt, which iam/tests/operations.rs keeps
        // exact.
        concat!(
            "Each event is mapped to the IAM actions its call needed, from the IAM action catalog (the Service \
         Authorization Reference, iam/data/catalog.tsv). The service prefix is the event source's first label, but for the \
         sources that log under another name (monitoring.amazonaws.com is cloudwatch) and those whose SDK signing name is \
         the prefix (bedrock-agentcore-control signs as bedrock-agentcore). The action is the event name, with an API \
         version suffix removed (CreateFunction20150331), except where the service authorises the call otherwise: S3's \
         event names (ListObjects is s3:ListBucket, a versioned request needs the Version action), API Gateway's HTTP \
         verbs, Keyspaces' CQL verbs, Budgets' ModifyBudget and ViewBudget, SQS batches (SendMessageBatch needs \
         sqs:SendMessage), DynamoDB PartiQL by each statement's verb and transactions by each item's kind, and the other \
         renames listed in iam/src/renames.rs with the page behind each. Calls that need no permission (GetCallerIdentity, \
         federation, console sign-in) and events that are not calls (service events, Insights) map to nothing and are \
         counted in the summary.\n\n\
         Actions CloudTrail never logs but the request proves were needed are added, marked inferred: iam:PassRole for \
         each role a request passes (a member named like a role, or one the SDK models document as a role's ARN, holding \
         a role ARN, or an EC2 instance profile), with iam:PassedToService; and the service's tagging action for a create \
         that carries tags where AWS authorises it apart (sqs:TagQueue for CreateQueue, kms:TagResource for CreateKey, \
         ecs:TagResource, lambda:TagResource, ...), on the resource created.\n\n\
         Every operation of every AWS service in the SDK models (iam/data/operations.tsv, from botocore) is checked at \
         each build to map to actions of the catalog, or to need no permission (calls the models send unsigned or with a \
         bearer token). An operation the catalog does not know is kept as prefix:Operation, marked \"known\": false \
         and named on standard error. The \
             operations of the SDK models that map to no action of the catalog, by reason:\n\n",
            include_str!("../../../iam/data/unmapped.txt")
        ),
    ),
    (
        "MERGING",
        "Action records given as input (alone or mixed with events) are merged with what the events give: counts add up, \
         first and last widen, sets are united and capped again. Because each capped set keeps its smallest values, merging \
         the outputs of any split of the events gives exactly the output on all of them, in any order.",
    ),
    (
        "EXIT STATUS",
        "0 when every input was read, 2 when any input was bad or unreadable (the summary line comes first), on a usage \
         error, or when writing fails. Unknown actions are reported but are not errors. A closed standard output ends \
         ct-actions quietly with status 0.",
    ),
    (
        "EXAMPLES",
        r#"ct-unzip logs/ | ct-filter --role deploy-agent | ct-actions
ct-unzip logs/ | ct-filter --user alice | ct-actions --text
ct-unzip logs/ | ct-actions --per-event | jq -c 'select(.denied)'
cat day-*.actions | ct-actions > month.actions"#,
    ),
    ("SEE ALSO", "ct(7), ct-unzip(1), ct-filter(1), ct-policy(1), jq(1)"),
];

/// One use, written by --per-event.
#[derive(Serialize)]
struct PerEvent<'a> {
    action: &'a str,
    #[serde(rename = "eventID", skip_serializing_if = "Option::is_none")]
    event_id: Option<&'a str>,
    #[serde(rename = "eventTime", skip_serializing_if = "Option::is_none")]
    event_time: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    principal: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    resources: &'a [Cow<'a, str>],
    context: BTreeMap<&'a str, Vec<&'a str>>,
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
    denied: bool,
    known: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    inferred: bool,
}

/// Runs ct-actions; returns the exit status.
pub fn run(cli: &Cli) -> Result<u8, Error> {
    let mut report = cli.messages.reporter(NAME, &cli.input);
    let mut state = State {
        out: Some(Output::stdout(cli.output.line_buffered)),
        per_event: cli.per_event,
        text: cli.text,
        cap: cli.cap as usize,
        actions: table::Actions::default(),
        events: 0,
        merged: 0,
        no_permission: BTreeMap::new(),
        not_calls: BTreeMap::new(),
        written: BTreeMap::new(),
        principals: hashbrown::HashMap::new(),
    };
    input::run_forked(&cli.input.paths, cli.input.jobs(), &mut state, &mut report)?;
    let mut out = state.out.take().unwrap_or_else(|| Output::stdout(false));
    let mut sorted: Vec<&ActionRecord> = state.actions.iter().collect();
    sorted.sort_by(|a, b| a.action.cmp(&b.action));
    if !cli.per_event {
        if cli.text {
            for r in &sorted {
                out.record(r.action.as_bytes())?;
            }
        } else {
            for r in &sorted {
                out.json(&r.to_wire())?;
            }
        }
    }
    out.flush()?;
    let mut unknown: Vec<&str> = sorted.iter().filter(|r| !r.known).map(|r| r.action.as_str()).collect();
    unknown.extend(state.written.iter().filter(|(_, known)| !**known).map(|(a, _)| a.as_str()));
    if !unknown.is_empty() {
        let names = unknown.join(", ");
        report.fatal(&format_args!("not in the IAM action catalog ({}): {names}", Catalog::get().source));
    }
    let mut summary = Summary::new(plural(state.events, "event", "events"));
    let actions = (state.actions.len() + state.written.len()) as u64;
    summary.part(format_args!("{} ({} unknown)", plural(actions, "action", "actions"), unknown.len()));
    if state.merged > 0 {
        summary.part(format_args!("{} merged", plural(state.merged, "action record", "action records")));
    }
    let list = |m: &BTreeMap<String, u64>| m.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ");
    if !state.no_permission.is_empty() {
        let n: u64 = state.no_permission.values().sum();
        summary.part(format_args!("{n} needing no permission ({})", list(&state.no_permission)));
    }
    if !state.not_calls.is_empty() {
        let n: u64 = state.not_calls.values().sum();
        summary.part(format_args!("{n} not calls ({})", list(&state.not_calls)));
    }
    report.summary(summary.errors(&report));
    Ok(report.exit())
}

/// Lines read before any is mapped (`State::batch`).
const BATCH: usize = 16;

struct State {
    /// None in parallel workers, which never write per-event records.
    out: Option<Output>,
    per_event: bool,
    text: bool,
    cap: usize,
    /// By action; sorted when written.
    actions: table::Actions,
    events: u64,
    merged: u64,
    no_permission: BTreeMap<String, u64>,
    not_calls: BTreeMap<String, u64>,
    /// With --per-event, which writes no records: each action written, and whether the catalog
    /// knows it, for the summary and the unknown actions' names.
    written: BTreeMap<String, bool>,
    /// The run's first 64 principals, numbered (`principal_bit`).
    principals: hashbrown::HashMap<CompactString, u32>,
}

/// Adds one to the count of `what`.
fn count(counts: &mut BTreeMap<String, u64>, what: &str) {
    match counts.get_mut(what) {
        Some(n) => *n += 1,
        None => {
            counts.insert(what.to_string(), 1);
        }
    }
}

impl State {
    fn out_mut(&mut self) -> &mut Output {
        // Workers never write; the main state always has an output.
        self.out.get_or_insert_with(|| Output::stdout(false))
    }

    /// A state for a parallel worker: same settings, its own aggregate.
    fn worker(&self) -> State {
        State {
            out: None,
            per_event: false,
            text: self.text,
            cap: self.cap,
            actions: table::Actions::default(),
            events: 0,
            merged: 0,
            no_permission: BTreeMap::new(),
            not_calls: BTreeMap::new(),
            written: BTreeMap::new(),
            principals: hashbrown::HashMap::new(),
        }
    }

    /// Adds a worker's aggregate (exactly: the merge of records is the record of the union).
    fn absorb(&mut self, w: State) {
        for r in w.actions.into_records() {
            self.actions.merge(r, self.cap);
        }
        self.events += w.events;
        self.merged += w.merged;
        for (k, n) in w.no_permission {
            *self.no_permission.entry(k).or_default() += n;
        }
        for (k, n) in w.not_calls {
            *self.not_calls.entry(k).or_default() += n;
        }
    }

    /// Lines in two stages: every event of the batch read, then each mapped and added in
    /// order (the reader's code, then the mapping's, stays in the instruction cache).
    fn batch(&mut self, batch: &[(&[u8], u64)], name: &str, report: &mut Reporter) -> io::Result<Flow> {
        let mut events: Vec<Event<'_>> = batch.iter().map(|_| Event::default()).collect();
        let plain: Vec<bool> =
            batch.iter().zip(&mut events).map(|((text, _), ev)| Event::parse_call(text, ev)).collect();
        for ((&(text, n), ev), plain) in batch.iter().zip(&events).zip(plain) {
            let flow = if plain {
                self.mapped(ev, &LinePlace(name, n), report)?
            } else {
                self.unusual_line(text, LinePlace(name, n), report)?
            };
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// A line that is not a plain event: an event the fast reader leaves to serde, an action
    /// record, a container of events, or an error.
    fn unusual_line(&mut self, text: &[u8], place: LinePlace<'_>, report: &mut Reporter) -> io::Result<Flow> {
        use ct_common::fields::{Found, Paths, Shape, extract};
        static ACTION_KEY: LazyLock<memchr::memmem::Finder<'static>> =
            LazyLock::new(|| memchr::memmem::Finder::new(b"\"action\""));
        if ACTION_KEY.find(text).is_none()
            && let Ok(ev) = Event::parse(text)
            && (ev.event_source.is_some() || ev.event_name.is_some())
        {
            return self.mapped(&ev, &place, report);
        }
        let mut paths = Paths::new();
        let action = paths.add("action");
        let markers = [paths.add("eventName"), paths.add("eventSource"), paths.add("eventTime")];
        let mut found = Found::default();
        match extract(&paths, text, &mut found) {
            Ok(Shape::Container) => input::document(self, text, &place, report),
            Ok(Shape::NotObject) => Ok(report.error(&place, &"JSON value is not an object")),
            Err(e) => Ok(report.error(&place, &format_args!("invalid JSON: {e}"))),
            Ok(Shape::Event) if found.get(action).next().is_some() => Ok(match serde_json::from_slice::<Wire>(text) {
                Ok(w) => {
                    self.merge(ActionRecord::from_wire(w, self.cap));
                    Flow::Continue
                }
                Err(e) => report.error(&place, &format_args!("bad action record: {e}")),
            }),
            Ok(Shape::Event) if markers.iter().all(|&m| found.get(m).next().is_none()) => {
                Ok(report.error(&place, &"neither a CloudTrail event nor an action record"))
            }
            Ok(Shape::Event) => self.event_at(text, &place, report),
        }
    }

    fn merge(&mut self, r: ActionRecord) {
        self.merged += 1;
        let cap = self.cap;
        if self.per_event {
            // Per-event output streams events; records given as input pass through merged at
            // the end would break the order, so they are only counted.
            return;
        }
        self.actions.merge(r, cap);
    }

    fn event_at(&mut self, json: &[u8], place: &dyn fmt::Display, report: &mut Reporter) -> io::Result<Flow> {
        match Event::parse(json) {
            Ok(ev) => self.mapped(&ev, place, report),
            Err(e) => Ok(report.error(place, &format_args!("not a CloudTrail event: {e}"))),
        }
    }

    /// The bit of principal `p` among the run's first 64 principals (0 for the others). A
    /// trail has few principals, each in the sets of many actions, and the record of an action
    /// keeps the bits of those it was given (`table::Actions`): a principal seen before is not
    /// looked up in the record's set again. Those lookups, in sets of long strings spread over
    /// memory, were the largest part of the aggregation's cache misses.
    fn principal_bit(&mut self, p: &str) -> u64 {
        if let Some(&n) = self.principals.get(p) {
            return 1 << n;
        }
        let n = self.principals.len() as u32;
        if n >= 64 {
            return 0;
        }
        self.principals.insert(p.into(), n);
        1 << n
    }

    fn mapped(&mut self, ev: &Event<'_>, place: &dyn fmt::Display, report: &mut Reporter) -> io::Result<Flow> {
        self.events += 1;
        match ct_iam::mapping::map_with(ev, !self.text) {
            Mapping::NoPermission(why) => {
                let source = ev.event_source.as_deref().unwrap_or("?");
                let name = ev.event_name.as_deref().unwrap_or("?");
                report.note(place, &format_args!("{source}:{name} {why}"));
                count(&mut self.no_permission, why);
            }
            Mapping::NotACall(what) => count(&mut self.not_calls, what),
            Mapping::Actions(uses) => {
                let denied = ev.denied();
                let principal = ev.principal();
                let principal_bit = match principal {
                    Some(p) if !self.text && !self.per_event => self.principal_bit(p),
                    _ => 0,
                };
                for u in uses {
                    if self.per_event {
                        let mut context: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
                        for (k, v) in &u.context {
                            context.entry(k.as_ref()).or_default().push(v.as_ref());
                        }
                        let rec = PerEvent {
                            action: &u.action,
                            event_id: ev.event_id.as_deref(),
                            event_time: ev.event_time.as_deref(),
                            principal: ev.principal(),
                            region: ev.aws_region.as_deref(),
                            account: ev.account(),
                            resources: &u.resources,
                            context,
                            error_code: ev.error_code.as_deref(),
                            denied,
                            known: u.known,
                            inferred: u.inferred,
                        };
                        self.out_mut().json(&rec)?;
                        if !self.written.contains_key(u.action.as_ref()) {
                            self.written.insert(u.action.to_string(), u.known);
                        }
                        continue;
                    }
                    let cap = self.cap;
                    let (r, principals) = self.actions.get_with_principals(&u.action, u.id);
                    // The bits speak for the set of the calls that succeeded; a failed call's
                    // principal goes to its own set (`Sets::failed`, `refused`).
                    let bit = if ev.error_code.is_none() && !denied { principal_bit } else { 0 };
                    let principal_seen = *principals & bit != 0;
                    *principals |= bit;
                    let seen = if self.text {
                        // --text writes names only: the sets would be work thrown away.
                        Observed::name_only(u.known, u.inferred)
                    } else {
                        Observed {
                            time: ev.event_time.as_deref(),
                            region: ev.aws_region.as_deref(),
                            account: ev.account(),
                            principal,
                            principal_seen,
                            resources: &u.resources,
                            unnamed: u.unnamed,
                            context: &u.context,
                            absent: &u.absent,
                            called_via_absent: u.called_via_absent,
                            error_code: ev.error_code.as_deref(),
                            denied,
                            known: u.known,
                            inferred: u.inferred,
                        }
                    };
                    r.add(&seen, cap);
                }
            }
        }
        Ok(Flow::Continue)
    }
}

impl Sink for State {
    fn event(&mut self, json: &[u8], report: &mut Reporter) -> io::Result<Flow> {
        self.event_at(json, &"event", report)
    }

    fn line(&mut self, text: &[u8], place: LinePlace<'_>, report: &mut Reporter) -> io::Result<Flow> {
        self.batch(&[(text, place.1)], place.0, report)
    }

    fn lines(&mut self, region: &[u8], name: &str, line: &mut u64, report: &mut Reporter) -> io::Result<Flow> {
        lines::batch(region, line, BATCH, |b| self.batch(b, name, report))
    }
}

/// The aggregate merges exactly (the records of any split of the events, merged, equal the
/// records of all of them), so NDJSON lines can be shared out among threads; per-event
/// output is written in input order and cannot.
impl Fork for State {
    fn fork(&self) -> Option<Self> {
        (!self.per_event).then(|| self.worker())
    }

    fn join(&mut self, worker: Self) {
        self.absorb(worker)
    }
}
