//! Patterns of a policy read as wildcards: condition key families, policy variables, and
//! whether two patterns can match the same text.

use ct_common::glob::Glob;

/// A key family as a pattern: `${Var}` and `<var>` stand for any text.
pub(super) fn template_as_stars(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        let close = match (c, chars.peek()) {
            ('$', Some('{')) => '}',
            ('<', _) => '>',
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push('*');
        for d in chars.by_ref() {
            if d == close {
                break;
            }
        }
    }
    out
}

/// A policy resource as a pattern: policy variables (`${aws:username}`) may be anything.
pub(super) fn pattern(r: &str) -> Glob {
    Glob::new(&vars_as_stars(r))
}

pub(super) fn vars_as_stars(r: &str) -> String {
    let mut out = String::with_capacity(r.len());
    let mut rest = r;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => {
                out.push('*');
                rest = &rest[i + j + 1..];
            }
            None => {
                rest = &rest[i..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether some text matches both wildcard patterns (`*` any run, `?` one character): a walk
/// over pairs of positions, as in the product of the two patterns' automata.
pub fn overlap(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (n, m) = (a.len(), b.len());
    let mut seen = vec![false; (n + 1) * (m + 1)];
    let mut todo = vec![(0usize, 0usize)];
    while let Some((i, j)) = todo.pop() {
        if std::mem::replace(&mut seen[i * (m + 1) + j], true) {
            continue;
        }
        if i == n && j == m {
            return true;
        }
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        let mut next = |i: usize, j: usize| {
            if !seen[i * (m + 1) + j] {
                todo.push((i, j));
            }
        };
        if x == Some('*') {
            next(i + 1, j);
            if j < m {
                next(i, j + 1);
            }
        }
        if y == Some('*') {
            next(i, j + 1);
            if i < n {
                next(i + 1, j);
            }
        }
        if let (Some(x), Some(y)) = (x, y)
            && x != '*'
            && y != '*'
            && (x == '?' || y == '?' || x == y)
        {
            next(i + 1, j + 1);
        }
    }
    false
}
