//! Removing insignificant whitespace from JSON text while leaving every other byte alone.
//!
//! Re-serialising through a JSON library would change number text, `\/` escapes, key order or
//! duplicate keys; the record contract says only whitespace may change, so this works on bytes.

use memchr::memchr2;

/// Returns `json` itself when it holds no whitespace outside strings, otherwise a compacted
/// copy written into `scratch`. The input must be valid JSON (strings balanced).
pub fn compact<'a>(json: &'a [u8], scratch: &'a mut Vec<u8>) -> &'a [u8] {
    let mut i = 0;
    let len = json.len();
    let mut run_start = 0;
    let mut copying = false;
    while i < len {
        let b = json[i];
        if b == b'"' {
            // Jump over the string: find its closing quote, skipping escapes.
            let mut j = i + 1;
            loop {
                match memchr2(b'"', b'\\', &json[j..]) {
                    None => {
                        j = len;
                        break;
                    }
                    Some(k) if json[j + k] == b'\\' => j += k + 2,
                    Some(k) => {
                        j += k + 1;
                        break;
                    }
                }
            }
            i = j.min(len);
            continue;
        }
        if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            if !copying {
                scratch.clear();
                copying = true;
            }
            scratch.extend_from_slice(&json[run_start..i]);
            while i < len && matches!(json[i], b' ' | b'\n' | b'\r' | b'\t') {
                i += 1;
            }
            run_start = i;
            continue;
        }
        i += 1;
    }
    if copying {
        scratch.extend_from_slice(&json[run_start..len]);
        scratch
    } else {
        json
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        let mut v = Vec::new();
        String::from_utf8(compact(s.as_bytes(), &mut v).to_vec()).unwrap()
    }

    #[test]
    fn compact_input_is_returned_as_is() {
        let s = r#"{"a":"x y\n","b":[1,2.50,1e3],"c":"\/"}"#;
        let mut v = Vec::new();
        let out = compact(s.as_bytes(), &mut v);
        assert_eq!(out, s.as_bytes());
        assert!(v.is_empty());
    }

    #[test]
    fn whitespace_outside_strings_goes_and_everything_else_stays() {
        assert_eq!(
            c("{\r\n  \"a\" : \"x  y\",\n\t\"b\": [ 1 , 2.50 ],\n \"c\":\"\\/\\\" \" }"),
            r#"{"a":"x  y","b":[1,2.50],"c":"\/\" "}"#
        );
        assert_eq!(c(" {\"é\": \"ü ✓\"} "), r#"{"é":"ü ✓"}"#);
    }
}
