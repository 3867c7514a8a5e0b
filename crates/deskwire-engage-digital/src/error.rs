//! Errors of the Send API client: the core [`ClientError`] shape, each refusal carrying the
//! row of the documented error table it matches ([`Rejection`]).
//!
//! The docs give each error's text and status but not the body format, so an answer is matched
//! on its status plus its text, whether the body is that text alone or JSON such as
//! `{"error": "..."}`. Anything else is kept whole, with no row.

use std::borrow::Cow;
use std::time::Duration;

use deskwire_core::{ApiError, ClientError, Delivery, ProviderError, ProviderKind, StatusClass};

/// A documented Send API refusal: one variant per row of the error table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// 400 `Bad request`: the body is not JSON or is malformed.
    BadRequest,
    /// 400 `Invalid request format`: `action` or `params` is probably missing.
    InvalidRequestFormat,
    /// 413 `Invalid request size (max: 20971520 bytes)`.
    RequestTooLarge,
    /// 422 `Source not found`: the `source_id` does not exist.
    SourceNotFound,
    /// 422 `Invalid signature`: wrong access token, or the body changed after signing.
    InvalidSignature,
    /// 422 `Invalid action`: unknown, or not declared in your `implementation.info` answer.
    InvalidAction,
    /// 422 `Invalid resource format`: a required field is missing in `params`.
    InvalidResourceFormat,
    /// 422 `Source doesn't support structured contents`: declare `view.messaging`.
    StructuredContentNotSupported,
    /// 422 `Type is required for structured contents`.
    StructuredContentTypeRequired,
    /// 422 `Source doesn't support this type of structured content`.
    StructuredContentTypeNotSupported,
    /// 422 `structured_content: "<attribute>" must not be empty`.
    StructuredContentAttributeEmpty {
        /// The attribute Engage Digital named.
        attribute: String,
    },
    /// 422 `The author must be puppetizable`: structured content needs a puppet author.
    AuthorNotPuppetizable,
    /// 429 `too many typing requests, please try again in a few seconds`.
    TooManyTypingRequests,
}

const FIXED_ROWS: [(u16, &str, Rejection); 12] = [
    (400, "bad request", Rejection::BadRequest),
    (400, "invalid request format", Rejection::InvalidRequestFormat),
    (
        413,
        "invalid request size (max: 20971520 bytes)",
        Rejection::RequestTooLarge,
    ),
    (422, "source not found", Rejection::SourceNotFound),
    (422, "invalid signature", Rejection::InvalidSignature),
    (422, "invalid action", Rejection::InvalidAction),
    (422, "invalid resource format", Rejection::InvalidResourceFormat),
    (
        422,
        "source doesn't support structured contents",
        Rejection::StructuredContentNotSupported,
    ),
    (
        422,
        "type is required for structured contents",
        Rejection::StructuredContentTypeRequired,
    ),
    (
        422,
        "source doesn't support this type of structured content",
        Rejection::StructuredContentTypeNotSupported,
    ),
    (422, "the author must be puppetizable", Rejection::AuthorNotPuppetizable),
    (
        429,
        "too many typing requests, please try again in a few seconds",
        Rejection::TooManyTypingRequests,
    ),
];

impl Rejection {
    /// The documented row for this status and error text, if there is one.
    pub fn match_row(status: u16, text: &str) -> Option<Self> {
        let lower = text.trim().trim_end_matches('.').to_ascii_lowercase();
        if let Some((_, _, rejection)) = FIXED_ROWS.iter().find(|(s, t, _)| *s == status && *t == lower) {
            return Some(rejection.clone());
        }
        if status == 422 {
            return attribute_row(text.trim()).map(|attribute| Self::StructuredContentAttributeEmpty { attribute });
        }
        None
    }

