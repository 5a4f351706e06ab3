//! ct-filter: select CloudTrail events by who, what, where and when.
#![forbid(unsafe_code)]

mod hint;
mod lines;
pub mod predicate;
mod prefilter;
pub mod resource;

use std::fmt;
use std::io::{self, IsTerminal, Write};

use clap::Parser;
use ct_common::cli::{InputArgs, OutputArgs, ZoneArgs, after_help};
use ct_common::fields::Found;
use ct_common::input::{self, Flow, Sink};
use ct_common::lines::LinePlace;
use ct_common::output::Output;
use ct_common::report::{Reporter, Summary, plural};
use ct_common::time::Time;
use ct_common::{EXIT_ERROR, EXIT_NEGATIVE, EXIT_OK, Error};

use crate::hint::Hints;

pub use predicate::{Filter, IDENTITY_TYPES, Spec, Verdict};

pub const NAME: &str = "ct-filter";

/// Select CloudTrail events by who, what, where and when.
///
/// ct-filter reads events (the NDJSON that ct-unzip writes, or any input ct-unzip reads: log
/// files, directories, gzip, lookup-events output) and writes the events that match every
/// predicate given, one per line, exactly as they came in. A predicate repeated with several
/// values matches any of them. A value holding `*` or `?` is a glob (`*` any run of
/// characters, `?` one character); any other value must match exactly. Values compare
/// case-sensitively, as CloudTrail writes them (ConsoleLogin, not consolelogin), except
/// --category. An event that lacks the field a predicate tests does not match it; that is not
/// an error.
///
/// Before parsing a line, ct-filter searches it for the literal text the predicates require
/// (an event name, a user name) and skips lines that cannot match without parsing them;
/// lines it has to look at are parsed only as far as the predicates need. Lines that are
/// written out are always checked to be valid JSON; lines that are skipped are not.
#[derive(Parser, Debug)]
#[command(name = NAME, version, max_term_width = 100, after_long_help = after_help(MAN_SECTIONS))]
pub struct Cli {
    #[command(flatten)]
    pub lookup: LookupArgs,

    /// Events at or after TIME (eventTime). TIME: epoch seconds, ISO 8601 (2017-06-01T13:00Z),
    /// a date, '2017-06-01 1:00 pm', '01-27-2015,01:16PM', '2017-06-01 13:00
    /// Australia/Melbourne', now, today, yesterday, 'last month', -2h, -7d, -1mo, '2 days ago'
    /// (see TIMES in the man page); in the zone of --tz unless it has an offset or a zone.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true, help_heading = "Time")]
    pub start: Option<String>,
    /// Events at or before TIME (inclusive, as in lookup-events). A date alone, today,
    /// yesterday, 'this month' or 'last month' means the end of that day or month: --end
    /// 2017-06-01 takes in the whole of 1 June.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true, help_heading = "Time")]
    pub end: Option<String>,

    /// Identity ARN: userIdentity.arn or the ARN of the role a session was issued for.
    #[arg(long, value_name = "ARN", help_heading = "Who")]
    pub arn: Vec<String>,
    /// Assumed role, by name (deploy-agent) or ARN: userIdentity.sessionContext.sessionIssuer.
    #[arg(long, value_name = "ROLE", help_heading = "Who")]
    pub role: Vec<String>,
    /// Identity type (userIdentity.type): Root, IAMUser, AssumedRole, FederatedUser, AWSService,
    /// AWSAccount, IdentityCenterUser, SAMLUser, WebIdentityUser, Unknown, Role, Directory.
    #[arg(long, value_name = "TYPE", help_heading = "Who")]
    pub identity_type: Vec<String>,
    /// Account: recipientAccountId or userIdentity.accountId.
    #[arg(long, value_name = "ID", help_heading = "Who")]
    pub account: Vec<String>,

    /// Region (awsRegion).
    #[arg(long, value_name = "REGION", help_heading = "Where")]
    pub region: Vec<String>,
    /// Source address (sourceIPAddress): an IPv4 or IPv6 address, a CIDR block, or a service
    /// name such as ec2.amazonaws.com (which never matches a CIDR).
    #[arg(long, value_name = "ADDR", help_heading = "Where")]
    pub source_ip: Vec<String>,
    /// User agent (userAgent); usually a glob, such as 'aws-cli/*'.
    #[arg(long, value_name = "AGENT", help_heading = "Where")]
    pub user_agent: Vec<String>,

