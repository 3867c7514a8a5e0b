//! Every conformance case is its own test, named `<provider>::<folder>`, so
//! `cargo test -p deskwire-conformance <case id>` runs one case; the checks over the whole
//! suite (coverage, provenance, sources) are tests beside them.

use std::path::Path;

use deskwire_conformance::case::{Case, Provenance};
use deskwire_conformance::{load, report, run, Context, PROVIDERS};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    // insta reports a mismatch by panicking; the harness catches it and reports the stage, so
    // the default hook's backtrace is noise.
    std::panic::set_hook(Box::new(|info| eprintln!("caught: {info}")));
    let ctx = Context::default();
    let cases = match load(&ctx, &[], None) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("fixtures do not load: {e}");
            std::process::exit(2);
        }
    };
    let mut trials: Vec<Trial> = cases
        .into_iter()
        .map(|case| {
            let ctx = ctx.clone();
            let kind = case.kind.name();
            Trial::test(format!("{}::{}", case.provider, case.folder()), move || {
                run_case(&ctx, &case)
            })
            .with_kind(kind)
        })
        .collect();
    let checks: [(&str, Check); 9] = [
        ("suite::every_provider_has_cases", every_provider_has_cases),
        (
            "suite::recorded_repairs_are_what_the_repair_step_finds",
            recorded_repairs,
        ),
        (
            "suite::engage_digital_has_every_documented_example",
            engage_digital_coverage,
        ),
        (
            "suite::chatlake_covers_the_seed_errors_and_signatures",
            chatlake_coverage,
        ),
        ("suite::directly_has_every_documented_example", directly_coverage),
        ("suite::rake_direct_cases_record_the_repair_table", rake_direct_repairs),
        ("suite::rake_direct_snapshots_never_hold_the_secret", rake_direct_secret),
        ("suite::upstream_cases_where_upstream_code_is_public", upstream_counts),
        ("suite::a_missing_source_fails_its_cases", missing_source_fails),
    ];
    trials.extend(checks.into_iter().map(|(name, check)| Trial::test(name, check)));
    libtest_mimic::run(&args, trials).exit();
}

/// A suite-wide check.
type Check = fn() -> Result<(), Failed>;

fn run_case(ctx: &Context, case: &Case) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let reports = runtime.block_on(run(ctx, std::slice::from_ref(case)));
    let failures = report::failures(&reports);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.into())
    }
}

fn cases(provider: &str) -> Vec<Case> {
    load(&Context::default(), &[provider.to_owned()], None).expect("fixtures load")
}

fn ensure(condition: bool, why: impl Into<String>) -> Result<(), Failed> {
    if condition {
        Ok(())
    } else {
        Err(why.into().into())
    }
}

fn every_provider_has_cases() -> Result<(), Failed> {
    for provider in PROVIDERS {
        ensure(!cases(provider).is_empty(), format!("no cases for {provider}"))?;
    }
    Ok(())
}

fn recorded_repairs() -> Result<(), Failed> {
    for case in load(&Context::default(), &[], None)? {
        ensure(
            case.repairs == case.repairs_needed(),
            format!(
                "{}/{}: records {:?}, needs {:?}",
                case.provider,
                case.folder(),
                case.repairs,
                case.repairs_needed()
            ),
        )?;
    }
    Ok(())
}

fn count(cases: &[Case], kind: &str) -> usize {
    cases.iter().filter(|c| c.kind.name() == kind).count()
}

/// The Send API page's examples, one case per error row (each replayed through the operation it
/// belongs to), the typing rule, the two complete examples, and the official PHP SDK's vectors.
fn engage_digital_coverage() -> Result<(), Failed> {
    let cases = cases("engage-digital");
    let errors: Vec<&Case> = cases.iter().filter(|c| c.kind.name() == "error").collect();
    ensure(errors.len() == 13, "one case per row of the error table")?;
    for e in &errors {
        ensure(
            e.operation != "status.mark_as_read",
            format!("{}: an error row is replayed through the operation it belongs to", e.id),
        )?;
    }
    let operation = |id: &str| errors.iter().find(|c| c.id == id).map(|c| c.operation.clone());
    ensure(
        operation("error-too-many-typing-requests").as_deref() == Some("typing.start"),
        "the typing row goes through typing.start",
    )?;
    ensure(
        operation("error-structured-contents-unsupported").as_deref() == Some("messages.create:structured"),
        "structured-content rows go through a structured message",
    )?;
    ensure(count(&cases, "rate-limit") == 1, "the typing rule")?;
    let docs_signatures = cases
        .iter()
        .filter(|c| c.kind.name() == "signature" && c.provenance == Provenance::Docs)
        .count();
    ensure(docs_signatures == 2, "the PHP and Ruby complete examples")?;
    ensure(
        cases
            .iter()
            .any(|c| c.id == "ok-response-in-json-fence" && c.repairs == ["code-fence"]),
        "the fenced ok answer records its repair",
    )
}

