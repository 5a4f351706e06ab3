//! EC2's tagging calls, its calls that make a resource with tag specifications, and
//! RunInstances.

use ct_iam::json::Json;

use super::learn::{Learnt, unreadable};
use super::shapes::{Call, KEY_NAMES, member, member_nested, read_tag_list, read_tags, scalar, tag_of};
use super::state::{Change, Tag};

/// EC2 calls that make a resource, the key of its ID in the answer, and the ResourceType of
/// its TagSpecifications (EC2 API Reference, each call's response elements; TagSpecification
/// ResourceType values).
pub(super) const EC2_CREATES: &[(&str, &str, &str)] = &[
    ("CreateVolume", "volumeId", "volume"),
    ("CreateSnapshot", "snapshotId", "snapshot"),
    ("CreateSecurityGroup", "groupId", "security-group"),
    ("CreateVpc", "vpcId", "vpc"),
    ("CreateSubnet", "subnetId", "subnet"),
    ("CreateInternetGateway", "internetGatewayId", "internet-gateway"),
    ("CreateRouteTable", "routeTableId", "route-table"),
    ("CreateNetworkAcl", "networkAclId", "network-acl"),
    ("CreateNetworkInterface", "networkInterfaceId", "network-interface"),
    ("AllocateAddress", "allocationId", "elastic-ip"),
    ("CreateNatGateway", "natGatewayId", "natgateway"),
    ("CreateLaunchTemplate", "launchTemplateId", "launch-template"),
    ("CreateKeyPair", "keyPairId", "key-pair"),
    ("ImportKeyPair", "keyPairId", "key-pair"),
    ("CreateImage", "imageId", "image"),
    ("CreateVpcEndpoint", "vpcEndpointId", "vpc-endpoint"),
];

fn ec2_arn(call: &Call<'_>, id: &str) -> String {
    format!("arn:{}:ec2:{}::{id}", call.partition(), call.region())
}

pub(super) fn ec2(call: &Call<'_>, name: &str) -> Learnt {
    match name {
        // EC2 API Reference, CreateTags: resourcesSet of resource IDs, tagSet of key and value.
        "CreateTags" | "DeleteTags" => {
            let ids: Vec<String> = member(&call.params, &["resourcesSet"])
                .and_then(read_list)
                .map(|items| items.iter().filter_map(|i| member(i, &["resourceId"]).and_then(scalar)).collect())
                .unwrap_or_default();
            let arns: Vec<String> = ids.iter().map(|id| ec2_arn(call, id)).collect();
            if arns.is_empty() {
                return unreadable(call);
            }
            let set = member(&call.params, &["tagSet"]);
            let change = match (name, set) {
                ("CreateTags", Some(s)) => read_tags(s).map(Change::Set),
                ("CreateTags", None) => None,
                // DeleteTags: "If you omit this parameter, we delete all user-defined tags for
                // the specified resources" (EC2 API Reference, DeleteTags, Tag.N).
                (_, None) => Some(Change::ClearUser),
                (_, Some(s)) => read_tag_list(s).map(Change::Remove),
            };
            match change {
                Some(c) => Learnt::Changes(arns.into_iter().map(|a| (a, c.clone())).collect()),
                None => Learnt::Unreadable(arns),
            }
        }
        "RunInstances" => run_instances(call),
        _ => match EC2_CREATES.iter().find(|(n, _, _)| *n == name) {
            Some(&(_, id_key, kind)) => {
                let Some(holder) = holding(call.response(), id_key, 0) else { return Learnt::Nothing };
                let Some(id) = member(holder, &[id_key]).and_then(scalar) else { return Learnt::Nothing };
                let (tags, complete) = ec2_created_tags(call, kind, Some(holder), true);
                Learnt::Changes(vec![(ec2_arn(call, &id), Change::Created { tags, complete })])
            }
            // Another EC2 call naming tags (CreateFleet, CreateTransitGateway...): its
            // resources are not read, and are new.
            None => Learnt::Nothing,
        },
    }
}

/// The list of `items` (EC2's query shape) or `item` (EC2 records converted from XML), or a
/// list itself.
fn read_list<'j, 'a>(v: &'j Json<'a>) -> Option<Vec<&'j Json<'a>>> {
    match v {
        Json::Array(a) => Some(a.iter().collect()),
        Json::Object(_) => match member_nested(v, &["items", "item"]) {
            Some(Json::Array(a)) => Some(a.iter().collect()),
            Some(one @ Json::Object(_)) => Some(vec![one]),
            _ => Some(Vec::new()),
        },
        _ => None,
    }
}

/// The object holding `key`, searched breadth first a few levels down (the answers of the
/// calls converted from XML wrap it: CreateNatGatewayResponse.natGateway.natGatewayId).
fn holding<'j, 'a>(v: &'j Json<'a>, key: &str, depth: u8) -> Option<&'j Json<'a>> {
    let Json::Object(m) = v else { return None };
    if m.iter().any(|(k, x)| k.eq_ignore_ascii_case(key) && scalar(x).is_some()) {
        return Some(v);
    }
    if depth >= 3 {
        return None;
    }
    m.iter().filter(|(_, x)| matches!(x, Json::Object(_))).find_map(|(_, x)| holding(x, key, depth + 1))
}

