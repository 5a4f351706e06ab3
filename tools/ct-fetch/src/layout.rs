//! The key layout of a trail's bucket (AWS CloudTrail User Guide, "Finding your CloudTrail log
//! files" and "CloudTrail digest file structure"):
//!
//! ```text
//! [PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
//! [PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOME_YYYYMMDDTHHMMSSZ[_backfill].json.gz
//! [PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail-Insight/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail-Insight_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
//! ```
//!
//! The date folders and the time in the name are the delivery time (UTC), not the events'.

use ct_common::time::days_from_civil;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Log,
    Digest,
    Insight,
}

impl Kind {
    /// The folder under the account.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Log => "CloudTrail",
            Kind::Digest => "CloudTrail-Digest",
            Kind::Insight => "CloudTrail-Insight",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Log => "log",
            Kind::Digest => "digest",
            Kind::Insight => "insight",
        }
    }
}

/// A key that follows the layout, with what its parts say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogKey<'a> {
    /// Everything before `AWSLogs/`, with its trailing slash (empty without a prefix).
    pub prefix: &'a str,
    pub org: Option<&'a str>,
    pub account: &'a str,
    pub kind: Kind,
    pub region: &'a str,
    /// The delivery time in the file name, in seconds since the epoch (minutes for log and
    /// Insights files, seconds for digests).
    pub delivered: i64,
}

