//! Mapping cases, each written from the AWS documentation page named in its comment.

use ct_iam::mapping::{self, Mapping, NO_PERMISSION, PREFIXES, S3_NAMES};
use ct_iam::{Catalog, Event};

fn ev(source: &str, name: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deploy-agent/s","accountId":"111122223333","sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::111122223333:role/deploy-agent","userName":"deploy-agent"}},"attributes":{{"mfaAuthenticated":"false"}}}}}},"eventTime":"2017-06-01T13:05:42Z","eventSource":"{source}","eventName":"{name}","awsRegion":"ap-southeast-2","sourceIPAddress":"198.51.100.20","eventType":"AwsApiCall","recipientAccountId":"111122223333"{extra}}}"#
    )
}

fn actions(json: &str) -> Vec<String> {
    match mapping::map(&Event::parse(json.as_bytes()).unwrap()) {
        Mapping::Actions(u) => u.into_iter().map(|u| u.action.into_owned()).collect(),
        other => panic!("{other:?}"),
    }
}

fn uses(json: &str) -> Vec<mapping::Use<'static>> {
    match mapping::map(&Event::parse(json.as_bytes()).unwrap()) {
        Mapping::Actions(u) => u.into_iter().map(mapping::Use::into_owned).collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_action_the_tables_name_is_in_the_catalog() {
    let c = Catalog::get();
    for (_, prefix) in PREFIXES {
        assert!(c.has_service(prefix), "prefix {prefix} not in the catalog");
    }
    for (_, action) in S3_NAMES {
        assert!(c.action("s3", action).is_some(), "s3:{action} not in the catalog");
    }
    for (p, a) in [("kms", "ReEncryptFrom"), ("kms", "ReEncryptTo"), ("lambda", "InvokeFunction"), ("iam", "PassRole")]
    {
        assert!(c.action(p, a).is_some(), "{p}:{a}");
    }
    for (p, a) in [("s3express", "CreateSession"), ("s3-object-lambda", "WriteGetObjectResponse")] {
        assert!(c.action(p, a).is_some(), "{p}:{a}");
    }
    for verb in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(c.action("apigateway", verb).is_some(), "apigateway:{verb}");
    }
    for verb in ["Create", "Drop", "Alter", "Select", "Restore"] {
        assert!(c.action("cassandra", verb).is_some(), "cassandra:{verb}");
    }
    for (p, _, _) in NO_PERMISSION {
        assert!(c.has_service(p), "{p}");
    }
    for (p, op, needs) in ct_iam::renames::fixed_rules() {
        assert!(c.action(p, op).is_none(), "{p}:{op} is an action itself: no rename needed");
        for a in needs {
            let (p, n) = a.split_once(':').unwrap();
            assert!(c.action(p, n).is_some(), "{op}: {a} not in the catalog");
        }
    }
}

#[test]
fn prefix_from_event_source() {
    // CloudWatch logs as monitoring.amazonaws.com; its IAM prefix is cloudwatch
    // (CloudWatch User Guide, "Logging Amazon CloudWatch API calls with AWS CloudTrail").
    assert_eq!(actions(&ev("monitoring.amazonaws.com", "PutMetricData", "")), vec!["cloudwatch:PutMetricData"]);
    // Service Authorization Reference: AWS Partner Central (partnercentral) holds the Selling
    // API's operations; the IoT jobs data plane is iotjobsdata, not iot.
    assert_eq!(
        actions(&ev("partnercentral-selling.amazonaws.com", "CreateOpportunity", "")),
        vec!["partnercentral:CreateOpportunity"]
    );
    assert_eq!(
        actions(&ev("data.jobs.iot.amazonaws.com", "DescribeJobExecution", "")),
        vec!["iotjobsdata:DescribeJobExecution"]
    );
    // Resource Groups Tagging API logs as tagging.amazonaws.com; prefix tag.
    assert_eq!(actions(&ev("tagging.amazonaws.com", "GetResources", "")), vec!["tag:GetResources"]);
    // Pinpoint's IAM prefix is mobiletargeting.
    assert_eq!(actions(&ev("pinpoint.amazonaws.com", "GetApps", "")), vec!["mobiletargeting:GetApps"]);
    assert_eq!(actions(&ev("ec2.amazonaws.com", "DescribeInstances", "")), vec!["ec2:DescribeInstances"]);
}

#[test]
fn api_version_suffixes_only_in_their_real_forms() {
    // Lambda logs versioned operation names (Lambda Developer Guide, "Logging AWS Lambda API
    // calls using AWS CloudTrail": GetFunction20150331v2, UpdateFunctionCode20150331v2).
    assert_eq!(actions(&ev("lambda.amazonaws.com", "GetFunction20150331v2", "")), vec!["lambda:GetFunction"]);
    assert_eq!(actions(&ev("lambda.amazonaws.com", "ListFunctions20150331", "")), vec!["lambda:ListFunctions"]);
    // CloudFront logs CreateDistribution2020_05_31 (CloudFront Developer Guide, CloudTrail examples).
    assert_eq!(
        actions(&ev("cloudfront.amazonaws.com", "CreateDistribution2020_05_31", "")),
        vec!["cloudfront:CreateDistribution"]
    );
    // Digits that belong to the name stay (Cloud9 CreateEnvironmentEC2, RDS RestoreDBInstanceFromS3).
    assert_eq!(actions(&ev("cloud9.amazonaws.com", "CreateEnvironmentEC2", "")), vec!["cloud9:CreateEnvironmentEC2"]);
    assert_eq!(actions(&ev("rds.amazonaws.com", "RestoreDBInstanceFromS3", "")), vec!["rds:RestoreDBInstanceFromS3"]);
    assert_eq!(mapping::strip_version("CreateEnvironmentEC2"), None);
    assert_eq!(mapping::strip_version("RestoreDBInstanceFromS3"), None);
    assert_eq!(mapping::strip_version("UpdateFunctionCode20150331v2"), Some("UpdateFunctionCode"));
}

#[test]
fn s3_names_and_versions() {
    // S3 User Guide, "Required permissions for Amazon S3 API operations".
    let b = r#","requestParameters":{"bucketName":"deploy-artifacts","key":"builds/app.zip"}"#;
    assert_eq!(actions(&ev("s3.amazonaws.com", "ListObjects", b)), vec!["s3:ListBucket"]);
    assert_eq!(actions(&ev("s3.amazonaws.com", "HeadObject", b)), vec!["s3:GetObject"]);
    assert_eq!(actions(&ev("s3.amazonaws.com", "CreateMultipartUpload", b)), vec!["s3:PutObject"]);
    assert_eq!(actions(&ev("s3.amazonaws.com", "ListBuckets", "")), vec!["s3:ListAllMyBuckets"]);
    assert_eq!(actions(&ev("s3.amazonaws.com", "PutBucketReplication", b)), vec!["s3:PutReplicationConfiguration"]);
    assert_eq!(actions(&ev("s3.amazonaws.com", "DeleteBucketReplication", b)), vec!["s3:PutReplicationConfiguration"]);
    assert_eq!(actions(&ev("s3.amazonaws.com", "DeleteBucketCors", b)), vec!["s3:PutBucketCORS"]);
    assert_eq!(
        actions(&ev("s3.amazonaws.com", "DeleteBucketOwnershipControls", b)),
        vec!["s3:PutBucketOwnershipControls"]
    );
    assert_eq!(actions(&ev("s3.amazonaws.com", "GetBucketAcl", b)), vec!["s3:GetBucketAcl"]);
    let versioned = r#","requestParameters":{"bucketName":"b","key":"k","versionId":"3HL4kqtJlcpXroDTDmJ"}"#;
    assert_eq!(actions(&ev("s3.amazonaws.com", "GetObject", versioned)), vec!["s3:GetObjectVersion"]);
    // CopyObject needs PutObject on the target and GetObject on the source.
    let copy = r#","requestParameters":{"bucketName":"dst","key":"k2","x-amz-copy-source":"src/dir/k1"}"#;
    let u = uses(&ev("s3.amazonaws.com", "CopyObject", copy));
    assert_eq!(u.iter().map(|u| u.action.as_ref()).collect::<Vec<_>>(), vec!["s3:PutObject", "s3:GetObject"]);
    assert_eq!(u[0].resources, vec!["arn:aws:s3:::dst/k2"]);
    assert_eq!(u[1].resources, vec!["arn:aws:s3:::src/dir/k1"]);
}

#[test]
fn kms_reencrypt_lambda_invoke_api_gateway_keyspaces() {
    // KMS Developer Guide, "ReEncrypt": kms:ReEncryptFrom on the source key, kms:ReEncryptTo on
    // the destination key.
    let keys = r#","requestParameters":{"sourceKeyId":"arn:aws:kms:ap-southeast-2:111122223333:key/1111","destinationKeyId":"arn:aws:kms:ap-southeast-2:111122223333:key/2222"}"#;
    let u = uses(&ev("kms.amazonaws.com", "ReEncrypt", keys));
    assert_eq!(u.iter().map(|u| u.action.as_ref()).collect::<Vec<_>>(), vec!["kms:ReEncryptFrom", "kms:ReEncryptTo"]);
    assert_eq!(u[0].resources, vec!["arn:aws:kms:ap-southeast-2:111122223333:key/1111"]);
    assert_eq!(u[1].resources, vec!["arn:aws:kms:ap-southeast-2:111122223333:key/2222"]);
    // Lambda data events log Invoke; the permission is lambda:InvokeFunction.
    assert_eq!(actions(&ev("lambda.amazonaws.com", "Invoke", "")), vec!["lambda:InvokeFunction"]);
    // API Gateway's IAM actions are HTTP verbs (API Gateway Developer Guide, "Control access
    // to an API with IAM permissions").
    assert_eq!(actions(&ev("apigateway.amazonaws.com", "CreateRestApi", "")), vec!["apigateway:POST"]);
    assert_eq!(actions(&ev("apigateway.amazonaws.com", "GetRestApis", "")), vec!["apigateway:GET"]);
    assert_eq!(actions(&ev("apigateway.amazonaws.com", "UpdateStage", "")), vec!["apigateway:PATCH"]);
    assert_eq!(actions(&ev("apigateway.amazonaws.com", "DeleteApi", "")), vec!["apigateway:DELETE"]);
    // Keyspaces' IAM actions are CQL verbs (Keyspaces Developer Guide, "How Amazon Keyspaces
    // works with IAM").
    assert_eq!(actions(&ev("cassandra.amazonaws.com", "CreateKeyspace", "")), vec!["cassandra:Create"]);
    assert_eq!(actions(&ev("cassandra.amazonaws.com", "DeleteTable", "")), vec!["cassandra:Drop"]);
}

