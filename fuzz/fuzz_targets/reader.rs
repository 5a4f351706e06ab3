//! The input reader on arbitrary bytes, as given and gzipped: never a panic, and every event
//! handed on is one whole JSON object in UTF-8.
#![no_main]

use std::fmt;
use std::io::{self, Write};

use ct_common::input::{Flow, ReadOptions, Reader, Visit};
use libfuzzer_sys::fuzz_target;

struct Check;

impl Visit for Check {
    fn event(&mut self, json: &[u8]) -> io::Result<Flow> {
        assert_eq!(json.first(), Some(&b'{'), "an event is an object");
        let text = std::str::from_utf8(json).expect("events are UTF-8");
        serde_json::from_str::<serde::de::IgnoredAny>(text).expect("events are whole JSON");
        Ok(Flow::Continue)
    }
    fn error(&mut self, _: &dyn fmt::Display, _: &dyn fmt::Display) -> Flow {
        Flow::Continue
    }
    fn note(&mut self, _: &dyn fmt::Display, _: &dyn fmt::Display) {}
}

fuzz_target!(|data: &[u8]| {
    // Small limits, so that the fuzzer reaches them.
    let opts = || ReadOptions { max_document: 1 << 16, max_whole_file: 1 << 16 };
    let _ = Reader::new(opts()).read_stream(data, "fuzz", &mut Check);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).unwrap();
    let packed = gz.finish().unwrap();
    let _ = Reader::new(opts()).read_stream(&packed[..], "fuzz.gz", &mut Check);
});
