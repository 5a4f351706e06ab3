//! The services' name rules: from an event source and name (and, for a few services, the
//! request) to the IAM action names, before the catalog check. S3's names and versions, KMS
//! ReEncrypt, Lambda's Invoke, API Gateway's HTTP verbs, Keyspaces' CQL verbs, API-version
//! suffixes and the renames of `crate::renames`.

use super::request::Params;
use super::{S3_NAMES, prefix_of, strip_version};
use crate::catalog::Catalog;
use crate::json::Json;
use crate::renames;

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
pub(super) type RequestBits = fn(&Params<'_>) -> usize;

/// The `RequestBits` of a source and name; `None` when the names depend on nothing else (most
/// services).
pub(super) fn request_bits(source: &str, name: &str) -> Option<RequestBits> {
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
pub(super) fn action_names<'n>(prefix: &'n str, name: &'n str, params: &Params<'_>) -> Vec<(&'n str, &'n str)> {
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
