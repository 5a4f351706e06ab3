//! Time arguments and event times, all in UTC.
//!
//! Accepts what `aws cloudtrail lookup-events --start-time` accepts, plus relative forms:
//! epoch seconds (milliseconds when 13 digits), ISO 8601 with or without a zone or fraction
//! (`2017-06-01T13:05:42Z`, `2017-06-01 13:05`, `20170601T130542Z`), a date alone
//! (`2017-06-01`), 12-hour clocks (`2017-06-01 12:00 AM`, `01-27-2015,01:16PM`), US dates
//! (`06/01/2017`), and `now`, `-2h`, `-7d`, `2 days ago`. A time without a zone is UTC.

use std::fmt;

/// An instant: seconds since the Unix epoch and nanoseconds within the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    pub secs: i64,
    pub nanos: u32,
}

/// The forms a time argument may take, for usage errors.
pub const FORMATS: &str = "epoch seconds (1496300000), ISO 8601 with or without zone or fraction \
(2017-06-01T13:05:42Z, 2017-06-01T13:05:42.5+10:00, 2017-06-01 13:05), a date (2017-06-01), a 12-hour \
clock (2017-06-01 1:00 pm, 01-27-2015,01:16PM), or a relative time (now, -2h, -7d, -30m, 2 days ago)";

/// Why a time argument was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError(pub String);

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read time {:?}; accepted forms: {FORMATS}", self.0)
    }
}

impl std::error::Error for TimeError {}

impl Time {
    pub fn from_secs(secs: i64) -> Self {
        Time { secs, nanos: 0 }
    }

    /// The current time.
    pub fn now() -> Self {
        let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Time { secs: d.as_secs() as i64, nanos: d.subsec_nanos() }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, the form CloudTrail writes (fractions are dropped).
    pub fn to_iso(self) -> String {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
    }

    /// The UTC calendar day: (year, month, day).
    pub fn date(self) -> (i64, u32, u32) {
        civil_from_days(self.secs.div_euclid(86_400))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of `days_from_civil`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses a time argument; relative forms count back from `now`.
pub fn parse(text: &str, now: Time) -> Result<Time, TimeError> {
    let err = || TimeError(text.to_string());
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return Err(err());
    }
    if t == "now" {
        return Ok(now);
    }
    if let Some(secs) = relative(&t) {
        return Ok(Time { secs: now.secs.checked_sub(secs).ok_or_else(err)?, nanos: now.nanos });
    }
    if t.bytes().all(|b| b.is_ascii_digit()) && t.len() != 8 {
        let n: i64 = t.parse().map_err(|_| err())?;
        return Ok(if t.len() >= 13 {
            Time { secs: n.div_euclid(1000), nanos: (n.rem_euclid(1000) * 1_000_000) as u32 }
        } else {
            Time::from_secs(n)
        });
    }
    absolute(&t).ok_or_else(err)
}

/// `-2h`, `-7d`, `2 days ago`, `30 minutes ago`: seconds back from now.
fn relative(t: &str) -> Option<i64> {
    let span = match t.strip_prefix('-') {
        Some(rest) => rest,
        None => t.strip_suffix("ago")?.trim_end(),
    };
    duration(span)
}

/// A length of time in seconds: a number and a unit (`90s`, `30m`, `1h`, `2 days`, `1w`);
/// `0` alone is zero. `None` for anything else.
pub fn duration(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    if t == "0" {
        return Some(0);
    }
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = (&t[..split], t[split..].trim());
    let n: i64 = num.parse().ok()?;
    let unit = match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(unit)
}

/// A cursor over the argument's bytes.
struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        while self.i < self.s.len() && self.i - start < max && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i - start < min {
            self.i = start;
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i]).ok()?.parse().ok()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn done(&self) -> bool {
        self.i == self.s.len()
    }
}

fn absolute(t: &str) -> Option<Time> {
    let mut c = Cur { s: t.as_bytes(), i: 0 };
    let (y, m, d) = date(&mut c)?;
    if m == 0 || m > 12 || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    let mut nanos = 0;
    // Date and time are separated by T, a space or a comma (`01-27-2015,01:16PM`).
    if !c.done() {
        if !(c.eat(b't') || c.eat(b',') || c.eat(b' ')) {
            return None;
        }
        c.skip_spaces();
        let (s, n) = clock(&mut c)?;
        secs += s;
        nanos = n;
        c.skip_spaces();
        secs -= zone(&mut c)?;
    }
    c.done().then_some(Time { secs, nanos })
}

/// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, `MM-DD-YYYY`, `MM/DD/YYYY`.
fn date(c: &mut Cur<'_>) -> Option<(i64, u32, u32)> {
    let start = c.i;
    let first = c.digits(1, 8)?;
    let len = c.i - start;
    if len == 8 {
        return Some((first / 10_000, (first / 100 % 100) as u32, (first % 100) as u32));
    }
    let sep = c.peek().filter(|&b| b == b'-' || b == b'/')?;
    c.i += 1;
    let second = c.digits(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    if len == 4 {
        let day = c.digits(1, 2)?;
        Some((first, second as u32, day as u32))
    } else if len <= 2 {
        let year = c.digits(4, 4)?;
        Some((year, first as u32, second as u32))
    } else {
        None
    }
}

/// `HH:MM[:SS[.frac]]`, `HHMMSS`, with an optional `am`/`pm` (also `1 pm`).
fn clock(c: &mut Cur<'_>) -> Option<(i64, u32)> {
    let start = c.i;
    let mut h = c.digits(1, 2)?;
    let (mut m, mut s, mut nanos) = (0, 0, 0u32);
    if c.eat(b':') {
        m = c.digits(2, 2)?;
        if c.eat(b':') {
            s = c.digits(2, 2)?;
            nanos = fraction(c)?;
        }
    } else if c.i - start == 2 && c.peek().is_some_and(|b| b.is_ascii_digit()) {
        // Basic form: HHMM[SS].
        m = c.digits(2, 2)?;
        if c.peek().is_some_and(|b| b.is_ascii_digit()) {
            s = c.digits(2, 2)?;
            nanos = fraction(c)?;
        }
    }
    c.skip_spaces();
    let rest = &c.s[c.i..];
    let meridiem = if rest.starts_with(b"am") || rest.starts_with(b"a.m.") {
        Some(false)
    } else if rest.starts_with(b"pm") || rest.starts_with(b"p.m.") {
        Some(true)
    } else {
        None
    };
    if let Some(pm) = meridiem {
        c.i += if rest[1] == b'.' { 4 } else { 2 };
        if !(1..=12).contains(&h) {
            return None;
        }
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    } else if c.i - start <= 2 && !rest.is_empty() && !matches!(rest[0], b'z' | b'+' | b'-' | b'u') {
        return None;
    }
    (h < 24 && m < 60 && s < 61).then_some((h * 3600 + m * 60 + s.min(59), nanos))
}

fn fraction(c: &mut Cur<'_>) -> Option<u32> {
    if !(c.eat(b'.') || c.eat(b',')) {
        return Some(0);
    }
    let start = c.i;
    while c.peek().is_some_and(|b| b.is_ascii_digit()) {
        c.i += 1;
    }
    let digits = &c.s[start..c.i];
    if digits.is_empty() {
        return None;
    }
    let mut nanos = 0u32;
    for k in 0..9 {
        nanos = nanos * 10 + digits.get(k).map_or(0, |d| u32::from(d - b'0'));
    }
    Some(nanos)
}

/// `Z`, `UTC`, `+HH:MM`, `-HHMM`, `+HH`, or nothing (UTC). Returns the offset in seconds.
fn zone(c: &mut Cur<'_>) -> Option<i64> {
    if c.done() {
        return Some(0);
    }
    if c.eat(b'z') {
        return Some(0);
    }
    if c.s[c.i..].starts_with(b"utc") || c.s[c.i..].starts_with(b"gmt") {
        c.i += 3;
        return Some(0);
    }
    let sign = match c.peek()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    c.i += 1;
    let h = c.digits(2, 2)?;
    c.eat(b':');
    let m = if c.done() { 0 } else { c.digits(2, 2)? };
    (h < 24 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// Reads an event time as CloudTrail writes it (`2017-06-01T13:05:42Z`) quickly, and any other
/// ISO 8601 form through the general parser.
pub fn parse_event_time(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    if b.len() == 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':' && b[19] == b'Z'
    {
        let n = |r: std::ops::Range<usize>| -> Option<i64> {
            b[r].iter().try_fold(0i64, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0')))
        };
        let (y, mo, d, h, mi, se) = (n(0..4)?, n(5..7)?, n(8..10)?, n(11..13)?, n(14..16)?, n(17..19)?);
        if (1..=12).contains(&mo)
            && d >= 1
            && d <= i64::from(days_in_month(y, mo as u32))
            && h < 24
            && mi < 60
            && se < 61
        {
            return Some(Time::from_secs(days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60 + se));
        }
        return None;
    }
    absolute(&s.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Time = Time { secs: 1_496_325_600, nanos: 0 }; // 2017-06-01T14:00:00Z

    fn at(text: &str) -> String {
        parse(text, NOW).map(|t| t.to_iso()).unwrap_or_else(|e| format!("ERR {}", e.0))
    }

    #[test]
    fn every_documented_form_gives_its_instant() {
        for (text, want) in [
            ("1496300000", "2017-06-01T06:53:20Z"),
            ("1496300000123", "2017-06-01T06:53:20Z"),
            ("2017-06-01T13:05:42Z", "2017-06-01T13:05:42Z"),
            ("2017-06-01T13:05:42.999Z", "2017-06-01T13:05:42Z"),
            ("2017-06-01T13:05:42+10:00", "2017-06-01T03:05:42Z"),
            ("2017-06-01T13:05:42-0130", "2017-06-01T14:35:42Z"),
            ("2017-06-01T13:05:42", "2017-06-01T13:05:42Z"),
            ("2017-06-01T13:05", "2017-06-01T13:05:00Z"),
            ("2017-06-01 13:05:42", "2017-06-01T13:05:42Z"),
            ("2017-06-01 13:05:42 UTC", "2017-06-01T13:05:42Z"),
            ("20170601T130542Z", "2017-06-01T13:05:42Z"),
            ("2017-06-01", "2017-06-01T00:00:00Z"),
            ("2017/06/01", "2017-06-01T00:00:00Z"),
            ("06/01/2017", "2017-06-01T00:00:00Z"),
            ("2017-06-01 12:00 AM", "2017-06-01T00:00:00Z"),
            ("2017-06-01 12:00 pm", "2017-06-01T12:00:00Z"),
            ("2017-06-01 1:00 pm", "2017-06-01T13:00:00Z"),
            ("2017-06-02 5:00 pm", "2017-06-02T17:00:00Z"),
            ("2017-06-01 1 pm", "2017-06-01T13:00:00Z"),
            ("01-27-2015,01:16PM", "2015-01-27T13:16:00Z"),
            ("01-27-2015, 01:16 am", "2015-01-27T01:16:00Z"),
            ("  2016-02-29T23:59:59Z  ", "2016-02-29T23:59:59Z"),
            ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
        ] {
            assert_eq!(at(text), want, "{text}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(duration("90s"), Some(90));
        assert_eq!(duration("1h"), Some(3600));
        assert_eq!(duration("2 days"), Some(172_800));
        assert_eq!(duration("0"), Some(0));
        for bad in ["", "h", "1", "-1h", "1 fortnight", "99999999999999999999w"] {
            assert_eq!(duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn relative_forms_count_back_from_now() {
        for (text, want) in [
            ("now", "2017-06-01T14:00:00Z"),
            ("-2h", "2017-06-01T12:00:00Z"),
            ("-7d", "2017-05-25T14:00:00Z"),
            ("-30m", "2017-06-01T13:30:00Z"),
            ("-45s", "2017-06-01T13:59:15Z"),
            ("-1w", "2017-05-25T14:00:00Z"),
            ("2 days ago", "2017-05-30T14:00:00Z"),
            ("1 hour ago", "2017-06-01T13:00:00Z"),
            ("10 minutes ago", "2017-06-01T13:50:00Z"),
        ] {
            assert_eq!(at(text), want, "{text}");
        }
    }

    #[test]
    fn nonsense_is_refused_with_the_accepted_forms() {
        for text in [
            "",
            "yesterday-ish",
            "2017-13-01",
            "2017-02-30",
            "2017-06-01T25:00",
            "2017-06-01 13 pm",
            "2017-06-01T13:05:42+25:00",
            "-2x",
            "2017-06-01T13:05:42Zjunk",
            "99999999999999999999",
        ] {
            let e = parse(text, NOW).unwrap_err();
            assert!(e.to_string().contains("accepted forms: epoch seconds"), "{text}");
        }
    }

    #[test]
    fn event_times_fast_and_general() {
        assert_eq!(parse_event_time("2017-06-01T13:05:42Z"), Some(Time::from_secs(1_496_322_342)));
        assert_eq!(parse_event_time("2017-06-01T13:05:42.5Z").map(|t| t.nanos), Some(500_000_000));
        assert_eq!(parse_event_time("2017-06-31T13:05:42Z"), None);
        assert_eq!(parse_event_time("not a time"), None);
    }

    #[test]
    fn calendar_round_trips() {
        for days in [-800_000, -1, 0, 1, 17_318, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
