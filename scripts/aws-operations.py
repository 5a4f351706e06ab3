#!/usr/bin/env python3
"""List every operation of every AWS service in botocore's service models, as TSV.

Usage: scripts/aws-operations.py BOTOCORE_DATA_DIR > iam/data/operations.tsv

BOTOCORE_DATA_DIR is the `botocore/data` folder of an unpacked botocore wheel
(scripts/refresh-aws-operations.sh downloads and unpacks it). For each service folder the
newest API version's `service-2.json(.gz)` is read, as botocore's own loader does (the
version folders are ISO dates, so the greatest name is the newest). Only the standard
library is used, and nothing is fetched.

Output, sorted and deterministic (tab-separated; `#` lines are comments):

    S  eventSource  endpointPrefix  signingName  serviceId  apiVersion
    O  eventSource  OperationName   roleMembers

Each service's `S` line is followed by its `O` lines. Several botocore services share an
endpoint prefix (SES v1, SES v2 and Pinpoint Email all use `email`; ELB v1 and v2 use
`elasticloadbalancing`, ...): all of them are kept, each under its own `S` line, so the same
(eventSource, OperationName) pair can appear more than once.

eventSource is the CloudTrail `eventSource` of the service's calls: `ENDPOINTPREFIX.amazonaws.com`
unless `EVENT_SOURCES` below says otherwise.

roleMembers lists the request members that carry an IAM role handed to the service (the
calls that need iam:PassRole, which CloudTrail never logs): comma-separated dotted paths of
member names as in the API model (`LoggingConfiguration.RoleArn`); a list is followed to its
element without adding to the path. Empty when there are none.
"""

import gzip
import html
import json
import os
import re
import sys

# --- eventSource ------------------------------------------------------------------------

