//! Resource generalisation: from the ARNs a job touched in the past to the patterns it will need
//! tomorrow, and no wider.
//!
//! The observed ARNs of one resource type are read against the type's ARN template from the
//! IAM catalog (`arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}`), so that
//! each variable of the resource part is handled on its own, left to right:
//!
//! * the partition, region and account are kept exactly as seen (a pattern never reaches another
//!   account or region);
//! * an identifier (a variable whose name ends in `Id`: instance, volume, change, stack UUIDs)
//!   becomes `*` when it varies (two or more values) or when the principal creates resources of
//!   the type (a create call's ARN holds `*` there): such identifiers are made anew for every
//!   resource and never come back;
//! * a name keeps its stable stem before what varies: object keys up to the `/` before the
//!   first part holding a digit (`builds/2.3.1/app.tgz` → `builds/*`), other names up to the
//!   last separator before the first digit (`test-pr-412` → `test-pr-*`). Names are
//!   generalised only where two or more values share the stem; a name seen alone stays exact.
//!
//! Variables further right are generalised within each pattern of the ones before (the objects
//! of one bucket, the stack UUIDs of one stack name), so values of different stems never mix.

use std::collections::BTreeMap;

/// One pattern and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub arn: String,
    /// The observed values it covers.
    pub covers: Vec<String>,
    pub why: String,
    /// The resource's own name or identifier (its first variable after the account) became a
    /// pattern: the grant reaches resources not seen (`instance/*`, `stack/test-pr-*/*`), not
    /// only other parts of one seen (`stack/webapp-prod/*`, the stack's UUID).
    pub wide: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'t> {
    Lit(&'t str),
    Var(&'t str),
}

fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        if i > 0 {
            out.push(Piece::Lit(&rest[..i]));
        }
        let Some(j) = rest[i..].find('}') else { break };
        out.push(Piece::Var(&rest[i + 2..i + j]));
        rest = &rest[i + j + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Lit(rest));
    }
    out
}

/// The values of the template's variables in `arn`, or `None` when it does not fit. A variable
/// ends where the next literal first occurs (names hold no `:`; an object key, the last
/// variable, takes the rest).
fn read<'a>(pieces: &[Piece<'_>], arn: &'a str) -> Option<Vec<&'a str>> {
    let mut out = Vec::new();
    let mut rest = arn;
    for (i, p) in pieces.iter().enumerate() {
        match p {
            Piece::Lit(l) => rest = rest.strip_prefix(l)?,
            Piece::Var(_) => match pieces.get(i + 1) {
                Some(Piece::Lit(l)) => {
                    let at = rest.find(l)?;
                    out.push(&rest[..at]);
                    rest = &rest[at..];
                }
                Some(Piece::Var(_)) => return None,
                None => {
                    out.push(rest);
                    rest = "";
                }
            },
        }
    }
    rest.is_empty().then_some(out)
}

