//! The zone times are shown in, and how a time or a bucket of times is written.
//!
//! Zones come from jiff: the system's zoneinfo (`/usr/share/zoneinfo`, or `TZDIR`) first, and
//! the copy of the IANA database built into the binary where the machine has none.

use ct_common::time::{self, ZoneError};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{RoundMode, Timestamp, Unit, ZonedDateTime, ZonedDateTimeRound};

/// Where times are shown.
#[derive(Debug, Clone)]
pub struct Zone {
    tz: TimeZone,
    /// UTC itself (by default, or `--tz UTC`): written `Z` and `UTC` rather than `+00:00`.
    utc: bool,
}

/// How precise a bucket of times is (`time/hour`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    Minute,
    Hour,
    Day,
    Month,
}

impl Bucket {
    pub const NAMES: &'static str = "minute, hour, day or month";

    pub fn parse(s: &str) -> Option<Bucket> {
        Some(match s {
            "minute" => Bucket::Minute,
            "hour" => Bucket::Hour,
            "day" => Bucket::Day,
            "month" => Bucket::Month,
            _ => return None,
        })
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone { tz: TimeZone::UTC, utc: true }
    }
}

impl Zone {
    /// `--tz NAME`, read as every tool reads it (`ct_common::time::Zone`): an IANA name
    /// (`Australia/Melbourne`), an abbreviation of one offset (`AEST`), an offset (`+10:00`),
    /// `UTC`, `local`, or a POSIX TZ string with its rules. An IANA name the system's
    /// database lacks is looked up in the copy built in.
    pub fn named(name: &str) -> Result<Zone, String> {
        match time::Zone::parse(name) {
            Ok(zone) => Ok(Zone::of(zone.time_zone().clone())),
            Err(e @ ZoneError::Unknown { .. }) => match TimeZoneDatabase::bundled().get(name.trim()) {
                Ok(tz) => Ok(Zone::of(tz)),
                Err(_) => Err(format!("--tz: {e}")),
            },
            Err(e) => Err(format!("--tz: {e}")),
        }
    }

    /// `--local`: the zone `TZ` names (as `--tz` reads it), else the system's
    /// (`/etc/localtime`).
    pub fn local() -> Result<Zone, String> {
        if let Ok(name) = std::env::var("TZ")
            && !name.trim().is_empty()
            && let Ok(zone) = Zone::named(&name)
        {
            return Ok(zone);
        }
        let tz = TimeZone::try_system().map_err(|e| format!("cannot tell the system's time zone: {e}"))?;
        Ok(Zone::of(tz))
    }

    /// UTC itself is written `Z` and `UTC`; any other zone with its offset.
    fn of(tz: TimeZone) -> Zone {
        let utc = tz == TimeZone::UTC
            || matches!(
                tz.iana_name(),
                Some("UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Etc/Universal" | "Universal" | "Etc/Zulu" | "Zulu")
            );
        Zone { tz, utc }
    }

    fn zoned(&self, t: Timestamp) -> ZonedDateTime {
        t.to_zoned_datetime(self.tz.clone())
    }

    /// For people: `2017-06-01 13:00:12 UTC`, `2017-06-01 23:00:12 +10:00`.
    pub fn readable(&self, t: Timestamp) -> String {
        let z = self.zoned(t);
        if self.utc {
            z.strftime("%Y-%m-%d %H:%M:%S%.f UTC").to_string()
        } else {
            z.strftime("%Y-%m-%d %H:%M:%S%.f %:z").to_string()
        }
    }

    /// ISO 8601 with the offset: `2017-06-01T13:00:12Z` (as AWS writes it), `2017-06-01T23:00:12+10:00`.
    pub fn iso(&self, t: Timestamp) -> String {
        let z = self.zoned(t);
        if self.utc {
            z.strftime("%Y-%m-%dT%H:%M:%S%.fZ").to_string()
        } else {
            z.strftime("%Y-%m-%dT%H:%M:%S%.f%:z").to_string()
        }
    }