#[test]
fn calls_that_need_no_permission_map_to_nothing() {
    // STS API Reference, GetCallerIdentity: "No permissions are required to perform this operation."
    let text = ev("sts.amazonaws.com", "GetCallerIdentity", "");
    let event = Event::parse(text.as_bytes()).unwrap();
    let m = mapping::map(&event);
    assert!(matches!(m, Mapping::NoPermission(_)), "{m:?}");
    for (source, name) in [
        ("signin.amazonaws.com", "ConsoleLogin"),
        ("signin.amazonaws.com", "SwitchRole"),
        ("sts.amazonaws.com", "AssumeRoleWithSAML"),
        ("sts.amazonaws.com", "AssumeRoleWithWebIdentity"),
        ("sso.amazonaws.com", "GetRoleCredentials"),
    ] {
        let text = ev(source, name, "");
        let event = Event::parse(text.as_bytes()).unwrap();
        let m = mapping::map(&event);
        assert!(matches!(m, Mapping::NoPermission(_)), "{source} {name}: {m:?}");
    }
    let service = ev("kms.amazonaws.com", "RotateKey", "").replace("AwsApiCall", "AwsServiceEvent");
    assert!(matches!(mapping::map(&Event::parse(service.as_bytes()).unwrap()), Mapping::NotACall(_)));
    let by_service = r#"{"eventVersion":"1.05","userIdentity":{"type":"AWSService","invokedBy":"lambda.amazonaws.com"},"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventType":"AwsApiCall"}"#;
    assert!(matches!(mapping::map(&Event::parse(by_service.as_bytes()).unwrap()), Mapping::NoPermission(_)));
    // AssumeRole by a principal does need sts:AssumeRole.
    assert_eq!(actions(&ev("sts.amazonaws.com", "AssumeRole", "")), vec!["sts:AssumeRole"]);
}

#[test]
fn pass_role_is_inferred_where_a_role_is_passed() {
    // IAM User Guide, "Grant a user permissions to pass a role to an AWS service": creating a
    // Lambda function with a role, a stack with a service role, an instance with a profile.
    let lambda = r#","requestParameters":{"functionName":"f","role":"arn:aws:iam::111122223333:role/fn-exec","runtime":"python3.12"}"#;
    let u = uses(&ev("lambda.amazonaws.com", "CreateFunction20150331", lambda));
    assert_eq!(u[0].action, "lambda:CreateFunction");
    assert_eq!(u[1].action, "iam:PassRole");
    assert!(u[1].inferred);
    assert_eq!(u[1].resources, vec!["arn:aws:iam::111122223333:role/fn-exec"]);
    let stack = r#","requestParameters":{"stackName":"webapp","roleARN":"arn:aws:iam::111122223333:role/cfn-exec"}"#;
    assert_eq!(
        actions(&ev("cloudformation.amazonaws.com", "CreateStack", stack)),
        vec!["cloudformation:CreateStack", "iam:PassRole"]
    );
    let run = r#","requestParameters":{"instanceType":"t2.micro","iamInstanceProfile":{"name":"web"}}"#;
    let u = uses(&ev("ec2.amazonaws.com", "RunInstances", run));
    assert_eq!(u.last().unwrap().action, "iam:PassRole");
    assert_eq!(u.last().unwrap().resources, vec!["arn:aws:iam::111122223333:role/*"]);
    // Assuming a role is not passing it, and reads pass nothing.
    let assume = r#","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/x","roleSessionName":"s"}"#;
    assert_eq!(actions(&ev("sts.amazonaws.com", "AssumeRole", assume)), vec!["sts:AssumeRole"]);
    let get = r#","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/x"}"#;
    assert_eq!(actions(&ev("codebuild.amazonaws.com", "BatchGetProjects", get)), vec!["codebuild:BatchGetProjects"]);
}

#[test]
fn resources_from_the_record_and_from_templates() {
    // Records carry resources[] for S3 data events; only those fitting the action's types count
    // (s3:GetObject acts on the object, not the bucket).
    let data = r#","requestParameters":{"bucketName":"b","key":"k"},"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"},{"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::b"}]"#;
    assert_eq!(uses(&ev("s3.amazonaws.com", "GetObject", data))[0].resources, vec!["arn:aws:s3:::b/k"]);
    assert_eq!(uses(&ev("s3.amazonaws.com", "ListObjects", data))[0].resources, vec!["arn:aws:s3:::b"]);
    // A new instance's id is not known before the call: the type, pinned to region and account.
    let run = r#","requestParameters":{"instanceType":"t2.micro","instancesSet":{"items":[{"imageId":"ami-0a1b2c3d","minCount":1,"maxCount":1}]}}"#;
    let u = uses(&ev("ec2.amazonaws.com", "RunInstances", run));
    assert!(
        u[0].resources.contains(&"arn:aws:ec2:ap-southeast-2:111122223333:instance/*".into()),
        "{:?}",
        u[0].resources
    );
    assert!(u[0].resources.contains(&"arn:aws:ec2:ap-southeast-2::image/ami-0a1b2c3d".into()), "{:?}", u[0].resources);
    // Existing instances are named in the request.
    let stop = r#","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}"#;
    assert_eq!(
        uses(&ev("ec2.amazonaws.com", "TerminateInstances", stop))[0].resources,
        vec![
            "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-1",
            "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-2"
        ]
    );
    let role = r#","requestParameters":{"roleName":"cfn-exec","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}"#;
    assert_eq!(
        uses(&ev("iam.amazonaws.com", "AttachRolePolicy", role))[0].resources,
        vec!["arn:aws:iam::111122223333:role/cfn-exec"]
    );
}

#[test]
fn context_keys_the_event_shows() {
    let run = r#","requestParameters":{"instanceType":"t2.micro","tagSpecificationSet":{"items":[{"resourceType":"instance","tags":[{"key":"team","value":"web"}]}]}}"#;
    let u = uses(&ev("ec2.amazonaws.com", "RunInstances", run));
    let ctx = &u[0].context;
    assert!(ctx.contains(&("ec2:InstanceType".into(), "t2.micro".into())), "{ctx:?}");
    assert!(ctx.contains(&("aws:RequestedRegion".into(), "ap-southeast-2".into())));
    assert!(ctx.contains(&("aws:SourceIp".into(), "198.51.100.20".into())));
    assert!(ctx.contains(&("aws:MultiFactorAuthPresent".into(), "false".into())));
    assert!(ctx.contains(&("aws:RequestTag/team".into(), "web".into())));
    // s3:prefix applies to ListBucket, not to GetObject.
    let list = r#","requestParameters":{"bucketName":"b","prefix":"builds/","key":"x"}"#;
    assert!(
        uses(&ev("s3.amazonaws.com", "ListObjects", list))[0].context.contains(&("s3:prefix".into(), "builds/".into()))
    );
    assert!(!uses(&ev("s3.amazonaws.com", "GetObject", list))[0].context.iter().any(|(k, _)| k == "s3:prefix"));
    // A service name in sourceIPAddress is no address.
    let svc = ev("ec2.amazonaws.com", "DescribeInstances", "").replace("198.51.100.20", "cloudformation.amazonaws.com");
    assert!(!uses(&svc)[0].context.iter().any(|(k, _)| k == "aws:SourceIp"));
}

#[test]
fn unknown_actions_are_reported_not_dropped() {
    let u = uses(&ev("ec2.amazonaws.com", "FrobnicateInstances", ""));
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].action, "ec2:FrobnicateInstances");
    assert!(!u[0].known);
    let u = uses(&ev("newservice.amazonaws.com", "DoThing", ""));
    assert_eq!((u[0].action.as_ref(), u[0].known), ("newservice:DoThing", false));
    // Case is the catalog's.
    assert_eq!(actions(&ev("s3.amazonaws.com", "GetBucketCORS", "")), vec!["s3:GetBucketCORS"]);
}

/// Regressions from a review of the mapping against the service API references.
#[test]
fn review_regressions() {
    // S3 API Reference, GetObjectAttributes: s3:GetObject and s3:GetObjectAttributes; on a
    // versioned request s3:GetObjectVersion and s3:GetObjectVersionAttributes.
    let b = r#","requestParameters":{"bucketName":"b","key":"k"}"#;
    assert_eq!(
        actions(&ev("s3.amazonaws.com", "GetObjectAttributes", b)),
        vec!["s3:GetObject", "s3:GetObjectAttributes"]
    );
    let v = r#","requestParameters":{"bucketName":"b","key":"k","versionId":"v1"}"#;
    assert_eq!(
        actions(&ev("s3.amazonaws.com", "GetObjectAttributes", v)),
        vec!["s3:GetObjectVersion", "s3:GetObjectVersionAttributes"]
    );
    assert_eq!(actions(&ev("s3.amazonaws.com", "GetObjectTorrent", v)), vec!["s3:GetObjectVersionTorrent"]);
    // CopyObject from a given version of the source reads that version.
    let copy = r#","requestParameters":{"bucketName":"d","key":"k","x-amz-copy-source":"src/k?versionId=X"}"#;
    assert_eq!(actions(&ev("s3.amazonaws.com", "CopyObject", copy)), vec!["s3:PutObject", "s3:GetObjectVersion"]);
    // Keyspaces actions with their own names keep them; data changes need Modify.
    assert_eq!(actions(&ev("cassandra.amazonaws.com", "GetStream", "")), vec!["cassandra:GetStream"]);
    assert_eq!(actions(&ev("cassandra.amazonaws.com", "UpdatePartitioner", "")), vec!["cassandra:UpdatePartitioner"]);
    assert_eq!(actions(&ev("cassandra.amazonaws.com", "Update", "")), vec!["cassandra:Modify"]);
    // API Gateway operations whose HTTP method the name does not tell.
    assert_eq!(actions(&ev("apigateway.amazonaws.com", "UntagResource", "")), vec!["apigateway:DELETE"]);
    assert_eq!(actions(&ev("apigateway.amazonaws.com", "ImportDocumentationParts", "")), vec!["apigateway:PUT"]);
    assert_eq!(actions(&ev("apigateway.amazonaws.com", "ExportApi", "")), vec!["apigateway:GET"]);
    // PassRole: lists of role ARNs, nested instance profiles; never for taking a role away.
    let redshift =
        r#","requestParameters":{"clusterIdentifier":"c","iamRoles":["arn:aws:iam::111122223333:role/copy"]}"#;
    let u = uses(&ev("redshift.amazonaws.com", "CreateCluster", redshift));
    assert_eq!(u.last().unwrap().action, "iam:PassRole");
    assert_eq!(u.last().unwrap().resources, vec!["arn:aws:iam::111122223333:role/copy"]);
    let spot = r#","requestParameters":{"launchSpecification":{"iamInstanceProfile":{"name":"web"}}}"#;
    assert_eq!(uses(&ev("ec2.amazonaws.com", "RequestSpotInstances", spot)).last().unwrap().action, "iam:PassRole");
    let remove = r#","requestParameters":{"dBClusterIdentifier":"c","roleArn":"arn:aws:iam::111122223333:role/x"}"#;
    assert_eq!(
        actions(&ev("rds.amazonaws.com", "RemoveRoleFromDBCluster", remove)),
        vec!["rds:RemoveRoleFromDBCluster"]
    );
}

