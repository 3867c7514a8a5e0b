//! `cargo xtask bench`: the criterion benches run several rounds in one invocation, and each
//! goal of `deskwire_benches::RATIOS` judged on the median of its per-round ratios.
//!
//! A shared machine drifts by ±20 % between runs, and a ratio taken from one run can be lucky.
//! Each round measures every bench once (shorter than criterion's default), so a ratio's
//! subject and reference are measured minutes apart at most; the table shows the median ratio
//! over the rounds and its spread (lowest – highest), and a goal is met when the median is.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

use deskwire_benches::{Goal, Ratio, RATIOS};
use serde_json::Value;

use crate::{cargo, root, status};

/// Criterion's settings per round unless the caller gives their own.
const ROUND_SETTINGS: &[&str] = &["--warm-up-time", "1", "--measurement-time", "2"];

pub fn run(strict: bool, rounds: u32, criterion: &[String]) -> ExitCode {
    let rounds = rounds.max(1);
    let dir = root().join("target/criterion");
    let mut samples: BTreeMap<&'static str, Vec<f64>> = BTreeMap::new();
    let mut last_times = BTreeMap::new();
    for round in 1..=rounds {
        eprintln!("\n==> bench round {round} of {rounds}");
        // Criterion keeps earlier runs as its baseline; only results written by this round are
        // read, so a renamed or removed bench cannot pass off an old number as current.
        let started = SystemTime::now();
        let mut cmd = cargo();
        cmd.args(["bench", "--package", "deskwire-benches", "--bench", "signing", "--"]);
        if criterion.is_empty() {
            cmd.args(ROUND_SETTINGS);
        } else {
            cmd.args(criterion);
        }
        let code = status(cmd);
        if code != ExitCode::SUCCESS {
            return code;
        }
        let times = match read_estimates(&dir, started) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read criterion results: {e}");
                return ExitCode::from(2);
            }
        };
        for ratio in RATIOS {
            if let Some(value) = value(ratio, &times) {
                samples.entry(ratio.label).or_default().push(value);
            }
        }
        last_times = times;
    }

    println!("\nmachine: {}", machine());
    println!("rounds: {rounds} (a goal is judged on the median ratio)");
    println!("{:<48} {:>8} {:>8} {:>15}  result", "ratio", "goal", "median", "spread");
    let mut missed = 0;
    for ratio in RATIOS {
        let Some(values) = samples.get_mut(ratio.label) else {
            println!(
                "{:<48} {:>8} {:>8} {:>15}  not measured",
                ratio.label,
                goal_text(ratio.goal),
                "-",
                "-"
            );
            continue;
        };
        values.sort_by(f64::total_cmp);
        let median = median(values);
        let spread = format!("{:.2} – {:.2}", values[0], values[values.len() - 1]);
        let verdict = match met(ratio.goal, median) {
            Some(true) => "met",
            Some(false) => {
                missed += 1;
                "MISSED"
            }
            None => "info",
        };
        println!(
            "{:<48} {:>8} {:>8.2} {:>15}  {verdict}",
            ratio.label,
            goal_text(ratio.goal),
            median,
            spread
        );
    }
    println!(
        "\ntimes of the last round (ns): {}",
        last_times
            .iter()
            .map(|(k, v)| format!("{k}={v:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if strict && missed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The ratio as its goal reads it, against the fastest of its references; `None` when a bench
/// was not measured.
fn value(ratio: &Ratio, times: &BTreeMap<String, f64>) -> Option<f64> {
    let subject = *times.get(ratio.subject)?;
    let reference = ratio
        .reference
        .iter()
        .filter_map(|r| times.get(*r).copied())
        .min_by(f64::total_cmp)?;
    Some(match ratio.goal {
        Goal::AtMost(_) | Goal::Info => subject / reference,
        Goal::FasterBy(_) | Goal::ThroughputAtLeast(_) => reference / subject,
        Goal::OverheadAtMost(_) => subject / reference - 1.0,
    })
}

fn met(goal: Goal, value: f64) -> Option<bool> {
    match goal {
        Goal::AtMost(limit) | Goal::OverheadAtMost(limit) => Some(value <= limit),
        Goal::FasterBy(limit) | Goal::ThroughputAtLeast(limit) => Some(value >= limit),
        Goal::Info => None,
    }
}

/// The median of sorted, non-empty `values`.
fn median(values: &[f64]) -> f64 {
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn goal_text(goal: Goal) -> String {
    match goal {
        Goal::AtMost(l) | Goal::OverheadAtMost(l) => format!("<= {l:.2}"),
        Goal::FasterBy(l) | Goal::ThroughputAtLeast(l) => format!(">= {l:.2}"),
        Goal::Info => "-".into(),
    }
}

/// Reads `new/benchmark.json` (for the full id) and `new/estimates.json` (slope, else mean, ns)
/// of every bench under `target/criterion` written since `since`.
fn read_estimates(dir: &Path, since: SystemTime) -> Result<BTreeMap<String, f64>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let fresh = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t >= since);
            if fresh
                && path.file_name().is_some_and(|n| n == "benchmark.json")
                && path.parent().is_some_and(|p| p.ends_with("new"))
            {
                let read = |p: &Path| -> Result<Value, String> {
                    serde_json::from_str(&std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?)
                        .map_err(|e| format!("{}: {e}", p.display()))
                };
                let meta = read(&path)?;
                let est = read(&path.with_file_name("estimates.json"))?;
                let id = meta["full_id"]
                    .as_str()
                    .ok_or("benchmark.json without full_id")?
                    .to_owned();
                let ns = est["slope"]["point_estimate"]
                    .as_f64()
                    .or_else(|| est["mean"]["point_estimate"].as_f64())
                    .ok_or("estimates.json without slope or mean")?;
                out.insert(id, ns);
            }
        }
    }
    Ok(out)
}

/// The CPU model, core count, OS and architecture.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{cpu}, {cores} cores, {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn the_fastest_reference_is_used_and_goals_read_each_way() {
        let ratio = Ratio {
            label: "x",
            subject: "s",
            reference: &["slow", "fast", "absent"],
            goal: Goal::AtMost(1.15),
        };
        let t = times(&[("s", 120.0), ("slow", 200.0), ("fast", 100.0)]);
        assert_eq!(value(&ratio, &t), Some(1.2));
        assert_eq!(met(ratio.goal, 1.2), Some(false));
        assert_eq!(met(ratio.goal, 1.15), Some(true));
        let overhead = Ratio {
            goal: Goal::OverheadAtMost(0.10),
            reference: &["fast"],
            ..ratio
        };
        assert!((value(&overhead, &t).unwrap() - 0.2).abs() < 1e-9);
        let faster = Ratio {
            goal: Goal::FasterBy(1.5),
            reference: &["slow"],
            ..ratio
        };
        assert!((value(&faster, &t).unwrap() - 200.0 / 120.0).abs() < 1e-9);
        assert_eq!(
            value(
                &Ratio {
                    subject: "missing",
                    ..ratio
                },
                &t
            ),
            None
        );
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[1.0]), 1.0);
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 3.0, 9.0]), 2.5);
    }
}
