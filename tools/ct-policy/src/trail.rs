//! What the whole trail shows that one principal's own calls do not: the role inside each
//! instance profile the principal launched with, and the stack of each change set.
//!
//! A launch names only the instance profile (`iamInstanceProfile`), so the role it passes is not
//! in the principal's calls. The trail shows it two ways (IAM User Guide, "Use an IAM role to
//! grant permissions to applications running on Amazon EC2 instances"): the profile's own
//! history (`AddRoleToInstanceProfile` names the profile and the role), and EC2 taking the
//! role's credentials for each new instance (`sts:AssumeRole` by `ec2.amazonaws.com`, the
//! instance ID as session name), joined with the launch's answer, which pairs each instance ID
//! with its profile's ARN.
//!
//! A change set named by its ARN (`changeSet/NAME/ID`) does not name its stack, on which
//! DescribeChangeSet, ExecuteChangeSet and DeleteChangeSet are authorised (Service Authorization
//! Reference, AWS CloudFormation); the CreateChangeSet that made it answers with both (`id` and
//! `stackId`, CloudFormation API Reference, CreateChangeSet).

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::PathBuf;

use ct_common::input::{self, Flow, Lines, Sink};
use ct_common::report::Reporter;
use ct_iam::Event;
use serde_json::Value;

/// Instance profiles and their roles, keyed by (account, profile name); change sets and their
/// stacks.
#[derive(Debug, Default)]
pub struct Facts {
    /// From AddRoleToInstanceProfile: role ARNs by profile.
    added: BTreeMap<(String, String), BTreeSet<String>>,
    /// From launches: the profile of each instance.
    launched: BTreeMap<String, (String, String)>,
    /// From EC2's AssumeRole: the role of each instance.
    assumed: BTreeMap<String, String>,
    /// From CreateChangeSet: the stack ARN of each change set ARN.
    change_sets: BTreeMap<String, String>,
}

/// The account and name of a profile ARN (`arn:aws:iam::111122223333:instance-profile/path/name`).
pub fn profile_key(arn: &str) -> Option<(String, String)> {
    let account = ct_iam::arn::account(arn)?;
    let name = arn.split_once(":instance-profile/")?.1.rsplit('/').next()?;
    Some((account.to_string(), name.to_string()))
}

impl Facts {
    /// Reads the events of `paths`; bad input is reported and skipped (under `--strict`,
    /// it ends the reading).
    pub fn read(paths: &[PathBuf], report: &mut Reporter) -> io::Result<Facts> {
        let mut learn = Learn(Facts::default());
        input::run(paths, 1, &mut learn, report)?;
        Ok(learn.0)
    }

    /// The stack ARN of the change set `arn`, when the trail holds the call that made it.
    pub fn stack_of_change_set(&self, arn: &str) -> Option<&str> {
        self.change_sets.get(arn).map(String::as_str)
    }

    /// The roles of the profile `arn`, or `None` when the trail does not show them.
    pub fn roles(&self, arn: &str) -> Option<BTreeSet<String>> {
        let key = profile_key(arn)?;
        let mut out: BTreeSet<String> = self.added.get(&key).cloned().unwrap_or_default();
        for (instance, profile) in &self.launched {
            if *profile == key
                && let Some(role) = self.assumed.get(instance)
            {
                out.insert(role.clone());
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// Learns what `ev` shows, if anything.
    pub fn learn(&mut self, ev: &Event<'_>) {
        let parse = |raw: Option<&str>| raw.and_then(|t| serde_json::from_str::<Value>(t).ok());
        let account = ev.account().unwrap_or_default().to_string();
        match ev.event_name.as_deref() {
            Some("AddRoleToInstanceProfile") if ev.error_code.is_none() => {
                let Some(req) = parse(ev.request_parameters) else { return };
                if let (Some(profile), Some(role)) = (req["instanceProfileName"].as_str(), req["roleName"].as_str()) {
                    let role = format!("arn:{}:iam::{account}:role/{role}", ev.partition());
                    self.added.entry((account.clone(), profile.to_string())).or_default().insert(role);
                }
            }
            Some("RunInstances") if ev.error_code.is_none() => {
                let Some(resp) = parse(ev.response_elements) else { return };
                for item in resp["instancesSet"]["items"].as_array().into_iter().flatten() {
                    let profile = item["iamInstanceProfile"]["arn"].as_str().and_then(profile_key);
                    if let (Some(id), Some(profile)) = (item["instanceId"].as_str(), profile) {
                        self.launched.insert(id.to_string(), profile);
                    }
                }
            }
            Some("CreateChangeSet") if ev.error_code.is_none() => {
                let Some(resp) = parse(ev.response_elements) else { return };
                if let (Some(id), Some(stack)) = (resp["id"].as_str(), resp["stackId"].as_str()) {
                    self.change_sets.insert(id.to_string(), stack.to_string());
                }
            }
            Some("AssumeRole") if ev.error_code.is_none() => {
                let by_ec2 = ev.user_identity.as_ref().is_some_and(|i| {
                    i.kind.as_deref() == Some("AWSService") && i.invoked_by.as_deref() == Some("ec2.amazonaws.com")
                });
                if !by_ec2 {
                    return;
                }
                let Some(req) = parse(ev.request_parameters) else { return };
                if let (Some(role), Some(session)) = (req["roleArn"].as_str(), req["roleSessionName"].as_str())
                    && session.starts_with("i-")
                {
                    self.assumed.insert(session.to_string(), role.to_string());
                }
            }
            _ => {}
        }
    }
}

/// The event names `Facts::learn` reads.
pub fn teaches(name: &str) -> bool {
    matches!(name, "AddRoleToInstanceProfile" | "RunInstances" | "AssumeRole" | "CreateChangeSet")
}

/// The sink that learns the facts.
struct Learn(Facts);

impl Sink for Learn {
    const LINES: Lines = Lines::Never;

    fn event(&mut self, json: &[u8], report: &mut Reporter) -> io::Result<Flow> {
        // Only the few events that can tell, recognised by name before any parsing.
        let name = ct_common::event::top_level_str(json, "eventName");
        if !name.as_deref().is_some_and(teaches) {
            return Ok(Flow::Continue);
        }
        Ok(match Event::parse(json) {
            Ok(ev) => {
                self.0.learn(&ev);
                Flow::Continue
            }
            Err(e) => report.error(&"--trail", &format_args!("not a CloudTrail event: {e}")),
        })
    }
}

/// Feeds the events of `paths` (the whole trail) to a tag tracker, so that the gate knows the
/// tags other principals set on the resources it judges; bad input is reported and skipped.
pub fn learn_tags(paths: &[PathBuf], report: &mut Reporter, tracker: &mut crate::tags::Tracker) -> io::Result<()> {
    struct Tagging<'a>(&'a mut crate::tags::Tracker);
    impl Sink for Tagging<'_> {
        const LINES: Lines = Lines::Never;

        fn event(&mut self, json: &[u8], report: &mut Reporter) -> io::Result<Flow> {
            Ok(match Event::parse(json) {
                Ok(ev) => {
                    if let ct_iam::Mapping::Actions(uses) = ct_iam::map(&ev) {
                        self.0.observe(&ev, &uses);
                    }
                    Flow::Continue
                }
                Err(e) => report.error(&"--trail", &format_args!("not a CloudTrail event: {e}")),
            })
        }
    }
    if paths.is_empty() {
        // No trail: expanding nothing would read standard input, which is the gate's.
        return Ok(());
    }
    input::run(paths, 1, &mut Tagging(tracker), report)?;
    Ok(())
}
