//! Every endpoint: the exact method, path, query, headers and body sent, and the answer read
//! back. One helper answers any request and returns what was sent.

use deskwire_core::ValidationProblem;
use deskwire_directly::wire::{
    MessageTarget, NewMessage, NewQuestion, QuestionUpdate, Rating, ResolveVerdict, Search, TextQuery, Timestamp, Uuid,
    Verdict,
};
use deskwire_directly::{DirectlyClient, Error};
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::*;

/// What the server received.
#[derive(Debug, PartialEq)]
struct Sent {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

fn sent(method: &str, path: &str, query: &[(&str, &str)], body: Option<Value>) -> Sent {
    Sent {
        method: method.into(),
        path: path.into(),
        query: query.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
        body,
    }
}

/// A server answering every request with `status` and `answer`, and a client with a ready token.
async fn answering(status: u16, answer: Value) -> (MockServer, DirectlyClient) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_json(answer))
        .mount(&server)
        .await;
    let client = static_client(&server, "tok");
    (server, client)
}

async fn only_request(server: &MockServer) -> Sent {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    if r.url.path().starts_with("/v1/") {
        assert_eq!(r.headers["authorization"], "Bearer tok");
    } else {
        assert!(r.headers.get("authorization").is_none(), "health needs no token");
    }
    assert_eq!(r.headers["accept"], "application/json");
    let body = (!r.body.is_empty()).then(|| {
        assert_eq!(r.headers["content-type"], "application/json; charset=UTF-8");
        serde_json::from_slice(&r.body).unwrap()
    });
    Sent {
        method: r.method.to_string(),
        path: r.url.path().to_owned(),
        query: r
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        body,
    }
}

fn q() -> Uuid {
    Uuid::parse(QUESTION).unwrap()
}

fn r() -> Uuid {
    Uuid::parse(RESPONSE).unwrap()
}

const M: &str = "cccccccc-0000-0000-0000-000000000001";

fn m() -> Uuid {
    Uuid::parse(M).unwrap()
}

#[tokio::test]
async fn questions() {
    let ok = || envelope(question_json(0, "2020-01-01T09:00:00Z"));
    let (server, c) = answering(201, ok()).await;
    let mut metadata = serde_json::Map::new();
    metadata.insert("plan".into(), json!("gold"));
    let created = c
        .create_question(
            &NewQuestion::new(&user(), "Ana", "Router?")
                .subject("Router")
                .category("hardware")
                .metadata(metadata.clone())
                .field("classification", json!("router")),
        )
        .await
        .unwrap();
    assert_eq!(created.uuid, q());
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            "/v1/questions",
            &[],
            Some(
                json!({"userEmail": "ana@example.com", "userName": "Ana", "text": "Router?", "subject": "Router",
                        "metadata": {"plan": "gold"}, "questionCategory": "hardware", "classification": "router"})
            )
        )
    );

    let (server, c) = answering(200, ok()).await;
    c.get_question(&q()).await.unwrap();
    assert_eq!(
        only_request(&server).await,
        sent("GET", &format!("/v1/questions/{QUESTION}"), &[], None)
    );

    let (server, c) = answering(
        200,
        json!({"meta": {}, "questions": [question_json(0, "2020-01-01T09:00:00Z")]}),
    )
    .await;
    let found = c
        .search_questions(
            &Search::new()
                .external_id("ticket-17", "helpdesk")
                .user(&user())
                .include_conversation(true)
                .page(5, 10)
                .changed_after(Timestamp::parse("2020-01-01T00:00:00Z").unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "read from the top-level `questions`");
    assert_eq!(
        only_request(&server).await,
        sent(
            "GET",
            "/v1/questions",
            &[
                ("externalId.id", "ticket-17"),
                ("externalId.system", "helpdesk"),
                ("userEmail", "ana@example.com"),
                ("includeConversation", "true"),
                ("limit", "5"),
                ("offset", "10"),
                ("lastChecked", "2020-01-01T00:00:00Z")
            ],
            None
        )
    );

    let (server, c) = answering(200, json!({"meta": {}, "data": {"ok": true}})).await;
    let ack = c
        .update_question(&q(), &QuestionUpdate::new(&user()).text("Router, again?"))
        .await
        .unwrap();
    assert_eq!((ack.status, ack.data), (200, Some(json!({"ok": true}))));
    assert_eq!(
        only_request(&server).await,
        sent(
            "PUT",
            &format!("/v1/questions/{QUESTION}"),
            &[],
            Some(json!({"uuid": QUESTION, "userEmail": "ana@example.com", "text": "Router, again?"}))
        )
    );

    let (server, c) = answering(200, json!({})).await;
    c.close_question(&q(), &user(), Some("uc-token")).await.unwrap();
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            &format!("/v1/questions/{QUESTION}/close"),
            &[],
            Some(json!({"questionUuid": QUESTION, "userEmail": "ana@example.com", "integrationToken": "uc-token"}))
        )
    );

    let (server, c) = answering(200, json!({})).await;
    c.reroute_question(&q(), &user(), Some("acme")).await.unwrap();
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            &format!("/v1/questions/{QUESTION}/reroute"),
            &[],
            Some(json!({"uuid": QUESTION, "userEmail": "ana@example.com", "companyTag": "acme"}))
        )
    );

    let (server, c) = answering(200, json!({})).await;
    c.expire_question(&q(), &user()).await.unwrap();
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            &format!("/v1/questions/{QUESTION}/expire"),
            &[],
            Some(json!({"uuid": QUESTION, "userEmail": "ana@example.com"}))
        )
    );
}

