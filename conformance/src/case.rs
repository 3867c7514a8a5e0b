//! Loading cases: `fixtures/<provider>/<NN-slug>/case.toml` plus `documented.txt`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// What a case exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A request body the client must send.
    Request,
    /// A success answer the client must accept.
    Response,
    /// An error answer the client must map to a typed error.
    Error,
    /// A key, body and signature.
    Signature,
    /// An inbound webhook.
    Webhook,
    /// A polling exchange.
    Poll,
    /// A documented rate-limit rule.
    RateLimit,
    /// A documented sequence of calls, replayed end to end.
    Flow,
    /// A documented list of wire values (e.g. message types).
    Vocabulary,
}

impl Kind {
    /// Whether the documented text of this kind is a JSON (or JSON-like) example that goes
    /// through the repair step. Error rows, rules and code samples are prose or code.
    pub fn is_json_example(self) -> bool {
        matches!(self, Kind::Request | Kind::Response | Kind::Webhook | Kind::Poll)
    }

    /// The name used in `case.toml` and the reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Response => "response",
            Kind::Error => "error",
            Kind::Signature => "signature",
            Kind::Webhook => "webhook",
            Kind::Poll => "poll",
            Kind::RateLimit => "rate-limit",
            Kind::Flow => "flow",
            Kind::Vocabulary => "vocabulary",
        }
    }
}

/// `[response]`: the answer the mock gives.
#[derive(Debug, Clone, Deserialize)]
pub struct ResponseSpec {
    /// HTTP status.
    pub status: u16,
    /// Body, when not taken from `documented.txt`.
    pub body: Option<String>,
    /// Expected typed rejection (variant name).
    pub rejection: Option<String>,
}

/// `[signature]`: a signing vector.
#[derive(Debug, Clone, Deserialize)]
pub struct SignatureSpec {
    /// The key, as the docs print it.
    pub key: String,
    /// File (in the case folder) holding the exact signed bytes.
    pub body_file: String,
    /// Expected lowercase hex signature.
    pub expected: String,
}

/// `[rate_limit]`: a documented limit.
#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitSpec {
    /// Minimum spacing of requests, in milliseconds.
    pub interval_ms: u64,
}

/// Whose bytes a polling case documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PollRole {
    /// A request Engage Digital sends to your endpoint.
    Request,
    /// Your endpoint's answer.
    Answer,
}

/// `[poll]`: a polling-endpoint exchange.
#[derive(Debug, Clone, Deserialize)]
pub struct PollSpec {
    /// Which side the documented text shows.
    pub role: PollRole,
    /// File (in the case folder) with the exact request bytes replayed through the endpoint.
    pub request_file: Option<String>,
    /// The published signature of those bytes, when the docs give one.
    pub signature: Option<String>,
    /// The documented text is a table row or field list describing the request rather than a
    /// JSON example: it needs no repairs, and must name the action and every parameter sent.
    #[serde(default)]
    pub shape: bool,
}

/// `[webhook]`: what the verifier must decide about the case's vector delivery.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSpec {
    /// The verifier's clock, unix seconds.
    pub now: u64,
    /// `accepted`, `mismatch`, `stale`, `from-the-future` or `signed-without-timestamp`.
    pub expect: String,
    /// The verifier's secret, when it is not the one the delivery was signed with.
    pub key: Option<String>,
}

/// Where a case's bytes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// Printed in a provider document kept in `conformance/sources/<provider>/`; the case's
    /// `documented.txt` must appear there verbatim.
    Docs,
    /// From the provider's own code or repositories, cited by `[upstream]` (repository, path,
    /// commit): vectors produced by running upstream's own expressions or clients (committed
    /// with the script that made them, under `conformance/vectors/` and `tools/upstream/`),
    /// or shapes transcribed from upstream code into `example.txt`.
    Upstream,
    /// Built here from a documented rule or table row (`row`, printed verbatim in `source`) or
    /// from an upstream location (`[upstream]`).
    Synthesised,
}

impl Provenance {
    /// The name used in `case.toml` and the reports.
    pub fn name(self) -> &'static str {
        match self {
            Provenance::Docs => "docs",
            Provenance::Upstream => "upstream",
            Provenance::Synthesised => "synthesised",
        }
    }

    /// All provenances, in report order.
    pub const ALL: [Provenance; 3] = [Provenance::Docs, Provenance::Upstream, Provenance::Synthesised];
}

/// `[upstream]`: where in the provider's own repositories a case comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamRef {
    /// `owner/name` on GitHub.
    pub repo: String,
    /// Path of the file in that repository (or in the published package).
    pub path: String,
    /// The commit read (40 hex digits).
    pub commit: Option<String>,
    /// The release tag at that commit, when there is one.
    pub tag: Option<String>,
    /// `name@version` of the published package read, when no commit is known.
    pub package: Option<String>,
    /// Lines of `path` the case rests on.
    pub lines: Option<String>,
    /// Vector file under `conformance/vectors/` (its `generator` script must be in the repo).
    pub vectors: Option<String>,
}

/// `[request]`: what an answer case sends before the mock answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// Exact bytes sent through the client's byte escape hatch, when the operation needs them.
    pub body: Option<String>,
}

