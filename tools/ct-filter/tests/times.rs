//! ct-filter's time arguments end to end: values that start with a dash, --tz, zones in the
//! value, a date alone as --end, and the refusals (ambiguous dates and zones, skipped times).

use std::process::Command;

use ct_common::time::Time;
use ct_testkit::Run;

fn filter(args: &[&str], stdin: &str) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-filter"), args, stdin.as_bytes())
}

fn event(name: &str, time: &str) -> String {
    format!("{{\"eventName\":\"{name}\",\"eventTime\":\"{time}\"}}\n")
}

/// Events around 2 June 2017 in UTC and in Melbourne (where it starts at 2017-06-01T14:00Z).
fn around_june_2() -> String {
    [
        event("a", "2017-06-01T13:59:59Z"),
        event("b", "2017-06-01T14:00:00Z"),
        event("c", "2017-06-02T13:59:59Z"),
        event("d", "2017-06-02T23:59:59Z"),
        event("e", "2017-06-03T00:00:00Z"),
    ]
    .concat()
}

fn names(run: &Run) -> String {
    run.stdout.lines().map(|l| &l[14..15]).collect()
}

#[test]
fn values_that_start_with_a_dash_are_times() {
    let now = Time::clock().secs;
    let recent = event("recent", &Time::from_secs(now - 3 * 3600).to_iso());
    let old = event("old", "2017-06-01T00:00:00Z");
    let input = format!("{recent}{old}");
    for (args, want) in [
        (&["--start", "-1d"][..], recent.clone()),
        (&["--start=-1d"], recent.clone()),
        (&["--start", "-2w"], recent.clone()),
        (&["--start", "-1mo"], recent.clone()),
        (&["--start", "-4h", "--end", "-2h"], recent.clone()),
        (&["--end", "-2h", "--start", "-1y"], recent.clone()),
        (&["--end", "-1d"], old.clone()),
        (&["--start", "2017-06-01", "--end", "-3mo"], old.clone()),
        (&["--tz", "-05:00", "--start", "2017-05-31 19:00", "--end", "2017-05-31 19:00"], old.clone()),
    ] {
        let run = filter(args, &input);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{args:?}");
        assert_eq!(run.stdout, want, "{args:?}");
    }
}

#[test]
fn tz_reads_times_without_an_offset_and_a_date_alone_as_end_is_the_whole_day() {
    let input = around_june_2();
    for (args, want) in [
        (&["--start", "2017-06-02", "--end", "2017-06-02"][..], "cd"),
        (&["--tz", "Australia/Melbourne", "--start", "2017-06-02", "--end", "2017-06-02"], "bc"),
        (&["--tz", "australia/melbourne", "--end", "2017-06-01"], "a"),
        (&["--tz", "AEST", "--start", "2017-06-02", "--end", "2017-06-02"], "bc"),
        (&["--tz", "+10:00", "--start", "2017-06-02", "--end", "2017-06-02"], "bc"),
        (&["--start", "2017-06-02 Australia/Melbourne", "--end", "2017-06-02 Australia/Melbourne"], "bc"),
        (&["--start", "2017-06-02 00:00 AEST", "--end", "2017-06-02 23:59:59 AEST"], "bc"),
        // Times with an offset or a zone ignore --tz.
        (&["--tz", "Australia/Melbourne", "--start", "2017-06-02T00:00Z", "--end", "2017-06-02 23:59:59 UTC"], "cd"),
        (&["--start", "2017/06/02", "--end", "20170602"], "cd"),
        (&["--start", "02/13/2017", "--end", "13/06/2017"], "abcde"),
    ] {
        let run = filter(args, &input);
        assert_eq!((run.stderr.as_str(), names(&run).as_str()), ("", want), "{args:?}");
    }
}

#[test]
fn tz_local_is_the_systems_zone_and_tz_alone_does_nothing() {
    let input = around_june_2();
    let with_tz = |tz: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_ct-filter"))
            .args(args)
            .env("TZ", tz)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().expect("stdin").write_all(input.as_bytes())?;
                child.wait_with_output()
            })
            .expect("run ct-filter");
        String::from_utf8(out.stdout).unwrap().lines().map(|l| l[14..15].to_string()).collect::<String>()
    };
    let day = ["--start", "2017-06-02", "--end", "2017-06-02"];
    assert_eq!(with_tz("Australia/Melbourne", &[&["--tz", "local"][..], &day].concat()), "bc");
    // Without --tz, TZ does not count: a command means the same on every machine.
    assert_eq!(with_tz("Australia/Melbourne", &day), "cd");
}

#[test]
fn ambiguous_and_impossible_times_are_refused_saying_why() {
    for (args, says) in [
        (
            &["--start", "01/06/2017"][..],
            r#"ct-filter: --start: "01/06/2017" can be read two ways: month first, 2017-01-06 (6 January 2017), or day first, 2017-06-01 (1 June 2017); write the one you mean"#,
        ),
        (
            &["--end", "03/04/2017 1:00 pm"],
            "month first, 2017-03-04 1:00 pm (4 March 2017), or day first, 2017-04-03 1:00 pm",
        ),
        (&["--tz", "IST"], "IST stands for more than one offset: +05:30 (Asia/Kolkata), +02:00 (Asia/Jerusalem)"),
        (&["--tz", "Melbourne"], "unknown time zone \"Melbourne\" (did you mean Australia/Melbourne?)"),
        (&["--start", "2017-06-01 13:00 CST"], "CST stands for more than one offset: -06:00 (America/Chicago)"),
        (
            &["--tz", "Australia/Melbourne", "--start", "2017-10-01 02:30"],
            "did not happen in Australia/Melbourne: its clocks went from 02:00 (+10:00) to 03:00 (+11:00)",
        ),
        (&["--start", "-1M"], "write m for minutes (-30m) or mo for months (-1mo)"),
        (&["--start", "next tuesday"], "accepted forms: epoch seconds"),
    ] {
        let run = filter(args, "");
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?}");
    }
}

#[test]
fn a_time_that_happened_twice_widens_the_window() {
    // Melbourne, 2017-04-02: 03:00 AEDT went back to 02:00 AEST, so 02:30 happened at 15:30Z
    // and again at 16:30Z; as --start it is the first, as --end the second.
    let input = [event("a", "2017-04-01T15:30:00Z"), event("b", "2017-04-01T16:30:00Z")].concat();
    let args = ["--tz", "Australia/Melbourne", "--start", "2017-04-02 02:30", "--end", "2017-04-02 02:30"];
    assert_eq!(names(&filter(&args, &input)), "ab");
}

#[test]
fn ct_now_is_the_now_relative_times_count_from() {
    let input = around_june_2();
    let run = |now: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_ct-filter"))
            .args(args)
            .env("CT_NOW", now)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(input.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).lines().map(|l| &l[14..15]).collect::<String>(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(run("2017-06-03T00:00:00Z", &["--start", "-1d"]), (Some(0), "cde".into(), String::new()));
    assert_eq!(
        run("2017-06-02T14:00:00Z", &["--start", "yesterday", "--end", "-1h"]),
        (Some(0), "ab".into(), String::new())
    );
    let (code, _, stderr) = run("soon", &["--start", "-1d"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("CT_NOW: "), "{stderr}");
}
