//! From a CloudTrail event to the IAM actions the call needed.
//!
//! The rules, each from AWS documentation (the Service Authorization Reference, each service's
//! "Logging API calls with AWS CloudTrail" page): the IAM prefix is the first label of
//! eventSource except for the services in `PREFIXES` and those the SDK models sign under
//! another name (iam/data/sources.tsv); event names are IAM action names except for S3
//! (`S3_NAMES`), API-version suffixes (Lambda, CloudFront), KMS ReEncrypt, Lambda's Invoke data
//! event, API Gateway's HTTP verbs, Keyspaces' CQL verbs and the renames of `crate::renames`.
//! Calls that need no permission of the caller map to nothing, with the reason. iam:PassRole
//! is never logged and is inferred where a request passes a role. Every action is looked up in
//! the catalog; one that is not there is reported as unknown, never dropped or invented.
//!
//! This module holds the public API and its tables, and puts an event's uses together; the
//! parts live beside it: the services' name rules (`names`), the plans worked out once per
//! action (`plan`), resolving a source and name to actions and remembering it (`resolve`), the
//! search of the request's text (`request`), the resources a call touched (`resources`), the
//! condition keys it showed (`context`) and the inferred iam:PassRole (`pass_role`).

mod context;
mod names;
mod pass_role;
mod plan;
mod request;
mod resolve;
mod resources;

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::event::Event;
use crate::renames;
use smallvec::SmallVec;

use self::context::context;
use self::pass_role::pass_role;
use self::request::{Params, arns_in};
use self::resolve::{Known, Name, Resolved};
use self::resources::{resources, special_resource};

/// eventSource → IAM prefix where the first label of the source is not the prefix, each from
/// the service's CloudTrail logging page (its example events' eventSource) and its page in the
/// Service Authorization Reference (its service prefix).
pub const PREFIXES: &[(&str, &str)] = &[
    ("monitoring.amazonaws.com", "cloudwatch"),
    ("tagging.amazonaws.com", "tag"),
    ("pinpoint.amazonaws.com", "mobiletargeting"),
    ("pricelist.amazonaws.com", "pricing"),
    ("migrationhub.amazonaws.com", "mgh"),
    ("amazonmq.amazonaws.com", "mq"),
    ("application-insights.amazonaws.com", "applicationinsights"),
    ("rdsdata.amazonaws.com", "rds-data"),
    ("qconnect.amazonaws.com", "wisdom"),
    ("opensearchservice.amazonaws.com", "es"),
    ("cloudcontrolapi.amazonaws.com", "cloudformation"),
    ("servicecatalog-appregistry.amazonaws.com", "servicecatalog"),
    ("contact-lens.amazonaws.com", "connect"),
    ("participant-connect.amazonaws.com", "connect"),
    ("chime-sdk-media-pipelines.amazonaws.com", "chime"),
    ("chime-sdk-voice.amazonaws.com", "chime"),
    ("agreement-marketplace.amazonaws.com", "aws-marketplace"),
    ("discovery-marketplace.amazonaws.com", "aws-marketplace"),
    ("marketplacecatalog.amazonaws.com", "aws-marketplace"),
    ("reporting-marketplace.amazonaws.com", "aws-marketplace"),
    ("management-marketplace.amazonaws.com", "aws-marketplace-management"),
    ("billingconsole.amazonaws.com", "billing"),
    ("taxconsole.amazonaws.com", "tax"),
    ("transcribestreaming.amazonaws.com", "transcribe"),
    ("appstream2.amazonaws.com", "appstream"),
    ("models.lex.amazonaws.com", "lex"),
    ("runtime.lex.amazonaws.com", "lex"),
    ("mturk-requester.amazonaws.com", "mechanicalturk"),
    ("streams.dynamodb.amazonaws.com", "dynamodb"),
    ("email.amazonaws.com", "ses"),
    // AWS Marketplace Metering Service: the Service Authorization Reference lists MeterUsage,
    // BatchMeterUsage, RegisterUsage and ResolveCustomer under AWS Marketplace.
    ("metering-marketplace.amazonaws.com", "aws-marketplace"),
    // Service Authorization Reference, "AWS Partner Central" (service prefix partnercentral):
    // the Selling, Account, Benefits, Channel and Marketing APIs' operations are its actions.
    ("partnercentral-selling.amazonaws.com", "partnercentral"),
    ("partnercentral-account.amazonaws.com", "partnercentral"),
    ("partnercentral-benefits.amazonaws.com", "partnercentral"),
    ("partnercentral-channel.amazonaws.com", "partnercentral"),
    ("partnercentral-marketing.amazonaws.com", "partnercentral"),
    // AWS IoT Developer Guide, "AWS IoT Core policy actions" and "Using AWS IoT secure
    // tunneling": the data plane (shadows, retained messages, publishing) and secure tunneling
    // are authorised under the iot prefix; the Service Authorization Reference gives the jobs
    // data plane its own, "AWS IoT Jobs DataPlane" (iotjobsdata).
    ("data-ats.iot.amazonaws.com", "iot"),
    ("data.jobs.iot.amazonaws.com", "iotjobsdata"),
    ("iotsecuredtunneling.amazonaws.com", "iot"),
];

