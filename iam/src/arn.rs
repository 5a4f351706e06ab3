//! ARNs: filling catalog templates from a request, and telling which template an ARN fits.

use ct_common::glob::Glob;

/// The template with every `${Var}` turned into `*`, for matching ARNs against it.
pub fn template_glob(template: &str) -> Glob {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = var_start(rest) {
        out.push_str(&rest[..i]);
        out.push('*');
        rest = match rest[i..].find('}') {
            Some(j) => &rest[i + j + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    Glob::new(&out)
}

/// The variables of a template, in order: `Partition`, `Region`, `Account`, `BucketName`...
pub fn variables(template: &str) -> Vec<&str> {
    let mut vars = Vec::new();
    let mut rest = template;
    while let Some(i) = var_start(rest) {
        let Some(j) = rest[i..].find('}') else { break };
        vars.push(&rest[i + 2..i + j]);
        rest = &rest[i + j + 1..];
    }
    vars
}

/// Where the next `${` starts (a char search: a two-character pattern costs a searcher set up
/// per call, which showed in the profile of ct-actions).
fn var_start(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find('$') {
        let at = from + i;
        if s[at + 1..].starts_with('{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Fills a template: `value(var)` gives the text of a variable, or `None` to leave `*`.
pub fn fill<'v>(template: &str, mut value: impl FnMut(&str) -> Option<&'v str>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(i) = var_start(rest) {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            rest = "";
            break;
        };
        let var = &rest[i + 2..i + j];
        out.push_str(value(var).unwrap_or("*"));
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`).
/// The last part of an ARN: after its last `/`, or its last `:` when it has no `/` (a
/// session's name, a user's, a stack's id; what the console shows as a resource name).
pub fn tail(arn: &str) -> &str {
    match arn.rfind('/') {
        Some(i) => &arn[i + 1..],
        None => arn.rsplit(':').next().unwrap_or(arn),
    }
}

pub fn partition(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next()? == "arn").then_some(())?;
    parts.next().filter(|p| !p.is_empty())
}

/// The account of an ARN (its fifth part), when it has one.
pub fn account(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next()? == "arn").then_some(())?;
    parts.nth(3).filter(|a| !a.is_empty())
}

/// `arn:PART:iam::ACCT:role/PATH/NAME` -> (PART, ACCT, NAME).
pub fn role_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let mut it = arn.splitn(6, ':');
    let (_, part, svc, _, acct, res) = (it.next()?, it.next()?, it.next()?, it.next()?, it.next()?, it.next()?);
    let name = res.strip_prefix("role/")?.rsplit('/').next()?;
    (svc == "iam").then_some((part, acct, name))
}

/// `arn:PART:sts::ACCT:assumed-role/NAME/SESSION` -> (PART, ACCT, NAME).
pub fn session_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let mut it = arn.splitn(6, ':');
    let (_, part, svc, _, acct, res) = (it.next()?, it.next()?, it.next()?, it.next()?, it.next()?, it.next()?);
    let name = res.strip_prefix("assumed-role/")?.split('/').next()?;
    (svc == "sts" && !name.is_empty()).then_some((part, acct, name))
}

/// The role of an assumed-role session ARN: `arn:aws:sts::1:assumed-role/NAME/SESSION` ->
/// `arn:aws:iam::1:role/NAME` (a session ARN drops the role's path, so a role under a path
/// comes out without it).
pub fn session_role(arn: &str) -> Option<String> {
    let (part, acct, name) = session_parts(arn)?;
    Some(format!("arn:{part}:iam::{acct}:role/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let t = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert_eq!(variables(t), vec!["Partition", "BucketName", "ObjectName"]);
        assert_eq!(
            fill(t, |v| (v != "ObjectName").then_some(if v == "Partition" { "aws" } else { "b" })),
            "arn:aws:s3:::b/*"
        );
        let g = template_glob("arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}");
        assert!(g.is_match("arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0abc"));
        assert!(!g.is_match("arn:aws:ec2:ap-southeast-2:111122223333:volume/vol-1"));
        assert_eq!(partition("arn:aws-cn:iam::1:user/x"), Some("aws-cn"));
        assert_eq!(partition("nope"), None);
        assert_eq!(account("arn:aws:iam::111122223333:role/r"), Some("111122223333"));
        assert_eq!(account("arn:aws:s3:::b/k"), None);
        assert_eq!(account("lambda.amazonaws.com"), None);
    }
}