# Endpoint prefix -> CloudTrail eventSource, where it is not `ENDPOINTPREFIX.amazonaws.com`.
# Sources, named in each comment:
#   realdata  the eventSource of the service's own operations in the AWS-written logs of the
#             project's shared corpus (shared/realdata, see its PROVENANCE.md);
#   EB ref    the EventBridge events reference page of the service, which gives the
#             eventSource of its CloudTrail events
#             (docs.aws.amazon.com/eventbridge/latest/ref/events-ref-<service>.html);
#   CT page   the service's "Logging ... API calls using AWS CloudTrail" page and its example
#             log entries;
#   research  shared/research/iam.md §2.2 (iam-dataset's map, trailscraper), which ct's own
#             mapping (iam/src/mapping/mod.rs PREFIXES) follows.
# Prefixes not listed keep the default, also where it is doubtful (the report of issue 18
# names them): the other SageMaker runtimes (a2i-runtime, featurestore-runtime, edge, ...),
# the IoT data planes (data-ats.iot, data.jobs.iot), data-signer, cassandra-streams, ...
EVENT_SOURCES = {
    # realdata (flaws2, grafana-loki: BatchGetImage, GetAuthorizationToken): ecr.
    "api.ecr": "ecr.amazonaws.com",
    # EB ref "Amazon ECR Public events": ecr-public.amazonaws.com.
    "api.ecr-public": "ecr-public.amazonaws.com",
    # realdata (traildiscover ListModels, ListTrainingJobs, ListEndpoints): sagemaker.
    "api.sagemaker": "sagemaker.amazonaws.com",
    # SageMaker Runtime's InvokeEndpoint data events: sagemaker.amazonaws.com (SageMaker CT
    # page; the same in published InvokeEndpoint log samples).
    "runtime.sagemaker": "sagemaker.amazonaws.com",
    # EB ref "SageMaker metrics events": metrics-sagemaker.amazonaws.com.
    "metrics.sagemaker": "metrics-sagemaker.amazonaws.com",
    # The `api.` host label is not part of the eventSource: CT page examples of Detective
    # (AcceptInvitation), MediaTailor (PutPlaybackConfiguration) and IoT managed integrations
    # (CreateCloudConnector); EB ref for IoT Device Advisor; IoT Wireless by the same rule
    # (no example found).
    "api.detective": "detective.amazonaws.com",
    "api.mediatailor": "mediatailor.amazonaws.com",
    "api.iotwireless": "iotwireless.amazonaws.com",
    "api.iotdeviceadvisor": "iotdeviceadvisor.amazonaws.com",
    "api.iotmanagedintegrations": "iotmanagedintegrations.amazonaws.com",
    # EB ref "AWS IoT Secure Tunneling events": iotsecuredtunneling.amazonaws.com.
    "api.tunneling.iot": "iotsecuredtunneling.amazonaws.com",
    # EB ref "AWS Price List events": pricelist.amazonaws.com.
    "api.pricing": "pricelist.amazonaws.com",
    # EB ref "Amazon Lex Model Building Service events": lex.amazonaws.com; Lex V2's CT page
    # logs its model and runtime calls as lex.amazonaws.com too.
    "models.lex": "lex.amazonaws.com",
    "runtime.lex": "lex.amazonaws.com",
    "models-v2-lex": "lex.amazonaws.com",
    "runtime-v2-lex": "lex.amazonaws.com",
    # DynamoDB CT page ("Understanding DynamoDB log file entries" has DynamoDB Streams
    # examples); EB ref has dynamodb.amazonaws.com only.
    "streams.dynamodb": "dynamodb.amazonaws.com",
    # SES v1, SES v2 and Pinpoint Email all use the `email` host; realdata (traildiscover
    # SendEmail, ListEmailIdentities, PutAccountDetails): ses.amazonaws.com.
    "email": "ses.amazonaws.com",
    # realdata (traildiscover CreateCluster, a CloudHSM v2 call): cloudhsm.amazonaws.com.
    "cloudhsmv2": "cloudhsm.amazonaws.com",
    # realdata (traildiscover ListApplications): application-insights.amazonaws.com.
    "applicationinsights": "application-insights.amazonaws.com",
    # EB ref "Amazon MQ events": amazonmq.amazonaws.com.
    "mq": "amazonmq.amazonaws.com",
    # EB ref "AWS Migration Hub events": migrationhub.amazonaws.com.
    "mgh": "migrationhub.amazonaws.com",
    # RDS Data API CT page, research: rdsdata.amazonaws.com.
    "rds-data": "rdsdata.amazonaws.com",
    # EB ref "Amazon AppStream events": appstream.amazonaws.com.
    "appstream2": "appstream.amazonaws.com",
    # Bedrock CT page: runtime calls (InvokeModel, Converse) are bedrock.amazonaws.com;
    # realdata (traildiscover ListAgents, GetKnowledgeBase, ListKnowledgeBases: Bedrock Agent
    # calls) likewise. Agent runtime and Data Automation share the `bedrock` signing name.
    "bedrock-runtime": "bedrock.amazonaws.com",
    "bedrock-agent": "bedrock.amazonaws.com",
    "bedrock-agent-runtime": "bedrock.amazonaws.com",
    "bedrock-data-automation": "bedrock.amazonaws.com",
    "bedrock-data-automation-runtime": "bedrock.amazonaws.com",
    # S3 Control (access points, account public access block, Batch Operations): S3 user
    # guide "Amazon S3 CloudTrail events" logs them as s3.amazonaws.com.
    "s3-control": "s3.amazonaws.com",
    # Identity Center portal: sso.amazonaws.com (Identity Center CT page; ct's mapping names
    # GetRoleCredentials & co. under `sso`); the admin API's host is `sso` already (realdata
    # CreateAccountAssignment).
    "portal.sso": "sso.amazonaws.com",
    # EB ref "IAM Identity Center OIDC events": sso-oauth.amazonaws.com.
    "oidc": "sso-oauth.amazonaws.com",
    # Marketplace CT page (BatchMeterUsage example): metering-marketplace.amazonaws.com.
    "metering.marketplace": "metering-marketplace.amazonaws.com",
    # No source found: the same form as metering's (doubtful).
    "entitlement.marketplace": "entitlement-marketplace.amazonaws.com",
    # EB ref "AWS Marketplace Catalog events": marketplacecatalog.amazonaws.com.
    "catalog.marketplace": "marketplacecatalog.amazonaws.com",
    # EB ref "Amazon Connect Participant Service events": participant-connect.amazonaws.com.
    "participant.connect": "participant-connect.amazonaws.com",
    # EB ref: chime-sdk-voice and chime-sdk-media-pipelines; the other Chime SDK services in
    # the same form (doubtful: no page found for identity, meetings, messaging).
    "identity-chime": "chime-sdk-identity.amazonaws.com",
    "media-pipelines-chime": "chime-sdk-media-pipelines.amazonaws.com",
    "meetings-chime": "chime-sdk-meetings.amazonaws.com",
    "messaging-chime": "chime-sdk-messaging.amazonaws.com",
    "voice-chime": "chime-sdk-voice.amazonaws.com",
    # Payment Cryptography CT page examples (CreateKey): payment-cryptography; the data plane
    # is the same service (its data events).
    "controlplane.payment-cryptography": "payment-cryptography.amazonaws.com",
    "dataplane.payment-cryptography": "payment-cryptography.amazonaws.com",
    # EB ref "Amazon Timestream events": timestream.amazonaws.com (query and write hosts).
    "query.timestream": "timestream.amazonaws.com",
    "ingest.timestream": "timestream.amazonaws.com",
    # MemoryDB CT page example (CreateCluster): memorydb.amazonaws.com.
    "memory-db": "memorydb.amazonaws.com",
    # MediaStore CT page example: mediastore.amazonaws.com (for the data plane: doubtful).
    "data.mediastore": "mediastore.amazonaws.com",
    # Pinpoint SMS and Voice v1, as v2's published logs (SendTextMessage): sms-voice
    # (doubtful for v1).
    "sms-voice.pinpoint": "sms-voice.amazonaws.com",
    # EB ref "AWS Wickr events": wickr.amazonaws.com (the admin API).
    "admin.wickr": "wickr.amazonaws.com",
    # EB ref "Amazon Q Apps events": qapps.amazonaws.com.
    "data.qapps": "qapps.amazonaws.com",
}

