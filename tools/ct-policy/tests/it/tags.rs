//! Resource tags learnt from the stream (`ct_policy::tags`), fed with events in the shapes
//! CloudTrail writes them (request and response elements as the services' CloudTrail pages
//! show them), and asked with the ARNs the mapping gives other calls on the same resources.

use ct_common::time::{Time, parse_event_time};
use ct_iam::eval::{self, Decision, Mode, Request};
use ct_iam::policy;
use ct_iam::{Event, Mapping};
use ct_policy::check::event_context;
use ct_policy::tags::{self, Deferred, Know, TagState, Tags, Tracker};

const ACCOUNT: &str = "111122223333";

/// One event of the build role, in us-east-1. `extra` holds the request, the answer and
/// anything else, each with its leading comma.
fn event(time: &str, source: &str, name: &str, id: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLE:ci","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/build-agent/ci","accountId":"{ACCOUNT}","sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::{ACCOUNT}:role/build-agent","accountId":"{ACCOUNT}","userName":"build-agent"}},"attributes":{{"creationDate":"2023-07-10T11:00:00Z","mfaAuthenticated":"false"}}}}}},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.20","userAgent":"aws-cli/2.13.0","eventID":"{id}","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{ACCOUNT}"{extra}}}"#
    )
}

/// The tracker fed with `events` in the order given, finished.
fn learn(events: &[String]) -> Tags {
    let mut t = Tracker::new();
    for e in events {
        feed(&mut t, e);
    }
    t.finish()
}

fn feed(t: &mut Tracker, json: &str) {
    let ev = Event::parse(json.as_bytes()).expect("an event");
    match ct_iam::map(&ev) {
        Mapping::Actions(uses) => t.observe(&ev, &uses),
        _ => t.observe(&ev, &[]),
    }
}

/// The resources the mapping gives the event's first action.
fn mapped(json: &str) -> Vec<String> {
    let ev = Event::parse(json.as_bytes()).unwrap();
    match ct_iam::map(&ev) {
        Mapping::Actions(uses) => uses[0].resources.iter().map(|r| r.to_string()).collect(),
        other => panic!("{other:?}"),
    }
}

fn at(t: &str) -> Time {
    parse_event_time(t).unwrap()
}

fn value(v: &str) -> Know {
    Know::Value(v.to_string())
}

fn state(tags: &Tags, arn: &str, time: &str) -> TagState {
    tags.tags_at(arn, at(time)).unwrap_or_else(|| panic!("no tags for {arn} at {time}"))
}

/// RunInstances as CloudTrail writes it (EC2 API Reference, RunInstances): tag specifications
/// per resource type in the request, the instances and their network interfaces in the answer.
fn run_instances(time: &str, id: &str, instance: &str, job: &str, request_extra: &str) -> String {
    let req = format!(
        r#","requestParameters":{{"instancesSet":{{"items":[{{"imageId":"ami-029eb80bc237bec6f","minCount":1,"maxCount":1}}]}},"instanceType":"t3.micro","blockDeviceMapping":{{}},"monitoring":{{"enabled":false}},"disableApiTermination":false,"clientToken":"D37569A7-CF2F-4BD3-8DDE-F17AB408204D","tagSpecificationSet":{{"items":[{{"resourceType":"instance","tags":[{{"key":"job","value":"{job}"}},{{"key":"Name","value":"ci-runner"}}]}},{{"resourceType":"volume","tags":[{{"key":"job","value":"{job}"}}]}},{{"resourceType":"network-interface","tags":[{{"key":"nic","value":"primary"}}]}}]}}{request_extra}}}"#
    );
    let resp = format!(
        r#","responseElements":{{"requestId":"95b435ce-68af-4a4b-b89c-f653d8946ebc","reservationId":"r-0ac0088de73525c3c","ownerId":"{ACCOUNT}","groupSet":{{}},"instancesSet":{{"items":[{{"instanceId":"{instance}","imageId":"ami-029eb80bc237bec6f","instanceState":{{"code":0,"name":"pending"}},"instanceType":"t3.micro","subnetId":"subnet-0ed352584ab4aa265","vpcId":"vpc-06fe1a64761a0f720","rootDeviceType":"ebs","rootDeviceName":"/dev/xvda","blockDeviceMapping":{{}},"tagSet":{{"items":[{{"key":"job","value":"{job}"}},{{"key":"Name","value":"ci-runner"}}]}},"networkInterfaceSet":{{"items":[{{"networkInterfaceId":"eni-{instance}","subnetId":"subnet-0ed352584ab4aa265","status":"in-use","attachment":{{"attachmentId":"eni-attach-00cac81742e39b87a","deviceIndex":0,"status":"attaching"}},"tagSet":{{}}}}]}}}}]}}}}"#
    );
    event(time, "ec2.amazonaws.com", "RunInstances", id, &format!("{req}{resp}"))
}

