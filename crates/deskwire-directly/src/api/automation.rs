//! Automation: automatic answers and feedback on them, classifications, predictive routing,
//! and the health check. The classification and predictive-routing requests and answers are
//! not documented beyond their purpose: the query/body used here is inferred and the answers
//! are returned as JSON.

use http::Method;
use serde_json::{json, Value};

use crate::api::non_empty;
use crate::wire::{AutomaticAnswer, Response, TextQuery, UserEmail, Uuid, Verdict};
use crate::{ApiRequest, DirectlyClient, Error};

/// The answer of `GET {base}/health/status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// HTTP status (any 2xx).
    pub status: u16,
    /// The body as received.
    pub body: String,
}

/// `POST /automaticAnswers`.
pub fn automatic_answer(query: &TextQuery) -> Result<ApiRequest, Error> {
    non_empty("text", &query.text)?;
    // Classifying changes nothing: safe to repeat.
    Ok(
        ApiRequest::new("automatic_answers.create", Method::POST, &["automaticAnswers"])
            .json(query)?
            .idempotent(),
    )
}

/// `POST /automaticAnswers/{uuid}/feedback`.
pub fn automatic_answer_feedback(uuid: &Uuid, verdict: Verdict, user: Option<&UserEmail>) -> Result<ApiRequest, Error> {
    let mut body = json!({"automaticAnswerUuid": uuid, "quickReply": verdict});
    if let Some(user) = user {
        body["userEmail"] = json!(user);
    }
    Ok(ApiRequest::new(
        "automatic_answers.feedback",
        Method::POST,
        &["automaticAnswers", uuid.as_str(), "feedback"],
    )
    .json(&body)?
    .idempotent())
}

/// `GET /classifications?text=…` (the query key is inferred).
pub fn classify(text: &str) -> Result<ApiRequest, Error> {
    non_empty("text", text)?;
    Ok(
        ApiRequest::new("classifications.get", Method::GET, &["classifications"])
            .query([("text".to_owned(), text.to_owned())]),
    )
}

/// `POST /predictiveRouting` (the body, like automatic answers', is inferred).
pub fn predictive_routing(query: &TextQuery) -> Result<ApiRequest, Error> {
    non_empty("text", &query.text)?;
    Ok(
        ApiRequest::new("predictive_routing.create", Method::POST, &["predictiveRouting"])
            .json(query)?
            .idempotent(),
    )
}

/// `GET {base}/health/status`, without a token.
pub fn health() -> ApiRequest {
    ApiRequest::new("health", Method::GET, &["health", "status"])
        .public()
        .at_root()
}

impl DirectlyClient {
    /// Classifies a text and returns a ready answer when there is one.
    pub async fn automatic_answer(&self, query: &TextQuery) -> Result<AutomaticAnswer, Error> {
        self.conn.data(&automatic_answer(query)?).await
    }

    /// The user's verdict on an automatic answer (`content.uuid`).
    pub async fn automatic_answer_feedback(
        &self,
        uuid: &Uuid,
        verdict: Verdict,
        user: Option<&UserEmail>,
    ) -> Result<Response, Error> {
        self.conn.data(&automatic_answer_feedback(uuid, verdict, user)?).await
    }

    /// The predicted class of a text, as JSON.
    pub async fn classify(&self, text: &str) -> Result<Value, Error> {
        self.conn.data(&classify(text)?).await
    }

    /// A routing prediction for a text without opening a question, as JSON.
    pub async fn predictive_routing(&self, query: &TextQuery) -> Result<Value, Error> {
        self.conn.data(&predictive_routing(query)?).await
    }

    /// Whether the API is up. Needs no token.
    pub async fn health(&self) -> Result<Health, Error> {
        let answer = self.conn.send(&health()).await?;
        Ok(Health {
            status: answer.status,
            body: String::from_utf8_lossy(&answer.body).into_owned(),
        })
    }
}
