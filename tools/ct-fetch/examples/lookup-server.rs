//! The strict LookupEvents fake of the tests (tests/support/lookup.rs) as a program, for
//! `tests/lookup-cli.sh` and trying clients by hand:
//! `lookup-server [--now TIME] [--rate N] EVENTS.ndjson...` loads events (one per line, as
//! ct-unzip writes them), prints `http://127.0.0.1:PORT` and serves until killed. TIME is any
//! time ct-filter takes (default: the clock); N requests per second per region (default 2,
//! 0 for no limit). Credentials: KEY_ID and SECRET in tests/support.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, Write};

use support::lookup::{LookupServer, Options};

fn usage(problem: &str) -> ! {
    eprintln!("lookup-server: {problem}\nusage: lookup-server [--now TIME] [--rate N] EVENTS.ndjson...");
    std::process::exit(2);
}

fn main() {
    let mut opts = Options::default();
    let mut events = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--now" => {
                let text = args.next().unwrap_or_else(|| usage("--now needs a time"));
                let now = ct_common::time::parse(&text, ct_common::time::Time::clock());
                opts.now = now.unwrap_or_else(|e| usage(&format!("--now {text}: {e}"))).secs;
            }
            "--rate" => {
                let n = args.next().unwrap_or_else(|| usage("--rate needs a number"));
                opts.rate_per_sec = n.parse().unwrap_or_else(|_| usage(&format!("--rate {n}: not a number")));
            }
            _ if arg.starts_with('-') && arg != "-" => usage(&format!("unknown option {arg}")),
            path => {
                let file = std::fs::File::open(path).unwrap_or_else(|e| usage(&format!("{path}: {e}")));
                for line in std::io::BufReader::new(file).lines() {
                    let line = line.unwrap_or_else(|e| usage(&format!("{path}: {e}")));
                    if !line.trim().is_empty() {
                        events.push(line);
                    }
                }
            }
        }
    }
    if events.is_empty() {
        usage("no events given");
    }
    let server = LookupServer::start(events, opts);
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{}", server.url());
    let _ = out.flush();
    loop {
        std::thread::park();
    }
}