/// One case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The slug (folder name without its number).
    pub id: String,
    /// Where the case's bytes come from.
    pub provenance: Provenance,
    /// Document under `conformance/sources/<provider>/` the example (docs) or row
    /// (synthesised) is printed in.
    pub source: Option<String>,
    /// Heading in that source, or what the case covers.
    pub heading: String,
    /// For synthesised cases built from a document: the rule or row, verbatim.
    pub row: Option<String>,
    /// Upstream citation (upstream cases; synthesised cases built from upstream material).
    pub upstream: Option<UpstreamRef>,
    /// Selects entries of the `[upstream] vectors` file: `"<set>"` or `"<set>/<name>"`.
    pub vector: Option<String>,
    /// What an answer case sends.
    pub request: Option<RequestSpec>,
    /// Vectors (by name) where this crate decides otherwise than upstream, on purpose.
    #[serde(default)]
    pub deviations: Vec<String>,
    /// Why the deviations are right.
    pub deviation_reason: Option<String>,
    /// Other places printing the same example.
    #[serde(default)]
    pub also_in: Vec<String>,
    /// What the case exercises.
    pub kind: Kind,
    /// The provider operation.
    pub operation: String,
    /// Names of the repairs the documented text needs, in order.
    pub repairs: Vec<String>,
    /// Free text.
    #[serde(default)]
    pub notes: String,
    /// The answer, for response and error cases.
    pub response: Option<ResponseSpec>,
    /// The vector, for signature cases.
    pub signature: Option<SignatureSpec>,
    /// The rule, for rate-limit cases.
    pub rate_limit: Option<RateLimitSpec>,
    /// The exchange, for poll cases.
    pub poll: Option<PollSpec>,
    /// Sample values for placeholders, by JSON pointer into the repaired example
    /// (e.g. `"/sessionId" = 13731`), applied before the typed API sees it.
    #[serde(default)]
    pub samples: std::collections::BTreeMap<String, toml::Value>,
    /// For request cases the client must refuse before sending: the field it names.
    pub refused: Option<String>,
    /// The delivery, for webhook signature cases.
    pub webhook: Option<WebhookSpec>,
    /// Folder of the case.
    #[serde(skip)]
    pub dir: PathBuf,
    /// Provider key.
    #[serde(skip)]
    pub provider: String,
    /// Contents of `documented.txt` (docs cases) or `example.txt` (the example as transcribed
    /// here from upstream, when the case has one); empty otherwise.
    #[serde(skip)]
    pub documented: String,
}

impl Case {
    /// Reads a file of the case folder.
    pub fn file(&self, name: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.dir.join(name)).map_err(|e| format!("{}: {e}", self.dir.join(name).display()))
    }

    /// The repairs the documented text needs (none for kinds that are not JSON examples).
    pub fn repairs_needed(&self) -> Vec<&'static str> {
        if self.is_json_example() {
            crate::repair::repair(&self.documented).repairs
        } else {
            Vec::new()
        }
    }

    /// Whether the documented text is a JSON (or JSON-like) example, as opposed to prose, a
    /// table row or code.
    pub fn is_json_example(&self) -> bool {
        self.kind.is_json_example() && !self.poll.as_ref().is_some_and(|p| p.shape)
    }

    /// Replaces each sampled placeholder of the repaired example; every sample must name a
    /// field the example has.
    pub fn apply_samples(&self, mut value: serde_json::Value) -> Result<serde_json::Value, String> {
        if self.repairs.iter().any(|r| r == "placeholders") && self.samples.is_empty() {
            return Err("the example has placeholders but the case records no samples".into());
        }
        for (pointer, sample) in &self.samples {
            let slot = value
                .pointer_mut(pointer)
                .ok_or_else(|| format!("sample `{pointer}` names no field of the example"))?;
            *slot = serde_json::to_value(sample).map_err(|e| e.to_string())?;
        }
        Ok(value)
    }

    /// The folder name, `NN-slug`.
    pub fn folder(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// Loads every case of `provider`, sorted by folder name.
pub fn load(fixtures: &Path, provider: &str) -> Result<Vec<Case>, String> {
    let root = fixtures.join(provider);
    let entries = std::fs::read_dir(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().map(|dir| load_one(dir, provider)).collect()
}

fn load_one(dir: &Path, provider: &str) -> Result<Case, String> {
    let read =
        |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()));
    let mut case: Case =
        toml::from_str(&read("case.toml")?).map_err(|e| format!("{}: {e}", dir.join("case.toml").display()))?;
    case.documented = match case.provenance {
        Provenance::Docs => read("documented.txt")?,
        _ if dir.join("documented.txt").exists() => {
            return Err(format!(
                "{}: only docs cases have a documented.txt (text printed in conformance/sources/); name the transcribed example example.txt",
                dir.display()
            ))
        }
        _ if dir.join("example.txt").exists() => read("example.txt")?,
        _ => String::new(),
    };
    case.dir = dir.to_path_buf();
    case.provider = provider.to_owned();
    let folder = case.folder();
    let slug = folder
        .split_once('-')
        .map(|(n, slug)| (n.chars().all(|c| c.is_ascii_digit()), slug));
    match slug {
        Some((true, slug)) if slug == case.id => Ok(case),
        _ => Err(format!("{}: folder must be `NN-{}`", dir.display(), case.id)),
    }
}
