//! Time arguments and event times.
//!
//! Accepts what `aws cloudtrail lookup-events --start-time` accepts, plus zones and relative
//! forms: epoch seconds (milliseconds when 13 digits), ISO 8601 with or without an offset or
//! fraction (`2017-06-01T13:05:42Z`, `2017-06-01 13:05`, `20170601T130542Z`), a date alone
//! (`2017-06-01`), 12-hour clocks (`2017-06-01 12:00 AM`, `01-27-2015,01:16PM`), dates with
//! the year last when only one reading is a date (`06/13/2017`, `13/06/2017`), a zone after
//! the time (`2017-06-01 13:00 Australia/Melbourne`, `13:00 AEST`), and `now`, `today`,
//! `yesterday`, `this month`, `last month`, `-2h`, `-7d`, `-1mo`, `2 days ago`,
//! `1 month ago`. A time without an offset is read in the zone the user chose (`--tz`,
//! [`Zone`]), UTC unless one was. [`MAN_TIMES`] is the whole contract, as the man pages
//! print it.

mod zone;

use std::fmt;

use jiff::civil::{self, Date};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Span, Timestamp};

pub use zone::{ABBREVIATIONS, Zone, ZoneError};

/// An instant: seconds since the Unix epoch and nanoseconds within the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    pub secs: i64,
    pub nanos: u32,
}

/// The forms a time argument may take, for usage errors.
pub const FORMATS: &str = "epoch seconds (1496300000), ISO 8601 with or without zone or fraction \
(2017-06-01T13:05:42Z, 2017-06-01T13:05:42.5+10:00, 2017-06-01 13:05), a date (2017-06-01), a 12-hour \
clock (2017-06-01 1:00 pm, 01-27-2015,01:16PM), a zone after the time (2017-06-01 13:00 Australia/Melbourne, \
2017-06-01 13:00 AEST), or a relative time (now, today, yesterday, this month, last month, -2h, -7d, -30m, \
-1mo, 2 days ago, 1 month ago)";

/// The TIMES section of the man page of every tool that takes times.
pub const MAN_TIMES: &str = "A time written without an offset is read in the zone of --tz, UTC unless it is given; a \
time written with an offset (Z, +10:00) or followed by a zone is read in that. The forms: epoch seconds \
(1496300000; 13 digits are milliseconds); ISO 8601 with or without an offset or a fraction (2017-06-01T13:05:42Z, \
2017-06-01T13:05:42.5+10:00, 2017-06-01 13:05, 20170601T130542Z); a date alone (2017-06-01, 2017/06/01, 20170601); \
a 12-hour clock (2017-06-01 1:00 pm, 01-27-2015,01:16PM); a zone after the time or the date (2017-06-01 13:00 \
Australia/Melbourne, 2017-06-01 13:00 AEST, 2017-06-01T13:00[Australia/Melbourne]); and times relative to now: \
now, today, yesterday, this month, last month (the start of that day or month in the zone of --tz), -30s, -30m, \
-2h, -7d, -1w, -1mo, -1y, 2 days ago, 1 month ago. s, m (minutes), h, d (24 hours) and w are exact lengths; mo and \
y are calendar months and years in the zone of --tz, ending on the last day of a month too short for the day \
(31 March less 1mo is the end of February). Options that take a time or a length accept values that start with \
a dash: --start -1d.\n\n\
A date with the year last (06/13/2017, 13-06-2017) is read the one way that makes a date: 06/13/2017 and \
13/06/2017 are both 13 June. One that makes a date both ways (01/06/2017: 6 January or 1 June) is refused with \
both readings; the ISO form (2017-06-01) is never ambiguous.\n\n\
A value that names a whole day or month (a date alone, today, yesterday, this month, last month) means its first \
instant as --start and its last instant as --end, which is inclusive: --start 2017-06-01 --end 2017-06-01 is the \
whole of 1 June.\n\n\
A zone is an IANA name (Australia/Melbourne, in any case) from the system's zone database (/usr/share/zoneinfo, \
or TZDIR), or from the copy built into the tools where the system has none; an abbreviation that stands for one \
offset, which means that offset all year (AEST is +10:00 and AEDT +11:00; name the zone to follow daylight \
saving): UTC, GMT, WET, WEST, BST, CET, CEST, MET, MEST, WAT, EET, EEST, CAT, SAST, EAT, MSK, IDT, PKT, WIB, WITA, \
HKT, AWST, WIT, JST, KST, ACST, ACDT, AEST, AEDT, ChST, NZST, NZDT, SST, HST, HDT, AKST, AKDT, PDT, MST, MDT, EST, \
EDT, AST, ADT, NST, NDT; an offset (+10:00, -0530, UTC+10:00, east of UTC being +); local, the system's zone (TZ, \
else /etc/localtime); or a POSIX TZ string with its rules (AEST-10AEDT,M10.1.0,M4.1.0/3), so that --tz \"$TZ\" \
works. The TZ variable counts only through --tz \
local, so that a command means the same on every machine. PST, CST, CDT and IST stand for several offsets (PST is \
-08:00 in America/Los_Angeles and +08:00 in Asia/Manila) and are refused, naming them.\n\n\
Daylight saving: a time the clocks skipped (2017-10-01 02:30 in Australia/Melbourne, where 02:00 became 03:00) \
is refused; a time that happened twice (2017-04-02 02:30 there, where 03:00 went back to 02:00) is the earlier of \
the two as --start and the later as --end, so that the window holds both.\n\n\
Relative times count from the clock, or from the time in the environment variable CT_NOW when it is set \
(CT_NOW=2017-06-02T17:00:00Z; any form above, UTC unless it names an offset): a query replayed as of a past \
moment, such as yesterday's cron run. A CT_NOW that is not a time is an error.";

