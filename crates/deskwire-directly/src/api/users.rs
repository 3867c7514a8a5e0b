//! Users: `POST /users/forget` deletes a user's data.

use http::Method;
use serde_json::json;

use crate::wire::{Ack, UserEmail};
use crate::{ApiRequest, DirectlyClient, Error};

/// `POST /users/forget`.
pub fn forget(user: &UserEmail) -> Result<ApiRequest, Error> {
    Ok(ApiRequest::new("users.forget", Method::POST, &["users", "forget"])
        .json(&json!({"userEmail": user}))?
        .idempotent())
}

impl DirectlyClient {
    /// Deletes everything Directly holds about the user (a right-to-be-forgotten request).
    pub async fn forget_user(&self, user: &UserEmail) -> Result<Ack, Error> {
        self.conn.ack(&forget(user)?).await
    }
}
