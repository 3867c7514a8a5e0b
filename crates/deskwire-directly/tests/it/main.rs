//! Integration tests of deskwire-directly against wiremock.

mod api;
mod auth;
mod connector;
mod errors;
mod flow;
mod properties;
mod secrets;
mod watcher;

use deskwire_core::retry::RetryPolicy;
use deskwire_core::Secret;
use deskwire_directly::{Credentials, DirectlyClient, UserEmail};
use wiremock::matchers::{body_string, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "client-id";
pub const CLIENT_SECRET: &str = "client-SECRET-value";
pub const QUESTION: &str = "123e4567-e89b-12d3-a456-426655440000";
/// The first response of [`question_json`].
pub const RESPONSE: &str = "9f1c2d3e-4b5a-4c6d-8e7f-000000000000";

pub fn user() -> UserEmail {
    UserEmail::new("ana@example.com").unwrap()
}

/// The form body the default settings send.
pub fn token_form() -> String {
    format!("grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}")
}

/// Answers the token endpoint with `token-1`, `token-2`, ... in turn.
pub async fn mount_tokens(server: &MockServer, tokens: &[&str], expires_in: Option<u64>) {
    for token in tokens {
        let mut body = serde_json::json!({"access_token": token, "token_type": "Bearer"});
        if let Some(s) = expires_in {
            body["expires_in"] = s.into();
        }
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(body_string(token_form()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .up_to_n_times(1)
            .mount(server)
            .await;
    }
}

pub fn client(server: &MockServer) -> DirectlyClient {
    DirectlyClient::builder(Credentials::client_credentials(CLIENT_ID, Secret::new(CLIENT_SECRET)))
        .base_url(server.uri())
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
}

pub fn static_client(server: &MockServer, token: &str) -> DirectlyClient {
    DirectlyClient::builder(Credentials::access_token(Secret::new(token)))
        .base_url(server.uri())
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
}

/// How many requests the server got on `p`.
pub async fn count(server: &MockServer, p: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == p)
        .count()
}

/// `{"meta": {...}, "data": data}`.
pub fn envelope(data: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"meta": {"correlationId": "corr-1"}, "data": data})
}

/// A realistic question, with `responses` responses of `messages` messages each.
pub fn question_json(responses: usize, last_updated: &str) -> serde_json::Value {
    let responses: Vec<serde_json::Value> = (0..responses)
        .map(|r| {
            serde_json::json!({
                "uuid": format!("9f1c2d3e-4b5a-4c6d-8e7f-{r:012}"),
                "type": "EXPERT",
                "dateCreated": "2020-01-01T10:00:00Z",
                "lastUpdated": last_updated,
                "author": {"name": "Expert", "isExpert": true},
                "isAccepted": false,
                "messages": [{"id": 100 + r, "uuid": format!("aaaaaaaa-0000-0000-0000-{r:012}"), "type": "MESSAGE",
                               "author": {"name": "Expert", "isExpert": true}, "body": "Try a reboot",
                               "dateCreated": "2020-01-01T10:00:00Z"}]
            })
        })
        .collect();
    serde_json::json!({
        "uuid": QUESTION,
        "type": "ONE_TO_MANY",
        "dateCreated": "2020-01-01T09:00:00Z",
        "lastUpdated": last_updated,
        "companies": ["acme"],
        "conversation": {
            "text": "My router blinks red",
            "author": {"name": "Ana", "isOriginalPoster": true},
            "messages": [{"id": 1, "uuid": "bbbbbbbb-0000-0000-0000-000000000001", "type": "NOTIFYING_EXPERTS_SYSTEM_MESSAGE",
                          "author": {"name": "System"}, "body": "Notifying experts"}],
            "responses": responses,
            "unreadMessageCount": 0
        },
        "state": {"status": "UNRESOLVED", "isClosed": false, "rerouteStatus": {"isRerouted": false}},
        "ratingSystem": {"name": "stars", "values": ["1", "2", "3", "4", "5"]}
    })
}
