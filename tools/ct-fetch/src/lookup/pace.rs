//! The pace of a region's requests. LookupEvents takes "two per second, per account, per
//! Region" (API reference, LookupEvents); a request past that is refused with
//! ThrottlingException. Each region keeps its own pace, so regions are read at once.

use std::time::{Duration, Instant};

/// Two requests a second, a little slower so that the requests' arrivals, which vary by the
/// network's jitter, stay apart by the limit's 500 ms.
pub const INTERVAL: Duration = Duration::from_millis(505);

/// When a region's next request may go.
#[derive(Debug)]
pub struct Pace {
    interval: Duration,
    next: Option<Instant>,
}

impl Pace {
    pub fn new(interval: Duration) -> Pace {
        Pace { interval, next: None }
    }

    /// The moment the next request may be sent, at `now` or later, and holds it: the one after
    /// it goes no sooner than an interval later.
    pub fn reserve(&mut self, now: Instant) -> Instant {
        let at = self.next.filter(|&n| n > now).unwrap_or(now);
        self.next = Some(at + self.interval);
        at
    }

    /// The request went at `now` (later than reserved when the machine is busy): the next one
    /// goes no sooner than an interval after it, so that the server sees them apart.
    pub fn sent(&mut self, now: Instant) {
        self.hold(now + self.interval);
    }

    /// After a refusal: nothing goes before `until`.
    pub fn hold(&mut self, until: Instant) {
        if self.next.is_none_or(|n| n < until) {
            self.next = Some(until);
        }
    }
}

/// The pause before try number `attempt + 1`: after throttling, a second doubling to 16 (the
/// limit refills at two a second, and another client of the same account may be using it);
/// after a server error or a broken connection, 200 ms doubling to 5 s. A random quarter is
/// added, so that regions and clients that were refused together do not retry together.
pub fn backoff(attempt: u32, throttled: bool, jitter: u64) -> Duration {
    let (base, cap) = if throttled { (1_000u64, 16_000u64) } else { (200, 5_000) };
    let ms = base.saturating_mul(1 << attempt.min(16)).min(cap);
    Duration::from_millis(ms + jitter % (ms / 4 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_an_interval_apart_and_a_hold_pushes_them_back() {
        let t0 = Instant::now();
        let mut p = Pace::new(INTERVAL);
        assert_eq!(p.reserve(t0), t0);
        assert_eq!(p.reserve(t0), t0 + INTERVAL);
        assert_eq!(p.reserve(t0 + Duration::from_millis(10)), t0 + 2 * INTERVAL);
        // Idle for a while: the next request goes at once, not in a burst of saved slots.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(p.reserve(later), later);
        assert_eq!(p.reserve(later), later + INTERVAL);
        p.hold(later + Duration::from_secs(3));
        assert_eq!(p.reserve(later), later + Duration::from_secs(3));
        // A hold that is sooner than the next slot changes nothing.
        p.hold(later);
        assert_eq!(p.reserve(later), later + Duration::from_secs(3) + INTERVAL);
        // A request sent late pushes the next one back by as much.
        let mut p = Pace::new(INTERVAL);
        assert_eq!(p.reserve(t0), t0);
        p.sent(t0 + Duration::from_millis(80));
        assert_eq!(p.reserve(t0), t0 + Duration::from_millis(80) + INTERVAL);
    }

    #[test]
    fn backoff_grows_to_a_cap_with_at_most_a_quarter_of_jitter() {
        assert_eq!(backoff(0, true, 0), Duration::from_secs(1));
        assert_eq!(backoff(2, true, 0), Duration::from_secs(4));
        assert_eq!(backoff(9, true, 0), Duration::from_secs(16));
        assert_eq!(backoff(0, false, 0), Duration::from_millis(200));
        assert_eq!(backoff(9, false, 0), Duration::from_secs(5));
        for j in [1, 999, u64::MAX] {
            let d = backoff(1, true, j);
            assert!(d >= Duration::from_secs(2) && d <= Duration::from_millis(2_500), "{d:?}");
        }
    }
}