# botocore service folder -> eventSource, for services that share an endpoint prefix with
# another whose eventSource differs: Amazon Q in Connect (`qconnect`) uses Wisdom's `wisdom`
# host; EB ref "Amazon Q in Connect events": qconnect.amazonaws.com.
SERVICE_EVENT_SOURCES = {
    "qconnect": "qconnect.amazonaws.com",
}


def event_source(service, endpoint_prefix):
    """The CloudTrail eventSource of a botocore service with this endpoint prefix."""
    if service in SERVICE_EVENT_SOURCES:
        return SERVICE_EVENT_SOURCES[service]
    return EVENT_SOURCES.get(endpoint_prefix, endpoint_prefix + ".amazonaws.com")


# --- Role members (iam:PassRole) ------------------------------------------------------

# Services whose role members name roles to create, assume or manage, never a role passed
# to the service (IAM's CreateRole, STS's AssumeRole, Organizations' CreateAccount
# RoleName): left out as the brief of issue 18 says.
NO_PASSROLE_PREFIXES = {"iam", "sts", "organizations"}

# Operations that only read, list, remove or detach: a role ARN there identifies a role (a
# filter, the role to remove), it is not handed to the service.
NOT_PASSING_OPERATION = re.compile(
    r"^(Get|Describe|List|Search|Delete|Remove|Disassociate|Detach|Deregister|Unregister|"
    r"Revoke|Untag|Batch(Get|Delete|Describe|Disassociate)|Validate|Test|Preview|Simulate)"
)

# Member names that carry a role ARN whatever their documentation says: *RoleArn, *RoleARN,
# *RoleArns (a list); shape names likewise (SageMaker's `RoleArn` shape).
ROLE_ARN_NAME = re.compile(r"role_?arns?$", re.IGNORECASE)

# Words of a member name that say it holds something else than a role to hand over: a role's
# name or id to look up, a session name, the role to remove or the one in use, a principal
# to grant access to (Account Access's principalRole, Q Business's principal), a role that is
# not an IAM role.
NOT_ROLE_WORDS = {
    "name", "names", "id", "ids", "session", "alias", "type", "status", "remove", "delete",
    "old", "previous", "detach", "external", "assumed", "current", "principal",
    # not IAM roles: Snowflake's own roles, OpenSearch's fine-grained access backend roles
    "snowflake", "backend",
}

