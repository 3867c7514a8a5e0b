//! Runs every conformance case under `cargo test`, so the workspace tests cover them too.

use deskwire_conformance::{load, report, run, Context, PROVIDERS};

#[tokio::test(flavor = "multi_thread")]
async fn every_documented_example_passes() {
    let ctx = Context::default();
    let cases = load(&ctx, &[], None).expect("fixtures load");
    let reports = run(&ctx, &cases).await;
    let failures = report::failures(&reports);
    assert!(failures.is_empty(), "{}\n{failures}", report::table(&reports));
    for provider in PROVIDERS {
        assert!(
            reports.iter().any(|r| r.provider == *provider),
            "no cases for {provider}"
        );
    }
}

#[test]
fn engage_digital_has_every_documented_example() {
    let cases = load(&Context::default(), &["engage-digital".to_owned()], None).unwrap();
    assert!(cases.len() >= 21, "{} cases", cases.len());
    let count = |kind: &str| cases.iter().filter(|c| c.kind.name() == kind).count();
    assert_eq!(count("error"), 13, "one case per row of the error table");
    assert_eq!(count("signature"), 4, "PHP, Ruby and the two notes vectors");
    assert_eq!(count("rate-limit"), 1);
}

#[test]
fn the_fenced_ok_answer_records_its_repair() {
    let cases = load(
        &Context::default(),
        &["engage-digital".to_owned()],
        Some("ok-response-in-json-fence"),
    )
    .unwrap();
    assert_eq!(cases[0].repairs, ["code-fence"]);
    assert_eq!(cases[0].repairs_needed(), ["code-fence"]);
}

#[test]
fn recorded_repairs_are_what_the_repair_step_finds() {
    for case in load(&Context::default(), &[], None).unwrap() {
        assert_eq!(
            case.repairs,
            case.repairs_needed(),
            "{}/{}",
            case.provider,
            case.folder()
        );
    }
}

/// The notes' §6 table: the exact repairs each of the seed's six Rake Direct bodies needs.
#[test]
fn rake_direct_cases_record_the_notes_repair_table() {
    let cases = load(&Context::default(), &["rake-direct".to_owned()], None).unwrap();
    let table: [&[&str]; 6] = [
        &["unquoted-keys"],
        &["optional-key-markers", "trailing-commas"],
        &["placeholders"],
        &["optional-key-markers", "placeholders", "trailing-commas"],
        &[],
        &["optional-key-markers", "placeholders", "trailing-commas"],
    ];
    assert_eq!(cases.len(), table.len());
    for (case, expected) in cases.iter().zip(table) {
        assert_eq!(case.repairs, expected, "{}", case.id);
        assert_eq!(case.repairs_needed(), expected, "{}", case.id);
    }
}

/// No snapshot carries the Rake workspace secret, not even the seed's sample one.
#[test]
fn rake_direct_snapshots_never_hold_the_secret() {
    let root = Context::default().fixtures.join("rake-direct");
    let mut checked = 0;
    for case in std::fs::read_dir(&root).unwrap() {
        for file in std::fs::read_dir(case.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "snap") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(!text.contains("Raqqw2k6bngAOmSk"), "{}", path.display());
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 6);
}

/// Chatlake: the seed's six JSON blocks, the notes' real shapes, every error shape and each
/// webhook signature case the issue names.
#[test]
fn chatlake_covers_the_seed_errors_and_signatures() {
    let cases = load(&Context::default(), &["chatlake".to_owned()], None).unwrap();
    let from_seed: Vec<_> = cases.iter().filter(|c| c.source.starts_with("002_")).collect();
    assert_eq!(from_seed.len(), 6, "the seed's six JSON blocks");
    assert_eq!(from_seed.iter().filter(|c| c.kind.name() == "request").count(), 3);
    let shapes: Vec<&str> = cases
        .iter()
        .filter(|c| c.kind.name() == "error")
        .map(|c| c.notes.as_str())
        .collect();
    for shape in ["error", "errors", "invalid", "text"] {
        assert!(shapes.contains(&format!("Body shape: {shape}.").as_str()), "{shape}");
    }
    let verdicts: Vec<&str> = cases
        .iter()
        .filter_map(|c| c.webhook.as_ref())
        .map(|w| w.expect.as_str())
        .collect();
    assert_eq!(
        verdicts,
        [
            "accepted",
            "mismatch",
            "stale",
            "from-the-future",
            "signed-without-timestamp"
        ]
    );
}

/// Directly: the sample flow and its poll step, the two data examples with the repairs the
/// notes' §11 lists, one case per documented error status, and the system-message list.
#[test]
fn directly_has_every_documented_example() {
    let cases = load(&Context::default(), &["directly".to_owned()], None).unwrap();
    let count = |kind: &str| cases.iter().filter(|c| c.kind.name() == kind).count();
    assert_eq!(count("flow"), 1);
    assert_eq!(count("poll"), 1);
    assert_eq!(count("vocabulary"), 1);
    let statuses: Vec<u16> = cases
        .iter()
        .filter(|c| c.kind.name() == "error")
        .filter_map(|c| c.response.as_ref().map(|r| r.status))
        .collect();
    assert_eq!(statuses, [400, 401, 403, 404, 405, 500]);
    let repairs = |id: &str| cases.iter().find(|c| c.id == id).unwrap().repairs.clone();
    assert_eq!(repairs("response-format"), ["line-comments", "unquoted-keys"]);
    assert_eq!(repairs("conversation-data-model"), ["unquoted-keys", "trailing-commas"]);
}
