//! On deskwire-sim's Chatlake desk, which follows Chatwoot's code: gap backfill (messages paged
//! as `MessageFinder` pages them, 100 after an id; positions move over committed events only),
//! and the conversation and message actions the client sends.

use std::sync::Arc;
use std::time::Duration;

use deskwire_chatlake::channel::ChatlakeChannel;
use deskwire_chatlake::inbound::WebhookVerifier;
use deskwire_chatlake::ChatlakeClient;
use deskwire_core::channel::{
    commit_all, Acceptance, Channel, Customer, CustomerMessage, DeskEvent, InboundRequest, Incoming,
};
use deskwire_core::retry::RetryPolicy;
use deskwire_core::store::{Claim, CursorEntry, Lease, MemoryStore, Store, StoreError};
use deskwire_core::Secret;
use deskwire_sim::{Capture, Faults, Provider, Sim};

/// The `message_created` deliveries once `n` arrived (conversation events are left out).
async fn deliveries(capture: &Capture, n: usize) -> Vec<InboundRequest> {
    let got = capture.where_json("/event", "message_created", n).await;
    assert!(got.len() >= n, "{} deliveries, wanted {n}", got.len());
    got
}

/// The Application API of the simulator's account, without retries.
fn api(sim: &Sim) -> ChatlakeClient {
    let credential = |key: &str| sim.credential(key).unwrap();
    ChatlakeClient::builder(
        sim.base_url(),
        credential("account_id").parse().unwrap(),
        Secret::new(credential("api_access_token")),
    )
    .retry_policy(RetryPolicy::never())
    .build()
    .unwrap()
}

fn channel(sim: &Sim, store: Arc<dyn Store>) -> ChatlakeChannel {
    let credential = |key: &str| sim.credential(key).unwrap();
    ChatlakeChannel::new(api(sim), credential("inbox_id").parse().unwrap())
        .webhooks(WebhookVerifier::new(&Secret::new(credential("webhook_secret"))).unwrap())
        .backfill(store)
}

/// A Chatlake desk whose webhooks are captured, not delivered. Its conversations take 1,000
/// messages a minute (Chatwoot's `CONVERSATION_MESSAGE_PER_MINUTE_LIMIT`, 200 by default): a gap
/// of hundreds builds up over minutes on a real desk, here at once.
async fn captured_desk() -> (Capture, Sim) {
    let desk = Sim::builder(Provider::Chatlake).credential("conversation_message_per_minute_limit", "1000");
    Capture::desk_from(desk).await.unwrap()
}

fn texts(events: &[Incoming]) -> Vec<String> {
    events
        .iter()
        .filter_map(|i| match &i.event {
            DeskEvent::Message(m) => Some(m.text.clone()),
            _ => None,
        })
        .collect()
}

/// A desk, a channel on `store`, a started conversation and `answers` agent messages whose
/// webhooks were captured (not delivered).
async fn with_answers(store: Arc<dyn Store>, answers: &[&str]) -> (Sim, ChatlakeChannel, String, Vec<InboundRequest>) {
    let (captured, sim) = captured_desk().await;
    let channel = channel(&sim, store);
    let started = channel
        .start_conversation(&Customer::new("ana").name("Ana"), &CustomerMessage::text("Hi"))
        .await
        .unwrap();
    let conversation = started.conversation.id().to_owned();
    for answer in answers {
        sim.agent_message(&conversation, answer).await.unwrap();
    }
    let got = deliveries(&captured, 1 + answers.len()).await;
    (sim, channel, conversation, got)
}

