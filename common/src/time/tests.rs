use super::*;

const NOW: Time = Time { secs: 1_496_325_600, nanos: 0 }; // 2017-06-01T14:00:00Z

fn at(text: &str) -> String {
    parse(text, NOW).map(|t| t.to_iso()).unwrap_or_else(|e| format!("ERR {e}"))
}

#[test]
fn every_documented_form_gives_its_instant() {
    for (text, want) in [
        ("1496300000", "2017-06-01T06:53:20Z"),
        ("1496300000123", "2017-06-01T06:53:20Z"),
        ("2017-06-01T13:05:42Z", "2017-06-01T13:05:42Z"),
        ("2017-06-01T13:05:42.999Z", "2017-06-01T13:05:42Z"),
        ("2017-06-01T13:05:42+10:00", "2017-06-01T03:05:42Z"),
        ("2017-06-01T13:05:42-0130", "2017-06-01T14:35:42Z"),
        ("2017-06-01T13:05:42", "2017-06-01T13:05:42Z"),
        ("2017-06-01T13:05", "2017-06-01T13:05:00Z"),
        ("2017-06-01 13:05:42", "2017-06-01T13:05:42Z"),
        ("2017-06-01 13:05:42 UTC", "2017-06-01T13:05:42Z"),
        ("20170601T130542Z", "2017-06-01T13:05:42Z"),
        ("2017-06-01", "2017-06-01T00:00:00Z"),
        ("2017/06/01", "2017-06-01T00:00:00Z"),
        ("06/13/2017", "2017-06-13T00:00:00Z"),
        ("2017-06-01 12:00 AM", "2017-06-01T00:00:00Z"),
        ("2017-06-01 12:00 pm", "2017-06-01T12:00:00Z"),
        ("2017-06-01 1:00 pm", "2017-06-01T13:00:00Z"),
        ("2017-06-02 5:00 pm", "2017-06-02T17:00:00Z"),
        ("2017-06-01 1 pm", "2017-06-01T13:00:00Z"),
        ("01-27-2015,01:16PM", "2015-01-27T13:16:00Z"),
        ("01-27-2015, 01:16 am", "2015-01-27T01:16:00Z"),
        ("  2016-02-29T23:59:59Z  ", "2016-02-29T23:59:59Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
    ] {
        assert_eq!(at(text), want, "{text}");
    }
}

#[test]
fn durations() {
    assert_eq!(duration("90s"), Some(90));
    assert_eq!(duration("1h"), Some(3600));
    assert_eq!(duration("2 days"), Some(172_800));
    assert_eq!(duration("0"), Some(0));
    for bad in ["", "h", "1", "-1h", "1 fortnight", "99999999999999999999w"] {
        assert_eq!(duration(bad), None, "{bad}");
    }
}

#[test]
fn relative_forms_count_back_from_now() {
    for (text, want) in [
        ("now", "2017-06-01T14:00:00Z"),
        ("-2h", "2017-06-01T12:00:00Z"),
        ("-7d", "2017-05-25T14:00:00Z"),
        ("-30m", "2017-06-01T13:30:00Z"),
        ("-45s", "2017-06-01T13:59:15Z"),
        ("-1w", "2017-05-25T14:00:00Z"),
        ("2 days ago", "2017-05-30T14:00:00Z"),
        ("1 hour ago", "2017-06-01T13:00:00Z"),
        ("10 minutes ago", "2017-06-01T13:50:00Z"),
    ] {
        assert_eq!(at(text), want, "{text}");
    }
}

#[test]
fn nonsense_is_refused_with_the_accepted_forms() {
    for text in [
        "",
        "yesterday-ish",
        "2017-13-01",
        "2017-02-30",
        "2017-06-01T25:00",
        "2017-06-01 13 pm",
        "2017-06-01T13:05:42+25:00",
        "-2x",
        "2017-06-01T13:05:42Zjunk",
        "99999999999999999999",
    ] {
        let e = parse(text, NOW).unwrap_err();
        assert!(e.to_string().contains("accepted forms: epoch seconds"), "{text}");
    }
}

#[test]
fn event_times_fast_and_general() {
    assert_eq!(parse_event_time("2017-06-01T13:05:42Z"), Some(Time::from_secs(1_496_322_342)));
    assert_eq!(parse_event_time("2017-06-01T13:05:42.5Z").map(|t| t.nanos), Some(500_000_000));
    assert_eq!(parse_event_time("2017-06-31T13:05:42Z"), None);
    assert_eq!(parse_event_time("not a time"), None);
}

#[test]
fn calendar_round_trips() {
    for days in [-800_000, -1, 0, 1, 17_318, 2_932_896] {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(days_from_civil(y, m, d), days);
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.nnnnnnnnn]Z` of what `text` reads as `edge` in `zone` at `now`.
fn read_in(zone: &str, now: Time, text: &str, edge: Edge) -> String {
    let reader = TimeReader::new(now, Zone::parse(zone).expect("zone"));
    match reader.read(text, edge) {
        Ok(t) if t.nanos == 0 => t.to_iso(),
        Ok(t) => format!("{}.{:09}Z", &t.to_iso()[..19], t.nanos),
        Err(e) => format!("ERR {e}"),
    }
}

fn start_in(zone: &str, text: &str) -> String {
    read_in(zone, NOW, text, Edge::Start)
}

fn end_in(zone: &str, text: &str) -> String {
    read_in(zone, NOW, text, Edge::End)
}

#[test]
fn a_zone_written_after_the_time_is_read_in() {
    for (text, want) in [
        ("2017-06-01 13:00 Australia/Melbourne", "2017-06-01T03:00:00Z"),
        ("2017-06-01 13:00 australia/melbourne", "2017-06-01T03:00:00Z"),
        ("2017-01-10 13:00 Australia/Melbourne", "2017-01-10T02:00:00Z"),
        ("2017-06-01T13:00[Australia/Melbourne]", "2017-06-01T03:00:00Z"),
        ("2017-06-01T13:00:00+10:00[Australia/Melbourne]", "2017-06-01T03:00:00Z"),
        ("2017-06-01 13:00 AEST", "2017-06-01T03:00:00Z"),
        ("2017-06-01 13:00 aest", "2017-06-01T03:00:00Z"),
        ("2017-06-01 13:00AEST", "2017-06-01T03:00:00Z"),
        ("2017-01-10 13:00 AEDT", "2017-01-10T02:00:00Z"),
        ("2017-06-01 13:00 ACST", "2017-06-01T03:30:00Z"),
        ("2017-06-01 13:00 JST", "2017-06-01T04:00:00Z"),
        ("2017-06-01 13:00 PDT", "2017-06-01T20:00:00Z"),
        ("2017-06-01 13:00 GMT", "2017-06-01T13:00:00Z"),
        ("2017-06-01 13:00 UTC+10:00", "2017-06-01T03:00:00Z"),
        ("2017-06-01 13:00 America/New_York", "2017-06-01T17:00:00Z"),
        ("2017-06-01 1:00 pm America/New_York", "2017-06-01T17:00:00Z"),
        ("2017-06-01 1 am Asia/Tokyo", "2017-05-31T16:00:00Z"),
        ("2017-06-01 Australia/Melbourne", "2017-05-31T14:00:00Z"),
        ("2017-06-01 +10:00", "2017-05-31T14:00:00Z"),
    ] {
        assert_eq!(at(text), want, "{text}");
    }
}

#[test]
fn tz_applies_to_times_without_an_offset_only() {
    for (text, want) in [
        ("2017-06-01 13:00", "2017-06-01T03:00:00Z"),
        ("2017-01-10T13:00", "2017-01-10T02:00:00Z"),
        ("2017-06-01", "2017-05-31T14:00:00Z"),
        ("2017-06-01 1:00 pm", "2017-06-01T03:00:00Z"),
        ("2017-06-01T13:00Z", "2017-06-01T13:00:00Z"),
        ("2017-06-01T13:00-05:00", "2017-06-01T18:00:00Z"),
        ("2017-06-01 13:00 UTC", "2017-06-01T13:00:00Z"),
        ("2017-06-01 13:00 Asia/Tokyo", "2017-06-01T04:00:00Z"),
        ("1496300000", "2017-06-01T06:53:20Z"),
        ("-2h", "2017-06-01T12:00:00Z"),
    ] {
        assert_eq!(start_in("Australia/Melbourne", text), want, "{text}");
    }
    // A fixed offset, an abbreviation (fixed all year), a POSIX TZ string, TZ's leading colon.
    assert_eq!(start_in("+05:30", "2017-06-01 13:00"), "2017-06-01T07:30:00Z");
    assert_eq!(start_in("AEST", "2017-01-10 13:00"), "2017-01-10T03:00:00Z");
    assert_eq!(start_in("AEST-10AEDT,M10.1.0,M4.1.0/3", "2017-01-10 13:00"), "2017-01-10T02:00:00Z");
    assert_eq!(start_in(":Australia/Melbourne", "2017-01-10 13:00"), "2017-01-10T02:00:00Z");
}

#[test]
fn zones_by_name_abbreviation_offset() {
    let name = |t: &str| Zone::parse(t).map(|z| z.name().to_string()).unwrap_or_else(|e| format!("ERR {e}"));
    assert_eq!(name("Australia/Melbourne"), "Australia/Melbourne");
    assert_eq!(name("australia/melbourne"), "Australia/Melbourne");
    assert_eq!(name("UTC"), "UTC");
    assert_eq!(name("z"), "UTC");
    assert_eq!(name("AEST"), "AEST (+10:00)");
    assert_eq!(name("nzdt"), "NZDT (+13:00)");
    assert_eq!(name("NST"), "NST (-03:30)");
    assert_eq!(name("+10"), "+10:00");
    assert_eq!(name("-0530"), "-05:30");
    assert_eq!(name("UTC+9:30"), "+09:30");
    assert_eq!(name("GMT-3"), "-03:00");
    assert_eq!(Zone::default(), Zone::utc());
    // Wherever the machine is, local is a zone or a clear refusal.
    match Zone::parse("local") {
        Ok(z) => assert!(z.name().starts_with("local"), "{}", z.name()),
        Err(e) => assert!(e.to_string().contains("system's time zone is not known"), "{e}"),
    }

    let unknown = name("Melbourne");
    assert!(unknown.contains(r#"unknown time zone "Melbourne" (did you mean Australia/Melbourne?)"#), "{unknown}");
    assert!(unknown.contains("an IANA name (Australia/Melbourne)"), "{unknown}");
    for bad in
        ["", "Etc/Unknown", "Mars/Olympus_Mons", "+25:00", "+10:0", "UTC+", "../../etc/passwd", "UTC10", "AEST-10"]
    {
        assert!(name(bad).starts_with("ERR unknown time zone"), "{bad:?}: {}", name(bad));
    }
    assert_eq!(
        name("IST"),
        "ERR IST stands for more than one offset: +05:30 (Asia/Kolkata), +02:00 (Asia/Jerusalem), \
         +01:00 (Europe/Dublin); write the offset, or the zone's name"
    );
    for ambiguous in ["PST", "cst", "CDT"] {
        assert!(name(ambiguous).contains("stands for more than one offset"), "{ambiguous}");
    }
    assert!(name("PST").contains("-08:00 (America/Los_Angeles), +08:00 (Asia/Manila)"));
    // In a value, the same refusals, naming the value.
    let e = at("2017-06-01 13:00 IST");
    assert!(e.starts_with(r#"ERR cannot read time "2017-06-01 13:00 IST": IST stands for more than one"#), "{e}");
    let e = at("2017-06-01 13:00 Mars/Olympus_Mons");
    assert!(e.contains(r#"unknown time zone "Mars/Olympus_Mons""#), "{e}");
}

#[test]
fn days_and_months_relative_to_now_in_the_zone() {
    // At NOW it is 2017-06-01 14:00 in UTC and 2017-06-02 00:00 in Melbourne.
    for (zone, text, start, end) in [
        ("UTC", "today", "2017-06-01T00:00:00Z", "2017-06-01T23:59:59.999999999Z"),
        ("UTC", "yesterday", "2017-05-31T00:00:00Z", "2017-05-31T23:59:59.999999999Z"),
        ("UTC", "this month", "2017-06-01T00:00:00Z", "2017-06-30T23:59:59.999999999Z"),
        ("UTC", "last month", "2017-05-01T00:00:00Z", "2017-05-31T23:59:59.999999999Z"),
        ("UTC", "Last  Month", "2017-05-01T00:00:00Z", "2017-05-31T23:59:59.999999999Z"),
        ("Australia/Melbourne", "today", "2017-06-01T14:00:00Z", "2017-06-02T13:59:59.999999999Z"),
        ("Australia/Melbourne", "yesterday", "2017-05-31T14:00:00Z", "2017-06-01T13:59:59.999999999Z"),
        ("Australia/Melbourne", "this month", "2017-05-31T14:00:00Z", "2017-06-30T13:59:59.999999999Z"),
        ("Australia/Melbourne", "last month", "2017-04-30T14:00:00Z", "2017-05-31T13:59:59.999999999Z"),
        ("UTC", "now", "2017-06-01T14:00:00Z", "2017-06-01T14:00:00Z"),
        ("UTC", "-1mo", "2017-05-01T14:00:00Z", "2017-05-01T14:00:00Z"),
        ("UTC", "1 month ago", "2017-05-01T14:00:00Z", "2017-05-01T14:00:00Z"),
        ("UTC", "a month ago", "2017-05-01T14:00:00Z", "2017-05-01T14:00:00Z"),
        ("UTC", "3 months ago", "2017-03-01T14:00:00Z", "2017-03-01T14:00:00Z"),
        ("UTC", "-1y", "2016-06-01T14:00:00Z", "2016-06-01T14:00:00Z"),
        ("UTC", "an hour ago", "2017-06-01T13:00:00Z", "2017-06-01T13:00:00Z"),
        ("UTC", "-2 hours", "2017-06-01T12:00:00Z", "2017-06-01T12:00:00Z"),
        ("UTC", "-0", "2017-06-01T14:00:00Z", "2017-06-01T14:00:00Z"),
        // A month back in Melbourne is a calendar month there (02 June -> 02 May, 00:00 AEST).
        ("Australia/Melbourne", "-1mo", "2017-05-01T14:00:00Z", "2017-05-01T14:00:00Z"),
    ] {
        assert_eq!(read_in(zone, NOW, text, Edge::Start), start, "{zone} {text} start");
        assert_eq!(read_in(zone, NOW, text, Edge::End), end, "{zone} {text} end");
    }
}

#[test]
fn months_back_end_on_the_last_day_of_a_short_month() {
    let mar31 = Time::from_secs(1_490_961_600); // 2017-03-31T12:00:00Z
    assert_eq!(read_in("UTC", mar31, "-1mo", Edge::Start), "2017-02-28T12:00:00Z");
    let leap = Time::from_secs(1_459_425_600); // 2016-03-31T12:00:00Z
    assert_eq!(read_in("UTC", leap, "1 month ago", Edge::Start), "2016-02-29T12:00:00Z");
    let feb29 = Time::from_secs(1_456_747_200); // 2016-02-29T12:00:00Z
    assert_eq!(read_in("UTC", feb29, "-1y", Edge::Start), "2015-02-28T12:00:00Z");
    assert_eq!(read_in("UTC", mar31, "last month", Edge::End), "2017-02-28T23:59:59.999999999Z");
}

#[test]
fn a_capital_m_is_neither_minutes_nor_months() {
    let e = at("-1M");
    assert!(e.contains("write m for minutes (-30m) or mo for months (-1mo)"), "{e}");
    assert_eq!(at("-30m"), "2017-06-01T13:30:00Z");
    assert_eq!(at("-1MO"), "2017-05-01T14:00:00Z");
}

#[test]
fn a_date_with_the_year_last_is_read_only_the_way_that_makes_a_date() {
    for (text, want) in [
        ("13/06/2017", "2017-06-13T00:00:00Z"),
        ("06/13/2017", "2017-06-13T00:00:00Z"),
        ("6/13/2017", "2017-06-13T00:00:00Z"),
        ("06/06/2017", "2017-06-06T00:00:00Z"),
        ("13-06-2017", "2017-06-13T00:00:00Z"),
        ("13/06/2017 1:00 pm", "2017-06-13T13:00:00Z"),
        ("01-27-2015,01:16PM", "2015-01-27T13:16:00Z"),
        ("29/02/2016", "2016-02-29T00:00:00Z"),
    ] {
        assert_eq!(at(text), want, "{text}");
    }
    assert_eq!(
        at("01/06/2017"),
        r#"ERR "01/06/2017" can be read two ways: month first, 2017-01-06 (6 January 2017), or day first, 2017-06-01 (1 June 2017); write the one you mean"#
    );
    let e = at("01/06/2017 13:00 Australia/Melbourne");
    assert!(
        e.contains("2017-01-06 13:00 Australia/Melbourne (6 January 2017)")
            && e.contains("2017-06-01 13:00 Australia/Melbourne (1 June 2017)"),
        "{e}"
    );
    let e = at("06-01-2017,01:16PM");
    assert!(e.contains("2017-06-01,01:16PM (1 June 2017)") && e.contains("2017-01-06,01:16PM (6 January 2017)"), "{e}");
    for bad in ["31/02/2017", "13/13/2017", "00/06/2017", "06/31/2017"] {
        assert!(at(bad).contains("accepted forms"), "{bad}: {}", at(bad));
    }
}

#[test]
fn a_date_alone_as_the_end_is_the_end_of_that_day() {
    for (zone, text, want) in [
        ("UTC", "2017-06-01", "2017-06-01T23:59:59.999999999Z"),
        ("UTC", "20170601", "2017-06-01T23:59:59.999999999Z"),
        ("UTC", "06/13/2017", "2017-06-13T23:59:59.999999999Z"),
        ("UTC", "2016-12-31", "2016-12-31T23:59:59.999999999Z"),
        ("Australia/Melbourne", "2017-06-01", "2017-06-01T13:59:59.999999999Z"),
        ("UTC", "2017-06-01 Australia/Melbourne", "2017-06-01T13:59:59.999999999Z"),
        // A time is the instant itself.
        ("UTC", "2017-06-01 13:00", "2017-06-01T13:00:00Z"),
        ("UTC", "2017-06-01T00:00:00Z", "2017-06-01T00:00:00Z"),
        ("UTC", "1496300000", "2017-06-01T06:53:20Z"),
    ] {
        assert_eq!(end_in(zone, text), want, "{zone} {text}");
    }
    let reader = TimeReader::new(NOW, Zone::utc());
    let (start, end) = reader.window(Some("2017-06-01"), Some("2017-06-01")).unwrap();
    assert_eq!((start.unwrap().to_iso(), end.unwrap().secs), ("2017-06-01T00:00:00Z".into(), 1_496_361_599));
    assert_eq!(
        reader.window(Some("2017-06-02"), Some("2017-06-01")).unwrap_err(),
        "--start 2017-06-02T00:00:00Z is after --end 2017-06-01T23:59:59Z"
    );
    let e = reader.window(Some("soon"), None).unwrap_err();
    assert!(e.starts_with(r#"--start: cannot read time "soon""#), "{e}");
    let e = reader.window(None, Some("01/02/2017")).unwrap_err();
    assert!(e.starts_with(r#"--end: "01/02/2017" can be read two ways"#), "{e}");
}

#[test]
fn daylight_saving_gaps_are_refused_and_folds_widen_the_window() {
    // Melbourne, 2017-10-01: 02:00 AEST became 03:00 AEDT.
    let gap = start_in("Australia/Melbourne", "2017-10-01 02:30");
    assert_eq!(
        gap,
        r#"ERR "2017-10-01 02:30" did not happen in Australia/Melbourne: its clocks went from 02:00 (+10:00) to 03:00 (+11:00) then; give a time outside that change, or an offset"#
    );
    assert!(at("2017-10-01 02:30 Australia/Melbourne").contains("did not happen in Australia/Melbourne"));
    assert_eq!(start_in("Australia/Melbourne", "2017-10-01 03:30"), "2017-09-30T16:30:00Z");
    assert_eq!(start_in("Australia/Melbourne", "2017-10-01T02:30+10:00"), "2017-09-30T16:30:00Z");
    // Melbourne, 2017-04-02: 03:00 AEDT went back to 02:00 AEST; 02:30 happened twice.
    assert_eq!(start_in("Australia/Melbourne", "2017-04-02 02:30"), "2017-04-01T15:30:00Z");
    assert_eq!(end_in("Australia/Melbourne", "2017-04-02 02:30"), "2017-04-01T16:30:00Z");
    // Where midnight is skipped, a day starts at the first time on the clocks.
    let sao_paulo_day = Time::from_secs(1_445_169_600); // 2015-10-18T12:00:00Z
    assert_eq!(read_in("America/Sao_Paulo", sao_paulo_day, "today", Edge::Start), "2015-10-18T03:00:00Z");
    assert_eq!(read_in("America/Sao_Paulo", sao_paulo_day, "2015-10-18", Edge::Start), "2015-10-18T03:00:00Z");
    assert_eq!(read_in("America/Sao_Paulo", sao_paulo_day, "2015-10-17", Edge::End), "2015-10-18T02:59:59.999999999Z");
}

#[test]
fn event_times_take_offsets_not_zone_names() {
    assert_eq!(parse_event_time("2017-06-01T13:00:00+10:00"), Some(Time::from_secs(1_496_286_000)));
    assert_eq!(parse_event_time("2017-06-01T13:00:00 UTC"), Some(Time::from_secs(1_496_322_000)));
    assert_eq!(parse_event_time("2017-06-01T13:00:00 Australia/Melbourne"), None);
    assert_eq!(parse_event_time("2017-06-01T13:00:00[Australia/Melbourne]"), None);
    assert_eq!(parse_event_time("01/06/2017"), None);
}

#[test]
fn durations_for_options() {
    assert_eq!(parse_duration("5m"), Ok(300));
    assert_eq!(parse_duration("0"), Ok(0));
    assert_eq!(
        parse_duration("-5m").unwrap_err().to_string(),
        r#"duration "-5m" is negative; a duration is a length of time: write 5m"#
    );
    for bad in ["1mo", "soon", "", "-"] {
        let e = parse_duration(bad).unwrap_err().to_string();
        assert!(e.contains("a duration is a number and a unit (90s, 30m, 2h, 1d, 1w) or 0"), "{bad}: {e}");
    }
    assert_eq!(duration("1mo"), None);
}

/// The abbreviations each zone of the database uses in January and July 2025, with offsets.
fn abbreviations_in_use() -> Vec<(String, i32, String)> {
    let mut seen = Vec::new();
    for name in jiff::tz::db().available() {
        let name = name.to_string();
        let Ok(tz) = TimeZone::get(&name) else { continue };
        for t in ["2025-01-15T12:00:00Z", "2025-07-15T12:00:00Z"] {
            let info = tz.to_offset_info(t.parse().unwrap());
            let abbr = info.abbreviation();
            if abbr.bytes().all(|b| b.is_ascii_alphabetic()) {
                seen.push((abbr.to_string(), info.offset().seconds(), name.clone()));
            }
        }
    }
    seen
}

#[test]
fn the_abbreviation_table_agrees_with_the_zone_database() {
    let seen = abbreviations_in_use();
    assert!(seen.len() > 100, "the zone database is not read");
    for (abbr, secs, zone) in &seen {
        let entry = ABBREVIATIONS.iter().find(|(a, _)| a == abbr);
        let Some((_, offsets)) = entry else { panic!("{zone} uses {abbr}, which the table lacks") };
        assert!(offsets.iter().any(|(o, _)| o == secs), "{zone} uses {abbr} at {secs} s, which the table lacks");
    }
    for (abbr, offsets) in ABBREVIATIONS {
        for (secs, zone) in *offsets {
            if matches!(*abbr, "UT" | "Z") {
                continue;
            }
            assert!(
                seen.iter().any(|(a, s, z)| a == abbr && s == secs && z == zone),
                "{zone} does not use {abbr} at {secs} s in 2025"
            );
        }
        // The man page lists those it accepts, and names those it refuses.
        if offsets.len() == 1 && !matches!(*abbr, "UT" | "Z") {
            assert!(MAN_TIMES.contains(&format!(" {abbr},")) || MAN_TIMES.contains(&format!(" {abbr};")), "{abbr}");
        } else if offsets.len() > 1 {
            let named = [format!("{abbr} and"), format!("{abbr},"), format!("and {abbr} ")];
            assert!(named.iter().any(|n| MAN_TIMES.contains(n.as_str())), "{abbr}");
        }
    }
}

#[test]
fn the_built_in_zone_database_is_there_for_machines_without_one() {
    let bundled = jiff::tz::TimeZoneDatabase::bundled();
    let melbourne = bundled.get("Australia/Melbourne").expect("bundled zone database");
    let t: Timestamp = "2017-06-01T03:00:00Z".parse().unwrap();
    assert_eq!(melbourne.to_offset(t).seconds(), 10 * 3600);
}

mod props {
    use proptest::prelude::*;

    use super::*;

    const ZONES: [&str; 5] = ["UTC", "Australia/Melbourne", "America/Sao_Paulo", "AEST", "-03:30"];

    proptest! {
        /// Nothing panics, whatever the argument or the zone, at either end.
        #[test]
        fn any_argument_is_read_or_refused(text in "[0-9a-zA-Z/:,.+\\- \\[\\]_]{0,40}", zone in 0..ZONES.len()) {
            let reader = TimeReader::new(NOW, Zone::parse(ZONES[zone]).unwrap());
            for edge in [Edge::Start, Edge::End] {
                if let Err(e) = reader.read(&text, edge) {
                    prop_assert!(!e.to_string().is_empty());
                }
            }
            let _ = Zone::parse(&text);
            let _ = parse_duration(&text);
            let _ = parse_event_time(&text);
        }

        /// An instant written as its clock in a zone, with that zone named after it or given as
        /// the reader's, reads back as itself (when the clocks showed that time once).
        #[test]
        fn a_clock_in_a_zone_reads_back(secs in -2_000_000_000i64..4_000_000_000, zone in 0..ZONES.len()) {
            let t = Time::from_secs(secs);
            let z = Zone::parse(ZONES[zone]).unwrap();
            let clock = z.time_zone().to_datetime(t.to_timestamp().unwrap());
            let once = !z.time_zone().to_ambiguous_timestamp(clock).is_ambiguous();
            let written = clock.strftime("%Y-%m-%d %H:%M:%S").to_string();
            let named = format!("{written} {}", ZONES[zone]);
            let reader = TimeReader::new(NOW, z.clone());
            if once {
                prop_assert_eq!(parse(&named, NOW), Ok(t), "{}", named);
                prop_assert_eq!(reader.start(&written), Ok(t), "{}", written);
            } else {
                // Twice on the clocks: the earlier as a start, the later as an end.
                let (start, end) = (reader.start(&written).unwrap(), reader.end(&written).unwrap());
                prop_assert!(start < end && (start == t || end == t), "{}", written);
            }
            // The day it falls in, read as a window, holds it.
            let day = &written[..10];
            prop_assert!(reader.start(day).unwrap() <= t && t <= reader.end(day).unwrap(), "{}", day);
        }
    }
}

#[test]
fn ct_now_replaces_the_clock_and_a_bad_one_is_an_error() {
    use std::ffi::OsStr;
    let clock = Time::clock().secs;
    assert!((Time::now_from(None).unwrap().secs - clock).abs() < 5);
    let t = Time::now_from(Some(OsStr::new("2017-06-02T17:00:00Z"))).unwrap();
    assert_eq!(t.to_iso(), "2017-06-02T17:00:00Z");
    let t = Time::now_from(Some(OsStr::new("2017-06-02 17:00 +10:00"))).unwrap();
    assert_eq!(t.to_iso(), "2017-06-02T07:00:00Z");
    let e = Time::now_from(Some(OsStr::new("next tuesday"))).unwrap_err();
    assert!(e.starts_with("CT_NOW: "), "{e}");
}
