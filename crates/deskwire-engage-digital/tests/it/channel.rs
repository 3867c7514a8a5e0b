//! The channel's two sides agree: every Send API action it can send is declared in the
//! `implementation.info` its own polling endpoint serves (the Send API refuses undeclared
//! actions with 422 `Invalid action`, and `threads.no_content` leaves only `threads.show` /
//! `threads.list` valid for threads), and Engage Digital can show the threads it starts.

use deskwire_core::channel::{Attachment, Channel, Customer, CustomerMessage, DeskMessageRef, InboundRequest, Typing};
use deskwire_core::Secret;
use deskwire_engage_digital::channel::EngageDigitalChannel;
use deskwire_engage_digital::inbound::ImplementationInfo;
use deskwire_engage_digital::{Signer, SIGNATURE_HEADER};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, PATH, TOKEN};

async fn ask(channel: &EngageDigitalChannel, body: Value) -> (u16, Value) {
    let body = body.to_string();
    let signature = Signer::new(&Secret::new(TOKEN)).sign(body.as_bytes());
    let request = InboundRequest::post(body).header(SIGNATURE_HEADER, &signature);
    let received = channel.receive(request).await.expect("a signed request is answered");
    let response = received.response;
    (
        response.status.as_u16(),
        serde_json::from_slice(&response.body).expect("JSON answer"),
    )
}

#[tokio::test]
async fn every_send_api_action_the_channel_sends_is_declared() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let channel = EngageDigitalChannel::new(client(&server));
    // Everything the channel can send, once each.
    let customer = Customer::new("c-1").name("Alice");
    let first = CustomerMessage::text("Hello").attach(Attachment::url("https://example.com/a.png"));
    let started = channel.start_conversation(&customer, &first).await.unwrap();
    let conversation = started.conversation.clone();
    channel
        .send(&conversation, &CustomerMessage::text("More"))
        .await
        .unwrap();
    channel.typing(&conversation, &Typing::on()).await.unwrap();
    channel.typing(&conversation, &Typing::off()).await.unwrap();
    channel
        .mark_read(&DeskMessageRef::new(conversation.clone(), "agent-1"))
        .await
        .unwrap();
    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        sent,
        [
            "messages.create",
            "messages.create",
            "typing.start",
            "typing.stop",
            "status.mark_as_read"
        ]
    );

    // What the channel's own endpoint declares.
    let (status, answer) = ask(
        &channel,
        json!({"action": "implementation.info", "time": "2026-12-02T10:00:00Z"}),
    )
    .await;
    assert_eq!(status, 200);
    let info: ImplementationInfo = serde_json::from_value(answer).unwrap();
    assert_eq!(info.problems(), []);
    for action in &sent {
        assert!(info.declares(action), "{action} is sent but not declared: {info:?}");
    }

    // Engage Digital learns the new thread through threads.show: its id and the customer's name.
    let (status, thread) = ask(
        &channel,
        json!({"action": "threads.show", "params": {"id": conversation.id()}, "time": "2026-12-02T10:00:01Z"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(thread, json!({"id": conversation.id(), "title": "Alice"}));
}
