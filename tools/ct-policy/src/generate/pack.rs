//! Statements packed into documents under IAM's size limit.

use super::{Document, MAX_POLICY_CHARS, PolicyStatement};

/// The size IAM counts: the document without whitespace.
pub fn size(doc: &Document) -> usize {
    serde_json::to_string(doc).map(|s| s.len()).unwrap_or(usize::MAX)
}

/// Packs statements into documents under the size limit (a statement larger than the limit
/// alone is an error for the caller to report).
pub fn split(statements: Vec<PolicyStatement>) -> Vec<Document> {
    // A statement too large for one document is cut into parts by its resources.
    let alone = |st: &PolicyStatement| size(&Document { version: "2012-10-17", statements: vec![st.clone()] });
    let mut pieces = Vec::new();
    for st in statements {
        let mut todo = vec![st];
        let mut parts = Vec::new();
        while let Some(st) = todo.pop() {
            if alone(&st) > MAX_POLICY_CHARS && st.resource.len() > 1 {
                let half = st.resource.len() / 2;
                let mut a = st.clone();
                let mut b = st;
                a.resource.truncate(half);
                b.resource.drain(..half);
                todo.push(b);
                todo.push(a);
            } else {
                parts.push(st);
            }
        }
        let n = parts.len();
        for (i, mut p) in parts.into_iter().enumerate() {
            if n > 1 {
                p.sid = format!("{}Part{}", p.sid, i + 1);
            }
            pieces.push(p);
        }
    }
    let mut docs: Vec<Document> = Vec::new();
    for st in pieces {
        match docs.last_mut() {
            Some(d) => {
                d.statements.push(st.clone());
                if size(d) > MAX_POLICY_CHARS && d.statements.len() > 1 {
                    d.statements.pop();
                    docs.push(Document { version: "2012-10-17", statements: vec![st] });
                }
            }
            None => docs.push(Document { version: "2012-10-17", statements: vec![st] }),
        }
    }
    docs
}