fn message_lists(sim: &Sim, conversation: &str) -> usize {
    sim.exchanges()
        .into_iter()
        .filter(|e| e.method == "GET" && e.path.ends_with(&format!("/conversations/{conversation}/messages")))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_past_one_page_is_read_to_its_end_in_order() {
    let answers: Vec<String> = (0..=230).map(|j| format!("a{j:03}")).collect();
    let refs: Vec<&str> = answers.iter().map(String::as_str).collect();
    let (sim, channel, conversation, got) = with_answers(Arc::new(MemoryStore::new()), &refs).await;
    let events = channel.receive(got.last().unwrap().clone()).await.unwrap().events;
    assert_eq!(texts(&events), answers);
    assert_eq!(
        message_lists(&sim, &conversation),
        3,
        "100 + 100 + 31 after the position"
    );
    commit_all(events).await.unwrap();
    assert!(channel
        .receive(got.last().unwrap().clone())
        .await
        .unwrap()
        .events
        .is_empty());
    assert!(
        channel.receive(got[5].clone()).await.unwrap().events.is_empty(),
        "an older webhook, at or below the position"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_position_moves_over_the_committed_prefix_only() {
    let (_sim, channel, _conversation, got) =
        with_answers(Arc::new(MemoryStore::new()), &["one", "two", "three"]).await;
    let last = got.last().unwrap().clone();
    let mut events = channel.receive(last.clone()).await.unwrap().events.into_iter();
    let (one, two, three) = (events.next().unwrap(), events.next().unwrap(), events.next().unwrap());
    two.commit().await.unwrap();
    three.commit().await.unwrap();
    one.release().await.unwrap();
    let again = channel.receive(last.clone()).await.unwrap().events;
    assert_eq!(
        texts(&again),
        ["one", "two", "three"],
        "the first was released: nothing moved"
    );
    // Committed out of order: the position reaches the last once every one before it is in.
    let mut again = again.into_iter();
    let (one, two, three) = (again.next().unwrap(), again.next().unwrap(), again.next().unwrap());
    three.commit().await.unwrap();
    two.commit().await.unwrap();
    assert_eq!(
        texts(&channel.receive(last.clone()).await.unwrap().events),
        ["one", "two", "three"]
    );
    one.commit().await.unwrap();
    assert!(channel.receive(last).await.unwrap().events.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_webhook_the_poll_brings_what_was_missed_then_nothing() {
    let (sim, channel, conversation, _) = with_answers(Arc::new(MemoryStore::new()), &["one", "two"]).await;
    // Resolved after answering: the conversation is no longer open, its messages still come.
    assert!(sim.resolve(&conversation).await.unwrap());
    let polled = channel.poll().await.unwrap();
    assert!(polled.failures.is_empty(), "{:?}", polled.failures);
    assert!(polled.cursor.is_empty(), "positions are in the store, no cursor");
    assert_eq!(texts(&polled.events), ["one", "two"]);
    // The REST conversation has no `contact_inbox`: the session comes from its last message's
    // push data, so a polled message can be marked read as it is.
    for incoming in &polled.events {
        let DeskEvent::Message(m) = &incoming.event else {
            continue;
        };
        assert!(m.id.conversation.require("source").is_ok(), "{:?}", m.id.conversation);
    }
    commit_all(polled.events).await.unwrap();
    assert!(channel.poll().await.unwrap().events.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_of_customer_messages_only_moves_the_position_at_once() {
    let store = Arc::new(MemoryStore::new());
    let (_sim, channel, _conversation, _) = with_answers(Arc::clone(&store) as Arc<dyn Store>, &[]).await;
    assert_eq!(store.cursors(), 0);
    let polled = channel.poll().await.unwrap();
    assert!(polled.events.is_empty());
    assert_eq!(
        store.cursors(),
        1,
        "the position passed the customer's message with nothing to commit"
    );
}

/// A memory store whose position reads are counted, and whose positions may always fail.
#[derive(Debug, Default)]
struct Positions {
    store: MemoryStore,
    broken: bool,
    reads: std::sync::atomic::AtomicUsize,
}

impl Positions {
    fn broken() -> Self {
        Self {
            broken: true,
            ..Self::default()
        }
    }

    fn reads(&self) -> usize {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn down<T>(&self) -> Option<Result<T, StoreError>> {
        self.broken.then(|| Err(StoreError::Failed("down".into())))
    }
}

#[deskwire_core::channel::async_trait]
impl Store for Positions {
    async fn claim(&self, key: &str, lease: Duration) -> Result<Claim, StoreError> {
        self.store.claim(key, lease).await
    }
    async fn commit(&self, key: &str, lease: &Lease, ttl: Duration) -> Result<bool, StoreError> {
        self.store.commit(key, lease, ttl).await
    }
    async fn release(&self, key: &str, lease: &Lease) -> Result<bool, StoreError> {
        self.store.release(key, lease).await
    }
    async fn cursor(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.store.cursor(key).await
    }
    async fn set_cursor(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.store.set_cursor(key, value).await
    }
    async fn raise(&self, key: &str, position: u64, ttl: Duration) -> Result<u64, StoreError> {
        match self.down() {
            Some(down) => down,
            None => self.store.raise(key, position, ttl).await,
        }
    }
    async fn position(&self, key: &str) -> Result<u64, StoreError> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match self.down() {
            Some(down) => down,
            None => self.store.position(key).await,
        }
    }
    async fn merge_entries(&self, key: &str, entries: &[CursorEntry]) -> Result<(), StoreError> {
        self.store.merge_entries(key, entries).await
    }
    async fn entries(&self, key: &str) -> Result<Vec<CursorEntry>, StoreError> {
        self.store.entries(key).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_passes_the_webhooks_message_alone_and_replays_nothing() {
    let (sim, channel, conversation, got) = with_answers(Arc::new(Positions::broken()), &["one", "two", "three"]).await;
    let events = channel.receive(got.last().unwrap().clone()).await.unwrap().events;
    assert_eq!(texts(&events), ["three"]);
    assert_eq!(message_lists(&sim, &conversation), 0, "no listing without a position");
    let polled = channel.poll().await.unwrap();
    assert!(polled.events.is_empty());
    assert_eq!(
        polled.failures.len(),
        1,
        "the conversation is a poll failure, retried next round"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_listing_passes_the_webhooks_message_and_keeps_the_position() {
    let (sim, channel, _conversation, got) = with_answers(Arc::new(MemoryStore::new()), &["one", "two"]).await;
    sim.set_faults("5xx=1".parse::<Faults>().unwrap());
    let events = channel.receive(got[2].clone()).await.unwrap().events;
    assert_eq!(
        texts(&events),
        ["two"],
        "the listing failed: the webhook's message alone"
    );
    drop(events); // released: the position stays
    sim.set_faults(Faults::default());
    assert_eq!(
        texts(&channel.receive(got[2].clone()).await.unwrap().events),
        ["one", "two"]
    );
}

#[test]
fn the_documented_windows() {
    use deskwire_chatlake::channel::{POSITION_TTL, RECONCILE_WINDOW};
    assert_eq!(
        POSITION_TTL,
        Duration::from_secs(90 * 86_400),
        "the crate docs say 90 days"
    );
    assert_eq!(
        RECONCILE_WINDOW,
        Duration::from_secs(86_400),
        "the crate docs say a day"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_conversation_keeps_its_own_position() {
    let (captured, sim) = captured_desk().await;
    let channel = channel(&sim, Arc::new(MemoryStore::new()));
    let mut conversations = Vec::new();
    for who in ["ana", "bob"] {
        let started = channel
            .start_conversation(&Customer::new(who).name(who), &CustomerMessage::text("Hi"))
            .await
            .unwrap();
        conversations.push(started.conversation.id().to_owned());
    }
    // Bob's answer gets a lower id than Ana's second one.
    sim.agent_message(&conversations[0], "ana 1").await.unwrap();
    sim.agent_message(&conversations[1], "bob 1").await.unwrap();
    sim.agent_message(&conversations[0], "ana 2").await.unwrap();
    let got = deliveries(&captured, 5).await;
    commit_all(channel.receive(got[4].clone()).await.unwrap().events)
        .await
        .unwrap();
    // Ana's position is past Bob's message id; Bob's conversation still passes it.
    assert_eq!(texts(&channel.receive(got[3].clone()).await.unwrap().events), ["bob 1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gap_is_read_up_to_the_webhooks_message_not_past_it() {
    let answers: Vec<String> = (0..150).map(|j| format!("a{j:03}")).collect();
    let refs: Vec<&str> = answers.iter().map(String::as_str).collect();
    let (sim, channel, conversation, got) = with_answers(Arc::new(MemoryStore::new()), &refs).await;
    // The webhook of the 50th answer: its page (100 after the position) is full, and it is in it.
    let events = channel.receive(got[50].clone()).await.unwrap().events;
    assert_eq!(texts(&events), answers[..50]);
    assert_eq!(
        message_lists(&sim, &conversation),
        1,
        "one page reached it: no second page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_reads_every_conversation_of_its_inbox_in_one_listing_and_no_other_inbox() {
    let (_captured, sim) = captured_desk().await;
    let channel = channel(&sim, Arc::new(MemoryStore::new()));
    // An answered conversation, then 26 newer ones: by last activity it is 27th, past a page.
    let answered = channel
        .start_conversation(&Customer::new("first").name("F"), &CustomerMessage::text("Hi"))
        .await
        .unwrap();
    sim.agent_message(answered.conversation.id(), "for the first")
        .await
        .unwrap();
    for i in 0..26 {
        channel
            .start_conversation(&Customer::new(format!("c{i}")).name("C"), &CustomerMessage::text("Hi"))
            .await
            .unwrap();
    }
    // Another inbox of the account, with an answered conversation of its own.
    let api = api(&sim);
    let other_inbox = api
        .create_api_inbox(&deskwire_chatlake::wire::NewApiInbox::new("Other"))
        .await
        .unwrap()
        .id
        .expect("the new inbox's id");
    let other = ChatlakeChannel::new(api, other_inbox)
        .start_conversation(&Customer::new("x").name("X"), &CustomerMessage::text("Hi"))
        .await
        .unwrap();
    sim.agent_message(other.conversation.id(), "another inbox")
        .await
        .unwrap();
    let before = conversation_lists(&sim);
    let polled = channel.poll().await.unwrap();
    assert_eq!(texts(&polled.events), ["for the first"]);
    assert_eq!(
        conversation_lists(&sim),
        before + 1,
        "updated_within answers every match at once"
    );
}

fn conversation_lists(sim: &Sim) -> usize {
    sim.exchanges()
        .into_iter()
        .filter(|e| e.method == "GET" && e.path.ends_with("/conversations"))
        .count()
}

/// The conversation and message actions the client sends, served by the simulator as
/// Chatwoot's controllers serve them (konversio-org/konversio 88ffa329): what the client reads
/// back is what the server answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversation_and_message_actions_round_trip_on_the_simulator() {
    use deskwire_chatlake::wire::{Assignment, MessageStatus, Priority, StatusUpdate};
    let (sim, _channel, conversation, _) = with_answers(Arc::new(MemoryStore::new()), &["answer"]).await;
    let api = api(&sim);
    let id: u64 = conversation.parse().unwrap();
    api.toggle_priority(id, Some(&Priority::High)).await.unwrap();
    api.toggle_typing_status(id, true, None).await.unwrap();
    let agent = api.assign(id, Assignment::Agent(1)).await.unwrap();
    assert_eq!(agent["id"], 1);
    assert!(
        api.assign(id, Assignment::Agent(999)).await.unwrap().is_null(),
        "unknown: unassigned"
    );
    assert_eq!(
        api.set_labels(id, &["vip", "billing"]).await.unwrap(),
        ["vip", "billing"]
    );
    let mut attributes = serde_json::Map::new();
    attributes.insert("plan".into(), serde_json::json!("gold"));
    assert_eq!(api.set_custom_attributes(id, &attributes).await.unwrap(), attributes);
    let shown = api.get_conversation(id).await.unwrap();
    assert_eq!(shown.priority, Some(Priority::High));
    assert_eq!(
        shown.labels.as_deref(),
        Some(&["vip".to_owned(), "billing".to_owned()][..])
    );
    let listed = api.list_messages(id, Default::default()).await.unwrap().payload;
    let message = listed.last().unwrap().id;
    let failed = StatusUpdate::failed("gateway down");
    let updated = api.update_message_status(id, message, &failed).await.unwrap();
    assert_eq!(updated.status, Some(MessageStatus::Failed));
    let deleted = api.delete_message(id, message).await.unwrap();
    assert_eq!(deleted.content.as_deref(), Some("This message was deleted"));
    assert_eq!(deleted.content_attributes.unwrap()["deleted"], true);
}

#[tokio::test]
async fn with_backfill_an_authentic_delivery_is_accepted_at_once_and_a_forged_one_refused() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (_, channel, _, got) = with_answers(store, &["answer"]).await;
    let delivery = got.last().unwrap().clone();
    assert!(matches!(
        channel.accept(&delivery).await.unwrap(),
        Acceptance::Now(response) if response.status == 200 && response.body.is_empty()
    ));
    let mut forged = delivery.clone();
    forged.body = bytes::Bytes::from(String::from_utf8_lossy(&delivery.body).replace("answer", "forged"));
    let refused = channel.accept(&forged).await.unwrap_err();
    assert_eq!(refused.inbound_response().status, 401, "{refused}");
    // Without backfill nothing would list it again: the answer waits for the handling.
    let (_, sim) = captured_desk().await;
    let credential = |key: &str| sim.credential(key).unwrap();
    let plain = ChatlakeChannel::new(api(&sim), credential("inbox_id").parse().unwrap())
        .webhooks(WebhookVerifier::new(&Secret::new(credential("webhook_secret"))).unwrap());
    assert_eq!(plain.accept(&delivery).await.unwrap(), Acceptance::AfterHandling);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_reads_only_the_conversations_with_news() {
    let (_captured, sim) = captured_desk().await;
    let store = Arc::new(Positions::default());
    let channel = channel(&sim, Arc::clone(&store) as Arc<dyn Store>);
    let mut conversations = Vec::new();
    for i in 0..30 {
        let started = channel
            .start_conversation(&Customer::new(format!("c{i}")).name("C"), &CustomerMessage::text("Hi"))
            .await
            .unwrap();
        conversations.push(started.conversation.id().to_owned());
    }
    commit_all(channel.poll().await.unwrap().events).await.unwrap();
    let all_lists = |sim: &Sim| {
        sim.exchanges()
            .into_iter()
            .filter(|e| e.method == "GET" && e.path.ends_with("/messages"))
            .count()
    };
    let before = all_lists(&sim);
    let reads = store.reads();
    commit_all(channel.poll().await.unwrap().events).await.unwrap();
    assert_eq!(
        store.reads() - reads,
        30,
        "each position read once more: it moved since"
    );
    let reads = store.reads();
    assert!(channel.poll().await.unwrap().events.is_empty());
    assert_eq!(
        store.reads(),
        reads,
        "known to be read to their last message: the store is not asked"
    );
    assert_eq!(all_lists(&sim), before, "nor the desk");
    // One conversation has news; the 29 others were read up to their last message. News seen
    // for the first time may be a webhook on its way: it is read at the next poll.
    sim.agent_message(&conversations[7], "news").await.unwrap();
    assert!(
        channel.poll().await.unwrap().events.is_empty(),
        "first seen: left to its webhook"
    );
    assert_eq!(all_lists(&sim), before);
    let polled = channel.poll().await.unwrap();
    assert_eq!(texts(&polled.events), ["news"], "still news: read");
    assert_eq!(
        all_lists(&sim) - before,
        1,
        "the listing shows each one's last message: only the one with news is read"
    );
}
