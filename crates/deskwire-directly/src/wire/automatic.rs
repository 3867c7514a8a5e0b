//! Automatic answers: `POST /automaticAnswers` classifies a text and may return a ready answer.

use deskwire_core::json::Extra;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::{User, Uuid};

/// `data` of `POST /automaticAnswers`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticAnswer {
    /// The class the text was put in.
    pub predicted_class: Option<String>,
    /// How sure the prediction is.
    pub confidence: Option<f64>,
    /// The answer, when there is one.
    pub content: Option<AnswerContent>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of an [`AutomaticAnswer`]; its `uuid` is what feedback is given on.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AnswerContent {
    /// Id.
    pub uuid: Option<Uuid>,
    /// Text.
    pub body: Option<String>,
    /// Author.
    pub author: Option<User>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}