/// S3 event names that are not the IAM action's name (S3 User Guide, "Amazon S3 CloudTrail
/// events" and "Required permissions for Amazon S3 API operations").
pub const S3_NAMES: &[(&str, &str)] = &[
    ("ListObjects", "ListBucket"),
    ("ListObjectsV2", "ListBucket"),
    ("HeadBucket", "ListBucket"),
    ("ListObjectVersions", "ListBucketVersions"),
    ("ListMultipartUploads", "ListBucketMultipartUploads"),
    ("ListParts", "ListMultipartUploadParts"),
    ("ListBuckets", "ListAllMyBuckets"),
    ("HeadObject", "GetObject"),
    ("SelectObjectContent", "GetObject"),
    ("PostObject", "PutObject"),
    ("CreateMultipartUpload", "PutObject"),
    ("UploadPart", "PutObject"),
    ("CompleteMultipartUpload", "PutObject"),
    ("AbortMultipartUpload", "AbortMultipartUpload"),
    ("DeleteObjects", "DeleteObject"),
    ("GetBucketLifecycle", "GetLifecycleConfiguration"),
    ("GetBucketLifecycleConfiguration", "GetLifecycleConfiguration"),
    ("PutBucketLifecycle", "PutLifecycleConfiguration"),
    ("PutBucketLifecycleConfiguration", "PutLifecycleConfiguration"),
    ("DeleteBucketLifecycle", "PutLifecycleConfiguration"),
    ("GetBucketCors", "GetBucketCORS"),
    ("PutBucketCors", "PutBucketCORS"),
    ("DeleteBucketCors", "PutBucketCORS"),
    ("GetBucketEncryption", "GetEncryptionConfiguration"),
    ("PutBucketEncryption", "PutEncryptionConfiguration"),
    ("DeleteBucketEncryption", "PutEncryptionConfiguration"),
    ("GetBucketReplication", "GetReplicationConfiguration"),
    ("PutBucketReplication", "PutReplicationConfiguration"),
    ("DeleteBucketReplication", "PutReplicationConfiguration"),
    ("DeleteBucketTagging", "PutBucketTagging"),
    ("DeleteBucketPublicAccessBlock", "PutBucketPublicAccessBlock"),
    ("GetAccountPublicAccessBlock", "GetAccountPublicAccessBlock"),
    ("DeleteAccountPublicAccessBlock", "PutAccountPublicAccessBlock"),
    ("GetObjectLockConfiguration", "GetBucketObjectLockConfiguration"),
    ("PutObjectLockConfiguration", "PutBucketObjectLockConfiguration"),
    ("GetBucketAccelerateConfiguration", "GetAccelerateConfiguration"),
    ("PutBucketAccelerateConfiguration", "PutAccelerateConfiguration"),
    ("GetBucketAnalyticsConfiguration", "GetAnalyticsConfiguration"),
    ("PutBucketAnalyticsConfiguration", "PutAnalyticsConfiguration"),
    ("DeleteBucketAnalyticsConfiguration", "PutAnalyticsConfiguration"),
    ("ListBucketAnalyticsConfigurations", "GetAnalyticsConfiguration"),
    ("GetBucketInventoryConfiguration", "GetInventoryConfiguration"),
    ("PutBucketInventoryConfiguration", "PutInventoryConfiguration"),
    ("DeleteBucketInventoryConfiguration", "PutInventoryConfiguration"),
    ("ListBucketInventoryConfigurations", "GetInventoryConfiguration"),
    ("GetBucketMetricsConfiguration", "GetMetricsConfiguration"),
    ("PutBucketMetricsConfiguration", "PutMetricsConfiguration"),
    ("DeleteBucketMetricsConfiguration", "PutMetricsConfiguration"),
    ("ListBucketMetricsConfigurations", "GetMetricsConfiguration"),
    ("GetBucketIntelligentTieringConfiguration", "GetIntelligentTieringConfiguration"),
    ("PutBucketIntelligentTieringConfiguration", "PutIntelligentTieringConfiguration"),
    ("DeleteBucketIntelligentTieringConfiguration", "PutIntelligentTieringConfiguration"),
    ("ListBucketIntelligentTieringConfigurations", "GetIntelligentTieringConfiguration"),
    ("GetBucketNotificationConfiguration", "GetBucketNotification"),
    ("PutBucketNotificationConfiguration", "PutBucketNotification"),
    ("DeleteBucketOwnershipControls", "PutBucketOwnershipControls"),
    ("DeleteBucketWebsite", "DeleteBucketWebsite"),
];

