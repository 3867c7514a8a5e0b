//! [`ApiRequest`]: the description of one call — the core engine's
//! [`Request`](deskwire_core::engine::Request) — built by the functions of [`crate::api`] and
//! [`crate::public`] and sent by a client. Build one yourself to call an endpoint this crate does
//! not model ([`ChatlakeClient::send_raw`](crate::ChatlakeClient::send_raw)).

pub use deskwire_core::engine::{Body, FormPart, RawAnswer, Request};

/// A call whose answer is read raw; the client methods decode it.
pub type ApiRequest = Request<RawAnswer>;

/// The mark of a Client API contact call guarded by the server's identity check, whose failure
/// it answers with a bare 500.
pub(crate) const IDENTITY_CHECKED: &str = "identity-checked";

/// One multipart file part.
pub(crate) fn file_part(name: &str, upload: &crate::wire::Upload) -> FormPart {
    FormPart::File {
        name: name.to_owned(),
        file_name: upload.file_name.clone(),
        content_type: upload.mime_type.clone(),
        bytes: upload.bytes.clone(),
    }
}
