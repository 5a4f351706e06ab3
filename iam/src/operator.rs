//! Condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators"): read
//! once, when a policy is parsed, into what the evaluator compares with; the policy keeps
//! both the text, as written, and what it says.

use std::fmt;
use std::net::IpAddr;

use ct_common::time;

/// A condition's operator as the policy writes it (`ForAnyValue:StringLikeIfExists`), with
/// what it says, read once. Reads as its text (`Deref` to `str`).
#[derive(Clone, PartialEq, Eq)]
pub struct ConditionOperator {
    text: String,
    /// `None` for a text that is no operator: only in a condition made by hand, never in one
    /// of a parsed policy (the parser refuses it); the evaluator reads it as Unknown.
    parsed: Option<Operator>,
}

impl ConditionOperator {
    /// Reads an operator; the error says why IAM would refuse it.
    pub fn parse(text: &str) -> Result<ConditionOperator, String> {
        Ok(ConditionOperator { text: text.to_string(), parsed: Some(Operator::parse(text)?) })
    }

    /// The text, as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What the operator says; `None` when the text is no operator.
    pub fn parsed(&self) -> Option<Operator> {
        self.parsed
    }

    /// `Operator::check_value`; an error for a text that is no operator.
    pub fn check_value(&self, value: &str) -> Result<(), String> {
        match self.parsed {
            Some(op) => op.check_value(value),
            None => Err(format!("unknown condition operator {:?}", self.text)),
        }
    }
}

/// A condition operator from its text, read leniently: a text that is no operator is kept, and
/// the evaluator reads a condition with it as Unknown (`ConditionOperator::parse` refuses it).
impl From<&str> for ConditionOperator {
    fn from(text: &str) -> Self {
        ConditionOperator { text: text.to_string(), parsed: Operator::parse(text).ok() }
    }
}

impl From<String> for ConditionOperator {
    fn from(text: String) -> Self {
        let parsed = Operator::parse(&text).ok();
        ConditionOperator { text, parsed }
    }
}

impl From<ConditionOperator> for String {
    fn from(op: ConditionOperator) -> String {
        op.text
    }
}

impl std::ops::Deref for ConditionOperator {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

/// As the text (a condition prints as it did when the operator was a string).
impl fmt::Debug for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A condition operator, parsed: base comparison, negation, IfExists, set qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub(crate) base: Base,
    pub(crate) negated: bool,
    pub(crate) if_exists: bool,
    pub(crate) set: Option<SetQ>,
}

/// The comparison of an operator, without its negation and qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    ArnLike,
    Null,
}

/// A set qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetQ {
    ForAllValues,
    ForAnyValue,
}

