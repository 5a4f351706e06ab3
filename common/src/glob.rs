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
        Glob { text: pattern.to_string(), wild: chars.iter().any(|&c| c == '*' || c == '?'), chars, ignore_case }
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
        if self.ignore_case {
            let lowered: Vec<char> = s.chars().flat_map(char::to_lowercase).collect();
            wildmatch(&self.chars, &lowered)
        } else {
            let chars: Vec<char> = s.chars().collect();
            wildmatch(&self.chars, &chars)
        }
    }

    /// The longest run of literal text that every match must contain (for pre-filtering).
    pub fn longest_literal(&self) -> &str {
        self.text.split(['*', '?']).max_by_key(|p| p.len()).unwrap_or("")
    }
}

/// Iterative wildcard matching with one backtrack point: linear in practice, never
/// exponential (the last `*` absorbs every retry).
fn wildmatch(p: &[char], s: &[char]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == s[si])) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
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
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn ignoring_case() {
        let g = Glob::new_ignore_case("EC2:Describe*");
        assert!(g.is_match("ec2:DescribeInstances"));
        assert!(!g.is_match("ec2:RunInstances"));
        assert!(Glob::new_ignore_case("Data").is_match("data"));
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
