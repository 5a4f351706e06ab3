//! Policy variables (IAM User Guide, "IAM policy elements: Variables and tags"): a policy
//! value or Resource pattern with `${key}` replaced from the request's context, and the
//! matches of what comes out.

use ct_common::glob::{Glob, Piece, matches_pieces};

use crate::request::{Context, Mode};

/// A policy value with its variables substituted: its text (where `${*}`, `${?}` and `${$}`
/// became those characters), and, when it held `${*}` or `${?}`, its pieces, which keep
/// them apart from the wildcards `*` and `?` (a glob's text cannot).
pub(super) struct Pattern {
    pub(super) text: String,
    pub(super) pieces: Option<Vec<Piece>>,
}

impl Pattern {
    /// StringLike's match.
    pub(super) fn glob_match(&self, s: &str) -> bool {
        match &self.pieces {
            Some(p) => matches_pieces(p, s),
            None => Glob::new(&self.text).is_match(s),
        }
    }

    /// The Resource element's match (`resource_match`), read `wide` or strictly.
    pub(super) fn arn_match(&self, arn: &str, wide: bool) -> bool {
        match &self.pieces {
            Some(p) => crate::resource_match::matches(p, arn, wide),
            None => crate::resource_match::matches_text(&self.text, arn, wide),
        }
    }

    /// ArnLike's match (`arn_match_parts`).
    pub(super) fn arn_match_parts(&self, arn: &str) -> bool {
        let Some(pieces) = &self.pieces else { return arn_match_parts(&self.text, arn) };
        let p = pieces_parts(pieces);
        let a: Vec<&str> = arn.splitn(6, ':').collect();
        p.len() == 6 && a.len() == 6 && p.iter().zip(&a).all(|(p, a)| matches_pieces(p, a))
    }
}

/// Pieces cut at their first five colons, as `splitn(6, ':')` cuts text.
fn pieces_parts(pieces: &[Piece]) -> Vec<&[Piece]> {
    let mut parts = Vec::with_capacity(6);
    let mut rest = pieces;
    while parts.len() < 5
        && let Some(i) = rest.iter().position(|&p| p == Piece::Char(':'))
    {
        parts.push(&rest[..i]);
        rest = &rest[i + 1..];
    }
    parts.push(rest);
    parts
}

/// The result of substituting policy variables.
pub(super) enum Subst {
    Text(Pattern),
    /// A variable whose key is missing; `observable` says whether that proves it absent.
    Missing {
        key: String,
        observable: bool,
    },
}

/// Replaces `${key}` (and `${key, 'default'}`, `${$}`, `${*}`, `${?}`) in `text` from the
/// context.
pub(super) fn substitute(text: &str, ctx: &Context, mode: Mode) -> Subst {
    let mut out = String::with_capacity(text.len());
    // The pieces of `out` up to the last `${*}` or `${?}`; None while there was none.
    let mut pieces: Option<Vec<Piece>> = None;
    let mut done = 0;
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let inner = rest[i + 2..i + j].trim();
        rest = &rest[i + j + 1..];
        match inner {
            "$" => out.push('$'),
            // The characters themselves, which the pieces keep apart from the wildcards.
            "*" | "?" => {
                let p = pieces.get_or_insert_with(Vec::new);
                p.extend(Piece::of(&out[done..]));
                let c = if inner == "*" { '*' } else { '?' };
                p.push(Piece::Char(c));
                out.push(c);
                done = out.len();
            }
            _ => {
                let (key, default) = match inner.split_once(',') {
                    Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\'').to_string())),
                    None => (inner, None),
                };
                let unsettled = || Subst::Missing { key: key.to_string(), observable: false };
                match ctx.get(key) {
                    // Values this context cannot vouch for, or an absence it does not prove
                    // (a default stands in only for a key the request did not have).
                    _ if mode == Mode::Check && !ctx.knows(key) => return unsettled(),
                    // One variable, several values (pooled from events, or a multivalued key):
                    // which one the request had is not known.
                    Some([_, _, ..]) if mode == Mode::Check => return unsettled(),
                    Some([v, ..]) => out.push_str(v),
                    _ => match default {
                        Some(d) => out.push_str(&d),
                        None => {
                            return Subst::Missing {
                                key: key.to_string(),
                                observable: mode == Mode::Simulate || ctx.knows(key),
                            };
                        }
                    },
                }
            }
        }
    }
    out.push_str(rest);
    if let Some(p) = &mut pieces {
        p.extend(Piece::of(&out[done..]));
    }
    Subst::Text(Pattern { text: out, pieces })
}

/// `substitute` for a Resource pattern: only in the resource part, after the fifth colon (IAM
/// User Guide, "IAM policy elements: Variables and tags": "you can use a policy variable only
/// in the resource portion of the ARN ... after the fifth colon"); before it, `${...}` is
/// plain text. A pattern without five colons (`*`) has no resource part.
pub(super) fn substitute_resource(text: &str, ctx: &Context, mode: Mode) -> Subst {
    let Some((cut, _)) = text.match_indices(':').nth(4) else {
        return Subst::Text(Pattern { text: text.to_string(), pieces: None });
    };
    let (head, tail) = text.split_at(cut + 1);
    match substitute(tail, ctx, mode) {
        Subst::Text(t) => Subst::Text(Pattern {
            text: format!("{head}{}", t.text),
            pieces: t.pieces.map(|p| Piece::of(head).chain(p).collect()),
        }),
        missing => missing,
    }
}

/// ARN matching for the Arn condition operators: each of the six parts on its own, never a
/// `*` running past a colon (IAM User Guide, condition operators: "each of the six
/// colon-delimited components of the ARN is checked separately").
pub fn arn_match_parts(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == 6 && a.len() == 6 && p.iter().zip(&a).all(|(p, a)| Glob::new(p).is_match(a))
}
