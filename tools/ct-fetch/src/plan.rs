//! Which day folders to list and which files to take for a time window.
//!
//! A log file named with delivery time D holds events from before D (to the end of D's
//! minute), and an event at time T is delivered some time after T. So the files that can hold
//! an event of the window [START, END] are those delivered from START's minute on, up to
//! END plus the delivery lag. The folders to list are the UTC days of that span, the first
//! (partial) day included. A digest delivered at D covers the log files of the hour before D.

use crate::layout::{Kind, LogKey};

/// CloudTrail delivers most files within 5 minutes of the call and says this is not
/// guaranteed; an hour of margin takes the late ones without fetching much outside the window.
pub const DEFAULT_LAG: i64 = 3600;

/// A digest covers the log files delivered in the hour before its own time.
const DIGEST_SPAN: i64 = 3600;

/// Files delivered this long before START are taken too: an event's time comes from the
/// service's clock and its file's name from CloudTrail's, and a few seconds of skew must not
/// lose the window's first events.
pub const EARLY: i64 = 300;

/// The time window, in seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
    /// How long after an event its file may be delivered.
    pub lag: i64,
}

impl Window {
    /// The first delivery time that can hold an event of the window: START's minute (names
    /// carry minutes, and a file holds events up to the end of its minute), less `EARLY`.
    pub fn first(&self) -> i64 {
        self.start.saturating_sub(self.start.rem_euclid(60)).saturating_sub(EARLY)
    }

    /// The last delivery time of a kind that can hold (or cover) an event of the window.
    pub fn last(&self, kind: Kind) -> i64 {
        let last = self.end.saturating_add(self.lag);
        if kind == Kind::Digest { last.saturating_add(DIGEST_SPAN) } else { last }
    }

    /// Whether a file delivered at `delivered` can hold (or, a digest, cover) an event of the
    /// window.
    pub fn wants(&self, key: &LogKey<'_>) -> bool {
        key.delivered >= self.first() && key.delivered <= self.last(key.kind)
    }

    /// The UTC days (days since the epoch) whose folders can hold files of a kind.
    pub fn days(&self, kind: Kind) -> std::ops::RangeInclusive<i64> {
        self.first().div_euclid(86_400)..=self.last(kind).div_euclid(86_400)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ct_common::time::days_from_civil;

    fn at(y: i64, m: u32, d: u32, h: i64, mi: i64, s: i64) -> i64 {
        days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s
    }

    fn key(kind: Kind, delivered: i64) -> LogKey<'static> {
        LogKey { prefix: "", org: None, account: "111122223333", kind, region: "us-east-1", delivered }
    }

    #[test]
    fn the_first_partial_day_and_the_lag_day_are_listed() {
        // 1 pm on the 1st to 11:30 pm on the 2nd, one hour of lag: the 3rd too.
        let w = Window { start: at(2017, 6, 1, 13, 0, 0), end: at(2017, 6, 2, 23, 30, 0), lag: 3600 };
        let days: Vec<i64> = w.days(Kind::Log).collect();
        assert_eq!(days, vec![days_from_civil(2017, 6, 1), days_from_civil(2017, 6, 2), days_from_civil(2017, 6, 3)]);
        // Ending early on the 2nd, the lag stays inside the 2nd.
        let w = Window { end: at(2017, 6, 2, 17, 0, 0), ..w };
        assert_eq!(w.days(Kind::Log).count(), 2);
        // A digest delivered an hour after the lag still covers the window's last files.
        let w = Window { end: at(2017, 6, 2, 22, 30, 0), ..w };
        assert_eq!(w.days(Kind::Log).count(), 2);
        assert_eq!(w.days(Kind::Digest).count(), 3);
    }

    #[test]
    fn files_are_taken_by_delivery_time_with_the_margin() {
        let w = Window { start: at(2017, 6, 1, 13, 0, 30), end: at(2017, 6, 1, 14, 0, 0), lag: 3600 };
        let wants = |kind, t| w.wants(&key(kind, t));
        // A file delivered in the minute the window starts may hold its first events, and
        // so may one named up to five minutes earlier by a skewed clock.
        assert!(wants(Kind::Log, at(2017, 6, 1, 13, 0, 0)));
        assert!(wants(Kind::Log, at(2017, 6, 1, 12, 55, 0)));
        assert!(!wants(Kind::Log, at(2017, 6, 1, 12, 54, 0)));
        assert!(wants(Kind::Log, at(2017, 6, 1, 15, 0, 0)), "the end plus the lag");
        assert!(!wants(Kind::Log, at(2017, 6, 1, 15, 1, 0)));
        assert!(wants(Kind::Digest, at(2017, 6, 1, 16, 0, 0)), "a digest covers the hour before it");
        assert!(!wants(Kind::Digest, at(2017, 6, 1, 16, 0, 1)));
        // No lag: exactly the window's deliveries.
        let w = Window { lag: 0, ..w };
        assert!(w.wants(&key(Kind::Log, at(2017, 6, 1, 14, 0, 0))));
        assert!(!w.wants(&key(Kind::Log, at(2017, 6, 1, 14, 1, 0))));
    }

    #[test]
    fn a_window_inside_one_minute() {
        let t = at(2024, 2, 29, 23, 59, 10);
        let w = Window { start: t, end: t, lag: 0 };
        assert_eq!(w.days(Kind::Log).collect::<Vec<_>>(), vec![days_from_civil(2024, 2, 29)]);
        // Just after midnight, the early margin reaches back into the day before.
        let t = at(2024, 3, 1, 0, 2, 0);
        let w = Window { start: t, end: t, lag: 0 };
        assert_eq!(w.days(Kind::Log).count(), 2);
        assert!(w.wants(&key(Kind::Log, at(2024, 2, 29, 23, 59, 0))));
    }
}
