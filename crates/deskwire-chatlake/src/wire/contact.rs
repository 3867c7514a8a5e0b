//! Contacts and contact inboxes (a contact's session on one inbox, named by its `source_id`).
//!
//! Creating a contact answers `{payload:{contact, contact_inbox}}` on real servers; the
//! [API-channel guide](https://www.chatwoot.com/docs/product/channels/api/send-messages) (and the swagger) show a flat contact. [`ContactCreated`] reads both.

use deskwire_core::json::Extra;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::inbox::Inbox;
use super::time::Timestamp;

/// A contact as the Application API returns it. Fields Chatlake adds later land in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Contact {
    /// Global contact id.
    pub id: u64,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email (unique per account, case-insensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number in E.164 (unique per account).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Your external id for the contact (unique per account).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Avatar thumbnail URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    /// `online` / `offline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_status: Option<String>,
    /// Whether the contact is blocked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Free-form attributes set by channels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_attributes: Option<Map<String, Value>>,
    /// Your custom attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// Last activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_activity_at: Option<Timestamp>,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// The contact's sessions, one per inbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_inboxes: Option<Vec<ContactInbox>>,
    /// Everything else the server sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A contact's session on an inbox. `source_id` is what conversations are created with (and,
/// on the Client API, the `contact_identifier`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContactInbox {
    /// The session identifier (a UUID unless you chose one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The inbox: slim inside `contact.contact_inboxes`, the whole record in a create answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox: Option<Inbox>,
    /// Everything else the server sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Which shape a create-contact answer had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerShape {
    /// `{payload:{contact, contact_inbox}}`, what servers send.
    Wrapped,
    /// A bare contact, as the API-channel guide and the swagger print it.
    Flat,
}

/// The answer to creating a contact, whichever shape it came in.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ContactCreated {
    /// The contact.
    pub contact: Contact,
    /// The session created on the inbox given as `inbox_id` (wrapped answers only; both fields
    /// are `null` when no inbox was given).
    pub contact_inbox: Option<ContactInbox>,
    /// The shape the answer came in.
    pub shape: AnswerShape,
}

impl ContactCreated {
    /// Reads a create-contact answer in either shape.
    pub fn from_json(value: Value) -> Result<Self, serde_json::Error> {
        let wrapped = value
            .get("payload")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key("contact"));
        if !wrapped {
            return Ok(Self {
                contact: serde_json::from_value(value)?,
                contact_inbox: None,
                shape: AnswerShape::Flat,
            });
        }
        #[derive(Deserialize)]
        struct Payload {
            contact: Contact,
            contact_inbox: Option<ContactInbox>,
        }
        #[derive(Deserialize)]
        struct Wrapped {
            payload: Payload,
        }
        let Wrapped { payload } = serde_json::from_value(value)?;
        Ok(Self {
            contact: payload.contact,
            contact_inbox: payload.contact_inbox,
            shape: AnswerShape::Wrapped,
        })
    }

    /// The session to create conversations with: the created contact inbox's `source_id`,
    /// else the first of `contact.contact_inboxes` on `inbox_id` (any inbox when `None`).
    pub fn source_id(&self, inbox_id: Option<u64>) -> Option<&str> {
        if let Some(id) = self.contact_inbox.as_ref().and_then(|ci| ci.source_id.as_deref()) {
            return Some(id);
        }
        self.contact
            .contact_inboxes
            .iter()
            .flatten()
            .filter(|ci| inbox_id.is_none() || ci.inbox.as_ref().and_then(|i| i.id) == inbox_id)
            .find_map(|ci| ci.source_id.as_deref())
    }
}

impl<'de> Deserialize<'de> for ContactCreated {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_json(Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// `POST /contacts`. Set `inbox_id` to open a session on that inbox at once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NewContact {
    /// The inbox to create a session on (the API-channel guide's flow: your API inbox).
    #[serde(default, deserialize_with = "super::ids::opt_u64")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox_id: Option<u64>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number, E.164 (`+` and up to 15 digits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Avatar image URL (downloaded by the server later). Uploading a file is not supported here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Your external id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Blocked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Free-form attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_attributes: Option<Map<String, Value>>,
    /// Custom attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// Session id to use instead of a generated UUID (with `inbox_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
}

impl NewContact {
    /// A contact with a session on `inbox_id`.
    pub fn in_inbox(inbox_id: u64) -> Self {
        Self {
            inbox_id: Some(inbox_id),
            ..Self::default()
        }
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the phone number (E.164).
    pub fn phone_number(mut self, phone: impl Into<String>) -> Self {
        self.phone_number = Some(phone.into());
        self
    }

    /// Sets your external id.
    pub fn identifier(mut self, identifier: impl Into<String>) -> Self {
        self.identifier = Some(identifier.into());
        self
    }
}

/// `PUT /contacts/{id}`. The server **merges** `custom_attributes` and `additional_attributes`
/// into the existing ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContactUpdate {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number, E.164 (the server accepts any text ending in one); `""` clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Avatar image URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Your external id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Blocked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Free-form attributes (merged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_attributes: Option<Map<String, Value>>,
    /// Custom attributes (merged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
}

/// Paging information of contact lists (15 per page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PageMeta {
    /// Number of contacts matching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// This page (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_page: Option<Value>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One page of contacts (`GET /contacts`, `/contacts/search`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContactPage {
    /// Paging.
    pub meta: PageMeta,
    /// The contacts.
    pub payload: Vec<Contact>,
}

/// `{payload: T}`, how show and update calls wrap their object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Payload<T> {
    /// The object.
    pub payload: T,
}
