//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! * `conform [--provider P] [--case ID] [--update]` — replay every documented example: runs
//!   the `deskwire-conformance` binary with these arguments; writes `target/conformance/report.{md,json}`.
//! * `bench [--strict] [-- <criterion args>]` — run the criterion benches and print each
//!   ratio beside its goal (`deskwire_benches::RATIOS`).
//! * `docs [--check]` — write the capability matrix (provider × operation, from each channel's
//!   `capabilities()`) into README; `--check` fails when README is stale (CI).
//! * `ci` — what CI runs: `.ci/run`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod docs;

use clap::{Parser, Subcommand};
use deskwire_benches::{Goal, RATIOS};
use serde_json::Value;

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "deskwire automation")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Replay every documented provider example (the main job). Arguments go to the harness
    /// (`--provider P`, `--case ID`, `--update`; `cargo xtask conform --help` lists them).
    #[command(disable_help_flag = true)]
    Conform {
        /// Arguments for `deskwire-conformance`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the criterion benches and print each ratio beside its goal.
    Bench {
        /// Exit non-zero when a goal is missed.
        #[arg(long)]
        strict: bool,
        /// Extra arguments for criterion (after `--`), e.g. `--quick`.
        #[arg(last = true)]
        criterion: Vec<String>,
    },
    /// Write the capability matrix into README (from each channel's `capabilities()`).
    Docs {
        /// Only check that README is up to date.
        #[arg(long)]
        check: bool,
    },
    /// Run what CI runs (`.ci/run`).
    Ci,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn status(mut cmd: Command) -> ExitCode {
    match cmd.status() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1).max(1)),
        Err(e) => {
            eprintln!("error: cannot run {cmd:?}: {e}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Cmd::Conform { args } => {
            let mut cmd = cargo();
            cmd.args(["run", "--quiet", "--package", "deskwire-conformance", "--"])
                .args(args);
            status(cmd)
        }
        Cmd::Bench { strict, criterion } => bench(strict, &criterion),
        Cmd::Docs { check } => match docs::run(&root().join("README.md"), check) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Cmd::Ci => {
            let mut cmd = Command::new("bash");
            cmd.arg(root().join(".ci/run")).current_dir(root());
            status(cmd)
        }
    }
}

fn bench(strict: bool, criterion: &[String]) -> ExitCode {
    let criterion_dir = root().join("target/criterion");
    // Criterion keeps earlier runs as its baseline (it prints the change); only results written by
    // this run are read, so a renamed or removed bench cannot pass off an old number as current.
    let started = std::time::SystemTime::now();
    let mut cmd = cargo();
    cmd.args(["bench", "--package", "deskwire-benches", "--bench", "signing", "--"])
        .args(criterion);
    let code = status(cmd);
    if code != ExitCode::SUCCESS {
        return code;
    }
    let times = match read_estimates(&criterion_dir, started) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read criterion results: {e}");
            return ExitCode::from(2);
        }
    };
    println!("\nmachine: {}", machine());
    println!("{:<42} {:>10} {:>9}  result", "ratio", "goal", "measured");
    let mut missed = 0;
    for r in RATIOS {
        let (Some(subject), Some(reference)) = (times.get(r.subject), times.get(r.reference)) else {
            println!("{:<42} {:>10} {:>9}  not measured", r.label, goal_text(r.goal), "-");
            continue;
        };
        let (value, met) = match r.goal {
            Goal::AtMost(limit) => (subject / reference, Some(subject / reference <= limit)),
            Goal::FasterBy(limit) | Goal::ThroughputAtLeast(limit) => {
                (reference / subject, Some(reference / subject >= limit))
            }
            Goal::Info => (subject / reference, None),
        };
        let verdict = match met {
            Some(true) => "met",
            Some(false) => {
                missed += 1;
                "MISSED"
            }
            None => "info",
        };
        println!("{:<42} {:>10} {:>9.2}  {verdict}", r.label, goal_text(r.goal), value);
    }
    println!(
        "\ntimes (ns): {}",
        times
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

fn goal_text(goal: Goal) -> String {
    match goal {
        Goal::AtMost(l) => format!("<= {l:.2}"),
        Goal::FasterBy(l) | Goal::ThroughputAtLeast(l) => format!(">= {l:.2}"),
        Goal::Info => "-".into(),
    }
}

/// Reads `new/benchmark.json` (for the full id) and `new/estimates.json` (slope, else mean, ns)
/// of every bench under `target/criterion` written since `since`.
fn read_estimates(dir: &Path, since: std::time::SystemTime) -> Result<std::collections::BTreeMap<String, f64>, String> {
    let mut out = std::collections::BTreeMap::new();
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
