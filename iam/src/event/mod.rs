//! The fields of a CloudTrail event that the IAM mapping reads, borrowed from the event text.

mod arch;
mod fast;
mod scan;

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

type Str<'a> = Option<Cow<'a, str>>;

/// An event, as far as the mapping needs it.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub event_source: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub event_name: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub event_type: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub event_time: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str", rename = "eventID")]
    pub event_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub aws_region: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub recipient_account_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub error_code: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub error_message: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str", rename = "sourceIPAddress")]
    pub source_ip_address: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub vpc_endpoint_id: Str<'a>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub read_only: Option<bool>,
    #[serde(borrow)]
    pub user_identity: Option<Identity<'a>>,
    /// The JSON text of the request parameters (absent when null).
    #[serde(borrow, default, deserialize_with = "raw_text")]
    pub request_parameters: Option<&'a str>,
    /// The JSON text of the response elements (absent when null): the names a call created
    /// (a new stack's id) are only there.
    #[serde(borrow, default, deserialize_with = "raw_text")]
    pub response_elements: Option<&'a str>,
    #[serde(borrow)]
    pub resources: Option<Vec<Resource<'a>>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Identity<'a> {
    #[serde(borrow, default, deserialize_with = "opt_str", rename = "type")]
    pub kind: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub arn: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub account_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub user_name: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub principal_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
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
    #[serde(borrow, default, deserialize_with = "opt_str", rename = "type")]
    pub kind: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub arn: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub user_name: Str<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Attributes<'a> {
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub mfa_authenticated: Str<'a>,
}

#[derive(Debug, Deserialize, Default)]
pub struct Resource<'a> {
    #[serde(borrow, default, deserialize_with = "opt_str", rename = "ARN")]
    pub arn: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str", rename = "type")]
    pub kind: Str<'a>,
}

/// A string borrowed from the text when it holds no escapes. (serde borrows a bare
/// `Cow<str>` field, but copies one inside an `Option` every time.)
fn opt_str<'de: 'a, 'a, D: serde::Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
    #[derive(Deserialize)]
    struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);
    Ok(Option::<Borrowed<'a>>::deserialize(d)?.map(|b| b.0))
}

/// A value's JSON text, borrowed (`None` for null, as for the other fields).
fn raw_text<'de: 'a, 'a, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'a str>, D::Error> {
    Ok(Option::<&'a RawValue>::deserialize(d)?.map(RawValue::get))
}

/// readOnly is a boolean in events and the string "true"/"false" in some exports; any other
/// value says nothing.
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
            Ok(Some(b))
        }
        fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
            Ok(s.parse().ok())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            while a.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

impl<'a> Event<'a> {
    /// Reads the fields; `Err` when the text is not a JSON object of CloudTrail's shape or not
    /// UTF-8 (checked once for the whole text, which is faster than string by string and also
    /// covers the values that are skipped unread).
    pub fn parse(json: &'a [u8]) -> Result<Event<'a>, serde_json::Error> {
        match std::str::from_utf8(json) {
            // The fast reader answers for plain events; serde for the rest, and for errors.
            Ok(text) => match fast::event(text) {
                Some(ev) => Ok(ev),
                None => serde_json::from_str(text),
            },
            Err(e) => Err(serde::de::Error::custom(format_args!(
                "invalid UTF-8 at byte {} of the event",
                e.valid_up_to() + 1
            ))),
        }
    }

    /// Whether a line is plainly one CloudTrail event: read by the fast reader into `ev` (in
    /// place, which spares copying it), with an eventSource or an eventName, and without the
    /// top-level `action` key of an action record. False says only "look closer" (it may still
    /// be an event), and leaves `ev` default.
    pub fn parse_call(json: &'a [u8], ev: &mut Event<'a>) -> bool {
        // simdutf8 checks UTF-8 several times faster than std (its errors carry no position;
        // `parse` words them when this says no).
        let plain = simdutf8::basic::from_utf8(json).ok().and_then(|text| fast::event_into(text, ev)) == Some(false)
            && (ev.event_source.is_some() || ev.event_name.is_some());
        if !plain {
            *ev = Event::default();
        }
        plain
    }

    /// The fast reader alone: `None` when it leaves the text to serde. For the tests and the
    /// fuzz target that hold it to serde's answers.
    #[doc(hidden)]
    pub fn parse_fast(text: &'a str) -> Option<Event<'a>> {
        fast::event(text)
    }

    /// serde's reader alone (what `parse` falls back on).
    #[doc(hidden)]
    pub fn parse_serde(text: &'a str) -> Result<Event<'a>, serde_json::Error> {
        serde_json::from_str(text)
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

    /// Whether the call was refused for lack of permission (and not for any other reason).
    /// The error code decides: the message is written by the service and may echo text the
    /// caller chose (a name), so it can only rule a refusal out (an expired or badly signed
    /// request is AccessDenied too, but no policy's doing), never rule one in.
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
        let not_policy = self
            .error_message
            .as_deref()
            .is_some_and(|m| m.contains("expired") || m.contains("signature") || m.contains("Signature"));
        code_says && !not_policy
    }
}