    /// The start of the bucket that holds `t`, in this zone (its days, its hours).
    pub fn bucket(&self, t: Timestamp, unit: Bucket) -> Timestamp {
        let z = self.zoned(t);
        let start = match unit {
            Bucket::Minute | Bucket::Hour => {
                let unit = if unit == Bucket::Minute { Unit::Minute } else { Unit::Hour };
                // Rounding down can land in a gap or fold of the zone; the hour then keeps t's
                // own offset, and a bucket never starts after t.
                z.round(ZonedDateTimeRound::new().smallest(unit).mode(RoundMode::Trunc))
                    .ok()
                    .filter(|s| s.timestamp() <= t)
            }
            Bucket::Day => z.start_of_day().ok(),
            Bucket::Month => z.first_of_month().ok().and_then(|m| m.start_of_day().ok()),
        };
        start.map_or(t, |s| s.timestamp())
    }

    /// A bucket for people: `2017-06-01 13:00 +10:00` (minutes, hours), `2017-06-01` (days),
    /// `2017-06` (months); `iso` writes minutes and hours as ISO 8601 times.
    pub fn bucket_text(&self, start: Timestamp, unit: Bucket, iso: bool) -> String {
        let z = self.zoned(start);
        match unit {
            Bucket::Minute | Bucket::Hour if iso => self.iso(start),
            Bucket::Minute | Bucket::Hour => {
                if self.utc {
                    z.strftime("%Y-%m-%d %H:%M UTC").to_string()
                } else {
                    z.strftime("%Y-%m-%d %H:%M %:z").to_string()
                }
            }
            Bucket::Day => z.strftime("%Y-%m-%d").to_string(),
            Bucket::Month => z.strftime("%Y-%m").to_string(),
        }
    }
}

