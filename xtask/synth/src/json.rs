//! A minimal streaming writer of compact JSON text.
//!
//! The bench tree is a gigabyte of JSON; building `serde_json::Value`s for it would spend more
//! time allocating maps than writing bytes. This writer appends straight to a `String`, handles
//! commas itself and escapes every string, so output is always valid JSON (tests parse it back
//! with serde_json).

/// How strings are escaped. CloudTrail's writers differ: log records use plain JSON escaping,
/// digest files escape `/` as `\/`, and Gson-based services (sign-in) write `=` `&` `<` `>` `'`
/// as `\u003d`-style escapes. Reproducing them keeps readers honest about unescaping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    Plain,
    Slash,
    Gson,
}

pub struct Json<'a> {
    out: &'a mut String,
    /// One flag per open container: true until its first member is written.
    first: Vec<bool>,
    escape: Escape,
}

impl<'a> Json<'a> {
    pub fn new(out: &'a mut String) -> Json<'a> {
        Json { out, first: Vec::with_capacity(8), escape: Escape::Plain }
    }

    pub fn with_escape(out: &'a mut String, escape: Escape) -> Json<'a> {
        let mut j = Json::new(out);
        j.escape = escape;
        j
    }

    /// Writes a top-level object.
    pub fn object(&mut self, f: impl FnOnce(&mut Self)) {
        self.sep();
        self.open('{', f, '}');
    }

    fn sep(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if *first {
                *first = false;
            } else {
                self.out.push(',');
            }
        }
    }

    fn open(&mut self, o: char, f: impl FnOnce(&mut Self), c: char) {
        self.out.push(o);
        self.first.push(true);
        f(self);
        self.first.pop();
        self.out.push(c);
    }

    fn key(&mut self, k: &str) {
        self.sep();
        self.lit(k, Escape::Plain);
        self.out.push(':');
    }

    /// Appends `v` as a quoted, escaped JSON string.
    fn lit(&mut self, v: &str, mode: Escape) {
        let out = &mut *self.out;
        out.push('"');
        let bytes = v.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let esc: Option<&str> = match b {
                b'"' => Some("\\\""),
                b'\\' => Some("\\\\"),
                b'\n' => Some("\\n"),
                b'\r' => Some("\\r"),
                b'\t' => Some("\\t"),
                0..=0x1f => None,
                b'/' if mode == Escape::Slash => Some("\\/"),
                b'=' | b'&' | b'<' | b'>' | b'\'' if mode == Escape::Gson => None,
                _ => continue,
            };
            out.push_str(&v[start..i]);
            match esc {
                Some(e) => out.push_str(e),
                None => out.push_str(&format!("\\u{:04x}", b)),
            }
            start = i + 1;
        }
        out.push_str(&v[start..]);
        out.push('"');
    }

    /// `"k":"v"`
    pub fn s(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        let mode = self.escape;
        self.lit(v, mode);
        self
    }

    /// `"k":"v"` with Gson-style escapes for this one value.
    pub fn s_gson(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        self.lit(v, Escape::Gson);
        self
    }

    /// `"k":"v"` or `"k":null`.
    pub fn os(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.s(k, v),
            None => self.null(k),
        }
    }

    pub fn n(&mut self, k: &str, v: i64) -> &mut Self {
        self.key(k);
        self.out.push_str(&v.to_string());
        self
    }

    pub fn b(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k);
        self.out.push_str(if v { "true" } else { "false" });
        self
    }

    pub fn null(&mut self, k: &str) -> &mut Self {
        self.key(k);
        self.out.push_str("null");
        self
    }

    /// `"k":<json>` where `json` is already valid compact JSON text.
    pub fn raw(&mut self, k: &str, json: &str) -> &mut Self {
        self.key(k);
        self.out.push_str(json);
        self
    }

    /// `"k":<json>` or `"k":null`.
    pub fn oraw(&mut self, k: &str, json: Option<&str>) -> &mut Self {
        match json {
            Some(j) => self.raw(k, j),
            None => self.null(k),
        }
    }

    /// `"k":{…}`
    pub fn o(&mut self, k: &str, f: impl FnOnce(&mut Self)) -> &mut Self {
        self.key(k);
        self.open('{', f, '}');
        self
    }

    /// `"k":[…]`
    pub fn a(&mut self, k: &str, f: impl FnOnce(&mut Self)) -> &mut Self {
        self.key(k);
        self.open('[', f, ']');
        self
    }

    /// Array element: a string.
    pub fn is(&mut self, v: &str) -> &mut Self {
        self.sep();
        let mode = self.escape;
        self.lit(v, mode);
        self
    }

    /// Array element: an object.
    pub fn io(&mut self, f: impl FnOnce(&mut Self)) -> &mut Self {
        self.sep();
        self.open('{', f, '}');
        self
    }
}

/// Builds a standalone compact JSON object and returns its text.
pub fn obj(f: impl FnOnce(&mut Json)) -> String {
    let mut s = String::with_capacity(128);
    Json::new(&mut s).object(f);
    s
}

/// Builds a standalone compact JSON array and returns its text.
pub fn arr(f: impl FnOnce(&mut Json)) -> String {
    let mut s = String::with_capacity(128);
    let mut j = Json::new(&mut s);
    j.open('[', f, ']');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_nests() {
        let text = obj(|j| {
            j.s("a", "q\"b\\s/\n\u{1}é").n("n", -3).b("t", true).null("z");
            j.o("o", |j| {
                j.a("xs", |j| {
                    j.is("x").io(|j| {
                        j.s("k", "v");
                    });
                });
            });
            j.s_gson("url", "a=b&c");
        });
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["a"], "q\"b\\s/\n\u{1}é");
        assert_eq!(v["o"]["xs"][1]["k"], "v");
        assert_eq!(v["url"], "a=b&c");
        assert!(text.contains("a\\u003db\\u0026c"));
        assert!(!text.contains(' '));
        let mut s = String::new();
        Json::with_escape(&mut s, Escape::Slash).object(|j| {
            j.s("p", "a/b");
        });
        assert_eq!(s, r#"{"p":"a\/b"}"#);
        assert_eq!(
            arr(|j| {
                j.is("a").is("b");
            }),
            r#"["a","b"]"#
        );
    }
}
