//! Each scenario's exact bytes on the wire.

use deskwire_core::Secret;
use deskwire_rake_direct::wire::{
    CloseSession, Contact, OpenSession, Outbound, PlatformId, PostToSession, RakeDirectRequest, ReceiveEvent,
    ReturnWebhook, Sender, SessionId,
};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, PATH, SECRET};

async fn sent(
    request: impl Into<RakeDirectRequest>,
    answer: &str,
) -> (String, deskwire_rake_direct::wire::RakeResponse) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_string(answer))
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server).send(request).await.expect("sent");
    let body = server.received_requests().await.unwrap()[0].body.clone();
    (String::from_utf8(body).unwrap(), response)
}

#[tokio::test]
async fn transactional_sms_matches_the_seed_layout() {
    let sms = Outbound::transactional(PlatformId::Sms, Contact::phone("123456789012"), "Hello ");
    let (body, _) = sent(sms, "{}").await;
    assert_eq!(
        body,
        format!(
            r#"{{"secret":"{SECRET}","message":"Hello ","messageType":"text","platformIds":[1],"secondaryEntity":{{"phoneNumber":"123456789012"}},"session":{{"timeout":1}}}}"#
        )
    );
}

#[tokio::test]
async fn post_keeps_placeholders_and_the_sender() {
    let post = PostToSession::new(123, "New account: {{CRMSystem.AccountName}}.").from(
        Sender::entity(21u64)
            .with_email("crm-bot@email.com")
            .with_name("CRM Notification", "Company Bot"),
    );
    let (body, _) = sent(post, "").await;
    assert_eq!(
        body,
        format!(
            r#"{{"sessionId":123,"secret":"{SECRET}","message":"New account: {{{{CRMSystem.AccountName}}}}.","messageType":"text","initiatingEntity":{{"entityId":21,"email":"crm-bot@email.com","lastName":"Company Bot","firstName":"CRM Notification"}}}}"#
        )
    );
}

#[tokio::test]
async fn open_session_sends_the_webhook_and_returns_the_session() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"data":{"sessionId":13731}}"#))
        .mount(&server)
        .await;
    let hook = ReturnWebhook::new("https://crm.example.com/rake", Secret::new("1111"))
        .custom("ticket-9")
        .receive(ReceiveEvent::Message)
        .receive(ReceiveEvent::EndSession);
    let open = OpenSession::third_party(hook, PlatformId::FacebookMessenger, Contact::entity("3764"), "Hi", 3600)
        .from(Sender::email("agent@example.com"));
    let opened = client(&server).open_session(open).await.unwrap();
    assert_eq!(opened.session_id, SessionId(13731));
    let body = String::from_utf8(server.received_requests().await.unwrap()[0].body.clone()).unwrap();
    assert_eq!(
        body,
        format!(
            r#"{{"secret":"{SECRET}","returnWebhookUrl":"https://crm.example.com/rake","returnWebhookSecret":"1111","custom":"ticket-9","receiveEvents":["message","endSession"],"message":"Hi","messageType":"text","platformIds":[3],"initiatingEntity":{{"email":"agent@example.com"}},"secondaryEntity":{{"entityId":"3764"}},"session":{{"timeout":3600}}}}"#
        )
    );
}

#[tokio::test]
async fn widget_session_has_no_platform_or_contact_and_close_sends_timeout_zero() {
    let hook = ReturnWebhook::new("https://widget.example.com/hook", Secret::new("w"));
    let (body, response) = sent(OpenSession::widget(hook, "Hi", 60), "13731").await;
    assert!(
        !body.contains("platformIds") && !body.contains("secondaryEntity"),
        "{body}"
    );
    assert_eq!(response.session_id, Some(SessionId(13731)));
    let (body, _) = sent(CloseSession::new(13731), "{}").await;
    assert_eq!(
        body,
        format!(r#"{{"sessionId":13731,"secret":"{SECRET}","session":{{"timeout":0}}}}"#)
    );
}

#[tokio::test]
async fn every_scenario_reads_back_as_itself() {
    let hook = ReturnWebhook::new("https://crm.example.com/rake", Secret::new("1111")).custom("c");
    let requests: Vec<RakeDirectRequest> = vec![
        Outbound::transactional(PlatformId::Sms, Contact::phone("1"), "a").into(),
        Outbound::new(PlatformId::Other(12), Contact::email("a@b.c"), "a", 30)
            .also_on(PlatformId::RakeApp)
            .into(),
        PostToSession::new(5, "b").into(),
        OpenSession::third_party(hook.clone(), PlatformId::Sms, Contact::entity(9u64), "c", 10).into(),
        OpenSession::widget(hook, "d", 10).into(),
        CloseSession::new(5).with_message("bye").into(),
    ];
    for request in requests {
        let body = request.to_body(&Secret::new(SECRET)).unwrap();
        let back = RakeDirectRequest::from_body(&body).unwrap();
        assert_eq!(back, request);
        assert!(RakeDirectRequest::carries_secret(&body, &Secret::new(SECRET)));
        assert!(!RakeDirectRequest::carries_secret(&body, &Secret::new("other")));
        assert!(!RakeDirectRequest::carries_secret(&body, &Secret::new("")));
    }
}

#[test]
fn combinations_no_scenario_has_are_refused_when_read() {
    for body in [
        r#"{"secret":"s","message":"m","messageType":"text","session":{"timeout":1}}"#,
        r#"{"secret":"s","message":"m","platformIds":[1],"session":{"timeout":1}}"#,
        r#"{"sessionId":1,"secret":"s","message":"m","platformIds":[1]}"#,
        r#"{"sessionId":1,"secret":"s","session":{"timeout":5}}"#,
        r#"{"secret":"s","message":"m","platformIds":[1],"secondaryEntity":{"phoneNumber":"1"},"custom":"x","session":{"timeout":1}}"#,
        r#"{"secret":"s","message":"m","surprise":1}"#,
    ] {
        assert!(RakeDirectRequest::from_body(body.as_bytes()).is_err(), "{body}");
    }
}
