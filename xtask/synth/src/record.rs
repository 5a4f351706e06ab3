//! One CloudTrail record: its fields, and how CloudTrail serialises them.
//!
//! Both generators (the story-driven sample and the statistical bench tree) fill an [`Event`]
//! and call [`Event::write`], so the two outputs share one notion of field order, identity
//! shapes and escaping. Shape helpers for the bulky, recognisable payloads (STS credentials,
//! RunInstances, S3 data-event extras) live here too for the same reason.

use crate::json::{Json, arr, obj};
use crate::rng::Rng;
use crate::time;

/// Session attributes of temporary credentials (`sessionContext.attributes`).
#[derive(Clone, Copy, Debug)]
pub struct Session {
    pub created: i64,
    pub mfa: bool,
}

/// `userIdentity`, in the shapes CloudTrail writes (AWS CloudTrail User Guide, "CloudTrail
/// userIdentity element").
#[derive(Clone, Debug)]
pub enum Identity<'a> {
    IamUser {
        name: &'a str,
        principal_id: &'a str,
        access_key: Option<&'a str>,
        /// Console (temporary) credentials carry session attributes.
        session: Option<Session>,
        invoked_by: Option<&'a str>,
    },
    Root {
        access_key: Option<&'a str>,
        session: Option<Session>,
    },
    AssumedRole {
        /// Role path including trailing `/`, `""` for most roles.
        path: &'a str,
        role: &'a str,
        role_id: &'a str,
        session_name: &'a str,
        access_key: &'a str,
        session: Session,
        invoked_by: Option<&'a str>,
        ec2_role_delivery: Option<&'a str>,
    },
    FederatedUser {
        name: &'a str,
        issuer_user: &'a str,
        issuer_id: &'a str,
        access_key: &'a str,
        session: Session,
    },
    /// `{"type":"AWSService","invokedBy":…}`
    AwsService {
        invoked_by: &'a str,
    },
    /// Service events often omit `type`: `{"accountId":…,"invokedBy":…}`.
    ServiceUntyped {
        invoked_by: &'a str,
    },
    /// Another account using a resource of ours.
    AwsAccount {
        principal_id: &'a str,
        account_id: &'a str,
        invoked_by: Option<&'a str>,
    },
}

