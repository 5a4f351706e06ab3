//! Shell-style wildcards: `*` matches any run of characters (also none), `?` exactly one.
//! No other character is special. IAM action and ARN patterns use the same two wildcards.

/// A pattern compiled for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    /// The pattern's characters, lowercased when the match ignores case.
    chars: Vec<char>,
    wild: bool,
    ignore_case: bool,
    /// The only wildcard is `*` (case kept): a text matches when the pattern's literal runs
    /// occur in it in order, the first at its start and the last at its end (`runs_match`).
    star_only: bool,
}

impl Glob {
    pub fn new(pattern: &str) -> Self {
        Self::build(pattern, false)
    }

    /// A pattern that ignores ASCII and Unicode case (IAM actions, event categories).
    pub fn new_ignore_case(pattern: &str) -> Self {
        Self::build(pattern, true)
    }

    fn build(pattern: &str, ignore_case: bool) -> Self {
        let chars: Vec<char> = if ignore_case {
            pattern.chars().flat_map(char::to_lowercase).collect()
        } else {
            pattern.chars().collect()
        };
        let wild = chars.iter().any(|&c| c == '*' || c == '?');
        let star_only = wild && !ignore_case && !pattern.contains('?');
        Glob { text: pattern.to_string(), wild, chars, ignore_case, star_only }
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern holds a wildcard (otherwise it matches one exact string).
    pub fn is_wild(&self) -> bool {
        self.wild
    }

    pub fn is_match(&self, s: &str) -> bool {
        if !self.wild && !self.ignore_case {
            return s == self.text;
        }
        // `*`-only patterns (ARN templates): their literal runs, found by substring search.
        if self.star_only {
            return runs_match(&self.text, s);
        }
        // Bytes match as characters do when both sides are ASCII, and also (case kept) when
        // the pattern has no `?`: a literal can only start on a character's first byte, so
        // `*` always spans whole characters. That spares collecting characters per call.
        let p = self.text.as_bytes();
        if self.ignore_case {
            if self.text.is_ascii() && s.is_ascii() {
                return wildmatch(p, s.as_bytes(), b'*', b'?', u8::eq_ignore_ascii_case);
            }
            let lowered: Vec<char> = s.chars().flat_map(char::to_lowercase).collect();
            wildmatch(&self.chars, &lowered, '*', '?', char::eq)
        } else if !self.text.contains('?') || s.is_ascii() {
            wildmatch(p, s.as_bytes(), b'*', b'?', u8::eq)
        } else {
            let chars: Vec<char> = s.chars().collect();
            wildmatch(&self.chars, &chars, '*', '?', char::eq)
        }
    }

    /// The longest run of literal text that every match must contain (for pre-filtering).
    pub fn longest_literal(&self) -> &str {
        self.text.split(['*', '?']).max_by_key(|p| p.len()).unwrap_or("")
    }
}

/// One piece of a pattern built piece by piece: a character that stands for itself (even `*`
/// or `?`, which a glob's text cannot say), or a wildcard. IAM policies write such characters
/// `${*}` and `${?}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    Char(char),
    Many,
    One,
}

impl Piece {
    /// The pieces of glob text: `*` and `?` are wildcards, every other character itself.
    pub fn of(text: &str) -> impl Iterator<Item = Piece> + '_ {
        text.chars().map(|c| match c {
            '*' => Piece::Many,
            '?' => Piece::One,
            c => Piece::Char(c),
        })
    }
}

/// Whether `s` matches `pattern` (case kept).
pub fn matches_pieces(pattern: &[Piece], s: &str) -> bool {
    let text: Vec<Piece> = s.chars().map(Piece::Char).collect();
    wildmatch(pattern, &text, Piece::Many, Piece::One, Piece::eq)
}

/// Whether `s` matches `pattern`, whose only wildcard is `*` (at least one): its runs of
/// literal text, with any text between them. The first starts `s`, the last ends it, and each
/// other is found at its leftmost place after the one before (the leftmost place leaves the
/// most room for the rest, so it is never wrong to take it). Linear, with a fast substring
/// search. The runs are read off the pattern's text as they are needed: kept apart, each was
/// one more allocation to reach for every ARN matched.
fn runs_match(pattern: &str, s: &str) -> bool {
    let p = pattern.as_bytes();
    let (Some(first_end), Some(last_start)) = (memchr::memchr(b'*', p), memchr::memrchr(b'*', p)) else {
        return false;
    };
    let (first, last) = (&p[..first_end], &p[last_start + 1..]);
    let Some(mut middle) = s.as_bytes().strip_prefix(first) else { return false };
    if first_end < last_start {
        for run in p[first_end + 1..last_start].split(|&b| b == b'*') {
            match find(middle, run) {
                Some(at) => middle = &middle[at + run.len()..],
                None => return false,
            }
        }
    }
    middle.len() >= last.len() && middle.ends_with(last)
}