    /// Calls that failed: errorCode is present, or a console sign-in failed
    /// (responseElements.ConsoleLogin is Failure, with an errorMessage and often no errorCode).
    #[arg(long, conflicts_with = "no_error", help_heading = "Outcome")]
    pub error: bool,
    /// Calls that succeeded: no errorCode, and no failed console sign-in.
    #[arg(long, help_heading = "Outcome")]
    pub no_error: bool,
    /// Error code (errorCode), such as AccessDenied or '*UnauthorizedOperation'.
    #[arg(long, value_name = "CODE", help_heading = "Outcome")]
    pub error_code: Vec<String>,
    /// Event type (eventType): AwsApiCall, AwsServiceEvent, AwsConsoleSignIn, ...
    #[arg(long, value_name = "TYPE", help_heading = "Outcome")]
    pub event_type: Vec<String>,
    /// Event category: management, data, insight or networkactivity (any case). Records older
    /// than eventVersion 1.07 have none: managementEvent false means data, an Insights event
    /// type means insight, anything else management.
    #[arg(long, value_name = "CATEGORY", help_heading = "Outcome")]
    pub category: Vec<String>,

    /// Any field: a dotted PATH (requestParameters.instanceType) equal to VALUE. VALUE is
    /// compared with a string (a glob when it holds * or ?), a number (1 equals 1.0), a boolean
    /// (true, false) or null, whichever the field holds; a path through an array matches when
    /// any element does.
    #[arg(long = "where", value_name = "PATH=VALUE", help_heading = "Any field")]
    pub wheres: Vec<String>,
    /// Any field: PATH is present and not null.
    #[arg(long, value_name = "PATH", help_heading = "Any field")]
    pub has: Vec<String>,

    /// Write the events that do not match instead.
    #[arg(short = 'v', long, help_heading = "Output")]
    pub invert: bool,
    /// Write only the number of matching events.
    #[arg(short, long, help_heading = "Output")]
    pub count: bool,
    /// Write nothing; the exit status says whether an event matched. Stops at the first.
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,
    /// Stop after N matching events, reading no further.
    #[arg(long, value_name = "N", help_heading = "Output")]
    pub limit: Option<u64>,
    /// Print a summary line on stderr (events read, matched, errors) even without errors.
    #[arg(long, help_heading = "Output")]
    pub stats: bool,
    /// When nothing matched, say on stderr what came close (values that match without case,
    /// the nearest values seen), as is done anyway when stderr is a terminal. Not with -q or
    /// --invert.
    #[arg(long, help_heading = "Output")]
    pub verbose: bool,
    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub input: InputArgs,

    // Last, so that the heading it sets is not inherited by the arguments after it.
    #[command(flatten, next_help_heading = "Time")]
    pub zone: ZoneArgs,
}

/// The lookup attributes of the console and of `aws cloudtrail lookup-events`, as ct-filter
/// matches them; `ct-fetch --lookup` takes the same options with the same meaning.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct LookupArgs {
    /// Event ID (eventID).
    #[arg(long, value_name = "ID", help_heading = "Lookup attributes")]
    pub event_id: Vec<String>,
    /// Event name (eventName), such as ConsoleLogin or RunInstances.
    #[arg(long, value_name = "NAME", help_heading = "Lookup attributes")]
    pub event_name: Vec<String>,
    /// Event source (eventSource): ec2.amazonaws.com, or just ec2.
    #[arg(long, value_name = "SOURCE", help_heading = "Lookup attributes")]
    pub event_source: Vec<String>,
    /// Read-only calls (true) or calls that change something (false): readOnly.
    #[arg(long, value_name = "BOOL", value_parser = clap::value_parser!(bool), help_heading = "Lookup attributes")]
    pub read_only: Option<bool>,
    /// User name as the console shows it: userIdentity.userName, the session name of an
    /// assumed role, the last part of the identity's ARN, or root for the root user.
    #[arg(long, value_name = "NAME", help_heading = "Lookup attributes")]
    pub user: Vec<String>,
    /// Resource type in resources[].type, such as AWS::S3::Object; for an event without
    /// resources[], the type of a resource its request names, as the console shows it
    /// (AWS::CloudFormation::Stack) or by its IAM name (subnet). See RESOURCES.
    #[arg(long, value_name = "TYPE", help_heading = "Lookup attributes")]
    pub resource_type: Vec<String>,
    /// Resource ARN in resources[].ARN, the last part of it, or its name as the console shows
    /// it (a stack's name); for an event without resources[], of the resources its request
    /// names. See RESOURCES.
    #[arg(long, value_name = "NAME", help_heading = "Lookup attributes")]
    pub resource_name: Vec<String>,
    /// Access key ID (userIdentity.accessKeyId).
    #[arg(long, value_name = "KEY", help_heading = "Lookup attributes")]
    pub access_key_id: Vec<String>,
}