/// Why a time argument was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    text: String,
    why: Why,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Why {
    /// Not one of the forms.
    Unreadable,
    /// A date with the year last that is a date both ways: the value rewritten month first
    /// and day first, and how each reads.
    AmbiguousDate { month_first: (String, String), day_first: (String, String) },
    /// The zone written in the value.
    Zone(ZoneError),
    /// A time the clocks skipped: the zone, and the clocks before and after the change.
    Gap { zone: String, before: String, after: String },
    /// `-1M`: minutes or months?
    CapitalM,
    /// Before year 0 or after 9999 once read.
    Range,
    /// Not a length of time.
    Duration,
    /// A length written negative, and how to write it.
    NegativeDuration(String),
}

impl TimeError {
    fn new(text: &str, why: Why) -> Self {
        TimeError { text: text.to_string(), why }
    }

    /// The argument refused.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = &self.text;
        match &self.why {
            Why::Unreadable => write!(f, "cannot read time {text:?}; accepted forms: {FORMATS}"),
            Why::AmbiguousDate { month_first, day_first } => write!(
                f,
                "{text:?} can be read two ways: month first, {} ({}), or day first, {} ({}); write the one you mean",
                month_first.0, month_first.1, day_first.0, day_first.1
            ),
            Why::Zone(e) => write!(f, "cannot read time {text:?}: {e}"),
            Why::Gap { zone, before, after } => write!(
                f,
                "{text:?} did not happen in {zone}: its clocks went from {before} to {after} then; give a time \
                 outside that change, or an offset"
            ),
            Why::CapitalM => write!(f, "cannot read time {text:?}: write m for minutes (-30m) or mo for months (-1mo)"),
            Why::Range => write!(f, "time {text:?} is out of range (years 0000 to 9999)"),
            Why::Duration => {
                write!(
                    f,
                    "cannot read duration {text:?}; a duration is a number and a unit (90s, 30m, 2h, 1d, 1w) or 0"
                )
            }
            Why::NegativeDuration(abs) => {
                write!(f, "duration {text:?} is negative; a duration is a length of time: write {abs}")
            }
        }
    }
}

