//! `ct-synth roles`: the policy-quality scenario (bench/README.md, "Policy quality").
//!
//! Three automation roles of account 111122223333 do their job every day for `--days` days
//! (default 8), with the churn real jobs have: new artefact versions, instance ids, change ids,
//! pull-request stacks. Each day is written as `days/day-N.ndjson` (CloudTrail events, one per
//! line, sorted by time), mixed with noise: refused calls, throttled retries, other principals.
//!
//! `judge.ndjson` is the ground truth. For every request a role made successfully on the last
//! day ("legit") and for a list of requests it must never be able to make ("never"), it lists
//! the authorization checks AWS performs, written from the Service Authorization Reference
//! (https://docs.aws.amazon.com/service-authorization/latest/reference/) and not from ct's own
//! mapping: one check per resource IAM authorizes, with the request context keys IAM has. A
//! request is allowed iff every check is. Some legit checks have no CloudTrail record of their
//! own (iam:PassRole, the ec2:CreateTags of a RunInstances with tags, logs:PutLogEvents): their
//! line says `"logged":false`, since a generator can only infer them.
//!
//! For the gate benchmark (bench/README.md, "Gate quality") it also writes, without changing
//! the files above: `attacks/ROLE.ndjson`, each never request of a role as the CloudTrail event
//! of that call made successfully (see `attacks.rs`), and `more/`, scenarios outside the
//! policy-quality figures (`deployer`), in the same layout (`more/days/`, `more/judge.ndjson`).

mod attacks;
mod build;
mod ci;
mod deployer;
mod pipeline;

use std::fs;
use std::path::Path;

use crate::json::{Json, arr, obj};
use crate::record::{Event, Identity, Session, Tls};
use crate::rng::Rng;
use crate::time;

pub const ACCT: &str = "111122223333";
pub const SYD: &str = "ap-southeast-2";
pub const USE1: &str = "us-east-1";
/// The first day of the scenario; day N is this date plus N-1.
const START: (i64, u32, u32) = (2024, 3, 1);

/// One authorization check: an action on a resource, with the request context.
#[derive(Clone, Debug)]
pub struct Check {
    pub action: String,
    pub resource: String,
    pub ctx: Vec<(String, Vec<String>)>,
}

/// A check in `region` (aws:RequestedRegion is in every request's context).
pub fn ck(action: &str, resource: &str, region: &str) -> Check {
    Check {
        action: action.into(),
        resource: resource.into(),
        ctx: vec![("aws:RequestedRegion".into(), vec![region.into()])],
    }
}

impl Check {
    /// Adds a context key with one value.
    pub fn c(mut self, k: &str, v: &str) -> Check {
        self.ctx.push((k.into(), vec![v.into()]));
        self
    }

    /// Adds a multi-valued context key.
    pub fn cs(mut self, k: &str, vs: &[&str]) -> Check {
        self.ctx.push((k.into(), vs.iter().map(|v| (*v).to_string()).collect()));
        self
    }

    /// The keys of a request made by CloudFormation with the caller's credentials (forward
    /// access sessions): https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-calledvia
    pub fn via_cfn(self) -> Check {
        self.cs("aws:CalledVia", &["cloudformation.amazonaws.com"])
            .c("aws:CalledViaFirst", "cloudformation.amazonaws.com")
            .c("aws:CalledViaLast", "cloudformation.amazonaws.com")
            .c("aws:ViaAWSService", "true")
    }

    /// Request tags of a create: aws:RequestTag/K for each tag and aws:TagKeys.
    pub fn req_tags(mut self, tags: &[(&str, &str)]) -> Check {
        for (k, v) in tags {
            self = self.c(&format!("aws:RequestTag/{k}"), v);
        }
        let keys: Vec<&str> = tags.iter().map(|(k, _)| *k).collect();
        self.cs("aws:TagKeys", &keys)
    }

    /// The tags an existing resource carries: aws:ResourceTag/K (and EC2's own ec2:ResourceTag/K).
    pub fn res_tags(mut self, tags: &[(&str, &str)], ec2: bool) -> Check {
        for (k, v) in tags {
            self = self.c(&format!("aws:ResourceTag/{k}"), v);
            if ec2 {
                self = self.c(&format!("ec2:ResourceTag/{k}"), v);
            }
        }
        self
    }
}

/// A role and how its callers look in records.
pub struct Role {
    pub name: &'static str,
    pub id: &'static str,
    pub session: String,
    pub key: String,
    pub ip: &'static str,
    pub ua: &'static str,
    pub created: i64,
}