impl LookupArgs {
    /// Whether any attribute was given.
    pub fn any(&self) -> bool {
        !(self.event_id.is_empty()
            && self.event_name.is_empty()
            && self.event_source.is_empty()
            && self.read_only.is_none()
            && self.user.is_empty()
            && self.resource_type.is_empty()
            && self.resource_name.is_empty()
            && self.access_key_id.is_empty())
    }

    /// A filter spec holding these attributes and nothing else.
    pub fn spec(&self) -> Spec {
        Spec {
            event_id: self.event_id.clone(),
            event_name: self.event_name.clone(),
            event_source: self.event_source.clone(),
            read_only: self.read_only,
            user: self.user.clone(),
            resource_type: self.resource_type.clone(),
            resource_name: self.resource_name.clone(),
            access_key_id: self.access_key_id.clone(),
            ..Spec::default()
        }
    }
}

/// Extra man page sections, rendered after OPTIONS by the man page generator.
pub const MAN_SECTIONS: &[(&str, &str)] = &[
    (
        "MATCHING",
        "Every predicate given must hold; a predicate repeated with several values holds when any value matches. \
         Values holding * or ? are globs; others match exactly and case-sensitively, as CloudTrail writes them \
         (event names are ConsoleLogin, RunInstances). --category ignores case. An event that lacks the field a \
         predicate tests does not match it, and is not an error; --invert writes exactly the events that do not match.\n\n\
         --user follows what the console shows as the user name: userIdentity.userName, the session name of an assumed \
         role (the last part of its ARN), the last part of any identity ARN, and root for the root user. --role selects \
         the role a session was issued for (sessionContext.sessionIssuer), by name or ARN. --start and --end are both \
         inclusive and compare instants, so any zone in eventTime is honoured.\n\n\
         --error selects the calls that failed: errorCode present and not null, and the failed console sign-ins, which \
         CloudTrail writes as ConsoleLogin events with responseElements.ConsoleLogin Failure and an errorMessage (such as \
         \"Failed authentication\") but usually no errorCode. --no-error selects the rest.",
    ),
    (
        "RESOURCES",
        "--resource-type and --resource-name test the event's resources[] (the type, the ARN, the ARN's last part). \
         Many events carry no resources[] (most management events, such as CloudFormation's, and events written before \
         CloudTrail added the field); for those, as the console's event history does, they test the resources the IAM \
         mapping of ct-actions finds in the request and response (CreateStack's stackName, RunInstances' instances, \
         subnets and security groups), leaving out the ones only inferred (the role an iam:PassRole passes).\n\n\
         The type of such a resource is the one the console shows, from its ARN's service and resource: \
         AWS::S3::Bucket, AWS::S3::Object, AWS::EC2::Instance, AWS::EC2::SecurityGroup, AWS::EC2::Subnet, AWS::EC2::Volume, \
         AWS::EC2::VPC, AWS::CloudFormation::Stack, AWS::IAM::Role, AWS::IAM::User, AWS::IAM::Group, AWS::IAM::Policy, \
         AWS::IAM::InstanceProfile, AWS::Lambda::Function, AWS::DynamoDB::Table, AWS::KMS::Key, AWS::SNS::Topic, \
         AWS::SQS::Queue, AWS::RDS::DBInstance, AWS::RDS::DBCluster; any resource also has its IAM resource type name \
         from the Service Authorization Reference (instance, subnet, image, stack). Its name is its ARN, the ARN's last \
         part, or the name the console shows: a stack's name (stack/NAME/ID), a Lambda function's name without version \
         or alias. A resource the event names only as a pattern (instance/* for the instances a call creates, stack/*/* \
         for every stack) is of its type but has no name.\n\n\
         The mapping runs only for events that every other predicate selected, and only when --resource-type or \
         --resource-name is given.",
    ),
    ("TIMES", ct_common::time::MAN_TIMES),
    (
        "INPUT",
        "NDJSON events (the output of ct-unzip) are read line by line, and matching lines are written exactly as they \
         came in. Anything else ct-unzip reads (gzip files, delivery files, directories, lookup-events output, \
         EventBridge envelopes) goes through the same reader as ct-unzip, and each event comes out as ct-unzip would \
         write it. A line that is not JSON, or not an object, is reported with its line number and dropped.",
    ),
    (
        "NOTHING MATCHED",
        "When no event matched and standard error is a terminal (or with --verbose), one line on stderr says what came \
         close: the values that match a predicate without case (no event matched; ConsoleLogin matches --event-name \
         without case (12 events)), else the nearest values seen by edit distance, or all of them when there are few, \
         for --event-name, --event-source, --user, --role, --account, --region, --error-code, --event-type and \
         --access-key-id; the span of eventTime read when a time is given. To find them, the events are looked at \
         while nothing has matched yet, without the literal search that skips lines; at most 4096 distinct values are \
         kept per option. Scripts (stderr not a terminal, no --verbose) get no such line, and -q and --invert never do; \
         the exit status is the same either way.",
    ),
    (
        "EXIT STATUS",
        "0 when an event matched (with --invert, when an event was written), 1 when none did, 2 on an error: bad usage, \
         an unparseable time, glob or CIDR, unreadable or malformed input. With -q, a match found before an error \
         still gives 0. A closed standard output ends ct-filter quietly with status 0.",
    ),
    (
        "EXAMPLES",
        r#"ct-unzip logs/ \
    | ct-filter --event-name ConsoleLogin --start '2017-06-01 12:00 AM'
ct-unzip logs/ | ct-filter --user alice --start '2017-06-01 12:00 AM'
ct-unzip logs/ | ct-filter --event-name CreateStack \
    --start '2017-06-01 1:00 pm' --end '2017-06-02 5:00 pm'
ct-filter --role deploy-agent --no-error logs/
ct-filter --resource-type AWS::CloudFormation::Stack \
    --resource-name webapp-prod logs/
ct-filter --event-name ConsoleLogin --error logs/
ct-filter --where requestParameters.instanceType='t2.*' \
    --source-ip 198.51.100.0/24 events.ndjson
ct-filter -c --error-code AccessDenied --start -7d events.ndjson"#,
    ),
    ("SEE ALSO", "ct(7), ct-unzip(1), ct-actions(1), ct-policy(1), jq(1)"),
];