#[tokio::test]
async fn messages() {
    let message = json!({"id": 7, "uuid": M, "type": "MESSAGE", "body": "More details"});
    let (server, c) = answering(201, envelope(message.clone())).await;
    let created = c
        .create_message(&NewMessage::new(&user(), MessageTarget::Response(r()), "More details"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(created.id, Some(7));
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            "/v1/messages",
            &[],
            Some(json!({"userEmail": "ana@example.com", "text": "More details", "responseUuid": RESPONSE}))
        )
    );

    // Appended to the question before any response: no message comes back.
    let (_server, c) = answering(201, json!({"meta": {}, "data": {}})).await;
    let appended = c
        .create_message(&NewMessage::new(
            &user(),
            MessageTarget::Question(q()),
            "Also: it beeps",
        ))
        .await
        .unwrap();
    assert_eq!(appended, None);

    let (server, c) = answering(200, json!({"meta": {}})).await;
    c.update_message(&m(), &user(), "Edited").await.unwrap();
    assert_eq!(
        only_request(&server).await,
        sent(
            "PUT",
            &format!("/v1/messages/{M}"),
            &[],
            Some(json!({"uuid": M, "userEmail": "ana@example.com", "text": "Edited"}))
        )
    );

    let (server, c) = answering(200, envelope(json!({"messages": [message]}))).await;
    let listed = c.search_messages(&Search::new().user(&user())).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        only_request(&server).await,
        sent("GET", "/v1/messages", &[("userEmail", "ana@example.com")], None)
    );

    // Messages are found by the bare `externalId`, as Directly's own client asks.
    let (server, c) = answering(200, envelope(json!({"messages": []}))).await;
    c.search_messages(&Search::new().external_id("ticket-1", "helpdesk"))
        .await
        .unwrap();
    assert_eq!(
        only_request(&server).await,
        sent("GET", "/v1/messages", &[("externalId", "ticket-1")], None)
    );

    let (server, c) = answering(200, json!({"meta": {}})).await;
    c.mark_as_resolved(&m(), &user(), &ResolveVerdict::contest("acme").external_id("x-1"))
        .await
        .unwrap();
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            &format!("/v1/messages/{M}/markAsResolved"),
            &[],
            Some(
                json!({"uuid": M, "userEmail": "ana@example.com", "confirm": false, "companyTag": "acme", "externalId": "x-1"})
            )
        )
    );
}

