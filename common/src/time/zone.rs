//! Time zones by name: IANA names from the system's zone database (the copy built into the
//! tools where the system has none), abbreviations that stand for one offset, fixed offsets,
//! and `local`.

use std::fmt;

use jiff::tz::{Offset, TimeZone};

/// A time zone as the user named it: what times written without an offset are read in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    tz: TimeZone,
    name: String,
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Why a zone name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneError {
    /// No zone has this name; names of the database whose last part matches it.
    Unknown { name: String, suggestions: Vec<String> },
    /// An abbreviation that zones use for different offsets: (offset, a zone using it).
    Ambiguous { abbreviation: String, candidates: &'static [(i32, &'static str)] },
    /// `local`, on a system whose zone is not known.
    NoLocal(String),
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZoneError::Unknown { name, suggestions } => {
                write!(f, "unknown time zone {name:?}")?;
                if !suggestions.is_empty() {
                    write!(f, " (did you mean {}?)", suggestions.join(" or "))?;
                }
                f.write_str(
                    "; a zone is an IANA name (Australia/Melbourne), an abbreviation that stands for one \
                     offset (AEST), an offset (+10:00), UTC, or local",
                )
            }
            ZoneError::Ambiguous { abbreviation, candidates } => {
                write!(f, "{abbreviation} stands for more than one offset: ")?;
                for (i, (secs, zone)) in candidates.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{} ({zone})", offset_text(*secs))?;
                }
                f.write_str("; write the offset, or the zone's name")
            }
            ZoneError::NoLocal(why) => {
                write!(f, "the system's time zone is not known ({why}); set TZ, or name the zone (Australia/Melbourne)")
            }
        }
    }
}

impl std::error::Error for ZoneError {}

/// Abbreviations in use in the IANA database (2025), each with the offsets it stands for and
/// one zone that uses it at that offset. An abbreviation of one offset means that fixed
/// offset all year (AEST is +10:00 even in summer; name the zone to follow daylight saving);
/// one that zones use for different offsets is refused, naming them. `UT` and `Z` are not
/// the database's, but ISO 8601's and RFC 5322's names of UTC.
pub const ABBREVIATIONS: &[(&str, &[(i32, &str)])] = &[
    ("UTC", &[(0, "Etc/UTC")]),
    ("UT", &[(0, "Etc/UTC")]),
    ("Z", &[(0, "Etc/UTC")]),
    ("GMT", &[(0, "Europe/London")]),
    ("WET", &[(0, "Europe/Lisbon")]),
    ("WEST", &[(H, "Europe/Lisbon")]),
    ("BST", &[(H, "Europe/London")]),
    ("CET", &[(H, "Europe/Paris")]),
    ("CEST", &[(2 * H, "Europe/Paris")]),
    ("MET", &[(H, "MET")]),
    ("MEST", &[(2 * H, "MET")]),
    ("WAT", &[(H, "Africa/Lagos")]),
    ("EET", &[(2 * H, "Europe/Athens")]),
    ("EEST", &[(3 * H, "Europe/Athens")]),
    ("CAT", &[(2 * H, "Africa/Maputo")]),
    ("SAST", &[(2 * H, "Africa/Johannesburg")]),
    ("EAT", &[(3 * H, "Africa/Nairobi")]),
    ("MSK", &[(3 * H, "Europe/Moscow")]),
    ("IDT", &[(3 * H, "Asia/Jerusalem")]),
    ("PKT", &[(5 * H, "Asia/Karachi")]),
    ("WIB", &[(7 * H, "Asia/Jakarta")]),
    ("WITA", &[(8 * H, "Asia/Makassar")]),
    ("HKT", &[(8 * H, "Asia/Hong_Kong")]),
    ("AWST", &[(8 * H, "Australia/Perth")]),
    ("WIT", &[(9 * H, "Asia/Jayapura")]),
    ("JST", &[(9 * H, "Asia/Tokyo")]),
    ("KST", &[(9 * H, "Asia/Seoul")]),
    ("ACST", &[(9 * H + 30 * M, "Australia/Adelaide")]),
    ("ACDT", &[(10 * H + 30 * M, "Australia/Adelaide")]),
    ("AEST", &[(10 * H, "Australia/Sydney")]),
    ("AEDT", &[(11 * H, "Australia/Sydney")]),
    ("ChST", &[(10 * H, "Pacific/Guam")]),
    ("NZST", &[(12 * H, "Pacific/Auckland")]),
    ("NZDT", &[(13 * H, "Pacific/Auckland")]),
    ("SST", &[(-11 * H, "Pacific/Pago_Pago")]),
    ("HST", &[(-10 * H, "Pacific/Honolulu")]),
    ("HDT", &[(-9 * H, "America/Adak")]),
    ("AKST", &[(-9 * H, "America/Anchorage")]),
    ("AKDT", &[(-8 * H, "America/Anchorage")]),
    ("PDT", &[(-7 * H, "America/Los_Angeles")]),
    ("MST", &[(-7 * H, "America/Denver")]),
    ("MDT", &[(-6 * H, "America/Denver")]),
    ("EST", &[(-5 * H, "America/New_York")]),
    ("EDT", &[(-4 * H, "America/New_York")]),
    ("AST", &[(-4 * H, "America/Halifax")]),
    ("ADT", &[(-3 * H, "America/Halifax")]),
    ("NST", &[(-3 * H - 30 * M, "America/St_Johns")]),
    ("NDT", &[(-2 * H - 30 * M, "America/St_Johns")]),
    // Refused: each stands for several offsets.
    ("PST", &[(-8 * H, "America/Los_Angeles"), (8 * H, "Asia/Manila")]),
    ("CST", &[(-6 * H, "America/Chicago"), (-5 * H, "America/Havana"), (8 * H, "Asia/Shanghai")]),
    ("CDT", &[(-5 * H, "America/Chicago"), (-4 * H, "America/Havana")]),
    ("IST", &[(5 * H + 30 * M, "Asia/Kolkata"), (2 * H, "Asia/Jerusalem"), (H, "Europe/Dublin")]),
];