/// The tag specifications of an EC2 request, by resource type: tagSpecificationSet.items[] of
/// resourceType and tags (EC2 API Reference, TagSpecification), or the XML-converted
/// `XRequest.TagSpecification` of ResourceType and Tag. `Err` when they are there but not
/// readable; an empty list when there are none.
fn tag_specs(params: &Json<'_>) -> Result<Vec<(String, Vec<Tag>)>, ()> {
    let names = &["tagSpecificationSet", "TagSpecification", "TagSpecifications"];
    let specs = member_nested(params, names).or_else(|| {
        let Json::Object(m) = params else { return None };
        // The XML-converted records wrap the request in one object (CreateNatGatewayRequest).
        m.iter().find(|(k, _)| k.ends_with("Request")).and_then(|(_, r)| member_nested(r, names))
    });
    let Some(specs) = specs else { return Ok(Vec::new()) };
    let list = match specs {
        Json::Object(_) if member(specs, &["resourceType"]).is_some() => vec![specs],
        _ => read_list(specs).ok_or(())?,
    };
    let mut out = Vec::new();
    for s in list {
        let kind = member(s, &["resourceType"]).and_then(scalar).ok_or(())?;
        let tags = match member_nested(s, &["tags", "Tags", "Tag", "tag"]) {
            // One tag, where the XML had one.
            Some(t @ Json::Object(_)) if member(t, KEY_NAMES).is_some() => {
                vec![tag_of(t).map(|(k, v)| (k, v.unwrap_or_default())).ok_or(())?]
            }
            Some(t) => read_tags(t).ok_or(())?,
            None => Vec::new(),
        };
        out.push((kind, tags));
    }
    Ok(out)
}

/// The tags an EC2 create gave a resource of type `kind`: those of its type's specifications
/// and those the answer shows on it (`holder`'s tagSet). Complete unless the specifications
/// could not be read or `complete` says otherwise.
fn ec2_created_tags(
    call: &Call<'_>,
    kind: &str,
    holder: Option<&Json<'_>>,
    complete: bool,
) -> (Vec<(String, String)>, bool) {
    let (mut tags, read) = match tag_specs(&call.params) {
        Ok(specs) => (
            specs.into_iter().filter(|(k, _)| k.eq_ignore_ascii_case(kind)).flat_map(|(_, t)| t).collect::<Vec<_>>(),
            true,
        ),
        Err(()) => (Vec::new(), false),
    };
    let mut complete = complete && read;
    if let Some(shown) = holder.and_then(|h| member_nested(h, &["tagSet"])) {
        match read_tags(shown) {
            // The answer's own tags win (they are what the resource got).
            Some(shown) => {
                tags.retain(|(k, _)| !shown.iter().any(|(s, _)| s == k));
                tags.extend(shown);
            }
            None => complete = false,
        }
    }
    (tags, complete)
}

/// RunInstances: the instances of the answer (instancesSet.items[].instanceId), with the tags
/// of the `instance` specifications; the network interfaces it made (those of the answer that
/// the request did not name) with the `network-interface` ones; the volumes the answer names
/// (it seldom does while the instance is pending) with the `volume` ones (EC2 API Reference,
/// RunInstances, TagSpecification.N). A launch template may hold tags of its own that the
/// event does not show (EC2 User Guide, "Launch templates"): the sets are then not complete.
fn run_instances(call: &Call<'_>) -> Learnt {
    let complete = member(&call.params, &["launchTemplate", "LaunchTemplate"]).is_none();
    let named_enis: Vec<String> = member(&call.params, &["networkInterfaceSet"])
        .and_then(read_list)
        .map(|l| l.iter().filter_map(|i| member(i, &["networkInterfaceId"]).and_then(scalar)).collect())
        .unwrap_or_default();
    let instances = member(call.response(), &["instancesSet"]).and_then(read_list).unwrap_or_default();
    let mut out = Vec::new();
    for inst in instances {
        let Some(id) = member(inst, &["instanceId"]).and_then(scalar) else { continue };
        let (tags, complete) = ec2_created_tags(call, "instance", Some(inst), complete);
        out.push((ec2_arn(call, &id), Change::Created { tags, complete }));
        let enis = member(inst, &["networkInterfaceSet"]).and_then(read_list).unwrap_or_default();
        for eni in enis {
            let Some(eid) = member(eni, &["networkInterfaceId"]).and_then(scalar) else { continue };
            if named_enis.contains(&eid) {
                continue;
            }
            let (tags, complete) = ec2_created_tags(call, "network-interface", Some(eni), complete);
            out.push((ec2_arn(call, &eid), Change::Created { tags, complete }));
        }
        let disks = member(inst, &["blockDeviceMapping"]).and_then(read_list).unwrap_or_default();
        for d in disks {
            let Some(vid) = d.get("ebs").and_then(|e| member(e, &["volumeId"])).and_then(scalar) else { continue };
            let (tags, complete) = ec2_created_tags(call, "volume", None, complete);
            out.push((ec2_arn(call, &vid), Change::Created { tags, complete }));
        }
    }
    Learnt::Changes(out)
}