#[test]
fn api_gateway_tag_resource_verbs_and_actions_of_their_own() {
    // API Gateway REST API Reference, TagResource: `PUT /tags/{resource_arn}`; API Gateway V2
    // API Reference, Tags: `POST /v2/tags/{resource-arn}`. Both log as TagResource from
    // apigateway.amazonaws.com; v1 requests carry `template` and a `tagResourceInput` body.
    let v1 = r#","requestParameters":{"tagResourceInput":{"tags":{"team":"a"}},"resourceArn":"arn:aws:apigateway:ap-southeast-2::/restapis/a1b2c3/stages/prod","template":false}"#;
    let v2 = r#","requestParameters":{"resource-arn":"arn:aws:apigateway:ap-southeast-2::/apis/a1b2c3","tags":{"team":"a"}}"#;
    let v2_stage = r#","requestParameters":{"resourceArn":"arn:aws:apigateway:ap-southeast-2::/apis/a1b2c3/stages/$default","tags":{"team":"a"}}"#;
    // A domain name exists in both versions: without the v1 markers the name alone cannot
    // tell, and the older version's verb is kept.
    let either = r#","requestParameters":{"resource-arn":"arn:aws:apigateway:ap-southeast-2::/domainnames/api.example.com","tags":{"team":"a"}}"#;
    // Twice over, in turns: the mapping remembers names per source and name, and must not
    // hand one version's verb to the other.
    for _ in 0..2 {
        assert_eq!(actions(&ev("apigateway.amazonaws.com", "TagResource", v1)), vec!["apigateway:PUT"]);
        assert_eq!(actions(&ev("apigateway.amazonaws.com", "TagResource", v2)), vec!["apigateway:POST"]);
        assert_eq!(actions(&ev("apigateway.amazonaws.com", "TagResource", v2_stage)), vec!["apigateway:POST"]);
        assert_eq!(actions(&ev("apigateway.amazonaws.com", "TagResource", either)), vec!["apigateway:PUT"]);
        assert_eq!(actions(&ev("apigateway.amazonaws.com", "TagResource", "")), vec!["apigateway:PUT"]);
    }
    // An ARN of another service under such a key says nothing of the version.
    let other =
        r#","requestParameters":{"resource-arn":"arn:aws:lambda:ap-southeast-2:111122223333:function:/apis/x"}"#;
    assert_eq!(actions(&ev("apigateway.amazonaws.com", "TagResource", other)), vec!["apigateway:PUT"]);
    // Service Authorization Reference, Amazon API Gateway Management: portals and routing
    // rules have actions of their own, not verbs.
    for name in ["CreatePortal", "ListPortals", "DisablePortal", "ListRoutingRules", "CreateRoutingRule"] {
        assert_eq!(actions(&ev("apigateway.amazonaws.com", name, "")), vec![format!("apigateway:{name}")]);
    }
    assert_eq!(actions(&ev("apigateway.amazonaws.com", "CreateRestApi", "")), vec!["apigateway:POST"]);
    // Removing tags is DELETE in both versions.
    assert_eq!(actions(&ev("apigateway.amazonaws.com", "UntagResource", v2)), vec!["apigateway:DELETE"]);
}