impl Identity<'_> {
    /// The caller ARN as it appears in authorization error messages.
    pub fn arn(&self, account: &str) -> String {
        match self {
            Identity::IamUser { name, .. } => format!("arn:aws:iam::{account}:user/{name}"),
            Identity::Root { .. } => format!("arn:aws:iam::{account}:root"),
            Identity::AssumedRole { role, session_name, .. } => {
                format!("arn:aws:sts::{account}:assumed-role/{role}/{session_name}")
            }
            Identity::FederatedUser { name, .. } => {
                format!("arn:aws:sts::{account}:federated-user/{name}")
            }
            Identity::AwsService { invoked_by } | Identity::ServiceUntyped { invoked_by } => (*invoked_by).to_string(),
            Identity::AwsAccount { account_id, .. } => format!("arn:aws:iam::{account_id}:root"),
        }
    }

    fn write(&self, j: &mut Json, account: &str, legacy: bool) {
        // `legacy` = eventVersion before 1.08: attributes were written mfaAuthenticated first
        // and sessionContext had no webIdFederationData.
        let attrs = |j: &mut Json, s: &Session| {
            j.o("attributes", |j| {
                let mfa = if s.mfa { "true" } else { "false" };
                if legacy {
                    j.s("mfaAuthenticated", mfa).s("creationDate", &time::iso(s.created));
                } else {
                    j.s("creationDate", &time::iso(s.created)).s("mfaAuthenticated", mfa);
                }
            });
        };
        match self {
            Identity::IamUser { name, principal_id, access_key, session, invoked_by } => {
                j.s("type", "IAMUser")
                    .s("principalId", principal_id)
                    .s("arn", &format!("arn:aws:iam::{account}:user/{name}"))
                    .s("accountId", account);
                if let Some(k) = access_key {
                    j.s("accessKeyId", k);
                }
                j.s("userName", name);
                if let Some(s) = session {
                    j.o("sessionContext", |j| {
                        if !legacy {
                            j.o("sessionIssuer", |_| {}).o("webIdFederationData", |_| {});
                        }
                        attrs(j, s);
                    });
                }
                if let Some(by) = invoked_by {
                    j.s("invokedBy", by);
                }
            }
            Identity::Root { access_key, session } => {
                j.s("type", "Root")
                    .s("principalId", account)
                    .s("arn", &format!("arn:aws:iam::{account}:root"))
                    .s("accountId", account);
                if let Some(k) = access_key {
                    j.s("accessKeyId", k);
                }
                if let Some(s) = session {
                    j.o("sessionContext", |j| {
                        if !legacy {
                            j.o("sessionIssuer", |_| {}).o("webIdFederationData", |_| {});
                        }
                        attrs(j, s);
                    });
                }
            }
            Identity::AssumedRole {
                path,
                role,
                role_id,
                session_name,
                access_key,
                session,
                invoked_by,
                ec2_role_delivery,
            } => {
                j.s("type", "AssumedRole")
                    .s("principalId", &format!("{role_id}:{session_name}"))
                    .s("arn", &format!("arn:aws:sts::{account}:assumed-role/{role}/{session_name}"))
                    .s("accountId", account)
                    .s("accessKeyId", access_key);
                j.o("sessionContext", |j| {
                    if legacy {
                        attrs(j, session);
                    }
                    j.o("sessionIssuer", |j| {
                        j.s("type", "Role")
                            .s("principalId", role_id)
                            .s("arn", &format!("arn:aws:iam::{account}:role/{path}{role}"))
                            .s("accountId", account)
                            .s("userName", role);
                    });
                    if !legacy {
                        j.o("webIdFederationData", |_| {});
                        attrs(j, session);
                    }
                    if let Some(d) = ec2_role_delivery {
                        j.s("ec2RoleDelivery", d);
                    }
                });
                if let Some(by) = invoked_by {
                    j.s("invokedBy", by);
                }
            }
            Identity::FederatedUser { name, issuer_user, issuer_id, access_key, session } => {
                j.s("type", "FederatedUser")
                    .s("principalId", &format!("{account}:{name}"))
                    .s("arn", &format!("arn:aws:sts::{account}:federated-user/{name}"))
                    .s("accountId", account)
                    .s("accessKeyId", access_key);
                j.o("sessionContext", |j| {
                    j.o("sessionIssuer", |j| {
                        j.s("type", "IAMUser")
                            .s("principalId", issuer_id)
                            .s("arn", &format!("arn:aws:iam::{account}:user/{issuer_user}"))
                            .s("accountId", account)
                            .s("userName", issuer_user);
                    });
                    if !legacy {
                        j.o("webIdFederationData", |_| {});
                    }
                    attrs(j, session);
                });
            }
            Identity::AwsService { invoked_by } => {
                j.s("type", "AWSService").s("invokedBy", invoked_by);
            }
            Identity::ServiceUntyped { invoked_by } => {
                j.s("accountId", account).s("invokedBy", invoked_by);
            }
            Identity::AwsAccount { principal_id, account_id, invoked_by } => {
                j.s("type", "AWSAccount").s("principalId", principal_id).s("accountId", account_id);
                if let Some(by) = invoked_by {
                    j.s("invokedBy", by);
                }
            }
        }
    }
}

/// `tlsDetails` (eventVersion 1.08+).
#[derive(Clone, Debug)]
pub struct Tls<'a> {
    pub version: &'a str,
    pub cipher: &'a str,
    pub host: String,
}

/// One CloudTrail record. Raw-JSON fields (`req`, `resp`, …) hold compact JSON text built with
/// [`crate::json`]; `None` is written as `null` (or omitted, for optional fields).
#[derive(Clone, Debug)]
pub struct Event<'a> {
    pub version: &'a str,
    pub identity: Identity<'a>,
    pub time: i64,
    pub source: &'a str,
    pub name: &'a str,
    pub region: &'a str,
    pub ip: &'a str,
    pub ua: Option<&'a str>,
    pub error_code: Option<&'a str>,
    pub error_message: Option<String>,
    pub req: Option<String>,
    pub resp: Option<String>,
    pub extra: Option<String>,
    pub request_id: Option<String>,
    pub event_id: String,
    pub read_only: Option<bool>,
    pub resources: Option<String>,
    pub event_type: &'a str,
    pub api_version: Option<&'a str>,
    pub management: Option<bool>,
    pub account: &'a str,
    pub shared_event_id: Option<String>,
    pub vpce: Option<&'a str>,
    pub service_details: Option<String>,
    pub category: Option<&'a str>,
    pub tls: Option<Tls<'a>>,
    pub console_cred: bool,
}