    /// The HTTP status the docs give for this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest | Self::InvalidRequestFormat => 400,
            Self::RequestTooLarge => 413,
            Self::TooManyTypingRequests => 429,
            _ => 422,
        }
    }

    /// What to do about it, in one sentence.
    pub fn advice(&self) -> String {
        match self {
            Self::BadRequest => "the body was not valid JSON".into(),
            Self::InvalidRequestFormat => "`action` or `params` is missing from the body".into(),
            Self::RequestTooLarge => "the body exceeds 20971520 bytes; send less data".into(),
            Self::SourceNotFound => "the source id does not exist; check the channel's realtime endpoint URL".into(),
            Self::InvalidSignature => "the signature did not match; check the channel's API access token".into(),
            Self::InvalidAction => "the action is unknown or not declared in your implementation.info answer".into(),
            Self::InvalidResourceFormat => "a required field is missing in params".into(),
            Self::StructuredContentNotSupported => {
                "structured content needs the `view.messaging` option in implementation.info".into()
            }
            Self::StructuredContentTypeRequired => "structured_content.type is missing".into(),
            Self::StructuredContentTypeNotSupported => {
                "this structured content type is not supported by the source".into()
            }
            Self::StructuredContentAttributeEmpty { attribute } => {
                format!("structured_content attribute `{attribute}` must not be empty")
            }
            Self::AuthorNotPuppetizable => {
                "the author of structured content must be a puppetizable, controlled identity".into()
            }
            Self::TooManyTypingRequests => {
                "at most one typing.start per thread every 2 seconds; retry in a few seconds".into()
            }
        }
    }
}

/// `structured_content: "title" must not be empty` (the Markdown copy wraps the first part in
/// backticks) -> `title`.
fn attribute_row(text: &str) -> Option<String> {
    let rest = text.trim_start_matches('`').strip_prefix("structured_content")?;
    let rest = rest.trim_start_matches('`').trim_start().strip_prefix(':')?;
    let attribute = rest.trim().strip_suffix("must not be empty")?.trim();
    let attribute = attribute.trim_matches(|c| c == '"' || c == '\'' || c == '`');
    (!attribute.is_empty()).then(|| attribute.to_owned())
}

/// The error text in an answer body: the body itself, or the message inside JSON of the forms
/// `"text"`, `{"error": "text"}`, `{"error": {"message": "text"}}`, `{"message": "text"}`.
/// Public through [`crate::testing`] only.
pub fn error_text(body: &str) -> Cow<'_, str> {
    fn from_json(body: &str) -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(body).ok()?;
        let text = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Object(mut map) => match map.remove("error").or_else(|| map.remove("message"))? {
                serde_json::Value::String(s) => s,
                serde_json::Value::Object(mut inner) => match inner.remove("message")? {
                    serde_json::Value::String(s) => s,
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        };
        Some(text)
    }
    match from_json(body) {
        Some(text) => Cow::Owned(text),
        None => Cow::Borrowed(body.trim()),
    }
}

/// Engage Digital as a [`ProviderKind`].
#[derive(Debug)]
pub struct EngageDigital;

impl ProviderKind for EngageDigital {
    const NAME: &'static str = "Engage Digital";
    const KEY: &'static str = "engage-digital";
    /// The documented row the answer matches, if any (status and text).
    type Detail = Option<Rejection>;
    type Specific = EngageDigitalFailure;

    fn hint(_: StatusClass, error: &ApiError<Option<Rejection>>) -> Option<String> {
        error.detail.as_ref().map(Rejection::advice)
    }
}

/// Everything that can go wrong with the Send API: the core [`ClientError`] shape. A refusal
/// carries the documented row it matches ([`ApiError::detail`], see [`Error::rejection`]).
pub type Error = ClientError<EngageDigital>;

/// Engage Digital's own failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngageDigitalFailure {
    /// Refused client-side: a `typing.start` for this thread within 2 s of the previous one
    /// ([`TypingLimit::Reject`](crate::TypingLimit::Reject)). Nothing was sent.
    #[error("typing.start for {key} is limited to one every 2 s; retry in {} ms; nothing was sent", .retry_in.as_millis())]
    TypingThrottled {
        /// The thread (or reply target) key.
        key: String,
        /// When a `typing.start` would be allowed again.
        retry_in: Duration,
    },
}

impl ProviderError for EngageDigitalFailure {
    fn delivery(&self) -> Delivery {
        Delivery::NotSent
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::TypingThrottled { retry_in, .. } => Some(*retry_in),
        }
    }

    fn is_retryable(&self) -> bool {
        true
    }
}

/// The documented rejection of an error, if it is one.
pub trait RejectionOf {
    /// The documented row the answer matched.
    fn rejection(&self) -> Option<&Rejection>;
}

impl RejectionOf for Error {
    fn rejection(&self) -> Option<&Rejection> {
        self.api_error().and_then(|e| e.detail.as_ref())
    }
}

/// A Send API answer in the 2xx range: the request was accepted.
///
/// The docs promise `200` with the body `ok`; every official client (JS `post-message.js`,
/// Python `post_message.py`, C# `DimeloClient.cs`) takes any 2xx as success and never reads
/// the body, so this does too, and keeps the body for whoever wants to look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// HTTP status (200–299).
    pub status: u16,
    /// The body as received.
    pub body: bytes::Bytes,
}

