//! `deskwire-conformance`: runs the cases, prints the table, writes `report.md` and
//! `report.json`, exits non-zero on any failure. Usually started by `cargo xtask conform`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use deskwire_conformance::{load, report, run, Context};

#[derive(Debug, Parser)]
#[command(about = "Replay every documented provider example")]
struct Args {
    /// Only this provider (repeatable): engage-digital, ...
    #[arg(long)]
    provider: Vec<String>,
    /// Only this case (id or folder name).
    #[arg(long)]
    case: Option<String>,
    /// Accept new or changed snapshots.
    #[arg(long)]
    update: bool,
    /// Where to write report.md and report.json [default: <workspace>/target/conformance].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Instead of running: write each selected request case's body, repaired and sampled as
    /// the case records, to `<DIR>/<provider>-<case id>.json` (the real-client checks send
    /// these with curl).
    #[arg(long, value_name = "DIR")]
    emit_bodies: Option<PathBuf>,
}

fn main() -> ExitCode {
    let mut args = Args::parse();
    let out = args.out.take().unwrap_or_else(|| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("conformance lives in the workspace")
            .join("target/conformance")
    });
    if args.update {
        // Read by insta on every assertion; set before any case runs, while single-threaded.
        std::env::set_var("INSTA_UPDATE", "always");
    }
    // Failures are reported per stage; insta prints its own diff. A one-line hook keeps
    // backtraces of caught panics out of the table.
    std::panic::set_hook(Box::new(|info| eprintln!("caught: {info}")));
    let ctx = Context::default();
    let cases = match load(&ctx, &args.provider, args.case.as_deref()) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &args.emit_bodies {
        return emit_bodies(&ctx, &cases, dir);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let reports = runtime.block_on(run(&ctx, &cases));

    print!("{}", report::table(&reports));
    let failures = report::failures(&reports);
    if let Err(e) = std::fs::create_dir_all(&out)
        .and_then(|()| std::fs::write(out.join("report.md"), report::markdown(&reports)))
        .and_then(|()| {
            let json = serde_json::to_string_pretty(&report::json(&reports)).expect("report serializes");
            std::fs::write(out.join("report.json"), json + "\n")
        })
    {
        eprintln!("error: cannot write reports to {}: {e}", out.display());
        return ExitCode::from(2);
    }
    println!("reports: {}", out.join("report.md").display());
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprint!("{failures}");
        ExitCode::FAILURE
    }
}

fn emit_bodies(ctx: &Context, cases: &[deskwire_conformance::case::Case], dir: &std::path::Path) -> ExitCode {
    let written = std::fs::create_dir_all(dir).map_err(|e| e.to_string()).and_then(|()| {
        let mut n = 0;
        for case in cases
            .iter()
            .filter(|c| c.kind == deskwire_conformance::case::Kind::Request)
        {
            let body = ctx.parse_example(case)?;
            let file = dir.join(format!("{}-{}.json", case.provider, case.id));
            std::fs::write(&file, body.to_string()).map_err(|e| format!("{}: {e}", file.display()))?;
            println!("{}", file.display());
            n += 1;
        }
        Ok(n)
    });
    match written {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
