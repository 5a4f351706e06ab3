//! From a CloudTrail event to the IAM actions the call needed.
//!
//! The rules, each from AWS documentation (research/iam.md §2): the IAM prefix is the first
//! label of eventSource except for the services in `PREFIXES`; event names are IAM action
//! names except for S3 (`S3_NAMES`), API-version suffixes (Lambda, CloudFront), KMS
//! ReEncrypt, Lambda's Invoke data event, API Gateway's HTTP verbs and Keyspaces' CQL verbs.
//! Calls that need no permission of the caller map to nothing, with the reason. iam:PassRole
//! is never logged and is inferred where a request passes a role. Every action is looked up in
//! the catalog; one that is not there is reported as unknown, never dropped or invented.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::rc::Rc;
use std::sync::LazyLock;

use crate::arn;
use crate::catalog::{Action, Catalog};
use crate::event::Event;
use crate::json::Json;
use crate::renames;
use compact_str::CompactString;
use ct_common::glob::Glob;
use smallvec::SmallVec;

/// eventSource → IAM prefix where the first label of the source is not the prefix
/// (research/iam.md §2.2, from iam-dataset's map and the services' CloudTrail pages).
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

/// S3 actions whose IAM name gains `Version` when the request names an object version.
const S3_VERSIONED: &[(&str, &str)] = &[
    ("GetObject", "GetObjectVersion"),
    ("DeleteObject", "DeleteObjectVersion"),
    ("GetObjectAcl", "GetObjectVersionAcl"),
    ("PutObjectAcl", "PutObjectVersionAcl"),
    ("GetObjectTagging", "GetObjectVersionTagging"),
    ("PutObjectTagging", "PutObjectVersionTagging"),
    ("DeleteObjectTagging", "DeleteObjectVersionTagging"),
    ("GetObjectTorrent", "GetObjectVersionTorrent"),
    ("GetObjectAttributes", "GetObjectVersionAttributes"),
];

/// Calls that need no IAM permission of the caller (research/iam.md §2.4): the STS API
/// reference says GetCallerIdentity and GetSessionToken need none; SAML and web-identity
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
    include_str!("../data/sources.tsv")
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

/// A text the mapping looks for in request parameters (most often a key), in lower case
/// (`Params::may_hold`). Held inline when short, as keys are: the mapping reads these for
/// every event, and a pointer to each was one more cache miss.
type Needle = CompactString;

/// The needle of `text`.
fn needle(text: &str) -> Needle {
    text.to_ascii_lowercase().into()
}

/// What of an S3 request its action names depend on (besides the event name): all of it, so
/// that names can be remembered per event name and these two bits.
#[derive(Clone, Copy)]
struct S3Request {
    /// The request names an object version (`versionId`).
    versioned: bool,
    /// A copy's source names a version (`x-amz-copy-source: ...?versionId=`).
    copies_a_version: bool,
}

impl S3Request {
    fn of(params: &Params<'_>) -> S3Request {
        // Both bits need the text `versionId` (a key, or in the copy source's value).
        if !params.may_hold("versionId") {
            return S3Request { versioned: false, copies_a_version: false };
        }
        let params = params.get();
        let src = params.get("x-amz-copy-source").and_then(Json::as_str).unwrap_or("");
        S3Request {
            versioned: params.get("versionId").is_some_and(|v| !v.is_null()),
            copies_a_version: src.contains("versionId="),
        }
    }

    fn index(self) -> usize {
        usize::from(self.versioned) | usize::from(self.copies_a_version) << 1
    }
}

/// What of a request its action names depend on besides its source and name, as a number
/// below 4.
type RequestBits = fn(&Params<'_>) -> usize;

/// The `RequestBits` of a source and name; `None` when the names depend on nothing else (most
/// services).
fn request_bits(source: &str, name: &str) -> Option<RequestBits> {
    match prefix_of(source) {
        "s3" => Some(|p| S3Request::of(p).index()),
        "apigateway" if name == "TagResource" => Some(|p| usize::from(api_gateway_v2(p))),
        _ => None,
    }
}

/// Whether an API Gateway request is one of the v2 API's (HTTP and WebSocket APIs). CloudTrail
/// logs both versions under one source and mostly the same names, and the verbs agree but for
/// TagResource: `PUT /tags/{arn}` in the REST API reference, `POST /v2/tags/{resource-arn}` in
/// the v2 reference. A v1 request carries the `template` flag and an `...Input` body; a v2
/// request tags an ARN whose path is `/apis/...`, which only v2 has. Anything else (a domain
/// name or VPC link, which both versions have, named without the v1 markers) is read as v1,
/// the older and more common.
fn api_gateway_v2(params: &Params<'_>) -> bool {
    let p = params.get();
    if p.get("template").is_some() || p.get("tagResourceInput").is_some() {
        return false;
    }
    ["resource-arn", "resourceArn", "ResourceArn"].iter().filter_map(|k| p.get(k).and_then(Json::as_str)).any(|arn| {
        // arn:PARTITION:apigateway:REGION::PATH
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        matches!(parts[..], ["arn", _, "apigateway", _, _, path] if path == "/apis" || path.starts_with("/apis/"))
    })
}

/// The IAM action name(s) of an event name within a service, before the catalog check.
fn action_names<'n>(prefix: &'n str, name: &'n str, params: &Params<'_>) -> Vec<(&'n str, &'n str)> {
    let one = |p: &'n str, n: &'n str| vec![(p, n)];
    let catalog = Catalog::get();
    match prefix {
        "s3" => {
            let S3Request { versioned, copies_a_version } = S3Request::of(params);
            if name == "CreateSession" {
                return one("s3express", "CreateSession");
            }
            if name == "WriteGetObjectResponse" {
                return one("s3-object-lambda", "WriteGetObjectResponse");
            }
            if name == "CopyObject" || name == "UploadPartCopy" {
                // Reading a given version of the source needs its own action.
                let read = if copies_a_version { "GetObjectVersion" } else { "GetObject" };
                return vec![("s3", "PutObject"), ("s3", read)];
            }
            if name == "GetObjectAttributes" {
                // S3 API Reference, GetObjectAttributes: s3:GetObject and s3:GetObjectAttributes,
                // or their Version forms on a versioned request.
                let (read, attrs) = if versioned {
                    ("GetObjectVersion", "GetObjectVersionAttributes")
                } else {
                    ("GetObject", "GetObjectAttributes")
                };
                return vec![("s3", read), ("s3", attrs)];
            }
            let mut mapped = S3_NAMES.iter().find(|(e, _)| *e == name).map_or(name, |(_, a)| a);
            if catalog.action("s3", mapped).is_none()
                && let Some(action) = renames::documented("s3", mapped)
            {
                mapped = action;
            }
            if versioned && let Some((_, v)) = S3_VERSIONED.iter().find(|(a, _)| *a == mapped) {
                return one("s3", v);
            }
            one("s3", mapped)
        }
        "kms" if name == "ReEncrypt" => {
            vec![("kms", "ReEncryptFrom"), ("kms", "ReEncryptTo")]
        }
        "lambda" if name == "Invoke" => one("lambda", "InvokeFunction"),
        // Operations with IAM actions of their own (portals, routing rules), as the Service
        // Authorization Reference lists them for API Gateway; the others need their verb.
        "apigateway" if catalog.action("apigateway", name).is_some() => one("apigateway", name),
        "apigateway" if name == "TagResource" && api_gateway_v2(params) => one("apigateway", "POST"),
        "apigateway" => one("apigateway", http_verb(name)),
        // Keyspaces actions that carry their own names (GetStream, UpdatePartitioner...) first.
        "cassandra" if catalog.action("cassandra", name).is_some() => one("cassandra", name),
        "cassandra" => one("cassandra", cql_verb(name)),
        _ => {
            if catalog.action(prefix, name).is_some() {
                return one(prefix, name);
            }
            // An API-version suffix (CreateFunction20150331, ...2020_05_31) is never part of
            // an action's name: strip it before the renames, whatever the stem is.
            let name = strip_version(name).unwrap_or(name);
            if let Some(actions) = renames::fixed(prefix, name) {
                return actions;
            }
            if renames::BY_REQUEST.contains(&(prefix, name))
                && let Some(actions) = renames::by_request(prefix, name, params.get())
            {
                return actions;
            }
            if let Some(action) = renames::documented(prefix, name) {
                return one(prefix, action);
            }
            one(prefix, name)
        }
    }
}

/// API Gateway's IAM actions are the HTTP verbs of its management API (API Gateway
/// Developer Guide, "Control access for managing an API"): the verb follows from the operation.
fn http_verb(name: &str) -> &'static str {
    // Operations whose method the name does not tell (API Gateway REST and v2 API references).
    match name {
        "UntagResource" | "ResetAuthorizersCache" => return "DELETE",
        "ImportApi" | "ImportDocumentationParts" => return "PUT",
        "ExportApi" => return "GET",
        _ => {}
    }
    let starts = |p: &str| name.starts_with(p);
    if starts("Get") || starts("List") {
        "GET"
    } else if starts("Create") || starts("Generate") || starts("Import") || starts("TestInvoke") {
        "POST"
    } else if starts("Update") {
        "PATCH"
    } else if starts("Delete") || starts("Flush") {
        "DELETE"
    } else if starts("Put") || starts("Reimport") || starts("Tag") || starts("Untag") {
        "PUT"
    } else {
        "POST"
    }
}

