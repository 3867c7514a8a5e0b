//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! * `conform [--provider P] [--case ID] [--update]` — replay every documented example: runs
//!   the `deskwire-conformance` binary with these arguments; writes `target/conformance/report.{md,json}`.
//! * `bench [--strict] [--rounds N] [-- <criterion args>]` — run the criterion benches N rounds
//!   and print each ratio's median and spread beside its goal (`deskwire_benches::RATIOS`).
//! * `mutants [--in-diff REV] [--threshold P]` — cargo-mutants on the security and delivery
//!   modules (`mutants::MODULES`), a score per module, failing under the threshold (95 %).
//! * `docs [--check]` — write the capability matrix (provider × operation, from each channel's
//!   `capabilities()`) into README; `--check` fails when README is stale (CI).
//! * `soak [--release] [<soak args>]` — build the simulator, the handoff service and the soak
//!   driver, then run `deskwire-soak`: replicas on Redis, faults, kills, customers, a judge;
//!   writes `target/soak/report.{json,md,svg}` (`cargo xtask soak --help` lists its flags).
//! * `ci` — what CI runs: `.ci/run`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod docs;
mod mutants;

use clap::{Parser, Subcommand};

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
    /// Run the criterion benches several rounds and print each ratio's median and spread
    /// beside its goal.
    Bench {
        /// Exit non-zero when a goal's median misses.
        #[arg(long)]
        strict: bool,
        /// Rounds: each runs every bench once; a ratio is judged on its median over the rounds.
        #[arg(long, default_value_t = 5)]
        rounds: u32,
        /// Extra arguments for criterion (after `--`), e.g. `--quick`.
        #[arg(last = true)]
        criterion: Vec<String>,
    },
    /// Run cargo-mutants on the modules that decide security and delivery and fail under the
    /// threshold (needs `cargo install --locked cargo-mutants`).
    Mutants {
        /// Only the lines of the listed modules changed since this git revision (CI: HEAD~1).
        #[arg(long)]
        in_diff: Option<String>,
        /// The least share of viable mutants caught, per cent.
        #[arg(long, default_value_t = mutants::DEFAULT_THRESHOLD)]
        threshold: f64,
    },
    /// Write the capability matrix into README (from each channel's `capabilities()`).
    Docs {
        /// Only check that README is up to date.
        #[arg(long)]
        check: bool,
    },
    /// A day of production in minutes: replicas of the handoff service on Redis against the
    /// simulated desk with faults, replicas killed, thousands of conversations, judged.
    /// Arguments go to `deskwire-soak` (`--provider all`, `--conversations N`, ...).
    #[command(disable_help_flag = true)]
    Soak {
        /// Arguments for `deskwire-soak` (`--release` builds and runs optimised binaries).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run what CI runs (`.ci/run`).
    Ci,
}

/// Builds the soak's three binaries and runs the driver with `args`.
fn soak(args: Vec<String>) -> ExitCode {
    let release = args.iter().any(|a| a == "--release");
    let args: Vec<String> = args.into_iter().filter(|a| a != "--release").collect();
    let mut build = cargo();
    build.args([
        "build",
        "--quiet",
        "-p",
        "deskwire-sim",
        "-p",
        "deskwire-example-handoff",
        "-p",
        "deskwire-soak",
    ]);
    if release {
        build.arg("--release");
    }
    let built = status(build);
    if built != ExitCode::SUCCESS {
        return built;
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let bin = target.join(if release { "release" } else { "debug" });
    let mut run = Command::new(bin.join("deskwire-soak"));
    run.current_dir(root())
        .arg("--bin-dir")
        .arg(&bin)
        .arg("--out")
        .arg(target.join("soak"))
        .args(args);
    status(run)
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
        Cmd::Bench {
            strict,
            rounds,
            criterion,
        } => bench::run(strict, rounds, &criterion),
        Cmd::Mutants { in_diff, threshold } => mutants::run(in_diff.as_deref(), threshold),
        Cmd::Docs { check } => match docs::run(&root().join("README.md"), check) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Cmd::Soak { args } => soak(args),
        Cmd::Ci => {
            let mut cmd = Command::new("bash");
            cmd.arg(root().join(".ci/run")).current_dir(root());
            status(cmd)
        }
    }
}
