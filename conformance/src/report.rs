//! The summary table, `report.md` and `report.json`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::case::Provenance;
use crate::stage::{CaseReport, Outcome, Stage};

struct Row {
    provider: String,
    cases: usize,
    passed: usize,
    provenance: BTreeMap<&'static str, usize>,
    stages: BTreeMap<Stage, (usize, usize)>,
}

fn rows(reports: &[CaseReport]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for r in reports {
        if rows.last().is_none_or(|row| row.provider != r.provider) {
            rows.push(Row {
                provider: r.provider.clone(),
                cases: 0,
                passed: 0,
                provenance: BTreeMap::new(),
                stages: BTreeMap::new(),
            });
        }
        let row = rows.last_mut().expect("just pushed");
        row.cases += 1;
        row.passed += usize::from(r.passed());
        *row.provenance.entry(r.provenance).or_default() += 1;
        for (stage, outcome) in &r.stages {
            let (pass, ran) = row.stages.entry(*stage).or_default();
            match outcome {
                Outcome::Pass => {
                    *pass += 1;
                    *ran += 1;
                }
                Outcome::Fail(_) => *ran += 1,
                Outcome::Skip(_) => {}
            }
        }
    }
    rows
}

/// Column groups: the case counts, cases per provenance, the stages that compare against the
/// source, and the regression stages (our own output against itself).
const SEPARATOR: &str = "|";

fn header() -> Vec<String> {
    let mut h: Vec<String> = ["provider", "cases", "passed", "failed", SEPARATOR]
        .map(String::from)
        .to_vec();
    h.extend(Provenance::ALL.iter().map(|p| p.name().to_owned()));
    h.push(SEPARATOR.into());
    h.extend(
        Stage::ALL
            .iter()
            .filter(|s| s.against_source())
            .map(|s| s.name().to_owned()),
    );
    h.push(SEPARATOR.into());
    h.extend(
        Stage::ALL
            .iter()
            .filter(|s| !s.against_source())
            .map(|s| s.name().to_owned()),
    );
    h
}

fn cells(row: &Row) -> Vec<String> {
    let mut c = vec![
        row.provider.clone(),
        row.cases.to_string(),
        row.passed.to_string(),
        (row.cases - row.passed).to_string(),
        SEPARATOR.into(),
    ];
    c.extend(
        Provenance::ALL
            .iter()
            .map(|p| row.provenance.get(p.name()).copied().unwrap_or_default().to_string()),
    );
    let stage = |s: &Stage| {
        let (pass, ran) = row.stages.get(s).copied().unwrap_or_default();
        format!("{pass}/{ran}")
    };
    c.push(SEPARATOR.into());
    c.extend(Stage::ALL.iter().filter(|s| s.against_source()).map(stage));
    c.push(SEPARATOR.into());
    c.extend(Stage::ALL.iter().filter(|s| !s.against_source()).map(stage));
    c
}

/// The legend printed under the table.
pub const LEGEND: &str = "docs: printed in a document in conformance/sources/ · upstream: from the provider's own code (vectors its code produced, or shapes read in it) · synthesised: built here from a documented rule or row\nparse/roundtrip/wire compare against the source; snapshot/properties are regression checks of our own output\n";

/// The terminal table: one row per provider, stage columns as `passed/ran`.
pub fn table(reports: &[CaseReport]) -> String {
    let header = header();
    let body: Vec<Vec<String>> = rows(reports).iter().map(cells).collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            body.iter()
                .map(|r| r[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = line(&header) + "\n";
    out += &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  ");
    out += "\n";
    for r in &body {
        out += &line(r);
        out += "\n";
    }
    out += LEGEND;
    out
}

/// The failures, one block per failed stage.
pub fn failures(reports: &[CaseReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for (stage, outcome) in &r.stages {
            if let Outcome::Fail(why) = outcome {
                let _ = writeln!(out, "FAIL {}/{} [{}]: {why}", r.provider, r.folder, stage.name());
            }
        }
    }
    out
}

/// `report.md`: the table, then every case with its stages.
pub fn markdown(reports: &[CaseReport]) -> String {
    let mut out = String::from("# Conformance report\n\n");
    let h: Vec<String> = header().into_iter().filter(|c| c != SEPARATOR).collect();
    let _ = writeln!(out, "| {} |", h.join(" | "));
    let _ = writeln!(out, "|{}|", vec!["-"; h.len()].join("|"));
    for row in rows(reports) {
        let c: Vec<String> = cells(&row).into_iter().filter(|c| c != SEPARATOR).collect();
        let _ = writeln!(out, "| {} |", c.join(" | "));
    }
    let _ = writeln!(out, "\n{}", LEGEND.replace('\n', "\n\n"));
    out.push_str("## Cases\n\n| provider | case | kind | provenance | source | ");
    out.push_str(&Stage::ALL.map(|s| s.name()).join(" | "));
    out.push_str(" | status |\n|");
    out.push_str(&vec!["-"; 6 + Stage::ALL.len()].join("|"));
    out.push_str("|\n");
    for r in reports {
        let stages: Vec<&str> = Stage::ALL
            .iter()
            .map(|s| r.outcome(*s).map_or("-", Outcome::word))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.provider,
            r.folder,
            r.kind,
            r.provenance,
            r.source,
            stages.join(" | "),
            if r.passed() { "pass" } else { "fail" }
        );
    }
    let f = failures(reports);
    if !f.is_empty() {
        out.push_str("\n## Failures\n\n```\n");
        out.push_str(&f);
        out.push_str("```\n");
    }
    out
}

/// `report.json`: `{"providers":[{"provider":…,"provenance":{"docs":n,…},"cases":[{"id","provenance","source","kind","stages":{…},"against_source":{…},"regression":{…},"status"}]}]}`.
pub fn json(reports: &[CaseReport]) -> Value {
    let mut providers: Vec<Value> = Vec::new();
    for row in rows(reports) {
        let cases: Vec<Value> = reports
            .iter()
            .filter(|r| r.provider == row.provider)
            .map(|r| {
                let stages: serde_json::Map<String, Value> = r
                    .stages
                    .iter()
                    .map(|(s, o)| (s.name().to_owned(), Value::from(o.word())))
                    .collect();
                let details: serde_json::Map<String, Value> = r
                    .stages
                    .iter()
                    .filter_map(|(s, o)| match o {
                        Outcome::Fail(why) | Outcome::Skip(why) => {
                            Some((s.name().to_owned(), Value::from(why.as_str())))
                        }
                        Outcome::Pass => None,
                    })
                    .collect();
                let group = |against: bool| -> serde_json::Map<String, Value> {
                    r.stages
                        .iter()
                        .filter(|(s, _)| s.against_source() == against)
                        .map(|(s, o)| (s.name().to_owned(), Value::from(o.word())))
                        .collect()
                };
                json!({
                    "id": r.id,
                    "folder": r.folder,
                    "provenance": r.provenance,
                    "source": r.source,
                    "kind": r.kind,
                    "stages": stages,
                    "against_source": group(true),
                    "regression": group(false),
                    "details": details,
                    "status": if r.passed() { "pass" } else { "fail" },
                })
            })
            .collect();
        let provenance: serde_json::Map<String, Value> = Provenance::ALL
            .iter()
            .map(|p| {
                let n = row.provenance.get(p.name()).copied().unwrap_or_default();
                (p.name().to_owned(), Value::from(n))
            })
            .collect();
        providers.push(json!({ "provider": row.provider, "provenance": provenance, "cases": cases }));
    }
    json!({ "providers": providers })
}
