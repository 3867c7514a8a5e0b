//! Messages: post on a response or on the question, edit, list, answer a mark-as-resolved prompt.

use http::Method;
use serde_json::json;

use crate::api::non_empty;
use crate::wire::{Ack, Message, NewMessage, ResolveVerdict, Search, UserEmail, Uuid};
use crate::{ApiRequest, DirectlyClient, Error};

/// `POST /messages`.
pub fn create(message: &NewMessage) -> Result<ApiRequest, Error> {
    non_empty("text", &message.text)?;
    Ok(ApiRequest::new("messages.create", Method::POST, &["messages"]).json(message)?)
}

/// `PUT /messages/{uuid}`.
pub fn update(uuid: &Uuid, user: &UserEmail, text: &str) -> Result<ApiRequest, Error> {
    non_empty("text", text)?;
    Ok(
        ApiRequest::new("messages.update", Method::PUT, &["messages", uuid.as_str()])
            .json(&json!({"uuid": uuid, "userEmail": user, "text": text}))?
            .idempotent(),
    )
}

/// `GET /messages` with the search's query. Unlike questions, messages are found by the bare
/// `externalId=<id>` (no system): so Directly's own client asks (directly-api 1.1.2
/// `MessagingApi.getMessage`); the search's external-id system is not sent.
pub fn search(search: &Search) -> ApiRequest {
    let pairs = search
        .pairs()
        .into_iter()
        .filter_map(|(key, value)| match key.as_str() {
            "externalId.id" => Some(("externalId".to_owned(), value)),
            "externalId.system" => None,
            _ => Some((key, value)),
        });
    ApiRequest::new("messages.search", Method::GET, &["messages"]).query(pairs)
}

/// `POST /messages/{uuid}/markAsResolved`: `uuid` is the `MARK_AS_RESOLVED_MESSAGE`'s
/// ([`Question::outstanding_resolve_prompt`](crate::wire::Question::outstanding_resolve_prompt)).
pub fn mark_as_resolved(uuid: &Uuid, user: &UserEmail, verdict: &ResolveVerdict) -> Result<ApiRequest, Error> {
    non_empty("companyTag", &verdict.company_tag)?;
    let mut body = serde_json::to_value(verdict).map_err(|e| deskwire_core::EncodeError(e.to_string()))?;
    body["uuid"] = json!(uuid);
    body["userEmail"] = json!(user);
    Ok(ApiRequest::new(
        "messages.mark_as_resolved",
        Method::POST,
        &["messages", uuid.as_str(), "markAsResolved"],
    )
    .json(&body)?)
}

impl DirectlyClient {
    /// Posts a message (201). On the question (before any response) the text is appended to the
    /// question and the answer may carry no message: `None`.
    pub async fn create_message(&self, message: &NewMessage) -> Result<Option<Message>, Error> {
        self.conn.optional(&create(message)?).await
    }

    /// Edits a message.
    pub async fn update_message(&self, uuid: &Uuid, user: &UserEmail, text: &str) -> Result<Ack, Error> {
        self.conn.ack(&update(uuid, user, text)?).await
    }

    /// Messages matching the search (read from `data.messages`, `data`, or a top-level
    /// `messages`).
    pub async fn search_messages(&self, query: &Search) -> Result<Vec<Message>, Error> {
        self.conn.list(&search(query), "messages").await
    }

    /// Approves or contests an expert's mark-as-resolved prompt.
    pub async fn mark_as_resolved(
        &self,
        uuid: &Uuid,
        user: &UserEmail,
        verdict: &ResolveVerdict,
    ) -> Result<Ack, Error> {
        self.conn.ack(&mark_as_resolved(uuid, user, verdict)?).await
    }
}
