//! The fast event reader against serde's: whatever the fast reader accepts, serde accepts
//! with the same fields; what serde refuses, the fast reader never answers.
#![no_main]

use ct_iam::Event;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(fast) = Event::parse_fast(text) else { return };
    match Event::parse_serde(text) {
        Ok(serde) => assert_eq!(format!("{fast:?}"), format!("{serde:?}"), "same fields"),
        Err(e) => panic!("the fast reader accepted what serde refuses ({e})"),
    }
});