#[test]
fn denied_means_refused_by_a_policy() {
    let with = |code: &str, msg: &str| {
        let text = ev("s3.amazonaws.com", "GetObject", &format!(r#","errorCode":"{code}","errorMessage":"{msg}""#));
        Event::parse(text.as_bytes()).unwrap().denied()
    };
    assert!(with("AccessDenied", "Access Denied"));
    assert!(with("Client.UnauthorizedOperation", "You are not authorized to perform this operation."));
    assert!(!with("AccessDenied", "Request has expired"));
    assert!(!with("NoSuchKey", "The specified key does not exist."));
    assert!(!with("ThrottlingException", "Rate exceeded"));
}

#[test]
fn event_text_is_read_strictly_but_read_only_leniently() {
    // Invalid UTF-8 anywhere, even in a field the mapping never reads, makes the event unreadable.
    let mut bad = ev("ec2.amazonaws.com", "RunInstances", r#","userAgent":"XX""#).into_bytes();
    let at = bad.windows(2).position(|w| w == b"XX").unwrap();
    bad[at] = 0xff;
    let err = Event::parse(&bad).unwrap_err().to_string();
    assert!(err.contains("invalid UTF-8"), "{err}");
    // readOnly: a boolean, the strings of some exports, or anything else, which says nothing.
    for (value, want) in [("true", Some(true)), (r#""false""#, Some(false)), (r#"{"a":[1]}"#, None), ("7", None)] {
        let text = ev("ec2.amazonaws.com", "DescribeInstances", &format!(r#","readOnly":{value}"#));
        assert_eq!(Event::parse(text.as_bytes()).unwrap().read_only, want, "{value}");
    }
    // A string with escapes is decoded, one without is borrowed; both read the same.
    let text = ev("ec2.amazonaws.com", "Run\\u0049nstances", "");
    assert_eq!(actions(&text), vec!["ec2:RunInstances"]);
}

#[test]
fn only_the_error_code_says_a_call_was_refused() {
    // A message can echo a name the caller chose: "not authorized to perform" in the message
    // of another error must not hide an authorised call from the gate.
    let text = ev(
        "iam.amazonaws.com",
        "CreateUser",
        r#","errorCode":"NoSuchEntity","errorMessage":"user x-is-not-authorized-to-perform-anything not authorized to perform: iam:X""#,
    );
    assert!(!Event::parse(text.as_bytes()).unwrap().denied());
    let text = ev(
        "iam.amazonaws.com",
        "CreateUser",
        r#","errorCode":"AccessDenied","errorMessage":"User: a is not authorized to perform: iam:CreateUser""#,
    );
    assert!(Event::parse(text.as_bytes()).unwrap().denied());
}

/// Source and name pairs are resolved once and remembered, but never S3's, whose action
/// names depend on the request: whatever the source is called, the answer follows the request.
#[test]
fn remembered_resolutions_never_hide_the_request() {
    for source in ["s3.amazonaws.com", "s3.example.com"] {
        let plain = r#","requestParameters":{"bucketName":"b","key":"k"}"#;
        let versioned = r#","requestParameters":{"bucketName":"b","key":"k","versionId":"v1"}"#;
        // S3 API Reference, CopyObject: reading a given version of the source needs
        // s3:GetObjectVersion; GetObjectAttributes: the Version forms on a versioned request.
        let copy = r#","requestParameters":{"bucketName":"b","key":"k","x-amz-copy-source":"a/k"}"#;
        let copy_version =
            r#","requestParameters":{"bucketName":"b","key":"k","x-amz-copy-source":"a/k?versionId=v1"}"#;
        for _ in 0..2 {
            assert_eq!(actions(&ev(source, "GetObject", plain)), vec!["s3:GetObject"]);
            assert_eq!(actions(&ev(source, "GetObject", versioned)), vec!["s3:GetObjectVersion"]);
            assert_eq!(actions(&ev(source, "CopyObject", copy)), vec!["s3:PutObject", "s3:GetObject"]);
            assert_eq!(actions(&ev(source, "CopyObject", copy_version)), vec!["s3:PutObject", "s3:GetObjectVersion"]);
            assert_eq!(
                actions(&ev(source, "GetObjectAttributes", versioned)),
                vec!["s3:GetObjectVersion", "s3:GetObjectVersionAttributes"]
            );
            assert_eq!(
                actions(&ev(source, "GetObjectAttributes", plain)),
                vec!["s3:GetObject", "s3:GetObjectAttributes"]
            );
        }
    }
    // Any other pair answers the same the second time.
    for (source, name) in [("ec2.amazonaws.com", "RunInstances"), ("monitoring.amazonaws.com", "PutMetricData")] {
        let first = uses(&ev(source, name, ""));
        assert_eq!(uses(&ev(source, name, "")), first);
    }
    let text = ev("sts.amazonaws.com", "GetCallerIdentity", "");
    for _ in 0..2 {
        let event = Event::parse(text.as_bytes()).unwrap();
        assert!(matches!(mapping::map(&event), Mapping::NoPermission(_)));
    }
}

mod look_first {
    //! The mapping looks at the request's text before reading it (reading it was a fifth of
    //! ct-actions' time) and skips what the text cannot hold: these tests prove the look
    //! changes no answer, whatever keys, cases, escapes and nesting the request has.
    use super::*;
    use proptest::prelude::*;

    const CALLS: &[(&str, &str)] = &[
        ("s3.amazonaws.com", "GetObject"),
        ("s3.amazonaws.com", "CopyObject"),
        ("s3.amazonaws.com", "UploadPartCopy"),
        ("s3.amazonaws.com", "PutObject"),
        ("s3.amazonaws.com", "ListObjects"),
        ("s3.amazonaws.com", "GetObjectAcl"),
        ("ec2.amazonaws.com", "RunInstances"),
        ("ec2.amazonaws.com", "CreateTags"),
        ("ec2.amazonaws.com", "TerminateInstances"),
        ("lambda.amazonaws.com", "CreateFunction20150331"),
        ("lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2"),
        ("kms.amazonaws.com", "ReEncrypt"),
        ("kms.amazonaws.com", "CreateKey"),
        ("logs.amazonaws.com", "CreateLogGroup"),
        ("cloudformation.amazonaws.com", "CreateStack"),
        ("rds.amazonaws.com", "CreateDBInstance"),
        ("apigateway.amazonaws.com", "TagResource"),
        ("iam.amazonaws.com", "CreateRole"),
        ("states.amazonaws.com", "CreateStateMachine"),
        ("route53.amazonaws.com", "ChangeResourceRecordSets"),
        ("route53.amazonaws.com", "GetHostedZone"),
        ("route53.amazonaws.com", "GetChange"),
        ("dynamodb.amazonaws.com", "Query"),
        ("codebuild.amazonaws.com", "BatchGetBuilds"),
        ("cloudformation.amazonaws.com", "CreateChangeSet"),
        ("cloudformation.amazonaws.com", "DescribeChangeSet"),
        ("ecs.amazonaws.com", "RegisterTaskDefinition"),
        ("ec2.amazonaws.com", "CreateFlowLogs"),
        ("ecs.amazonaws.com", "UpdateService"),
        ("ecs.amazonaws.com", "DescribeServices"),
        ("ecs.amazonaws.com", "RunTask"),
        ("kms.amazonaws.com", "Decrypt"),
        ("kms.amazonaws.com", "GenerateDataKey"),
    ];

    const KEYS: &[&str] = &[
        "bucketName",
        "BucketName",
        "key",
        "Key",
        "versionId",
        "VERSIONID",
        "x-amz-copy-source",
        "roleArn",
        "RoleArn",
        "executionRoleArn",
        "role",
        "iamInstanceProfile",
        "IAMINSTANCEPROFILE",
        "instanceType",
        "tags",
        "Tags",
        "tagSpecificationSet",
        "items",
        "key",
        "value",
        "functionName",
        "logGroupName",
        "keyId",
        "sourceKeyId",
        "destinationKeyId",
        "stackName",
        "dBInstanceIdentifier",
        "engine",
        "prefix",
        "x-amz-acl",
        "instancesSet",
        "instanceId",
        "resourceArn",
        "template",
        "runtime",
        "name",
        "arn",
        "hostedZoneId",
        "id",
        "ids",
        "indexName",
        "tableName",
        "stackId",
        "changeSetName",
        "taskRoleArn",
        "DeliverLogsPermissionArn",
        "credentials",
        "groupSet",
        "groupId",
        "groupName",
        "networkInterfaceSet",
        "family",
        "taskDefinition",
        "taskDefinitions",
        "taskDefinitionArn",
        "cluster",
        "service",
        "services",
        "serviceName",
        "serviceArn",
        "encryptionContext",
        "pipeline",
        "changeBatch",
        "changes",
        "action",
        "resourceRecordSet",
        "type",
    ];

    const VALUES: &[&str] = &[
        "arn:aws:iam::111122223333:role/r",
        "arn:aws:iam::111122223333:role/sub/r",
        "arn:aws:iam::111122223333:instance-profile/p",
        "b/k.txt?versionId=3",
        "b/k.txt",
        "t2.micro",
        "x",
        "",
        "arn:aws:s3:::b/k",
        "arn:aws:kms:ap-southeast-2:111122223333:key/1234",
        "arn:aws:apigateway:ap-southeast-2::/apis/a1",
        "public-read",
        "nodejs20.x",
        "/hostedzone/Z1",
        "webapp-ci:0f1e",
        "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/s/1",
        "sg-0a1",
        "web:3",
        "arn:aws:ecs:ap-southeast-2:111122223333:cluster/c",
        "arn:aws:ecs:ap-southeast-2:111122223333:task-definition/web:3",
        "arn:aws:ecs:ap-southeast-2:111122223333:service/c/web",
    ];

    /// A key as it may be written: as it is, or (now and then, so that most requests have
    /// none) with one character as a `\u` escape.
    fn spelled(key: &'static str) -> impl Strategy<Value = String> {
        (prop::bool::weighted(0.05), 0..key.len()).prop_map(move |(escape, at)| {
            if escape && key.is_char_boundary(at) && key.is_char_boundary(at + 1) {
                format!("{}\\u{:04x}{}", &key[..at], key.as_bytes()[at], &key[at + 1..])
            } else {
                key.to_string()
            }
        })
    }

    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            4 => proptest::sample::select(VALUES).prop_map(|v| format!("\"{v}\"")),
            1 => Just("\"arn:aws:iam::111122223333:role\\/r\"".to_string()),
            1 => Just("null".to_string()),
            1 => Just("true".to_string()),
            1 => Just("3".to_string()),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
                proptest::collection::vec((proptest::sample::select(KEYS).prop_flat_map(spelled), inner), 0..4)
                    .prop_map(|m| {
                        let members: Vec<String> = m.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                        format!("{{{}}}", members.join(","))
                    }),
            ]
        })
    }

    fn request() -> impl Strategy<Value = String> {
        proptest::collection::vec((proptest::sample::select(KEYS).prop_flat_map(spelled), value()), 0..6).prop_map(
            |m| {
                let members: Vec<String> = m.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", members.join(","))
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn looking_first_changes_no_answer(
            call in proptest::sample::select(CALLS),
            request in request(),
            response in request(),
            read_only in any::<bool>(),
        ) {
            let (source, name) = call;
            let extra = format!(r#","readOnly":{read_only},"requestParameters":{request},"responseElements":{response}"#);
            let json = ev(source, name, &extra);
            let event = Event::parse(json.as_bytes()).unwrap();
            for detail in [true, false] {
                prop_assert_eq!(
                    mapping::map_with(&event, detail),
                    mapping::map_reading_all(&event, detail),
                    "{}", json
                );
            }
        }
    }

    /// The look must not hide what only an escape spells: a role ARN written `role\/`, and an
    /// S3 version named under an escaped key.
    #[test]
    fn escapes_are_read() {
        let pass = ev(
            "states.amazonaws.com",
            "CreateStateMachine",
            r#","requestParameters":{"name":"m","roleArn":"arn:aws:iam::111122223333:role\/sfn"}"#,
        );
        assert!(actions(&pass).contains(&"iam:PassRole".to_string()), "{:?}", actions(&pass));
        let versioned = ev(
            "s3.amazonaws.com",
            "GetObject",
            r#","requestParameters":{"bucketName":"b","key":"k","\u0076ersionId":"3"}"#,
        );
        assert_eq!(actions(&versioned), ["s3:GetObjectVersion"]);
    }
}

/// The remembered pairs are keyed by source and name together: pairs that read the same run
/// together must not share an answer, whether the key is short enough to be held in the table
/// or not (62 bytes and more).
#[test]
fn remembered_pairs_split_differently_stay_apart() {
    let long = "x".repeat(60);
    for _ in 0..2 {
        // "ec2.amazonaws.com" + "RunInstances", and one character moved across.
        assert_eq!(actions(&ev("ec2.amazonaws.com", "RunInstances", "")), ["ec2:RunInstances"]);
        // (An unknown source's prefix is its first label.)
        assert_eq!(actions(&ev("ec2.amazonaws.comR", "unInstances", "")), ["ec2:unInstances"]);
        assert_eq!(actions(&ev("ec2.amazonaws.co", "mRunInstances", "")), ["ec2:mRunInstances"]);
        // Long pairs, on either side of the limit.
        for name in [&long[..44], &long[..45], &long[..46], &long[..59]] {
            let want = format!("ec2:{name}");
            assert_eq!(actions(&ev("ec2.amazonaws.com", name, "")), [want.as_str()]);
            let moved = format!("ec2.amazonaws.com{}", &name[..1]);
            let want = format!("ec2:{}", &name[1..]);
            assert_eq!(actions(&ev(&moved, &name[1..], "")), [want.as_str()]);
        }
    }
}

/// The context values of a use under `key`.
fn values<'a>(u: &'a mapping::Use<'_>, key: &str) -> Vec<&'a str> {
    u.context.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_ref()).collect()
}

#[test]
fn route53_ids_written_as_paths_or_bare() {
    // Service Authorization Reference, Amazon Route 53: hostedzone is
    // arn:${Partition}:route53:::hostedzone/${Id}, change is ...:change/${Id}. Route 53
    // Developer Guide, "Logging Amazon Route 53 API calls with AWS CloudTrail": the
    // ChangeResourceRecordSets record carries requestParameters.hostedZoneId; GetHostedZone
    // and GetChange carry id, which the API also accepts as /hostedzone/Z... and /change/C...
    let change = r#","requestParameters":{"hostedZoneId":"Z1PA6795UKMFR9","changeBatch":{"changes":[{"action":"CREATE","resourceRecordSet":{"name":"prod.example.com.","type":"A","tTL":300,"resourceRecords":[{"value":"192.0.2.1"}]}}]}}"#;
    let u = uses(&ev("route53.amazonaws.com", "ChangeResourceRecordSets", change));
    assert_eq!(u[0].resources, vec!["arn:aws:route53:::hostedzone/Z1PA6795UKMFR9"]);
    let path = r#","requestParameters":{"hostedZoneId":"/hostedzone/Z1PA6795UKMFR9"}"#;
    let u = uses(&ev("route53.amazonaws.com", "ListResourceRecordSets", path));
    assert_eq!(u[0].resources, vec!["arn:aws:route53:::hostedzone/Z1PA6795UKMFR9"]);
    let get = r#","requestParameters":{"id":"/hostedzone/Z1PA6795UKMFR9"}"#;
    assert_eq!(
        uses(&ev("route53.amazonaws.com", "GetHostedZone", get))[0].resources,
        vec!["arn:aws:route53:::hostedzone/Z1PA6795UKMFR9"]
    );
    for id in ["/change/C2682N5HXP0BZ4", "C2682N5HXP0BZ4"] {
        let get = format!(r#","requestParameters":{{"id":"{id}"}}"#);
        assert_eq!(
            uses(&ev("route53.amazonaws.com", "GetChange", &get))[0].resources,
            vec!["arn:aws:route53:::change/C2682N5HXP0BZ4"]
        );
    }
}

#[test]
fn dynamodb_queries_on_an_index_use_the_index() {
    // Service Authorization Reference, Amazon DynamoDB: Query and Scan take the index type,
    // arn:...:table/${TableName}/index/${IndexName}; DynamoDB Developer Guide, "IAM policy to
    // grant access to a specific DynamoDB table and its indexes": a query on an index needs
    // the index's ARN. The data event's resources[] names only the table.
    let listed = r#","resources":[{"accountId":"111122223333","type":"AWS::DynamoDB::Table","ARN":"arn:aws:dynamodb:ap-southeast-2:111122223333:table/Orders"}]"#;
    let on_index =
        format!(r#","requestParameters":{{"tableName":"Orders","indexName":"ByCustomer","limit":10}}{listed}"#);
    for name in ["Query", "Scan"] {
        assert_eq!(
            uses(&ev("dynamodb.amazonaws.com", name, &on_index))[0].resources,
            vec!["arn:aws:dynamodb:ap-southeast-2:111122223333:table/Orders/index/ByCustomer"],
            "{name}"
        );
    }
    let on_table = format!(r#","requestParameters":{{"tableName":"Orders","limit":10}}{listed}"#);
    assert_eq!(
        uses(&ev("dynamodb.amazonaws.com", "Query", &on_table))[0].resources,
        vec!["arn:aws:dynamodb:ap-southeast-2:111122223333:table/Orders"]
    );
    let by_arn = r#","requestParameters":{"tableName":"arn:aws:dynamodb:ap-southeast-2:111122223333:table/Orders","indexName":"ByCustomer"}"#;
    assert_eq!(
        uses(&ev("dynamodb.amazonaws.com", "Query", by_arn))[0].resources,
        vec!["arn:aws:dynamodb:ap-southeast-2:111122223333:table/Orders/index/ByCustomer"]
    );
}

#[test]
fn codebuild_build_ids_name_their_project() {
    // Service Authorization Reference, AWS CodeBuild: BatchGetBuilds, StopBuild take the
    // project type; CodeBuild API Reference, BatchGetBuilds: ids are PROJECT:UUID.
    let ids = r#","requestParameters":{"ids":["webapp-ci:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b","webapp-ci:1f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b","arn:aws:codebuild:ap-southeast-2:111122223333:build/api-ci:2f1e2d3c"]}"#;
    assert_eq!(
        uses(&ev("codebuild.amazonaws.com", "BatchGetBuilds", ids))[0].resources,
        vec![
            "arn:aws:codebuild:ap-southeast-2:111122223333:project/api-ci",
            "arn:aws:codebuild:ap-southeast-2:111122223333:project/webapp-ci"
        ]
    );
    let stop = r#","requestParameters":{"id":"webapp-ci:0f1e2d3c"}"#;
    assert_eq!(
        uses(&ev("codebuild.amazonaws.com", "StopBuild", stop))[0].resources,
        vec!["arn:aws:codebuild:ap-southeast-2:111122223333:project/webapp-ci"]
    );
    let start = r#","requestParameters":{"projectName":"webapp-ci"}"#;
    assert_eq!(
        uses(&ev("codebuild.amazonaws.com", "StartBuild", start))[0].resources,
        vec!["arn:aws:codebuild:ap-southeast-2:111122223333:project/webapp-ci"]
    );
}

#[test]
fn cloudformation_stacks_from_requests_and_responses() {
    // Service Authorization Reference, AWS CloudFormation: CreateStack, DeleteStack and the
    // change set calls take the stack type, stack/${StackName}/${Id}. CloudFormation API
    // Reference, CreateStack and CreateChangeSet return StackId, which CloudTrail logs in
    // responseElements (CloudFormation User Guide, "Logging AWS CloudFormation API calls with
    // AWS CloudTrail", whose CreateStack example has responseElements.stackId).
    let stack = "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp/4b0d5e20-4a3f-11ee-9c2e-0a1b2c3d4e5f";
    let create = format!(
        r#","requestParameters":{{"stackName":"webapp","templateURL":"https://s3.amazonaws.com/t/webapp.yaml"}},"responseElements":{{"stackId":"{stack}"}}"#
    );
    assert_eq!(uses(&ev("cloudformation.amazonaws.com", "CreateStack", &create))[0].resources, vec![stack]);
    let change_set = format!(
        r#","requestParameters":{{"stackName":"webapp","changeSetName":"deploy-42","changeSetType":"UPDATE"}},"responseElements":{{"id":"arn:aws:cloudformation:ap-southeast-2:111122223333:changeSet/deploy-42/7c1f","stackId":"{stack}"}}"#
    );
    assert_eq!(uses(&ev("cloudformation.amazonaws.com", "CreateChangeSet", &change_set))[0].resources, vec![stack]);
    // By name: the stack's id is not in the event.
    let by_name = r#","requestParameters":{"stackName":"webapp","changeSetName":"deploy-42"}"#;
    for name in ["DescribeChangeSet", "ExecuteChangeSet", "DeleteChangeSet", "DeleteStack", "DescribeStacks"] {
        assert_eq!(
            uses(&ev("cloudformation.amazonaws.com", name, by_name))[0].resources,
            vec!["arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp/*"],
            "{name}"
        );
    }
    // By ARN: the stack itself.
    let by_arn = format!(r#","requestParameters":{{"stackName":"{stack}","changeSetName":"deploy-42"}}"#);
    assert_eq!(uses(&ev("cloudformation.amazonaws.com", "ExecuteChangeSet", &by_arn))[0].resources, vec![stack]);
    // A change set named by its ARN alone does not say which stack: any stack of the account.
    let cs_arn = r#","requestParameters":{"changeSetName":"arn:aws:cloudformation:ap-southeast-2:111122223333:changeSet/deploy-42/7c1f"}"#;
    assert_eq!(
        uses(&ev("cloudformation.amazonaws.com", "DescribeChangeSet", cs_arn))[0].resources,
        vec!["arn:aws:cloudformation:ap-southeast-2:111122223333:stack/*/*"]
    );
}

#[test]
fn pass_role_names_the_service_it_passes_to() {
    // IAM User Guide, "IAM and AWS STS condition context keys", iam:PassedToService: the
    // service principal of the final service that assumes the role; "Granting a user
    // permissions to pass a role to an AWS service".
    let lambda = r#","requestParameters":{"functionName":"f","role":"arn:aws:iam::111122223333:role/fn-exec"}"#;
    let u = uses(&ev("lambda.amazonaws.com", "CreateFunction20150331", lambda));
    assert_eq!(values(u.last().unwrap(), "iam:PassedToService"), ["lambda.amazonaws.com"]);
    let stack = r#","requestParameters":{"stackName":"webapp","roleARN":"arn:aws:iam::111122223333:role/cfn-exec"}"#;
    let u = uses(&ev("cloudformation.amazonaws.com", "CreateStack", stack));
    assert_eq!(values(u.last().unwrap(), "iam:PassedToService"), ["cloudformation.amazonaws.com"]);
    // Amazon ECS Developer Guide, "Task IAM role", "Task execution IAM role": both are
    // assumed by ecs-tasks.amazonaws.com.
    let task = r#","requestParameters":{"family":"web","taskRoleArn":"arn:aws:iam::111122223333:role/app","executionRoleArn":"arn:aws:iam::111122223333:role/ecsTaskExecutionRole"}"#;
    let u = uses(&ev("ecs.amazonaws.com", "RegisterTaskDefinition", task));
    let pass: Vec<_> = u.iter().filter(|u| u.action == "iam:PassRole").collect();
    assert_eq!(pass.len(), 1);
    assert_eq!(values(pass[0], "iam:PassedToService"), ["ecs-tasks.amazonaws.com"]);
    assert_eq!(
        pass[0].resources,
        ["arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/ecsTaskExecutionRole"]
    );
    // An instance profile goes to EC2; the launch carries the profile as ec2:InstanceProfile
    // (Service Authorization Reference, Amazon EC2: a key of the instance resource type).
    let run = r#","requestParameters":{"instanceType":"t3.micro","iamInstanceProfile":{"name":"web"}}"#;
    let u = uses(&ev("ec2.amazonaws.com", "RunInstances", run));
    assert_eq!(values(&u[0], "ec2:InstanceProfile"), ["arn:aws:iam::111122223333:instance-profile/web"]);
    let pass = u.last().unwrap();
    assert_eq!(pass.action, "iam:PassRole");
    assert_eq!(pass.resources, ["arn:aws:iam::111122223333:role/*"]);
    assert_eq!(values(pass, "iam:PassedToService"), ["ec2.amazonaws.com"]);
    assert!(values(pass, "ec2:InstanceProfile").is_empty(), "not a key of iam:PassRole");
    let by_arn =
        r#","requestParameters":{"iamInstanceProfile":{"arn":"arn:aws:iam::111122223333:instance-profile/sub/web"}}"#;
    assert_eq!(
        values(&uses(&ev("ec2.amazonaws.com", "RunInstances", by_arn))[0], "ec2:InstanceProfile"),
        ["arn:aws:iam::111122223333:instance-profile/sub/web"]
    );
    // CodeBuild does not set the key (iam:PassedToService: "Some services, such as AWS
    // CodeBuild and AWS CodeCommit do not support this condition key").
    let project = r#","requestParameters":{"name":"webapp-ci","serviceRole":"arn:aws:iam::111122223333:role/cb"}"#;
    let u = uses(&ev("codebuild.amazonaws.com", "CreateProject", project));
    assert_eq!(u.last().unwrap().action, "iam:PassRole");
    assert!(values(u.last().unwrap(), "iam:PassedToService").is_empty());
}

#[test]
fn pass_role_under_keys_without_role_in_their_name() {
    // Issue 18. EC2 API Reference, CreateFlowLogs: DeliverLogsPermissionArn is "the ARN of
    // the IAM role that allows Amazon EC2 to publish flow logs"; the role trusts
    // vpc-flow-logs.amazonaws.com (Amazon VPC User Guide, "IAM role for publishing flow logs
    // to CloudWatch Logs").
    let flow = r#","requestParameters":{"CreateFlowLogsRequest":{"ResourceId":{"tag":1,"content":"vpc-0a1b2c3d"},"TrafficType":"ALL","LogGroupName":"vpc-flow","DeliverLogsPermissionArn":"arn:aws:iam::111122223333:role/flow-logs"}}"#;
    let u = uses(&ev("ec2.amazonaws.com", "CreateFlowLogs", flow));
    let pass = u.last().unwrap();
    assert_eq!(pass.action, "iam:PassRole");
    assert_eq!(pass.resources, ["arn:aws:iam::111122223333:role/flow-logs"]);
    assert_eq!(values(pass, "iam:PassedToService"), ["vpc-flow-logs.amazonaws.com"]);
    // API Gateway REST API Reference, PutIntegration: credentials is a role ARN.
    let integ = r#","requestParameters":{"restApiId":"a1b2c3","resourceId":"r1","httpMethod":"GET","putIntegrationInput":{"type":"AWS","credentials":"arn:aws:iam::111122223333:role/apigw-invoke"}}"#;
    let u = uses(&ev("apigateway.amazonaws.com", "PutIntegration", integ));
    assert_eq!(u.last().unwrap().action, "iam:PassRole");
    // A role ARN under any other key is not passed (a grant's grantee, a permission's principal).
    let grant = r#","requestParameters":{"keyId":"1234","granteePrincipal":"arn:aws:iam::111122223333:role/app","operations":["Decrypt"]}"#;
    assert_eq!(actions(&ev("kms.amazonaws.com", "CreateGrant", grant)), ["kms:CreateGrant"]);
}

#[test]
fn calls_made_through_a_service() {
    // IAM User Guide, "AWS global condition context keys": aws:CalledVia is set by the
    // services of the CalledVia services table (Athena, CloudFormation, DynamoDB, KMS) when
    // they call on with the caller's credentials; aws:ViaAWSService is true for any service
    // that does. CloudTrail names that service in userIdentity.invokedBy.
    let via = |service: &str| {
        ev("ec2.amazonaws.com", "RunInstances", r#","requestParameters":{"instanceType":"t3.micro"}"#)
            .replacen(
                r#""accountId":"111122223333","#,
                &format!(r#""accountId":"111122223333","invokedBy":"{service}","#),
                1,
            )
            .replace("198.51.100.20", service)
    };
    let u = uses(&via("cloudformation.amazonaws.com"));
    assert_eq!(values(&u[0], "aws:CalledVia"), ["cloudformation.amazonaws.com"]);
    assert_eq!(values(&u[0], "aws:ViaAWSService"), ["true"]);
    assert!(u[0].context.is_sorted(), "{:?}", u[0].context);
    // A service outside the table sets only aws:ViaAWSService.
    let u = uses(&via("autoscaling.amazonaws.com"));
    assert!(values(&u[0], "aws:CalledVia").is_empty());
    assert_eq!(values(&u[0], "aws:ViaAWSService"), ["true"]);
    // `AWS Internal` is no service principal; a direct call has neither key.
    let u = uses(&via("AWS Internal"));
    assert!(values(&u[0], "aws:ViaAWSService").is_empty());
    let u = uses(&ev("ec2.amazonaws.com", "DescribeInstances", ""));
    assert!(!u[0].context.iter().any(|(k, _)| k == "aws:CalledVia" || k == "aws:ViaAWSService"));
}

#[test]
fn a_service_linked_role_s_calls_are_not_made_through_a_service() {
    // IAM User Guide, aws:ViaAWSService: false "if the service uses a service role or
    // service-linked role to make a call on the principal's behalf". A service-linked role
    // lives under /aws-service-role/ (IAM User Guide, "Using service-linked roles").
    let slr = ev("ec2.amazonaws.com", "DescribeInstances", "")
        .replace("role/deploy-agent", "role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")
        .replacen(
            r#""accountId":"111122223333","#,
            r#""accountId":"111122223333","invokedBy":"config.amazonaws.com","#,
            1,
        );
    let u = uses(&slr);
    assert!(!u[0].context.iter().any(|(k, _)| k == "aws:ViaAWSService"), "{:?}", u[0].context);
}

#[test]
fn ssm_parameter_names_lose_their_leading_slash_in_the_arn() {
    // Service Authorization Reference, AWS Systems Manager: parameter is
    // arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash};
    // a name /webapp/prod/db-url is the ARN parameter/webapp/prod/db-url, never parameter//...
    for name in ["/webapp/prod/db-url", "webapp/prod/db-url"] {
        let get = format!(r#","requestParameters":{{"name":"{name}","withDecryption":true}}"#);
        let u = uses(&ev("ssm.amazonaws.com", "GetParameter", &get));
        assert_eq!(u[0].resources, vec!["arn:aws:ssm:ap-southeast-2:111122223333:parameter/webapp/prod/db-url"]);
    }
}

#[test]
fn ec2_tags_name_their_resources_by_id_prefix() {
    // Amazon EC2 User Guide, "Resource IDs" (i-, vol-, sg-...); Service Authorization Reference,
    // Amazon EC2: CreateTags is authorised on the resources tagged.
    let tags = r#","requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-01a98e077f83f8744"},{"resourceId":"vol-0abc"},{"resourceId":"x-1"}]},"tagSet":{"items":[{"key":"app","value":"webapp"}]}}"#;
    let u = uses(&ev("ec2.amazonaws.com", "CreateTags", tags));
    assert_eq!(
        u[0].resources,
        vec![
            "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-01a98e077f83f8744",
            "arn:aws:ec2:ap-southeast-2:111122223333:volume/vol-0abc",
            "*"
        ]
    );
}

#[test]
fn a_resource_given_by_its_arn_or_its_url() {
    // Service Authorization Reference, Elastic Load Balancing V2: targetgroup is
    // arn:${Partition}:elasticloadbalancing:${Region}:${Account}:targetgroup/${TargetGroupName}/${TargetGroupId};
    // RegisterTargets names it by TargetGroupArn (ELB API Reference).
    let tg = "arn:aws:elasticloadbalancing:ap-southeast-2:111122223333:targetgroup/web/0123456789abcdef";
    let reg = format!(r#","requestParameters":{{"targetGroupArn":"{tg}","targets":[{{"id":"i-0a1b","port":8080}}]}}"#);
    let u = uses(&ev("elasticloadbalancing.amazonaws.com", "RegisterTargets", &reg));
    assert_eq!(u[0].resources, vec![tg]);
    // Amazon SQS API Reference: every call but CreateQueue names the queue by its QueueUrl;
    // the queue type is arn:${Partition}:sqs:${Region}:${Account}:${QueueName}.
    let url = r#","requestParameters":{"queueUrl":"https://sqs.ap-southeast-2.amazonaws.com/111122223333/etl-jobs"}"#;
    let u = uses(&ev("sqs.amazonaws.com", "DeleteQueue", url));
    assert_eq!(u[0].resources, vec!["arn:aws:sqs:ap-southeast-2:111122223333:etl-jobs"]);
    let create = r#","requestParameters":{"queueName":"test-pr-412-queue"}"#;
    let u = uses(&ev("sqs.amazonaws.com", "CreateQueue", create));
    assert_eq!(u[0].resources, vec!["arn:aws:sqs:ap-southeast-2:111122223333:test-pr-412-queue"]);
}

#[test]
fn ec2_create_tags_shows_its_tags() {
    // EC2 API Reference, CreateTags: the CloudTrail record keeps the query API's tagSet.items[];
    // IAM User Guide, "Controlling access during AWS requests": aws:RequestTag/KEY, aws:TagKeys.
    let tags = r#","requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-0a1b"}]},"tagSet":{"items":[{"key":"app","value":"webapp"}]}}"#;
    let u = uses(&ev("ec2.amazonaws.com", "CreateTags", tags));
    let ctx: Vec<(&str, &str)> = u[0].context.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    assert!(ctx.contains(&("aws:RequestTag/app", "webapp")), "{ctx:?}");
    assert!(ctx.contains(&("aws:TagKeys", "app")), "{ctx:?}");
}

#[test]
fn a_change_set_s_name_even_when_given_by_its_arn() {
    // Service Authorization Reference, AWS CloudFormation: cloudformation:ChangeSetName applies to
    // ExecuteChangeSet; the API takes the change set's name or ARN (changeSet/NAME/ID).
    let arn = r#","requestParameters":{"changeSetName":"arn:aws:cloudformation:ap-southeast-2:111122223333:changeSet/pr-102-acf2508/0d13"}"#;
    let u = uses(&ev("cloudformation.amazonaws.com", "ExecuteChangeSet", arn));
    assert!(
        u[0].context.iter().any(|(k, v)| k == "cloudformation:ChangeSetName" && v == "pr-102-acf2508"),
        "{:?}",
        u[0].context
    );
}

#[test]
fn a_launch_s_security_groups_by_id() {
    // Service Authorization Reference, Amazon EC2: RunInstances takes the security-group type,
    // arn:${Partition}:ec2:${Region}:${Account}:security-group/${SecurityGroupId}. EC2 API
    // Reference, RunInstances: SecurityGroupId (groupSet in the record) and the network
    // interfaces' Groups; the response's instances show the groups they got.
    let sg = |id: &str| format!("arn:aws:ec2:ap-southeast-2:111122223333:security-group/{id}");
    let groups = |u: &[mapping::Use<'_>]| -> Vec<String> {
        u[0].resources.iter().filter(|r| r.contains(":security-group/")).map(|r| r.to_string()).collect()
    };
    let by_id = r#","requestParameters":{"instanceType":"t3.micro","instancesSet":{"items":[{"imageId":"ami-0a1b","minCount":1,"maxCount":1}]},"groupSet":{"items":[{"groupId":"sg-0b2"},{"groupId":"sg-0a1"}]}}"#;
    assert_eq!(groups(&uses(&ev("ec2.amazonaws.com", "RunInstances", by_id))), [sg("sg-0a1"), sg("sg-0b2")]);
    let interface = r#","requestParameters":{"networkInterfaceSet":{"items":[{"deviceIndex":0,"subnetId":"subnet-1","groupSet":{"items":[{"groupId":"sg-0c3"}]}}]}}"#;
    assert_eq!(groups(&uses(&ev("ec2.amazonaws.com", "RunInstances", interface))), [sg("sg-0c3")]);
    // By name, or none (the VPC's default group): the response names them by ID.
    let response = r#","responseElements":{"instancesSet":{"items":[{"instanceId":"i-1","groupSet":{"items":[{"groupId":"sg-0d4","groupName":"web"}]},"networkInterfaceSet":{"items":[{"groupSet":{"items":[{"groupId":"sg-0d4","groupName":"web"}]}}]}}]}}"#;
    let by_name = r#","requestParameters":{"groupSet":{"items":[{"groupName":"web"}]}}"#;
    assert_eq!(
        groups(&uses(&ev("ec2.amazonaws.com", "RunInstances", &format!("{by_name}{response}")))),
        [sg("sg-0d4")]
    );
    let none = r#","requestParameters":{"instanceType":"t3.micro"}"#;
    assert_eq!(groups(&uses(&ev("ec2.amazonaws.com", "RunInstances", &format!("{none}{response}")))), [sg("sg-0d4")]);
    // Without a response (a failed call) only the pattern says which.
    assert_eq!(groups(&uses(&ev("ec2.amazonaws.com", "RunInstances", none))), [sg("*")]);
    assert_eq!(groups(&uses(&ev("ec2.amazonaws.com", "RunInstances", by_name))), [sg("*")]);
    let both = r#","requestParameters":{"groupSet":{"items":[{"groupId":"sg-0a1"},{"groupName":"web"}]}}"#;
    assert_eq!(groups(&uses(&ev("ec2.amazonaws.com", "RunInstances", both))), [sg("*"), sg("sg-0a1")]);
}

#[test]
fn ecs_services_and_task_definitions_by_name() {
    // Service Authorization Reference, Amazon ECS: task-definition is
    // arn:${Partition}:ecs:${Region}:${Account}:task-definition/${TaskDefinitionFamilyName}:${TaskDefinitionRevisionNumber},
    // service is ...:service/${ClusterName}/${ServiceName}; ecs:task-definition (an ARN) applies
    // to CreateService and UpdateService. ECS API Reference: RegisterTaskDefinition returns
    // taskDefinition.taskDefinitionArn; RunTask and UpdateService take taskDefinition as
    // FAMILY:REVISION, an ARN, or FAMILY for its latest ACTIVE revision; UpdateService and
    // DescribeServices take cluster (name or ARN; the default cluster when none).
    let td = |d: &str| format!("arn:aws:ecs:ap-southeast-2:111122223333:task-definition/{d}");
    let svc = |s: &str| format!("arn:aws:ecs:ap-southeast-2:111122223333:service/{s}");
    let register = r#","requestParameters":{"family":"orders-worker","containerDefinitions":[{"name":"worker"}]}"#;
    assert_eq!(
        uses(&ev("ecs.amazonaws.com", "RegisterTaskDefinition", register))[0].resources,
        [td("orders-worker:*")]
    );
    let made = format!(
        r#"{register},"responseElements":{{"taskDefinition":{{"taskDefinitionArn":"{}","revision":8}}}}"#,
        td("orders-worker:8")
    );
    assert_eq!(uses(&ev("ecs.amazonaws.com", "RegisterTaskDefinition", &made))[0].resources, [td("orders-worker:8")]);
    for (named, want) in
        [("orders-worker:3", td("orders-worker:3")), (&td("orders-worker:4")[..], td("orders-worker:4"))]
    {
        let run = format!(r#","requestParameters":{{"cluster":"orders","taskDefinition":"{named}"}}"#);
        assert_eq!(uses(&ev("ecs.amazonaws.com", "RunTask", &run))[0].resources, [want]);
    }
    let latest = r#","requestParameters":{"cluster":"orders","taskDefinition":"orders-worker"}"#;
    assert_eq!(uses(&ev("ecs.amazonaws.com", "RunTask", latest))[0].resources, [td("orders-worker:*")]);
    let ran =
        format!(r#"{latest},"responseElements":{{"tasks":[{{"taskDefinitionArn":"{}"}}]}}"#, td("orders-worker:9"));
    assert_eq!(uses(&ev("ecs.amazonaws.com", "RunTask", &ran))[0].resources, [td("orders-worker:9")]);

    let update =
        r#","requestParameters":{"cluster":"orders","service":"orders-worker","taskDefinition":"orders-worker:8"}"#;
    let u = uses(&ev("ecs.amazonaws.com", "UpdateService", update));
    assert_eq!(u[0].resources, [svc("orders/orders-worker")]);
    assert_eq!(values(&u[0], "ecs:task-definition"), [td("orders-worker:8")]);
    assert!(!u[0].absent.contains(&"ecs:task-definition"));
    // In another account's cluster, and an ARN of the old form (service/NAME, no cluster).
    let describe = format!(
        r#","requestParameters":{{"cluster":"arn:aws:ecs:ap-southeast-2:444455556666:cluster/orders","services":["orders-worker","{}"]}}"#,
        "arn:aws:ecs:ap-southeast-2:444455556666:service/orders-api"
    );
    assert_eq!(
        uses(&ev("ecs.amazonaws.com", "DescribeServices", &describe))[0].resources,
        [
            "arn:aws:ecs:ap-southeast-2:444455556666:service/orders/orders-api",
            "arn:aws:ecs:ap-southeast-2:444455556666:service/orders/orders-worker"
        ]
    );
    let default = r#","requestParameters":{"services":["web"]}"#;
    assert_eq!(uses(&ev("ecs.amazonaws.com", "DescribeServices", default))[0].resources, [svc("default/web")]);
    // The family alone: the response's service names the revision; without it, the key is
    // absent from what the event shows.
    let family =
        r#","requestParameters":{"cluster":"orders","service":"orders-worker","taskDefinition":"orders-worker"}"#;
    let u = uses(&ev("ecs.amazonaws.com", "UpdateService", family));
    assert!(values(&u[0], "ecs:task-definition").is_empty());
    assert!(u[0].absent.contains(&"ecs:task-definition"), "{:?}", u[0].absent);
    let resolved = format!(
        r#"{family},"responseElements":{{"service":{{"serviceArn":"{}","taskDefinition":"{}"}}}}"#,
        svc("orders/orders-worker"),
        td("orders-worker:8")
    );
    let u = uses(&ev("ecs.amazonaws.com", "UpdateService", &resolved));
    assert_eq!(values(&u[0], "ecs:task-definition"), [td("orders-worker:8")]);
    assert_eq!(u[0].resources, [svc("orders/orders-worker")]);
    let scale = r#","requestParameters":{"cluster":"orders","service":"orders-worker","desiredCount":3}"#;
    assert!(uses(&ev("ecs.amazonaws.com", "UpdateService", scale))[0].absent.contains(&"ecs:task-definition"));
}

#[test]
fn kms_encryption_context_keys() {
    // AWS KMS Developer Guide, "AWS KMS condition keys": kms:EncryptionContext:context-key (one
    // per pair of the request's encryption context) and kms:EncryptionContextKeys (its keys)
    // apply to Encrypt, Decrypt and GenerateDataKey*; the catalog spells the first
    // kms:EncryptionContext:${EncryptionContextKey}. The record's requestParameters carry
    // encryptionContext as an object (Developer Guide, "Decrypt" CloudTrail example).
    let key = r#""resources":[{"type":"AWS::KMS::Key","ARN":"arn:aws:kms:ap-southeast-2:111122223333:key/1234abcd"}]"#;
    let with = format!(
        r#","requestParameters":{{"keyId":"alias/etl","encryptionContext":{{"pipeline":"etl","stage":"prod"}},"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}},{key}"#
    );
    for name in ["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext"] {
        let u = uses(&ev("kms.amazonaws.com", name, &with));
        assert_eq!(values(&u[0], "kms:EncryptionContext:pipeline"), ["etl"], "{name}");
        assert_eq!(values(&u[0], "kms:EncryptionContext:stage"), ["prod"], "{name}");
        assert_eq!(values(&u[0], "kms:EncryptionContextKeys"), ["pipeline", "stage"], "{name}");
        assert!(u[0].absent.is_empty(), "{name}: {:?}", u[0].absent);
        assert!(u[0].context.is_sorted(), "{:?}", u[0].context);
    }
    // No context: both keys are absent from the call, the templated one standing for all.
    let without = format!(r#","requestParameters":{{"keyId":"alias/etl"}},{key}"#);
    let u = uses(&ev("kms.amazonaws.com", "Decrypt", &without));
    assert!(!u[0].context.iter().any(|(k, _)| k.starts_with("kms:EncryptionContext")), "{:?}", u[0].context);
    assert_eq!(&u[0].absent[..], ["kms:EncryptionContext:${EncryptionContextKey}", "kms:EncryptionContextKeys"]);
    // CreateGrant's keys read the grant's constraints, not a request context: not read.
    let grant = r#","requestParameters":{"keyId":"1234abcd","granteePrincipal":"arn:aws:iam::111122223333:role/app","operations":["Decrypt"],"constraints":{"encryptionContextSubset":{"pipeline":"etl"}}}"#;
    let u = uses(&ev("kms.amazonaws.com", "CreateGrant", grant));
    assert!(!u[0].context.iter().any(|(k, _)| k.starts_with("kms:EncryptionContext")));
    assert!(u[0].absent.is_empty(), "{:?}", u[0].absent);
}

#[test]
fn route53_change_batch_keys() {
    // Route 53 Developer Guide, "Using IAM policy conditions for fine-grained access control to
    // manage resource record sets": route53:ChangeResourceRecordSetsActions,
    // ...NormalizedRecordNames (lower case, no trailing dot, characters other than a-z, 0-9,
    // -, _ and . as \ + three-digit octal code, * as \052) and ...RecordTypes, each multivalued.
    let change = r#","requestParameters":{"hostedZoneId":"Z1PA6795UKMFR9","changeBatch":{"changes":[{"action":"UPSERT","resourceRecordSet":{"name":"Build-42.CI.Example.com.","type":"A","tTL":60}},{"action":"DELETE","resourceRecordSet":{"name":"build-41.ci.example.com","type":"A"}},{"action":"UPSERT","resourceRecordSet":{"name":"*.ci.example.com.","type":"CNAME"}},{"action":"UPSERT","resourceRecordSet":{"name":"\\052.old.example.com","type":"TXT"}}]}}"#;
    let u = uses(&ev("route53.amazonaws.com", "ChangeResourceRecordSets", change));
    assert_eq!(values(&u[0], "route53:ChangeResourceRecordSetsActions"), ["DELETE", "UPSERT"]);
    assert_eq!(
        values(&u[0], "route53:ChangeResourceRecordSetsNormalizedRecordNames"),
        [r"\052.ci.example.com", r"\052.old.example.com", "build-41.ci.example.com", "build-42.ci.example.com"]
    );
    assert_eq!(values(&u[0], "route53:ChangeResourceRecordSetsRecordTypes"), ["A", "CNAME", "TXT"]);
    assert!(u[0].absent.is_empty(), "{:?}", u[0].absent);
    assert_eq!(u[0].resources, ["arn:aws:route53:::hostedzone/Z1PA6795UKMFR9"]);
    // A record without its change batch does not show the keys.
    let bare = r#","requestParameters":{"hostedZoneId":"Z1PA6795UKMFR9"}"#;
    let u = uses(&ev("route53.amazonaws.com", "ChangeResourceRecordSets", bare));
    assert_eq!(u[0].absent.len(), 3, "{:?}", u[0].absent);
}

#[test]
fn calls_without_called_via_are_flagged() {
    // IAM User Guide, "AWS global condition context keys", aws:CalledVia: present only when a
    // service of the CalledVia table made the call with the caller's credentials. Each other
    // call is flagged, so that a record notes that some of its calls lacked the key.
    let via = |service: &str| {
        ev("sqs.amazonaws.com", "CreateQueue", r#","requestParameters":{"queueName":"q"}"#)
            .replacen(
                r#""accountId":"111122223333","#,
                &format!(r#""accountId":"111122223333","invokedBy":"{service}","#),
                1,
            )
            .replace("198.51.100.20", service)
    };
    assert!(!uses(&via("cloudformation.amazonaws.com"))[0].called_via_absent);
    assert!(uses(&via("autoscaling.amazonaws.com"))[0].called_via_absent);
    assert!(
        uses(&ev("sqs.amazonaws.com", "CreateQueue", r#","requestParameters":{"queueName":"q"}"#))[0].called_via_absent
    );
    // An inferred iam:PassRole is authorised in the passing request: its global keys and its
    // flag are that request's (IAM User Guide, "Grant a user permissions to pass a role to an
    // AWS service"). Names alone are not flagged.
    let lambda = r#","requestParameters":{"functionName":"f","role":"arn:aws:iam::111122223333:role/fn-exec"}"#;
    let u = uses(&ev("lambda.amazonaws.com", "CreateFunction20150331", lambda));
    let pass = u.last().unwrap();
    assert_eq!(pass.action, "iam:PassRole");
    assert!(u[0].called_via_absent && pass.called_via_absent);
    let u = uses(
        &via("cloudformation.amazonaws.com")
            .replace("sqs.amazonaws.com", "lambda.amazonaws.com")
            .replace("CreateQueue", "CreateFunction20150331")
            .replace(r#"{"queueName":"q"}"#, r#"{"functionName":"f","role":"arn:aws:iam::111122223333:role/fn-exec"}"#),
    );
    let pass = u.last().unwrap();
    assert_eq!(pass.action, "iam:PassRole");
    assert!(!pass.called_via_absent);
    assert!(pass.context.iter().any(|(k, v)| k == "aws:CalledVia" && v == "cloudformation.amazonaws.com"));
    assert!(pass.context.iter().any(|(k, v)| k == "iam:PassedToService" && v == "lambda.amazonaws.com"));
    let plain = ev("sqs.amazonaws.com", "CreateQueue", "");
    match mapping::map_with(&Event::parse(plain.as_bytes()).unwrap(), false) {
        Mapping::Actions(u) => assert!(!u[0].called_via_absent),
        other => panic!("{other:?}"),
    }
}

#[test]
fn operations_authorised_by_other_actions() {
    let one = |source: &str, name: &str| actions(&ev(source, name, ""));
    // Service Authorization Reference, AWS Budget Service, API operations table.
    assert_eq!(one("budgets.amazonaws.com", "CreateBudget"), vec!["budgets:ModifyBudget"]);
    assert_eq!(one("budgets.amazonaws.com", "DeleteSubscriber"), vec!["budgets:ModifyBudget"]);
    assert_eq!(one("budgets.amazonaws.com", "DescribeBudgets"), vec!["budgets:ViewBudget"]);
    // Budget actions have actions of their own.
    assert_eq!(one("budgets.amazonaws.com", "CreateBudgetAction"), vec!["budgets:CreateBudgetAction"]);
    // Amazon SQS Developer Guide, API permissions: a batch needs the single call's action.
    assert_eq!(one("sqs.amazonaws.com", "SendMessageBatch"), vec!["sqs:SendMessage"]);
    assert_eq!(one("sqs.amazonaws.com", "DeleteMessageBatch"), vec!["sqs:DeleteMessage"]);
    assert_eq!(one("sqs.amazonaws.com", "ChangeMessageVisibilityBatch"), vec!["sqs:ChangeMessageVisibility"]);
    // DynamoDB Developer Guide, "Using IAM with transactions".
    assert_eq!(one("dynamodb.amazonaws.com", "TransactGetItems"), vec!["dynamodb:GetItem"]);
    // Timestream: a query needs timestream:Select; Lambda: GetLayerVersionByArn is
    // lambda:GetLayerVersion; Detective: the singular action name.
    assert_eq!(one("timestream.amazonaws.com", "Query"), vec!["timestream:Select"]);
    assert_eq!(one("lambda.amazonaws.com", "GetLayerVersionByArn"), vec!["lambda:GetLayerVersion"]);
    assert_eq!(
        one("detective.amazonaws.com", "ListOrganizationAdminAccounts"),
        vec!["detective:ListOrganizationAdminAccount"]
    );
    // Marketplace Metering Service: the aws-marketplace prefix.
    assert_eq!(one("metering-marketplace.amazonaws.com", "MeterUsage"), vec!["aws-marketplace:MeterUsage"]);
    // S3 Control API Reference, DeleteBucketLifecycleConfiguration (Outposts):
    // s3-outposts:PutLifecycleConfiguration.
    assert_eq!(
        one("s3-outposts.amazonaws.com", "DeleteBucketLifecycleConfiguration"),
        vec!["s3-outposts:PutLifecycleConfiguration"]
    );
    assert_eq!(one("s3-outposts.amazonaws.com", "GetBucketTagging"), vec!["s3-outposts:GetBucketTagging"]);
}

#[test]
fn a_version_suffix_goes_even_when_the_stem_is_no_action() {
    // CloudFront Developer Guide, "Tagging Amazon CloudFront distributions": creating with
    // tags needs CreateDistribution and TagResource. The suffix is the API version, never a
    // part of the action's name.
    assert_eq!(
        actions(&ev("cloudfront.amazonaws.com", "CreateDistributionWithTags2020_05_31", "")),
        vec!["cloudfront:CreateDistribution", "cloudfront:TagResource"]
    );
    assert_eq!(
        actions(&ev("cloudfront.amazonaws.com", "CreateDistribution2020_05_31", "")),
        vec!["cloudfront:CreateDistribution"]
    );
    // An unknown operation loses its suffix too: the user is told the bare name.
    assert_eq!(actions(&ev("lambda.amazonaws.com", "FrobnicateWidget20150331", "")), vec!["lambda:FrobnicateWidget"]);
}

#[test]
fn partiql_and_transactions_need_the_actions_of_their_statements() {
    // DynamoDB Developer Guide, "IAM security policies with PartiQL for DynamoDB": the verb of
    // each statement names its action.
    let with =
        |name: &str, req: &str| actions(&ev("dynamodb.amazonaws.com", name, &format!(r#","requestParameters":{req}"#)));
    assert_eq!(with("ExecuteStatement", r#"{"statement":"SELECT * FROM \"t\""}"#), vec!["dynamodb:PartiQLSelect"]);
    // The same operation with another verb, after the first was seen: never remembered.
    assert_eq!(with("ExecuteStatement", r#"{"statement":"update \"t\" SET a=1"}"#), vec!["dynamodb:PartiQLUpdate"]);
    assert_eq!(
        with(
            "BatchExecuteStatement",
            r#"{"statements":[{"statement":"INSERT INTO t VALUE {}"},{"statement":" DELETE FROM t"}]}"#
        ),
        vec!["dynamodb:PartiQLInsert", "dynamodb:PartiQLDelete"]
    );
    assert_eq!(
        with("ExecuteTransaction", r#"{"transactStatements":[{"statement":"SELECT a FROM t"}]}"#),
        vec!["dynamodb:PartiQLSelect"]
    );
    // DynamoDB Developer Guide, "Using IAM with transactions": each item's own action.
    assert_eq!(
        with(
            "TransactWriteItems",
            r#"{"transactItems":[{"put":{"tableName":"t"}},{"update":{"tableName":"t"}},{"conditionCheck":{"tableName":"t"}},{"put":{"tableName":"u"}}]}"#
        ),
        vec!["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"]
    );
    // A request that does not show its statements: the operation's own name, which the catalog
    // does not hold, so that the user is told rather than given a guess.
    let unknown = uses(&ev("dynamodb.amazonaws.com", "ExecuteStatement", ""));
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].action, "dynamodb:ExecuteStatement");
    assert!(!unknown[0].known);
}

#[test]
fn every_tag_on_create_rule_names_real_actions() {
    let c = Catalog::get();
    for (p, op, tagging) in ct_iam::renames::tag_on_create_rules() {
        let (tp, tn) = tagging.split_once(':').unwrap();
        assert!(c.action(tp, tn).is_some(), "{p}:{op} -> {tagging} not in the catalog");
        assert!(c.has_service(p), "{p}");
    }
}

#[test]
fn a_create_with_tags_needs_the_tagging_action_too() {
    // Amazon SQS API Reference, CreateQueue: "To be able to tag a queue on creation, you must
    // have the sqs:CreateQueue and sqs:TagQueue permissions."
    let queue = |req: &str| uses(&ev("sqs.amazonaws.com", "CreateQueue", &format!(r#","requestParameters":{req}"#)));
    let u = queue(r#"{"queueName":"q","tags":{"team":"a"}}"#);
    assert_eq!(u.iter().map(|u| u.action.as_ref()).collect::<Vec<_>>(), vec!["sqs:CreateQueue", "sqs:TagQueue"]);
    assert!(u[1].inferred);
    assert_eq!(u[1].resources, vec!["arn:aws:sqs:ap-southeast-2:111122223333:q"]);
    assert!(u[1].context.iter().any(|(k, v)| k == "aws:RequestTag/team" && v == "a"), "{:?}", u[1].context);
    // No tags, or an empty set: nothing to tag.
    assert_eq!(queue(r#"{"queueName":"q"}"#).len(), 1);
    assert_eq!(queue(r#"{"queueName":"q","tags":{}}"#).len(), 1);
    // Amazon ECS Developer Guide, "Grant permission to tag resources on creation": RunTask
    // tags the task it starts, which only the answer names.
    let run = uses(&ev(
        "ecs.amazonaws.com",
        "RunTask",
        r#","requestParameters":{"cluster":"c","taskDefinition":"td:1","tags":[{"key":"a","value":"b"}]},"responseElements":{"tasks":[{"taskArn":"arn:aws:ecs:ap-southeast-2:111122223333:task/c/0123","taskDefinitionArn":"arn:aws:ecs:ap-southeast-2:111122223333:task-definition/td:1"}]}"#,
    ));
    let tag = run.iter().find(|u| u.action == "ecs:TagResource").expect("ecs:TagResource");
    assert_eq!(tag.resources, vec!["arn:aws:ecs:ap-southeast-2:111122223333:task/c/0123"]);
    // AWS KMS API Reference, CreateKey: "To use the Tags parameter, kms:TagResource"; the new
    // key is in the answer.
    let key = uses(&ev(
        "kms.amazonaws.com",
        "CreateKey",
        r#","requestParameters":{"tags":[{"tagKey":"a","tagValue":"b"}]},"responseElements":{"keyMetadata":{"arn":"arn:aws:kms:ap-southeast-2:111122223333:key/k1"}}"#,
    ));
    assert_eq!(key[1].action, "kms:TagResource");
    assert_eq!(key[1].resources, vec!["arn:aws:kms:ap-southeast-2:111122223333:key/k1"]);
}

#[test]
fn roles_in_a_map_are_passed() {
    // Amazon Cognito API Reference, SetIdentityPoolRoles: Roles maps "authenticated" and
    // "unauthenticated" to role ARNs, which the identity pool then hands out: passing them
    // needs iam:PassRole (IAM User Guide, "Grant a user permissions to pass a role to an AWS
    // service").
    let u = uses(&ev(
        "cognito-identity.amazonaws.com",
        "SetIdentityPoolRoles",
        r#","requestParameters":{"identityPoolId":"ap-southeast-2:1","roles":{"authenticated":"arn:aws:iam::111122223333:role/auth","unauthenticated":"arn:aws:iam::111122223333:role/guest"}}"#,
    ));
    let pass = u.iter().find(|u| u.action == "iam:PassRole").expect("iam:PassRole");
    assert_eq!(pass.resources, vec!["arn:aws:iam::111122223333:role/auth", "arn:aws:iam::111122223333:role/guest"]);
    // A source named by its signing name: mail-manager signs as ses.
    assert_eq!(actions(&ev("mail-manager.amazonaws.com", "CreateAddonInstance", "")), vec!["ses:CreateAddonInstance"]);
}

#[test]
fn operations_the_sdk_documentation_ties_to_one_action() {
    // The API Reference texts the SDK models carry: DMS DescribeDataProviders "Required
    // permissions: dms:ListDataProviders"; Lambda InvokeWithResponseStream needs
    // lambda:InvokeFunction; Glue GetUnfilteredTableMetadata "the public IAM action associated
    // with this API is glue:GetTable"; S3 HeadBucket needs s3:ListBucket.
    let one = |source: &str, name: &str| actions(&ev(source, name, ""));
    assert_eq!(one("dms.amazonaws.com", "DescribeDataProviders"), vec!["dms:ListDataProviders"]);
    assert_eq!(one("lambda.amazonaws.com", "InvokeWithResponseStream"), vec!["lambda:InvokeFunction"]);
    assert_eq!(one("glue.amazonaws.com", "GetUnfilteredTableMetadata"), vec!["glue:GetTable"]);
    assert_eq!(one("s3.amazonaws.com", "HeadBucket"), vec!["s3:ListBucket"]);
    // Every documented action is in the catalog, and no operation that is an action itself is
    // renamed.
    let c = Catalog::get();
    for line in include_str!("../../data/documented.tsv").lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        assert!(c.action(f[0], f[2]).is_some(), "{line}");
        assert!(c.action(f[0], f[1]).is_none(), "{line}");
    }
}

#[test]
fn calls_the_sdk_sends_unsigned_need_no_permission() {
    // The SDK models send these without SigV4: Cognito user pools' user calls carry the user's
    // access token (Amazon Cognito API Reference, ChangePassword: "Authorize this action with
    // a signed-in user's access token"), and CodeCatalyst's API takes a personal access token.
    let no = |source: &str, name: &str| match mapping::map(&Event::parse(ev(source, name, "").as_bytes()).unwrap()) {
        Mapping::NoPermission(why) => why,
        other => panic!("{source} {name}: {other:?}"),
    };
    assert!(no("cognito-idp.amazonaws.com", "ChangePassword").contains("unsigned"));
    assert!(no("codecatalyst.amazonaws.com", "CreateProject").contains("bearer"));
    // Signed calls of the same services keep their actions.
    assert_eq!(actions(&ev("cognito-idp.amazonaws.com", "AdminGetUser", "")), vec!["cognito-idp:AdminGetUser"]);
    // Bedrock takes API keys besides SigV4: its calls are still IAM's.
    assert_eq!(actions(&ev("bedrock.amazonaws.com", "Converse", "")), vec!["bedrock:InvokeModel"]);
}