/// Calls that need no IAM permission of the caller: the AWS STS API Reference says
/// GetCallerIdentity and GetSessionToken need none; SAML and web-identity
/// federation is authorised by the role's trust policy; the Identity Center portal and OIDC
/// calls use bearer tokens; DynamoDB's DescribeEndpoints is permissionless.
pub const NO_PERMISSION: &[(&str, &str, &str)] = &[
    ("sts", "GetCallerIdentity", "needs no permission"),
    ("sts", "GetSessionToken", "needs no permission"),
    ("sts", "AssumeRoleWithSAML", "authorised by the role's trust policy"),
    ("sts", "AssumeRoleWithWebIdentity", "authorised by the role's trust policy"),
    ("sso", "GetRoleCredentials", "Identity Center portal call (bearer token)"),
    ("sso", "ListAccounts", "Identity Center portal call (bearer token)"),
    ("sso", "ListAccountRoles", "Identity Center portal call (bearer token)"),
    ("sso", "Logout", "Identity Center portal call (bearer token)"),
    ("sso", "Authenticate", "Identity Center portal call (bearer token)"),
    ("sso", "Federate", "Identity Center portal call (bearer token)"),
    ("sso", "CreateToken", "Identity Center OIDC call (bearer token)"),
    ("sso-oauth", "CreateToken", "Identity Center OIDC call (bearer token)"),
    ("sso-oauth", "RegisterClient", "Identity Center OIDC call (bearer token)"),
    ("sso-oauth", "StartDeviceAuthorization", "Identity Center OIDC call (bearer token)"),
    ("dynamodb", "DescribeEndpoints", "needs no permission"),
];

/// The services that set aws:CalledVia when they call on with the caller's credentials (IAM
/// User Guide, "AWS global condition context keys", aws:CalledVia: the CalledVia services
/// table). Other services set only aws:ViaAWSService.
pub const CALLED_VIA: &[&str] =
    &["athena.amazonaws.com", "cloudformation.amazonaws.com", "dynamodb.amazonaws.com", "kms.amazonaws.com"];

/// Keys that carry a role ARN without saying "role" (issue 18): EC2 flow logs'
/// DeliverLogsPermissionArn (EC2 API Reference, CreateFlowLogs), API Gateway integrations'
/// credentials (REST API Reference, PutIntegration; v2 CreateIntegration CredentialsArn),
/// Cognito user pools' SnsCallerArn (SmsConfigurationType).
/// The SDK models name a few more role members without the word (iam/tests/operations.rs
/// checks that every such member of iam/data/operations.tsv is here): Cognito's
/// EumsSms.CallerArn, Kendra's SecretManagerArn.
pub const ROLE_KEYS: &[&str] =
    &["deliverLogsPermissionArn", "credentials", "credentialsArn", "snsCallerArn", "callerArn", "secretManagerArn"];

