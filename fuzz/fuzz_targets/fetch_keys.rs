//! ct-fetch's key handling on untrusted keys: layout parsing, the window test, SOURCE parsing,
//! and the key-to-path mapping, which must never leave DIR.
#![no_main]

use std::path::{Component, Path};

use ct_fetch::layout::{self, Kind};
use ct_fetch::plan::Window;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(key) = std::str::from_utf8(data) else { return };
    if let Some(k) = layout::parse(key) {
        assert!(layout::is_account(k.account) && layout::is_region(k.region));
        let w = Window { start: k.delivered, end: k.delivered, lag: 3600 };
        assert!(w.wants(&k), "a file is in the window of its own delivery time");
        let _ = w.days(Kind::Log);
    }
    let dir = Path::new("/srv/mirror");
    if let Ok(path) = ct_fetch::mirror::path_of(dir, key) {
        let rel = path.strip_prefix(dir).expect("under DIR");
        assert!(rel.components().all(|c| matches!(c, Component::Normal(_))), "{key:?} -> {path:?}");
        assert!(!rel.as_os_str().is_empty());
        let _ = ct_fetch::mirror::shown(key);
    }
    let _ = ct_fetch::source::Source::parse(key);
});