fn terminate(time: &str, id: &str, instance: &str) -> String {
    event(
        time,
        "ec2.amazonaws.com",
        "TerminateInstances",
        id,
        &format!(
            r#","requestParameters":{{"instancesSet":{{"items":[{{"instanceId":"{instance}"}}]}}}},"responseElements":{{"instancesSet":{{"items":[{{"instanceId":"{instance}","currentState":{{"code":32,"name":"shutting-down"}},"previousState":{{"code":16,"name":"running"}}}}]}}}}"#
        ),
    )
}

#[test]
fn run_instances_tags_each_resource_it_makes_with_its_own_type() {
    let tags = learn(&[run_instances("2023-07-10T12:00:00Z", "e1", "i-0dbc91f429e48eeed", "build", "")]);
    let arn = &mapped(&terminate("2023-07-10T12:30:00Z", "e2", "i-0dbc91f429e48eeed"))[0];
    assert_eq!(arn, "arn:aws:ec2:us-east-1:111122223333:instance/i-0dbc91f429e48eeed");
    let s = state(&tags, arn, "2023-07-10T12:30:00Z");
    assert!(s.complete, "made in the stream");
    assert_eq!(s.tags().collect::<Vec<_>>(), vec![("Name", "ci-runner"), ("job", "build")]);
    assert_eq!(s.get("nic"), Know::Absent, "the interface's tag is not the instance's");
    let eni = "arn:aws:ec2:us-east-1:111122223333:network-interface/eni-i-0dbc91f429e48eeed";
    let s = state(&tags, eni, "2023-07-10T12:30:00Z");
    assert!(s.complete);
    assert_eq!(s.tags().collect::<Vec<_>>(), vec![("nic", "primary")]);
    // Nothing before the launch.
    assert_eq!(tags.tags_at(arn, at("2023-07-10T11:59:59Z")), None);
}

#[test]
fn run_instances_with_a_launch_template_or_an_existing_interface() {
    // A launch template may add tags the event does not show.
    let lt = r#","launchTemplate":{"launchTemplateId":"lt-0780d55503d605988","version":"1"}"#;
    let tags = learn(&[run_instances("2023-07-10T12:00:00Z", "e1", "i-0a", "build", lt)]);
    let s = state(&tags, "arn:aws:ec2:us-east-1:111122223333:instance/i-0a", "2023-07-10T12:00:01Z");
    assert!(!s.complete);
    assert_eq!((s.get("job"), s.get("owner")), (value("build"), Know::Unknown));
    // An interface the request named was made elsewhere: the launch says nothing of its tags.
    let named = r#","networkInterfaceSet":{"items":[{"networkInterfaceId":"eni-i-0b","deviceIndex":0}]}"#;
    let tags = learn(&[run_instances("2023-07-10T12:00:00Z", "e1", "i-0b", "build", named)]);
    assert_eq!(
        tags.tags_at("arn:aws:ec2:us-east-1:111122223333:network-interface/eni-i-0b", at("2023-07-10T13:00:00Z")),
        None
    );
}