# Words of a member name that say it holds another resource although its documentation's
# first sentence speaks of a role (Kendra's LambdaArn and Pinpoint SMS's DeliveryStreamArn
# copy a role's documentation): only a name ending in RoleArn overrides them.
OTHER_RESOURCE_WORDS = {
    "policy", "kms", "key", "bucket", "topic", "queue", "secret", "certificate", "lambda",
    "function", "stream",
}

# Words of an enclosing member that say the role inside is named, not handed over: a
# principal to grant access to (Account Access's principalRole, Redshift Serverless's
# principal.iam.arn), a resource to identify (IoT's audit resourceIdentifier).
NOT_ROLE_PARENT_WORDS = {"principal", "identifier"}

# Members that hold a role although neither their name nor their documentation's first
# sentence says so; the same names ct's mapping treats as roles (iam/src/mapping/mod.rs
# ROLE_KEYS): API Gateway's integration `credentials` / `CredentialsArn` ("To specify an IAM
# role for API Gateway to assume, use the role's Amazon Resource Name") and Cognito's
# SmsConfiguration `SnsCallerArn` ("This is the ARN of the IAM role in your account that
# Amazon Cognito will use to send SMS messages"). Taken when their documentation says "role".
ROLE_TOO = {"credentials", "credentialsarn", "snscallerarn", "deliverlogspermissionarn"}

# Single members that match the rules but pass no role (service, operation, path), each with
# the reason: License Manager's CreateToken embeds role ARNs in a token that is later
# exchanged with sts:AssumeRoleWithWebIdentity; no role is handed to License Manager. IoT
# SiteWise's access policies grant a role access to a portal or project (the role is the
# policy's identity, like a principal), they do not hand the role to SiteWise.
NOT_PASSED = {
    ("license-manager", "CreateToken", "RoleArns"),
    ("iotsitewise", "CreateAccessPolicy", "accessPolicyIdentity.iamRole.arn"),
    ("iotsitewise", "UpdateAccessPolicy", "accessPolicyIdentity.iamRole.arn"),
}

# The documentation's first sentence says the member is an IAM role to hand over: "The ARN of
# the IAM role that ...", "The Amazon Resource Name (ARN) of the role ...", "The IAM role
# ARN ...", "The IAM role that CodeBuild uses ...", "The name or ARN of the IAM role ...".
ROLE_DOC = re.compile(
    r"^(\w+:\s+)?(Specifies\s+|Indicates\s+)?(the\s+|an\s+|a\s+)?"
    r"("
    r"(name\s+or\s+)?(full\s+)?(ARN|Amazon\s+Resource\s+Name\s*(\(ARN\))?)(\s+or\s+name)?\s+(of|for)\s+"
    r"(the|an|a)\s+((AWS\s+)?(IAM|Identity\s+and\s+Access\s+Management(\s+\(IAM\))?)\s+)?"
    r"((service|execution|service-linked|customer[- ]managed|invocation)\s+)?role\b(?!\s+(alias|name|policy|session))"
    r"|(AWS\s+)?(IAM\s+)?(service\s+|execution\s+)?role\s+ARNs?\b"
    r"|((AWS\s+)?IAM|service|execution)\s+role\s+(that|which|to\s+use|used|for|the\s+service|to\s+be\s+assumed)\b"
    r")",
    re.IGNORECASE,
)

# A member whose name ends in Role or Roles (ServiceRole, lambdaRole, IamRoles, ...) holds a
# role, by name or ARN, when its documentation's first sentence says it is an IAM role or
# the role a service uses ("The name of a service role used for this build", "The IAM role
# you use for creating this job"), not the role a thing plays ("The role of the node").
ROLE_WORD_DOC = re.compile(
    r"\b(IAM|Identity and Access Management|ARNs?|Amazon Resource Names?)\b"
    r"|\b(service|execution|access|runtime|fleet|operations|invocation|update|sync)\s+roles?\b"
    r"|\broles?\s+(you|that\s+(is|will|the)|to\s+(use|assume|assign)|used|assumed)\b",
    re.IGNORECASE,
)

