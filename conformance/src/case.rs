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

/// `[webhook]`: a signed delivery and what the verifier must decide.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookSpec {
    /// `X-Chatwoot-Timestamp` of the delivery.
    pub timestamp: u64,
    /// The verifier's clock, unix seconds.
    pub now: u64,
    /// The signature presented (hex, without `sha256=`).
    pub presented: String,
    /// `accepted`, `mismatch`, `stale`, `from-the-future` or `signed-without-timestamp`.
    pub expect: String,
}

/// One documented example.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// The slug (folder name without its number).
    pub id: String,
    /// Seed file (or provider note) the example comes from.
    pub source: String,
    /// Heading in that source.
    pub heading: String,
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
    /// Contents of `documented.txt`.
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
    case.documented = read("documented.txt")?;
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