/// One IAM action an event used. Its text is borrowed from the catalog and the event where it
/// can be (the mapping runs once per event; copying each string was a third of its time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use<'e> {
    /// `prefix:Action`, in the catalog's spelling when known.
    pub action: Cow<'static, str>,
    /// Whether the catalog holds the action.
    pub known: bool,
    /// Not in the event itself but implied by it (iam:PassRole).
    pub inferred: bool,
    /// ARNs the call touched, or patterns of them (`instance/*` for a new instance).
    pub resources: Vec<Cow<'e, str>>,
    /// The action takes resources but the event named none of them (`resources` is empty
    /// and does not say which); false when details were not asked for.
    pub unnamed: bool,
    /// Condition-key values the event shows, for keys that apply to the action.
    pub context: Vec<(Cow<'static, str>, Cow<'e, str>)>,
    /// A number for the action, the same for each of its uses in this process (actions are
    /// numbered from 0 as the mapping first meets them), so that a caller keeping something per
    /// action can find it without hashing and comparing its name; `None` when the catalog does
    /// not know the action.
    pub id: Option<u32>,
    /// Service condition keys that apply to the action but that the request did not carry
    /// (a ListBucket without a prefix): the values in `context` do not speak for this call.
    pub absent: SmallVec<[&'static str; 2]>,
    /// The call had no aws:CalledVia, not being made through a service of the CalledVia table
    /// (IAM User Guide, "AWS global condition context keys", aws:CalledVia): a record notes in
    /// `partial` that some of its calls lacked the key. A flag rather than the key's name in
    /// `absent`, which nearly every call would then carry (the name cost ct-actions 0.7 % more
    /// instructions). Set with `context` only: false for the uses that carry no global keys
    /// (iam:PassRole) and without details.
    pub called_via_absent: bool,
}

impl Use<'_> {
    /// The use with its text copied, free of the event it came from.
    pub fn into_owned(self) -> Use<'static> {
        Use {
            action: self.action,
            known: self.known,
            inferred: self.inferred,
            resources: self.resources.into_iter().map(|r| Cow::Owned(r.into_owned())).collect(),
            unnamed: self.unnamed,
            context: self.context.into_iter().map(|(k, v)| (k, Cow::Owned(v.into_owned()))).collect(),
            id: self.id,
            absent: self.absent,
            called_via_absent: self.called_via_absent,
        }
    }
}

