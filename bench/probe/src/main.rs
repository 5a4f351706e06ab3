//! parse-probe NDJSON: reads the file into memory, then times, per method, extracting
//! eventName, eventTime and userIdentity.arn from every line. Prints MB/s per method.

use std::borrow::Cow;
use std::time::Instant;

use ct_common::fields::{Found, Paths, extract};
use serde::Deserialize;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Ident<'a> {
    #[serde(borrow)]
    arn: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[allow(non_snake_case, dead_code)]
struct Ev<'a> {
    #[serde(borrow)]
    eventName: Option<Cow<'a, str>>,
    #[serde(borrow)]
    eventTime: Option<Cow<'a, str>>,
    #[serde(borrow)]
    userIdentity: Option<Ident<'a>>,
}

fn time(label: &str, bytes: usize, mut f: impl FnMut() -> usize) {
    let mut best = f64::MAX;
    let mut hits = 0;
    for _ in 0..3 {
        let t = Instant::now();
        hits = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("{label:<48} {:>8.0} MB/s  ({hits} hits)", bytes as f64 / 1e6 / best);
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: parse-probe NDJSON");
    let data = std::fs::read(&path).expect("read");
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let n = data.len();
    println!("{} lines, {} bytes", lines.len(), n);

    let mut paths = Paths::new();
    let name = paths.add("eventName");
    paths.add("eventTime");
    paths.add("userIdentity.arn");
    time("serde_json, ct fields::extract (early exit)", n, || {
        let mut hits = 0;
        let mut found = Found::default();
        for l in &lines {
            let mut f = std::mem::take(&mut found).recycle();
            extract(&paths, l, &mut f).unwrap();
            hits += usize::from(f.str(name) == Some("RunInstances"));
            found = f.recycle();
        }
        hits
    });
    time("serde_json, typed borrowed struct (whole line)", n, || {
        lines
            .iter()
            .map(|l| serde_json::from_slice::<Ev>(l).unwrap())
            .filter(|e| e.eventName.as_deref() == Some("RunInstances"))
            .count()
    });
    time("simd-json, serde typed struct, reused buffers", n, || {
        let mut buf = Vec::new();
        let mut bufs = simd_json::Buffers::default();
        let mut hits = 0;
        for l in &lines {
            buf.clear();
            buf.extend_from_slice(l);
            let e: Ev = simd_json::serde::from_slice_with_buffers(&mut buf, &mut bufs).unwrap();
            hits += usize::from(e.eventName.as_deref() == Some("RunInstances"));
        }
        hits
    });
    time("simd-json, borrowed value (DOM), reused buffers", n, || {
        use simd_json::prelude::*;
        let mut buf = Vec::new();
        let mut bufs = simd_json::Buffers::default();
        let mut hits = 0;
        for l in &lines {
            buf.clear();
            buf.extend_from_slice(l);
            let v = simd_json::to_borrowed_value_with_buffers(&mut buf, &mut bufs).unwrap();
            hits += usize::from(v.get("eventName").and_then(|x| x.as_str()) == Some("RunInstances"));
        }
        hits
    });
}
