//! The failures acknowledgement exists for, through `channel_router` and `Deduplicated`: a sink
//! that fails once, a restart after a poll, a desk hanging up behind a slow sink. The first two
//! were written against the API before acknowledgements and failed there; the third fails when
//! the route awaits the handling in the request's own future. The fourth, a channel that accepts
//! at once, fails when the route answers only after the sink.

use std::sync::{Arc, Mutex};

use deskwire_core::channel::*;
use deskwire_core::store::{MemoryStore, Store};
use http::StatusCode;

/// A desk whose webhook body is the text of one agent message in conversation "1", id = text,
/// and whose poll hands out a scripted list with an empty cursor, as Chatlake's reconcile does.
#[derive(Debug, Default)]
struct Desk {
    polls: Mutex<Vec<Vec<&'static str>>>,
    /// Accepts a delivery at once (as a desk that never redelivers, with backfill); a body of
    /// "forged" is refused.
    answers_at_once: bool,
}

fn message(id: &str) -> DeskEvent {
    DeskEvent::Message(DeskMessage::new(
        DeskMessageRef::new(ConversationRef::new("desk", "1"), id),
        Role::Agent,
        id,
    ))
}

#[async_trait]
impl Channel for Desk {
    fn provider(&self) -> &'static str {
        "desk"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::none().with(Operation::Receive).with(Operation::Poll)
    }
    async fn start_conversation(&self, _: &Customer, _: &CustomerMessage) -> Result<Started, ChannelError> {
        Err(ChannelError::unsupported("desk", Operation::StartConversation))
    }
    async fn send(&self, _: &ConversationRef, _: &CustomerMessage) -> Result<Sent, ChannelError> {
        Err(ChannelError::unsupported("desk", Operation::Send))
    }
    async fn accept(&self, request: &InboundRequest) -> Result<Acceptance, ChannelError> {
        if &request.body[..] == b"forged" {
            return Err(ChannelError::refused(
                "desk",
                &deskwire_core::verify::ProofError::Mismatch,
            ));
        }
        Ok(match self.answers_at_once {
            true => Acceptance::Now(InboundResponse::text(StatusCode::ACCEPTED, "queued")),
            false => Acceptance::AfterHandling,
        })
    }
    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        let id = String::from_utf8_lossy(&request.body).into_owned();
        Ok(Received::new(
            vec![message(&id)],
            InboundResponse::empty(StatusCode::OK),
        ))
    }
    async fn poll(&self) -> Result<Polled, ChannelError> {
        let next = self.polls.lock().unwrap().pop().unwrap_or_default();
        Ok(Polled::new(
            next.into_iter().map(message).collect(),
            Vec::new(),
            Cursor::new(""),
        ))
    }
}

#[tokio::test]
async fn a_redelivery_after_the_sink_failed_reaches_the_application() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let channel: Arc<dyn Channel> = Arc::new(Deduplicated::new(Desk::default(), store));
    let taken = Arc::new(Mutex::new(Vec::new()));
    let fail_once = Arc::new(Mutex::new(true));
    let sink = {
        let taken = Arc::clone(&taken);
        move |event: DeskEvent| {
            let fail = std::mem::replace(&mut *fail_once.lock().unwrap(), false);
            if !fail {
                taken.lock().unwrap().push(event);
            }
            async move {
                if fail {
                    Err("the outbox is down")
                } else {
                    Ok(())
                }
            }
        }
    };
    let app = deskwire_core::axum::channel_router(channel, sink);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();
    let first = client.post(&url).body("m1").send().await.unwrap();
    assert_eq!(first.status(), 500, "the sink failed: the desk is asked to redeliver");
    let again = client.post(&url).body("m1").send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(
        taken.lock().unwrap().as_slice(),
        [message("m1")],
        "the redelivery reached the sink"
    );
}

#[tokio::test]
async fn polling_resumes_after_a_restart_on_a_kept_store() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = Deduplicated::new(Desk::default(), Arc::clone(&store));
    first.poll().await.unwrap();
    let second = Deduplicated::new(Desk::default(), store);
    second.poll().await.expect("the second instance polls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_hanging_up_behind_a_slow_sink_cancels_nothing() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let channel: Arc<dyn Channel> = Arc::new(Deduplicated::new(Desk::default(), store));
    let taken = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let taken = Arc::clone(&taken);
        move |event: DeskEvent| {
            let taken = Arc::clone(&taken);
            async move {
                // A durable write slower than the desk's patience.
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                taken.lock().unwrap().push(event);
                Ok::<(), std::io::Error>(())
            }
        }
    };
    let app = deskwire_core::axum::channel_router(channel, sink);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(50))
        .build()
        .unwrap();
    assert!(
        impatient.post(&url).body("m1").send().await.is_err(),
        "the desk hung up"
    );
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(taken.lock().unwrap().as_slice(), [message("m1")], "handled to the end");
    // And committed: the desk's redelivery is not handed over again.
    let again = reqwest::Client::new().post(&url).body("m1").send().await.unwrap();
    assert_eq!(again.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(taken.lock().unwrap().len(), 1, "once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_that_accepts_at_once_is_answered_before_its_slow_sink() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let desk = Desk {
        answers_at_once: true,
        ..Desk::default()
    };
    let channel: Arc<dyn Channel> = Arc::new(Deduplicated::new(desk, store));
    let taken = Arc::new(Mutex::new(Vec::new()));
    let open = Arc::new(tokio::sync::Semaphore::new(0));
    let sink = {
        let (taken, open) = (Arc::clone(&taken), Arc::clone(&open));
        move |event: DeskEvent| {
            let (taken, open) = (Arc::clone(&taken), Arc::clone(&open));
            async move {
                // A durable write that waits until the test lets it through.
                open.acquire().await.unwrap().forget();
                taken.lock().unwrap().push(event);
                Ok::<(), std::io::Error>(())
            }
        }
    };
    let app = deskwire_core::axum::channel_router(channel, sink);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(2))
        .build()
        .unwrap();
    let forged = client.post(&url).body("forged").send().await.unwrap();
    assert_eq!(forged.status(), 401, "refused before anything is handled");
    let answer = client
        .post(&url)
        .body("m1")
        .send()
        .await
        .expect("answered while the sink still waits");
    assert_eq!(answer.status(), 202);
    assert_eq!(answer.text().await.unwrap(), "queued", "the channel's own answer");
    assert!(taken.lock().unwrap().is_empty());
    open.add_permits(1);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        taken.lock().unwrap().as_slice(),
        [message("m1")],
        "handled after the answer"
    );
    // And committed: the same delivery again is answered, and handed over no more.
    open.add_permits(1);
    assert_eq!(client.post(&url).body("m1").send().await.unwrap().status(), 202);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(taken.lock().unwrap().len(), 1, "once");
}
