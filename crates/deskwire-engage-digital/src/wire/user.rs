//! The User object: authors, PM recipients and `users.create` params.

use bon::Builder;
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
/// let user = User::builder().id("666").screenname("John Doe").created_at("06/11/2017").build();
/// assert_eq!(user.id, "666");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Builder)]
#[non_exhaustive]
// Field order follows the docs' examples, so encoded bodies match them byte for byte.
pub struct User {
    /// Your id of the user (required).
    #[builder(into)]
    pub id: String,
    /// Creation date (required by the docs).
    #[builder(into)]
    pub created_at: DateTime,
    /// Display name (required).
    #[builder(into)]
    pub screenname: String,
    /// Last update. The docs mark it required but their own examples omit it, so it is optional.
    #[builder(into)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime>,
    /// First name.
    #[builder(into)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firstname: Option<String>,
    /// Last name.
    #[builder(into)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lastname: Option<String>,
    /// Avatar image URL.
    #[builder(into)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Confirmed email address (lets agents answer by email).
    #[builder(into)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Home phone number.
    #[builder(into)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_phone: Option<String>,
    /// Mobile phone number.
    #[builder(into)]
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
