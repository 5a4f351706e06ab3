//! Matching an ARN against a pattern of a policy's Resource or NotResource element.
//!
//! IAM User Guide, "IAM JSON policy elements: Resource": wildcards (`*` and `?`) work "within
//! the individual segments of an ARN (the parts separated by colons)", and "if the `*` wildcard
//! is the last character of a resource ARN segment, it can expand to match beyond colon
//! boundaries". So `?`, and a `*` followed by more text of its segment, never match a colon;
//! a `*` that ends a segment (followed by `:` or by the end of the pattern) matches anything.
//! Matching is case-sensitive, with one exception chosen here: the region and account
//! segments of a Deny compare without case (see `matches`).

use ct_common::glob::Piece;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Token {
    Lit(char),
    /// `?`: one character, not a colon.
    One,
    /// `?` read wide: any one character.
    OneAny,
    /// A `*` inside its segment: any run without a colon.
    InSegment,
    /// A `*` ending its segment: any run.
    Across,
}

/// The region (3) and account (4) segments of an ARN, counted from 0 at `arn`.
fn folded_segment(colons_before: usize) -> bool {
    colons_before == 3 || colons_before == 4
}

fn tokens(pattern: &[Piece], wide: bool, fold: bool) -> Vec<Token> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut colons = 0;
    for (i, p) in pattern.iter().enumerate() {
        out.push(match *p {
            Piece::Char(c) => {
                let lit = if fold && folded_segment(colons) { c.to_ascii_lowercase() } else { c };
                if c == ':' {
                    colons += 1;
                }
                Token::Lit(lit)
            }
            Piece::One if wide => Token::OneAny,
            Piece::One => Token::One,
            Piece::Many if wide => Token::Across,
            Piece::Many => match pattern.get(i + 1) {
                None | Some(Piece::Char(':')) => Token::Across,
                Some(_) => Token::InSegment,
            },
        });
    }
    out
}

/// Whether `arn` matches `pattern` (pieces: characters and wildcards, see `Piece`).
///
/// `wide` reads the pattern so that it matches all it might: the region and account segments
/// without case (IAM does not say how an upper-case region or account in a policy compares;
/// real ARNs write both in lower case and digits), and every wildcard across colons (an S3
/// object key may hold a colon: `secret/*.key` must still cover `secret/a:b.key` for a Deny).
/// A Deny's Resource and an Allow's NotResource are read wide, so that the Deny cannot be
/// switched off nor the Allow grant more than it says; an Allow's Resource and a Deny's
/// NotResource strictly.
pub fn matches(pattern: &[Piece], arn: &str, wide: bool) -> bool {
    // Folding is tried besides the exact text, not instead: a wildcard read wide may shift
    // which segment a letter falls in.
    run(pattern, arn, wide, false) || (wide && run(pattern, arn, true, true))
}

fn run(pattern: &[Piece], arn: &str, wide: bool, fold: bool) -> bool {
    let toks = tokens(pattern, wide, fold);
    let mut colons = 0;
    let text: Vec<char> = arn
        .chars()
        .map(|c| {
            let out = if fold && folded_segment(colons) { c.to_ascii_lowercase() } else { c };
            if c == ':' {
                colons += 1;
            }
            out
        })
        .collect();
    if toks.iter().all(|t| matches!(t, Token::Lit(_))) {
        return toks.len() == text.len() && toks.iter().zip(&text).all(|(t, c)| *t == Token::Lit(*c));
    }
    // dp[j]: the tokens so far match text[..j].
    let n = text.len();
    let mut dp = vec![false; n + 1];
    let mut next = vec![false; n + 1];
    dp[0] = true;
    for t in &toks {
        next[0] = dp[0] && matches!(t, Token::InSegment | Token::Across);
        for j in 1..=n {
            let c = text[j - 1];
            next[j] = match *t {
                Token::Lit(l) => dp[j - 1] && c == l,
                Token::One => dp[j - 1] && c != ':',
                Token::OneAny => dp[j - 1],
                Token::InSegment => dp[j] || (next[j - 1] && c != ':'),
                Token::Across => dp[j] || next[j - 1],
            };
        }
        std::mem::swap(&mut dp, &mut next);
        if !dp.iter().any(|&b| b) {
            return false;
        }
    }
    dp[n]
}

/// `matches` for glob text, where every `*` and `?` is a wildcard.
pub fn matches_text(pattern: &str, arn: &str, wide: bool) -> bool {
    pattern == "*" || matches(&Piece::of(pattern).collect::<Vec<_>>(), arn, wide)
}

#[cfg(test)]
mod tests {
    use super::matches_text as m;

    #[test]
    fn a_star_ending_a_segment_crosses_colons() {
        assert!(m("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:1:instance/i-1", false));
        assert!(m("arn:aws:logs:*", "arn:aws:logs:us-east-1:1:log-group:a:log-stream:b", false));
        assert!(m("arn:aws:s3:::b/*", "arn:aws:s3:::b/x:y/z", false));
    }

    #[test]
    fn question_marks_and_inner_stars_stay_in_their_segment() {
        // `?` is one character of its segment, never the colon between two.
        assert!(!m("arn:aws:s3:::a?b", "arn:aws:s3:::a:b", false));
        assert!(m("arn:aws:s3:::a?b", "arn:aws:s3:::axb", false));
        // `us-*-1` is inside the region segment: it cannot swallow `:123:thing`.
        assert!(!m("arn:aws:sqs:us-*-1:9:q", "arn:aws:sqs:us-east:123:x-1:9:q", false));
        assert!(m("arn:aws:sqs:us-*-1:9:q", "arn:aws:sqs:us-east-1:9:q", false));
    }

    #[test]
    fn wide_lets_every_wildcard_cross_colons() {
        assert!(!m("arn:aws:s3:::secret/*.key", "arn:aws:s3:::secret/a:b.key", false));
        assert!(m("arn:aws:s3:::secret/*.key", "arn:aws:s3:::secret/a:b.key", true));
        assert!(m("arn:aws:s3:::a?b", "arn:aws:s3:::a:b", true));
    }

    #[test]
    fn case_folds_only_in_region_and_account_and_only_when_asked() {
        assert!(!m("arn:aws:ec2:US-EAST-1:1:instance/x", "arn:aws:ec2:us-east-1:1:instance/x", false));
        assert!(m("arn:aws:ec2:US-EAST-1:1:instance/x", "arn:aws:ec2:us-east-1:1:instance/x", true));
        assert!(!m("arn:aws:ec2:us-east-1:1:instance/X", "arn:aws:ec2:us-east-1:1:instance/x", true));
    }
}
