//! What the mapping needs to know of one action (its resource types with their templates and
//! request keys, the condition keys it reads), worked out from the catalog once per action and
//! kept here, by the action's number in the catalog: the catalog knows nothing of plans.

use std::sync::{LazyLock, OnceLock};

use super::request::{Needle, needle};
use crate::arn;
use crate::catalog::{Action, Catalog};
use ct_common::glob::Glob;
use smallvec::SmallVec;

/// What the mapping needs to know of one action, worked out from the catalog once per action
/// (on its first use) rather than once per event.
#[derive(Debug, Clone)]
pub(super) struct ActionPlan {
    /// The action's resource types that the catalog describes, in the catalog's order (most
    /// actions have one).
    pub(super) types: SmallVec<[TypePlan; 1]>,
    /// The service condition keys of `CONTEXT_PARAMS` that apply to the action.
    pub(super) simple: Vec<(&'static str, &'static str)>,
    /// The catalog lists resource types for the action (described or not).
    pub(super) takes_resources: bool,
    /// ec2:InstanceProfile applies to the action (RunInstances and the other calls on
    /// instances).
    pub(super) instance_profile: bool,
    /// The keys that `request_keys` reads that apply to the action (its `KEYS_*` bits).
    pub(super) request_keys: u8,
    /// `Use::id`.
    pub(super) id: u32,
}

#[derive(Debug, Clone)]
pub(super) struct TypePlan {
    /// The resource type's name, ARN template and its pattern, copied out of the catalog's
    /// entry (each event reads them; reaching the entry first was a cache miss).
    pub(super) name: &'static str,
    pub(super) arn: &'static str,
    pub(super) glob: &'static Glob,
    pub(super) required: bool,
    /// The template's variables that a request parameter names, and that parameter's name
    /// (Partition, Region and Account come from the event).
    pub(super) vars: SmallVec<[(&'static str, Needle); 2]>,
    /// The parameter that may hold the whole ARN: the last variable's name.
    pub(super) whole: Option<Needle>,
    /// Another such parameter: the type's name followed by `Arn` (`targetGroupArn` for the
    /// type `targetgroup`), the way most APIs name a resource given by its ARN.
    pub(super) named_arn: Option<Needle>,
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

impl ActionPlan {
    /// The plan of an action of the embedded catalog (the only one the mapping reads), worked
    /// out on its first use.
    pub(super) fn of(action: &'static Action) -> &'static ActionPlan {
        /// The plans by the action's number, each made on its action's first use (boxed: most
        /// actions never need one, and the catalog holds thousands).
        static PLANS: LazyLock<Box<[OnceLock<Box<ActionPlan>>]>> =
            LazyLock::new(|| (0..Catalog::get().action_numbers()).map(|_| OnceLock::new()).collect());
        match PLANS.get(action.number()) {
            Some(plan) => plan.get_or_init(|| Box::new(ActionPlan::new(action))),
            // Never: the embedded catalog numbers its actions below its bound. A plan made
            // anew and kept rather than a panic.
            None => Box::leak(Box::new(ActionPlan::new(action))),
        }
    }

    fn new(action: &Action) -> ActionPlan {
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
        ActionPlan {
            types,
            simple,
            takes_resources: !action.resources.is_empty(),
            instance_profile: action.prefix == "ec2" && catalog.key_applies(action, "ec2:InstanceProfile"),
            request_keys: request_keys_of(action),
            id,
        }
    }
}

/// `request_keys`: ecs:task-definition.
pub(super) const KEYS_ECS_TASK_DEFINITION: u8 = 1;
/// `request_keys`: kms:EncryptionContext:${EncryptionContextKey} and kms:EncryptionContextKeys.
pub(super) const KEYS_KMS_CONTEXT: u8 = 2;
/// `request_keys`: route53:ChangeResourceRecordSetsActions, ...NormalizedRecordNames and
/// ...RecordTypes.
pub(super) const KEYS_ROUTE53_CHANGES: u8 = 4;

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