fn write(pieces: &[Piece<'_>], values: &[String]) -> String {
    let mut out = String::new();
    let mut v = values.iter();
    for p in pieces {
        match p {
            Piece::Lit(l) => out.push_str(l),
            Piece::Var(_) => out.push_str(v.next().map_or("*", String::as_str)),
        }
    }
    out
}

/// Whether `arn` names nothing of its type: every variable after the account is `*`
/// (`stack/*/*`, the stack of a change set given by its ARN).
pub fn names_nothing(template: &str, arn: &str) -> bool {
    let pieces = pieces(template);
    let Some(values) = read(&pieces, arn) else { return false };
    let vars = pieces.iter().filter_map(|p| match p {
        Piece::Var(v) => Some(*v),
        Piece::Lit(_) => None,
    });
    vars.zip(values).all(|(var, v)| matches!(var, "Partition" | "Region" | "Account") || v == "*")
}

/// Whether a template variable names an identifier that AWS generates for each new resource.
pub fn is_identifier(var: &str) -> bool {
    var == "Id" || var.ends_with("Id") || var.ends_with("ID")
}

fn is_sep(b: u8) -> bool {
    !b.is_ascii_alphanumeric()
}

/// The stable stem of a name: for a path, up to the `/` before the first part that holds a
/// digit; otherwise up to the last separator before the first digit. A name whose stem would
/// be empty although it starts with a letter (`logs1`) has none: it stays itself.
pub fn stem(v: &str) -> &str {
    if v.contains('*') {
        return &v[..v.find('*').unwrap_or(v.len())];
    }
    let has_digit = |s: &str| s.bytes().any(|b| b.is_ascii_digit());
    if v.contains('/') {
        let mut end = 0;
        for part in v.split_inclusive('/') {
            if has_digit(part) || !part.ends_with('/') {
                break;
            }
            end += part.len();
        }
        // A key without digits whose last part is a file (`config/app.json`) has the folder as
        // its stem too: two files of one folder are the folder's.
        return &v[..end];
    }
    let Some(d) = v.bytes().position(|b| b.is_ascii_digit()) else { return v };
    let cut = v.as_bytes()[..d].iter().rposition(|&b| is_sep(b)).map_or(0, |i| i + 1);
    if cut == 0 && d > 0 { v } else { &v[..cut] }
}

/// Rows of variable values (the resource part only), with the ARN each came from.
type Row<'a> = (Vec<&'a str>, &'a str);

/// Generalises the ARNs of one resource type. `created`: the principal creates resources of
/// this type, so its identifiers are new ones tomorrow. ARNs that do not fit the template are
/// kept as they are.
pub fn generalise(template: &str, arns: &[&str], created: bool) -> Vec<Pattern> {
    let pieces = pieces(template);
    let vars: Vec<&str> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Var(v) => Some(*v),
            Piece::Lit(_) => None,
        })
        .collect();
    let mut out = Vec::new();
    // By partition, region and account: never generalised.
    let fixed = |v: &str| matches!(v, "Partition" | "Region" | "Account");
    let mut groups: BTreeMap<Vec<&str>, Vec<Row<'_>>> = BTreeMap::new();
    for &arn in arns {
        match read(&pieces, arn) {
            Some(values) => {
                let key = vars.iter().zip(&values).filter(|(v, _)| fixed(v)).map(|(_, x)| *x).collect();
                let rest = vars.iter().zip(&values).filter(|(v, _)| !fixed(v)).map(|(_, x)| *x).collect();
                groups.entry(key).or_default().push((rest, arn));
            }
            None => out.push(Pattern {
                arn: arn.to_string(),
                covers: vec![arn.to_string()],
                why: "seen".into(),
                wide: arn.contains('*'),
            }),
        }
    }
    let names: Vec<&str> = vars.iter().copied().filter(|v| !fixed(v)).collect();
    for (key, rows) in groups {
        for (values, covered, why) in cluster(&rows, 0, &names, created) {
            // Put the fixed values back in their places.
            let (mut k, mut n) = (key.iter(), values.into_iter());
            let all: Vec<String> = vars
                .iter()
                .map(|v| {
                    if fixed(v) { k.next().map(|s| s.to_string()) } else { n.next() }.unwrap_or_else(|| "*".into())
                })
                .collect();
            let wide = all.iter().zip(&vars).find(|(_, v)| !fixed(v)).is_some_and(|(x, _)| x.contains('*'));
            out.push(Pattern { arn: write(&pieces, &all), covers: covered, why, wide });
        }
    }
    out.sort_by(|a, b| a.arn.cmp(&b.arn));
    out.dedup_by(|a, b| a.arn == b.arn);
    out
}

/// The pattern of each of `distinct` (sorted, distinct names of variable `var`) and why: names
/// that share a stem with another become `stem*`; a name seen alone stays itself.
pub fn name_patterns<'v>(var: &str, distinct: &[&'v str]) -> BTreeMap<&'v str, (String, String)> {
    let mut pattern_of = BTreeMap::new();
    let mut by_stem: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for v in distinct {
        by_stem.entry(stem(v)).or_default().push(v);
    }
    for (s, vs) in &by_stem {
        let wide = vs.len() > 1 || vs[0].contains('*');
        for v in vs {
            if wide {
                let why = if vs.len() > 1 {
                    format!("{var}: {} values share the stem {s:?}", vs.len())
                } else {
                    format!("{var}: named only in part")
                };
                pattern_of.insert(*v, (format!("{s}*"), why));
            } else {
                pattern_of.insert(*v, (v.to_string(), String::new()));
            }
        }
    }
    // An exact value that a pattern of another stem covers joins it (`app/x` and `app/*`).
    let wild: Vec<String> =
        pattern_of.values().filter(|(p, _)| p.ends_with('*')).map(|(p, _): &(String, String)| p.clone()).collect();
    for (p, why) in pattern_of.values_mut() {
        if !p.ends_with('*')
            && let Some(w) = wild.iter().find(|w| p.starts_with(&w[..w.len() - 1]))
        {
            *p = w.clone();
            *why = format!("{var}: within {w}");
        }
    }
    pattern_of
}