const H: i32 = 3600;
const M: i32 = 60;

/// `+10:00`, `-03:30`.
pub(crate) fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

impl Zone {
    /// UTC, the zone of times written without one unless the user names another.
    pub fn utc() -> Zone {
        Zone { tz: TimeZone::UTC, name: "UTC".into() }
    }

    /// A fixed offset east of UTC, in seconds (less than a day).
    pub fn fixed(secs: i32) -> Option<Zone> {
        let offset = Offset::from_seconds(secs).ok()?;
        Some(Zone { tz: TimeZone::fixed(offset), name: offset_text(secs) })
    }

    /// Reads a zone: an IANA name (`Australia/Melbourne`, any case), an abbreviation of
    /// [`ABBREVIATIONS`] that stands for one offset (`AEST`), an offset (`+10:00`, `-0530`,
    /// `+10`, `UTC+10:00`: east of UTC is +, as ISO 8601 and AWS write it), `UTC`, `local`
    /// (the system's zone: `TZ`, else /etc/localtime), or a POSIX TZ string with its rules
    /// (`AEST-10AEDT,M10.1.0,M4.1.0/3`), so that `--tz "$TZ"` works. A leading `:` is
    /// dropped, as in `TZ`.
    pub fn parse(text: &str) -> Result<Zone, ZoneError> {
        let t = text.trim();
        let t = t.strip_prefix(':').unwrap_or(t);
        let unknown = || ZoneError::Unknown { name: t.to_string(), suggestions: suggestions(t) };
        if t.eq_ignore_ascii_case("local") {
            let tz = TimeZone::try_system().map_err(|e| ZoneError::NoLocal(e.to_string()))?;
            let name = match tz.iana_name() {
                Some(n) => format!("local ({n})"),
                None => "local".to_string(),
            };
            return Ok(Zone { tz, name });
        }
        if let Some(zone) = abbreviation(t)? {
            return Ok(zone);
        }
        if let Some(secs) = offset(t) {
            return Zone::fixed(secs).ok_or_else(unknown);
        }
        if t.is_empty() || t.eq_ignore_ascii_case("Etc/Unknown") {
            return Err(unknown());
        }
        if let Ok(tz) = TimeZone::get(t) {
            let name = tz.iana_name().unwrap_or(t).to_string();
            return Ok(Zone { tz, name });
        }
        // Only with its rules: a bare `UTC10` is POSIX for ten hours *behind* UTC, which is
        // not what anyone writing it on a command line means.
        if t.contains(',')
            && t.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'<')
            && let Ok(tz) = TimeZone::posix(t)
        {
            return Ok(Zone { tz, name: t.to_string() });
        }
        Err(unknown())
    }

    /// `parse` for clap's `value_parser`.
    pub fn parse_arg(text: &str) -> Result<Zone, String> {
        Zone::parse(text).map_err(|e| e.to_string())
    }

    /// The name to show: the IANA name, `AEST (+10:00)`, `+10:00`, `local (NAME)`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone itself, for arithmetic and display with jiff.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }
}

/// The fixed offset of an abbreviation, `None` when `t` is none, an error when it stands for
/// several.
fn abbreviation(t: &str) -> Result<Option<Zone>, ZoneError> {
    let Some((abbr, offsets)) = ABBREVIATIONS.iter().find(|(a, _)| a.eq_ignore_ascii_case(t)) else {
        return Ok(None);
    };
    match offsets {
        [(secs, _)] => {
            let zone = Zone::fixed(*secs).map(|z| match *abbr {
                "UTC" | "UT" | "Z" => Zone::utc(),
                _ => Zone { name: format!("{abbr} ({})", z.name), ..z },
            });
            Ok(zone)
        }
        _ => Err(ZoneError::Ambiguous { abbreviation: abbr.to_string(), candidates: offsets }),
    }
}

/// `+10:00`, `+1000`, `+10`, `+9:30`, with an optional `UTC` or `GMT` before: seconds east
/// of UTC.
pub(crate) fn offset(t: &str) -> Option<i32> {
    let lower = t.to_ascii_lowercase();
    let rest = ["utc", "gmt", "ut"].iter().find_map(|p| lower.strip_prefix(p)).unwrap_or(&lower);
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) if (1..=2).contains(&h.len()) && m.len() == 2 => (h, m),
        None if (1..=2).contains(&digits.len()) => (digits, "0"),
        None if digits.len() == 4 => digits.split_at(2),
        _ => return None,
    };
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// Names of the zone database whose last part is `t` (any case, spaces for underscores):
/// `Melbourne` -> `Australia/Melbourne`.
fn suggestions(t: &str) -> Vec<String> {
    let want = t.rsplit('/').next().unwrap_or(t).replace(' ', "_");
    if want.len() < 3 || !want.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Vec::new();
    }
    let mut found: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| n.contains('/') && n.rsplit('/').next().is_some_and(|last| last.eq_ignore_ascii_case(&want)))
        .collect();
    found.sort();
    found.truncate(4);
    found
}
