//! The conformance harness: every example printed in the provider documents is a case folder
//! under `fixtures/<provider>/`, replayed through the typed crates in five stages (parse,
//! roundtrip, wire, snapshot, properties); upstream cases also judge deskwire-sim (`sim`). `cargo xtask conform` runs the `deskwire-conformance`
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
pub mod sim_stage;
pub mod snapshot;
pub mod stage;

use std::path::{Path, PathBuf};

/// The README's examples, compiled as doctests here (this crate depends on every provider
/// crate) so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;

use case::{Case, Provenance};
use stage::CaseReport;

/// Providers with cases, by key (the crate name without `deskwire-`).
pub const PROVIDERS: &[&str] = &["engage-digital", "chatlake", "directly", "rake-direct"];

/// Where the harness finds its inputs. Everything is inside the repository, so every clone
/// checks the same things.
#[derive(Debug, Clone)]
pub struct Context {
    /// `fixtures/`.
    pub fixtures: PathBuf,
    /// `sources/`: the provider documents docs cases are printed in, one folder per provider,
    /// listed with their public URLs in `sources/SOURCES.toml`.
    pub sources: PathBuf,
    /// `vectors/`: outputs of upstream's own code, one folder per provider.
    pub vectors: PathBuf,
    /// The repository root (generator scripts are named relative to it).
    pub repo: PathBuf,
}

impl Default for Context {
    fn default() -> Self {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        Self {
            fixtures: manifest.join("fixtures"),
            sources: manifest.join("sources"),
            vectors: manifest.join("vectors"),
            repo: manifest.parent().unwrap_or(manifest).to_path_buf(),
        }
    }
}

/// One entry of `sources/SOURCES.toml`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    /// Provider key (the folder).
    pub provider: String,
    /// File name in the provider's folder.
    pub file: String,
    /// The document's title.
    pub title: String,
    /// Where the public can read it.
    pub url: String,
    /// How the copy was obtained.
    pub copied_from: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesToml {
    source: Vec<SourceEntry>,
}