#[test]
fn create_tags_and_delete_tags_on_resources_made_elsewhere() {
    // EC2 API Reference, CreateTags and DeleteTags: resourcesSet of resourceId, tagSet.
    let create = event(
        "2023-07-10T12:10:54Z",
        "ec2.amazonaws.com",
        "CreateTags",
        "e1",
        r#","requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-0a1"},{"resourceId":"vol-0b2"}]},"tagSet":{"items":[{"key":"job","value":"build"},{"key":"Name","value":"ci"}]}},"responseElements":{"requestId":"9fcb52c3-4775-4e20-9271-2572dc3de943","_return":true}"#,
    );
    let delete_name = event(
        "2023-07-10T12:20:00Z",
        "ec2.amazonaws.com",
        "DeleteTags",
        "e2",
        r#","requestParameters":{"resourcesSet":{"items":[{"resourceId":"vol-0b2"}]},"tagSet":{"items":[{"key":"Name"}]}},"responseElements":{"requestId":"1","_return":true}"#,
    );
    let delete_all = event(
        "2023-07-10T12:30:00Z",
        "ec2.amazonaws.com",
        "DeleteTags",
        "e3",
        r#","requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-0a1"}]}},"responseElements":{"requestId":"2","_return":true}"#,
    );
    let tags = learn(&[delete_all.clone(), delete_name.clone(), create.clone()]);
    let instance = "arn:aws:ec2:us-east-1:111122223333:instance/i-0a1";
    let volume = &mapped(&event(
        "2023-07-10T13:00:00Z",
        "ec2.amazonaws.com",
        "DeleteVolume",
        "e4",
        r#","requestParameters":{"volumeId":"vol-0b2"}"#,
    ))[0];
    let s = state(&tags, instance, "2023-07-10T12:11:00Z");
    assert!(!s.complete, "made elsewhere: other tags may be there");
    assert_eq!((s.get("job"), s.get("owner")), (value("build"), Know::Unknown));
    let s = state(&tags, volume, "2023-07-10T12:21:00Z");
    assert_eq!((s.get("job"), s.get("Name"), s.complete), (value("build"), Know::Absent, false));
    // DeleteTags without tags removes every tag but AWS's own: the set is then known.
    let s = state(&tags, instance, "2023-07-10T12:31:00Z");
    assert!(s.complete);
    assert_eq!((s.get("job"), s.get("aws:autoscaling:groupName")), (Know::Absent, Know::Unknown));
    // The mapping's ARNs of the tagging call itself are the same resources.
    let own = mapped(&create);
    assert_eq!(state(&tags, &own[1], "2023-07-10T12:11:00Z").get("job"), value("build"));
}

#[test]
fn only_successful_calls_change_tags() {
    let refused = event(
        "2023-07-10T12:10:54Z",
        "ec2.amazonaws.com",
        "CreateTags",
        "e1",
        r#","errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation.","requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-0a1"}]},"tagSet":{"items":[{"key":"job","value":"build"}]}},"responseElements":null"#,
    );
    let tags = learn(&[refused]);
    assert!(tags.is_empty());
}

#[test]
fn changes_within_one_second_are_unordered() {
    let tag = |id: &str, v: &str| {
        event(
            "2023-07-10T12:10:54Z",
            "ec2.amazonaws.com",
            "CreateTags",
            id,
            &format!(
                r#","requestParameters":{{"resourcesSet":{{"items":[{{"resourceId":"i-0dbc91f429e48eeed"}}]}},"tagSet":{{"items":[{{"key":"job","value":"{v}"}}]}}}},"responseElements":{{"_return":true}}"#
            ),
        )
    };
    let arn = "arn:aws:ec2:us-east-1:111122223333:instance/i-0dbc91f429e48eeed";
    let launch = run_instances("2023-07-10T12:00:00Z", "e0", "i-0dbc91f429e48eeed", "build", "");
    let tags = learn(&[tag("e1", "a"), launch.clone(), tag("e2", "b")]);
    assert_eq!(state(&tags, arn, "2023-07-10T12:11:00Z").get("job"), Know::Unknown);
    assert_eq!(state(&tags, arn, "2023-07-10T12:10:53Z").get("job"), value("build"));
    // A call in that second: it may have come before or after the change.
    let tags = learn(&[launch, tag("e1", "a")]);
    let s = state(&tags, arn, "2023-07-10T12:10:54Z");
    assert_eq!((s.get("job"), s.get("Name")), (Know::Unknown, value("ci-runner")));
    // ... but not before its own.
    let own = tags.tags_for_event(arn, at("2023-07-10T12:10:54Z"), Some("e1")).unwrap();
    assert_eq!(own.get("job"), value("build"));
}

