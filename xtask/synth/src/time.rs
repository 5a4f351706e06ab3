//! UTC calendar arithmetic and the timestamp spellings CloudTrail uses, on plain Unix
//! seconds (no chrono: the workspace does not carry it and we only need UTC).

// The calendar arithmetic is the toolkit's own (ct-common's time parser).
pub use ct_common::time::{civil_from_days, days_from_civil};

/// Broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub y: i64,
    pub mo: u32,
    pub d: u32,
    pub h: u32,
    pub mi: u32,
    pub s: u32,
}

pub fn civil(t: i64) -> Civil {
    let (y, mo, d) = civil_from_days(t.div_euclid(86_400));
    let sod = t.rem_euclid(86_400);
    Civil { y, mo, d, h: (sod / 3600) as u32, mi: (sod / 60 % 60) as u32, s: (sod % 60) as u32 }
}

pub fn unix(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s)
}

/// `2017-06-01T13:05:42Z` (eventTime, digest times).
pub fn iso(t: i64) -> String {
    let c = civil(t);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.y, c.mo, c.d, c.h, c.mi, c.s)
}

/// `20170601T1305Z` (log file names: delivery minute).
pub fn compact_minute(t: i64) -> String {
    let c = civil(t);
    format!("{:04}{:02}{:02}T{:02}{:02}Z", c.y, c.mo, c.d, c.h, c.mi)
}

/// `20170601T130542Z` (digest file names: seconds included).
pub fn compact_second(t: i64) -> String {
    let c = civil(t);
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}Z", c.y, c.mo, c.d, c.h, c.mi, c.s)
}

/// `2017/06/01` (the date folders of a bucket key).
pub fn ymd_path(t: i64) -> String {
    let c = civil(t);
    format!("{:04}/{:02}/{:02}", c.y, c.mo, c.d)
}

/// `Jun 1, 2017 2:05:42 PM`: how Java-based services format dates inside
/// responseElements (e.g. STS credential expiration).
pub fn java_date(t: i64) -> String {
    const MON: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let c = civil(t);
    let (h12, ampm) = match c.h {
        0 => (12, "AM"),
        1..=11 => (c.h, "AM"),
        12 => (12, "PM"),
        _ => (c.h - 12, "PM"),
    };
    format!("{} {}, {} {}:{:02}:{:02} {}", MON[(c.mo - 1) as usize], c.d, c.y, h12, c.mi, c.s, ampm)
}

/// Parses `YYYY-MM-DD` into Unix seconds at 00:00:00 UTC.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let bad = || format!("bad date {s:?}, expected YYYY-MM-DD");
    let mut it = s.split('-');
    let y: i64 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    let m: u32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    let d: u32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    let t = unix(y, m, d, 0, 0, 0);
    let c = civil(t);
    if (c.y, c.mo, c.d) != (y, m, d) {
        return Err(bad());
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = unix(2017, 6, 1, 13, 5, 42);
        assert_eq!(t, 1_496_322_342);
        assert_eq!(iso(t), "2017-06-01T13:05:42Z");
        assert_eq!(compact_minute(t), "20170601T1305Z");
        assert_eq!(compact_second(t), "20170601T130542Z");
        assert_eq!(ymd_path(t), "2017/06/01");
        assert_eq!(java_date(t), "Jun 1, 2017 1:05:42 PM");
        assert_eq!(parse_date("2024-02-29").unwrap(), unix(2024, 2, 29, 0, 0, 0));
        assert!(parse_date("2023-02-29").is_err());
        assert_eq!(iso(unix(2024, 2, 29, 23, 59, 59) + 1), "2024-03-01T00:00:00Z");
    }
}
