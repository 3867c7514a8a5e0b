//! Stages of a case and their outcomes.

use serde::Serialize;

/// A stage, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Repair and parse the documented text; check the recorded repairs and provenance.
    Parse,
    /// Decode into the typed model and encode again without losing a documented field.
    Roundtrip,
    /// Send through the typed client to a wiremock server that checks everything.
    Wire,
    /// Replay an upstream case on deskwire-sim and compare its answer with upstream's.
    Sim,
    /// Pin the typed result with an insta snapshot.
    Snapshot,
    /// Property checks over the same types and bytes.
    Properties,
}

impl Stage {
    /// All stages in order.
    pub const ALL: [Stage; 6] = [
        Stage::Parse,
        Stage::Roundtrip,
        Stage::Wire,
        Stage::Sim,
        Stage::Snapshot,
        Stage::Properties,
    ];

    /// Whether the stage compares against the case's source (the documented or upstream
    /// bytes). Snapshot and properties check our own output against itself (regression).
    pub fn against_source(self) -> bool {
        matches!(self, Stage::Parse | Stage::Roundtrip | Stage::Wire | Stage::Sim)
    }

    /// Column name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Parse => "parse",
            Stage::Roundtrip => "roundtrip",
            Stage::Wire => "wire",
            Stage::Sim => "sim",
            Stage::Snapshot => "snapshot",
            Stage::Properties => "properties",
        }
    }
}

/// How a stage ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It ran and held.
    Pass,
    /// It ran and failed; the text says why.
    Fail(String),
    /// It does not apply to this case, or an earlier stage failed.
    Skip(String),
}

impl Outcome {
    /// `pass`, `fail` or `skip`.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::Skip(_) => "skip",
        }
    }
}

/// Everything that happened to one case.
#[derive(Debug, Clone)]
pub struct CaseReport {
    /// Provider key.
    pub provider: String,
    /// Case id.
    pub id: String,
    /// Case folder name.
    pub folder: String,
    /// Where it comes from: `docs`, `upstream` or `synthesised`.
    pub provenance: &'static str,
    /// The document (docs) or repository location (upstream) it cites.
    pub source: String,
    /// Case kind name.
    pub kind: &'static str,
    /// Stage outcomes, in order.
    pub stages: Vec<(Stage, Outcome)>,
}

impl CaseReport {
    /// Whether no stage failed.
    pub fn passed(&self) -> bool {
        !self.stages.iter().any(|(_, o)| matches!(o, Outcome::Fail(_)))
    }

    /// The outcome of `stage`.
    pub fn outcome(&self, stage: Stage) -> Option<&Outcome> {
        self.stages.iter().find(|(s, _)| *s == stage).map(|(_, o)| o)
    }
}

/// Collects stage outcomes; once a stage fails, the later ones are skipped.
#[derive(Debug)]
pub struct Stages {
    outcomes: Vec<(Stage, Outcome)>,
    failed: bool,
}

impl Default for Stages {
    fn default() -> Self {
        Self::new()
    }
}

impl Stages {
    /// No stage run yet.
    pub fn new() -> Self {
        Self {
            outcomes: Vec::new(),
            failed: false,
        }
    }

    /// Records a stage that does not apply.
    pub fn skip(&mut self, stage: Stage, why: &str) {
        self.outcomes.push((stage, Outcome::Skip(why.to_owned())));
    }

    /// Runs `check` unless an earlier stage failed.
    pub fn run(&mut self, stage: Stage, check: impl FnOnce() -> Result<(), String>) {
        if self.failed {
            return self.skip(stage, "an earlier stage failed");
        }
        let outcome = match check() {
            Ok(()) => Outcome::Pass,
            Err(why) => {
                self.failed = true;
                Outcome::Fail(why)
            }
        };
        self.outcomes.push((stage, outcome));
    }

    /// Like [`Stages::run`] for async checks.
    pub async fn run_async<F: std::future::Future<Output = Result<(), String>>>(
        &mut self,
        stage: Stage,
        check: impl FnOnce() -> F,
    ) {
        if self.failed {
            return self.skip(stage, "an earlier stage failed");
        }
        let outcome = match check().await {
            Ok(()) => Outcome::Pass,
            Err(why) => {
                self.failed = true;
                Outcome::Fail(why)
            }
        };
        self.outcomes.push((stage, outcome));
    }

    /// Finishes the report of `case`.
    pub fn finish(self, case: &crate::case::Case) -> CaseReport {
        CaseReport {
            provider: case.provider.clone(),
            id: case.id.clone(),
            folder: case.folder(),
            provenance: case.provenance.name(),
            source: cited(case),
            kind: case.kind.name(),
            stages: self.outcomes,
        }
    }
}

/// What a case cites, in one line: `sources/<provider>/<file>` or `owner/repo@commit:path`.
fn cited(case: &crate::case::Case) -> String {
    if let Some(source) = &case.source {
        return format!("sources/{}/{source}", case.provider);
    }
    match &case.upstream {
        Some(u) => {
            let at = u
                .commit
                .as_deref()
                .map(|c| c.get(..12).unwrap_or(c).to_owned())
                .or_else(|| u.package.clone())
                .unwrap_or_default();
            format!("{}@{at}:{}", u.repo, u.path)
        }
        None => String::new(),
    }
}