/// The patterns of variables `i..` over `rows`: (values, ARNs covered, why).
fn cluster(rows: &[Row<'_>], i: usize, names: &[&str], created: bool) -> Vec<(Vec<String>, Vec<String>, String)> {
    if i == names.len() {
        let mut covered: Vec<String> = rows.iter().map(|(_, a)| a.to_string()).collect();
        covered.sort();
        covered.dedup();
        let why = if covered.len() == 1 && !covered[0].contains('*') { "seen" } else { "" };
        return vec![(Vec::new(), covered, why.to_string())];
    }
    let var = names[i];
    let mut distinct: Vec<&str> = rows.iter().map(|(v, _)| v[i]).collect();
    distinct.sort_unstable();
    distinct.dedup();
    // The pattern of each value of this variable.
    let mut pattern_of: BTreeMap<&str, (String, String)> = BTreeMap::new();
    if is_identifier(var) && (created || distinct.len() > 1) {
        let why = if created {
            format!("{var}: made anew for each resource the principal creates")
        } else {
            format!("{var}: an identifier that varied ({} values)", distinct.len())
        };
        for v in &distinct {
            pattern_of.insert(v, ("*".into(), why.clone()));
        }
    } else {
        pattern_of = name_patterns(var, &distinct);
    }
    let mut parts: BTreeMap<String, (Vec<Row<'_>>, String)> = BTreeMap::new();
    for row in rows {
        let (p, why) = &pattern_of[row.0[i]];
        let e = parts.entry(p.clone()).or_insert_with(|| (Vec::new(), why.clone()));
        e.0.push(row.clone());
    }
    let mut out = Vec::new();
    for (p, (sub, why)) in parts {
        for (mut values, covered, rest_why) in cluster(&sub, i + 1, names, created) {
            values.insert(0, p.clone());
            let why = match (why.is_empty(), rest_why.is_empty()) {
                (true, _) => rest_why,
                (false, true) => why.clone(),
                (false, false) => format!("{why}; {rest_why}"),
            };
            out.push((values, covered, why));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arns(p: &[Pattern]) -> Vec<&str> {
        p.iter().map(|p| p.arn.as_str()).collect()
    }

    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const INSTANCE: &str = "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}";
    const STACK: &str = "arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}";

    #[test]
    fn stems_stop_before_what_varies() {
        assert_eq!(stem("builds/2.3.1/app-2.3.1.tar.gz"), "builds/");
        assert_eq!(stem("incoming/2024-03-01/part-0001.csv"), "incoming/");
        assert_eq!(stem("config/app.json"), "config/");
        assert_eq!(stem("test-pr-412"), "test-pr-");
        assert_eq!(stem("test-pr-412-queue"), "test-pr-");
        assert_eq!(stem("web-2024-03-01"), "web-");
        assert_eq!(stem("etl-transform"), "etl-transform");
        // No stem is empty for a name that starts with a letter: logs1 and logs2 stay apart.
        assert_eq!(stem("logs1"), "logs1");
        // Dated log streams have nothing stable before the date.
        assert_eq!(stem("2024/03/01/[$LATEST]0a1b"), "");
    }

    #[test]
    fn versioned_object_keys_become_their_folder() {
        let seen = [
            "arn:aws:s3:::acme-artifacts/builds/2.3.1/app-2.3.1.tar.gz",
            "arn:aws:s3:::acme-artifacts/builds/2.3.2/app-2.3.2.tar.gz",
            "arn:aws:s3:::acme-artifacts/config/app.json",
            "arn:aws:s3:::other-bucket/builds/2.3.1/app-2.3.1.tar.gz",
        ];
        let p = generalise(OBJECT, &seen, false);
        // The lone key of the other bucket stays exact; buckets never mix.
        assert_eq!(
            arns(&p),
            [
                "arn:aws:s3:::acme-artifacts/builds/*",
                "arn:aws:s3:::acme-artifacts/config/app.json",
                "arn:aws:s3:::other-bucket/builds/2.3.1/app-2.3.1.tar.gz"
            ]
        );
        assert_eq!(p[0].covers.len(), 2);
        assert!(p[0].why.contains("stem"), "{}", p[0].why);
        // Other keys of a bucket seen: not a wide grant of other resources.
        assert!(!p[0].wide);
    }

    #[test]
    fn identifiers_that_vary_or_are_created_become_the_type_within_account_and_region() {
        let seen = [
            "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0a1b2c3d4e5f60718",
            "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0f9e8d7c6b5a40312",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0",
        ];
        let p = generalise(INSTANCE, &seen, false);
        assert_eq!(
            arns(&p),
            [
                "arn:aws:ec2:ap-southeast-2:111122223333:instance/*",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0"
            ]
        );
        // One value, but the principal creates instances: tomorrow's ID is a new one.
        let p = generalise(INSTANCE, &seen[2..], true);
        assert_eq!(arns(&p), ["arn:aws:ec2:us-east-1:111122223333:instance/*"]);
        // One value of an identifier nobody creates (a key, a hosted zone) stays exact.
        let p = generalise(
            "arn:${Partition}:route53:::hostedzone/${Id}",
            &["arn:aws:route53:::hostedzone/Z1D633PJN98FT9"],
            false,
        );
        assert_eq!(arns(&p), ["arn:aws:route53:::hostedzone/Z1D633PJN98FT9"]);
    }

    #[test]
    fn stacks_per_pull_request_share_their_stem_and_keep_other_stacks_exact() {
        let seen = [
            "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/test-pr-412/*",
            "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/test-pr-413/1b2c",
            "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/3c4d",
        ];
        let p = generalise(STACK, &seen, true);
        assert_eq!(p.iter().map(|p| p.wide).collect::<Vec<_>>(), [true, false]);
        assert_eq!(
            arns(&p),
            [
                "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/test-pr-*/*",
                "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/*"
            ]
        );
    }

    #[test]
    fn arns_that_do_not_fit_the_template_are_kept() {
        let p = generalise(INSTANCE, &["arn:aws:ec2:ap-southeast-2:111122223333:volume/vol-1"], false);
        assert_eq!(arns(&p), ["arn:aws:ec2:ap-southeast-2:111122223333:volume/vol-1"]);
    }
}
