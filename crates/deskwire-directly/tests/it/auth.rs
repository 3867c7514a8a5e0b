//! Token life cycle: caching, one renewal per rejected token, renewal before expiry, the
//! configurable endpoint conventions, refusals, logout.

use std::time::Duration;

use deskwire_core::retry::RetryPolicy;
use deskwire_core::Secret;
use deskwire_directly::auth::{ClientAuthentication, TokenEncoding, TokenSettings};
use deskwire_directly::wire::Uuid;
use deskwire_directly::{Credentials, DirectlyClient, DirectlyFailure, Error, TokenError};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::*;

fn question_uuid() -> Uuid {
    Uuid::parse(QUESTION).unwrap()
}

async fn mount_question(server: &MockServer, token: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/v1/questions/{QUESTION}")))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(question_json(0, "2020-01-01T09:00:00Z"))))
        .mount(server)
        .await;
}

#[tokio::test]
async fn one_token_serves_many_calls() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["token-1"], Some(3600)).await;
    mount_question(&server, "token-1").await;
    let client = client(&server);
    let clone = client.clone();
    client.get_question(&question_uuid()).await.unwrap();
    clone.get_question(&question_uuid()).await.unwrap();
    let uuid = question_uuid();
    let (a, b) = tokio::join!(client.get_question(&uuid), clone.get_question(&uuid));
    a.unwrap();
    b.unwrap();
    assert_eq!(count(&server, "/oauth/token").await, 1);
}

#[tokio::test]
async fn concurrent_rejections_share_one_renewal() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["token-1", "token-2", "token-3"], None).await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(401).set_delay(Duration::from_millis(50)))
        .mount(&server)
        .await;
    mount_question(&server, "token-2").await;
    let client = crate::client(&server);
    let uuid = question_uuid();
    let (a, b, c) = tokio::join!(
        client.get_question(&uuid),
        client.get_question(&uuid),
        client.get_question(&uuid)
    );
    for result in [a, b, c] {
        assert!(result.is_ok(), "{result:?}");
    }
    assert_eq!(count(&server, "/oauth/token").await, 2, "one token, one renewal");
}

#[tokio::test]
async fn a_ready_made_token_is_never_renewed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"message": "expired"}})))
        .expect(1)
        .mount(&server)
        .await;
    let e = static_client(&server, "ready-token")
        .get_question(&question_uuid())
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Rejected(api) if api.status == 401), "{e:?}");
    assert_eq!(count(&server, "/oauth/token").await, 0);
}

#[tokio::test]
async fn a_token_is_renewed_before_it_expires() {
    let server = MockServer::start().await;
    // 2 s lifetime: renewed after half of it (the 60 s margin is capped at half the lifetime).
    mount_tokens(&server, &["token-1", "token-2"], Some(2)).await;
    mount_question(&server, "token-1").await;
    mount_question(&server, "token-2").await;
    let client = client(&server);
    client.get_question(&question_uuid()).await.unwrap();
    client.get_question(&question_uuid()).await.unwrap();
    assert_eq!(count(&server, "/oauth/token").await, 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.get_question(&question_uuid()).await.unwrap();
    assert_eq!(count(&server, "/oauth/token").await, 2);
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(last.headers["authorization"], "Bearer token-2");
}

#[tokio::test]
async fn json_encoding_basic_auth_and_custom_paths() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/v2/token"))
        .and(header("content-type", "application/json"))
        // base64("client-id:client-SECRET-value")
        .and(header(
            "authorization",
            "Basic Y2xpZW50LWlkOmNsaWVudC1TRUNSRVQtdmFsdWU=",
        ))
        .and(body_json(
            json!({"grant_type": "client_credentials", "scope": "messaging"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "token-j"})))
        .expect(1)
        .mount(&server)
        .await;
    mount_question(&server, "token-j").await;
    Mock::given(method("POST"))
        .and(path("/auth/v2/revoke"))
        .and(header("authorization", "Bearer token-j"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = DirectlyClient::builder(Credentials::client_credentials(CLIENT_ID, Secret::new(CLIENT_SECRET)))
        .base_url(server.uri())
        .token_settings(
            TokenSettings::default()
                .token_path("auth/v2/token")
                .logout_path("/auth/v2/revoke")
                .encoding(TokenEncoding::Json)
                .client_authentication(ClientAuthentication::BasicHeader)
                .scope("messaging"),
        )
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    client.get_question(&question_uuid()).await.unwrap();
    assert!(client.logout().await.unwrap());
}

#[tokio::test]
async fn a_refused_token_sends_nothing_to_the_api() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "invalid_client", "error_description": "Unknown client"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let e = client(&server).get_question(&question_uuid()).await.unwrap_err();
    let Error::Provider(DirectlyFailure::Token(TokenError::Refused { status, code, .. })) = &e else {
        panic!("{e:?}")
    };
    assert_eq!((*status, code.as_deref()), (401, Some("invalid_client")));
    assert_eq!(e.delivery(), deskwire_core::Delivery::NotSent);
    assert_eq!(
        e.to_string(),
        "the token endpoint refused the credentials (HTTP 401: invalid_client — Unknown client); the request was not sent"
    );
    assert_eq!(count(&server, &format!("/v1/questions/{QUESTION}")).await, 0);
}

#[tokio::test]
async fn a_failing_token_endpoint_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_tokens(&server, &["token-1"], None).await;
    mount_question(&server, "token-1").await;
    let client = DirectlyClient::builder(Credentials::client_credentials(CLIENT_ID, Secret::new(CLIENT_SECRET)))
        .base_url(server.uri())
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    client.get_question(&question_uuid()).await.unwrap();
    assert_eq!(count(&server, "/oauth/token").await, 2);
}

#[tokio::test]
async fn logout_cases() {
    let server = MockServer::start().await;
    // Nothing obtained yet: nothing to revoke, nothing sent.
    assert!(!client(&server).logout().await.unwrap());
    assert!(server.received_requests().await.unwrap().is_empty());

    // A ready-made token is revoked, then the client refuses to send.
    Mock::given(method("POST"))
        .and(path("/oauth/logout"))
        .and(header("authorization", "Bearer ready-token"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = static_client(&server, "ready-token");
    assert!(client.logout().await.unwrap());
    assert!(!client.logout().await.unwrap(), "already logged out");
    let e = client.get_question(&question_uuid()).await.unwrap_err();
    assert!(matches!(e, Error::Provider(DirectlyFailure::LoggedOut)), "{e:?}");
    assert_eq!(e.delivery(), deskwire_core::Delivery::NotSent);
    assert_eq!(count(&server, &format!("/v1/questions/{QUESTION}")).await, 0);
}

#[tokio::test]
async fn a_refused_logout_is_reported_and_the_token_forgotten() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["token-1", "token-2"], None).await;
    mount_question(&server, "token-1").await;
    mount_question(&server, "token-2").await;
    Mock::given(method("POST"))
        .and(path("/oauth/logout"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "boom"}})))
        .mount(&server)
        .await;
    let client = client(&server);
    client.get_question(&question_uuid()).await.unwrap();
    let e = client.logout().await.unwrap_err();
    assert!(matches!(&e, Error::Server(api) if api.status == 500), "{e:?}");
    client.get_question(&question_uuid()).await.unwrap();
    assert_eq!(count(&server, "/oauth/token").await, 2, "the old token is not reused");
}