impl Context {
    /// The documents listed in `sources/SOURCES.toml`.
    pub fn source_list(&self) -> Result<Vec<SourceEntry>, String> {
        let path = self.sources.join("SOURCES.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        toml::from_str::<SourcesToml>(&text)
            .map(|t| t.source)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The text of `file` in `provider`'s sources; a missing file is an error naming its URL.
    pub fn source_text(&self, provider: &str, file: &str) -> Result<String, String> {
        let listed = self.source_list()?;
        let entry = listed
            .iter()
            .find(|e| e.provider == provider && e.file == file)
            .ok_or_else(|| format!("source `{provider}/{file}` is not listed in conformance/sources/SOURCES.toml"))?;
        let path = self.sources.join(provider).join(file);
        std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "source `{provider}/{file}` is missing from conformance/sources/ ({e}); it is `{}`, {}: restore the copy",
                entry.title, entry.url
            )
        })
    }

    /// The case says where it comes from, and what it says can be checked here:
    ///
    /// * docs — its source is in `sources/` (listed with its URL) and prints the documented
    ///   text verbatim; for JSON examples, so does every `also_in` source;
    /// * upstream — `[upstream]` names a repository, a path and a 40-hex commit (or a published
    ///   package); a vectors file exists, was made by a generator committed here, and cites the
    ///   same repository;
    /// * synthesised — its `row` is printed verbatim in its source, or it cites upstream.
    pub fn check_provenance(&self, case: &Case) -> Result<(), String> {
        match case.provenance {
            Provenance::Docs => {
                let source = case.source.as_deref().ok_or("a docs case names its `source`")?;
                let text = self.source_text(&case.provider, source)?;
                if !text.contains(case.documented.trim_end_matches('\n')) {
                    return Err(format!("documented.txt is not printed verbatim in {source}"));
                }
                let also = case
                    .also_in
                    .iter()
                    .filter(|_| case.is_json_example())
                    .filter_map(|a| a.split(':').next());
                for other in also {
                    let text = self.source_text(&case.provider, other)?;
                    if !text.contains(case.documented.trim_end_matches('\n')) {
                        return Err(format!("documented.txt is not printed verbatim in {other}"));
                    }
                }
                Ok(())
            }
            Provenance::Upstream => {
                let upstream = case
                    .upstream
                    .as_ref()
                    .ok_or("an upstream case has an [upstream] citation")?;
                self.check_upstream(upstream)
            }
            Provenance::Synthesised => match (&case.source, &case.row, &case.upstream) {
                (Some(source), Some(row), _) => {
                    let text = self.source_text(&case.provider, source)?;
                    if !text.contains(row.as_str()) {
                        return Err(format!("the row the case was built from is not printed in {source}"));
                    }
                    Ok(())
                }
                (_, _, Some(upstream)) => self.check_upstream(upstream),
                _ => Err(
                    "a synthesised case names the `source` and `row`, or the [upstream] place, it was built from"
                        .into(),
                ),
            },
        }
    }

    fn check_upstream(&self, upstream: &case::UpstreamRef) -> Result<(), String> {
        if upstream.repo.split('/').filter(|p| !p.is_empty()).count() != 2 {
            return Err(format!("[upstream] repo `{}` is not owner/name", upstream.repo));
        }
        if upstream.path.trim().is_empty() {
            return Err("[upstream] names no path".into());
        }
        match (&upstream.commit, &upstream.package) {
            (Some(c), _) if c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {}
            (Some(c), _) => return Err(format!("[upstream] commit `{c}` is not 40 hex digits")),
            (None, Some(p)) if p.contains('@') => {}
            _ => return Err("[upstream] names neither a commit nor a published package@version".into()),
        }
        if let Some(file) = &upstream.vectors {
            let vectors = self.vector_file(file)?;
            let generator = vectors["generator"]
                .as_str()
                .ok_or_else(|| format!("{file}: no generator"))?;
            if !self.repo.join(generator).is_file() {
                return Err(format!("{file}: its generator `{generator}` is not in the repository"));
            }
            let cites = |v: &serde_json::Value| v["repo"].as_str() == Some(upstream.repo.as_str());
            let cited = cites(&vectors["upstream"])
                || vectors
                    .as_object()
                    .is_some_and(|o| o.values().any(|set| cites(&set["upstream"])));
            if !cited {
                return Err(format!("{file} does not cite {}", upstream.repo));
            }
        }
        Ok(())
    }

    /// A vectors file (`vectors/<file>`), parsed.
    pub fn vector_file(&self, file: &str) -> Result<serde_json::Value, String> {
        let path = self.vectors.join(file);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("vectors `{file}`: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("vectors `{file}`: {e}"))
    }

    /// The entries a case selects (`vector = "<set>"` or `"<set>/<name>[,<name>...]"`) in its vectors file:
    /// `(name, entry)` pairs. A set is a top-level array, or an object's `vectors` array.
    pub fn vectors(&self, case: &Case) -> Result<Vec<(String, serde_json::Value)>, String> {
        let file = case
            .upstream
            .as_ref()
            .and_then(|u| u.vectors.as_deref())
            .ok_or("the case names no [upstream] vectors file")?;
        let selector = case.vector.as_deref().ok_or("the case names no `vector`")?;
        let (set, name) = selector.split_once('/').map_or((selector, None), |(s, n)| (s, Some(n)));
        let all = self.vector_file(file)?;
        let entries = all[set]
            .as_array()
            .or_else(|| all[set]["vectors"].as_array())
            .ok_or_else(|| format!("{file} has no set `{set}`"))?;
        let picked: Vec<(String, serde_json::Value)> = entries
            .iter()
            .map(|e| (e["name"].as_str().unwrap_or_default().to_owned(), e.clone()))
            .filter(|(n, _)| name.is_none_or(|want| want.split(',').any(|w| w == n)))
            .collect();
        if let Some(names) = name {
            for want in names.split(',') {
                if !picked.iter().any(|(n, _)| n == want) {
                    return Err(format!("{file} has no vector `{set}/{want}`"));
                }
            }
        }
        if picked.is_empty() {
            return Err(format!("{file} has no vector `{selector}`"));
        }
        Ok(picked)
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
        let mut report = match case.provider.as_str() {
            "engage-digital" => engage_digital::run(case, ctx).await,
            "chatlake" => chatlake::run(case, ctx).await,
            "directly" => directly::run(case, ctx).await,
            "rake-direct" => rake_direct::run(case, ctx).await,
            other => unreachable!("provider `{other}` was validated by load"),
        };
        let judged = match report.passed() {
            true => sim_stage::judge(case, ctx).await,
            false => stage::Outcome::Skip("an earlier stage failed".into()),
        };
        report.stages.push((stage::Stage::Sim, judged));
        reports.push(report);
    }
    reports
}
