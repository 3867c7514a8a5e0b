//! Inboxes: create an API inbox (with the `webhook_url` that receives its events) and get one.

use http::Method;

use crate::error::Error;
use crate::request::ApiRequest;
use crate::validate;
use crate::wire::{Inbox, NewApiInbox};
use crate::ChatlakeClient;

/// `POST /inboxes` with `channel.type = "api"`.
pub fn create_api_inbox(inbox: &NewApiInbox) -> Result<ApiRequest, Error> {
    validate::new_api_inbox(inbox)?;
    Ok(ApiRequest::new("inboxes.create", Method::POST, &["inboxes"]).json(&inbox.to_json())?)
}

/// `GET /inboxes/{id}`.
pub fn get(inbox_id: u64) -> ApiRequest {
    ApiRequest::new(
        "inboxes.get",
        Method::GET,
        &["inboxes".to_owned(), inbox_id.to_string()],
    )
}

impl ChatlakeClient {
    /// Creates an API inbox. Its answer holds `inbox_identifier` (for the Client API) and, for
    /// administrators, `hmac_token`, both kept out of `Debug`.
    pub async fn create_api_inbox(&self, inbox: &NewApiInbox) -> Result<Inbox, Error> {
        self.conn.call(&create_api_inbox(inbox)?).await
    }

    /// Gets an inbox.
    pub async fn get_inbox(&self, inbox_id: u64) -> Result<Inbox, Error> {
        self.conn.call(&get(inbox_id)).await
    }
}