impl std::error::Error for TimeError {}

impl Time {
    pub fn from_secs(secs: i64) -> Self {
        Time { secs, nanos: 0 }
    }

    /// The clock's time.
    pub fn clock() -> Self {
        let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Time { secs: d.as_secs() as i64, nanos: d.subsec_nanos() }
    }

    /// "Now" for relative times: the clock, or the time `CT_NOW` names (any form a time
    /// argument takes, read in UTC), so that a query can be replayed as of a past moment and
    /// the documented examples run against the 2017 sample trail. A `CT_NOW` that is not a
    /// time is an error, never ignored: a replay must not quietly use the clock.
    pub fn now() -> Result<Self, String> {
        Self::now_from(std::env::var_os("CT_NOW").as_deref())
    }

    fn now_from(var: Option<&std::ffi::OsStr>) -> Result<Self, String> {
        let clock = Self::clock();
        let Some(var) = var else { return Ok(clock) };
        let text = var.to_str().ok_or("CT_NOW is not UTF-8")?;
        parse(text, clock).map_err(|e| format!("CT_NOW: {e}"))
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

    /// The same instant for jiff; `None` outside its years (-9999 to 9999).
    pub fn to_timestamp(self) -> Option<Timestamp> {
        Timestamp::new(self.secs, self.nanos as i32).ok()
    }

    /// A jiff instant.
    pub fn from_timestamp(t: Timestamp) -> Self {
        let n = t.as_nanosecond();
        Time { secs: n.div_euclid(1_000_000_000) as i64, nanos: n.rem_euclid(1_000_000_000) as u32 }
    }

    /// The instant one nanosecond before: the last instant of a period that ends where the
    /// next begins.
    fn just_before(self) -> Self {
        match self.nanos {
            0 => Time { secs: self.secs - 1, nanos: 999_999_999 },
            n => Time { secs: self.secs, nanos: n - 1 },
        }
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

/// Which end of a window a time argument gives: a value naming a whole day or month means
/// its first instant as the start and its last as the end; a time the clocks showed twice
/// is the earlier as the start and the later as the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Start,
    End,
}

/// Reads time arguments against one `now`, in one zone for times written without one.
#[derive(Debug, Clone)]
pub struct TimeReader {
    now: Time,
    zone: Zone,
}

impl TimeReader {
    pub fn new(now: Time, zone: Zone) -> Self {
        TimeReader { now, zone }
    }

    /// The zone of times written without one.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// A time given as the start of a window (or as a point in time).
    pub fn start(&self, text: &str) -> Result<Time, TimeError> {
        self.read(text, Edge::Start)
    }

    /// A time given as the inclusive end of a window: a date alone is the end of that day.
    pub fn end(&self, text: &str) -> Result<Time, TimeError> {
        self.read(text, Edge::End)
    }

    /// `--start` and `--end` as given, each optional; `Err` is a usage message naming the
    /// option, or saying that the window ends before it starts.
    pub fn window(&self, start: Option<&str>, end: Option<&str>) -> Result<(Option<Time>, Option<Time>), String> {
        let start = start.map(|s| self.start(s)).transpose().map_err(|e| format!("--start: {e}"))?;
        let end = end.map(|s| self.end(s)).transpose().map_err(|e| format!("--end: {e}"))?;
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            return Err(format!("--start {s} is after --end {e}"));
        }
        Ok((start, end))
    }

    /// Reads a time argument as one end of a window.
    pub fn read(&self, text: &str, edge: Edge) -> Result<Time, TimeError> {
        let err = |why| TimeError::new(text, why);
        let orig = text.trim();
        let lower = orig.to_ascii_lowercase();
        let words = lower.split_whitespace().collect::<Vec<_>>().join(" ");
        if words.is_empty() {
            return Err(err(Why::Unreadable));
        }
        let tz = self.zone.time_zone();
        match words.as_str() {
            "now" => return Ok(self.now),
            "today" => return self.period(0, Span::new().days(1), edge).ok_or_else(|| err(Why::Range)),
            "yesterday" => return self.period(1, Span::new().days(1), edge).ok_or_else(|| err(Why::Range)),
            "this month" => return self.period(0, Span::new().months(1), edge).ok_or_else(|| err(Why::Range)),
            "last month" => return self.period(1, Span::new().months(1), edge).ok_or_else(|| err(Why::Range)),
            _ => {}
        }
        if let Some((n, unit)) = relative(&words, orig).map_err(err)? {
            return match unit {
                Unit::Fixed(secs) => n
                    .checked_mul(secs)
                    .and_then(|back| self.now.secs.checked_sub(back))
                    .map(|secs| Time { secs, nanos: self.now.nanos })
                    .ok_or_else(|| err(Why::Range)),
                Unit::Months | Unit::Years => {
                    let span = if unit == Unit::Months { Span::new().try_months(n) } else { Span::new().try_years(n) };
                    span.ok()
                        .zip(self.now.to_timestamp())
                        .and_then(|(span, now)| now.to_zoned_datetime(tz.clone()).checked_sub(span).ok())
                        .map(|z| Time::from_timestamp(z.timestamp()))
                        .ok_or_else(|| err(Why::Range))
                }
            };
        }
        if lower.bytes().all(|b| b.is_ascii_digit()) && lower.len() != 8 {
            let n: i64 = lower.parse().map_err(|_| err(Why::Unreadable))?;
            return Ok(if lower.len() >= 13 {
                Time { secs: n.div_euclid(1000), nanos: (n.rem_euclid(1000) * 1_000_000) as u32 }
            } else {
                Time::from_secs(n)
            });
        }
        let written = absolute(orig, &lower, true).map_err(err)?;
        resolve(&written, &self.zone, edge).map_err(err)
    }

    /// The first or last instant of the day or month `back` periods before the current one,
    /// in the reader's zone.
    fn period(&self, back: i64, length: Span, edge: Edge) -> Option<Time> {
        let tz = self.zone.time_zone();
        let today = self.now.to_timestamp()?.to_zoned_datetime(tz.clone()).date();
        let first = if length.get_months() != 0 { today.first_of_month() } else { today };
        let first = first.checked_sub(length.checked_mul(back).ok()?).ok()?;
        match edge {
            Edge::Start => day_start(first, tz),
            Edge::End => day_start(first.checked_add(length).ok()?, tz).map(Time::just_before),
        }
    }
}

/// Parses a time argument as a start, in UTC; relative forms count back from `now`.
pub fn parse(text: &str, now: Time) -> Result<Time, TimeError> {
    TimeReader::new(now, Zone::utc()).start(text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// An exact length, in seconds.
    Fixed(i64),
    Months,
    Years,
}

fn unit(text: &str) -> Option<Unit> {
    Some(match text {
        "s" | "sec" | "secs" | "second" | "seconds" => Unit::Fixed(1),
        "m" | "min" | "mins" | "minute" | "minutes" => Unit::Fixed(60),
        "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Fixed(3600),
        "d" | "day" | "days" => Unit::Fixed(86_400),
        "w" | "wk" | "wks" | "week" | "weeks" => Unit::Fixed(7 * 86_400),
        "mo" | "mon" | "mons" | "month" | "months" => Unit::Months,
        "y" | "yr" | "yrs" | "year" | "years" => Unit::Years,
        _ => return None,
    })
}

/// `-2h`, `-7d`, `-1mo`, `2 days ago`, `a month ago`: how many of which unit back from now;
/// `None` when `words` (lower case, single spaces) is not of that shape.
fn relative(words: &str, orig: &str) -> Result<Option<(i64, Unit)>, Why> {
    let span = match words.strip_prefix('-') {
        Some(rest) => rest.trim_start(),
        None => match words.strip_suffix("ago") {
            Some(rest) => rest.trim_end(),
            None => return Ok(None),
        },
    };
    if span == "0" {
        return Ok(Some((0, Unit::Fixed(1))));
    }
    let (n, unit_text) = if let Some(rest) = span.strip_prefix("a ").or_else(|| span.strip_prefix("an ")) {
        (1, rest)
    } else {
        let split = span.find(|c: char| !c.is_ascii_digit()).unwrap_or(span.len());
        let Ok(n) = span[..split].parse::<i64>() else { return Ok(None) };
        (n, span[split..].trim())
    };
    if unit_text == "m" && orig.contains('M') {
        return Err(Why::CapitalM);
    }
    Ok(unit(unit_text).map(|u| (n, u)))
}

/// A length of time in seconds: a number and a unit (`90s`, `30m`, `1h`, `2 days`, `1w`);
/// `0` alone is zero. `None` for anything else.
pub fn duration(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    if t == "0" {
        return Some(0);
    }
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit_text) = (&t[..split], t[split..].trim());
    let n: i64 = num.parse().ok()?;
    match unit(unit_text)? {
        Unit::Fixed(secs) => n.checked_mul(secs),
        Unit::Months | Unit::Years => None,
    }
}

/// [`duration`] for an option: `Err` says what a duration is, and that `-5m` is written `5m`.
pub fn parse_duration(text: &str) -> Result<i64, TimeError> {
    if let Some(d) = duration(text) {
        return Ok(d);
    }
    let t = text.trim();
    match t.strip_prefix('-') {
        Some(abs) if duration(abs).is_some() => Err(TimeError::new(text, Why::NegativeDuration(abs.trim().into()))),
        _ => Err(TimeError::new(text, Why::Duration)),
    }
}

/// A time as written: a date, a clock unless it is a date alone, a zone when one follows.
struct Written {
    date: Date,
    clock: Option<civil::Time>,
    zone: Option<Zone>,
}

/// The instant a written time stands for, as `edge` of a window.
fn resolve(w: &Written, default: &Zone, edge: Edge) -> Result<Time, Why> {
    let zone = w.zone.as_ref().unwrap_or(default);
    let tz = zone.time_zone();
    let Some(clock) = w.clock else {
        return match edge {
            Edge::Start => day_start(w.date, tz).ok_or(Why::Range),
            Edge::End => w.date.tomorrow().ok().and_then(|d| day_start(d, tz)).map(Time::just_before).ok_or(Why::Range),
        };
    };
    let amb = tz.to_ambiguous_timestamp(w.date.to_datetime(clock));
    let t = match amb.offset() {
        AmbiguousOffset::Unambiguous { .. } => amb.compatible(),
        AmbiguousOffset::Fold { .. } if edge == Edge::End => amb.later(),
        AmbiguousOffset::Fold { .. } => amb.earlier(),
        AmbiguousOffset::Gap { before, after } => {
            // The change: the first transition after the written clock read with the later
            // offset (an instant before the gap).
            let change = civil_timestamp(w.date.to_datetime(clock), after)
                .and_then(|t| tz.following(t).next())
                .map(|tr| tr.timestamp());
            let (before, after) = match change {
                Some(c) => (
                    format!("{} ({})", hh_mm(before, c), zone::offset_text(before.seconds())),
                    format!("{} ({})", hh_mm(after, c), zone::offset_text(after.seconds())),
                ),
                None => (zone::offset_text(before.seconds()), zone::offset_text(after.seconds())),
            };
            return Err(Why::Gap { zone: zone.name().to_string(), before, after });
        }
    };
    t.map(Time::from_timestamp).map_err(|_| Why::Range)
}

/// The clock at `t` with `offset`: `02:00`.
fn hh_mm(offset: jiff::tz::Offset, t: Timestamp) -> String {
    let clock = offset.to_datetime(t).time();
    format!("{:02}:{:02}", clock.hour(), clock.minute())
}

fn civil_timestamp(dt: civil::DateTime, offset: jiff::tz::Offset) -> Option<Timestamp> {
    offset.to_timestamp(dt).ok()
}

/// The first instant of a day in a zone (not always midnight: where the clocks skip
/// midnight, the first that is on them).
fn day_start(date: Date, tz: &TimeZone) -> Option<Time> {
    let z = date.to_zoned_datetime(tz.clone()).ok()?.start_of_day().ok()?;
    Some(Time::from_timestamp(z.timestamp()))
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
    /// Skips spaces; whether there were any.
    fn skip_spaces(&mut self) -> bool {
        let start = self.i;
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
        self.i > start
    }
    fn done(&self) -> bool {
        self.i == self.s.len()
    }
}

/// A written date and time: `orig` as given (trimmed), `t` the same in lower case. Zone
/// names after the time are read only with `names` (an event time has an offset or none).
fn absolute(orig: &str, t: &str, names: bool) -> Result<Written, Why> {
    let mut c = Cur { s: t.as_bytes(), i: 0 };
    let (y, m, d) = date(&mut c, orig)?;
    if !(0..=9999).contains(&y) {
        return Err(Why::Range);
    }
    let date = Date::new(y as i16, m as i8, d as i8).map_err(|_| Why::Unreadable)?;
    if c.done() {
        return Ok(Written { date, clock: None, zone: None });
    }
    // Date and time are separated by T, a space or a comma (`01-27-2015,01:16PM`); a date
    // alone may be followed by a space and a zone.
    let spaced = c.peek() == Some(b' ');
    if !(c.eat(b't') || c.eat(b',') || c.eat(b' ')) {
        return Err(Why::Unreadable);
    }
    c.skip_spaces();
    let clock = if c.peek().is_some_and(|b| b.is_ascii_digit()) {
        let (h, mi, s, nanos) = clock(&mut c).ok_or(Why::Unreadable)?;
        Some(civil::Time::new(h as i8, mi as i8, s as i8, nanos as i32).map_err(|_| Why::Unreadable)?)
    } else if spaced {
        None
    } else {
        return Err(Why::Unreadable);
    };
    let spaced = c.skip_spaces() || clock.is_none();
    let zone = if c.done() { None } else { Some(written_zone(&orig[c.i..], &mut c, spaced, names)?) };
    Ok(Written { date, clock, zone })
}

/// The zone after a written time: `Z`, `UTC`, `+HH:MM`, `-HHMM`, `+HH` (which may be followed
/// by a bracketed zone name, as RFC 9557 writes it: the offset counts), and with `names` any
/// zone [`Zone::parse`] reads, bare or in brackets. A name that is not a zone is an error
/// about zones when spaced from the time or bracketed, and an unreadable time otherwise
/// (`13:05Zjunk`).
fn written_zone(orig: &str, c: &mut Cur<'_>, spaced: bool, names: bool) -> Result<Zone, Why> {
    let rest = &c.s[c.i..];
    if rest == b"z" || rest == b"utc" || rest == b"gmt" {
        return Ok(Zone::utc());
    }
    if matches!(rest.first(), Some(b'+' | b'-')) {
        let sign = if c.eat(b'+') { 1 } else { c.eat(b'-').then_some(-1).ok_or(Why::Unreadable)? };
        let h = c.digits(2, 2).ok_or(Why::Unreadable)?;
        c.eat(b':');
        let m = if c.done() || c.peek() == Some(b'[') { 0 } else { c.digits(2, 2).ok_or(Why::Unreadable)? };
        if h >= 24 || m >= 60 {
            return Err(Why::Unreadable);
        }
        let bracket = &c.s[c.i..];
        if !(c.done() || (names && bracket.starts_with(b"[") && bracket.ends_with(b"]"))) {
            return Err(Why::Unreadable);
        }
        return Zone::fixed(sign * (h as i32 * 3600 + m as i32 * 60)).ok_or(Why::Unreadable);
    }
    if !names {
        return Err(Why::Unreadable);
    }
    let (name, bracketed) = match orig.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(inner) => (inner, true),
        None => (orig, false),
    };
    match Zone::parse(name) {
        Ok(zone) => Ok(zone),
        Err(ZoneError::Unknown { .. }) if !(spaced || bracketed) => Err(Why::Unreadable),
        Err(e) => Err(Why::Zone(e)),
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, and with the year last (`MM/DD/YYYY`,
/// `DD/MM/YYYY`, also with dashes) read the one way that makes a date, refused when both do.
fn date(c: &mut Cur<'_>, orig: &str) -> Result<(i64, u32, u32), Why> {
    let valid = |y: i64, m: i64, d: i64| (1..=12).contains(&m) && d >= 1 && d <= i64::from(days_in_month(y, m as u32));
    let start = c.i;
    let first = c.digits(1, 8).ok_or(Why::Unreadable)?;
    let len = c.i - start;
    let (y, m, d) = if len == 8 {
        (first / 10_000, first / 100 % 100, first % 100)
    } else {
        let sep = c.peek().filter(|&b| b == b'-' || b == b'/').ok_or(Why::Unreadable)?;
        c.i += 1;
        let second = c.digits(1, 2).ok_or(Why::Unreadable)?;
        if !c.eat(sep) {
            return Err(Why::Unreadable);
        }
        if len == 4 {
            (first, second, c.digits(1, 2).ok_or(Why::Unreadable)?)
        } else if len <= 2 {
            let year = c.digits(4, 4).ok_or(Why::Unreadable)?;
            match (valid(year, first, second), valid(year, second, first)) {
                (true, true) if first != second => {
                    let rest = &orig[c.i..];
                    let reading = |m: i64, d: i64| {
                        (format!("{year:04}-{m:02}-{d:02}{rest}"), format!("{d} {} {year}", MONTHS[m as usize - 1]))
                    };
                    return Err(Why::AmbiguousDate {
                        month_first: reading(first, second),
                        day_first: reading(second, first),
                    });
                }
                (false, true) => (year, second, first),
                _ => (year, first, second),
            }
        } else {
            return Err(Why::Unreadable);
        }
    };
    if !valid(y, m, d) {
        return Err(Why::Unreadable);
    }
    Ok((y, m as u32, d as u32))
}

/// `HH:MM[:SS[.frac]]`, `HHMMSS`, with an optional `am`/`pm` (also `1 pm`): hours, minutes,
/// seconds (a leap second read as 59) and nanoseconds.
fn clock(c: &mut Cur<'_>) -> Option<(i64, i64, i64, u32)> {
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
    let before_spaces = c.i;
    c.skip_spaces();
    let rest = &c.s[c.i..];
    // am or pm, not the start of a zone's name (America/...).
    let word_ends = |n: usize| rest.get(n).is_none_or(|b| !b.is_ascii_alphabetic() && *b != b'/');
    let meridiem = if rest.starts_with(b"a.m.") || (rest.starts_with(b"am") && word_ends(2)) {
        Some(false)
    } else if rest.starts_with(b"p.m.") || (rest.starts_with(b"pm") && word_ends(2)) {
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
    } else {
        // An hour alone must be followed by a zone, or nothing.
        if c.i - start <= 2
            && !rest.is_empty()
            && !(matches!(rest[0], b'z' | b'+' | b'-' | b'[') || rest[0].is_ascii_alphabetic())
        {
            return None;
        }
        c.i = before_spaces;
    }
    (h < 24 && m < 60 && s < 61).then_some((h, m, s.min(59), nanos))
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

/// Reads an event time as CloudTrail writes it (`2017-06-01T13:05:42Z`) quickly, and any other
/// ISO 8601 form through the general parser (UTC when it has no offset).
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
    let written = absolute(s, &s.to_ascii_lowercase(), false).ok()?;
    resolve(&written, &Zone::utc(), Edge::Start).ok()
}

#[cfg(test)]
mod tests;