impl Cli {
    pub fn spec(&self) -> Spec {
        Spec {
            start: self.start.clone(),
            end: self.end.clone(),
            tz: self.zone.tz.clone(),
            arn: self.arn.clone(),
            role: self.role.clone(),
            identity_type: self.identity_type.clone(),
            account: self.account.clone(),
            region: self.region.clone(),
            source_ip: self.source_ip.clone(),
            user_agent: self.user_agent.clone(),
            error: self.error,
            no_error: self.no_error,
            error_code: self.error_code.clone(),
            event_type: self.event_type.clone(),
            category: self.category.clone(),
            wheres: self.wheres.clone(),
            has: self.has.clone(),
            ..self.lookup.spec()
        }
    }
}

/// Runs ct-filter; returns the exit status.
pub fn run(cli: &Cli) -> Result<u8, Error> {
    let filter = Filter::new(&cli.spec(), Time::now().map_err(Error::Usage)?).map_err(Error::Usage)?;
    let mut report = cli.input.reporter(NAME);
    // Why nothing matched, for people: on a terminal or when asked, never for scripts.
    let hinting = !cli.invert && !cli.quiet && (cli.verbose || io::stderr().is_terminal());
    let mut sink = Select {
        filter: &filter,
        out: Output::stdout(cli.output.line_buffered),
        invert: cli.invert,
        write: !cli.count && !cli.quiet,
        limit: if cli.quiet { Some(1) } else { cli.limit },
        matched: 0,
        read: 0,
        found: Some(Found::default()),
        hints: hinting.then(|| Hints::new(&filter)),
    };
    if sink.limit != Some(0) {
        input::run(&cli.input.paths, cli.input.jobs(), &mut sink, &mut report)?;
    }
    sink.out.flush()?;
    let (matched, read) = (sink.matched, sink.read);
    if matched == 0
        && sink.limit != Some(0)
        && let Some(h) = &sink.hints
    {
        let _ = writeln!(io::stderr().lock(), "{NAME}: {}", h.message());
    }
    if cli.count {
        let mut out = Output::stdout(false);
        out.record(matched.to_string().as_bytes())?;
        out.flush()?;
    }
    if report.errors > 0 || cli.stats {
        let mut summary = Summary::new(format_args!("{} read", plural(read, "event", "events")));
        summary.part(format_args!("{matched} {}", if cli.invert { "written" } else { "matched" })).errors(&report);
        report.summary(&summary);
    }
    Ok(if report.errors > 0 && !(cli.quiet && matched > 0) {
        EXIT_ERROR
    } else if matched > 0 {
        EXIT_OK
    } else {
        EXIT_NEGATIVE
    })
}

