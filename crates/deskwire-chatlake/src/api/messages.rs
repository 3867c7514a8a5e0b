//! Messages: create (JSON, or multipart with attachments), list by id cursor, status updates
//! (API inboxes), delete.

use http::Method;

use crate::error::Error;
use crate::request::{file_part, ApiRequest, FormPart};
use crate::validate;
use crate::wire::{Message, MessagePage, MessageQuery, NewMessage, StatusUpdate};
use crate::ChatlakeClient;

fn path(conversation_id: u64, tail: &[String]) -> Vec<String> {
    let mut p = vec![
        "conversations".to_owned(),
        conversation_id.to_string(),
        "messages".to_owned(),
    ];
    p.extend(tail.iter().cloned());
    p
}

/// `POST /conversations/{id}/messages`. Checked first (content length, attachments, interactive
/// content); with attachments the body is multipart, `content_attributes` a JSON string field
/// (which the server parses).
pub fn create(conversation_id: u64, message: &NewMessage) -> Result<ApiRequest, Error> {
    validate::message(message)?;
    let request = ApiRequest::new("messages.create", Method::POST, &path(conversation_id, &[]));
    if message.attachments.is_empty() {
        return Ok(request.json(message)?);
    }
    Ok(request.multipart(multipart(message)?))
}

/// The multipart parts of a message with attachments.
pub fn multipart(message: &NewMessage) -> Result<Vec<FormPart>, Error> {
    let fields = serde_json::to_value(message).map_err(|e| deskwire_core::EncodeError(e.to_string()))?;
    let mut parts = Vec::new();
    for (name, value) in fields.as_object().into_iter().flatten() {
        let value = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        parts.push(FormPart::Text {
            name: name.clone(),
            value,
        });
    }
    parts.extend(
        message
            .attachments
            .iter()
            .map(|upload| file_part("attachments[]", upload)),
    );
    Ok(parts)
}

/// `GET /conversations/{id}/messages?before=&after=`.
pub fn list(conversation_id: u64, query: MessageQuery) -> ApiRequest {
    let pairs = [("before", query.before), ("after", query.after)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_string())));
    ApiRequest::new("messages.list", Method::GET, &path(conversation_id, &[])).query(pairs)
}

/// `PATCH /conversations/{cid}/messages/{id}` (API inboxes only; other inboxes answer 403).
pub fn update_status(conversation_id: u64, message_id: u64, update: &StatusUpdate) -> Result<ApiRequest, Error> {
    validate::status_update(update)?;
    Ok(ApiRequest::new(
        "messages.update",
        Method::PATCH,
        &path(conversation_id, &[message_id.to_string()]),
    )
    .json(update)?
    .idempotent())
}

/// `DELETE /conversations/{cid}/messages/{id}` (a soft delete).
pub fn delete(conversation_id: u64, message_id: u64) -> ApiRequest {
    ApiRequest::new(
        "messages.delete",
        Method::DELETE,
        &path(conversation_id, &[message_id.to_string()]),
    )
    .idempotent()
}

impl ChatlakeClient {
    /// Creates a message. `incoming` messages (from the contact) work only on API inboxes.
    /// Refused before sending when the content is too long, there are more than 15
    /// attachments, or interactive content breaks the server's rules.
    pub async fn create_message(&self, conversation_id: u64, message: &NewMessage) -> Result<Message, Error> {
        self.conn.call(&create(conversation_id, message)?).await
    }

    /// Lists messages, oldest first (see [`MessageQuery`] for the paging rules).
    pub async fn list_messages(&self, conversation_id: u64, query: MessageQuery) -> Result<MessagePage, Error> {
        self.conn.call(&list(conversation_id, query)).await
    }

    /// Reports the delivery status of a message your channel carried.
    pub async fn update_message_status(
        &self,
        conversation_id: u64,
        message_id: u64,
        update: &StatusUpdate,
    ) -> Result<Message, Error> {
        self.conn
            .call(&update_status(conversation_id, message_id, update)?)
            .await
    }

    /// Deletes a message (its content becomes "This message was deleted").
    pub async fn delete_message(&self, conversation_id: u64, message_id: u64) -> Result<Message, Error> {
        self.conn.call(&delete(conversation_id, message_id)).await
    }
}