#[tokio::test]
async fn responses_users_automation_health() {
    let response = envelope(json!({"uuid": RESPONSE, "isAccepted": true, "rating": "5"}));
    let base = format!("/v1/responses/{RESPONSE}");
    let who = json!({"uuid": RESPONSE, "userEmail": "ana@example.com"});

    let (server, c) = answering(200, response.clone()).await;
    c.rate_response(&r(), &user(), &Rating::new("5", "acme")).await.unwrap();
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            &format!("{base}/rate"),
            &[],
            Some(json!({"uuid": RESPONSE, "userEmail": "ana@example.com", "rating": "5", "companyTag": "acme"}))
        )
    );

    let (server, c) = answering(200, response.clone()).await;
    c.confirm_auto_response(&r(), &user(), Verdict::Rejected, None)
        .await
        .unwrap();
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            &format!("{base}/confirmAutoResponse"),
            &[],
            Some(json!({"uuid": RESPONSE, "userEmail": "ana@example.com", "quickReply": "REJECTED"}))
        )
    );

    let (server, c) = answering(200, response.clone()).await;
    c.mark_response_read(&r(), &user()).await.unwrap();
    assert_eq!(
        only_request(&server).await,
        sent("POST", &format!("{base}/markAsRead"), &[], Some(who.clone()))
    );

    let (server, c) = answering(200, json!({"meta": {}})).await;
    c.forget_user(&user()).await.unwrap();
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            "/v1/users/forget",
            &[],
            Some(json!({"userEmail": "ana@example.com"}))
        )
    );

    let answer = envelope(json!({"predictedClass": "router", "confidence": 0.93,
        "content": {"uuid": M, "body": "Reboot it", "author": {"name": "Bot", "type": "CHATBOT"}}}));
    let (server, c) = answering(200, answer).await;
    let got = c
        .automatic_answer(
            &TextQuery::new("Router?")
                .language("en")
                .predicted_class("router")
                .category("hw"),
        )
        .await
        .unwrap();
    assert_eq!(
        (got.predicted_class.as_deref(), got.confidence),
        (Some("router"), Some(0.93))
    );
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            "/v1/automaticAnswers",
            &[],
            Some(json!({"text": "Router?", "language": "en", "predictedClass": "router", "questionCategory": "hw"}))
        )
    );

    let feedback = envelope(json!({"uuid": M, "id": 3, "type": "AUTORESPONSE", "quickReply": "ACCEPTED"}));
    let (server, c) = answering(200, feedback).await;
    let got = c
        .automatic_answer_feedback(&m(), Verdict::Accepted, Some(&user()))
        .await
        .unwrap();
    assert_eq!(got.quick_reply, Some(deskwire_directly::wire::QuickReply::Accepted));
    assert_eq!(
        only_request(&server).await,
        sent(
            "POST",
            &format!("/v1/automaticAnswers/{M}/feedback"),
            &[],
            Some(json!({"automaticAnswerUuid": M, "quickReply": "ACCEPTED", "userEmail": "ana@example.com"}))
        )
    );

    let (server, c) = answering(200, envelope(json!({"predictedClass": "router", "confidence": 0.5}))).await;
    assert_eq!(c.classify("Router?").await.unwrap()["predictedClass"], "router");
    assert_eq!(
        only_request(&server).await,
        sent("GET", "/v1/classifications", &[("text", "Router?")], None)
    );

    let (server, c) = answering(200, envelope(json!({"route": "experts"}))).await;
    assert_eq!(
        c.predictive_routing(&TextQuery::new("Router?")).await.unwrap()["route"],
        "experts"
    );
    assert_eq!(
        only_request(&server).await,
        sent("POST", "/v1/predictiveRouting", &[], Some(json!({"text": "Router?"})))
    );

    let (server, c) = answering(200, json!({"status": "ok"})).await;
    let health = c.health().await.unwrap();
    assert_eq!((health.status, health.body.as_str()), (200, r#"{"status":"ok"}"#));
    assert_eq!(only_request(&server).await, sent("GET", "/health/status", &[], None));
}

#[tokio::test]
async fn bad_input_is_refused_with_nothing_sent() {
    let (server, c) = answering(200, json!({})).await;
    let field = |e: Error| match e {
        Error::Validation(v) => (v.field, v.problem),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(
            c.create_question(&NewQuestion::new(&user(), "Ana", "  "))
                .await
                .unwrap_err()
        ),
        ("text".to_owned(), ValidationProblem::Empty)
    );
    assert_eq!(
        field(
            c.create_question(&NewQuestion::new(&user(), "", "Q"))
                .await
                .unwrap_err()
        )
        .0,
        "userName"
    );
    assert_eq!(
        field(
            c.create_message(&NewMessage::new(&user(), MessageTarget::Question(q()), ""))
                .await
                .unwrap_err()
        )
        .0,
        "text"
    );
    assert_eq!(
        field(
            c.update_question(&q(), &QuestionUpdate::new(&user()))
                .await
                .unwrap_err()
        )
        .0,
        "text"
    );
    assert_eq!(
        field(
            c.rate_response(&r(), &user(), &Rating::new("", "acme"))
                .await
                .unwrap_err()
        )
        .0,
        "rating"
    );
    assert_eq!(
        field(
            c.mark_as_resolved(&m(), &user(), &ResolveVerdict::approve(""))
                .await
                .unwrap_err()
        )
        .0,
        "companyTag"
    );
    assert_eq!(field(c.classify(" ").await.unwrap_err()).0, "text");
    assert!(server.received_requests().await.unwrap().is_empty());
}