impl Operator {
    pub fn parse(text: &str) -> Result<Operator, String> {
        let (set, rest) = if let Some(r) = text.strip_prefix("ForAllValues:") {
            (Some(SetQ::ForAllValues), r)
        } else if let Some(r) = text.strip_prefix("ForAnyValue:") {
            (Some(SetQ::ForAnyValue), r)
        } else {
            (None, text)
        };
        let (rest, if_exists) = match rest.strip_suffix("IfExists") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        use Base::*;
        let (base, negated) = match rest {
            "StringEquals" => (StringEquals, false),
            "StringNotEquals" => (StringEquals, true),
            "StringEqualsIgnoreCase" => (StringEqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (StringEqualsIgnoreCase, true),
            "StringLike" => (StringLike, false),
            "StringNotLike" => (StringLike, true),
            "NumericEquals" => (NumericEquals, false),
            "NumericNotEquals" => (NumericEquals, true),
            "NumericLessThan" => (NumericLessThan, false),
            "NumericLessThanEquals" => (NumericLessThanEquals, false),
            "NumericGreaterThan" => (NumericGreaterThan, false),
            "NumericGreaterThanEquals" => (NumericGreaterThanEquals, false),
            "DateEquals" => (DateEquals, false),
            "DateNotEquals" => (DateEquals, true),
            "DateLessThan" => (DateLessThan, false),
            "DateLessThanEquals" => (DateLessThanEquals, false),
            "DateGreaterThan" => (DateGreaterThan, false),
            "DateGreaterThanEquals" => (DateGreaterThanEquals, false),
            "Bool" => (Bool, false),
            "BinaryEquals" => (BinaryEquals, false),
            "IpAddress" => (IpAddress, false),
            "NotIpAddress" => (IpAddress, true),
            "ArnEquals" | "ArnLike" => (ArnLike, false),
            "ArnNotEquals" | "ArnNotLike" => (ArnLike, true),
            "Null" => (Null, false),
            _ => return Err(format!("unknown condition operator {text:?}")),
        };
        if base == Null && (if_exists || set.is_some()) {
            return Err(format!("{text:?}: Null takes neither IfExists nor a set qualifier"));
        }
        Ok(Operator { base, negated, if_exists, set })
    }

    /// Whether a policy value can be read by the operator: a number, a date, an address, a
    /// boolean. IAM refuses policies with values it cannot read; here a value that would make
    /// the condition silently false (and so switch a Deny off) refuses the policy.
    pub fn check_value(&self, value: &str) -> Result<(), String> {
        let ok = match self.base {
            Base::NumericEquals
            | Base::NumericLessThan
            | Base::NumericLessThanEquals
            | Base::NumericGreaterThan
            | Base::NumericGreaterThanEquals => value.trim().parse::<f64>().is_ok_and(f64::is_finite),
            Base::DateEquals
            | Base::DateLessThan
            | Base::DateLessThanEquals
            | Base::DateGreaterThan
            | Base::DateGreaterThanEquals => time::parse_event_time(value).is_some() || value.parse::<i64>().is_ok(),
            Base::IpAddress => {
                let (net, bits) = value.split_once('/').unwrap_or((value, ""));
                match net.parse::<IpAddr>() {
                    Ok(IpAddr::V4(_)) => bits.is_empty() || bits.parse::<u8>().is_ok_and(|b| b <= 32),
                    Ok(IpAddr::V6(_)) => bits.is_empty() || bits.parse::<u8>().is_ok_and(|b| b <= 128),
                    Err(_) => false,
                }
            }
            Base::Null => value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false"),
            Base::Bool => {
                value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false") || value.contains("${")
            }
            _ => true,
        };
        if ok { Ok(()) } else { Err(format!("{value:?} is not a value this operator can compare")) }
    }

    /// Whether policy variables may appear in the values (string, ARN and Bool operators).
    pub(crate) fn takes_variables(&self) -> bool {
        matches!(
            self.base,
            Base::StringEquals | Base::StringEqualsIgnoreCase | Base::StringLike | Base::ArnLike | Base::Bool
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operator_is_read_once_and_reads_as_its_text() {
        let op = ConditionOperator::parse("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(op.as_str(), "ForAnyValue:StringNotLikeIfExists");
        assert!(op.ends_with("IfExists"));
        assert_eq!(format!("{op:?}"), r#""ForAnyValue:StringNotLikeIfExists""#);
        assert_eq!(op.to_string(), "ForAnyValue:StringNotLikeIfExists");
        let p = op.parsed().unwrap();
        assert_eq!((p.base, p.negated, p.if_exists, p.set), (Base::StringLike, true, true, Some(SetQ::ForAnyValue)));
        assert!(op.check_value("anything").is_ok());
        assert!(ConditionOperator::parse("StringLooksLike").is_err());
        assert!(ConditionOperator::parse("NullIfExists").is_err());
        // Made by hand, leniently: kept as written, read as no operator.
        let lenient = ConditionOperator::from("StringLooksLike");
        assert_eq!(lenient.parsed(), None);
        assert!(lenient.check_value("x").is_err());
        assert_eq!(String::from(lenient), "StringLooksLike");
        assert_eq!(ConditionOperator::from(String::from("Bool")), ConditionOperator::parse("Bool").unwrap());
    }
}
