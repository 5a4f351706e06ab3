//! Which AWS APIs exist and how often they show up in a trail, plus the generic
//! request/response payloads for them.
//!
//! The table is hand-written from AWS API names (47 event sources, ~430 event names), ordered
//! by popularity within each service: the generators draw names with a Zipf curve, so the first
//! few of each list dominate as in real trails while the tail still appears.

use crate::json::obj;
use crate::record;
use crate::rng::Rng;

pub struct Service {
    /// The event source; its IAM action prefix is `ct_iam::mapping::prefix_of(source)`
    /// (`cloudwatch` for monitoring.amazonaws.com…).
    pub source: &'static str,
    /// Relative share of calls by ordinary principals (roles, users).
    pub weight: u32,
    /// Recorded in us-east-1 only (IAM, global STS, CloudFront, Route 53, …).
    pub global: bool,
    /// Data events (eventCategory Data, managementEvent false).
    pub data: bool,
    pub events: &'static [&'static str],
}

const fn svc(source: &'static str, weight: u32, global: bool, data: bool, events: &'static [&'static str]) -> Service {
    Service { source, weight, global, data, events }
}

pub const S3: &str = "s3.amazonaws.com";
pub const STS: &str = "sts.amazonaws.com";
pub const KMS: &str = "kms.amazonaws.com";
pub const EC2: &str = "ec2.amazonaws.com";
pub const LAMBDA: &str = "lambda.amazonaws.com";
pub const DYNAMODB: &str = "dynamodb.amazonaws.com";
pub const SIGNIN: &str = "signin.amazonaws.com";

#[rustfmt::skip]
pub static SERVICES: &[Service] = &[
    svc(S3, 80, false, true, &["GetObject", "PutObject", "HeadObject", "ListObjects", "DeleteObject", "CopyObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "GetObjectTagging"]),
    svc(LAMBDA, 24, false, true, &["Invoke"]),
    svc(DYNAMODB, 36, false, true, &["GetItem", "Query", "PutItem", "UpdateItem", "BatchGetItem", "BatchWriteItem", "DeleteItem"]),
    svc(KMS, 90, false, false, &["Decrypt", "GenerateDataKey", "Encrypt", "DescribeKey", "GenerateDataKeyWithoutPlaintext", "ReEncrypt", "ListAliases", "ListKeys", "GetKeyPolicy", "GetKeyRotationStatus", "ListResourceTags", "CreateGrant", "RetireGrant", "ListGrants"]),
    svc(EC2, 95, false, false, &["DescribeInstances", "DescribeNetworkInterfaces", "DescribeSecurityGroups", "DescribeVolumes", "DescribeSubnets", "DescribeInstanceStatus", "DescribeVpcs", "DescribeTags", "DescribeImages", "DescribeRouteTables", "DescribeAvailabilityZones", "DescribeSnapshots", "DescribeLaunchTemplateVersions", "DescribeAddresses", "DescribeInstanceTypes", "CreateTags", "DescribeRegions", "DescribeKeyPairs", "DescribeVpcEndpoints", "DescribeNatGateways", "DescribeInternetGateways", "DescribeSecurityGroupRules", "DescribeLaunchTemplates", "DescribeSpotPriceHistory", "CreateNetworkInterface", "DeleteNetworkInterface", "RunInstances", "CreateSnapshot", "TerminateInstances", "DescribeVolumeStatus", "StartInstances", "StopInstances", "AttachVolume", "CreateVolume"]),
    svc(STS, 60, false, false, &["AssumeRole", "GetCallerIdentity", "AssumeRoleWithWebIdentity", "GetSessionToken", "DecodeAuthorizationMessage"]),
    svc("s3.amazonaws.com", 45, false, false, &["ListBuckets", "GetBucketLocation", "GetBucketPolicy", "GetBucketAcl", "GetBucketVersioning", "GetBucketEncryption", "GetBucketTagging", "GetBucketPublicAccessBlock", "GetBucketLogging", "GetBucketLifecycle", "GetBucketNotification", "GetBucketReplication", "GetBucketOwnershipControls", "GetBucketObjectLockConfiguration", "GetBucketWebsite", "GetBucketCors"]),
    svc("lambda.amazonaws.com", 20, false, false, &["GetFunction", "ListFunctions20150331", "GetFunctionConfiguration", "GetPolicy20150331v2", "ListVersionsByFunction20150331", "ListEventSourceMappings20150331", "ListTags20170331", "UpdateFunctionCode20150331v2", "UpdateFunctionConfiguration20150331v2", "GetFunctionCodeSigningConfig", "PublishVersion20150331", "ListAliases20150331"]),
    svc("dynamodb.amazonaws.com", 15, false, false, &["DescribeTable", "ListTables", "DescribeTimeToLive", "DescribeContinuousBackups", "ListTagsOfResource", "DescribeLimits", "DescribeKinesisStreamingDestination", "UpdateTable", "CreateTable"]),
    svc("logs.amazonaws.com", 45, false, false, &["CreateLogStream", "DescribeLogStreams", "DescribeLogGroups", "PutLogEvents", "FilterLogEvents", "GetLogEvents", "StartQuery", "GetQueryResults", "CreateLogGroup", "PutRetentionPolicy", "DescribeSubscriptionFilters", "DescribeMetricFilters"]),
    svc("monitoring.amazonaws.com", 35, false, false, &["GetMetricData", "DescribeAlarms", "ListMetrics", "GetMetricStatistics", "PutMetricAlarm", "DescribeAlarmsForMetric", "DescribeAlarmHistory", "GetDashboard", "ListDashboards"]),
    svc("cloudformation.amazonaws.com", 20, false, false, &["DescribeStacks", "DescribeStackEvents", "ListStacks", "DescribeStackResources", "ListStackResources", "GetTemplate", "DescribeStackResource", "GetTemplateSummary", "DescribeChangeSet", "ListExports", "ValidateTemplate", "CreateChangeSet"]),
    svc("ecr.amazonaws.com", 30, false, false, &["GetAuthorizationToken", "BatchGetImage", "GetDownloadUrlForLayer", "BatchCheckLayerAvailability", "DescribeImages", "DescribeRepositories", "ListImages", "PutImage", "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload"]),
    svc("ecs.amazonaws.com", 25, false, false, &["DescribeServices", "DescribeTasks", "ListTasks", "DescribeClusters", "SubmitTaskStateChange", "DiscoverPollEndpoint", "DescribeTaskDefinition", "ListServices", "SubmitContainerStateChange", "ListClusters", "DescribeContainerInstances", "ListContainerInstances"]),
    svc("eks.amazonaws.com", 15, false, false, &["DescribeCluster", "ListClusters", "ListNodegroups", "DescribeNodegroup", "ListAddons", "DescribeAddon", "DescribeAddonVersions", "ListFargateProfiles", "ListUpdates"]),
    svc("elasticloadbalancing.amazonaws.com", 15, false, false, &["DescribeTargetHealth", "DescribeLoadBalancers", "DescribeTargetGroups", "DescribeListeners", "DescribeRules", "DescribeTags", "DescribeLoadBalancerAttributes", "DescribeTargetGroupAttributes", "RegisterTargets"]),
    svc("autoscaling.amazonaws.com", 15, false, false, &["DescribeAutoScalingGroups", "DescribeAutoScalingInstances", "DescribeScalingActivities", "DescribeLaunchConfigurations", "DescribeLifecycleHooks", "DescribePolicies", "CompleteLifecycleAction", "DescribeScheduledActions", "UpdateAutoScalingGroup"]),
    svc("rds.amazonaws.com", 15, false, false, &["DescribeDBInstances", "DescribeDBClusters", "DescribeDBSnapshots", "DescribeDBClusterSnapshots", "DescribeEvents", "ListTagsForResource", "DescribeDBParameterGroups", "DescribeDBSubnetGroups", "DescribeDBEngineVersions", "DescribePendingMaintenanceActions", "DescribeDBLogFiles"]),
    svc("route53.amazonaws.com", 6, true, false, &["ListResourceRecordSets", "GetChange", "ListHostedZones", "ChangeResourceRecordSets", "GetHostedZone", "ListHealthChecks"]),
    svc("cloudfront.amazonaws.com", 4, true, false, &["ListDistributions", "GetDistribution", "GetDistributionConfig", "CreateInvalidation", "ListInvalidations", "GetInvalidation"]),
    svc("iam.amazonaws.com", 30, true, false, &["GetRole", "ListRoles", "GetPolicy", "GetPolicyVersion", "ListAttachedRolePolicies", "ListRolePolicies", "GetRolePolicy", "ListPolicies", "GetUser", "ListUsers", "ListInstanceProfilesForRole", "ListAccessKeys", "GetAccessKeyLastUsed", "ListGroupsForUser", "ListMFADevices", "ListAttachedUserPolicies", "GetAccountSummary", "ListGroups", "GetInstanceProfile", "ListPolicyVersions", "GetAccountPasswordPolicy", "ListOpenIDConnectProviders", "CreateRole", "AttachRolePolicy", "PutRolePolicy", "CreateAccessKey", "CreateUser", "UpdateAssumeRolePolicy"]),
    svc("sns.amazonaws.com", 10, false, false, &["GetTopicAttributes", "ListTopics", "ListSubscriptionsByTopic", "ListSubscriptions", "ListTagsForResource", "GetSubscriptionAttributes", "Subscribe"]),
    svc("sqs.amazonaws.com", 10, false, false, &["GetQueueAttributes", "ListQueues", "GetQueueUrl", "ListQueueTags", "SetQueueAttributes", "CreateQueue"]),
    svc("secretsmanager.amazonaws.com", 25, false, false, &["GetSecretValue", "DescribeSecret", "ListSecrets", "GetResourcePolicy", "ListSecretVersionIds", "PutSecretValue", "UpdateSecretVersionStage", "RotateSecret"]),
    svc("ssm.amazonaws.com", 45, false, false, &["GetParameter", "GetParameters", "UpdateInstanceInformation", "GetParametersByPath", "DescribeInstanceInformation", "ListInstanceAssociations", "DescribeParameters", "UpdateInstanceAssociationStatus", "PutInventory", "ListCommands", "GetDocument", "DescribeAssociation", "ListAssociations", "PutParameter", "SendCommand", "GetCommandInvocation"]),
    svc("config.amazonaws.com", 20, false, false, &["PutEvaluations", "DescribeConfigurationRecorders", "DescribeConfigRules", "DescribeConfigurationRecorderStatus", "DescribeDeliveryChannels", "GetComplianceDetailsByConfigRule", "DescribeComplianceByConfigRule", "SelectResourceConfig", "GetResourceConfigHistory"]),
    svc("cloudtrail.amazonaws.com", 8, false, false, &["DescribeTrails", "GetTrailStatus", "LookupEvents", "GetEventSelectors", "ListTrails", "GetTrail", "ListTags", "GetInsightSelectors", "ListEventDataStores"]),
    svc("guardduty.amazonaws.com", 6, false, false, &["ListDetectors", "GetDetector", "ListFindings", "GetFindings", "GetFindingsStatistics", "ListFilters", "GetMasterAccount"]),
    svc("securityhub.amazonaws.com", 8, false, false, &["BatchImportFindings", "GetFindings", "BatchUpdateFindings", "DescribeHub", "GetEnabledStandards", "DescribeStandardsControls"]),
    svc("organizations.amazonaws.com", 4, true, false, &["DescribeOrganization", "ListAccounts", "DescribeAccount", "ListRoots", "ListOrganizationalUnitsForParent", "ListPolicies", "ListAccountsForParent", "ListParents"]),
    svc(SIGNIN, 4, true, false, &["ConsoleLogin", "CheckMfa", "SwitchRole", "GetSigninToken", "RenewRole"]),
    svc("sso.amazonaws.com", 6, false, false, &["GetRoleCredentials", "ListAccounts", "ListAccountRoles", "Federate", "Authenticate", "ListApplications"]),
    svc("codebuild.amazonaws.com", 8, false, false, &["BatchGetBuilds", "StartBuild", "BatchGetProjects", "ListBuildsForProject", "ListProjects", "BatchPutTestCases", "CreateReport", "UpdateReport"]),
    svc("codepipeline.amazonaws.com", 8, false, false, &["PollForJobs", "GetPipelineState", "GetPipeline", "AcknowledgeJob", "PutJobSuccessResult", "GetPipelineExecution", "ListPipelineExecutions", "ListActionExecutions"]),
    svc("codedeploy.amazonaws.com", 5, false, false, &["GetDeployment", "PutLifecycleEventHookExecutionStatus", "BatchGetDeploymentTargets", "ListDeployments", "CreateDeployment", "GetDeploymentConfig"]),
    svc("elasticache.amazonaws.com", 5, false, false, &["DescribeCacheClusters", "DescribeReplicationGroups", "ListTagsForResource", "DescribeCacheSubnetGroups", "DescribeEvents", "DescribeCacheParameterGroups"]),
    svc("es.amazonaws.com", 4, false, false, &["DescribeDomain", "ListDomainNames", "DescribeDomains", "DescribeDomainConfig", "ListTags"]),
    svc("kinesis.amazonaws.com", 8, false, false, &["DescribeStreamSummary", "ListShards", "DescribeStream", "ListStreams", "DescribeStreamConsumer", "ListTagsForStream"]),
    svc("firehose.amazonaws.com", 4, false, false, &["DescribeDeliveryStream", "ListDeliveryStreams", "ListTagsForDeliveryStream", "UpdateDestination", "CreateDeliveryStream"]),
    svc("events.amazonaws.com", 8, false, false, &["DescribeRule", "ListRules", "ListTargetsByRule", "PutRule", "PutTargets", "ListEventBuses", "DescribeEventBus", "EnableRule"]),
    svc("states.amazonaws.com", 8, false, false, &["StartExecution", "DescribeExecution", "ListExecutions", "GetExecutionHistory", "DescribeStateMachine", "ListStateMachines", "DescribeStateMachineForExecution"]),
    svc("apigateway.amazonaws.com", 8, false, false, &["GetRestApis", "GetResources", "GetStages", "GetRestApi", "GetDeployments", "GetMethod", "GetIntegration", "GetAuthorizers", "GetUsagePlans"]),
    svc("acm.amazonaws.com", 4, false, false, &["DescribeCertificate", "ListCertificates", "ListTagsForCertificate", "GetCertificate", "RequestCertificate"]),
    svc("health.amazonaws.com", 3, true, false, &["DescribeEvents", "DescribeEventDetails", "DescribeAffectedEntities", "DescribeEventAggregates", "DescribeEventTypes"]),
    svc("backup.amazonaws.com", 5, false, false, &["ListBackupJobs", "DescribeBackupJob", "ListBackupPlans", "GetBackupPlan", "ListRecoveryPointsByBackupVault", "ListBackupVaults", "DescribeRecoveryPoint"]),
    svc("glue.amazonaws.com", 8, false, false, &["GetTable", "GetTables", "GetPartitions", "GetDatabase", "GetDatabases", "BatchCreatePartition", "GetJobRuns", "GetCrawler", "StartJobRun"]),
    svc("athena.amazonaws.com", 8, false, false, &["GetQueryExecution", "StartQueryExecution", "GetQueryResults", "GetWorkGroup", "ListWorkGroups", "ListDataCatalogs", "GetTableMetadata", "ListDatabases"]),
    svc("tagging.amazonaws.com", 4, false, false, &["GetResources", "GetTagKeys", "GetTagValues", "TagResources", "UntagResources"]),
    svc("access-analyzer.amazonaws.com", 3, false, false, &["ListAnalyzers", "ListFindings", "ValidatePolicy", "GetFinding", "GetAnalyzer"]),
    svc("support.amazonaws.com", 2, true, false, &["DescribeTrustedAdvisorChecks", "DescribeTrustedAdvisorCheckResult", "DescribeTrustedAdvisorCheckSummaries", "DescribeCases", "DescribeSeverityLevels"]),
];

/// Whether CloudTrail marks this call read-only.
pub fn read_only(name: &str) -> bool {
    const RO: &[&str] = &[
        "Describe",
        "List",
        "Get",
        "Head",
        "Lookup",
        "BatchGet",
        "Query",
        "Scan",
        "Search",
        "Filter",
        "Validate",
        "Select",
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "ReEncrypt",
        "Verify",
        "Sign",
        "AssumeRole",
        "DecodeAuthorizationMessage",
        "CheckMfa",
        "Poll",
        "Discover",
        "TransactGet",
        "ConditionCheck",
    ];
    RO.iter().any(|p| name.starts_with(p))
}

/// The IAM action name of an event name (`UpdateFunctionCode20150331v2` → `UpdateFunctionCode`):
/// without the API-version suffix, as ct_iam's mapping reads it.
pub fn action(name: &str) -> &str {
    ct_iam::mapping::strip_version(name).unwrap_or(name)
}

/// Lower-camel noun of an API name (`DescribeLogGroups` → `logGroup`), for generic parameters.
pub fn noun(name: &str) -> String {
    const VERBS: &[&str] = &[
        "BatchGet",
        "BatchUpdate",
        "BatchImport",
        "BatchCreate",
        "BatchDelete",
        "BatchPut",
        "BatchCheck",
        "Describe",
        "List",
        "Get",
        "Create",
        "Update",
        "Put",
        "Delete",
        "Start",
        "Stop",
        "Modify",
        "Register",
        "Deregister",
        "Attach",
        "Detach",
        "Enable",
        "Disable",
        "Tag",
        "Untag",
        "Set",
        "Add",
        "Remove",
        "Generate",
        "Submit",
        "Send",
        "Associate",
        "Authorize",
        "Revoke",
        "Rotate",
        "Execute",
        "Publish",
        "Request",
        "Refresh",
        "Restore",
        "Reboot",
        "Archive",
        "Validate",
        "Select",
        "Terminate",
        "Initiate",
        "Upload",
        "Complete",
        "Acknowledge",
        "Increase",
        "Record",
        "Purge",
        "Confirm",
        "Unsubscribe",
        "Subscribe",
        "Invoke",
        "Run",
        "Schedule",
        "Retire",
        "Exit",
        "Renew",
        "Check",
        "Federate",
        "Authenticate",
        "Discover",
        "Poll",
    ];
    let base = action(name);
    let rest = VERBS.iter().find_map(|v| base.strip_prefix(v)).filter(|r| !r.is_empty()).unwrap_or(base);
    let rest = rest.strip_suffix('s').unwrap_or(rest);
    let mut out = String::with_capacity(rest.len());
    let mut chars = rest.chars();
    if let Some(c) = chars.next() {
        out.push(c.to_ascii_lowercase());
    }
    out.extend(chars);
    out
}

/// Resource names a generator can refer to.
pub struct Names<'a> {
    pub buckets: &'a [&'a str],
    pub tables: &'a [&'a str],
    pub functions: &'a [&'a str],
    pub log_groups: &'a [&'a str],
    pub kms_keys: &'a [&'a str],
    pub things: &'a [&'a str],
}

