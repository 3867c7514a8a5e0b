//! [`User`]: the author of a question, response or message — the end user, an expert, a bot,
//! or "System". The guide's authors carry only `name`, so every field is optional.

use deskwire_core::json::Extra;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Timestamp, UserType, Uuid};

/// A user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<Uuid>,
    /// A person or a bot.
    #[serde(rename = "type")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<UserType>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Whether this user asked the question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_original_poster: Option<bool>,
    /// Whether this user is an expert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_expert: Option<bool>,
    /// An expert's track record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reputation: Option<Reputation>,
    /// Experts: last activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_active_date: Option<Timestamp>,
    /// Experts: an official expert of the company.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_official: Option<bool>,
    /// Experts: certified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_certified: Option<bool>,
    /// Experts: elite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_elite: Option<bool>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An expert's reputation. Directly's client types both numbers as strings; either form is kept.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Reputation {
    /// Answers given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_of_answers: Option<Value>,
    /// Helpfulness score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helpfulness_score: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl User {
    /// A user known only by name, as the guide's examples print them.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            ..Self::default()
        }
    }

    /// Whether this is the person who asked the question.
    pub fn is_poster(&self) -> bool {
        self.is_original_poster == Some(true)
    }

    /// Whether this is an expert or a bot answering for the company.
    pub fn answers_for_the_company(&self) -> bool {
        self.is_expert == Some(true) || self.kind == Some(UserType::Chatbot)
    }
}