impl Default for Event<'_> {
    fn default() -> Self {
        Event {
            version: "1.08",
            identity: Identity::AwsService { invoked_by: "" },
            time: 0,
            source: "",
            name: "",
            region: "",
            ip: "",
            ua: None,
            error_code: None,
            error_message: None,
            req: None,
            resp: None,
            extra: None,
            request_id: None,
            event_id: String::new(),
            read_only: None,
            resources: None,
            event_type: "AwsApiCall",
            api_version: None,
            management: Some(true),
            account: "",
            shared_event_id: None,
            vpce: None,
            service_details: None,
            category: Some("Management"),
            tls: None,
            console_cred: false,
        }
    }
}

impl Event<'_> {
    /// Marks the record as a data event (eventCategory Data, managementEvent false).
    pub fn data(&mut self) {
        self.management = Some(false);
        self.category = Some("Data");
    }

    /// Appends the record as compact JSON, keys in CloudTrail's order.
    pub fn write(&self, out: &mut String) {
        let legacy = self.version < "1.08";
        Json::new(out).object(|j| {
            j.s("eventVersion", self.version);
            j.o("userIdentity", |j| self.identity.write(j, self.account, legacy));
            j.s("eventTime", &time::iso(self.time))
                .s("eventSource", self.source)
                .s("eventName", self.name)
                .s("awsRegion", self.region)
                .s("sourceIPAddress", self.ip);
            if let Some(ua) = self.ua {
                j.s("userAgent", ua);
            }
            if let Some(c) = self.error_code {
                j.s("errorCode", c);
            }
            if let Some(m) = &self.error_message {
                j.s("errorMessage", m);
            }
            j.oraw("requestParameters", self.req.as_deref()).oraw("responseElements", self.resp.as_deref());
            if let Some(x) = &self.extra {
                j.raw("additionalEventData", x);
            }
            if let Some(r) = &self.request_id {
                j.s("requestID", r);
            }
            j.s("eventID", &self.event_id);
            if let Some(ro) = self.read_only {
                j.b("readOnly", ro);
            }
            if let Some(r) = &self.resources {
                j.raw("resources", r);
            }
            j.s("eventType", self.event_type);
            if let Some(v) = self.api_version {
                j.s("apiVersion", v);
            }
            if let Some(m) = self.management {
                j.b("managementEvent", m);
            }
            j.s("recipientAccountId", self.account);
            if let Some(s) = &self.shared_event_id {
                j.s("sharedEventID", s);
            }
            if let Some(v) = self.vpce {
                j.s("vpcEndpointId", v);
            }
            if let Some(d) = &self.service_details {
                j.raw("serviceEventDetails", d);
            }
            if let Some(c) = self.category {
                j.s("eventCategory", c);
            }
            if let Some(t) = &self.tls {
                j.o("tlsDetails", |j| {
                    j.s("tlsVersion", t.version).s("cipherSuite", t.cipher).s("clientProvidedHostHeader", &t.host);
                });
            }
            if self.console_cred {
                j.s("sessionCredentialFromConsole", "true");
            }
        });
    }

    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(1500);
        self.write(&mut s);
        s
    }
}

// ---------------------------------------------------------------------------------------
// Shared payload shapes.

/// `resources` array from `(type, ARN, accountId)` triples.
pub fn resources(items: &[(&str, &str, Option<&str>)]) -> String {
    arr(|j| {
        for (ty, arn, acct) in items {
            j.io(|j| {
                if let Some(a) = acct {
                    j.s("accountId", a);
                }
                j.s("type", ty).s("ARN", arn);
            });
        }
    })
}

/// The data-event resources CloudTrail writes for an S3 object operation.
pub fn s3_object_resources(bucket: &str, key: &str, account: &str) -> String {
    resources(&[
        ("AWS::S3::Object", &format!("arn:aws:s3:::{bucket}/{key}"), None),
        ("AWS::S3::Bucket", &format!("arn:aws:s3:::{bucket}"), Some(account)),
    ])
}