/// Context for generic payloads.
pub struct Ctx<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub names: &'a Names<'a>,
    /// eventVersion < 1.08: older, slimmer payload shapes.
    pub legacy: bool,
    /// Day of the event as `YYYY/MM/DD`, for object keys.
    pub day: &'a str,
}

/// requestParameters, responseElements, resources, additionalEventData for one call.
#[derive(Default, Debug, Clone)]
pub struct Payload {
    pub req: Option<String>,
    pub resp: Option<String>,
    pub resources: Option<String>,
    pub extra: Option<String>,
    /// The ARN to name in an authorization error.
    pub target: Option<String>,
}

/// A plausible payload for `source`/`name` that the generators have no story for.
pub fn generic(c: &Ctx, rng: &mut Rng, source: &str, name: &str) -> Payload {
    let n = c.names;
    let acct = c.account;
    let region = c.region;
    let thing = *rng.pick(n.things);
    let mut p = Payload::default();
    match (source, name) {
        (S3, _) if is_s3_object_op(name) => {
            let bucket = *rng.pick(n.buckets);
            let ext = *rng.pick(&["json", "parquet", "gz", "csv", "zip", "png"]);
            // Half the keys are generated names (uploads, exports): as unique as real ones.
            let key = if rng.chance(0.5) {
                format!("{thing}/{}/part-{:05}.{ext}", c.day, rng.below(400))
            } else {
                format!("{thing}/uploads/{}/{}.{ext}", c.day, rng.guid())
            };
            if name == "ListObjects" || name == "ListObjectVersions" {
                p.req = Some(obj(|j| {
                    j.s("bucketName", bucket);
                    if !c.legacy {
                        j.s("Host", &format!("{bucket}.s3.{region}.amazonaws.com"));
                    }
                    j.s("prefix", &format!("{thing}/")).s("list-type", "2");
                }));
                p.resources =
                    Some(record::resources(&[("AWS::S3::Bucket", &format!("arn:aws:s3:::{bucket}"), Some(acct))]));
            } else {
                p.req = Some(record::s3_object_params(bucket, &key, region, c.legacy));
                p.resources = Some(record::s3_object_resources(bucket, &key, acct));
            }
            let size = rng.range(200, 5_000_000);
            let (bin, bout) = if name.starts_with("Put") || name == "UploadPart" {
                (size, 0)
            } else if name.starts_with("Get") {
                (0, size)
            } else {
                (0, 0)
            };
            p.extra = Some(record::s3_extra(rng, bin, bout, c.legacy));
            p.target = Some(format!("arn:aws:s3:::{bucket}/{key}"));
        }
        (S3, _) => {
            let bucket = *rng.pick(n.buckets);
            p.req = Some(obj(|j| {
                if name != "ListBuckets" {
                    j.s("bucketName", bucket);
                }
                j.s("Host", &format!("s3.{region}.amazonaws.com"));
                if let Some(sub) = name.strip_prefix("GetBucket") {
                    j.s(&sub.to_ascii_lowercase(), "");
                }
            }));
            if name != "ListBuckets" {
                p.resources =
                    Some(record::resources(&[("AWS::S3::Bucket", &format!("arn:aws:s3:::{bucket}"), Some(acct))]));
            }
            p.extra = Some(record::s3_extra(rng, 0, 0, c.legacy));
            p.target = Some(format!("arn:aws:s3:::{bucket}"));
        }
        (DYNAMODB, "ListTables" | "DescribeLimits") => {}
        (DYNAMODB, _) => {
            let table = *rng.pick(n.tables);
            let arn = format!("arn:aws:dynamodb:{region}:{acct}:table/{table}");
            p.req = Some(obj(|j| {
                j.s("tableName", table);
                match name {
                    "Query" => {
                        j.s("keyConditionExpression", "#pk = :pk")
                            .o("expressionAttributeNames", |j| {
                                j.s("#pk", "pk");
                            })
                            .n("limit", 100)
                            .b("consistentRead", false);
                    }
                    "Scan" => {
                        j.n("limit", 1000);
                    }
                    "GetItem" | "PutItem" | "UpdateItem" | "DeleteItem" => {
                        j.o("key", |j| {
                            j.s("pk", "HIDDEN_DUE_TO_SECURITY_REASONS").s("sk", "HIDDEN_DUE_TO_SECURITY_REASONS");
                        });
                        if name != "GetItem" {
                            j.s("returnValues", "NONE");
                        }
                    }
                    _ => {}
                }
            }));
            p.resources = Some(record::resources(&[("AWS::DynamoDB::Table", &arn, Some(acct))]));
            p.target = Some(arn);
        }
        (LAMBDA, "Invoke") => {
            let f = *rng.pick(n.functions);
            let arn = format!("arn:aws:lambda:{region}:{acct}:function:{f}");
            p.req = Some(obj(|j| {
                j.s("functionName", &arn);
                if !c.legacy {
                    j.s("invocationType", "RequestResponse");
                }
            }));
            p.extra = Some(obj(|j| {
                j.s("functionVersion", &format!("{arn}:$LATEST"));
            }));
            p.resources = Some(record::resources(&[("AWS::Lambda::Function", &arn, Some(acct))]));
            p.target = Some(arn);
        }
        (KMS, _) => {
            let key = *rng.pick(n.kms_keys);
            let arn = format!("arn:aws:kms:{region}:{acct}:key/{key}");
            p.req = Some(obj(|j| match name {
                "Decrypt" | "GenerateDataKey" | "Encrypt" | "GenerateDataKeyWithoutPlaintext" => {
                    if name != "Decrypt" {
                        j.s("keyId", &arn);
                    }
                    if name.starts_with("GenerateDataKey") {
                        j.s("keySpec", "AES_256");
                    }
                    j.s("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
                    let bucket = *rng.pick(n.buckets);
                    j.o("encryptionContext", |j| match rng.below(3) {
                        0 => {
                            j.s("aws:s3:arn", &format!("arn:aws:s3:::{bucket}/{thing}/"));
                        }
                        1 => {
                            j.s(
                                "aws:lambda:FunctionArn",
                                &format!("arn:aws:lambda:{region}:{acct}:function:{}", rng.pick(n.functions)),
                            );
                        }
                        _ => {
                            j.s(
                                "SecretARN",
                                &format!("arn:aws:secretsmanager:{region}:{acct}:secret:prod/{thing}-{}", rng.alnum(6)),
                            )
                            .s("SecretVersionId", &rng.guid());
                        }
                    });
                }
                "ListAliases" | "ListKeys" => {
                    j.n("limit", 100);
                }
                _ => {
                    j.s("keyId", &arn);
                }
            }));
            if name != "ListAliases" && name != "ListKeys" {
                p.resources = Some(record::resources(&[("AWS::KMS::Key", &arn, Some(acct))]));
            }
            p.target = Some(arn);
        }
        (EC2, "DescribeInstances") => {
            p.req = Some(obj(|j| {
                j.o("instancesSet", |j| {
                    if rng.chance(0.4) {
                        j.a("items", |j| {
                            j.io(|j| {
                                j.s("instanceId", &format!("i-0{}", rng.hex(16)));
                            });
                        });
                    }
                })
                .o("filterSet", |_| {});
                if rng.chance(0.5) {
                    j.n("maxResults", 1000);
                }
            }));
        }
        (EC2, "CreateTags" | "DeleteTags") => {
            let id = format!("i-0{}", rng.hex(16));
            p.req = Some(obj(|j| {
                j.o("resourcesSet", |j| {
                    j.a("items", |j| {
                        j.io(|j| {
                            j.s("resourceId", &id);
                        });
                    });
                })
                .o("tagSet", |j| {
                    j.a("items", |j| {
                        j.io(|j| {
                            j.s("key", "Name").s("value", &format!("{thing}-worker"));
                        });
                    });
                });
            }));
            p.resp = Some(ec2_ok(rng));
            p.target = Some(format!("arn:aws:ec2:{region}:{acct}:instance/{id}"));
        }
        (EC2, "StartInstances" | "StopInstances" | "TerminateInstances") => {
            let id = format!("i-0{}", rng.hex(16));
            p.req = Some(instances_set(&id));
            p.resp = Some(instance_state_change(rng, &id, name));
            p.target = Some(format!("arn:aws:ec2:{region}:{acct}:instance/{id}"));
        }
        (EC2, _) if name.starts_with("Describe") => {
            p.req = Some(obj(|j| {
                if rng.chance(0.5) {
                    j.o("filterSet", |j| {
                        j.a("items", |j| {
                            j.io(|j| {
                                j.s("name", "vpc-id").o("valueSet", |j| {
                                    j.a("items", |j| {
                                        j.io(|j| {
                                            j.s("value", &format!("vpc-0{}", rng.hex(16)));
                                        });
                                    });
                                });
                            });
                        });
                    });
                } else {
                    j.n("maxResults", 1000);
                }
            }));
        }
        (STS, "GetCallerIdentity") => {}
        ("monitoring.amazonaws.com", "GetMetricStatistics" | "GetMetricData") => {
            let metric = *rng.pick(&[
                ("AWS/EC2", "CPUUtilization"),
                ("AWS/Lambda", "Errors"),
                ("AWS/ApplicationELB", "TargetResponseTime"),
                ("AWS/DynamoDB", "ConsumedReadCapacityUnits"),
            ]);
            p.req = Some(obj(|j| {
                j.s("namespace", metric.0).s("metricName", metric.1).n("period", 300).a("statistics", |j| {
                    j.is("Average").is("Maximum");
                });
            }));
        }
        ("logs.amazonaws.com", _) => {
            let g = *rng.pick(n.log_groups);
            p.req = Some(obj(|j| {
                if name.starts_with("DescribeLogGroups") {
                    j.s("logGroupNamePrefix", &g[..g.len().min(12)]);
                } else {
                    j.s("logGroupName", g);
                }
                if name.ends_with("LogStream") || name == "PutLogEvents" {
                    j.s("logStreamName", &format!("{}/[$LATEST]{}", c.day, rng.hex(32)));
                }
            }));
            p.target = Some(format!("arn:aws:logs:{region}:{acct}:log-group:{g}"));
        }
        ("ssm.amazonaws.com", "GetParameter" | "GetParameters" | "GetParametersByPath") => {
            p.req = Some(obj(|j| {
                let path = format!("/prod/{thing}/");
                match name {
                    "GetParameter" => {
                        j.s(
                            "name",
                            &format!("{path}{}", rng.pick(&["db-url", "api-key", "feature-flags", "endpoint"])),
                        );
                    }
                    "GetParameters" => {
                        j.a("names", |j| {
                            j.is(&format!("{path}db-url")).is(&format!("{path}api-key"));
                        });
                    }
                    _ => {
                        j.s("path", &path).b("recursive", true);
                    }
                }
                j.b("withDecryption", true);
            }));
        }
        ("secretsmanager.amazonaws.com", _) if name != "ListSecrets" => {
            let arn = format!("arn:aws:secretsmanager:{region}:{acct}:secret:prod/{thing}/db-{}", rng.alnum(6));
            p.req = Some(obj(|j| {
                j.s("secretId", &arn);
            }));
            p.target = Some(arn);
        }
        ("iam.amazonaws.com", _) => {
            let arg = noun(name);
            p.req = match arg.as_str() {
                "role" | "rolePolicy" | "attachedRolePolicy" | "instanceProfilesForRole" => Some(obj(|j| {
                    j.s("roleName", &format!("{thing}-service-role"));
                })),
                "user" | "accessKey" | "groupsForUser" | "mFADevice" | "attachedUserPolicy" => Some(obj(|j| {
                    j.s("userName", &format!("svc-{thing}"));
                })),
                "policy" | "policyVersion" | "entitiesForPolicy" => Some(obj(|j| {
                    j.s("policyArn", &format!("arn:aws:iam::{acct}:policy/{thing}-access"));
                    if name == "GetPolicyVersion" {
                        j.s("versionId", "v3");
                    }
                })),
                _ if read_only(name) && rng.chance(0.5) => None,
                _ => Some(obj(|j| {
                    j.n("maxItems", 100);
                })),
            };
            p.target = Some(format!("arn:aws:iam::{acct}:role/{thing}-service-role"));
        }
        (_, _) => {
            // Generic: reads often carry no parameters; everything else names its resource.
            let arg = noun(name);
            if read_only(name) && rng.chance(0.4) {
                p.req = None;
            } else if name.starts_with("List") || name.starts_with("DescribeAll") {
                p.req = Some(obj(|j| {
                    j.n("maxResults", *rng.pick(&[20, 50, 100, 1000]));
                }));
            } else {
                let value = format!("{thing}-{}", rng.pick(&["prod", "staging", "prod", "shared"]));
                p.req = Some(obj(|j| {
                    j.s(&format!("{arg}Name"), &value);
                }));
                if name.starts_with("Create") || name.starts_with("Start") {
                    let prefix = ct_iam::mapping::prefix_of(source);
                    p.resp = Some(obj(|j| {
                        j.s(&format!("{arg}Arn"), &format!("arn:aws:{prefix}:{region}:{acct}:{arg}/{value}"));
                    }));
                }
            }
        }
    }
    p
}

fn is_s3_object_op(name: &str) -> bool {
    SERVICES[0].events.contains(&name)
}

/// `{"instancesSet":{"items":[{"instanceId":…}]}}`
pub fn instances_set(id: &str) -> String {
    obj(|j| {
        j.o("instancesSet", |j| {
            j.a("items", |j| {
                j.io(|j| {
                    j.s("instanceId", id);
                });
            });
        });
    })
}

/// `{"requestId":…,"_return":true}`: EC2's answer to tag and attribute calls.
pub fn ec2_ok(rng: &mut Rng) -> String {
    obj(|j| {
        j.s("requestId", &rng.guid()).b("_return", true);
    })
}

/// Start/Stop/TerminateInstances response with the state transition.
pub fn instance_state_change(rng: &mut Rng, id: &str, name: &str) -> String {
    let (cur, prev) = match name {
        "StartInstances" => ((0, "pending"), (80, "stopped")),
        "StopInstances" => ((64, "stopping"), (16, "running")),
        _ => ((32, "shutting-down"), (16, "running")),
    };
    obj(|j| {
        j.s("requestId", &rng.guid()).o("instancesSet", |j| {
            j.a("items", |j| {
                j.io(|j| {
                    j.s("instanceId", id)
                        .o("currentState", |j| {
                            j.n("code", cur.0).s("name", cur.1);
                        })
                        .o("previousState", |j| {
                            j.n("code", prev.0).s("name", prev.1);
                        });
                });
            });
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn catalog_size() {
        let sources: HashSet<_> = SERVICES.iter().map(|s| s.source).collect();
        let names: HashSet<_> = SERVICES.iter().flat_map(|s| s.events.iter()).collect();
        assert!((45..=50).contains(&sources.len()), "{}", sources.len());
        assert!((380..=450).contains(&names.len()), "{}", names.len());
    }

    #[test]
    fn helpers() {
        assert_eq!(action("UpdateFunctionCode20150331v2"), "UpdateFunctionCode");
        assert_eq!(action("ListFunctions20150331"), "ListFunctions");
        assert_eq!(action("GetPolicyVersion"), "GetPolicyVersion");
        assert_eq!(noun("DescribeLogGroups"), "logGroup");
        assert!(read_only("DescribeInstances") && !read_only("RunInstances"));
    }
}
