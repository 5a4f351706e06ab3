//! Time arguments, event times and durations: never a panic, and a parsed time prints.
#![no_main]

use ct_common::time::{self, Time};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let now = Time::from_secs(1_496_322_000);
    if let Ok(t) = time::parse(s, now) {
        let _ = t.to_iso();
        let _ = t.date();
    }
    if let Some(t) = time::parse_event_time(s) {
        let _ = t.to_iso();
    }
    let _ = time::duration(s);
});
