//! The guide's sample flow, end to end: token, ask (201), poll (401 → one renewal → 304, then
//! 200), accept, logout.

use deskwire_directly::wire::{NewQuestion, Uuid};
use deskwire_directly::{DirectlyFailure, Error, Polled};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::*;

const T0: &str = "2020-01-01T09:00:00Z";
const T1: &str = "2020-01-01T10:05:00Z";

#[tokio::test]
async fn the_guides_five_steps() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["token-1", "token-2"], Some(3600)).await;
    // 2. ask
    Mock::given(method("POST"))
        .and(path("/v1/questions"))
        .and(header("authorization", "Bearer token-1"))
        .and(header("content-type", "application/json; charset=UTF-8"))
        .and(body_json(json!({
            "userEmail": "ana@example.com", "userName": "Ana", "text": "My router blinks red",
            "externalIds": [{"id": "ticket-17", "system": "helpdesk"}]
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(envelope(question_json(0, T0))))
        .expect(1)
        .mount(&server)
        .await;
    // 3. the first poll finds the token revoked server-side...
    Mock::given(method("GET"))
        .and(path(format!("/v1/questions/{QUESTION}")))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"meta": {}, "error": {"message": "token expired"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    // ...renews it once and asks again: nothing new (304, no body)...
    Mock::given(method("GET"))
        .and(path(format!("/v1/questions/{QUESTION}")))
        .and(query_param("lastChecked", T0))
        .and(header("authorization", "Bearer token-2"))
        .respond_with(ResponseTemplate::new(304))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    // ...then an expert responded.
    Mock::given(method("GET"))
        .and(path(format!("/v1/questions/{QUESTION}")))
        .and(query_param("lastChecked", T0))
        .and(header("authorization", "Bearer token-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(question_json(1, T1))))
        .expect(1)
        .mount(&server)
        .await;
    // 4. accept
    Mock::given(method("POST"))
        .and(path(format!("/v1/responses/{RESPONSE}/accept")))
        .and(header("authorization", "Bearer token-2"))
        .and(body_json(json!({"uuid": RESPONSE, "userEmail": "ana@example.com"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(json!({
            "uuid": RESPONSE, "isAccepted": true
        }))))
        .expect(1)
        .mount(&server)
        .await;
    // 5. logout, with the token in use
    Mock::given(method("POST"))
        .and(path("/oauth/logout"))
        .and(header("authorization", "Bearer token-2"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    let user = user();
    let question = client
        .create_question(
            &NewQuestion::new(&user, "Ana", "My router blinks red")
                .external_id(deskwire_directly::wire::ExternalId::new("ticket-17", "helpdesk")),
        )
        .await
        .unwrap();
    assert_eq!(question.uuid.as_str(), QUESTION);
    assert!(question.responses().is_empty());
    let last_checked = question.latest_update().cloned().unwrap();
    assert_eq!(last_checked.as_str(), T0);

    let first = client
        .get_question_if_changed(&question.uuid, Some(&last_checked))
        .await
        .unwrap();
    assert_eq!(first, Polled::NotModified);
    let Polled::Changed(answered) = client
        .get_question_if_changed(&question.uuid, Some(&last_checked))
        .await
        .unwrap()
    else {
        panic!("expected the changed question");
    };
    let response = answered.latest_response().unwrap();
    assert_eq!(response.messages()[0].body.as_deref(), Some("Try a reboot"));

    let accepted = client.accept_response(&response.uuid, &user).await.unwrap();
    assert!(accepted.accepted());
    assert!(client.logout().await.unwrap());

    // Exactly one renewal: the first token, and one more after the 401.
    assert_eq!(count(&server, "/oauth/token").await, 2);
    // Logged out: the next call obtains a new token (none is left to give: the endpoint fails).
    let e = client.get_question(&Uuid::parse(QUESTION).unwrap()).await.unwrap_err();
    assert!(matches!(e, Error::Provider(DirectlyFailure::Token(_))), "{e:?}");
    assert_eq!(e.delivery(), deskwire_core::Delivery::NotSent);
}

#[tokio::test]
async fn a_second_401_is_returned_after_exactly_one_renewal() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["token-1", "token-2", "token-3"], None).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/questions/{QUESTION}")))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"meta": {"correlationId": "c-9"}, "error": {"message": "Invalid token"}})),
        )
        .mount(&server)
        .await;
    let e = client(&server)
        .get_question(&Uuid::parse(QUESTION).unwrap())
        .await
        .unwrap_err();
    let Error::Rejected(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.status, 401);
    assert_eq!(api.detail.message.as_deref(), Some("Invalid token"));
    assert_eq!(api.detail.correlation_id.as_deref(), Some("c-9"));
    assert_eq!(count(&server, "/oauth/token").await, 2);
    assert_eq!(count(&server, &format!("/v1/questions/{QUESTION}")).await, 2);
    let auth: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().starts_with("/v1/"))
        .map(|r| r.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(auth, ["Bearer token-1", "Bearer token-2"]);
}