/// `requestParameters` of an S3 object call.
pub fn s3_object_params(bucket: &str, key: &str, region: &str, legacy: bool) -> String {
    obj(|j| {
        j.s("bucketName", bucket);
        if legacy {
            j.s("key", key);
        } else {
            j.s("Host", &format!("{bucket}.s3.{region}.amazonaws.com")).s("key", key);
        }
    })
}

/// `additionalEventData` of an S3 data event (signature details, byte counts, request id 2).
pub fn s3_extra(rng: &mut Rng, bytes_in: i64, bytes_out: i64, legacy: bool) -> String {
    obj(|j| {
        if legacy {
            j.s("x-amz-id-2", &rng.base64(76));
        } else {
            j.s("SignatureVersion", "SigV4")
                .s("CipherSuite", "ECDHE-RSA-AES128-GCM-SHA256")
                .n("bytesTransferredIn", bytes_in)
                .s("AuthenticationMethod", "AuthHeader")
                .s("x-amz-id-2", &rng.base64(76))
                .n("bytesTransferredOut", bytes_out);
        }
    })
}

/// A synthetic STS session token of `len` base64 characters.
pub fn session_token(rng: &mut Rng, len: usize, legacy: bool) -> String {
    // Real tokens start with a fixed, versioned prefix; the rest is opaque.
    let prefix = if legacy { "FQoDYXdzE" } else { "IQoJb3JpZ2luX2Vj" };
    let mut s = String::with_capacity(len);
    s.push_str(prefix);
    s.push_str(&rng.base64(len.saturating_sub(prefix.len())));
    s
}

/// What `AssumeRole` returns: credentials (with the long session token) and the assumed role.
pub struct AssumeRoleOut<'a> {
    pub access_key: &'a str,
    pub token_len: usize,
    pub expiration: i64,
    pub role_id: &'a str,
    pub session_arn: &'a str,
    pub session_name: &'a str,
}

pub fn assume_role_response(rng: &mut Rng, o: &AssumeRoleOut, legacy: bool) -> String {
    obj(|j| {
        j.o("credentials", |j| {
            j.s("accessKeyId", o.access_key)
                .s("sessionToken", &session_token(rng, o.token_len, legacy))
                .s("expiration", &time::java_date(o.expiration));
        })
        .o("assumedRoleUser", |j| {
            j.s("assumedRoleId", &format!("{}:{}", o.role_id, o.session_name)).s("arn", o.session_arn);
        });
    })
}

/// Everything RunInstances needs to describe its instances.
pub struct RunSpec<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub instance_type: &'a str,
    pub count: usize,
    pub ami: &'a str,
    pub subnet: &'a str,
    pub vpc: &'a str,
    pub security_group: &'a str,
    pub profile: &'a str,
    pub key_name: Option<&'a str>,
    pub tags: &'a [(&'a str, &'a str)],
    pub launch_ms: i64,
    pub client_token: &'a str,
}

