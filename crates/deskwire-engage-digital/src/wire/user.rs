//! The User object: authors, PM recipients and `users.create` params.

use serde::{Deserialize, Serialize};

use super::{ContextData, DateTime};

deskwire_core::open_enum! {
    /// `gender` of a user.
    pub enum Gender {
        /// `"man"`.
        Man = "man",
        /// `"woman"`.
        Woman = "woman",
    }
    /// A value the docs do not list, kept as sent.
    Unknown
}

/// An identity in Engage Digital. The same `id` always means the same identity.
///
/// ```
/// use deskwire_engage_digital::wire::User;
/// let user = User::new("666", "John Doe", "06/11/2017").email("john@example.com");
/// assert_eq!(user.id, "666");
/// assert_eq!(user.email.as_deref(), Some("john@example.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
// Field order follows the docs' examples, so encoded bodies match them byte for byte.
pub struct User {
    /// Your id of the user (required).
    pub id: String,
    /// Creation date (required by the docs).
    pub created_at: DateTime,
    /// Display name (required).
    pub screenname: String,
    /// Last update. The docs mark it required but their own examples omit it, so it is optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firstname: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lastname: Option<String>,
    /// Avatar image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Confirmed email address (lets agents answer by email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Home phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_phone: Option<String>,
    /// Mobile phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    /// `true` lets Engage Digital post as this identity (agents, bots). Required for authors of
    /// structured content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub puppetizable: Option<bool>,
    /// `man` or `woman`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Data stored on the identity; keys match `[a-zA-Z-]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_data: Option<ContextData>,
}

impl User {
    /// A user with the three fields Engage Digital requires; the others are set with the
    /// methods below.
    pub fn new(id: impl Into<String>, screenname: impl Into<String>, created_at: impl Into<DateTime>) -> Self {
        Self {
            id: id.into(),
            created_at: created_at.into(),
            screenname: screenname.into(),
            updated_at: None,
            firstname: None,
            lastname: None,
            avatar_url: None,
            email: None,
            home_phone: None,
            mobile_phone: None,
            puppetizable: None,
            gender: None,
            context_data: None,
        }
    }

    /// Sets `updated_at`.
    pub fn updated_at(mut self, at: impl Into<DateTime>) -> Self {
        self.updated_at = Some(at.into());
        self
    }

    /// Sets `firstname`.
    pub fn firstname(mut self, name: impl Into<String>) -> Self {
        self.firstname = Some(name.into());
        self
    }

    /// Sets `lastname`.
    pub fn lastname(mut self, name: impl Into<String>) -> Self {
        self.lastname = Some(name.into());
        self
    }

    /// Sets `avatar_url`.
    pub fn avatar_url(mut self, url: impl Into<String>) -> Self {
        self.avatar_url = Some(url.into());
        self
    }

    /// Sets `email`.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets `home_phone`.
    pub fn home_phone(mut self, phone: impl Into<String>) -> Self {
        self.home_phone = Some(phone.into());
        self
    }

    /// Sets `mobile_phone`.
    pub fn mobile_phone(mut self, phone: impl Into<String>) -> Self {
        self.mobile_phone = Some(phone.into());
        self
    }

    /// Sets `puppetizable` (needed for authors of structured content).
    pub fn puppetizable(mut self, puppetizable: bool) -> Self {
        self.puppetizable = Some(puppetizable);
        self
    }

    /// Sets `gender`.
    pub fn gender(mut self, gender: Gender) -> Self {
        self.gender = Some(gender);
        self
    }

    /// Sets `context_data`.
    pub fn context_data(mut self, data: ContextData) -> Self {
        self.context_data = Some(data);
        self
    }
}
