//! `inbound`: one axum app that receives from every desk, each inbound side mounted in one
//! line, every delivery checked before it is decoded, and every verified delivery handed to one
//! queue. Its tests (`tests/app.rs`) sign requests with the crates' public signers, exactly as
//! each desk sends them.
//!
//! | path | desk | checked by |
//! |-|-|-|
//! | `/engage-digital` | Engage Digital's polling requests (an agent's reply is `messages.create`) | `X-SMCCSDK-SIGNATURE` with the channel's API access token |
//! | `/chatwoot` | a Chatwoot (Chatlake) API inbox webhook | `X-Chatwoot-Signature` with the webhook's secret, 300 s window |
//! | `/rake-direct` | Rake Direct's return webhook | the proof you configured, with the `returnWebhookSecret` |
//! | `/directly` | Directly's Universal Connector | the proof you configured on the connector |

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::Router;
use deskwire_chatlake::inbound::{WebhookDelivery, WebhookVerifier};
use deskwire_core::axum::Routes;
use deskwire_core::verify::{EmptySecret, Proof};
use deskwire_core::Secret;
use deskwire_directly::inbound::{ConnectorEvent, ConnectorReceiver};
use deskwire_engage_digital::inbound::{
    ActionError, Create, Endpoint, ImplementationInfo, List, ObjectName, Resource, SdkOption, Source,
};
use deskwire_engage_digital::wire::Operation;
use deskwire_rake_direct::inbound::{ReturnDelivery, ReturnWebhookVerifier};
use tokio::sync::mpsc;

/// The header Rake Direct's deliveries carry the `returnWebhookSecret` in. How Rake proves a
/// delivery is undocumented: this is the proof this app configured (see the crate docs of
/// `deskwire-rake-direct`).
pub const RAKE_SECRET_HEADER: &str = "x-rake-secret";
/// The header the Directly connector was configured to sign its body into (HMAC-SHA256).
pub const DIRECTLY_SIGNATURE_HEADER: &str = "x-connector-signature";
/// The largest webhook body accepted (the desks' webhooks are small; Engage Digital keeps its own
/// 20 MiB limit).
pub const WEBHOOK_BODY_LIMIT: usize = 1 << 20;

/// The secrets each desk shares with this app.
#[derive(Debug, Clone)]
pub struct Secrets {
    /// Engage Digital: the channel's API access token.
    pub engage_digital: Secret,
    /// Chatwoot: the API inbox webhook's secret.
    pub chatwoot: Secret,
    /// Rake Direct: the `returnWebhookSecret` sent when opening sessions.
    pub rake_direct: Secret,
    /// Directly: the connector's secret.
    pub directly: Secret,
}

/// A verified delivery, from whichever desk.
#[derive(Debug)]
pub enum Delivery {
    /// An Engage Digital agent's reply (`messages.create`).
    EngageDigital(Create),
    /// A Chatwoot webhook.
    Chatwoot(Box<WebhookDelivery>),
    /// A Rake Direct return-webhook delivery.
    RakeDirect(ReturnDelivery),
    /// A Directly connector event.
    Directly(ConnectorEvent),
}

/// The app: every desk's inbound side, one line each. Verified deliveries go to `deliveries`;
/// when it is full the desk waits, when it is closed the desk gets `500`.
pub fn app(secrets: &Secrets, deliveries: mpsc::Sender<Delivery>) -> Result<Router, EmptySecret> {
    let engage = Arc::new(Endpoint::new(
        &secrets.engage_digital,
        Desk {
            queue: deliveries.clone(),
            created: AtomicU64::new(0),
        },
    )?);
    let chatwoot = WebhookVerifier::new(&secrets.chatwoot)?;
    let rake = ReturnWebhookVerifier::new(Proof::shared_secret(RAKE_SECRET_HEADER), [&secrets.rake_direct])?;
    let directly = ConnectorReceiver::new(Proof::hmac_sha256(DIRECTLY_SIGNATURE_HEADER, ""), [&secrets.directly])?;
    let hooks = Routes::new().body_limit(WEBHOOK_BODY_LIMIT);
    Ok(Router::new()
        .nest(
            "/engage-digital",
            deskwire_engage_digital::inbound::axum::router(engage),
        )
        .nest(
            "/chatwoot",
            hooks.webhook(chatwoot, into(&deliveries, |d| Delivery::Chatwoot(Box::new(d)))),
        )
        .nest(
            "/rake-direct",
            hooks.webhook(rake, into(&deliveries, Delivery::RakeDirect)),
        )
        .nest(
            "/directly",
            hooks.webhook(directly, into(&deliveries, Delivery::Directly)),
        ))
}

/// A sink that wraps each verified delivery and queues it.
fn into<T: Send + 'static>(
    queue: &mpsc::Sender<Delivery>,
    wrap: fn(T) -> Delivery,
) -> impl deskwire_core::axum::Sink<T> {
    let queue = queue.clone();
    move |item: T| {
        let queue = queue.clone();
        async move { queue.send(wrap(item)).await }
    }
}

/// The Engage Digital source: messages are created by agents; nothing is listed.
#[derive(Debug)]
struct Desk {
    queue: mpsc::Sender<Delivery>,
    created: AtomicU64,
}

impl Source for Desk {
    async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
        ImplementationInfo::builder()
            .object(ObjectName::Messages, [Operation::Create, Operation::List])
            .option(SdkOption::MessagesText)
            .build()
            .map_err(|e| ActionError::Unavailable(e.to_string()))
    }

    async fn list(&self, _request: List) -> Result<Vec<Resource>, ActionError> {
        Ok(Vec::new())
    }

    async fn create(&self, request: Create) -> Result<Resource, ActionError> {
        let id = format!("reply-{}", self.created.fetch_add(1, Ordering::Relaxed) + 1);
        self.queue
            .send(Delivery::EngageDigital(request))
            .await
            .map_err(|_| ActionError::Unavailable("the queue is closed".into()))?;
        Ok(Resource::id_only(id))
    }
}