/// Where events and lines end up: tested, then written, counted or dropped.
pub struct Select<'f> {
    filter: &'f Filter,
    out: Output,
    invert: bool,
    write: bool,
    limit: Option<u64>,
    matched: u64,
    pub(crate) read: u64,
    found: Option<Found<'static>>,
    /// What came close, while nothing has matched (then dropped).
    hints: Option<Hints>,
}

impl Select<'_> {
    /// Whether whole stretches of lines may be skipped on the prefilter's word.
    /// Not while looking for what came close: every event counts then.
    fn can_skip(&self) -> bool {
        !self.invert && self.hints.is_none() && !self.filter.prefilter.is_empty()
    }

    fn consider(&mut self, text: &[u8], place: &dyn fmt::Display, report: &mut Reporter) -> io::Result<Flow> {
        self.read += 1;
        let ruled_out = !self.invert && !self.filter.prefilter.may_match(text);
        if ruled_out && self.hints.is_none() {
            return Ok(Flow::Continue);
        }
        let mut found = self.found.take().unwrap_or_default().recycle();
        let verdict = self.filter.test(text, &mut found);
        if let Some(h) = &mut self.hints
            && matches!(verdict, Ok(Verdict::NoMatch))
        {
            h.record(self.filter, &found);
        }
        self.found = Some(found.recycle());
        if ruled_out {
            // Looked at only for the hints: as without them, never reported nor written.
            return Ok(Flow::Continue);
        }
        let hit = match verdict {
            Ok(Verdict::Match) => !self.invert,
            Ok(Verdict::NoMatch) => self.invert,
            Ok(Verdict::Container) => {
                // A container on one line: its events, each tested as any other.
                self.read -= 1;
                return input::document(self, text, place, report);
            }
            Ok(Verdict::NotObject) => return Ok(report.error(place, &"JSON value is not an object")),
            Err(e) => return Ok(report.error(place, &format_args!("invalid JSON: {e}"))),
        };
        if !hit {
            return Ok(Flow::Continue);
        }
        // The test may have stopped reading early; what is written must be whole JSON, and
        // UTF-8 (skipping a value does not decode it).
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(text) {
            return Ok(report.error(place, &format_args!("invalid JSON: {e}")));
        }
        if std::str::from_utf8(text).is_err() {
            return Ok(report.error(place, &"invalid UTF-8 in a string"));
        }
        self.matched += 1;
        self.hints = None;
        if self.write {
            self.out.record(text)?;
        }
        Ok(if self.limit.is_some_and(|l| self.matched >= l) { Flow::Stop } else { Flow::Continue })
    }
}

impl Sink for Select<'_> {
    fn event(&mut self, json: &[u8], report: &mut Reporter) -> io::Result<Flow> {
        self.consider(json, &"event", report)
    }

    fn line(&mut self, text: &[u8], place: LinePlace<'_>, report: &mut Reporter) -> io::Result<Flow> {
        self.consider(text, &place, report)
    }

    fn lines(&mut self, region: &[u8], name: &str, line: &mut u64, report: &mut Reporter) -> io::Result<Flow> {
        lines::region(region, line, self, name, report)
    }
}