/// `(requestParameters, responseElements, instance ids)` of a successful RunInstances. Each
/// instance item is about 2.5 KB, as in real responses: the one CloudTrail record type that
/// routinely reaches several KB.
pub fn run_instances(rng: &mut Rng, s: &RunSpec) -> (String, String, Vec<String>) {
    let tag_set = |j: &mut Json| {
        j.o("tagSet", |j| {
            j.a("items", |j| {
                for (k, v) in s.tags {
                    j.io(|j| {
                        j.s("key", k).s("value", v);
                    });
                }
            });
        });
    };
    let req = obj(|j| {
        j.o("instancesSet", |j| {
            j.a("items", |j| {
                j.io(|j| {
                    j.s("imageId", s.ami).n("minCount", s.count as i64).n("maxCount", s.count as i64);
                    if let Some(k) = s.key_name {
                        j.s("keyName", k);
                    }
                });
            });
        })
        .o("groupSet", |j| {
            j.a("items", |j| {
                j.io(|j| {
                    j.s("groupId", s.security_group);
                });
            });
        })
        .s("instanceType", s.instance_type)
        .o("blockDeviceMapping", |_| {})
        .o("monitoring", |j| {
            j.b("enabled", false);
        })
        .s("subnetId", s.subnet)
        .b("disableApiTermination", false)
        .s("clientToken", s.client_token)
        .o("iamInstanceProfile", |j| {
            j.s("name", s.profile);
        })
        .o("tagSpecificationSet", |j| {
            j.a("items", |j| {
                j.io(|j| {
                    j.s("resourceType", "instance");
                    j.a("tags", |j| {
                        for (k, v) in s.tags {
                            j.io(|j| {
                                j.s("key", k).s("value", v);
                            });
                        }
                    });
                });
            });
        });
    });
    let profile_id = format!("AIPA{}", rng.key_chars(17));
    let reservation = format!("r-0{}", rng.hex(16));
    let mut ids = Vec::with_capacity(s.count);
    let resp = obj(|j| {
        j.s("requestId", &rng.guid()).s("reservationId", &reservation).s("ownerId", s.account).o("groupSet", |_| {}).o(
            "instancesSet",
            |j| {
                j.a("items", |j| {
                    for n in 0..s.count {
                        let id = format!("i-0{}", rng.hex(16));
                        let eni = format!("eni-0{}", rng.hex(16));
                        let ip = format!("10.{}.{}.{}", rng.range(0, 3), rng.range(0, 255), rng.range(4, 250));
                        let dns = format!("ip-{}.{}.compute.internal", ip.replace('.', "-"), s.region);
                        let mac = format!(
                            "0{}:{}:{}:{}:{}:{}",
                            rng.range(2, 6) * 2,
                            rng.hex(2),
                            rng.hex(2),
                            rng.hex(2),
                            rng.hex(2),
                            rng.hex(2)
                        );
                        let az = format!("{}{}", s.region, ["a", "b", "c"][n % 3]);
                        j.io(|j| {
                            j.s("instanceId", &id)
                                .s("imageId", s.ami)
                                .o("instanceState", |j| {
                                    j.n("code", 0).s("name", "pending");
                                })
                                .s("privateDnsName", &dns)
                                .n("amiLaunchIndex", n as i64)
                                .o("productCodes", |_| {})
                                .s("instanceType", s.instance_type)
                                .n("launchTime", s.launch_ms)
                                .o("placement", |j| {
                                    j.s("availabilityZone", &az).s("tenancy", "default");
                                })
                                .o("monitoring", |j| {
                                    j.s("state", "disabled");
                                })
                                .s("subnetId", s.subnet)
                                .s("vpcId", s.vpc)
                                .s("privateIpAddress", &ip)
                                .o("stateReason", |j| {
                                    j.s("code", "pending").s("message", "pending");
                                })
                                .s("architecture", "x86_64")
                                .s("rootDeviceType", "ebs")
                                .s("rootDeviceName", "/dev/xvda")
                                .o("blockDeviceMapping", |_| {})
                                .s("virtualizationType", "hvm")
                                .s("hypervisor", "xen");
                            if let Some(k) = s.key_name {
                                j.s("keyName", k);
                            }
                            tag_set(j);
                            j.s("clientToken", s.client_token)
                                .o("groupSet", |j| {
                                    j.a("items", |j| {
                                        j.io(|j| {
                                            j.s("groupId", s.security_group).s("groupName", "default");
                                        });
                                    });
                                })
                                .b("sourceDestCheck", true)
                                .o("networkInterfaceSet", |j| {
                                    j.a("items", |j| {
                                        j.io(|j| {
                                            j.s("networkInterfaceId", &eni)
                                                .s("subnetId", s.subnet)
                                                .s("vpcId", s.vpc)
                                                .s("ownerId", s.account)
                                                .s("status", "in-use")
                                                .s("macAddress", &mac)
                                                .s("privateIpAddress", &ip)
                                                .s("privateDnsName", &dns)
                                                .b("sourceDestCheck", true)
                                                .s("interfaceType", "interface")
                                                .o("groupSet", |j| {
                                                    j.a("items", |j| {
                                                        j.io(|j| {
                                                            j.s("groupId", s.security_group).s("groupName", "default");
                                                        });
                                                    });
                                                })
                                                .o("attachment", |j| {
                                                    j.s("attachmentId", &format!("eni-attach-0{}", &eni[5..21]))
                                                        .n("deviceIndex", 0)
                                                        .n("networkCardIndex", 0)
                                                        .s("status", "attaching")
                                                        .n("attachTime", s.launch_ms)
                                                        .b("deleteOnTermination", true);
                                                })
                                                .o("privateIpAddressesSet", |j| {
                                                    j.a("item", |j| {
                                                        j.io(|j| {
                                                            j.s("privateIpAddress", &ip)
                                                                .s("privateDnsName", &dns)
                                                                .b("primary", true);
                                                        });
                                                    });
                                                })
                                                .o("ipv6AddressesSet", |_| {})
                                                .o("tagSet", |_| {});
                                        });
                                    });
                                })
                                .o("iamInstanceProfile", |j| {
                                    j.s("arn", &format!("arn:aws:iam::{}:instance-profile/{}", s.account, s.profile))
                                        .s("id", &profile_id);
                                })
                                .b("ebsOptimized", false)
                                .b("enaSupport", true)
                                .o("cpuOptions", |j| {
                                    j.n("coreCount", 1).n("threadsPerCore", 1);
                                })
                                .o("capacityReservationSpecification", |j| {
                                    j.s("capacityReservationPreference", "open");
                                })
                                .o("hibernationOptions", |j| {
                                    j.b("configured", false);
                                })
                                .o("enclaveOptions", |j| {
                                    j.b("enabled", false);
                                })
                                .o("metadataOptions", |j| {
                                    j.s("state", "pending")
                                        .s("httpTokens", "required")
                                        .n("httpPutResponseHopLimit", 2)
                                        .s("httpEndpoint", "enabled")
                                        .s("httpProtocolIpv4", "enabled")
                                        .s("httpProtocolIpv6", "disabled")
                                        .s("instanceMetadataTags", "disabled");
                                })
                                .o("maintenanceOptions", |j| {
                                    j.s("autoRecovery", "default");
                                })
                                .o("privateDnsNameOptions", |j| {
                                    j.s("hostnameType", "ip-name")
                                        .b("enableResourceNameDnsARecord", false)
                                        .b("enableResourceNameDnsAAAARecord", false);
                                });
                        });
                        ids.push(id);
                    }
                });
            },
        );
    });
    (req, resp, ids)
}

