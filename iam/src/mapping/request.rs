//! The request parameters as the mapping reads them: parsed only when needed, after a look
//! at their text (`Params::may_hold`) with a search tuned to the bytes of request text
//! (`holds`), and the searches of a parsed request or answer for keys and ARNs.

use std::cell::OnceCell;

use crate::event::Event;
use crate::json::Json;
use compact_str::CompactString;

/// A text the mapping looks for in request parameters (most often a key), in lower case
/// (`Params::may_hold`). Held inline when short, as keys are: the mapping reads these for
/// every event, and a pointer to each was one more cache miss.
pub(super) type Needle = CompactString;

/// The needle of `text`.
pub(super) fn needle(text: &str) -> Needle {
    text.to_ascii_lowercase().into()
}

/// The request parameters, parsed when first needed. Reading them was a fifth of
/// ct-actions' records mode, and most events need none of what the mapping looks for: a look
/// at the text first (`may_hold`) tells when they cannot hold it.
pub(super) struct Params<'e> {
    pub(super) ev: &'e Event<'e>,
    pub(super) value: OnceCell<Json<'e>>,
    /// The text has an escape: a key or value may then be spelled otherwise in it.
    pub(super) escaped: OnceCell<bool>,
    /// The text in lower case (when it has no escape).
    pub(super) lower: OnceCell<Vec<u8>>,
    /// Look at the text before reading it (false only in `map_reading_all`).
    pub(super) look_first: bool,
}

impl<'e> Params<'e> {
    pub(super) fn new(ev: &'e Event<'e>, look_first: bool) -> Self {
        Params { ev, value: OnceCell::new(), escaped: OnceCell::new(), lower: OnceCell::new(), look_first }
    }

    pub(super) fn get(&self) -> &Json<'e> {
        self.value.get_or_init(|| Json::parse(self.ev.request_parameters))
    }

    /// The response elements, read (not kept: the few calls that need them need them once),
    /// or null when the text cannot hold `needle` (a key spelled without escapes, as the
    /// request's are).
    pub(super) fn response_with(&self, needle: &str) -> Json<'e> {
        let Some(raw) = self.ev.response_elements else { return Json::Null };
        let may = !self.look_first
            || memchr::memchr(b'\\', raw.as_bytes()).is_some()
            || holds(raw.as_bytes(), needle.as_bytes());
        if !may {
            return Json::Null;
        }
        Json::parse(Some(raw))
    }

    /// The string under `key` at the top of the request, when it may be there.
    pub(super) fn str_at(&self, key: &str) -> Option<&str> {
        if !self.may_hold(key) {
            return None;
        }
        self.get().get(key).and_then(Json::as_str)
    }

    /// Whether the parameters may hold the needle's text (in a key or a string), in any ASCII
    /// case: false only when the text, with no escape in it, does not contain it, for keys and
    /// strings without escapes appear in the text as they are.
    pub(super) fn may_hold_any_case(&self, needle: &str) -> bool {
        debug_assert!(!needle.bytes().any(|b| b.is_ascii_uppercase()), "{needle}");
        match self.plain_text() {
            Ok(raw) => {
                let lower = self.lower.get_or_init(|| raw.as_bytes().to_ascii_lowercase());
                holds(lower, needle.as_bytes())
            }
            Err(may) => may,
        }
    }

    /// As `may_hold_any_case`, for a text the mapping compares with case (exact keys, ARNs):
    /// no lower-case copy of the request is needed.
    pub(super) fn may_hold(&self, needle: &str) -> bool {
        match self.plain_text() {
            Ok(raw) => holds(raw.as_bytes(), needle.as_bytes()),
            Err(may) => may,
        }
    }

    /// The request's text when a look at it can be trusted (there is one, it has no escape,
    /// and looking first was asked for); otherwise what to answer without looking: false
    /// when there are no parameters, true when looking cannot tell.
    fn plain_text(&self) -> Result<&str, bool> {
        let Some(raw) = self.ev.request_parameters else { return Err(false) };
        if !self.look_first || *self.escaped.get_or_init(|| memchr::memchr(b'\\', raw.as_bytes()).is_some()) {
            return Err(true);
        }
        Ok(raw)
    }
}

