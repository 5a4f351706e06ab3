//! The fields of a CloudTrail event that the IAM mapping reads, borrowed from the event text.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

type Str<'a> = Option<Cow<'a, str>>;

/// An event, as far as the mapping needs it.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    #[serde(borrow)]
    pub event_source: Str<'a>,
    #[serde(borrow)]
    pub event_name: Str<'a>,
    #[serde(borrow)]
    pub event_type: Str<'a>,
    #[serde(borrow)]
    pub event_time: Str<'a>,
    #[serde(borrow, rename = "eventID")]
    pub event_id: Str<'a>,
    #[serde(borrow)]
    pub aws_region: Str<'a>,
    #[serde(borrow)]
    pub recipient_account_id: Str<'a>,
    #[serde(borrow)]
    pub error_code: Str<'a>,
    #[serde(borrow)]
    pub error_message: Str<'a>,
    #[serde(borrow, rename = "sourceIPAddress")]
    pub source_ip_address: Str<'a>,
    #[serde(borrow)]
    pub vpc_endpoint_id: Str<'a>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub read_only: Option<bool>,
    #[serde(borrow)]
    pub user_identity: Option<Identity<'a>>,
    #[serde(borrow)]
    pub request_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    pub response_elements: Option<&'a RawValue>,
    #[serde(borrow)]
    pub resources: Option<Vec<Resource<'a>>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Identity<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Str<'a>,
    #[serde(borrow)]
    pub arn: Str<'a>,
    #[serde(borrow)]
    pub account_id: Str<'a>,
    #[serde(borrow)]
    pub user_name: Str<'a>,
    #[serde(borrow)]
    pub principal_id: Str<'a>,
    #[serde(borrow)]
    pub invoked_by: Str<'a>,
    #[serde(borrow)]
    pub session_context: Option<SessionContext<'a>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext<'a> {
    #[serde(borrow)]
    pub session_issuer: Option<Issuer<'a>>,
    #[serde(borrow)]
    pub attributes: Option<Attributes<'a>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Issuer<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Str<'a>,
    #[serde(borrow)]
    pub arn: Str<'a>,
    #[serde(borrow)]
    pub user_name: Str<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Attributes<'a> {
    #[serde(borrow)]
    pub mfa_authenticated: Str<'a>,
}

#[derive(Debug, Deserialize)]
pub struct Resource<'a> {
    #[serde(borrow, rename = "ARN")]
    pub arn: Str<'a>,
    #[serde(borrow, rename = "type")]
    pub kind: Str<'a>,
}

/// readOnly is a boolean in events and the string "true"/"false" in some exports.
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Bool(b) => Some(b),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

impl<'a> Event<'a> {
    /// Reads the fields; `Err` when the text is not a JSON object of CloudTrail's shape.
    pub fn parse(json: &'a [u8]) -> Result<Event<'a>, serde_json::Error> {
        serde_json::from_slice(json)
    }

    /// Who made the call, as IAM sees the principal: the role for an assumed-role session,
    /// the identity's ARN otherwise, the service for AWS services.
    pub fn principal(&self) -> Option<&str> {
        let id = self.user_identity.as_ref()?;
        if id.kind.as_deref() == Some("AssumedRole")
            && let Some(arn) =
                id.session_context.as_ref().and_then(|s| s.session_issuer.as_ref()).and_then(|i| i.arn.as_deref())
        {
            return Some(arn);
        }
        id.arn.as_deref().or(id.invoked_by.as_deref())
    }

    /// The account the call was made in.
    pub fn account(&self) -> Option<&str> {
        self.recipient_account_id.as_deref().or_else(|| self.user_identity.as_ref()?.account_id.as_deref())
    }

    /// The partition, from the identity's ARN (`aws` when nothing says otherwise).
    pub fn partition(&self) -> &str {
        self.user_identity.as_ref().and_then(|i| i.arn.as_deref()).and_then(crate::arn::partition).unwrap_or("aws")
    }

    /// The request parameters as a JSON value (`Null` when absent or unreadable).
    pub fn params(&self) -> serde_json::Value {
        self.request_parameters.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or(serde_json::Value::Null)
    }

    /// Whether the call was refused for lack of permission (and not for any other reason).
    pub fn denied(&self) -> bool {
        let Some(code) = self.error_code.as_deref() else { return false };
        let code_says = matches!(
            code,
            "AccessDenied"
                | "AccessDeniedException"
                | "Client.UnauthorizedOperation"
                | "UnauthorizedOperation"
                | "Client.AccessDenied"
                | "UnauthorizedAccess"
                | "AuthorizationError"
                | "AuthorizationErrorException"
                | "Forbidden"
                | "ForbiddenException"
        );
        let message_says = self
            .error_message
            .as_deref()
            .is_some_and(|m| m.contains("not authorized to perform") || m.contains("explicit deny"));
        // An expired presigned URL or a bad signature is AccessDenied too, but no policy's.
        let not_policy = self
            .error_message
            .as_deref()
            .is_some_and(|m| m.contains("expired") || m.contains("signature") || m.contains("Signature"));
        (code_says || message_says) && !not_policy
    }
}
