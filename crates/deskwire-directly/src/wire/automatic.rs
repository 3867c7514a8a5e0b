//! Automatic answers: `POST /automaticAnswers` classifies a text and may return a ready answer.

use deskwire_core::json::Extra;
use serde::{Deserialize, Serialize};

use super::{User, Uuid};

/// `data` of `POST /automaticAnswers`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AutomaticAnswer {
    /// The class the text was put in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicted_class: Option<String>,
    /// How sure the prediction is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// The answer, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<AnswerContent>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of an [`AutomaticAnswer`]; its `uuid` is what feedback is given on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnswerContent {
    /// Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<Uuid>,
    /// Text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<User>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}