/// What an event maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping<'e> {
    /// The IAM actions the call needed (one or more).
    Actions(Vec<Use<'e>>),
    /// A call that needs no permission of the caller's own, and why.
    NoPermission(&'static str),
    /// Not a call of the caller at all (service events, Insights, sign-in), and what it is.
    NotACall(&'static str),
}

/// Event sources whose first label is no IAM prefix but whose SDK signing name is
/// (iam/data/sources.tsv, from the SDK models by scripts/aws-sources.py).
static SIGNED_AS: LazyLock<hashbrown::HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    include_str!("../../data/sources.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect()
});

/// The IAM prefix of an event source: the documented exceptions (`PREFIXES`), then the SDK
/// models' signing names, else the source's first label.
pub fn prefix_of(source: &str) -> &str {
    if let Some((_, p)) = PREFIXES.iter().find(|(s, _)| *s == source) {
        return p;
    }
    if let Some(p) = SIGNED_AS.get(source) {
        return p;
    }
    source.split('.').next().unwrap_or(source)
}

/// Strips an API-version suffix in one of the forms AWS really logs: `20150331`,
/// `20150331v2` (Lambda), `2020_05_31` (CloudFront). Never digits that belong to the name.
pub fn strip_version(name: &str) -> Option<&str> {
    let b = name.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    // YYYY_MM_DD
    if b.len() > 10 {
        let t = &b[b.len() - 10..];
        if digits(&t[..4]) && t[4] == b'_' && digits(&t[5..7]) && t[7] == b'_' && digits(&t[8..]) {
            return Some(&name[..name.len() - 10]);
        }
    }
    // YYYYMMDD, optionally followed by vN
    let mut end = b.len();
    if let Some(v) = name.rfind('v')
        && v + 1 < b.len()
        && digits(&b[v + 1..])
    {
        end = v;
    }
    if end > 8 && digits(&b[end - 8..end]) && (b[end - 8] == b'1' || b[end - 8] == b'2') {
        let stem = &name[..end - 8];
        if stem.chars().last().is_some_and(|c| c.is_ascii_alphabetic()) {
            return Some(stem);
        }
    }
    None
}

/// Maps one event.
pub fn map<'e>(ev: &'e Event<'_>) -> Mapping<'e> {
    map_with(ev, true)
}

/// Maps one event; without `detail`, only the action names (no resources, no context), which
/// is all `ct-actions --text` needs.
pub fn map_with<'e>(ev: &'e Event<'_>, detail: bool) -> Mapping<'e> {
    map_params(ev, detail, true)
}

/// `map_with` reading the request parameters whenever it looks for something in them, without
/// first looking at their text: for the tests that prove the look changes no answer.
#[doc(hidden)]
pub fn map_reading_all<'e>(ev: &'e Event<'_>, detail: bool) -> Mapping<'e> {
    map_params(ev, detail, false)
}

fn map_params<'e>(ev: &'e Event<'_>, detail: bool, look_first: bool) -> Mapping<'e> {
    match ev.event_type.as_deref() {
        Some("AwsServiceEvent") => return Mapping::NotACall("service event"),
        Some("AwsCloudTrailInsight") => return Mapping::NotACall("Insights event"),
        Some("AwsConsoleAction") => return Mapping::NotACall("console action"),
        Some("AwsVpceEvent") => return Mapping::NotACall("network activity event"),
        Some("AwsConsoleSignIn") => return Mapping::NoPermission("console sign-in"),
        _ => {}
    }
    let (Some(source), Some(name)) = (ev.event_source.as_deref(), ev.event_name.as_deref()) else {
        return Mapping::NotACall("no eventSource or eventName");
    };
    if source == "signin.amazonaws.com" {
        return Mapping::NoPermission("console sign-in");
    }
    if ev.user_identity.as_ref().and_then(|i| i.kind.as_deref()) == Some("AWSService") {
        return Mapping::NoPermission("made by an AWS service");
    }
    let params = Params::new(ev, look_first);
    let resolved = Resolved::of(source, name, &params);
    let (prefix, names, tagging) = match &*resolved {
        Resolved::NoPermission(why) => return Mapping::NoPermission(why),
        Resolved::Names { prefix, names, tagging } => (prefix.as_str(), names, tagging),
    };
    let mut uses = Vec::new();
    for (i, Name { prefix: p, name: n, known }) in names.iter().enumerate() {
        let mut u = Use {
            action: known.as_ref().map_or_else(|| Cow::Owned(format!("{p}:{n}")), |k| Cow::Borrowed(k.full)),
            known: known.is_some(),
            inferred: false,
            resources: Vec::new(),
            unnamed: false,
            context: Vec::new(),
            id: known.as_ref().map(|k| k.plan.id),
            absent: SmallVec::new(),
            called_via_absent: false,
        };
        if let Some(Known { plan, .. }) = known
            && detail
        {
            u.resources = resources(ev, &params, plan, special_resource(p, n, name, i, &params), (p, name));
            u.unnamed = u.resources.is_empty() && plan.takes_resources;
            u.context = context(ev, &params, plan, &mut u.absent, &mut u.called_via_absent);
        }
        uses.push(u);
    }
    // The access level of the call's main action (the first) tells a read from a write.
    let level = names.first().and_then(|n| n.known.as_ref()).map(|k| k.access_level);
    // Passing a role is authorised in the request that passes it: the global keys of that
    // request (aws:CalledVia, aws:SourceIp, ...) are the PassRole's too (IAM User Guide,
    // "Grant a user permissions to pass a role to an AWS service").
    let passed = pass_role(ev, prefix, name, level, &params);
    if !passed.is_empty() {
        // Read only here: copying the globals for every event was 2.5 % of ct-actions.
        let (globals, via_absent) = match uses.first() {
            Some(u) => {
                (u.context.iter().filter(|(k, _)| k.starts_with("aws:")).cloned().collect(), u.called_via_absent)
            }
            None => (Vec::new(), false),
        };
        uses.extend(passed.into_iter().map(|mut p| {
            let own = std::mem::take(&mut p.context);
            p.context = globals.iter().cloned().chain(own).collect();
            p.called_via_absent = via_absent;
            p
        }));
    }
    // A create that tags what it creates needs the service's tagging action too: the same
    // request (its global keys, aws:RequestTag and aws:TagKeys among them), on the created
    // resources of the types that action takes.
    if let Some((rule, Name { prefix: p, name: n, known: Some(k) })) = tagging.as_deref()
        && params.may_hold_any_case(&rule.member.to_ascii_lowercase())
        && renames::holds_tags(params.get(), rule.member)
    {
        let (resources, context, called_via_absent) = match uses.first() {
            Some(u) if detail => {
                // What was created, of the type that is tagged: from the answer (a new key's
                // or task's ARN), else among the create's own resources.
                let created = k.plan.types.iter().find(|t| t.name == rule.created);
                let mut resources: Vec<Cow<'e, str>> = Vec::new();
                if let Some(t) = created {
                    let mut arns = Vec::new();
                    arns_in(&params.response_with("arn:"), 0, &mut arns);
                    resources.extend(arns.into_iter().filter(|a| t.glob.is_match(a)).map(Cow::Owned));
                    if resources.is_empty() {
                        resources.extend(u.resources.iter().filter(|r| t.glob.is_match(r)).cloned());
                    }
                }
                resources.sort();
                resources.dedup();
                (
                    resources,
                    u.context.iter().filter(|(key, _)| key.starts_with("aws:")).cloned().collect(),
                    u.called_via_absent,
                )
            }
            _ => (Vec::new(), Vec::new(), false),
        };
        uses.push(Use {
            action: Cow::Borrowed(k.full),
            known: true,
            inferred: true,
            unnamed: detail && resources.is_empty() && k.plan.takes_resources,
            resources,
            context,
            id: Some(k.plan.id),
            absent: SmallVec::new(),
            called_via_absent,
        });
        debug_assert_eq!(format!("{p}:{n}"), k.full);
    }
    Mapping::Actions(uses)
}

/// The service that made the call with the caller's credentials (a forward access session):
/// CloudTrail names it in userIdentity.invokedBy (CloudTrail User Guide, "CloudTrail
/// userIdentity element"). Only a service principal counts (`AWS Internal` does not). A call
/// a service makes with a role of its own is not made with the caller's credentials and sets
/// neither key (IAM User Guide, aws:CalledVia and aws:ViaAWSService): AWSService identities
/// never reach this point, and a service-linked role's session (a role under
/// `/aws-service-role/`) is left out here; a service role of another path cannot be told from
/// the caller's own role by the event.
pub fn via_service<'e>(ev: &'e Event<'_>) -> Option<&'e str> {
    let id = ev.user_identity.as_ref()?;
    let by = id.invoked_by.as_deref()?;
    if by.len() <= ".amazonaws.com".len() || !by.ends_with(".amazonaws.com") {
        return None;
    }
    // arn:PARTITION:iam::ACCOUNT:role/aws-service-role/... (a finder made once: a text
    // pattern sets a searcher up per call).
    static SERVICE_LINKED: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b":role/aws-service-role/"));
    let issuer = id.session_context.as_ref().and_then(|s| s.session_issuer.as_ref()).and_then(|i| i.arn.as_deref());
    if issuer.is_some_and(|a| SERVICE_LINKED.find(a.as_bytes()).is_some()) {
        return None;
    }
    Some(by)
}
