//! Chatlake on the core engine: the token header of the Application API (none for the Client
//! API), error bodies read in their three shapes, and a 500 from a Client API contact call
//! reported as the identity-check failure it almost always is (permanent, so core's
//! `Provider::decide` does not retry it).

use deskwire_core::engine::{Authorized, Connection, Head, Provider, RawAnswer};
use deskwire_core::{ApiError, Secret};
use http::{HeaderName, HeaderValue};

use crate::error::{Chatlake, ChatlakeFailure, Error, ErrorBody};
use crate::request::IDENTITY_CHECKED;

/// The Chatwoot server, as one of its two APIs sees it.
#[derive(Debug, Clone)]
pub(crate) struct Chatwoot {
    /// The access-token header (value marked sensitive); none for the Client API.
    pub(crate) token: Option<(HeaderName, HeaderValue)>,
    /// `application` or `public`, for traces.
    pub(crate) api: &'static str,
}

/// The connection both clients run on.
pub(crate) type ChatlakeConnection = Connection<Chatwoot>;

impl Provider for Chatwoot {
    type Kind = Chatlake;
    type Credential = ();

    fn name(&self) -> &'static str {
        match self.api {
            "public" => "chatlake-public",
            _ => "chatlake",
        }
    }

    async fn authorize(&self, _: &Head) -> Result<Authorized<()>, Error> {
        Ok(match &self.token {
            Some((name, value)) => Authorized::header(name.clone(), value.clone()),
            None => Authorized::none(),
        })
    }

    fn detail(&self, _: &Head, answer: &RawAnswer) -> ErrorBody {
        ErrorBody::parse(&answer.text())
    }

    fn classify(&self, head: &Head, answer: RawAnswer, attempts: u32) -> Error {
        let detail = self.detail(head, &answer);
        let error = ApiError::from_answer(&answer, detail, attempts);
        if answer.status == 500 && head.has_mark(IDENTITY_CHECKED) {
            return Error::Provider(ChatlakeFailure::IdentityCheckFailed(error));
        }
        Error::from_api(error)
    }
}

/// The token header with its value marked sensitive.
pub(crate) fn token_header(name: &'static str, token: &Secret) -> Result<(HeaderName, HeaderValue), Error> {
    let mut value = HeaderValue::from_str(token.expose())
        .map_err(|_| Error::InvalidConfig("the access token has characters a header cannot carry".into()))?;
    value.set_sensitive(true);
    Ok((HeaderName::from_static(name), value))
}