MAX_DEPTH = 4  # member names in a path

# A dict while `--why` runs: (endpoint prefix, operation) -> why each role member was taken.
WHY = None


def words(member_name):
    """The lower-case words of a CamelCase or snake_case member name."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", member_name)]


def first_sentence(doc):
    """The first sentence of a member's HTML documentation, as plain text."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", doc or ""))
    text = re.sub(r"\s+", " ", text).strip()
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def role_reason(member_name, member_ref, shapes, parents=()):
    """Why a string member holds an IAM role handed to the service, or None when it does not:
    "name" (named *RoleArn), "shape" (its shape is), "doc" (its documentation says so),
    "role+doc" (named *Role and its documentation says an IAM role), "known" (ROLE_TOO).
    parents: the names of the enclosing members."""
    shape_name = member_ref["shape"]
    shape = shapes[shape_name]
    if shape["type"] == "list":
        shape = shapes[shape["member"]["shape"]]
    if "enum" in shape or NOT_ROLE_WORDS.intersection(words(member_name)):
        return None
    if any(NOT_ROLE_PARENT_WORDS.intersection(words(p)) for p in parents):
        return None
    doc = member_ref.get("documentation") or shapes[shape_name].get("documentation", "")
    if member_name.lower() in ROLE_TOO and re.search(r"\brole\b", doc, re.IGNORECASE):
        return "known"
    if ROLE_ARN_NAME.search(member_name):
        return "name"
    # A shape of role names only (Redshift's SystemRoleNameList), not RoleNameOrArn.
    shape_words = words(shape_name)
    if "name" in shape_words and "arn" not in shape_words and "resource" not in shape_words:
        return None
    if ROLE_ARN_NAME.search(shape_name):
        return "shape"
    sentence = first_sentence(doc)
    if words(member_name)[-1] in ("role", "roles"):
        return "role+doc" if ROLE_WORD_DOC.search(sentence) else None
    if OTHER_RESOURCE_WORDS.intersection(words(member_name)):
        return None
    if ROLE_DOC.match(sentence):
        return "doc"
    return None


def string_leaf(shape_name, shapes):
    """Whether a shape is a string or a list of strings (a role ARN or several)."""
    shape = shapes[shape_name]
    if shape["type"] == "string":
        return True
    return shape["type"] == "list" and shapes[shape["member"]["shape"]]["type"] == "string"


def role_members(shape_name, shapes, path=(), seen=(), why=None):
    """Dotted paths of the role members under an operation's input shape. A list is followed
    to its element; a structure met again on the same path is not (recursive shapes)."""
    shape = shapes[shape_name]
    if shape["type"] == "list":
        return role_members(shape["member"]["shape"], shapes, path, seen, why)
    if shape["type"] != "structure" or shape_name in seen or len(path) >= MAX_DEPTH:
        return []
    found = []
    for member_name, member_ref in sorted(shape.get("members", {}).items()):
        target = member_ref["shape"]
        member_path = path + (member_name,)
        if string_leaf(target, shapes):
            reason = role_reason(member_name, member_ref, shapes, path)
            if reason:
                found.append(".".join(member_path))
                if why is not None:
                    why.append((".".join(member_path), reason, member_ref, target))
        else:
            found.extend(role_members(target, shapes, member_path, seen + (shape_name,), why))
    return found


def operation_roles(endpoint_prefix, signing_name, op_name, operation, shapes):
    """The role members of one operation (empty where no role can be passed)."""
    if endpoint_prefix in NO_PASSROLE_PREFIXES or signing_name in NO_PASSROLE_PREFIXES:
        return []
    if NOT_PASSING_OPERATION.match(op_name) or "input" not in operation:
        return []
    why = None if WHY is None else WHY.setdefault((endpoint_prefix, op_name), [])
    found = role_members(operation["input"]["shape"], shapes, why=why)
    return [m for m in found if (endpoint_prefix, op_name, m) not in NOT_PASSED]


