//! Outgoing requests — webhooks, return webhooks, calls to the user's endpoint — through the
//! delivery faults: dropped, duplicated, delayed, reordered.
//!
//! One worker sends them in the order they were queued, each once (no retry: Chatwoot sends an
//! API-inbox webhook once with a 5 s timeout), unless a fault says otherwise. A delayed delivery
//! is sent by a task of its own, so later ones overtake it; a reordered one is held back until
//! the next one has gone (or 300 ms have passed with nothing else to send).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use tokio::sync::{mpsc, oneshot};

use crate::faults::{Dice, Fault};
use crate::journal::{Direction, Entry, Journal};

/// How long a held-back delivery waits for one to overtake it.
const HOLD: Duration = Duration::from_millis(300);

/// The answer to a delivery: status, headers and body, or why there was none.
pub(crate) type Answer = Result<(u16, HeaderMap, Bytes), String>;

/// One outgoing request.
#[derive(Debug)]
pub(crate) struct Delivery {
    pub(crate) url: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) summary: Option<String>,
    pub(crate) timeout: Duration,
    /// Where the first answer goes, for a caller that reads it (the endpoint calls).
    pub(crate) answer: Option<oneshot::Sender<Answer>>,
}

/// The faults a delivery meets, rolled when it is queued (so a change of faults afterwards
/// does not reach it, and the order of queuing decides the draws).
#[derive(Debug, Clone, Copy, Default)]
struct Plan {
    drop: bool,
    reorder: bool,
    duplicate: bool,
    delay: Option<Duration>,
}

impl Plan {
    fn roll(dice: &Dice) -> Self {
        if dice.roll(Fault::Drop) {
            return Self {
                drop: true,
                ..Self::default()
            };
        }
        let reorder = dice.roll(Fault::Reorder);
        let duplicate = dice.roll(Fault::Duplicate);
        let delay = dice.roll(Fault::Delay).then(|| dice.delay());
        Self {
            drop: false,
            reorder,
            duplicate,
            delay,
        }
    }
}

/// The queue of outgoing requests.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    queue: mpsc::UnboundedSender<(Delivery, Plan)>,
    dice: Arc<Dice>,
}

impl Outbox {
    /// An outbox whose worker sends through `dice`'s faults and records in `journal`.
    pub(crate) fn start(journal: Arc<Journal>, dice: Arc<Dice>) -> Self {
        let (queue, jobs) = mpsc::unbounded_channel();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        tokio::spawn(work(jobs, Sender { client, journal }));
        Self { queue, dice }
    }

    /// Queues `delivery`.
    pub(crate) fn send(&self, delivery: Delivery) {
        let plan = Plan::roll(&self.dice);
        if let Err(refused) = self.queue.send((delivery, plan)) {
            if let Some(answer) = (refused.0).0.answer {
                let _ = answer.send(Err("the simulator is stopping".into()));
            }
        }
    }

    /// Queues `delivery` and waits for its answer.
    pub(crate) async fn call(&self, delivery: Delivery) -> Answer {
        self.queue(delivery).await
    }

    /// Queues `delivery` now (its faults are rolled now) and hands back its answer to come.
    pub(crate) fn queue(&self, mut delivery: Delivery) -> impl std::future::Future<Output = Answer> + Send + 'static {
        let (tx, rx) = oneshot::channel();
        delivery.answer = Some(tx);
        self.send(delivery);
        async move { rx.await.unwrap_or_else(|_| Err("not delivered (dropped)".into())) }
    }
}

#[derive(Debug, Clone)]
struct Sender {
    client: reqwest::Client,
    journal: Arc<Journal>,
}

impl Sender {
    async fn post(&self, delivery: &Delivery, fault: Option<Fault>) -> Answer {
        let answer = async {
            let response = self
                .client
                .post(&delivery.url)
                .headers(delivery.headers.clone())
                .body(delivery.body.clone())
                .timeout(delivery.timeout)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(|e| e.to_string())?;
            Ok((status, headers, body))
        }
        .await;
        self.record(delivery, answer.as_ref().ok().map(|a| a.0), fault);
        answer
    }

    fn record(&self, delivery: &Delivery, status: Option<u16>, fault: Option<Fault>) {
        let path = reqwest::Url::parse(&delivery.url)
            .map(|u| u.path().to_owned())
            .unwrap_or_else(|_| delivery.url.clone());
        self.journal.record(Entry {
            direction: Direction::Out,
            method: "POST".into(),
            path,
            status,
            summary: delivery.summary.clone(),
            fault: fault.map(|f| f.key().to_owned()),
        });
    }

    /// Sends `delivery`, twice when `duplicate`; the first answer goes to its caller.
    async fn deliver(&self, mut delivery: Delivery, duplicate: bool, fault: Option<Fault>) {
        let answer = self.post(&delivery, fault).await;
        if duplicate {
            let _ = self.post(&delivery, Some(Fault::Duplicate)).await;
        }
        if let Some(tx) = delivery.answer.take() {
            let _ = tx.send(answer);
        }
    }
}

async fn work(mut jobs: mpsc::UnboundedReceiver<(Delivery, Plan)>, sender: Sender) {
    let mut held: Option<Delivery> = None;
    loop {
        let next = match held {
            Some(_) => match tokio::time::timeout(HOLD, jobs.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    if let Some(late) = held.take() {
                        sender.deliver(late, false, Some(Fault::Reorder)).await;
                    }
                    continue;
                }
            },
            None => jobs.recv().await,
        };
        let Some((delivery, plan)) = next else { break };
        if plan.drop {
            sender.record(&delivery, None, Some(Fault::Drop));
            continue;
        }
        if plan.reorder && held.is_none() {
            held = Some(delivery);
            continue;
        }
        if let Some(wait) = plan.delay {
            let sender = sender.clone();
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                sender.deliver(delivery, plan.duplicate, Some(Fault::Delay)).await;
            });
        } else {
            sender.deliver(delivery, plan.duplicate, None).await;
        }
        if let Some(late) = held.take() {
            sender.deliver(late, false, Some(Fault::Reorder)).await;
        }
    }
    if let Some(late) = held.take() {
        sender.deliver(late, false, Some(Fault::Reorder)).await;
    }
}
