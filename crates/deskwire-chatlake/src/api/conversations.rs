//! Conversations: create, get, list with filters, status / priority / typing toggles,
//! assignment, labels and custom attributes.

use http::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::error::Error;
use crate::request::ApiRequest;
use crate::validate;
use crate::wire::{
    Assignment, Conversation, ConversationHead, ConversationHeads, ConversationPage, ConversationQuery,
    NewConversation, Priority, StatusToggled, ToggleStatus,
};
use crate::ChatlakeClient;

fn path(id: u64, tail: &[&str]) -> Vec<String> {
    let mut p = vec!["conversations".to_owned(), id.to_string()];
    p.extend(tail.iter().map(|s| (*s).to_owned()));
    p
}

/// `POST /conversations`.
pub fn create(conversation: &NewConversation) -> Result<ApiRequest, Error> {
    validate::new_conversation(conversation)?;
    Ok(ApiRequest::new("conversations.create", Method::POST, &["conversations"]).json(conversation)?)
}

/// `GET /conversations/{id}`.
pub fn get(id: u64) -> ApiRequest {
    ApiRequest::new("conversations.get", Method::GET, &path(id, &[]))
}

/// `GET /conversations` with filters.
pub fn list(query: &ConversationQuery) -> ApiRequest {
    ApiRequest::new("conversations.list", Method::GET, &["conversations"]).query(query.to_pairs())
}

/// `POST /conversations/{id}/toggle_status`. Setting a status is idempotent; toggling is not.
pub fn toggle_status(id: u64, toggle: &ToggleStatus) -> Result<ApiRequest, Error> {
    let request = ApiRequest::new(
        "conversations.toggle_status",
        Method::POST,
        &path(id, &["toggle_status"]),
    )
    .json(toggle)?;
    Ok(if toggle.status.is_some() {
        request.idempotent()
    } else {
        request
    })
}

/// `POST /conversations/{id}/toggle_priority` (`None` clears it).
pub fn toggle_priority(id: u64, priority: Option<&Priority>) -> Result<ApiRequest, Error> {
    Ok(ApiRequest::new(
        "conversations.toggle_priority",
        Method::POST,
        &path(id, &["toggle_priority"]),
    )
    .json(&json!({ "priority": priority }))?
    .idempotent())
}

/// `POST /conversations/{id}/toggle_typing_status` (`is_private`: typing a private note).
pub fn toggle_typing_status(id: u64, on: bool, is_private: Option<bool>) -> Result<ApiRequest, Error> {
    let mut body = json!({ "typing_status": if on { "on" } else { "off" } });
    if let Some(p) = is_private {
        body["is_private"] = p.into();
    }
    Ok(ApiRequest::new(
        "conversations.toggle_typing_status",
        Method::POST,
        &path(id, &["toggle_typing_status"]),
    )
    .json(&body)?
    .idempotent())
}

/// `POST /conversations/{id}/assignments`.
pub fn assign(id: u64, to: Assignment) -> Result<ApiRequest, Error> {
    let body = match to {
        Assignment::Agent(a) => json!({ "assignee_id": a }),
        Assignment::Team(t) => json!({ "team_id": t }),
    };
    Ok(ApiRequest::new(
        "conversations.assignments.create",
        Method::POST,
        &path(id, &["assignments"]),
    )
    .json(&body)?
    .idempotent())
}

/// `POST /conversations/{id}/labels`: replaces the labels.
pub fn set_labels<S: AsRef<str>>(id: u64, labels: &[S]) -> Result<ApiRequest, Error> {
    let labels: Vec<&str> = labels.iter().map(AsRef::as_ref).collect();
    Ok(
        ApiRequest::new("conversations.labels.create", Method::POST, &path(id, &["labels"]))
            .json(&json!({ "labels": labels }))?
            .idempotent(),
    )
}

/// `POST /conversations/{id}/custom_attributes`: **replaces** the whole map.
pub fn set_custom_attributes(id: u64, attributes: &Map<String, Value>) -> Result<ApiRequest, Error> {
    validate::attributes("custom_attributes", attributes)?;
    Ok(ApiRequest::new(
        "conversations.custom_attributes",
        Method::POST,
        &path(id, &["custom_attributes"]),
    )
    .json(&json!({ "custom_attributes": attributes }))?
    .idempotent())
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Toggled {
    payload: StatusToggled,
}

#[derive(Deserialize)]
struct Labels {
    payload: Vec<String>,
}

#[derive(Deserialize)]
struct CustomAttributes {
    custom_attributes: Map<String, Value>,
}

impl ChatlakeClient {
    /// Creates a conversation. Reads the full conversation servers answer and the API-channel guide's
    /// `{ "id": 0 }`. With `lock_to_single_conversation`, the server returns the contact's
    /// existing conversation.
    pub async fn create_conversation(&self, conversation: &NewConversation) -> Result<Conversation, Error> {
        self.conn.call(&create(conversation)?).await
    }

    /// Gets a conversation by display id.
    pub async fn get_conversation(&self, id: u64) -> Result<Conversation, Error> {
        self.conn.call(&get(id)).await
    }

    /// Lists conversations (25 per page).
    pub async fn list_conversations(&self, query: &ConversationQuery) -> Result<ConversationPage, Error> {
        let Data { data } = self.conn.call(&list(query)).await?;
        Ok(data)
    }

    /// `GET /conversations` read as [`ConversationHead`]s: the ids and last messages only, for
    /// polling over many conversations without holding their whole rendering.
    pub async fn list_conversation_heads(&self, query: &ConversationQuery) -> Result<Vec<ConversationHead>, Error> {
        let Data { data }: Data<ConversationHeads> = self.conn.call(&list(query)).await?;
        Ok(data.payload)
    }

    /// Sets or toggles the status.
    pub async fn toggle_status(&self, id: u64, toggle: &ToggleStatus) -> Result<StatusToggled, Error> {
        let Toggled { payload } = self.conn.call(&toggle_status(id, toggle)?).await?;
        Ok(payload)
    }

    /// Sets the priority (`None` clears it).
    pub async fn toggle_priority(&self, id: u64, priority: Option<&Priority>) -> Result<(), Error> {
        self.conn.call_unit(&toggle_priority(id, priority)?).await
    }

    /// Shows or hides "typing..." for the token's owner.
    pub async fn toggle_typing_status(&self, id: u64, on: bool, is_private: Option<bool>) -> Result<(), Error> {
        self.conn.call_unit(&toggle_typing_status(id, on, is_private)?).await
    }

    /// Assigns an agent or a team; returns the assignee as the server describes it.
    pub async fn assign(&self, id: u64, to: Assignment) -> Result<Value, Error> {
        self.conn.call(&assign(id, to)?).await
    }

    /// Replaces the labels; returns them.
    pub async fn set_labels<S: AsRef<str>>(&self, id: u64, labels: &[S]) -> Result<Vec<String>, Error> {
        let Labels { payload } = self.conn.call(&set_labels(id, labels)?).await?;
        Ok(payload)
    }

    /// Replaces the custom attributes; returns them.
    pub async fn set_custom_attributes(
        &self,
        id: u64,
        attributes: &Map<String, Value>,
    ) -> Result<Map<String, Value>, Error> {
        let CustomAttributes { custom_attributes } = self.conn.call(&set_custom_attributes(id, attributes)?).await?;
        Ok(custom_attributes)
    }
}