impl Role {
    fn identity(&self, invoked_by: Option<&'static str>) -> Identity<'_> {
        Identity::AssumedRole {
            path: "",
            role: self.name,
            role_id: self.id,
            session_name: &self.session,
            access_key: &self.key,
            session: Session { created: self.created, mfa: false },
            invoked_by,
            ec2_role_delivery: None,
        }
    }
}

/// One API call to record.
#[derive(Default)]
pub struct Call {
    pub source: &'static str,
    pub name: &'static str,
    pub region: &'static str,
    pub req: Option<String>,
    pub resp: Option<String>,
    pub resources: Option<String>,
    pub extra: Option<String>,
    pub read_only: bool,
    pub data: bool,
    /// The service that made the call with the role's credentials (CloudFormation).
    pub via: Option<&'static str>,
    pub error: Option<(&'static str, String)>,
    pub api_version: Option<&'static str>,
}

pub fn call(source: &'static str, name: &'static str, region: &'static str) -> Call {
    Call { source, name, region, ..Call::default() }
}

impl Call {
    pub fn req(mut self, j: String) -> Call {
        self.req = Some(j);
        self
    }
    pub fn resp(mut self, j: String) -> Call {
        self.resp = Some(j);
        self
    }
    pub fn res(mut self, j: String) -> Call {
        self.resources = Some(j);
        self
    }
    pub fn ro(mut self) -> Call {
        self.read_only = true;
        self
    }
    pub fn data(mut self) -> Call {
        self.data = true;
        self
    }
    pub fn via(mut self, service: &'static str) -> Call {
        self.via = Some(service);
        self
    }
    pub fn err(mut self, code: &'static str, msg: impl Into<String>) -> Call {
        self.error = Some((code, msg.into()));
        self.resp = None;
        self
    }
    pub fn api(mut self, v: &'static str) -> Call {
        self.api_version = Some(v);
        self
    }
}

/// One day of the scenario being written.
pub struct Day {
    pub n: u32,
    /// 00:00 UTC of the day.
    pub midnight: i64,
    pub t: i64,
    pub rng: Rng,
    pub last: bool,
    events: Vec<(i64, String)>,
    judge: Vec<String>,
}

impl Day {
    /// `2024-03-08`
    pub fn date(&self) -> String {
        time::iso(self.midnight)[..10].to_string()
    }

    /// Sets the clock to `h:m` of the day plus up to `jitter` seconds.
    pub fn at(&mut self, h: u32, m: u32, jitter: i64) {
        self.t = self.midnight + i64::from(h * 3600 + m * 60) + self.rng.range(0, jitter);
    }

    /// Moves the clock on by `lo..=hi` seconds.
    pub fn tick(&mut self, lo: i64, hi: i64) {
        self.t += self.rng.range(lo, hi);
    }

    /// Records `c` made by `role`; on the last day a successful call is judged legit with
    /// `checks`.
    pub fn emit(&mut self, role: &Role, c: Call, what: &str, checks: Vec<Check>) {
        let ok = c.error.is_none();
        self.record(role.identity(c.via), role, &c);
        if self.last && ok {
            self.judge.push(judge_line(role.name, "legit", what, &checks, true));
        }
        self.tick(1, 4);
    }

    /// A request that CloudTrail does not record (iam:PassRole, the tag check of a create,
    /// logs:PutLogEvents) but that the job makes; judged on the last day.
    pub fn unlogged(&mut self, role: &Role, what: &str, checks: Vec<Check>) {
        if self.last {
            self.judge.push(judge_line(role.name, "legit", what, &checks, false));
        }
    }

    /// Records a call of another principal (noise: never judged).
    pub fn other(&mut self, id: Identity, ip: &'static str, ua: &'static str, c: &Call) {
        let r = Role { name: "", id: "", session: String::new(), key: String::new(), ip, ua, created: 0 };
        self.record(id, &r, c);
    }

