//! Hostile and extreme input (SECURITY.md): a 100 MB record, JSON nested 10,000 deep, invalid
//! UTF-8, duplicate keys, numbers past 64 bits, NUL bytes, a gzip bomb, 100,000 tiny files,
//! names with spaces and newlines. Never a panic; the good records always come out.

use std::io::Write;

use ct_testkit::{Run, gz};

fn unzip(args: &[&str], stdin: &[u8]) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-unzip"), args, stdin)
}

const GOOD: &str = r#"{"eventVersion":"1.08","eventTime":"2017-06-01T13:05:42Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","eventID":"good"}"#;

fn no_panic(run: &Run) {
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_100_mb_record_comes_out_whole() {
    let big = format!(
        r#"{{"eventVersion":"1.08","eventName":"PutObject","requestParameters":{{"blob":"{}"}}}}"#,
        "x".repeat(100 << 20)
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    std::fs::write(&path, format!("{{\"Records\":[{GOOD},{big}]}}")).unwrap();
    let run = unzip(&["-q", path.to_str().unwrap()], b"");
    run.assert_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], GOOD);
    assert!(lines[1] == big, "the 100 MB record, byte for byte");
}

#[test]
fn json_nested_10000_deep_is_an_error_not_a_crash() {
    let deep =
        format!(r#"{{"eventVersion":"1.08","eventID":"deep","a":{}1{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
    // As an NDJSON line between good ones, inside a delivery file, and pretty-printed over
    // several lines (which the structural scanner reads).
    let ndjson = format!("{GOOD}\n{deep}\n{GOOD}\n");
    let run = unzip(&[], ndjson.as_bytes());
    no_panic(&run);
    run.assert_code(2);
    assert_eq!(run.stdout.lines().count(), 2, "the good lines around it");
    assert!(run.stderr.contains("line 2"), "{}", run.stderr);
    let file = format!("{{\"Records\":[{GOOD},{deep}]}}");
    let run = unzip(&[], gz(file.as_bytes()).as_slice());
    no_panic(&run);
    run.assert_code(2);
    assert_eq!(run.stdout, format!("{GOOD}\n"));
    assert!(run.stderr.contains("record 2: event nested deeper than 127 levels"), "{}", run.stderr);
    let pretty = format!("{{\n\"Records\": [\n{GOOD},\n{}\n]\n}}\n", deep.replace('[', "[\n"));
    let run = unzip(&[], pretty.as_bytes());
    no_panic(&run);
    run.assert_code(2);
}

#[test]
fn invalid_utf8_duplicate_keys_big_numbers_and_nul() {
    let mut input = Vec::new();
    input.extend_from_slice(GOOD.as_bytes());
    input.extend_from_slice(b"\n{\"eventVersion\":\"1.08\",\"eventID\":\"u\",\"userAgent\":\"a\xff\xfeb\"}\n");
    // Duplicate keys and numbers past 64 bits pass through exactly as written.
    let dup = r#"{"eventVersion":"1.08","eventID":"d","eventName":"A","eventName":"B","n":123456789012345678901234567890,"f":1.50e+400}"#;
    input.extend_from_slice(dup.as_bytes());
    input.push(b'\n');
    // A raw NUL is not JSON; an escaped one is a character like any other.
    input.extend_from_slice(b"{\"eventVersion\":\"1.08\",\"eventID\":\"n\",\"x\":\"a\0b\"}\n");
    let escaped = r#"{"eventVersion":"1.08","eventID":"e","x":"a\u0000b"}"#;
    input.extend_from_slice(escaped.as_bytes());
    input.push(b'\n');
    let run = unzip(&[], &input);
    no_panic(&run);
    run.assert_code(2);
    assert_eq!(run.stdout, format!("{GOOD}\n{dup}\n{escaped}\n"));
    assert!(run.stderr.contains("line 2") && run.stderr.contains("line 4"), "{}", run.stderr);
    assert!(run.stderr.contains("2 errors"), "{}", run.stderr);
}

#[test]
fn a_gzip_bomb_is_reported_without_inflating_it_whole() {
    // 64 MiB of spaces inside a record compress to about 64 kB; the reader streams files
    // this large and reports the document as broken once it ends, memory bounded.
    let mut gzw = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzw.write_all(format!("{{\"Records\":[{GOOD},").as_bytes()).unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..64 {
        gzw.write_all(&spaces).unwrap();
    }
    gzw.write_all(b"{\"eventVersion\":\"1.08\",\"cut\":").unwrap();
    let bomb = gzw.finish().unwrap();
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.json.gz");
    std::fs::write(&path, &bomb).unwrap();
    let run = unzip(&[path.to_str().unwrap()], b"");
    no_panic(&run);
    run.assert_code(2);
    assert_eq!(run.stdout, format!("{GOOD}\n"), "the record before the bomb still comes out");
    assert!(run.stderr.contains("bomb.json.gz"), "{}", run.stderr);
}

#[test]
fn a_100000_file_directory_is_read_whole_in_order() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..100_000 {
        std::fs::write(
            dir.path().join(format!("{i:06}.json")),
            format!(r#"{{"eventVersion":"1.08","eventID":"{i}"}}"#),
        )
        .unwrap();
    }
    let run = unzip(&["-j", "2", dir.path().to_str().unwrap()], b"");
    run.assert_code(0);
    assert_eq!(run.stdout.lines().count(), 100_000);
    assert!(run.stdout.lines().next().unwrap().contains(r#""eventID":"0""#));
    assert!(run.stdout.lines().last().unwrap().contains(r#""eventID":"99999""#));
}

#[test]
fn names_with_spaces_and_newlines_are_read_and_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a file.json"), GOOD).unwrap();
    std::fs::write(dir.path().join("bad\nname\u{1b}[2J.json"), "{not json").unwrap();
    let run = unzip(&[dir.path().to_str().unwrap()], b"");
    no_panic(&run);
    run.assert_code(2);
    assert_eq!(run.stdout, format!("{GOOD}\n"));
    assert!(run.stderr.contains("bad\\nname\\u{1b}[2J.json"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "no raw escape reaches the terminal");
}

#[test]
fn a_garbage_first_line_costs_only_itself() {
    // One line of junk before good NDJSON: the junk is a bad line, the events all come out.
    let input = format!("garbage here\n{GOOD}\n{GOOD}\n");
    for args in [vec![], vec!["-j", "2"]] {
        let run = unzip(&args, input.as_bytes());
        no_panic(&run);
        run.assert_code(2);
        assert_eq!(run.stdout, format!("{GOOD}\n{GOOD}\n"));
        assert!(run.stderr.contains("line 1: not JSON"), "{}", run.stderr);
    }
    // A file of text alone is still one error for the file.
    let run = unzip(&[], b"just\nsome\ntext\n");
    run.assert_code(2);
    assert_eq!(run.stderr.matches("not JSON").count(), 1, "{}", run.stderr);
}
