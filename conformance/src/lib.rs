//! The conformance harness: every example printed in the provider documents is a case folder
//! under `fixtures/<provider>/`, replayed through the typed crates in five stages (parse,
//! roundtrip, wire, snapshot, properties). `cargo xtask conform` runs the `deskwire-conformance`
//! binary; `cargo test` runs the same cases through `tests/cases.rs`.

pub mod case;
mod chatlake;
pub mod desks;
mod directly;
mod engage_digital;
mod engage_digital_endpoint;
pub mod properties;
mod rake_direct;
pub mod repair;
pub mod report;
pub mod snapshot;
pub mod stage;

use std::path::{Path, PathBuf};

/// The README's examples, compiled as doctests here (this crate depends on every provider
/// crate) so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;

use case::Case;
use stage::CaseReport;

/// Providers with cases, by key (the crate name without `deskwire-`).
pub const PROVIDERS: &[&str] = &["engage-digital", "chatlake", "directly", "rake-direct"];

/// Where the harness finds its inputs.
#[derive(Debug, Clone)]
pub struct Context {
    /// `fixtures/`.
    pub fixtures: PathBuf,
    /// The shared documents beside the repository (`../shared`, holding `seeds/` and
    /// `providers/`), when present; used to check that each `documented.txt` is really printed
    /// in its source.
    pub shared: Option<PathBuf>,
}

impl Default for Context {
    fn default() -> Self {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let shared = manifest.join("../../shared");
        Self {
            fixtures: manifest.join("fixtures"),
            shared: shared.join("seeds").is_dir().then_some(shared),
        }
    }
}

impl Context {
    /// When the case's source (a seed, or a provider note under `providers/`) is at hand, its
    /// documented text must be printed there; for JSON examples, also in every `also_in` source
    /// (error rows and code are laid out differently in the Markdown copy, so only their main
    /// source is checked).
    pub fn check_provenance(&self, case: &Case) -> Result<(), String> {
        let Some(shared) = &self.shared else {
            return Ok(());
        };
        let also = case
            .also_in
            .iter()
            .filter(|_| case.is_json_example())
            .filter_map(|a| a.split(':').next());
        for source in std::iter::once(case.source.as_str()).chain(also) {
            let path = if source.starts_with("providers/") {
                shared.join(source)
            } else {
                shared.join("seeds").join(source)
            };
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if !text.contains(case.documented.trim_end_matches('\n')) {
                return Err(format!("documented.txt is not printed verbatim in {source}"));
            }
        }
        Ok(())
    }
}

impl Context {
    /// A JSON example's parse stage: repair and parse the documented text, check that the case
    /// records exactly the repairs it needed and that the text is printed in its source, then
    /// apply the case's samples.
    pub fn parse_example(&self, case: &Case) -> Result<serde_json::Value, String> {
        let (value, repairs) = repair::repair_and_parse(&case.documented)?;
        if case.repairs != repairs {
            return Err(format!(
                "case.toml records repairs {:?} but the text needed {repairs:?}",
                case.repairs
            ));
        }
        self.check_provenance(case)?;
        case.apply_samples(value)
    }
}

/// Selects cases: all providers unless `providers` is non-empty, and one case id if given.
pub fn load(ctx: &Context, providers: &[String], case_id: Option<&str>) -> Result<Vec<Case>, String> {
    let chosen: Vec<&str> = if providers.is_empty() {
        PROVIDERS.to_vec()
    } else {
        providers.iter().map(String::as_str).collect()
    };
    let mut cases = Vec::new();
    for p in chosen {
        if !PROVIDERS.contains(&p) {
            return Err(format!("unknown provider `{p}`; known: {}", PROVIDERS.join(", ")));
        }
        cases.extend(case::load(&ctx.fixtures, p)?);
    }
    if let Some(id) = case_id {
        cases.retain(|c| c.id == id || c.folder() == id);
        if cases.is_empty() {
            return Err(format!("no case `{id}`"));
        }
    }
    Ok(cases)
}

/// Runs the cases one after the other.
pub async fn run(ctx: &Context, cases: &[Case]) -> Vec<CaseReport> {
    let mut reports = Vec::with_capacity(cases.len());
    for case in cases {
        let report = match case.provider.as_str() {
            "engage-digital" => engage_digital::run(case, ctx).await,
            "chatlake" => chatlake::run(case, ctx).await,
            "directly" => directly::run(case, ctx).await,
            "rake-direct" => rake_direct::run(case, ctx).await,
            other => unreachable!("provider `{other}` was validated by load"),
        };
        reports.push(report);
    }
    reports
}