/// Keyspaces' IAM actions are CQL verbs (Amazon Keyspaces Developer Guide, "Actions").
fn cql_verb(name: &str) -> &str {
    let starts = |p: &str| name.starts_with(p);
    if matches!(name, "Insert" | "Update" | "Delete" | "Modify") {
        // Data changes (CQL INSERT, UPDATE, DELETE) need cassandra:Modify.
        "Modify"
    } else if starts("Create") {
        "Create"
    } else if starts("Delete") || starts("Drop") {
        "Drop"
    } else if starts("Update") || starts("Alter") {
        "Alter"
    } else if starts("Get") || starts("List") || starts("Select") {
        "Select"
    } else if starts("Restore") {
        "Restore"
    } else {
        name
    }
}

/// Maps one event.
pub fn map<'e>(ev: &'e Event<'_>) -> Mapping<'e> {
    map_with(ev, true)
}

/// The request parameters, parsed when first needed. Reading them was a fifth of
/// ct-actions' records mode, and most events need none of what the mapping looks for: a look
/// at the text first (`may_hold`) tells when they cannot hold it.
struct Params<'e> {
    ev: &'e Event<'e>,
    value: OnceCell<Json<'e>>,
    /// The text has an escape: a key or value may then be spelled otherwise in it.
    escaped: OnceCell<bool>,
    /// The text in lower case (when it has no escape).
    lower: OnceCell<Vec<u8>>,
    /// Look at the text before reading it (false only in `map_reading_all`).
    look_first: bool,
}

impl<'e> Params<'e> {
    fn new(ev: &'e Event<'e>, look_first: bool) -> Self {
        Params { ev, value: OnceCell::new(), escaped: OnceCell::new(), lower: OnceCell::new(), look_first }
    }

    fn get(&self) -> &Json<'e> {
        self.value.get_or_init(|| Json::parse(self.ev.request_parameters))
    }

    /// The response elements, read (not kept: the few calls that need them need them once),
    /// or null when the text cannot hold `needle` (a key spelled without escapes, as the
    /// request's are).
    fn response_with(&self, needle: &str) -> Json<'e> {
        let Some(raw) = self.ev.response_elements else { return Json::Null };
        let may = !self.look_first
            || memchr::memchr(b'\\', raw.as_bytes()).is_some()
            || holds(raw.as_bytes(), needle.as_bytes());
        if !may {
            return Json::Null;
        }
        Json::parse(Some(raw))
    }

    /// The string under `key` at the top of the request, when it may be there.
    fn str_at(&self, key: &str) -> Option<&str> {
        if !self.may_hold(key) {
            return None;
        }
        self.get().get(key).and_then(Json::as_str)
    }

    /// Whether the parameters may hold the needle's text (in a key or a string), in any ASCII
    /// case: false only when the text, with no escape in it, does not contain it, for keys and
    /// strings without escapes appear in the text as they are.
    fn may_hold_any_case(&self, needle: &str) -> bool {
        debug_assert!(!needle.bytes().any(|b| b.is_ascii_uppercase()), "{needle}");
        match self.plain_text() {
            Ok(raw) => {
                let lower = self.lower.get_or_init(|| raw.as_bytes().to_ascii_lowercase());
                holds(lower, needle.as_bytes())
            }
            Err(may) => may,
        }
    }

    /// As `may_hold_any_case`, for a text the mapping compares with case (exact keys, ARNs):
    /// no lower-case copy of the request is needed.
    fn may_hold(&self, needle: &str) -> bool {
        match self.plain_text() {
            Ok(raw) => holds(raw.as_bytes(), needle.as_bytes()),
            Err(may) => may,
        }
    }

    /// The request's text when a look at it can be trusted (there is one, it has no escape,
    /// and looking first was asked for); otherwise what to answer without looking: false
    /// when there are no parameters, true when looking cannot tell.
    fn plain_text(&self) -> Result<&str, bool> {
        let Some(raw) = self.ev.request_parameters else { return Err(false) };
        if !self.look_first || *self.escaped.get_or_init(|| memchr::memchr(b'\\', raw.as_bytes()).is_some()) {
            return Err(true);
        }
        Ok(raw)
    }
}

/// Whether `needle` occurs in `hay`, found by the needle's byte that is rarest in request
/// text. The needles' first bytes are mostly vowels, quotes or colons: a search for them
/// stopped every few bytes, and cost some 500 instructions a call.
fn holds(hay: &[u8], needle: &[u8]) -> bool {
    // The bytes of request parameters, most frequent first (the bench trail's, in lower case;
    // upper-case letters are rarer than all of these).
    const COMMON: &[u8] = b"\"aestn:roc-mil1dp0u3{}/b79h4fy,k28.wg56v_xz[]qj$# =";
    const RANK: [u8; 256] = {
        let mut rank = [0u8; 256];
        let mut i = 0;
        while i < COMMON.len() {
            rank[COMMON[i] as usize] = (COMMON.len() - i) as u8;
            i += 1;
        }
        rank
    };
    let Some(at) = (0..needle.len()).min_by_key(|&i| RANK[usize::from(needle[i])]) else { return true };
    // A match has the rare byte `at` bytes after its start.
    let from = at.min(hay.len());
    memchr::memchr_iter(needle[at], &hay[from..]).any(|i| hay[i..].starts_with(needle))
}

/// What an event source and name resolve to: the IAM prefix and the catalog's actions, or
/// the reason no permission is needed.
enum Resolved {
    NoPermission(&'static str),
    Names {
        prefix: CompactString,
        names: Vec<Name>,
        /// The tagging action a create needs when its request carries tags
        /// (`renames::tag_on_create`).
        tagging: Option<Box<(renames::TagOnCreate, Name)>>,
    },
}

/// One action an event resolves to, with what the mapping reads of it for every event (kept
/// here, beside the key that found it, rather than behind the catalog's action).
struct Name {
    /// Inline (prefixes and action names are short): read for every event.
    prefix: CompactString,
    name: CompactString,
    /// The catalog's action; `None` when the catalog does not know it.
    known: Option<Known>,
}

/// What the mapping reads of a catalog action for every event, copied beside the key that
/// found it: its plan, with the plan's resource types and their variables inline, lies in a
/// few adjacent cache lines. Reached through the catalog, through a list of types, through a
/// list of variables, it was a chain of cache misses for every event.
struct Known {
    /// `prefix:Name`.
    full: &'static str,
    plan: ActionPlan,
    access_level: &'static str,
}

impl Resolved {
    fn resolve(source: &str, name: &str, params: &Params<'_>) -> Resolved {
        let prefix = prefix_of(source);
        if let Some((_, _, why)) = NO_PERMISSION.iter().find(|(p, n, _)| *p == prefix && *n == name) {
            return Resolved::NoPermission(why);
        }
        if let Some(why) = renames::unsigned(source, name) {
            return Resolved::NoPermission(why);
        }
        let catalog = Catalog::get();
        let names = action_names(prefix, name, params)
            .into_iter()
            .map(|(p, n)| Name {
                prefix: p.into(),
                name: n.into(),
                known: catalog.action(p, n).map(|a| Known {
                    full: a.full_name(),
                    plan: ActionPlan::of(a).clone(),
                    access_level: a.access_level,
                }),
            })
            .collect();
        let tagging = renames::tag_on_create(prefix, strip_version(name).unwrap_or(name)).and_then(|rule| {
            let (p, n) = rule.action.split_once(':')?;
            let a = catalog.action(p, n)?;
            let known = Known { full: a.full_name(), plan: ActionPlan::of(a).clone(), access_level: a.access_level };
            Some(Box::new((rule, Name { prefix: p.into(), name: n.into(), known: Some(known) })))
        });
        Resolved::Names { prefix: prefix.into(), names, tagging }
    }

