//! Policy files: any text parses to policies or a clear error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = ct_iam::policy::parse_file(s, "fuzz", None);
    let _ = ct_iam::policy::parse_file(s, "fuzz", Some("deploy-agent"));
});
