//! `cargo xtask mutants [--in-diff REV] [--threshold PERCENT]`: cargo-mutants on the modules
//! that decide security and delivery, a score per module, and a failure under the threshold.
//!
//! Each mutant is tested against its own package (cargo-mutants' default), so a run over the
//! whole list takes a while; `--in-diff REV` mutates only the lines of the list's files changed
//! since `REV` (what CI runs against the previous commit). A mutant counts as caught when a test
//! failed or it timed out (an infinite loop is noticed); unviable mutants (that do not build)
//! are not counted.

use std::collections::BTreeMap;
use std::process::{Command, ExitCode};

use serde_json::Value;

use crate::root;

/// The modules whose decisions are security or delivery: verifiers, limits, retry, and what
/// decides that a desk event is handed out once and never lost (the store, the acknowledgement,
/// de-duplication, Chatlake's backfill). Store modules are tested on Redis too when
/// `DESKWIRE_REDIS_URL` is set (CI sets it).
pub const MODULES: &[&str] = &[
    "crates/deskwire-core/src/store/mod.rs",
    "crates/deskwire-core/src/store/memory.rs",
    "crates/deskwire-core/src/store/redis.rs",
    "crates/deskwire-core/src/channel/ack.rs",
    "crates/deskwire-core/src/channel/deduplicated.rs",
    "crates/deskwire-chatlake/src/channel_backfill.rs",
    "crates/deskwire-core/src/mac.rs",
    "crates/deskwire-core/src/ct.rs",
    "crates/deskwire-core/src/retry.rs",
    "crates/deskwire-core/src/verify.rs",
    "crates/deskwire-core/src/axum.rs",
    "crates/deskwire-chatlake/src/inbound/mod.rs",
    "crates/deskwire-engage-digital/src/inbound/mod.rs",
    "crates/deskwire-engage-digital/src/inbound/action.rs",
    "crates/deskwire-engage-digital/src/sign.rs",
    "crates/deskwire-rake-direct/src/inbound.rs",
    "crates/deskwire-directly/src/inbound/connector.rs",
];

/// The least share of viable mutants caught, per cent.
pub const DEFAULT_THRESHOLD: f64 = 95.0;

pub fn run(in_diff: Option<&str>, threshold: f64) -> ExitCode {
    let root = root();
    let out = root.join("target/mutants");
    let mut cmd = Command::new("cargo");
    cmd.current_dir(&root)
        .args(["mutants", "--no-shuffle", "--output"])
        .arg(&out)
        .args(["--timeout-multiplier", "3"]);
    for module in MODULES {
        cmd.args(["--file", module]);
    }
    if let Some(rev) = in_diff {
        let diff = match Command::new("git")
            .current_dir(&root)
            .args(["diff", rev, "--"])
            .args(MODULES)
            .output()
        {
            Ok(o) if o.status.success() => o.stdout,
            Ok(o) => {
                eprintln!("error: git diff {rev}: {}", String::from_utf8_lossy(&o.stderr));
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("error: git: {e}");
                return ExitCode::from(2);
            }
        };
        if diff.is_empty() {
            println!("mutants: no change to the listed modules since {rev}; nothing to mutate");
            return ExitCode::SUCCESS;
        }
        let path = root.join("target/mutants.diff");
        if let Err(e) = std::fs::create_dir_all(root.join("target")).and_then(|()| std::fs::write(&path, diff)) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::from(2);
        }
        cmd.arg("--in-diff").arg(&path);
    }
    // Results of an earlier run must not be read as this one's.
    let _ = std::fs::remove_dir_all(out.join("mutants.out"));
    // cargo-mutants exits non-zero when a mutant survives; the score below decides.
    match cmd.status() {
        Ok(status) if status.success() && !out.join("mutants.out/outcomes.json").exists() => {
            println!("mutants: no mutant in the selected code");
            return ExitCode::SUCCESS;
        }
        Ok(status) if status.code().is_some_and(|c| [0, 2, 3].contains(&c)) => {}
        Ok(status) => {
            eprintln!(
                "error: cargo mutants failed ({status}); is it installed? `cargo install --locked cargo-mutants`"
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: cargo mutants: {e}; install it with `cargo install --locked cargo-mutants`");
            return ExitCode::from(2);
        }
    }
    let outcomes = match std::fs::read_to_string(out.join("mutants.out/outcomes.json")) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: no outcomes: {e}");
            return ExitCode::from(2);
        }
    };
    match score(&outcomes) {
        Ok(table) => report(&table, threshold),
        Err(e) => {
            eprintln!("error: outcomes.json: {e}");
            ExitCode::from(2)
        }
    }
}