/// Where `needle` first occurs in `hay`. Texts and runs here are short (ARNs, and the text
/// between a template's variables): a search for the needle's first byte does, where std's
/// `find` and memchr's `memmem::find` each set up a searcher per call, which cost more than
/// the search.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else { return Some(0) };
    memchr::memchr_iter(first, hay).find(|&i| hay[i + 1..].starts_with(rest))
}

/// Iterative wildcard matching with one backtrack point: linear in practice, never
/// exponential (the last `*` absorbs every retry).
fn wildmatch<T: Copy + PartialEq>(p: &[T], s: &[T], many: T, one: T, eq: impl Fn(&T, &T) -> bool) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == one || (p[pi] != many && eq(&p[pi], &s[si]))) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == many {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == many {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_say_what_glob_text_cannot() {
        let p = |parts: &[Piece]| parts.to_vec();
        // `a${*}` in a policy: an `a` and a star, nothing else.
        let star = p(&[Piece::Char('a'), Piece::Char('*')]);
        assert!(matches_pieces(&star, "a*"));
        assert!(!matches_pieces(&star, "ab"));
        let one = p(&[Piece::Char('?'), Piece::One]);
        assert!(matches_pieces(&one, "?x"));
        assert!(!matches_pieces(&one, "xx"));
        // Glob text as pieces matches as the glob does.
        for (pat, s) in [("R?n*s", "RunInstances"), ("*", ""), ("a*b", "ab"), ("a*b", "ba"), ("ü?*", "üßx")] {
            let pieces: Vec<Piece> = Piece::of(pat).collect();
            assert_eq!(matches_pieces(&pieces, s), Glob::new(pat).is_match(s), "{pat} {s}");
        }
    }

    #[test]
    fn exact_and_wildcards() {
        let m = |p: &str, s: &str| Glob::new(p).is_match(s);
        assert!(m("RunInstances", "RunInstances"));
        assert!(!m("RunInstances", "runinstances"));
        assert!(m("Run*", "RunInstances"));
        assert!(m("*Instances", "RunInstances"));
        assert!(m("R?n*s", "RunInstances"));
        assert!(m("*", ""));
        assert!(!m("?", ""));
        assert!(m("t2.*", "t2.micro"));
        assert!(!m("t2.*", "t3.micro"));
        assert!(m("a*b*c", "aXXbYYbZZc"));
        assert!(!m("a*b*c", "aXXbYYbZZ"));
        assert!(m("arn:aws:iam::*:role/deploy-*", "arn:aws:iam::111122223333:role/deploy-agent"));
        assert!(m("é?", "éü"));
        assert!(!m("é?", "éüx"));
        assert!(m("*ü*", "aüb"));
        assert!(!m("?", "é\u{301}"));
        assert!(m("a*é", "aéééé"));
        assert!(!m("a*é", "aééééx"));
    }

    #[test]
    fn ignoring_case() {
        let g = Glob::new_ignore_case("EC2:Describe*");
        assert!(g.is_match("ec2:DescribeInstances"));
        assert!(!g.is_match("ec2:RunInstances"));
        assert!(Glob::new_ignore_case("Data").is_match("data"));
        assert!(Glob::new_ignore_case("ÉTÉ*").is_match("été-x"));
        assert!(Glob::new_ignore_case("s3:get?bject").is_match("S3:GetObject"));
    }

    proptest::proptest! {
        /// The byte paths answer as matching characters does, on text with multi-byte and
        /// combining characters.
        #[test]
        fn bytes_match_as_characters(p in "[a?*éü\u{301}:/]{0,8}", s in "[aéü\u{301}:/]{0,10}") {
            let chars = |x: &str| x.chars().collect::<Vec<char>>();
            let want = wildmatch(&chars(&p), &chars(&s), '*', '?', char::eq);
            proptest::prop_assert_eq!(Glob::new(&p).is_match(&s), want, "{} {}", p, s);
            let lower = |x: &str| x.chars().flat_map(char::to_lowercase).collect::<Vec<char>>();
            let want = wildmatch(&lower(&p), &lower(&s.to_uppercase()), '*', '?', char::eq);
            proptest::prop_assert_eq!(Glob::new_ignore_case(&p).is_match(&s.to_uppercase()), want);
        }
    }

    #[test]
    fn no_exponential_blowup() {
        let p = format!("{}b", "*a".repeat(30));
        let s = "a".repeat(5000);
        assert!(!Glob::new(&p).is_match(&s));
    }

    #[test]
    fn literal_for_prefiltering() {
        assert_eq!(Glob::new("arn:aws:iam::*:role/deploy-*").longest_literal(), ":role/deploy-");
        assert_eq!(Glob::new("*").longest_literal(), "");
        assert!(!Glob::new("exact").is_wild());
    }
}
