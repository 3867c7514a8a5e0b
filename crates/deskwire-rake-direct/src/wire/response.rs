//! Rake Direct's answer. Its shape is undocumented ("you will receive a sessionId in
//! response"), so the session id is looked for in the plausible places and the raw body is kept.

use serde_json::Value;

use super::SessionId;

/// Where a session id is looked for, in order (JSON pointers; `""` is the whole body, for an
/// answer that is a bare number). Inferred, not documented: change them with
/// `RakeDirectClientBuilder::session_id_pointers`.
pub const DEFAULT_SESSION_ID_POINTERS: &[&str] = &["/sessionId", "/data/sessionId", "/session/id", ""];

/// The session id in `body`, at the first pointer that holds a number or numeric string.
///
/// ```
/// use deskwire_rake_direct::wire::{find_session_id, SessionId, DEFAULT_SESSION_ID_POINTERS};
/// for body in [r#"{"sessionId":13731}"#, r#"{"data":{"sessionId":"13731"}}"#, "13731"] {
///     assert_eq!(find_session_id(body.as_bytes(), DEFAULT_SESSION_ID_POINTERS), Some(SessionId(13731)));
/// }
/// assert_eq!(find_session_id(b"ok", DEFAULT_SESSION_ID_POINTERS), None);
/// ```
pub fn find_session_id<P: AsRef<str>>(body: &[u8], pointers: &[P]) -> Option<SessionId> {
    let value: Value = serde_json::from_slice(body).ok()?;
    pointers
        .iter()
        .filter_map(|p| value.pointer(p.as_ref()))
        .find_map(SessionId::from_json)
}

/// A 2xx answer from Rake Direct.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RakeResponse {
    /// HTTP status.
    pub status: u16,
    /// The body as received (lossy UTF-8), with the workspace secret masked should Rake echo it.
    pub body: String,
    /// The session id, when one was found.
    pub session_id: Option<SessionId>,
}

impl RakeResponse {
    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}