/// A time as records write it (`2017-06-01T13:00:12Z`, with or without fractions, any
/// offset); `None` for anything else, which is then shown as it is.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    if s.len() < 20 || !s.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    s.parse::<Timestamp>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        parse_time(s).unwrap()
    }

    #[test]
    fn utc_by_default_as_aws_writes_it_and_readable_in_tables() {
        let z = Zone::default();
        assert_eq!(z.iso(t("2017-06-01T13:00:12Z")), "2017-06-01T13:00:12Z");
        assert_eq!(z.readable(t("2017-06-01T13:00:12Z")), "2017-06-01 13:00:12 UTC");
        assert_eq!(z.iso(t("2017-06-01T13:00:12.250Z")), "2017-06-01T13:00:12.25Z");
        assert_eq!(z.iso(t("2017-06-01T23:00:12+10:00")), "2017-06-01T13:00:12Z");
        assert_eq!(Zone::named("UTC").unwrap().iso(t("2017-06-01T13:00:12Z")), "2017-06-01T13:00:12Z");
    }

    #[test]
    fn melbourne_on_both_sides_of_its_daylight_saving_changes() {
        let z = Zone::named("Australia/Melbourne").unwrap();
        // Daylight saving ended at 03:00 AEDT on 2017-04-02 (16:00 UTC on the 1st).
        assert_eq!(z.iso(t("2017-04-01T15:59:59Z")), "2017-04-02T02:59:59+11:00");
        assert_eq!(z.iso(t("2017-04-01T16:00:00Z")), "2017-04-02T02:00:00+10:00");
        // And began at 02:00 AEST on 2017-10-01 (16:00 UTC on 30 September).
        assert_eq!(z.readable(t("2017-09-30T15:59:59Z")), "2017-10-01 01:59:59 +10:00");
        assert_eq!(z.readable(t("2017-09-30T16:00:00Z")), "2017-10-01 03:00:00 +11:00");
        assert_eq!(z.readable(t("2017-06-01T13:00:12Z")), "2017-06-01 23:00:12 +10:00");
    }

    #[test]
    fn buckets_are_the_zones_own_hours_days_and_months() {
        let utc = Zone::default();
        let mel = Zone::named("Australia/Melbourne").unwrap();
        let at = t("2017-06-01T14:35:12Z");
        assert_eq!(utc.bucket(at, Bucket::Hour), t("2017-06-01T14:00:00Z"));
        assert_eq!(utc.bucket(at, Bucket::Minute), t("2017-06-01T14:35:00Z"));
        assert_eq!(utc.bucket_text(utc.bucket(at, Bucket::Day), Bucket::Day, false), "2017-06-01");
        // 00:35 on the 2nd in Melbourne.
        assert_eq!(mel.bucket_text(mel.bucket(at, Bucket::Day), Bucket::Day, false), "2017-06-02");
        assert_eq!(mel.bucket(at, Bucket::Day), t("2017-06-01T14:00:00Z"));
        assert_eq!(mel.bucket_text(mel.bucket(at, Bucket::Month), Bucket::Month, true), "2017-06");
        assert_eq!(mel.bucket_text(mel.bucket(at, Bucket::Hour), Bucket::Hour, false), "2017-06-02 00:00 +10:00");
        assert_eq!(mel.bucket_text(mel.bucket(at, Bucket::Hour), Bucket::Hour, true), "2017-06-02T00:00:00+10:00");
        // The repeated hour at the end of daylight saving is two buckets.
        let first = mel.bucket(t("2017-04-01T15:30:00Z"), Bucket::Hour);
        let second = mel.bucket(t("2017-04-01T16:30:00Z"), Bucket::Hour);
        assert_eq!(mel.bucket_text(first, Bucket::Hour, false), "2017-04-02 02:00 +11:00");
        assert_eq!(mel.bucket_text(second, Bucket::Hour, false), "2017-04-02 02:00 +10:00");
        assert_ne!(first, second);
        // India's half-hour offset: hours start at :30 UTC.
        let kolkata = Zone::named("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.bucket(at, Bucket::Hour), t("2017-06-01T14:30:00Z"));
    }

    /// The copy of the IANA database built in answers as the system's does.
    #[test]
    fn the_built_in_database_knows_melbournes_daylight_saving() {
        let tz = TimeZoneDatabase::bundled().get("Australia/Melbourne").expect("built in");
        let z = Zone { tz, utc: false };
        assert_eq!(z.iso(t("2017-04-01T15:59:59Z")), "2017-04-02T02:59:59+11:00");
        assert_eq!(z.iso(t("2017-04-01T16:00:00Z")), "2017-04-02T02:00:00+10:00");
        assert_eq!(z.iso(t("2017-09-30T16:00:00Z")), "2017-10-01T03:00:00+11:00");
    }

    #[test]
    fn zones_by_name_offset_or_not_at_all() {
        assert_eq!(Zone::named("+10:00").unwrap().iso(t("2017-06-01T13:00:12Z")), "2017-06-01T23:00:12+10:00");
        assert_eq!(Zone::named("-0530").unwrap().iso(t("2017-06-01T13:00:12Z")), "2017-06-01T07:30:12-05:30");
        assert!(Zone::named("Mars/Olympus_Mons").unwrap_err().contains("unknown time zone"));
        assert!(Zone::named("+1x").is_err());
        assert!(Zone::named("PST").unwrap_err().contains("more than one offset"));
        assert_eq!(Zone::named("AEST").unwrap().iso(t("2017-01-01T00:00:00Z")), "2017-01-01T10:00:00+10:00");
        assert_eq!(Zone::named("Etc/UTC").unwrap().readable(t("2017-06-01T13:00:12Z")), "2017-06-01 13:00:12 UTC");
        assert_eq!(Zone::named("Europe/London").unwrap().iso(t("2017-01-01T00:00:00Z")), "2017-01-01T00:00:00+00:00");
        assert!(parse_time("not a time").is_none());
        assert!(parse_time("2017-06-01").is_none());
    }
}