/// The IAM-style authorization failure text.
pub fn not_authorized(caller_arn: &str, action: &str, resource: &str) -> String {
    format!("User: {caller_arn} is not authorized to perform: {action} on resource: {resource}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_is_valid_json_with_required_keys() {
        let mut rng = Rng::new(9);
        let ev = Event {
            identity: Identity::AssumedRole {
                path: "",
                role: "deploy-agent",
                role_id: "AROAEXAMPLEROLEID0001",
                session_name: "s1",
                access_key: "ASIAEXAMPLEKEY000001",
                session: Session { created: 0, mfa: false },
                invoked_by: None,
                ec2_role_delivery: None,
            },
            time: 1_496_322_342,
            source: "s3.amazonaws.com",
            name: "PutObject",
            region: "ap-southeast-2",
            ip: "198.51.100.7",
            ua: Some("aws-cli/1.11.83 Python/2.7.12"),
            account: "111122223333",
            event_id: rng.guid(),
            req: Some(s3_object_params("b", "k\"ey", "ap-southeast-2", true)),
            ..Event::default()
        };
        let v: serde_json::Value = serde_json::from_str(&ev.to_json()).unwrap();
        for k in ["eventVersion", "eventTime", "eventSource", "eventName"] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(
            v["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"],
            "arn:aws:iam::111122223333:role/deploy-agent"
        );
        assert_eq!(v["requestParameters"]["key"], "k\"ey");
        assert_eq!(v["responseElements"], serde_json::Value::Null);
    }

    #[test]
    fn run_instances_is_big_and_valid() {
        let mut rng = Rng::new(1);
        let spec = RunSpec {
            account: "111122223333",
            region: "ap-southeast-2",
            instance_type: "t2.micro",
            count: 2,
            ami: "ami-0a1b2c3d",
            subnet: "subnet-1",
            vpc: "vpc-1",
            security_group: "sg-1",
            profile: "p",
            key_name: None,
            tags: &[("Name", "web")],
            launch_ms: 1,
            client_token: "t",
        };
        let (req, resp, ids) = run_instances(&mut rng, &spec);
        let r: serde_json::Value = serde_json::from_str(&resp).unwrap();
        serde_json::from_str::<serde_json::Value>(&req).unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(r["instancesSet"]["items"][1]["instanceId"], ids[1].as_str());
        assert!(resp.len() > 4000, "{}", resp.len());
    }
}