    fn record(&mut self, identity: Identity, role: &Role, c: &Call) {
        let svc = c.source.trim_end_matches(".amazonaws.com");
        let request_id = if svc == "s3" { self.rng.upper_hex(16) } else { self.rng.guid() };
        // Calls made by a service on the caller's behalf show the service as address and
        // agent, and carry no TLS details of their own.
        let (ip, ua) = match c.via {
            Some(s) => (s, s),
            None => (role.ip, role.ua),
        };
        let host = match svc {
            "route53" | "iam" => format!("{svc}.amazonaws.com"),
            "s3" => {
                let b = c.req.as_deref().and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok());
                let bucket = b.as_ref().and_then(|v| v["bucketName"].as_str().map(str::to_string)).unwrap_or_default();
                format!("{bucket}.s3.{}.amazonaws.com", c.region)
            }
            _ => format!("{svc}.{}.amazonaws.com", c.region),
        };
        let msg = c.error.as_ref().map(|(_, m)| m.clone());
        let mut ev = Event {
            version: "1.09",
            identity,
            time: self.t,
            source: c.source,
            name: c.name,
            region: c.region,
            ip,
            ua: Some(ua),
            error_code: c.error.as_ref().map(|(code, _)| *code),
            error_message: msg,
            req: c.req.clone(),
            resp: c.resp.clone(),
            extra: c.extra.clone(),
            request_id: Some(request_id),
            event_id: self.rng.guid(),
            read_only: Some(c.read_only),
            resources: c.resources.clone(),
            api_version: c.api_version,
            account: ACCT,
            tls: c.via.is_none().then_some(Tls { version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", host }),
            ..Event::default()
        };
        if c.data {
            ev.data();
        }
        self.events.push((self.t, ev.to_json()));
    }
}

/// A `judge.ndjson` line.
pub fn judge_line(role: &str, kind: &str, what: &str, checks: &[Check], logged: bool) -> String {
    obj(|j| {
        j.s("role", role).s("kind", kind).s("what", what);
        if !logged {
            j.b("logged", false);
        }
        j.a("checks", |j| {
            for c in checks {
                j.io(|j| {
                    j.s("action", &c.action).s("resource", &c.resource).o("context", |j| {
                        for (k, vs) in &c.ctx {
                            j.a(k, |j| {
                                for v in vs {
                                    j.is(v);
                                }
                            });
                        }
                    });
                });
            }
        });
    })
}

/// What a job must never be able to do: `(what, checks)`, judged "never".
pub type Never = Vec<(String, Vec<Check>)>;

/// `resources` entries of one type: CloudTrail's `[{"accountId","type","ARN"}]`.
pub fn res1(ty: &str, arn: &str) -> String {
    arr(|j| {
        j.io(|j| {
            j.s("accountId", ACCT).s("type", ty).s("ARN", arn);
        });
    })
}

/// `{"items":[{"K":v}, ...]}` as EC2 writes its lists.
pub fn items(j: &mut Json, key: &str, field: &str, vals: &[&str]) {
    j.o(key, |j| {
        j.a("items", |j| {
            for v in vals {
                j.io(|j| {
                    j.s(field, v);
                });
            }
        });
    });
}

pub struct Written {
    pub events: usize,
    pub legit: usize,
    pub never: usize,
    pub attacks: usize,
}

/// Writes the day files under `dir/days/` and `dir/judge.ndjson`; returns the events written.
fn write_days(dir: &Path, days_text: &[String], judge: &[String]) -> Result<usize, String> {
    let days = dir.join("days");
    fs::create_dir_all(&days).map_err(|e| format!("{}: {e}", days.display()))?;
    let mut events = 0;
    for (i, text) in days_text.iter().enumerate() {
        let p = days.join(format!("day-{}.ndjson", i + 1));
        events += text.lines().count();
        fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    let p = dir.join("judge.ndjson");
    fs::write(&p, judge.join("\n") + "\n").map_err(|e| format!("{}: {e}", p.display()))?;
    Ok(events)
}

/// Writes the scenario into `out` (days/ and judge.ndjson), the attack events (attacks/) and
/// the other scenarios (more/).
pub fn run(out: &Path, seed: u64, days: u32) -> Result<Written, String> {
    let (days_text, judge) = generate(seed, days);
    let mut events = write_days(out, &days_text, &judge)?;
    let legit = judge.iter().filter(|l| l.contains(r#""kind":"legit""#)).count();
    let written = Written { events, legit, never: judge.len() - legit, attacks: 0 };
    let (more_text, more_judge) = generate_more(seed, days);
    events += write_days(&out.join("more"), &more_text, &more_judge)?;
    let dir = out.join("attacks");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut n = 0;
    for (role, list) in attacks::generate(seed, days) {
        let (mut evs, mut whats) = (String::new(), String::new());
        for (what, line) in list {
            evs.push_str(&line);
            evs.push('\n');
            whats.push_str(&what);
            whats.push('\n');
            n += 1;
        }
        for (ext, text) in [("ndjson", evs), ("what", whats)] {
            let p = dir.join(format!("{role}.{ext}"));
            fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
        }
    }
    Ok(Written { events, attacks: n, ..written })
}

/// The other scenarios' day files and judge lines (`more/`): each day's stream is forked
/// from the seed apart from the main scenario's, which they leave as it was.
pub fn generate_more(seed: u64, days: u32) -> (Vec<String>, Vec<String>) {
    const MORE: u64 = 0x4D4F_5245_0000;
    let root = Rng::new(seed);
    let mut state = deployer::State::default();
    let mut texts = Vec::new();
    let mut judge = Vec::new();
    let first = time::unix(START.0, START.1, START.2, 0, 0, 0);
    for n in 1..=days {
        let midnight = first + i64::from(n - 1) * 86_400;
        let mut d = Day {
            n,
            midnight,
            t: midnight,
            rng: root.fork(MORE + u64::from(n)),
            last: n == days,
            events: Vec::new(),
            judge: Vec::new(),
        };
        deployer::day(&mut d, &mut state);
        d.events.sort_by_key(|(t, _)| *t);
        let mut text = String::new();
        for (_, e) in &d.events {
            text.push_str(e);
            text.push('\n');
        }
        texts.push(text);
        judge.extend(d.judge);
    }
    for (what, checks) in deployer::never() {
        judge.push(judge_line("deployer", "never", &what, &checks, true));
    }
    (texts, judge)
}

/// The day files' text and the judge lines, for a seed.
pub fn generate(seed: u64, days: u32) -> (Vec<String>, Vec<String>) {
    let root = Rng::new(seed);
    let mut state = (build::State::default(), pipeline::State::default(), ci::State::default());
    let mut texts = Vec::new();
    let mut judge = Vec::new();
    let first = time::unix(START.0, START.1, START.2, 0, 0, 0);
    for n in 1..=days {
        let midnight = first + i64::from(n - 1) * 86_400;
        let mut d = Day {
            n,
            midnight,
            t: midnight,
            rng: root.fork(u64::from(n)),
            last: n == days,
            events: Vec::new(),
            judge: Vec::new(),
        };
        build::day(&mut d, &mut state.0);
        pipeline::day(&mut d, &mut state.1);
        ci::day(&mut d, &mut state.2);
        others(&mut d);
        d.events.sort_by_key(|(t, _)| *t);
        let mut text = String::new();
        for (_, e) in &d.events {
            text.push_str(e);
            text.push('\n');
        }
        texts.push(text);
        judge.extend(d.judge);
    }
    for (role, list) in
        [("build-agent", build::never()), ("data-pipeline", pipeline::never()), ("ci-role", ci::never())]
    {
        for (what, checks) in list {
            judge.push(judge_line(role, "never", &what, &checks, true));
        }
    }
    (texts, judge)
}

/// Other principals in the same files: a person looking around, the web servers' own role.
fn others(d: &mut Day) {
    let alice = Identity::IamUser {
        name: "alice",
        principal_id: "AIDAJQ4LICE7K2M5XW3PA",
        access_key: Some("AKIAJ7QALICE2XK5M3PW"),
        session: None,
        invoked_by: None,
    };
    let ua = "aws-cli/2.15.30 Python/3.11.8 Darwin/23.3.0 exe/x86_64 prompt/off command/ec2.describe-instances";
    for _ in 0..d.rng.range(2, 5) {
        d.at(9, 0, 8 * 3600);
        let c = call("ec2.amazonaws.com", "DescribeInstances", SYD)
            .req(obj(|j| {
                j.o("instancesSet", |_| {}).o("filterSet", |_| {});
            }))
            .ro();
        d.other(alice.clone(), "203.0.113.24", ua, &c);
    }
    d.at(10, 0, 3600);
    let key = format!("builds/2.3.{}/app-2.3.{}.tar.gz", 40 + d.n - 1, 40 + d.n - 1);
    let c = call("s3.amazonaws.com", "GetObject", SYD)
        .req(crate::record::s3_object_params("acme-artifacts", &key, SYD, false))
        .res(crate::record::s3_object_resources("acme-artifacts", &key, ACCT))
        .ro()
        .data();
    d.other(alice, "203.0.113.24", ua, &c);
    // The web servers' instance role reads the same parameter as build-agent.
    let web = Identity::AssumedRole {
        path: "",
        role: "web-app-profile",
        role_id: "AROAWE6BAPP2Q9W4X7ZKM",
        session_name: "i-0a1b2c3d4e5f60718",
        access_key: "ASIAWE6BAPPKEY2Q9W4X",
        session: Session { created: d.midnight, mfa: false },
        invoked_by: None,
        ec2_role_delivery: Some("2.0"),
    };
    for h in [6, 12, 18] {
        d.at(h, 0, 600);
        let c = call("ssm.amazonaws.com", "GetParameter", SYD)
            .req(obj(|j| {
                j.s("name", "/webapp/prod/db-url");
            }))
            .ro();
        d.other(web.clone(), "10.0.1.23", "aws-sdk-java/2.25.11 Linux/6.1 OpenJDK_64-Bit_Server_VM/17", &c);
    }
}

#[cfg(test)]
mod tests;