/// Whether `needle` occurs in `hay`, found by the needle's byte that is rarest in request
/// text. The needles' first bytes are mostly vowels, quotes or colons: a search for them
/// stopped every few bytes, and cost some 500 instructions a call.
fn holds(hay: &[u8], needle: &[u8]) -> bool {
    // The bytes of request parameters, most frequent first (the bench trail's, in lower case;
    // upper-case letters are rarer than all of these).
    const COMMON: &[u8] = b"\"aestn:roc-mil1dp0u3{}/b79h4fy,k28.wg56v_xz[]qj$# =";
    const RANK: [u8; 256] = {
        let mut rank = [0u8; 256];
        let mut i = 0;
        while i < COMMON.len() {
            rank[COMMON[i] as usize] = (COMMON.len() - i) as u8;
            i += 1;
        }
        rank
    };
    let Some(at) = (0..needle.len()).min_by_key(|&i| RANK[usize::from(needle[i])]) else { return true };
    // A match has the rare byte `at` bytes after its start.
    let from = at.min(hay.len());
    memchr::memchr_iter(needle[at], &hay[from..]).any(|i| hay[i..].starts_with(needle))
}

/// Every string under `key` (compared without case) anywhere in `v`, depth-limited.
pub(super) fn find_strings<'v>(v: &'v Json<'v>, key: &str, depth: u8, out: &mut Vec<&'v str>) {
    if depth > 4 || out.len() >= 16 {
        return;
    }
    match v {
        Json::Object(m) => {
            for (k, x) in m {
                if k.eq_ignore_ascii_case(key) {
                    match x {
                        Json::String(s) => out.push(s),
                        Json::Array(a) => out.extend(a.iter().filter_map(Json::as_str)),
                        _ => {}
                    }
                } else {
                    find_strings(x, key, depth + 1, out);
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|x| find_strings(x, key, depth + 1, out)),
        _ => {}
    }
}

/// The ARNs anywhere in `v` (an answer), depth-limited.
pub(super) fn arns_in(v: &Json<'_>, depth: u8, out: &mut Vec<String>) {
    if depth > 5 || out.len() >= 32 {
        return;
    }
    match v {
        Json::String(s) if s.starts_with("arn:") => out.push(s.to_string()),
        Json::Object(m) => m.iter().for_each(|(_, x)| arns_in(x, depth + 1, out)),
        Json::Array(a) => a.iter().for_each(|x| arns_in(x, depth + 1, out)),
        _ => {}
    }
}

/// Whether `key` (any case) appears anywhere in `v`, depth-limited.
pub(super) fn find_keys<'v>(v: &'v Json<'v>, key: &str, depth: u8, out: &mut Vec<&'v Json<'v>>) {
    if depth > 5 || out.len() >= 4 {
        return;
    }
    match v {
        Json::Object(m) => {
            for (k, x) in m {
                if k.eq_ignore_ascii_case(key) && !x.is_null() {
                    out.push(x);
                } else {
                    find_keys(x, key, depth + 1, out);
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|x| find_keys(x, key, depth + 1, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// `holds` finds a needle wherever it is, whichever of its bytes it searches for first.
        #[test]
        fn holds_finds_what_a_plain_search_finds(hay in "[aeg:\"/Rx]{0,40}", needle in "[aeg:\"/Rx]{0,5}") {
            let plain = needle.is_empty() || hay.as_bytes().windows(needle.len()).any(|w| w == needle.as_bytes());
            prop_assert_eq!(super::holds(hay.as_bytes(), needle.as_bytes()), plain);
        }
    }
}