/// Caught, missed and the missed mutants' names, per file.
#[derive(Debug, Default, PartialEq)]
pub struct Score {
    caught: u32,
    missed: Vec<String>,
}

/// Reads cargo-mutants' `outcomes.json`.
pub fn score(outcomes: &str) -> Result<BTreeMap<String, Score>, String> {
    let value: Value = serde_json::from_str(outcomes).map_err(|e| e.to_string())?;
    let mut table: BTreeMap<String, Score> = BTreeMap::new();
    for outcome in value["outcomes"].as_array().ok_or("no `outcomes` list")? {
        let Some(mutant) = outcome["scenario"].get("Mutant") else {
            continue; // the baseline
        };
        let file = mutant["file"].as_str().unwrap_or("?").to_owned();
        let entry = table.entry(file).or_default();
        match outcome["summary"].as_str().unwrap_or("") {
            "CaughtMutant" | "Timeout" => entry.caught += 1,
            "MissedMutant" => entry.missed.push(name(mutant)),
            _ => {} // unviable: does not build
        }
    }
    Ok(table)
}

fn name(mutant: &Value) -> String {
    if let Some(name) = mutant["name"].as_str() {
        return name.to_owned();
    }
    let line = mutant["span"]["start"]["line"].as_u64().unwrap_or(0);
    let function = mutant["function"]["function_name"].as_str().unwrap_or("?");
    let replacement = mutant["replacement"].as_str().unwrap_or("?");
    let genre = mutant["genre"].as_str().unwrap_or("?");
    format!("line {line} in {function}: {genre} -> `{replacement}`")
}

fn report(table: &BTreeMap<String, Score>, threshold: f64) -> ExitCode {
    println!("\n{:<56} {:>7} {:>7} {:>8}", "module", "caught", "missed", "score");
    let (mut caught, mut viable) = (0, 0);
    for (file, score) in table {
        let n = score.caught + score.missed.len() as u32;
        caught += score.caught;
        viable += n;
        println!(
            "{file:<56} {:>7} {:>7} {:>7.1}%",
            score.caught,
            score.missed.len(),
            percent(score.caught, n)
        );
        for missed in &score.missed {
            println!("    missed: {missed}");
        }
    }
    let total = percent(caught, viable);
    println!("{:<56} {caught:>7} {:>7} {total:>7.1}%", "all", viable - caught);
    if total + 1e-9 < threshold {
        println!("mutants: {total:.1}% caught, under the {threshold:.0}% threshold");
        ExitCode::FAILURE
    } else {
        println!("mutants: {total:.1}% caught (threshold {threshold:.0}%)");
        ExitCode::SUCCESS
    }
}

fn percent(caught: u32, viable: u32) -> f64 {
    if viable == 0 {
        100.0
    } else {
        100.0 * f64::from(caught) / f64::from(viable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_scored_per_file_and_unviable_ones_do_not_count() {
        let outcomes = r#"{"outcomes":[
            {"scenario":"Baseline","summary":"Success"},
            {"scenario":{"Mutant":{"file":"a.rs","genre":"BinaryOperator","replacement":">=","span":{"start":{"line":3}},"function":{"function_name":"f"}}},"summary":"MissedMutant"},
            {"scenario":{"Mutant":{"file":"a.rs"}},"summary":"CaughtMutant"},
            {"scenario":{"Mutant":{"file":"a.rs"}},"summary":"Timeout"},
            {"scenario":{"Mutant":{"file":"a.rs"}},"summary":"Unviable"},
            {"scenario":{"Mutant":{"file":"b.rs"}},"summary":"CaughtMutant"}
        ]}"#;
        let table = score(outcomes).unwrap();
        assert_eq!(table["a.rs"].caught, 2);
        assert_eq!(table["a.rs"].missed, ["line 3 in f: BinaryOperator -> `>=`"]);
        assert_eq!(table["b.rs"].caught, 1);
        assert_eq!(percent(3, 4), 75.0);
        assert_eq!(percent(0, 0), 100.0);
    }
}
