//! The two parties of a request: `initiatingEntity` (who sends) and `secondaryEntity` (the
//! customer a new session is opened with).

use deskwire_core::json::Extra;
use serde::{Deserialize, Serialize};

use super::EntityId;

/// `initiatingEntity`: who the message is from. Leaving it out sends the message on behalf of
/// the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Sender {
    /// The sender's entity id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<EntityId>,
    /// The sender's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Fields the docs do not show, kept as given and sent back.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Sender {
    /// A sender known by entity id.
    pub fn entity(id: impl Into<EntityId>) -> Self {
        Self {
            entity_id: Some(id.into()),
            ..Self::default()
        }
    }

    /// A sender known by email.
    pub fn email(email: impl Into<String>) -> Self {
        Self {
            email: Some(email.into()),
            ..Self::default()
        }
    }

    /// Sets the email.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets first and last name.
    pub fn with_name(mut self, first_name: impl Into<String>, last_name: impl Into<String>) -> Self {
        self.first_name = Some(first_name.into());
        self.last_name = Some(last_name.into());
        self
    }
}

/// `secondaryEntity`: the customer a new session is opened with, known by exactly one of a
/// phone number (SMS), an entity id, or an email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Contact {
    /// `{"phoneNumber": "123456789012"}`: digits, as in the docs (no `+`).
    PhoneNumber(String),
    /// `{"entityId": ...}`: a known entity.
    EntityId(EntityId),
    /// `{"email": ...}`: a known system user.
    Email(String),
}

impl Contact {
    /// A phone number.
    pub fn phone(number: impl Into<String>) -> Self {
        Self::PhoneNumber(number.into())
    }

    /// A known entity.
    pub fn entity(id: impl Into<EntityId>) -> Self {
        Self::EntityId(id.into())
    }

    /// A known system user by email.
    pub fn email(email: impl Into<String>) -> Self {
        Self::Email(email.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contact_is_an_object_with_one_key() {
        assert_eq!(
            serde_json::to_value(Contact::phone("123456789012")).unwrap(),
            json!({"phoneNumber": "123456789012"})
        );
        let c: Contact = serde_json::from_value(json!({"entityId": "3764"})).unwrap();
        assert_eq!(c, Contact::entity("3764"));
        assert!(serde_json::from_value::<Contact>(json!({"phoneNumber": "1", "email": "a@b"})).is_err());
    }
}
