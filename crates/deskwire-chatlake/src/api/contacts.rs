//! Contacts: create (with a session on an inbox), get, update, list, search, and contact
//! inboxes (sessions).

use http::Method;
use serde_json::json;

use crate::error::Error;
use crate::request::ApiRequest;
use crate::validate;
use crate::wire::{Contact, ContactCreated, ContactInbox, ContactPage, ContactUpdate, NewContact, Payload};
use crate::ChatlakeClient;

/// `POST /contacts`.
pub fn create(contact: &NewContact) -> Result<ApiRequest, Error> {
    validate::new_contact(contact)?;
    Ok(ApiRequest::new("contacts.create", Method::POST, &["contacts"]).json(contact)?)
}

/// `GET /contacts/{id}`.
pub fn get(contact_id: u64) -> ApiRequest {
    ApiRequest::new(
        "contacts.get",
        Method::GET,
        &["contacts".to_owned(), contact_id.to_string()],
    )
}

/// `PUT /contacts/{id}`.
pub fn update(contact_id: u64, update: &ContactUpdate) -> Result<ApiRequest, Error> {
    validate::contact_update(update)?;
    Ok(ApiRequest::new(
        "contacts.update",
        Method::PUT,
        &["contacts".to_owned(), contact_id.to_string()],
    )
    .json(update)?
    .idempotent())
}

/// `GET /contacts?page=` (15 per page).
pub fn list(page: Option<u32>) -> ApiRequest {
    ApiRequest::new("contacts.list", Method::GET, &["contacts"]).query(page.map(|p| ("page".to_owned(), p.to_string())))
}

/// `GET /contacts/search?q=&page=`: matches name, email, phone number and identifier.
pub fn search(q: &str, page: Option<u32>) -> Result<ApiRequest, Error> {
    if q.trim().is_empty() {
        return Err(deskwire_core::ValidationError::new("q", deskwire_core::ValidationProblem::Empty).into());
    }
    Ok(ApiRequest::new("contacts.search", Method::GET, &["contacts", "search"])
        .query([("q".to_owned(), q.to_owned())])
        .query(page.map(|p| ("page".to_owned(), p.to_string()))))
}

/// `POST /contacts/{id}/contact_inboxes`: a session on another inbox (`source_id` generated
/// when `None`).
pub fn create_contact_inbox(contact_id: u64, inbox_id: u64, source_id: Option<&str>) -> Result<ApiRequest, Error> {
    let mut body = json!({ "inbox_id": inbox_id });
    if let Some(s) = source_id {
        body["source_id"] = s.into();
    }
    Ok(ApiRequest::new(
        "contacts.contact_inboxes.create",
        Method::POST,
        &[
            "contacts".to_owned(),
            contact_id.to_string(),
            "contact_inboxes".to_owned(),
        ],
    )
    .json(&body)?)
}

impl ChatlakeClient {
    /// Creates a contact; with `inbox_id`, also its session there
    /// ([`ContactCreated::source_id`]). Reads the real wrapped answer and the API-channel guide's flat one.
    pub async fn create_contact(&self, contact: &NewContact) -> Result<ContactCreated, Error> {
        self.conn.call(&create(contact)?).await
    }

    /// Gets a contact.
    pub async fn get_contact(&self, contact_id: u64) -> Result<Contact, Error> {
        let Payload { payload } = self.conn.call(&get(contact_id)).await?;
        Ok(payload)
    }

    /// Updates a contact (attributes are merged by the server).
    pub async fn update_contact(&self, contact_id: u64, changes: &ContactUpdate) -> Result<Contact, Error> {
        let Payload { payload } = self.conn.call(&update(contact_id, changes)?).await?;
        Ok(payload)
    }

    /// Lists contacts, 15 per page.
    pub async fn list_contacts(&self, page: Option<u32>) -> Result<ContactPage, Error> {
        self.conn.call(&list(page)).await
    }

    /// Searches contacts.
    pub async fn search_contacts(&self, q: &str, page: Option<u32>) -> Result<ContactPage, Error> {
        self.conn.call(&search(q, page)?).await
    }

    /// Opens a session for a contact on another inbox.
    pub async fn create_contact_inbox(
        &self,
        contact_id: u64,
        inbox_id: u64,
        source_id: Option<&str>,
    ) -> Result<ContactInbox, Error> {
        self.conn
            .call(&create_contact_inbox(contact_id, inbox_id, source_id)?)
            .await
    }
}