impl Accepted {
    /// Whether the answer is the documented `200` + `ok` (plain or as a JSON string).
    pub fn is_documented_ok(&self) -> bool {
        self.status == 200
            && error_text(&String::from_utf8_lossy(&self.body))
                .trim()
                .eq_ignore_ascii_case("ok")
    }
}

/// The documented row a refusal matches (status and text, plain or in JSON).
pub fn rejection_of(status: u16, body: &[u8]) -> Option<Rejection> {
    Rejection::match_row(status, &error_text(&String::from_utf8_lossy(body)))
}

/// Interprets an answer: any 2xx is [`Accepted`] (see there), anything else the error its
/// status class says, carrying the documented row it matches. What the client does with an
/// answer, without HTTP, for harnesses (feature `testing`).
#[cfg(any(test, feature = "testing"))]
pub fn interpret_response(status: u16, body: &[u8]) -> Result<Accepted, Error> {
    if (200..300).contains(&status) {
        return Ok(Accepted {
            status,
            body: bytes::Bytes::copy_from_slice(body),
        });
    }
    Err(Error::from_api(ApiError {
        status,
        retry_after: None,
        body: String::from_utf8_lossy(body).into_owned(),
        detail: rejection_of(status, body),
        attempts: 1,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_is_success_in_its_plain_and_json_forms() {
        for body in ["ok", "ok\n", " ok ", "\"ok\""] {
            assert!(
                interpret_response(200, body.as_bytes()).unwrap().is_documented_ok(),
                "{body:?}"
            );
        }
    }

    /// As the official clients: any 2xx is success, whatever the body; the body is kept.
    #[test]
    fn any_2xx_is_accepted_with_its_body() {
        for (status, body) in [(200, "{}"), (201, ""), (202, "queued"), (204, ""), (299, "ok")] {
            let accepted = interpret_response(status, body.as_bytes()).unwrap();
            assert_eq!((accepted.status, &accepted.body[..]), (status, body.as_bytes()));
            assert!(!accepted.is_documented_ok());
        }
        for status in [199, 300, 304] {
            let e = interpret_response(status, b"ok").unwrap_err();
            assert!(matches!(&e, Error::Server(api) if api.detail.is_none()), "{status}");
        }
    }

    #[test]
    fn rows_match_plain_and_json_bodies() {
        for body in [
            "Invalid signature".to_owned(),
            "invalid signature.\n".to_owned(),
            r#"{"error":"Invalid signature"}"#.to_owned(),
            r#"{"error":{"message":"Invalid signature"}}"#.to_owned(),
            r#"{"message":"Invalid signature"}"#.to_owned(),
        ] {
            let e = interpret_response(422, body.as_bytes()).unwrap_err();
            assert_eq!(e.rejection(), Some(&Rejection::InvalidSignature), "{body}");
            assert_eq!(e.delivery(), Delivery::Rejected);
        }
    }

    #[test]
    fn status_must_match_the_row() {
        let e = interpret_response(500, b"Invalid signature").unwrap_err();
        assert!(matches!(&e, Error::Server(api) if api.status == 500 && api.detail.is_none()));
        assert_eq!(e.delivery(), Delivery::MaybeDelivered);
    }

    #[test]
    fn attribute_rows_keep_the_attribute() {
        for text in [
            r#"structured_content: "title" must not be empty"#,
            r#"`structured_content`: "title" must not be empty"#,
            r#"{"error":"structured_content: \"title\" must not be empty"}"#,
        ] {
            let e = interpret_response(422, text.as_bytes()).unwrap_err();
            assert_eq!(
                e.rejection(),
                Some(&Rejection::StructuredContentAttributeEmpty {
                    attribute: "title".into()
                }),
                "{text}"
            );
        }
        assert_eq!(Rejection::match_row(422, "structured_content: must not be empty"), None);
    }

    #[test]
    fn every_fixed_row_reports_its_status() {
        for (status, text, rejection) in FIXED_ROWS {
            assert_eq!(rejection.status(), status);
            assert_eq!(Rejection::match_row(status, text), Some(rejection));
        }
    }

    #[test]
    fn unexpected_body_is_truncated_in_display_but_kept_whole() {
        let long = "x".repeat(1000);
        let e = interpret_response(502, long.as_bytes()).unwrap_err();
        assert!(e.to_string().len() < 400);
        assert!(matches!(e, Error::Server(api) if api.body.len() == 1000));
    }
}
