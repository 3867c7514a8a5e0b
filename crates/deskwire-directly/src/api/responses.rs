//! Responses: accept, rate, confirm an automated response, mark as read. Each answers the
//! response in `data`.

use http::Method;
use serde_json::json;

use crate::api::non_empty;
use crate::wire::{Rating, Response, UserEmail, Uuid, Verdict};
use crate::{ApiRequest, DirectlyClient, Error};

/// `POST /responses/{uuid}/accept`.
pub fn accept(uuid: &Uuid, user: &UserEmail) -> Result<ApiRequest, Error> {
    Ok(ApiRequest::new(
        "responses.accept",
        Method::POST,
        &["responses", uuid.as_str(), "accept"],
    )
    .json(&json!({"uuid": uuid, "userEmail": user}))?
    .idempotent())
}

/// `POST /responses/{uuid}/rate`.
pub fn rate(uuid: &Uuid, user: &UserEmail, rating: &Rating) -> Result<ApiRequest, Error> {
    non_empty("rating", &rating.rating)?;
    non_empty("companyTag", &rating.company_tag)?;
    let mut body = serde_json::to_value(rating).map_err(|e| deskwire_core::EncodeError(e.to_string()))?;
    body["uuid"] = json!(uuid);
    body["userEmail"] = json!(user);
    Ok(
        ApiRequest::new("responses.rate", Method::POST, &["responses", uuid.as_str(), "rate"])
            .json(&body)?
            .idempotent(),
    )
}

/// `POST /responses/{uuid}/confirmAutoResponse`, with your id of the answer when you keep one
/// (Directly's own client sends `externalId`: directly-api 1.1.2 `MessagingApi.confirmAutoResponse`).
pub fn confirm_auto_response(
    uuid: &Uuid,
    user: &UserEmail,
    verdict: Verdict,
    external_id: Option<&str>,
) -> Result<ApiRequest, Error> {
    let mut body = json!({"uuid": uuid, "userEmail": user, "quickReply": verdict});
    if let Some(id) = external_id {
        body["externalId"] = json!(id);
    }
    Ok(ApiRequest::new(
        "responses.confirm_auto_response",
        Method::POST,
        &["responses", uuid.as_str(), "confirmAutoResponse"],
    )
    .json(&body)?
    .idempotent())
}

/// `POST /responses/{uuid}/markAsRead`.
pub fn mark_read(uuid: &Uuid, user: &UserEmail) -> Result<ApiRequest, Error> {
    Ok(ApiRequest::new(
        "responses.mark_read",
        Method::POST,
        &["responses", uuid.as_str(), "markAsRead"],
    )
    .json(&json!({"uuid": uuid, "userEmail": user}))?
    .idempotent())
}

impl DirectlyClient {
    /// Accepts a response for its user.
    pub async fn accept_response(&self, uuid: &Uuid, user: &UserEmail) -> Result<Response, Error> {
        self.conn.data(&accept(uuid, user)?).await
    }

    /// Rates a response (one of the question's `ratingSystem.values`).
    pub async fn rate_response(&self, uuid: &Uuid, user: &UserEmail, rating: &Rating) -> Result<Response, Error> {
        self.conn.data(&rate(uuid, user, rating)?).await
    }

    /// Accepts or rejects an automated response (`external_id`: your id of the answer).
    pub async fn confirm_auto_response(
        &self,
        uuid: &Uuid,
        user: &UserEmail,
        verdict: Verdict,
        external_id: Option<&str>,
    ) -> Result<Response, Error> {
        self.conn
            .data(&confirm_auto_response(uuid, user, verdict, external_id)?)
            .await
    }

    /// Marks a response read by its user.
    pub async fn mark_response_read(&self, uuid: &Uuid, user: &UserEmail) -> Result<Response, Error> {
        self.conn.data(&mark_read(uuid, user)?).await
    }
}