/// Chatlake: the seed's six JSON blocks, every error shape, and each webhook verdict.
fn chatlake_coverage() -> Result<(), Failed> {
    let cases = cases("chatlake");
    let from_seed: Vec<&Case> = cases.iter().filter(|c| c.provenance == Provenance::Docs).collect();
    ensure(from_seed.len() == 6, "the seed's six JSON blocks")?;
    ensure(
        from_seed.iter().filter(|c| c.kind.name() == "request").count() == 3,
        "three requests",
    )?;
    let shapes: Vec<&str> = cases
        .iter()
        .filter(|c| c.kind.name() == "error")
        .map(|c| c.notes.as_str())
        .collect();
    for shape in ["error", "errors", "invalid", "text"] {
        ensure(
            shapes.iter().any(|n| n.contains(&format!("Body shape: {shape}."))),
            format!("error shape {shape}"),
        )?;
    }
    let verdicts: Vec<&str> = cases
        .iter()
        .filter_map(|c| c.webhook.as_ref())
        .map(|w| w.expect.as_str())
        .collect();
    ensure(
        verdicts
            == [
                "accepted",
                "mismatch",
                "stale",
                "from-the-future",
                "signed-without-timestamp",
            ],
        format!("verdicts {verdicts:?}"),
    )
}

/// Directly: the sample flow and its poll step, the two data examples with their repairs, one
/// case per documented error status, and the system-message list.
fn directly_coverage() -> Result<(), Failed> {
    let cases = cases("directly");
    ensure(count(&cases, "flow") == 1, "the sample flow")?;
    ensure(count(&cases, "poll") == 1, "the poll step")?;
    ensure(count(&cases, "vocabulary") == 1, "the system messages")?;
    let statuses: Vec<u16> = cases
        .iter()
        .filter(|c| c.kind.name() == "error")
        .filter_map(|c| c.response.as_ref().map(|r| r.status))
        .collect();
    ensure(statuses == [400, 401, 403, 404, 405, 500], format!("{statuses:?}"))?;
    let repairs = |id: &str| cases.iter().find(|c| c.id == id).map(|c| c.repairs.clone());
    ensure(
        repairs("response-format") == Some(vec!["line-comments".into(), "unquoted-keys".into()]),
        "response-format repairs",
    )?;
    ensure(
        repairs("conversation-data-model") == Some(vec!["unquoted-keys".into(), "trailing-commas".into()]),
        "conversation-data-model repairs",
    )
}

/// The exact repairs each of the seed's six Rake Direct bodies needs.
fn rake_direct_repairs() -> Result<(), Failed> {
    let cases = cases("rake-direct");
    let table: [&[&str]; 6] = [
        &["unquoted-keys"],
        &["optional-key-markers", "trailing-commas"],
        &["placeholders"],
        &["optional-key-markers", "placeholders", "trailing-commas"],
        &[],
        &["optional-key-markers", "placeholders", "trailing-commas"],
    ];
    ensure(cases.len() == table.len(), "six bodies")?;
    for (case, expected) in cases.iter().zip(table) {
        ensure(case.repairs == expected, format!("{}: {:?}", case.id, case.repairs))?;
        ensure(case.repairs_needed() == expected, format!("{}: needs", case.id))?;
    }
    Ok(())
}

/// No snapshot carries the Rake workspace secret, not even the seed's sample one.
fn rake_direct_secret() -> Result<(), Failed> {
    let root = Context::default().fixtures.join("rake-direct");
    let mut checked = 0;
    for case in std::fs::read_dir(&root)? {
        for file in std::fs::read_dir(case?.path())? {
            let path = file?.path();
            if path.extension().is_some_and(|e| e == "snap") {
                let text = std::fs::read_to_string(&path)?;
                ensure(!text.contains("Raqqw2k6bngAOmSk"), path.display().to_string())?;
                checked += 1;
            }
        }
    }
    ensure(checked == 6, format!("{checked} snapshots"))
}

/// At least four upstream cases for each provider whose code is public (Rake Direct has none).
fn upstream_counts() -> Result<(), Failed> {
    for provider in ["engage-digital", "chatlake", "directly"] {
        let n = cases(provider)
            .iter()
            .filter(|c| c.provenance == Provenance::Upstream)
            .count();
        ensure(n >= 4, format!("{provider}: {n} upstream cases"))?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A docs case whose source file is gone fails, naming the file and its URL.
fn missing_source_fails() -> Result<(), Failed> {
    let ctx = Context::default();
    let scratch = std::env::temp_dir().join(format!("deskwire-sources-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    copy_dir(&ctx.sources, &scratch)?;
    std::fs::remove_file(scratch.join("chatlake/send-messages-to-api-channel.txt"))?;
    let without = Context {
        sources: scratch.clone(),
        ..ctx.clone()
    };
    let case = load(&without, &["chatlake".to_owned()], Some("seed-create-contact-request"))?;
    let verdict = without.check_provenance(&case[0]);
    let _ = std::fs::remove_dir_all(&scratch);
    match verdict {
        Err(why) => ensure(
            why.contains("send-messages-to-api-channel.txt")
                && why.contains("https://www.chatwoot.com/docs/product/channels/api/send-messages"),
            format!("unclear failure: {why}"),
        ),
        Ok(()) => Err("a case whose source is missing passed".into()),
    }
}
