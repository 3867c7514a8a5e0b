//! The channel built with only what start/send need: the optional parts it lacks fail before
//! sending, naming what to configure, and are absent from its capabilities.

use deskwire_chatlake::channel::ChatlakeChannel;
use deskwire_chatlake::inbound::WebhookVerifier;
use deskwire_core::channel::{Channel, ChannelError, ConversationRef, DeskMessageRef, Operation, Typing};
use deskwire_core::verify::Verify as _;
use deskwire_core::{Delivery, Secret};
use wiremock::MockServer;

use crate::client;

#[tokio::test]
async fn without_client_api_or_webhooks_the_missing_part_is_named_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let channel = ChatlakeChannel::new(client(&server), 2);
    let conversation = ConversationRef::new("chatlake", "7").with("source", "s-1");

    let capabilities = channel.capabilities();
    for operation in [Operation::Typing, Operation::MarkRead, Operation::Receive] {
        assert!(!capabilities.supports(operation), "{operation}");
    }
    assert!(capabilities.supports(Operation::Send) && capabilities.supports(Operation::Close));

    let typing = channel.typing(&conversation, &Typing::on()).await.unwrap_err();
    assert_eq!(
        typing.to_string(),
        "chatlake: typing needs the Client API: ChatlakeChannel::client_api(api.client_api(\"<inbox identifier>\")?); nothing was sent"
    );
    let read = channel
        .mark_read(&DeskMessageRef::new(conversation.clone(), "9"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            read,
            ChannelError::NotConfigured {
                operation: Operation::MarkRead,
                ..
            }
        ),
        "{read}"
    );
    let body = br#"{"event":"conversation_typing_on","is_private":false}"#;
    let signed = WebhookVerifier::new(&Secret::new("whsec")).unwrap().sign(body);
    let receive = channel.receive(signed).await.unwrap_err();
    assert_eq!(
        receive.to_string(),
        "chatlake: receive needs a webhook verifier: ChatlakeChannel::webhooks(WebhookVerifier::new(&secret)?); nothing was sent"
    );
    assert_eq!(receive.inbound_response().status, http::StatusCode::NOT_IMPLEMENTED);
    for error in [&typing, &read, &receive] {
        assert_eq!(error.delivery(), Delivery::NotSent);
    }
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "a request was sent"
    );

    // Configured, the same channel has them all.
    let api = client(&server);
    let full = ChatlakeChannel::new(api.clone(), 2)
        .client_api(api.client_api("inbox-1").unwrap())
        .webhooks(WebhookVerifier::new(&Secret::new("whsec")).unwrap());
    assert_eq!(
        full.capabilities(),
        deskwire_chatlake::channel::CAPABILITIES
            .without(Operation::Poll)
            .without(Operation::Backfill),
        "poll and backfill need a store"
    );
    let full = full.backfill(std::sync::Arc::new(deskwire_core::store::MemoryStore::new()));
    assert_eq!(full.capabilities(), deskwire_chatlake::channel::CAPABILITIES);
    assert!(matches!(
        ChatlakeChannel::new(api, 2).poll().await.unwrap_err(),
        deskwire_core::channel::ChannelError::NotConfigured {
            operation: Operation::Poll,
            ..
        }
    ));
}

#[test]
fn the_client_api_shares_the_servers_base_url() {
    let api = deskwire_chatlake::ChatlakeClient::builder("https://chat.example.com/proxy/", 1, Secret::new("t"))
        .build()
        .unwrap();
    assert_eq!(
        api.client_api("abc").unwrap().base_url(),
        "https://chat.example.com/proxy/public/api/v1/inboxes/abc"
    );
    assert!(api.client_api(" ").is_err(), "an empty identifier is refused");
}