#[test]
fn lambda_tags_by_arn_are_the_tags_of_the_function_called_by_name() {
    // Lambda API Reference, TagResource and UntagResource: Resource (an ARN), Tags, TagKeys;
    // CloudTrail writes the versioned names.
    let func = "arn:aws:lambda:us-east-1:111122223333:function:builder";
    let tag = event(
        "2023-07-10T12:00:00Z",
        "lambda.amazonaws.com",
        "TagResource20170331v2",
        "e1",
        &format!(
            r#","requestParameters":{{"resource":"{func}","tags":{{"job":"build","team":"ci"}}}},"responseElements":null"#
        ),
    );
    let untag = event(
        "2023-07-10T12:05:00Z",
        "lambda.amazonaws.com",
        "UntagResource20170331v2",
        "e2",
        &format!(r#","requestParameters":{{"resource":"{func}","tagKeys":["team"]}},"responseElements":null"#),
    );
    let tags = learn(&[untag, tag]);
    let by_name = &mapped(&event(
        "2023-07-10T12:10:00Z",
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        "e3",
        r#","requestParameters":{"functionName":"builder"}"#,
    ))[0];
    assert_eq!(by_name, func);
    let s = state(&tags, by_name, "2023-07-10T12:10:00Z");
    assert_eq!(
        (s.get("job"), s.get("team"), s.get("owner"), s.complete),
        (value("build"), Know::Absent, Know::Unknown, false)
    );
    // A qualified ARN is the function's.
    assert_eq!(state(&tags, &format!("{func}:prod"), "2023-07-10T12:10:00Z").get("job"), value("build"));
    // Made in the stream (CloudTrail's CreateFunction20150331 record): complete.
    let create = event(
        "2023-07-10T12:25:33Z",
        "lambda.amazonaws.com",
        "CreateFunction20150331",
        "e4",
        r#","requestParameters":{"functionName":"packer","runtime":"nodejs18.x","role":"arn:aws:iam::111122223333:role/packer-lambda","handler":"index.handler","code":{"s3Bucket":"artifacts","s3Key":"index.zip"},"timeout":3,"memorySize":128,"publish":false,"packageType":"Zip","environment":{},"tags":{"job":"build"}},"responseElements":{"functionName":"packer","functionArn":"arn:aws:lambda:us-east-1:111122223333:function:packer","runtime":"nodejs18.x","state":"Pending","version":"$LATEST"}"#,
    );
    let tags = learn(&[create]);
    let s = state(&tags, "arn:aws:lambda:us-east-1:111122223333:function:packer", "2023-07-10T12:30:00Z");
    assert_eq!((s.get("job"), s.get("team"), s.complete), (value("build"), Know::Absent, true));
}

#[test]
fn iam_roles_made_and_tagged_in_the_stream() {
    // CloudTrail's CreateRole record: tags in the request, the role (with its path) in the
    // answer; TagRole and UntagRole name it by name (IAM API Reference).
    let create = event(
        "2023-07-10T11:54:39Z",
        "iam.amazonaws.com",
        "CreateRole",
        "e1",
        r#","requestParameters":{"path":"/ci/","roleName":"deploy-target","assumeRolePolicyDocument":"{\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"}}],\"Version\":\"2012-10-17\"}","maxSessionDuration":3600,"tags":[{"key":"job","value":"build"}]},"responseElements":{"role":{"path":"/ci/","roleName":"deploy-target","roleId":"AROATFQR7NSCWWVLB7BES","arn":"arn:aws:iam::111122223333:role/ci/deploy-target","createDate":"Jul 10, 2023 11:54:39 AM","tags":[{"key":"job","value":"build"}]}}"#,
    );
    let tag = event(
        "2023-07-10T11:56:00Z",
        "iam.amazonaws.com",
        "TagRole",
        "e2",
        r#","requestParameters":{"roleName":"deploy-target","tags":[{"key":"owner","value":"platform"}]},"responseElements":null"#,
    );
    let untag = event(
        "2023-07-10T11:57:00Z",
        "iam.amazonaws.com",
        "UntagRole",
        "e3",
        r#","requestParameters":{"roleName":"deploy-target","tagKeys":["job"]},"responseElements":null"#,
    );
    let tags = learn(&[tag, untag, create]);
    let arn = &mapped(&event(
        "2023-07-10T12:00:00Z",
        "iam.amazonaws.com",
        "DeleteRole",
        "e4",
        r#","requestParameters":{"roleName":"deploy-target"}"#,
    ))[0];
    let s = state(&tags, arn, "2023-07-10T11:56:30Z");
    assert!(s.complete);
    assert_eq!(s.tags().collect::<Vec<_>>(), vec![("job", "build"), ("owner", "platform")]);
    let s = state(&tags, arn, "2023-07-10T12:00:00Z");
    assert_eq!((s.get("job"), s.get("owner")), (Know::Absent, value("platform")));
    // The condition keys: both spellings IAM reads for a role.
    let c = tags::tag_context(Some(&s), arn);
    assert!(c.values.contains(&("iam:ResourceTag/owner".into(), "platform".into())));
    assert!(c.knows("aws:ResourceTag/job") && c.knows("iam:ResourceTag/other"));
}

#[test]
fn s3_put_bucket_tagging_replaces_the_whole_set() {
    // CloudTrail's PutBucketTagging record, converted from the XML body: one tag is an object,
    // several a list, and values may be written as JSON booleans (Amazon S3 API Reference,
    // PutBucketTagging: the set replaces the bucket's tags).
    let put = |time: &str, id: &str, tagset: &str| {
        event(
            time,
            "s3.amazonaws.com",
            "PutBucketTagging",
            id,
            &format!(
                r#","requestParameters":{{"Tagging":{{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","TagSet":{{"Tag":{tagset}}}}},"tagging":"","bucketName":"ci-artifacts","Host":"ci-artifacts.s3.amazonaws.com"}},"responseElements":null,"resources":[{{"accountId":"{ACCOUNT}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::ci-artifacts"}}]"#
            ),
        )
    };
    let one = put("2023-07-10T11:59:58Z", "e1", r#"{"Value":true,"Key":"StratusRedTeam"}"#);
    let two = put("2023-07-10T12:05:00Z", "e2", r#"[{"Key":"job","Value":"build"},{"Key":"team","Value":"ci"}]"#);
    let delete = event(
        "2023-07-10T12:10:00Z",
        "s3.amazonaws.com",
        "DeleteBucketTagging",
        "e3",
        r#","requestParameters":{"tagging":"","bucketName":"ci-artifacts","Host":"ci-artifacts.s3.amazonaws.com"},"responseElements":null"#,
    );
    let tags = learn(&[delete, two, one]);
    let arn = "arn:aws:s3:::ci-artifacts";
    let s = state(&tags, arn, "2023-07-10T12:00:00Z");
    assert!(s.complete, "replacing every tag makes the set known, though the bucket was made elsewhere");
    assert_eq!(s.tags().collect::<Vec<_>>(), vec![("StratusRedTeam", "true")]);
    let s = state(&tags, arn, "2023-07-10T12:06:00Z");
    assert_eq!((s.get("StratusRedTeam"), s.get("job"), s.get("team")), (Know::Absent, value("build"), value("ci")));
    let s = state(&tags, arn, "2023-07-10T12:11:00Z");
    assert_eq!((s.tags().count(), s.complete), (0, true));
    let c = tags::tag_context(Some(&state(&tags, arn, "2023-07-10T12:06:00Z")), arn);
    assert!(c.values.contains(&("s3:BucketTag/job".into(), "build".into())));
}

#[test]
fn ec2_creates_in_both_record_shapes() {
    // The query shape (CreateVpc: tagSpecificationSet; the answer's vpc.vpcId and tagSet).
    let vpc = event(
        "2023-07-10T11:55:00Z",
        "ec2.amazonaws.com",
        "CreateVpc",
        "e1",
        r#","requestParameters":{"cidrBlock":"10.0.0.0/16","instanceTenancy":"default","amazonProvidedIpv6CidrBlock":false,"tagSpecificationSet":{"items":[{"resourceType":"vpc","tags":[{"key":"Name","value":"ci-vpc"},{"key":"job","value":"build"}]}]}},"responseElements":{"requestId":"227252b0-eb8a-4c29-810e-def37a9f3476","vpc":{"vpcId":"vpc-06fe1a64761a0f720","state":"pending","ownerId":"111122223333","cidrBlock":"10.0.0.0/16","dhcpOptionsId":"dopt-0ef51062810f8ca7b","instanceTenancy":"default","tagSet":{"items":[{"key":"Name","value":"ci-vpc"},{"key":"job","value":"build"}]},"isDefault":false}}"#,
    );
    // The XML-converted shape of the newer calls (CreateNatGateway: TagSpecification with a
    // Tag list and counters, the answer wrapped in CreateNatGatewayResponse).
    let nat = event(
        "2023-07-10T11:55:14Z",
        "ec2.amazonaws.com",
        "CreateNatGateway",
        "e2",
        r#","requestParameters":{"CreateNatGatewayRequest":{"ConnectivityType":"public","AllocationId":"eipalloc-08a083beb7e83dbc0","SubnetId":"subnet-01ed430875cff578d","ClientToken":"86C58940-D407-4E02-A617-E40168CFDBE2","TagSpecification":{"ResourceType":"natgateway","tag":1,"Tag":[{"Value":true,"tag":1,"Key":"job"},{"Value":"ci-nat","tag":2,"Key":"Name"}]}}},"responseElements":{"CreateNatGatewayResponse":{"xmlns":"http://ec2.amazonaws.com/doc/2016-11-15/","natGateway":{"connectivityType":"public","subnetId":"subnet-01ed430875cff578d","tagSet":{"item":[{"value":true,"key":"job"},{"value":"ci-nat","key":"Name"}]},"createTime":"2023-07-10T11:55:14.000Z","vpcId":"vpc-06fe1a64761a0f720","natGatewayId":"nat-03575abbac42080d9","state":"pending"},"requestId":"98cac787-9654-4d84-9fbc-d42f1023e2ef"}}"#,
    );
    // Made without tags: proven untagged.
    let sg = event(
        "2023-07-10T12:10:01Z",
        "ec2.amazonaws.com",
        "CreateSecurityGroup",
        "e3",
        r#","requestParameters":{"groupName":"ci-sg","groupDescription":"ci","vpcId":"vpc-06fe1a64761a0f720"},"responseElements":{"requestId":"0298451a-830a-419e-ab4b-4861bd336b68","_return":true,"groupId":"sg-04cfb7a4712d75b00"}"#,
    );
    let tags = learn(&[sg, nat, vpc]);
    let s = state(&tags, "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-06fe1a64761a0f720", "2023-07-10T12:00:00Z");
    assert!(s.complete);
    assert_eq!(s.tags().collect::<Vec<_>>(), vec![("Name", "ci-vpc"), ("job", "build")]);
    let s = state(&tags, "arn:aws:ec2:us-east-1:111122223333:natgateway/nat-03575abbac42080d9", "2023-07-10T12:00:00Z");
    assert!(s.complete);
    assert_eq!(s.tags().collect::<Vec<_>>(), vec![("Name", "ci-nat"), ("job", "true")]);
    let s =
        state(&tags, "arn:aws:ec2:us-east-1:111122223333:security-group/sg-04cfb7a4712d75b00", "2023-07-10T12:11:00Z");
    assert_eq!((s.tags().count(), s.complete), (0, true));
}

#[test]
fn the_tagging_calls_of_other_services() {
    let arn_of = |name: &str| match name {
        "queue" => "arn:aws:sqs:us-east-1:111122223333:builds".to_string(),
        "key" => "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".to_string(),
        "group" => "arn:aws:logs:us-east-1:111122223333:log-group:/ci/builds".to_string(),
        "stack" => {
            "arn:aws:cloudformation:us-east-1:111122223333:stack/ci/8a4f0e40-1f00-11ee-8ee1-50a686e4bb1e".to_string()
        }
        "lb" => {
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/test/433ae0ba96204181".to_string()
        }
        "dist" => "arn:aws:cloudfront::111122223333:distribution/E53370FUHBNLK".to_string(),
        "db" => "arn:aws:rds:us-east-1:111122223333:db:ci-db".to_string(),
        "table" => "arn:aws:dynamodb:us-east-1:111122223333:table/builds".to_string(),
        "topic" => "arn:aws:sns:us-east-1:111122223333:builds".to_string(),
        "cluster" => "arn:aws:ecs:us-east-1:111122223333:cluster/ci".to_string(),
        "bucket" => "arn:aws:s3:::tagged-by-api".to_string(),
        _ => unreachable!(),
    };
    // (source, event name, request, the resource, the tag it then has)
    let cases = [
        // SQS API Reference, TagQueue: QueueUrl and a map of tags.
        (
            "sqs",
            "TagQueue",
            r#"{"queueUrl":"https://sqs.us-east-1.amazonaws.com/111122223333/builds","tags":{"job":"build"}}"#
                .to_string(),
            "queue",
        ),
        // KMS API Reference, TagResource: KeyId, Tags of TagKey and TagValue.
        (
            "kms",
            "TagResource",
            r#"{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab","tags":[{"tagKey":"job","tagValue":"build"}]}"#.into(),
            "key",
        ),
        // CloudWatch Logs API Reference, TagLogGroup and TagResource.
        ("logs", "TagLogGroup", r#"{"logGroupName":"/ci/builds","tags":{"job":"build"}}"#.into(), "group"),
        // CloudFormation API Reference, UpdateStack: Tags replace the stack's.
        (
            "cloudformation",
            "UpdateStack",
            format!(
                r#"{{"stackName":"{}","usePreviousTemplate":true,"tags":[{{"key":"job","value":"build"}}]}}"#,
                arn_of("stack")
            ),
            "stack",
        ),
        // Elastic Load Balancing API Reference, AddTags (CloudTrail's record).
        (
            "elasticloadbalancing",
            "AddTags",
            format!(r#"{{"tags":[{{"value":"build","key":"job"}}],"resourceArns":["{}"]}}"#, arn_of("lb")),
            "lb",
        ),
        // CloudFront API Reference, TagResource: Resource, Tags.Items.
        (
            "cloudfront",
            "TagResource2020_05_31",
            format!(r#"{{"resource":"{}","tags":{{"items":[{{"key":"job","value":"build"}}]}}}}"#, arn_of("dist")),
            "dist",
        ),
        // RDS API Reference, AddTagsToResource: ResourceName, Tags.
        (
            "rds",
            "AddTagsToResource",
            format!(r#"{{"resourceName":"{}","tags":[{{"key":"job","value":"build"}}]}}"#, arn_of("db")),
            "db",
        ),
        // DynamoDB, SNS and ECS API References, TagResource: ResourceArn, Tags of Key and Value.
        (
            "dynamodb",
            "TagResource",
            format!(r#"{{"resourceArn":"{}","tags":[{{"key":"job","value":"build"}}]}}"#, arn_of("table")),
            "table",
        ),
        (
            "sns",
            "TagResource",
            format!(r#"{{"resourceArn":"{}","tags":[{{"key":"job","value":"build"}}]}}"#, arn_of("topic")),
            "topic",
        ),
        (
            "ecs",
            "TagResource",
            format!(r#"{{"resourceArn":"{}","tags":[{{"key":"job","value":"build"}}]}}"#, arn_of("cluster")),
            "cluster",
        ),
        // Resource Groups Tagging API Reference, TagResources: ResourceARNList, Tags.
        (
            "tagging",
            "TagResources",
            format!(r#"{{"resourceARNList":["{}"],"tags":{{"job":"build"}}}}"#, arn_of("bucket")),
            "bucket",
        ),
    ];
    for (source, name, request, what) in cases {
        let ev = event(
            "2023-07-10T12:00:00Z",
            &format!("{source}.amazonaws.com"),
            name,
            "e1",
            &format!(r#","requestParameters":{request},"responseElements":null"#),
        );
        let tags = learn(&[ev]);
        let arn = arn_of(what);
        let s = tags.tags_at(&arn, at("2023-07-10T12:00:01Z")).unwrap_or_else(|| panic!("{source} {name}: no tags"));
        assert_eq!(s.get("job"), value("build"), "{source} {name}");
        assert_eq!(s.complete, name == "UpdateStack", "{source} {name}");
    }
}

#[test]
fn secrets_made_by_arn_and_tagged_by_name() {
    // Secrets Manager API Reference, CreateSecret (the answer's ARN) and TagResource (SecretId,
    // a name here).
    let create = event(
        "2023-07-10T11:57:47Z",
        "secretsmanager.amazonaws.com",
        "CreateSecret",
        "e1",
        r#","requestParameters":{"name":"ci-db","clientRequestToken":"D796F4C4-6073-485E-B59D-DEA24780EE7A","description":"","forceOverwriteReplicaSecret":false,"tags":[{"key":"job","value":"build"}]},"responseElements":{"arn":"arn:aws:secretsmanager:us-east-1:111122223333:secret:ci-db-xehWok"}"#,
    );
    let tag = event(
        "2023-07-10T12:00:00Z",
        "secretsmanager.amazonaws.com",
        "TagResource",
        "e2",
        r#","requestParameters":{"secretId":"ci-db","tags":[{"key":"team","value":"ci"}]},"responseElements":null"#,
    );
    let tags = learn(&[tag, create]);
    let by_name = &mapped(&event(
        "2023-07-10T12:05:00Z",
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        "e3",
        r#","requestParameters":{"secretId":"ci-db"}"#,
    ))[0];
    for arn in [by_name.as_str(), "arn:aws:secretsmanager:us-east-1:111122223333:secret:ci-db-xehWok"] {
        let s = state(&tags, arn, "2023-07-10T12:05:00Z");
        assert_eq!((s.get("job"), s.get("team"), s.complete), (value("build"), value("ci"), true), "{arn}");
    }
}

#[test]
fn tagging_calls_that_cannot_be_read_leave_nothing_known() {
    let launch = run_instances("2023-07-10T12:00:00Z", "e0", "i-0a", "build", "");
    // A shape no service writes: the change is there but not its content.
    let odd = event(
        "2023-07-10T12:05:00Z",
        "ec2.amazonaws.com",
        "CreateTags",
        "e1",
        r#","requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-0a"}]},"tagSet":"job=test"},"responseElements":{"_return":true}"#,
    );
    let tags = learn(&[launch, odd]);
    let arn = "arn:aws:ec2:us-east-1:111122223333:instance/i-0a";
    assert_eq!(state(&tags, arn, "2023-07-10T12:04:00Z").get("job"), value("build"));
    assert_eq!(tags.tags_at(arn, at("2023-07-10T12:06:00Z")), None);
    // A tagging call whose resource cannot be told: every resource of the service from then on.
    let table = "arn:aws:dynamodb:us-east-1:111122223333:table/builds";
    let create = event(
        "2023-07-10T12:00:00Z",
        "dynamodb.amazonaws.com",
        "CreateTable",
        "e2",
        &format!(
            r#","requestParameters":{{"tableName":"builds","billingMode":"PAY_PER_REQUEST","tags":[{{"key":"job","value":"build"}}]}},"responseElements":{{"tableDescription":{{"tableName":"builds","tableArn":"{table}","tableStatus":"CREATING"}}}}"#
        ),
    );
    let unnamed = event(
        "2023-07-10T12:10:00Z",
        "dynamodb.amazonaws.com",
        "TagResource",
        "e3",
        r#","requestParameters":{"tags":[{"key":"job","value":"x"}]},"responseElements":null"#,
    );
    let tags = learn(&[unnamed, create.clone()]);
    assert_eq!(state(&tags, table, "2023-07-10T12:05:00Z").get("job"), value("build"));
    assert_eq!(tags.tags_at(table, at("2023-07-10T12:10:00Z")), None);
    // The Resource Groups Tagging API tags resources of any service.
    let any = event(
        "2023-07-10T12:10:00Z",
        "tagging.amazonaws.com",
        "TagResources",
        "e4",
        r#","requestParameters":{"tags":{"job":"x"}},"responseElements":{"failedResourcesMap":{}}"#,
    );
    let tags = learn(&[create, any]);
    assert_eq!(state(&tags, table, "2023-07-10T12:05:00Z").get("job"), value("build"));
    assert_eq!(tags.tags_at(table, at("2023-07-10T12:10:00Z")), None);
}

/// The whole gate, as check.rs would run it: calls whose decision waits for resource tags are
/// deferred while the stream is read, and decided once it is all read.
#[test]
fn a_deferred_call_is_decided_with_the_tags_of_the_whole_stream() {
    let allowed = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"Launch","Effect":"Allow","Action":["ec2:RunInstances","ec2:CreateTags"],"Resource":"*"},
        {"Sid":"OnlyBuildInstances","Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"*",
         "Condition":{"StringEquals":{"aws:ResourceTag/job":"build"}}}]}"#;
    let policies = policy::parse_file(allowed, "allowed.json", None).unwrap();
    // Input order: the terminations come before the launches (another file, another hour).
    let stream = [
        terminate("2023-07-10T12:30:00Z", "t1", "i-0build"),
        terminate("2023-07-10T12:31:00Z", "t2", "i-0other"),
        run_instances("2023-07-10T12:00:00Z", "r1", "i-0build", "build", ""),
        run_instances("2023-07-10T12:01:00Z", "r2", "i-0other", "test", ""),
    ];
    struct Call {
        action: String,
        resource: String,
        context: ct_iam::eval::Context,
    }
    let mut tracker = Tracker::new();
    let mut deferred: Deferred<Call> = Deferred::new();
    let mut decided = Vec::new();
    for json in &stream {
        let ev = Event::parse(json.as_bytes()).unwrap();
        let Mapping::Actions(uses) = ct_iam::map(&ev) else { panic!() };
        tracker.observe(&ev, &uses);
        for u in &uses {
            let ctx = event_context(&ev, &u.context);
            for r in &u.resources {
                let req = Request { action: &u.action, resource: Some(r), context: &ctx, mode: Mode::Check };
                let out = eval::evaluate(&policies, &req);
                if tags::waits_for_tags(&out) {
                    let time = ev.event_time.as_deref().and_then(parse_event_time);
                    let call = Call { action: u.action.to_string(), resource: r.to_string(), context: ctx.clone() };
                    deferred.defer(time, ev.event_id.as_deref(), call);
                } else {
                    decided.push((u.action.to_string(), out.decision));
                }
            }
        }
    }
    assert_eq!(deferred.len(), 2);
    assert!(decided.iter().all(|(_, d)| *d == Decision::Allow), "{decided:?}");
    let tags = tracker.finish();
    let mut after = Vec::new();
    for p in deferred {
        let mut ctx = p.call.context.clone();
        tags.context_for(&p.call.resource, p.time, p.event_id.as_deref()).apply(&mut ctx);
        let req =
            Request { action: &p.call.action, resource: Some(&p.call.resource), context: &ctx, mode: Mode::Check };
        after.push((p.call.resource.clone(), eval::evaluate(&policies, &req).decision));
    }
    assert_eq!(
        after,
        vec![
            ("arn:aws:ec2:us-east-1:111122223333:instance/i-0build".to_string(), Decision::Allow),
            ("arn:aws:ec2:us-east-1:111122223333:instance/i-0other".to_string(), Decision::ImplicitDeny),
        ]
    );
}