# --- Reading the models ---------------------------------------------------------------


def newest_model(service_dir):
    """(apiVersion, model) of the newest API version in a botocore service folder, or None."""
    versions = sorted(v for v in os.listdir(service_dir) if os.path.isdir(os.path.join(service_dir, v)))
    for version in reversed(versions):
        path = os.path.join(service_dir, version, "service-2.json")
        if os.path.exists(path + ".gz"):
            with gzip.open(path + ".gz", "rt", encoding="utf-8") as f:
                return version, json.load(f)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                return version, json.load(f)
    return None


def services(data_dir):
    """One record per botocore service: its metadata, eventSource and operations."""
    out = []
    for name in sorted(os.listdir(data_dir)):
        service_dir = os.path.join(data_dir, name)
        if not os.path.isdir(service_dir):
            continue
        found = newest_model(service_dir)
        if found is None:
            continue
        version, model = found
        meta = model["metadata"]
        prefix = meta["endpointPrefix"]
        # botocore signs with signingName when given, else with the endpoint prefix.
        signing = meta.get("signingName") or prefix
        shapes = model.get("shapes", {})
        ops = []
        for op_name, operation in model["operations"].items():
            # The wire name (`name`) is what CloudTrail logs; botocore keys match it.
            wire = operation.get("name", op_name)
            ops.append((wire, operation_roles(prefix, signing, wire, operation, shapes)))
        out.append(
            {
                "dir": name,
                "eventSource": event_source(name, prefix),
                "endpointPrefix": prefix,
                "signingName": signing,
                "serviceId": meta.get("serviceId", name),
                "apiVersion": meta.get("apiVersion", version),
                # read for the report; the TSV has no column for it
                "protocol": meta.get("protocol", ""),
                "operations": sorted(ops),
            }
        )
    out.sort(key=lambda s: (s["eventSource"], s["serviceId"], s["dir"]))
    return out


def botocore_version(data_dir):
    """The botocore version, read from botocore/__init__.py beside the data folder."""
    init = os.path.join(os.path.dirname(os.path.abspath(data_dir)), "__init__.py")
    try:
        with open(init, encoding="utf-8") as f:
            match = re.search(r"^__version__ = ['\"]([^'\"]+)['\"]", f.read(), re.MULTILINE)
            return match.group(1) if match else "unknown"
    except OSError:
        return "unknown"


def print_why(data_dir):
    """For a reviewer: each role member with the rule that took it and its documentation."""
    global WHY
    WHY = {}
    services(data_dir)
    for (prefix, op_name), found in sorted(WHY.items()):
        for path, reason, member_ref, _ in found:
            doc = first_sentence(member_ref.get("documentation", ""))
            print("\t".join([prefix, op_name, path, reason, doc]))


def main(argv):
    if len(argv) == 3 and argv[1] == "--why":
        return print_why(argv[2])
    if len(argv) != 2:
        sys.exit("usage: aws-operations.py [--why] BOTOCORE_DATA_DIR > iam/data/operations.tsv")
    data_dir = argv[1]
    all_services = services(data_dir)
    n_ops = sum(len(s["operations"]) for s in all_services)
    w = sys.stdout.write
    w(
        f"# ct operations v1 from botocore {botocore_version(data_dir)} "
        f"({len(all_services)} services, {n_ops} operations); Apache-2.0, see NOTICE\n"
    )
    w("# S eventSource endpointPrefix signingName serviceId apiVersion"
      " | O eventSource OperationName roleMembers\n")
    w("# O lines belong to the S line above them; roleMembers: comma-separated dotted input"
      " member paths holding an IAM role passed to the service (iam:PassRole)\n")
    for s in all_services:
        fields = [s["eventSource"], s["endpointPrefix"], s["signingName"], s["serviceId"], s["apiVersion"]]
        w("\t".join(["S"] + fields) + "\n")
        for op_name, roles in s["operations"]:
            w("\t".join(["O", s["eventSource"], op_name, ",".join(roles)]) + "\n")


if __name__ == "__main__":
    main(sys.argv)