    /// Resolved once per source and name and remembered (a few hundred pairs make up a trail;
    /// the lookups were a tenth of the mapping's time). Names that also depend on the request
    /// (S3's, API Gateway's TagResource) are remembered per `request_bits` as well.
    fn of(source: &str, name: &str, params: &Params<'_>) -> Rc<Resolved> {
        enum Memo {
            One(Rc<Resolved>),
            /// By the request's bits.
            ByRequest(RequestBits, [Option<Rc<Resolved>>; 4]),
        }
        /// A key held in the table itself: the source's length, the source, the name, padded,
        /// and the length of all in the last byte (pairs of up to 62 bytes, nearly all). A key
        /// behind a pointer, as in the table of longer ones, cost a cache miss per event.
        type Short = [u8; 64];
        type Memos = (hashbrown::HashMap<Short, Memo>, hashbrown::HashMap<Vec<u8>, Memo>);
        thread_local! {
            static MEMO: RefCell<Memos> = RefCell::default();
        }
        fn memoized<K: std::hash::Hash + Eq>(
            memo: &mut hashbrown::HashMap<K, Memo>,
            key: K,
            source: &str,
            name: &str,
            params: &Params<'_>,
        ) -> Rc<Resolved> {
            match memo.get_mut(&key) {
                Some(Memo::One(r)) => return Rc::clone(r),
                Some(Memo::ByRequest(bits, by_request)) => {
                    let slot = &mut by_request[bits(params) & 3];
                    return Rc::clone(slot.get_or_insert_with(|| Rc::new(Resolved::resolve(source, name, params))));
                }
                None => {}
            }
            let r = Rc::new(Resolved::resolve(source, name, params));
            if renames::BY_REQUEST.contains(&(prefix_of(source), name)) {
                // The actions follow from the whole request (DynamoDB's PartiQL verbs, a
                // transaction's items): resolved for every call, never remembered.
                return r;
            }
            if memo.len() >= 4096 {
                memo.clear();
            }
            let entry = match request_bits(source, name) {
                Some(bits) => {
                    let mut by_request = [None, None, None, None];
                    by_request[bits(params) & 3] = Some(Rc::clone(&r));
                    Memo::ByRequest(bits, by_request)
                }
                None => Memo::One(Rc::clone(&r)),
            };
            memo.insert(key, entry);
            r
        }
        MEMO.with_borrow_mut(|(short, long)| {
            let len = source.len() + name.len();
            if len < 63 {
                let mut key: Short = [0; 64];
                key[0] = source.len() as u8;
                key[1..1 + source.len()].copy_from_slice(source.as_bytes());
                key[1 + source.len()..1 + len].copy_from_slice(name.as_bytes());
                key[63] = len as u8;
                return memoized(short, key, source, name, params);
            }
            // The source's length first, so that no two pairs make the same key.
            let mut key = source.len().to_le_bytes().to_vec();
            key.extend_from_slice(source.as_bytes());
            key.extend_from_slice(name.as_bytes());
            memoized(long, key, source, name, params)
        })
    }
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

/// What the mapping needs to know of one action, worked out from the catalog once per action
/// (on its first use) rather than once per event.
#[derive(Debug, Clone)]
pub(crate) struct ActionPlan {
    /// The action's resource types that the catalog describes, in the catalog's order (most
    /// actions have one).
    types: SmallVec<[TypePlan; 1]>,
    /// The service condition keys of `CONTEXT_PARAMS` that apply to the action.
    simple: Vec<(&'static str, &'static str)>,
    /// The catalog lists resource types for the action (described or not).
    takes_resources: bool,
    /// ec2:InstanceProfile applies to the action (RunInstances and the other calls on
    /// instances).
    instance_profile: bool,
    /// The keys that `request_keys` reads that apply to the action (its `KEYS_*` bits).
    request_keys: u8,
    /// `Use::id`.
    id: u32,
}

#[derive(Debug, Clone)]
struct TypePlan {
    /// The resource type's name, ARN template and its pattern, copied out of the catalog's
    /// entry (each event reads them; reaching the entry first was a cache miss).
    name: &'static str,
    arn: &'static str,
    glob: &'static Glob,
    required: bool,
    /// The template's variables that a request parameter names, and that parameter's name
    /// (Partition, Region and Account come from the event).
    vars: SmallVec<[(&'static str, Needle); 2]>,
    /// The parameter that may hold the whole ARN: the last variable's name.
    whole: Option<Needle>,
    /// Another such parameter: the type's name followed by `Arn` (`targetGroupArn` for the
    /// type `targetgroup`), the way most APIs name a resource given by its ARN.
    named_arn: Option<Needle>,
}

/// Request parameters that are condition keys of the service under the same name.
const CONTEXT_PARAMS: &[(&str, &str)] = &[
    ("ec2:InstanceType", "instanceType"),
    ("s3:prefix", "prefix"),
    ("s3:delimiter", "delimiter"),
    ("s3:max-keys", "max-keys"),
    ("s3:x-amz-acl", "x-amz-acl"),
    ("s3:x-amz-server-side-encryption", "x-amz-server-side-encryption"),
    ("s3:x-amz-storage-class", "x-amz-storage-class"),
    ("lambda:Runtime", "runtime"),
    ("rds:DatabaseEngine", "engine"),
    ("rds:DatabaseClass", "dBInstanceClass"),
    ("cloudformation:ChangeSetName", "changeSetName"),
    // CloudFormation logs these request parameters as roleARN, templateURL, stackPolicyURL
    // (AWS CloudFormation API Reference, CreateStack); the keys compare names without case.
    ("cloudformation:RoleArn", "roleARN"),
    ("cloudformation:TemplateUrl", "templateURL"),
    ("cloudformation:StackPolicyUrl", "stackPolicyURL"),
];

impl ActionPlan {
    fn of(action: &'static Action) -> &'static ActionPlan {
        action.plan.get_or_init(|| {
            let catalog = Catalog::get();
            let types = action
                .resources
                .iter()
                .filter_map(|r| {
                    let rt = catalog.resource_type(action.prefix, r.name)?;
                    let all = arn::variables(rt.arn);
                    let whole = all.last().map(|v| needle(v));
                    let vars = all
                        .into_iter()
                        .filter(|var| !matches!(*var, "Partition" | "Region" | "Account"))
                        // Keys are compared without case: the variable's name is its key.
                        .map(|var| (var, needle(ALIASES.iter().find(|(v, _)| *v == var).map_or(var, |(_, k)| k))))
                        .collect();
                    let named: String = rt.name.chars().filter(char::is_ascii_alphanumeric).collect();
                    let named_arn = Some(needle(&format!("{named}arn"))).filter(|n| Some(n) != whole.as_ref());
                    Some(TypePlan {
                        name: rt.name,
                        arn: rt.arn,
                        glob: rt.glob(),
                        required: r.required,
                        vars,
                        whole,
                        named_arn,
                    })
                })
                .collect();
            let simple = CONTEXT_PARAMS.iter().filter(|(key, _)| catalog.key_applies(action, key)).copied().collect();
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Box::new(ActionPlan {
                types,
                simple,
                takes_resources: !action.resources.is_empty(),
                instance_profile: action.prefix == "ec2" && catalog.key_applies(action, "ec2:InstanceProfile"),
                request_keys: request_keys_of(action),
                id,
            })
        })
    }
}

/// The resources that EC2's CreateTags and DeleteTags name (`resourcesSet.items[].resourceId`),
/// each typed by its ID's prefix (Amazon EC2 User Guide, "Resource IDs"; the ARN formats from
/// the Service Authorization Reference). An ID of another prefix gives the ARN pattern of no
/// type (`*`): the call is not narrowed by a guess.
fn ec2_tagged<'e>(ev: &Event<'_>, params: &Params<'_>) -> Vec<Cow<'e, str>> {
    const TYPES: &[(&str, &str)] = &[
        ("i-", "instance"),
        ("vol-", "volume"),
        ("snap-", "snapshot"),
        ("eni-", "network-interface"),
        ("sg-", "security-group"),
        ("subnet-", "subnet"),
        ("vpc-", "vpc"),
        ("igw-", "internet-gateway"),
        ("rtb-", "route-table"),
        ("eipalloc-", "elastic-ip"),
        ("lt-", "launch-template"),
        ("ami-", "image"),
    ];
    let mut ids = Vec::new();
    if params.may_hold_any_case("resourceid") {
        find_strings(params.get(), "resourceId", 0, &mut ids);
    }
    let (partition, region, account) =
        (ev.partition(), ev.aws_region.as_deref().unwrap_or("*"), ev.account().unwrap_or("*"));
    let mut out: Vec<Cow<'e, str>> = Vec::new();
    for id in ids {
        let arn = match TYPES.iter().find(|(p, _)| id.starts_with(p)) {
            // Images and snapshots owned by others have no account in the ARN.
            Some((_, t @ ("image" | "snapshot"))) => format!("arn:{partition}:ec2:{region}::{t}/{id}"),
            Some((_, t)) => format!("arn:{partition}:ec2:{region}:{account}:{t}/{id}"),
            None => "*".to_string(),
        };
        if !out.iter().any(|o| *o == arn) {
            out.push(Cow::Owned(arn));
        }
    }
    out
}

/// Resources that the generic rules cannot find: the copy source of CopyObject, the two keys
/// of ReEncrypt.
fn special_resource(
    prefix: &str,
    action: &str,
    event: &str,
    index: usize,
    params: &Params<'_>,
) -> Option<Vec<Variable>> {
    if !matches!(prefix, "s3" | "kms") {
        return None;
    }
    match (prefix, action) {
        ("s3", "GetObject") if index == 1 && (event == "CopyObject" || event == "UploadPartCopy") => {
            let src = params.get().get("x-amz-copy-source").and_then(Json::as_str)?;
            let src = src.trim_start_matches('/');
            let (bucket, key) = src.split_once('/')?;
            let key = key.split('?').next().unwrap_or(key);
            Some(vec![("BucketName".into(), bucket.into()), ("ObjectName".into(), key.into())])
        }
        ("kms", "ReEncryptFrom") => {
            Some(vec![("KeyId".into(), params.get().get("sourceKeyId").and_then(Json::as_str)?.to_string())])
        }
        ("kms", "ReEncryptTo") => {
            Some(vec![("KeyId".into(), params.get().get("destinationKeyId").and_then(Json::as_str)?.to_string())])
        }
        _ => None,
    }
}

type Variable = (String, String);

/// Request parameters whose names differ from the template variable they fill.
const ALIASES: &[(&str, &str)] = &[
    ("ObjectName", "key"),
    ("RoleNameWithPath", "roleName"),
    ("UserNameWithPath", "userName"),
    ("GroupNameWithPath", "groupName"),
    ("PolicyNameWithPath", "policyName"),
    ("InstanceProfileNameWithPath", "instanceProfileName"),
    ("LayerName", "layerName"),
    ("SecretId", "secretId"),
    ("ParameterNameWithoutLeadingSlash", "name"),
    ("LogGroupName", "logGroupName"),
    ("LogStreamName", "logStreamName"),
    ("RepositoryName", "repositoryName"),
];

/// Every string under `key` (compared without case) anywhere in `v`, depth-limited.
fn find_strings<'v>(v: &'v Json<'v>, key: &str, depth: u8, out: &mut Vec<&'v str>) {
    if depth > 4 || out.len() >= 16 {
        return;
    }
    match v {
        Json::Object(m) => {
            for (k, x) in m {
                if k.eq_ignore_ascii_case(key) {
                    match x {
                        Json::String(s) => out.push(s),
                        Json::Array(a) => out.extend(a.iter().filter_map(Json::as_str)),
                        _ => {}
                    }
                } else {
                    find_strings(x, key, depth + 1, out);
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|x| find_strings(x, key, depth + 1, out)),
        _ => {}
    }
}

/// The ARNs anywhere in `v` (an answer), depth-limited.
fn arns_in(v: &Json<'_>, depth: u8, out: &mut Vec<String>) {
    if depth > 5 || out.len() >= 32 {
        return;
    }
    match v {
        Json::String(s) if s.starts_with("arn:") => out.push(s.to_string()),
        Json::Object(m) => m.iter().for_each(|(_, x)| arns_in(x, depth + 1, out)),
        Json::Array(a) => a.iter().for_each(|x| arns_in(x, depth + 1, out)),
        _ => {}
    }
}

/// Whether a CloudTrail resource type (`AWS::S3::Object`) names the IAM resource type
/// (`object`); unknown or missing types do not rule anything out.
fn same_type(cloudtrail: Option<&str>, iam: &str) -> bool {
    let Some(ct) = cloudtrail else { return true };
    // After the last `::` (std's `rsplit("::")` sets up a searcher per call).
    let last = ct.as_bytes().windows(2).rposition(|w| w == b"::").map_or(ct, |i| &ct[i + 2..]);
    // Letters and digits alone, without case (no allocation: this runs per resource and type).
    fn norm(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes().filter(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_lowercase())
    }
    norm(last).eq(norm(iam)) || !ct.starts_with("AWS::")
}

/// The ARNs an action touched: those of `resources[]` that fit one of its resource types, or
/// else templates filled from the request: every required resource type (with `*` for what
/// the request does not name, as for a resource being created), and the optional types the
/// request names completely.
fn resources<'e>(
    ev: &'e Event<'_>,
    params: &Params<'_>,
    plan: &ActionPlan,
    special: Option<Vec<Variable>>,
    (prefix, event): (&str, &str),
) -> Vec<Cow<'e, str>> {
    let mut out = Vec::new();
    if prefix == "ec2" && matches!(event, "CreateTags" | "DeleteTags") {
        return ec2_tagged(ev, params);
    }
    // What the few services of `own_type` name their own way, per type; when they name any,
    // `resources[]` does not speak for the call (it names the table of a query on an index).
    // (Only for those services: for the others, no list to make and drop per event.)
    let own = if matches!(prefix, "route53" | "dynamodb" | "codebuild" | "cloudformation" | "ecs")
        || (prefix == "ec2" && event == "RunInstances")
    {
        own_types(ev, params, plan, prefix, event)
    } else {
        None
    };
    if special.is_none()
        && !own.as_ref().is_some_and(|o| o.iter().any(Option::is_some))
        && let Some(listed) = &ev.resources
    {
        for r in listed {
            let Some(a) = r.arn.as_deref() else { continue };
            let fits = plan.types.iter().any(|t| same_type(r.kind.as_deref(), t.name) && t.glob.is_match(a));
            if fits && !out.iter().any(|o| o == a) {
                out.push(Cow::Borrowed(a));
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    let mut own = own.map(Vec::into_iter);
    for t in &plan.types {
        let own = own.as_mut().and_then(Iterator::next).flatten();
        for filled in own.unwrap_or_else(|| fill_type(ev, params, t, special.as_deref())) {
            if !out.iter().any(|o| *o == filled) {
                out.push(Cow::Owned(filled));
            }
        }
    }
    out
}

/// One resource type's template filled from the request; empty when the type is optional
/// and the request does not name it.
fn fill_type(ev: &Event<'_>, params: &Params<'_>, t: &TypePlan, special: Option<&[Variable]>) -> Vec<String> {
    let (template, glob) = (t.arn, t.glob);
    // A value that is already a whole ARN of this type is the resource itself.
    if let Some(sp) = special
        && let Some((_, v)) = sp.iter().find(|(_, v)| v.starts_with("arn:"))
    {
        return if glob.is_match(v) { vec![v.clone()] } else { Vec::new() };
    }
    // Both look for an ARN, whose text holds `arn:` as it is (no lower-case copy needed to
    // rule it out).
    let arns = if params.may_hold("arn:") { [&t.whole, &t.named_arn] } else { [&None, &None] };
    for key in arns.into_iter().flatten() {
        let mut whole = Vec::new();
        if params.may_hold_any_case(key) {
            find_strings(params.get(), key, 0, &mut whole);
        }
        if let Some(a) = whole.iter().find(|s| s.starts_with("arn:") && glob.is_match(s)) {
            return vec![a.to_string()];
        }
    }
    // Several values of one variable (instancesSet.items[].instanceId) give several ARNs.
    let mut multi: Option<(&str, Vec<&str>)> = None;
    let mut single: Vec<(&str, &str)> =
        special.unwrap_or_default().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut missing = 0;
    for (var, key) in &t.vars {
        if single.iter().any(|(k, _)| k == var) {
            continue;
        }
        let mut found = Vec::new();
        if params.may_hold_any_case(key) {
            find_strings(params.get(), key, 0, &mut found);
        }
        // SQS names a queue by its URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME) in every
        // call but CreateQueue (Amazon SQS API Reference, QueueUrl).
        if *var == "QueueName" && found.is_empty() && params.may_hold_any_case("queueurl") {
            find_strings(params.get(), "queueUrl", 0, &mut found);
            found.iter_mut().for_each(|f| *f = f.rsplit('/').next().unwrap_or(f));
        }
        found.retain(|s| !s.is_empty() && !s.starts_with("arn:"));
        // The template holds the slash itself (`parameter/${ParameterNameWithoutLeadingSlash}`,
        // Service Authorization Reference, Systems Manager): `/app/db` is `parameter/app/db`.
        if *var == "ParameterNameWithoutLeadingSlash" {
            found.iter_mut().for_each(|f| *f = f.strip_prefix('/').unwrap_or(f));
        }
        found.sort_unstable();
        found.dedup();
        match found.len() {
            0 => missing += 1,
            1 => single.push((var, found[0])),
            _ if multi.is_none() => multi = Some((var, found)),
            _ => missing += 1,
        }
    }
    if !t.required && missing > 0 {
        return Vec::new();
    }
    let values: Vec<Option<&str>> = match &multi {
        Some((_, vals)) => vals.iter().map(|v| Some(*v)).collect(),
        None => vec![None],
    };
    let (partition, region, account) = (ev.partition(), ev.aws_region.as_deref(), ev.account());
    values
        .into_iter()
        .map(|mv| {
            arn::fill(template, |var| match var {
                "Partition" => Some(partition),
                "Region" => region,
                "Account" => account,
                _ => single
                    .iter()
                    .find(|(k, _)| *k == var)
                    .map(|(_, v)| *v)
                    .or_else(|| multi.as_ref().filter(|(k, _)| *k == var).and(mv)),
            })
        })
        .collect()
}

/// A template filled with the event's partition, region and account and with `vars` (`*`
/// for any variable not given).
fn fill_with(ev: &Event<'_>, t: &TypePlan, vars: &[(&str, &str)]) -> String {
    let (partition, region, account) = (ev.partition(), ev.aws_region.as_deref(), ev.account());
    arn::fill(t.arn, |var| match var {
        "Partition" => Some(partition),
        "Region" => region,
        "Account" => account,
        _ => vars.iter().find(|(k, _)| *k == var).map(|(_, v)| *v),
    })
}

/// `own_type` of each of the action's types (out of line: the few services it serves should
/// not make `resources` too big to inline for all the others).
#[inline(never)]
fn own_types(
    ev: &Event<'_>,
    params: &Params<'_>,
    plan: &ActionPlan,
    prefix: &str,
    event: &str,
) -> Option<Vec<Option<Vec<String>>>> {
    Some(plan.types.iter().map(|t| own_type(ev, params, prefix, event, t)).collect())
}

/// The ARNs of resource type `t` that a call names in a form the templates cannot take as it
/// is; `None` leaves the type to the generic rules, an empty list leaves it out.
fn own_type(ev: &Event<'_>, params: &Params<'_>, prefix: &str, event: &str, t: &TypePlan) -> Option<Vec<String>> {
    match (prefix, t.name) {
        // Route 53 writes ids as paths (`/hostedzone/Z1`, `/change/C1`) or bare (`Z1`), and the
        // ARNs hold the bare id: arn:aws:route53:::hostedzone/Z1 (Service Authorization
        // Reference, Amazon Route 53: resource types hostedzone and change; Route 53 Developer
        // Guide, "Logging Amazon Route 53 API calls with AWS CloudTrail", whose records carry
        // requestParameters.hostedZoneId, and id for GetHostedZone and GetChange).
        ("route53", "hostedzone") => {
            let id = params.str_at("hostedZoneId").or_else(|| {
                // `id` names a zone only in the zone's own calls (GetHostedZone, DeleteHostedZone...).
                event.contains("HostedZone").then(|| params.str_at("id")).flatten()
            })?;
            Some(vec![fill_with(ev, t, &[("Id", bare_id(id))])])
        }
        ("route53", "change") => Some(vec![fill_with(ev, t, &[("Id", bare_id(params.str_at("id")?))])]),
        // A query or scan of an index is authorised on the index's ARN, table/T/index/I, not on
        // the table's (Service Authorization Reference, Amazon DynamoDB: Query and Scan take
        // the index resource type; DynamoDB Developer Guide, "IAM policy to grant access to a
        // specific DynamoDB table and its indexes").
        ("dynamodb", "index") => {
            let index = params.str_at("indexName")?;
            let table = params.str_at("tableName")?;
            // TableName may be the table's ARN.
            if table.starts_with("arn:") {
                return Some(vec![format!("{table}/index/{index}")]);
            }
            Some(vec![fill_with(ev, t, &[("TableName", table), ("IndexName", index)])])
        }
        ("dynamodb", "table") if matches!(event, "Query" | "Scan") && params.str_at("indexName").is_some() => {
            Some(Vec::new())
        }
        // CodeBuild's build calls take build ids, `PROJECT:UUID` (or the build's ARN,
        // ...:build/PROJECT:UUID), and are authorised on the project (Service Authorization
        // Reference, AWS CodeBuild: BatchGetBuilds, StopBuild... take the project type).
        ("codebuild", "project")
            if matches!(event, "BatchGetBuilds" | "BatchDeleteBuilds" | "StopBuild" | "RetryBuild") =>
        {
            let mut ids = Vec::new();
            for key in ["ids", "id"] {
                if params.may_hold(key) {
                    match params.get().get(key) {
                        Some(Json::String(s)) => ids.push(&**s),
                        Some(Json::Array(a)) => ids.extend(a.iter().filter_map(Json::as_str)),
                        _ => {}
                    }
                }
            }
            let mut projects: Vec<&str> = ids
                .iter()
                .filter_map(|id| {
                    let id = id.rsplit_once(":build/").map_or(*id, |(_, b)| b);
                    id.rsplit_once(':').map(|(project, _)| project).filter(|p| !p.is_empty() && !p.contains('/'))
                })
                .collect();
            projects.sort_unstable();
            projects.dedup();
            if projects.is_empty() {
                return None;
            }
            Some(projects.into_iter().map(|p| fill_with(ev, t, &[("ProjectName", p)])).collect())
        }
        // CloudFormation: a stack's ARN is stack/NAME/UUID. A call that made the stack (or a
        // change set of it) returns its id (CloudFormation API Reference, CreateStack and
        // CreateChangeSet: StackId); other calls name it by name or ARN (StackName), and change
        // set calls are authorised on the stack (Service Authorization Reference, AWS
        // CloudFormation: CreateChangeSet, DescribeChangeSet, ExecuteChangeSet and
        // DeleteChangeSet take the stack type).
        ("cloudformation", "stack") => {
            if let Some(id) = params.response_with("stackId").get("stackId").and_then(Json::as_str)
                && t.glob.is_match(id)
            {
                return Some(vec![id.to_string()]);
            }
            let name = params.str_at("stackName")?;
            if name.starts_with("arn:") {
                return t.glob.is_match(name).then(|| vec![name.to_string()]);
            }
            Some(vec![fill_with(ev, t, &[("StackName", name)])])
        }
        ("ec2", "security-group") if event == "RunInstances" => launch_security_groups(ev, params, t),
        ("ecs", "task-definition") => ecs_task_definitions(ev, params, event, t),
        ("ecs", "service") => ecs_services(ev, params, t),
        _ => None,
    }
}

/// The security groups of an EC2 launch. RunInstances is authorised on each group the new
/// instances get (Service Authorization Reference, Amazon EC2: RunInstances takes the
/// security-group type, arn:${Partition}:ec2:${Region}:${Account}:security-group/${SecurityGroupId}).
/// The request names them by ID in groupSet.items[].groupId, and for the interfaces it creates
/// in networkInterfaceSet.items[].groupSet (EC2 API Reference, RunInstances: SecurityGroupId,
/// and InstanceNetworkInterfaceSpecification's Groups); or by name (groupName), whose ARN the
/// request cannot give; or not at all, when the instances get the VPC's default group or a
/// launch template's. The response then shows the groups they got, by ID (the instances'
/// groupSet and their interfaces'), which are exactly the groups of the launch. `None` (the type's
/// pattern, `security-group/*`) when neither shows them; a group named by name with no response
/// keeps the pattern beside the IDs named.
fn launch_security_groups(ev: &Event<'_>, params: &Params<'_>, t: &TypePlan) -> Option<Vec<String>> {
    /// The IDs of a groupSet (`{"items":[{"groupId":...}]}`) into `ids`, and whether it names a
    /// group by name only.
    fn read(set: Option<&Json<'_>>, ids: &mut Vec<String>) -> bool {
        let mut by_name = false;
        for g in set.and_then(|s| s.get("items")).and_then(Json::as_array).into_iter().flatten() {
            match g.get("groupId").and_then(Json::as_str) {
                Some(id) => ids.push(id.to_string()),
                None => by_name |= g.get("groupName").is_some(),
            }
        }
        by_name
    }
    /// Every groupSet of `v` and of the items of its networkInterfaceSet.
    fn read_all(v: &Json<'_>, ids: &mut Vec<String>) -> bool {
        let mut by_name = read(v.get("groupSet"), ids);
        let interfaces = v.get("networkInterfaceSet").and_then(|s| s.get("items")).and_then(Json::as_array);
        for ni in interfaces.into_iter().flatten() {
            by_name |= read(ni.get("groupSet"), ids);
        }
        by_name
    }
    let mut ids = Vec::new();
    let by_name = params.may_hold("groupSet") && read_all(params.get(), &mut ids);
    if ids.is_empty() || by_name {
        let response = params.response_with("groupId");
        let mut got = Vec::new();
        let instances = response.get("instancesSet").and_then(|s| s.get("items")).and_then(Json::as_array);
        for instance in instances.into_iter().flatten() {
            read_all(instance, &mut got);
        }
        if !got.is_empty() {
            ids = got;
        } else if ids.is_empty() {
            return None;
        } else {
            ids.push("*".to_string());
        }
    }
    let mut out: Vec<String> = ids.iter().map(|id| fill_with(ev, t, &[("SecurityGroupId", id.as_str())])).collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The task definitions of an ECS call,
/// task-definition/${TaskDefinitionFamilyName}:${TaskDefinitionRevisionNumber} (Service
/// Authorization Reference, Amazon ECS). RegisterTaskDefinition makes a new revision
/// of the request's `family`: its ARN is in the response (ECS API Reference,
/// RegisterTaskDefinition: taskDefinition.taskDefinitionArn), else any revision of the family.
/// RunTask and StartTask name one by `taskDefinition`, DeleteTaskDefinitions several by
/// `taskDefinitions`: an ARN, FAMILY:REVISION, or FAMILY alone for its latest ACTIVE revision
/// (ECS API Reference, RunTask: taskDefinition), which the response's tasks name
/// (tasks[].taskDefinitionArn) and which is otherwise any revision of the family.
fn ecs_task_definitions(ev: &Event<'_>, params: &Params<'_>, event: &str, t: &TypePlan) -> Option<Vec<String>> {
    let fits = |a: &&str| t.glob.is_match(a);
    if event == "RegisterTaskDefinition" {
        let response = params.response_with("taskDefinitionArn");
        let made = response.get("taskDefinition").and_then(|d| d.get("taskDefinitionArn")).and_then(Json::as_str);
        if let Some(arn) = made.filter(fits) {
            return Some(vec![arn.to_string()]);
        }
        return Some(vec![fill_with(ev, t, &[("TaskDefinitionFamilyName", params.str_at("family")?)])]);
    }
    let mut named: Vec<&str> = Vec::new();
    if params.may_hold("taskDefinition") {
        let p = params.get();
        named.extend(p.get("taskDefinition").and_then(Json::as_str));
        named.extend(p.get("taskDefinitions").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str));
    }
    let mut out = Vec::new();
    for td in named {
        if td.starts_with("arn:") {
            out.extend(Some(td).filter(fits).map(String::from));
            continue;
        }
        let (family, revision) = td.split_once(':').map_or((td, None), |(f, r)| (f, Some(r)));
        if revision.is_none() {
            let response = params.response_with("taskDefinitionArn");
            let mut ran = Vec::new();
            find_strings(&response, "taskDefinitionArn", 0, &mut ran);
            let of_family = |a: &&str| {
                fits(a)
                    && a.rsplit_once(":task-definition/")
                        .is_some_and(|(_, d)| d.rsplit_once(':').is_some_and(|(f, _)| f == family))
            };
            let before = out.len();
            out.extend(ran.into_iter().filter(of_family).map(String::from));
            if out.len() > before {
                continue;
            }
        }
        let mut vars = vec![("TaskDefinitionFamilyName", family)];
        vars.extend(revision.map(|r| ("TaskDefinitionRevisionNumber", r)));
        out.push(fill_with(ev, t, &vars));
    }
    out.sort_unstable();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

/// The services of an ECS call, service/${ClusterName}/${ServiceName} (Service Authorization
/// Reference, Amazon ECS). The request names them by name or ARN (`service`: UpdateService,
/// DeleteService; `services`: DescribeServices; `serviceName`: CreateService) in `cluster`, a
/// name or ARN, or else the default cluster, `default` (ECS API Reference, UpdateService and
/// DescribeServices: cluster). A service ARN of the old form, service/NAME, names no cluster:
/// the request's is used. A call that returns the service (CreateService, UpdateService,
/// DeleteService) shows its ARN in the response (service.serviceArn).
fn ecs_services(ev: &Event<'_>, params: &Params<'_>, t: &TypePlan) -> Option<Vec<String>> {
    // All three keys hold the text `service`.
    if !params.may_hold("service") {
        return None;
    }
    let response = params.response_with("serviceArn");
    if let Some(arn) = response.get("service").and_then(|s| s.get("serviceArn")).and_then(Json::as_str)
        && t.glob.is_match(arn)
    {
        return Some(vec![arn.to_string()]);
    }
    let p = params.get();
    let mut named: Vec<&str> = Vec::new();
    named.extend(p.get("service").and_then(Json::as_str));
    named.extend(p.get("serviceName").and_then(Json::as_str));
    named.extend(p.get("services").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str));
    named.retain(|s| !s.is_empty());
    if named.is_empty() {
        return None;
    }
    let cluster = p.get("cluster").and_then(Json::as_str).filter(|c| !c.is_empty()).unwrap_or("default");
    let mut out: Vec<String> = named
        .into_iter()
        .map(|s| {
            if t.glob.is_match(s) {
                return s.to_string();
            }
            let name = s.rsplit('/').next().unwrap_or(s);
            match cluster.split_once(":cluster/") {
                // The cluster's ARN: the service is in its partition, region and account.
                Some((head, c)) => format!("{head}:service/{c}/{name}"),
                None => fill_with(ev, t, &[("ClusterName", cluster), ("ServiceName", name)]),
            }
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// An id written as a path (`/hostedzone/Z1`): its last part.
fn bare_id(id: &str) -> &str {
    if id.starts_with('/') { id.rsplit('/').next().unwrap_or(id) } else { id }
}

/// Condition-key values that the event shows, for keys that apply to the action.
fn context<'e>(
    ev: &'e Event<'_>,
    params: &Params<'e>,
    plan: &ActionPlan,
    absent: &mut SmallVec<[&'static str; 2]>,
    called_via_absent: &mut bool,
) -> Vec<(Cow<'static, str>, Cow<'e, str>)> {
    // Room for the usual keys (region, address, endpoint, MFA and a few more): no regrowth.
    let mut out: Vec<(Cow<'static, str>, Cow<'e, str>)> = Vec::with_capacity(8);
    // Global keys (aws:...) apply to every action; the service keys that apply are in the
    // plan. The global keys of every event, each once and pushed in sorted order: most events
    // have no others, and then need no sort and no search for duplicates.
    let via = via_service(ev);
    if let Some(service) = via
        && CALLED_VIA.contains(&service)
    {
        out.push(("aws:CalledVia".into(), service.into()));
    } else {
        *called_via_absent = true;
    }
    let mfa = ev
        .user_identity
        .as_ref()
        .and_then(|i| i.session_context.as_ref())
        .and_then(|s| s.attributes.as_ref())
        .and_then(|a| a.mfa_authenticated.as_deref());
    if let Some(m) = mfa {
        out.push(("aws:MultiFactorAuthPresent".into(), m.into()));
    }
    if let Some(r) = ev.aws_region.as_deref() {
        out.push(("aws:RequestedRegion".into(), r.into()));
    }
    // Through a VPC endpoint a request has no aws:SourceIp (IAM User Guide, global condition
    // keys); the address CloudTrail shows is then the one inside the VPC.
    if let Some(ip) = ev.source_ip_address.as_deref().filter(|s| s.parse::<std::net::IpAddr>().is_ok())
        && ev.vpc_endpoint_id.is_none()
    {
        out.push(("aws:SourceIp".into(), ip.into()));
    }
    if let Some(v) = ev.vpc_endpoint_id.as_deref() {
        out.push(("aws:SourceVpce".into(), v.into()));
    }
    // Only `true`: a direct call has aws:ViaAWSService false in IAM, but the event cannot
    // prove a call direct for the services that do not set the key (IAM User Guide, global
    // condition keys, aws:ViaAWSService: not EC2, Glue, Lake Formation, OpsWorks).
    if via.is_some() {
        out.push(("aws:ViaAWSService".into(), "true".into()));
    }
    debug_assert!(out.is_sorted());
    let globals = out.len();
    let mut put = |key: Cow<'static, str>, value: Cow<'e, str>| {
        if !out.iter().any(|(k, v)| *k == key && *v == value) {
            out.push((key, value));
        }
    };
    for &(key, param) in &plan.simple {
        // S3 logs some headers as a list of their values.
        let values = match params.may_hold(param).then(|| params.get().get(param)).flatten() {
            Some(Json::Array(a)) => a.iter().collect(),
            Some(v) => vec![v],
            None => {
                absent.push(key);
                continue;
            }
        };
        for v in values {
            match v {
                // A change set named by its ARN (changeSet/NAME/ID): the key's value is the name
                // (CloudFormation User Guide, condition keys: cloudformation:ChangeSetName).
                Json::String(s) if key == "cloudformation:ChangeSetName" && s.starts_with("arn:") => {
                    let name = s.split_once(":changeSet/").map_or(&s[..], |(_, r)| r.split('/').next().unwrap_or(r));
                    put(key.into(), name.to_string().into());
                }
                Json::String(s) => put(key.into(), s.to_string().into()),
                Json::Number(n) => put(key.into(), n.to_string().into()),
                _ => {}
            }
        }
    }
    // Tags in the request: EC2's tagSpecificationSet, and the common `tags` shapes.
    let mut tags: Vec<(String, String)> = Vec::new();
    // Every shape read below has its tags under a key `tags` or `Tags` (EC2's
    // tagSpecificationSet too, inside its items), which hold the text `ags`, or under EC2
    // CreateTags' `tagSet`.
    let tag_set = matches!(ev.event_name.as_deref(), Some("CreateTags" | "DeleteTags"));
    let tagged =
        if params.may_hold("ags") || (tag_set && params.may_hold("tagSet")) { params.get() } else { &Json::Null };
    // EC2 CreateTags and DeleteTags: tagSet.items[] of key and value (EC2 API Reference,
    // CreateTags; the CloudTrail record keeps the query API's shape).
    for t in tagged.get("tagSet").and_then(|t| t.get("items")).and_then(Json::as_array).into_iter().flatten() {
        if let (Some(k), Some(v)) = (t.get("key").and_then(Json::as_str), t.get("value").and_then(Json::as_str)) {
            tags.push((k.into(), v.into()));
        }
    }
    if let Some(items) = tagged.get("tagSpecificationSet").and_then(|t| t.get("items")).and_then(Json::as_array) {
        for spec in items {
            for t in spec.get("tags").and_then(Json::as_array).into_iter().flatten() {
                if let (Some(k), Some(v)) = (t.get("key").and_then(Json::as_str), t.get("value").and_then(Json::as_str))
                {
                    tags.push((k.into(), v.into()));
                }
            }
        }
    }
    for key in ["tags", "Tags"] {
        match tagged.get(key) {
            Some(Json::Object(m)) => {
                tags.extend(m.iter().filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string()))))
            }
            Some(Json::Array(a)) => tags.extend(a.iter().filter_map(|t| {
                let k = t.get("key").or_else(|| t.get("Key"))?.as_str()?;
                let v = t.get("value").or_else(|| t.get("Value"))?.as_str()?;
                Some((k.to_string(), v.to_string()))
            })),
            _ => {}
        }
    }
    for (k, v) in tags {
        put(format!("aws:RequestTag/{k}").into(), v.into());
        put("aws:TagKeys".into(), k.into());
    }
    // The instance profile a launch names (its role is not in the event; a later stage can
    // resolve it): ec2:InstanceProfile, a key of the instance resource type (Service
    // Authorization Reference, Amazon EC2: RunInstances, instance).
    if plan.instance_profile {
        for profile in instance_profiles(ev, params) {
            put("ec2:InstanceProfile".into(), profile.into());
        }
    }
    if plan.request_keys != 0 {
        request_keys(ev, params, plan.request_keys, &mut out, absent);
    }
    if out.len() > globals {
        out.sort();
    }
    out
}

/// `request_keys`: ecs:task-definition.
const KEYS_ECS_TASK_DEFINITION: u8 = 1;
/// `request_keys`: kms:EncryptionContext:${EncryptionContextKey} and kms:EncryptionContextKeys.
const KEYS_KMS_CONTEXT: u8 = 2;
/// `request_keys`: route53:ChangeResourceRecordSetsActions, ...NormalizedRecordNames and
/// ...RecordTypes.
const KEYS_ROUTE53_CHANGES: u8 = 4;

/// The `request_keys` bits of an action: the keys it reads that the catalog lists for the
/// action.
fn request_keys_of(action: &Action) -> u8 {
    let has = |key: &str| action.condition_keys.contains(&key);
    let mut bits = 0;
    if has("ecs:task-definition") {
        bits |= KEYS_ECS_TASK_DEFINITION;
    }
    // The cryptographic operations whose request has an EncryptionContext (AWS KMS API
    // Reference). Not CreateGrant, whose keys read the grant's constraints, nor RetireGrant.
    // Nor ReEncrypt, whose request has two (SourceEncryptionContext and
    // DestinationEncryptionContext): the Developer Guide lists ReEncrypt for both keys without
    // saying which context kms:ReEncryptFrom and kms:ReEncryptTo are each checked against, so
    // a condition on them stays unknown.
    if has("kms:EncryptionContext:${EncryptionContextKey}")
        && (matches!(action.name, "Encrypt" | "Decrypt") || action.name.starts_with("GenerateDataKey"))
    {
        bits |= KEYS_KMS_CONTEXT;
    }
    if has("route53:ChangeResourceRecordSetsActions") {
        bits |= KEYS_ROUTE53_CHANGES;
    }
    bits
}

/// Condition keys whose values the request shows in a shape of its own, for the actions whose
/// `request_keys` name them; a key the request does not show goes to `absent` (out of line:
/// few actions have any).
#[inline(never)]
fn request_keys<'e>(
    ev: &Event<'_>,
    params: &Params<'e>,
    bits: u8,
    out: &mut Vec<(Cow<'static, str>, Cow<'e, str>)>,
    absent: &mut SmallVec<[&'static str; 2]>,
) {
    let mut put = |key: Cow<'static, str>, value: Cow<'e, str>| {
        if !out.iter().any(|(k, v)| *k == key && *v == value) {
            out.push((key, value));
        }
    };
    if bits & KEYS_ECS_TASK_DEFINITION != 0 {
        match service_task_definition(ev, params) {
            Some(arn) => put("ecs:task-definition".into(), arn.into()),
            None => absent.push("ecs:task-definition"),
        }
    }
    // AWS KMS Developer Guide, "AWS KMS condition keys": kms:EncryptionContext:context-key
    // holds the value of each pair of the request's encryption context (requestParameters.
    // encryptionContext, an object, in the CloudTrail record) and kms:EncryptionContextKeys its
    // keys. A request without one has neither: the catalog's spelling of the templated key
    // goes to `absent`, standing for every context key.
    if bits & KEYS_KMS_CONTEXT != 0 {
        let context = params.may_hold("encryptionContext").then(|| params.get().get("encryptionContext")).flatten();
        let mut any = false;
        // (The text borrowed from the event where it can be: a fresh string per value was
        // most of the cost of these keys on a trail.)
        let text = |s: &Cow<'e, str>| match s {
            Cow::Borrowed(b) => Cow::Borrowed(*b),
            Cow::Owned(o) => Cow::Owned(o.clone()),
        };
        for (k, v) in context.and_then(|c| if let Json::Object(m) = c { Some(m) } else { None }).into_iter().flatten() {
            let v = match v {
                Json::String(s) => text(s),
                Json::Number(n) => n.to_string().into(),
                _ => continue,
            };
            put(format!("kms:EncryptionContext:{k}").into(), v);
            put("kms:EncryptionContextKeys".into(), text(k));
            any = true;
        }
        if !any {
            absent.extend(["kms:EncryptionContext:${EncryptionContextKey}", "kms:EncryptionContextKeys"]);
        }
    }
    // Route 53 Developer Guide, "Using IAM policy conditions for fine-grained access control to
    // manage resource record sets": the three multivalued keys of ChangeResourceRecordSets hold
    // each change's action, record name (normalized) and record type, from the request's
    // changeBatch.changes[] (Route 53 API Reference, Change and ResourceRecordSet).
    if bits & KEYS_ROUTE53_CHANGES != 0 {
        let batch = params.may_hold("changeBatch").then(|| params.get().get("changeBatch")).flatten();
        let changes = batch.and_then(|b| b.get("changes")).and_then(Json::as_array).unwrap_or_default();
        fn set<'j>(c: &'j Json<'_>, key: &str) -> Option<&'j str> {
            c.get("resourceRecordSet").and_then(|r| r.get(key)).and_then(Json::as_str)
        }
        for c in changes {
            if let Some(a) = c.get("action").and_then(Json::as_str) {
                put("route53:ChangeResourceRecordSetsActions".into(), a.to_string().into());
            }
            if let Some(n) = set(c, "name") {
                put("route53:ChangeResourceRecordSetsNormalizedRecordNames".into(), normalized_record_name(n).into());
            }
            if let Some(t) = set(c, "type") {
                put("route53:ChangeResourceRecordSetsRecordTypes".into(), t.to_string().into());
            }
        }
        if changes.is_empty() {
            absent.extend([
                "route53:ChangeResourceRecordSetsActions",
                "route53:ChangeResourceRecordSetsNormalizedRecordNames",
                "route53:ChangeResourceRecordSetsRecordTypes",
            ]);
        }
    }
}

/// A record name as route53:ChangeResourceRecordSetsNormalizedRecordNames holds it (Route 53
/// Developer Guide, "Using IAM policy conditions for fine-grained access control to manage
/// resource record sets", on normalization): in lower case, without the trailing dot, every
/// character but a-z, 0-9, hyphen, underscore and period written as a backslash and its
/// three-digit octal code (`*` is `\052`). An escape already written so stays as it is.
fn normalized_record_name(name: &str) -> String {
    let b = name.strip_suffix('.').unwrap_or(name).as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i].to_ascii_lowercase();
        if c == b'\\' && b.get(i + 1..i + 4).is_some_and(|d| d.iter().all(|d| (b'0'..=b'7').contains(d))) {
            out.extend(b[i..i + 4].iter().map(|&d| char::from(d)));
            i += 4;
            continue;
        }
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_' | b'.') {
            out.push(char::from(c));
        } else {
            out.push_str(&format!("\\{c:03o}"));
        }
        i += 1;
    }
    out
}

/// ecs:task-definition of CreateService, UpdateService and CreateTaskSet: the ARN of the task
/// definition the request names (Service Authorization Reference, Amazon ECS: the key's type is
/// ARN; ECS API Reference, UpdateService: taskDefinition is FAMILY:REVISION or the full ARN,
/// or FAMILY alone for its latest ACTIVE revision, which the response's service shows:
/// service.taskDefinition). `None` when the request names none, or only a family the response
/// does not resolve.
fn service_task_definition(ev: &Event<'_>, params: &Params<'_>) -> Option<String> {
    let named = params.str_at("taskDefinition").filter(|t| !t.is_empty())?;
    if named.starts_with("arn:") {
        return Some(named.to_string());
    }
    if let Some((family, revision)) = named.split_once(':') {
        let (region, account) = (ev.aws_region.as_deref()?, ev.account()?);
        return Some(format!("arn:{}:ecs:{region}:{account}:task-definition/{family}:{revision}", ev.partition()));
    }
    let response = params.response_with("taskDefinition");
    let resolved = response.get("service").and_then(|s| s.get("taskDefinition")).and_then(Json::as_str);
    resolved.filter(|a| a.starts_with("arn:") && a.contains(&format!(":task-definition/{named}:"))).map(String::from)
}

/// The services that set aws:CalledVia when they call on with the caller's credentials (IAM
/// User Guide, "AWS global condition context keys", aws:CalledVia: the CalledVia services
/// table). Other services set only aws:ViaAWSService.
pub const CALLED_VIA: &[&str] =
    &["athena.amazonaws.com", "cloudformation.amazonaws.com", "dynamodb.amazonaws.com", "kms.amazonaws.com"];

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

/// The ARNs of the instance profiles a request names (`iamInstanceProfile`: `{"arn": ...}` or
/// `{"name": ...}` in EC2 launches, a name or ARN in Auto Scaling launch configurations). A
/// profile named by name is in the call's account: arn:PARTITION:iam::ACCOUNT:instance-profile/NAME.
fn instance_profiles(ev: &Event<'_>, params: &Params<'_>) -> Vec<String> {
    if !params.may_hold_any_case("iaminstanceprofile") {
        return Vec::new();
    }
    let mut found = Vec::new();
    find_keys(params.get(), "iamInstanceProfile", 0, &mut found);
    let mut out: Vec<String> = found
        .into_iter()
        .filter_map(|p| {
            let text = match p {
                Json::String(s) => s,
                _ => p.get("arn").or_else(|| p.get("name")).and_then(Json::as_str)?,
            };
            if text.starts_with("arn:") {
                return Some(text.to_string());
            }
            let name = text.trim_start_matches('/');
            let account = ev.account()?;
            (!name.is_empty()).then(|| format!("arn:{}:iam::{account}:instance-profile/{name}", ev.partition()))
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Keys that carry a role ARN without saying "role" (issue 18): EC2 flow logs'
/// DeliverLogsPermissionArn (EC2 API Reference, CreateFlowLogs), API Gateway integrations'
/// credentials (REST API Reference, PutIntegration; v2 CreateIntegration CredentialsArn),
/// Cognito user pools' SnsCallerArn (SmsConfigurationType).
/// The SDK models name a few more role members without the word (iam/tests/operations.rs
/// checks that every such member of iam/data/operations.tsv is here): Cognito's
/// EumsSms.CallerArn, Kendra's SecretManagerArn.
pub const ROLE_KEYS: &[&str] =
    &["deliverLogsPermissionArn", "credentials", "credentialsArn", "snsCallerArn", "callerArn", "secretManagerArn"];

/// Where a role passed under a key goes, when it is not the service called (IAM User Guide,
/// "IAM and AWS STS condition context keys", iam:PassedToService: the service principal of
/// the final service that assumes the role): ECS task and execution roles to ECS tasks
/// (Amazon ECS Developer Guide, "Task IAM role" and "Task execution IAM role"), flow logs'
/// role to the flow logs service (Amazon VPC User Guide, "IAM role for publishing flow logs
/// to CloudWatch Logs"), an EKS node group's role to EC2 (Amazon EKS User Guide, "Amazon EKS
/// node IAM role"), RDS Enhanced Monitoring's role to its monitoring service (Amazon RDS User
/// Guide, "Setting up and enabling Enhanced Monitoring").
const PASSED_TO: &[(&str, &str, &str)] = &[
    ("ecs", "taskRoleArn", "ecs-tasks.amazonaws.com"),
    ("ecs", "executionRoleArn", "ecs-tasks.amazonaws.com"),
    ("ec2", "deliverLogsPermissionArn", "vpc-flow-logs.amazonaws.com"),
    ("eks", "nodeRole", "ec2.amazonaws.com"),
    ("rds", "monitoringRoleArn", "monitoring.rds.amazonaws.com"),
];

/// Services that do not set iam:PassedToService (IAM User Guide, iam:PassedToService: "Some
/// services, such as AWS CodeBuild and AWS CodeCommit do not support this condition key").
const NO_PASSED_TO: &[&str] = &["codebuild", "codecommit"];

/// iam:PassedToService for a role passed under `key` in a call to `source`: the exceptions
/// above, else the service called, whose principal is its endpoint name (`lambda.amazonaws.com`;
/// the IAM User Guide: "This is the usual format: SERVICE_NAME_URL.amazonaws.com"). None where
/// that is not known: the services without the key, and sources that are not their
/// service's principal (those of `PREFIXES`).
fn passed_to(source: &str, prefix: &str, key: &str) -> Option<String> {
    if let Some((_, _, service)) = PASSED_TO.iter().find(|(p, k, _)| *p == prefix && k.eq_ignore_ascii_case(key)) {
        return Some(service.to_string());
    }
    let first = source.split('.').next().unwrap_or(source);
    let plain = first == prefix && source.strip_prefix(first) == Some(".amazonaws.com");
    (plain && !NO_PASSED_TO.contains(&prefix) && !PREFIXES.iter().any(|(s, _)| *s == source))
        .then(|| source.to_string())
}

/// iam:PassRole, which CloudTrail never logs: a call that configures a resource with a role
/// (a parameter named like a role, or one of `ROLE_KEYS`, holding a role ARN, or an EC2
/// instance profile) needed it. One use per service the roles are passed to, with that
/// service as iam:PassedToService. An instance profile's role is not in the event: its use
/// has `role/*` in the account, and the launching action carries the profile
/// (ec2:InstanceProfile); that key is EC2's, not in PassRole's request context, so it is not
/// put on the PassRole use, where a policy condition on it could never hold.
fn pass_role(ev: &Event<'_>, prefix: &str, name: &str, level: Option<&str>, params: &Params<'_>) -> Vec<Use<'static>> {
    if matches!(prefix, "iam" | "sts") {
        return Vec::new();
    }
    // Reads pass nothing: the event says so, or the catalog rates the action List or Read.
    let read_only = ev.read_only == Some(true)
        || level.is_some_and(|l| l == "List" || l == "Read")
        || ["Get", "List", "Describe"].iter().any(|p| name.starts_with(p));
    // Taking a role away from a resource passes nothing.
    let removal = ["Remove", "Delete", "Disassociate", "Detach"].iter().any(|p| name.starts_with(p));
    // A role ARN holds `:role/`.
    if read_only || removal || !(params.may_hold(":role/") || params.may_hold_any_case("iaminstanceprofile")) {
        return Vec::new();
    }
    let json = params.get();
    if json.is_null() {
        return Vec::new();
    }
    let mut roles = Vec::new();
    collect_role_arns(json, 0, &mut roles);
    // An instance profile anywhere in the request (EC2 launches, spot requests, Auto Scaling
    // launch configurations) passes its role, to EC2 (IAM User Guide, "Use an IAM role to
    // grant permissions to applications running on Amazon EC2 instances").
    let mut profiles = Vec::new();
    find_keys(json, "iamInstanceProfile", 0, &mut profiles);
    let source = ev.event_source.as_deref().unwrap_or("");
    // (service, roles), in the order met.
    let mut by_service: Vec<(Option<String>, Vec<String>)> = Vec::new();
    fn add(by_service: &mut Vec<(Option<String>, Vec<String>)>, service: Option<String>, role: String) {
        match by_service.iter_mut().find(|(s, _)| *s == service) {
            Some((_, list)) => list.push(role),
            None => by_service.push((service, vec![role])),
        }
    }
    for (role, key) in roles {
        add(&mut by_service, passed_to(source, prefix, key), role);
    }
    if !profiles.is_empty() && by_service.is_empty() {
        // The instance profile's role is not in the event; only its account is known.
        let acct = ev.account().unwrap_or("*");
        let role = format!("arn:{}:iam::{acct}:role/*", ev.partition());
        add(&mut by_service, Some("ec2.amazonaws.com".into()), role);
    }
    static PASS_ROLE: LazyLock<Option<u32>> =
        LazyLock::new(|| Catalog::get().action("iam", "PassRole").map(|a| ActionPlan::of(a).id));
    by_service
        .into_iter()
        .map(|(service, mut resources)| {
            resources.sort();
            resources.dedup();
            Use {
                action: "iam:PassRole".into(),
                known: true,
                inferred: true,
                resources: resources.into_iter().map(Cow::Owned).collect(),
                unnamed: false,
                // A role passed to a service ct cannot name: the record must say that this call
                // lacked the key, so that the other calls' values do not speak for it.
                absent: if service.is_none() {
                    SmallVec::from_slice(&["iam:PassedToService"])
                } else {
                    SmallVec::new()
                },
                context: service.map(|s| ("iam:PassedToService".into(), Cow::Owned(s))).into_iter().collect(),
                id: *PASS_ROLE,
                called_via_absent: false,
            }
        })
        .collect()
}

/// Whether `key` (any case) appears anywhere in `v`, depth-limited.
fn find_keys<'v>(v: &'v Json<'v>, key: &str, depth: u8, out: &mut Vec<&'v Json<'v>>) {
    if depth > 5 || out.len() >= 4 {
        return;
    }
    match v {
        Json::Object(m) => {
            for (k, x) in m {
                if k.eq_ignore_ascii_case(key) && !x.is_null() {
                    out.push(x);
                } else {
                    find_keys(x, key, depth + 1, out);
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|x| find_keys(x, key, depth + 1, out)),
        _ => {}
    }
}

/// The role ARNs under role keys anywhere in `v`, each with its key.
fn collect_role_arns<'v>(v: &'v Json<'v>, depth: u8, out: &mut Vec<(String, &'v str)>) {
    if depth > 5 || out.len() >= 16 {
        return;
    }
    match v {
        Json::Object(m) => {
            for (k, x) in m {
                let role_key = k.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"role"))
                    || ROLE_KEYS.iter().any(|r| r.eq_ignore_ascii_case(k));
                match x {
                    Json::String(s) if role_key && is_role_arn(s) => out.push((s.to_string(), &**k)),
                    // A list of role ARNs (Redshift's iamRoles).
                    Json::Array(a) if role_key && a.iter().any(|e| e.as_str().is_some_and(is_role_arn)) => {
                        out.extend(
                            a.iter().filter_map(Json::as_str).filter(|s| is_role_arn(s)).map(|s| (s.to_string(), &**k)),
                        );
                    }
                    // A map of role ARNs (Cognito identity pools' SetIdentityPoolRoles: roles by
                    // authenticated and unauthenticated).
                    Json::Object(m) if role_key && m.iter().any(|(_, e)| e.as_str().is_some_and(is_role_arn)) => {
                        out.extend(
                            m.iter()
                                .filter_map(|(_, e)| e.as_str())
                                .filter(|s| is_role_arn(s))
                                .map(|s| (s.to_string(), &**k)),
                        );
                    }
                    _ => collect_role_arns(x, depth + 1, out),
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|x| collect_role_arns(x, depth + 1, out)),
        _ => {}
    }
}

fn is_role_arn(s: &str) -> bool {
    let mut parts = s.splitn(6, ':');
    let mut part = || parts.next();
    let (arn, _, service, _, _, rest) = (part(), part(), part(), part(), part(), part());
    arn == Some("arn") && service == Some("iam") && rest.is_some_and(|r| r.starts_with("role/"))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// `holds` finds a needle wherever it is, whichever of its bytes it searches for first.
        #[test]
        fn holds_finds_what_a_plain_search_finds(hay in "[aeg:\"/Rx]{0,40}", needle in "[aeg:\"/Rx]{0,5}") {
            let plain = needle.is_empty() || hay.as_bytes().windows(needle.len()).any(|w| w == needle.as_bytes());
            prop_assert_eq!(super::holds(hay.as_bytes(), needle.as_bytes()), plain);
        }
    }
}