/// An organization id: `o-` and 10 to 32 lower-case letters or digits.
pub fn is_org_id(s: &str) -> bool {
    s.strip_prefix("o-").is_some_and(|r| {
        (10..=32).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// An account id: twelve digits.
pub fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A region folder name (`us-east-1`, `cn-north-1`, `us-gov-west-1`).
pub fn is_region(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

/// Reads a key; `None` when it does not follow the layout (such keys are never fetched).
pub fn parse(key: &str) -> Option<LogKey<'_>> {
    let at = if key.starts_with("AWSLogs/") { 0 } else { key.rfind("/AWSLogs/")? + 1 };
    let prefix = &key[..at];
    let mut parts = key[at + "AWSLogs/".len()..].split('/');
    let mut next = parts.next()?;
    let org = if is_org_id(next) {
        let o = next;
        next = parts.next()?;
        Some(o)
    } else {
        None
    };
    let account = next;
    if !is_account(account) {
        return None;
    }
    let kind = match parts.next()? {
        "CloudTrail" => Kind::Log,
        "CloudTrail-Digest" => Kind::Digest,
        "CloudTrail-Insight" => Kind::Insight,
        _ => return None,
    };
    let region = parts.next()?;
    if !is_region(region) {
        return None;
    }
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let name = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let stem = name.strip_suffix(".json.gz")?;
    let expect = format!("{account}_{}_{region}_", kind.folder());
    let rest = stem.strip_prefix(&expect)?;
    let stamp = match kind {
        // TRAIL_HOME_STAMP[_backfill]: trail names may hold `_`, so the stamp is read from the end.
        Kind::Digest => {
            let s = rest.strip_suffix("_backfill").unwrap_or(rest);
            let at = s.len().checked_sub(16)?;
            (at > 0 && s.as_bytes()[at - 1] == b'_').then_some(())?;
            &s[at..]
        }
        // STAMP_UNIQUE
        Kind::Log | Kind::Insight => rest.split_once('_')?.0,
    };
    let delivered = stamp_secs(stamp)?;
    // The date folders are the delivery date.
    let (sy, sm, sd) = (&stamp[..4], &stamp[4..6], &stamp[6..8]);
    if (y, m, d) != (sy, sm, sd) {
        return None;
    }
    Some(LogKey { prefix, org, account, kind, region, delivered })
}

/// `YYYYMMDDTHHmmZ` or `YYYYMMDDTHHMMSSZ` as seconds since the epoch.
fn stamp_secs(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if !(b.len() == 14 || b.len() == 16) || b[8] != b'T' || b[b.len() - 1] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    let (y, mo, d, h, mi) = (num(0..4)?, num(4..6)?, num(6..8)?, num(9..11)?, num(11..13)?);
    let sec = if b.len() == 16 { num(13..15)? } else { 0 };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    Some(days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60 + sec)
}

/// The folder of one UTC day of one account, kind and region:
/// `PREFIX AWSLogs/[ORG/]ACCOUNT/KIND/REGION/YYYY/MM/DD/`.
pub fn day_prefix(base: &str, org: Option<&str>, account: &str, kind: Kind, region: &str, day: i64) -> String {
    let (y, m, d) = ct_common::time::civil_from_days(day);
    let org = org.map(|o| format!("{o}/")).unwrap_or_default();
    format!("{base}AWSLogs/{org}{account}/{}/{region}/{y:04}/{m:02}/{d:02}/", kind.folder())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_digest_and_insight_keys() {
        let k = parse("AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz").unwrap();
        assert_eq!((k.prefix, k.org, k.account, k.kind, k.region), ("", None, "111122223333", Kind::Log, "us-east-2"));
        assert_eq!(k.delivered, 1_438_395_000); // 2015-08-01T02:10:00Z
        let k = parse("logs/x/AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-1/2017/06/02/111122223333_CloudTrail_eu-west-1_20170602T0005Z_abcdefABCDEF0123.json.gz").unwrap();
        assert_eq!((k.prefix, k.org), ("logs/x/", Some("o-exampleorgid")));
        // The trail name holds underscores; the stamp has seconds; backfill digests too.
        for name in
            ["my_trail_us-west-2_20231015T230404Z.json.gz", "my_trail_us-west-2_20231015T230404Z_backfill.json.gz"]
        {
            let key = format!(
                "AWSLogs/327878933619/CloudTrail-Digest/ap-northeast-1/2023/10/15/327878933619_CloudTrail-Digest_ap-northeast-1_{name}"
            );
            let k = parse(&key).unwrap();
            assert_eq!(k.kind, Kind::Digest);
            assert_eq!(k.delivered % 60, 4, "{name}");
        }
        let k = parse("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/03/01/111122223333_CloudTrail-Insight_us-east-1_20240301T1200Z_abcdefghijklmnop.json.gz").unwrap();
        assert_eq!(k.kind, Kind::Insight);
    }

    #[test]
    fn keys_off_the_layout_are_refused() {
        let good = "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz";
        assert!(parse(good).is_some());
        for bad in [
            // another account's name in this account's folder
            "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/999922223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
            // a day folder that is not the delivery day
            "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/02/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
            // not gzip by name, a bad time, a short account, a deeper path, a bad region
            "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json",
            "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T2510Z_Mu0KsOhtH1ar15ZZ.json.gz",
            "AWSLogs/11112222333/CloudTrail/us-east-2/2015/08/01/11112222333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
            "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/x/111122223333_CloudTrail_us-east-2_20150801T0210Z_M.json.gz",
            "AWSLogs/111122223333/CloudTrail/../2015/08/01/111122223333_CloudTrail_.._20150801T0210Z_M.json.gz",
            "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2023/10/15/111122223333_CloudTrail-Digest_us-east-1_20231015T230404Z.json.gz",
            "AWSLogs/111122223333/Config/us-east-2/2015/08/01/111122223333_Config_us-east-2_20150801T0210Z_M.json.gz",
            "",
            "AWSLogs/",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ids() {
        assert!(is_org_id("o-a1b2c3d4e5") && is_org_id(&format!("o-{}", "a".repeat(32))));
        assert!(!is_org_id("o-short") && !is_org_id("o-UPPERCASE12") && !is_org_id("111122223333"));
        assert!(is_account("111122223333") && !is_account("1111222233334") && !is_account("11112222333a"));
        assert!(is_region("us-gov-west-1") && !is_region("..") && !is_region("") && !is_region("US"));
        let day = days_from_civil(2017, 6, 1);
        assert_eq!(
            day_prefix("p/", Some("o-a1b2c3d4e5"), "111122223333", Kind::Log, "eu-west-1", day),
            "p/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/eu-west-1/2017/06/01/"
        );
    }
}
