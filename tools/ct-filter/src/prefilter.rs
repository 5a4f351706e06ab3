//! Proving lines cannot match before parsing them.
//!
//! A predicate whose values are literal text (an event name, a user, an account) can only
//! hold on a line that contains one of those texts. JSON lets a writer escape any character
//! as `\uXXXX`, so a line with an escape that could stand for a character of the literal is
//! never ruled out; AWS escapes only `=`, `<`, `>`, `&` and `'` this way, and literals are
//! built from characters no writer escapes otherwise.

use memchr::memmem::Finder;

/// All groups must be satisfied; within a group any literal will do.
#[derive(Default)]
pub struct Prefilter {
    groups: Vec<Group>,
}

struct Group {
    finders: Vec<Finder<'static>>,
    /// ASCII characters that occur in the group's literals.
    chars: [bool; 128],
}

/// Characters that never need escaping in JSON and that no common writer escapes.
fn safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.:@+ ,;!#$%()[]{}|^~`*?".contains(c)
}

/// The longest run of safe characters in `text` (at least 2 long), usable as a literal.
pub fn literal_of(text: &str) -> Option<String> {
    text.split(|c: char| !safe(c) || c == '*' || c == '?')
        .max_by_key(|s| s.len())
        .filter(|s| s.len() >= 2)
        .map(str::to_string)
}

impl Prefilter {
    /// Adds a group: the line must hold one of `literals`. A group with any value that has
    /// no usable literal cannot rule anything out and is not added.
    pub fn require_any(&mut self, literals: Vec<Option<String>>) {
        if literals.is_empty() || literals.iter().any(Option::is_none) {
            return;
        }
        let mut chars = [false; 128];
        let mut finders = Vec::new();
        for lit in literals.into_iter().flatten() {
            for b in lit.bytes() {
                chars[usize::from(b & 0x7f)] = true;
            }
            finders.push(Finder::new(lit.as_bytes()).into_owned());
        }
        self.groups.push(Group { finders, chars });
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// False only when `line` certainly cannot match.
    pub fn may_match(&self, line: &[u8]) -> bool {
        self.groups
            .iter()
            .all(|g| g.finders.iter().any(|f| f.find(line).is_some()) || escape_could_hide(line, &g.chars))
    }

    /// In `hay`, the position of the first place where the first group's literals occur, for
    /// skipping whole stretches of lines at once; `None` when there is none.
    pub fn next_candidate(&self, hay: &[u8]) -> Option<usize> {
        let g = self.groups.first()?;
        g.finders.iter().filter_map(|f| f.find(hay)).min()
    }

    /// Whether `hay` holds an escape that could hide a literal of the first group.
    pub fn first_group_hidden(&self, hay: &[u8]) -> bool {
        self.groups.first().is_some_and(|g| escape_could_hide(hay, &g.chars))
    }
}

/// Whether a `\uXXXX` escape in `line` encodes a character of the literal.
fn escape_could_hide(line: &[u8], chars: &[bool; 128]) -> bool {
    memchr::memmem::find_iter(line, b"\\u").any(|i| {
        let hex = line.get(i + 2..i + 6).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u32::from_str_radix(h, 16).ok()) {
            Some(code) => code < 128 && chars[code as usize],
            None => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_avoid_characters_writers_escape() {
        assert_eq!(literal_of("RunInstances").as_deref(), Some("RunInstances"));
        assert_eq!(literal_of("arn:aws:iam::1:role/deploy-*").as_deref(), Some("arn:aws:iam::1:role"));
        assert_eq!(literal_of("a=b"), None);
        assert_eq!(literal_of("*"), None);
    }

    #[test]
    fn rules_out_only_lines_without_the_literal() {
        let mut p = Prefilter::default();
        p.require_any(vec![literal_of("ConsoleLogin"), literal_of("GetObject")]);
        assert!(p.may_match(br#"{"eventName":"ConsoleLogin"}"#));
        assert!(p.may_match(br#"{"eventName":"GetObject"}"#));
        assert!(!p.may_match(br#"{"eventName":"PutObject"}"#));
        // An escaped letter could spell the name: never ruled out.
        assert!(p.may_match(br#"{"eventName":"Console\u004cogin"}"#));
        // AWS's usual escape of '=' cannot hide it.
        assert!(!p.may_match(br#"{"eventName":"PutObject","x":"a\u003d"}"#));
    }

    #[test]
    fn a_value_without_a_literal_disables_its_group() {
        let mut p = Prefilter::default();
        p.require_any(vec![literal_of("Run*"), literal_of("*")]);
        assert!(p.is_empty());
    }
}
