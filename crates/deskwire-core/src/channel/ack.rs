//! Acknowledgements: every event [`Channel::receive`](super::Channel::receive) and
//! [`Channel::poll`](super::Channel::poll) hand out is an [`Incoming`] that carries its
//! [`Ack`]. The application commits it once it took the event durably, or releases it when it
//! could not; nothing is recorded as seen before that (de-duplication keys, poll cursors,
//! backfill positions all move on commit).
//!
//! An `Ack` dropped without either is released (a task on the current tokio runtime does it);
//! one whose process died is freed when its lease ends. Either way the event comes again: at
//! the desk's redelivery, the next poll, or the next backfill.

use std::sync::Arc;

use super::DeskEvent;
use crate::store::StoreError;

/// What a layer does when the application settles an event. Layers stack: a provider channel
/// adds its own (Chatlake's backfill position), [`Deduplicated`](super::Deduplicated) adds its
/// claim on top.
#[async_trait::async_trait]
pub trait Settle: Send + Sync + std::fmt::Debug {
    /// The application took the event durably.
    async fn commit(&self) -> Result<(), StoreError>;
    /// The application could not take it: let it come again.
    async fn release(&self) -> Result<(), StoreError>;
}

/// The acknowledgement of one [`Incoming`] event. Commit or release it once; dropped unsettled,
/// it is released.
#[derive(Debug, Default)]
#[must_use = "commit the event once it is taken durably, or release it"]
pub struct Ack {
    /// Innermost layer first.
    layers: Vec<Arc<dyn Settle>>,
}

impl Ack {
    /// An acknowledgement with nothing to do (an event nothing was recorded for).
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds a layer; it is committed before the layers already here (the outer layer records
    /// "handled" before an inner position moves past the event, so a crash in between never
    /// loses it) and released with them.
    pub fn on_settle(mut self, layer: Arc<dyn Settle>) -> Self {
        self.layers.push(layer);
        self
    }

    /// Whether settling does anything.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The event was taken durably: every layer records it, outermost first. The first error
    /// stops the commit; the layers not yet committed are released.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let mut layers = std::mem::take(&mut self.layers);
        while let Some(layer) = layers.pop() {
            if let Err(error) = layer.commit().await {
                for rest in layers.into_iter().rev() {
                    let _ = rest.release().await;
                }
                return Err(error);
            }
        }
        Ok(())
    }

    /// The event could not be taken: every layer lets it come again. All layers are released
    /// even when one fails; the first error is returned.
    pub async fn release(mut self) -> Result<(), StoreError> {
        release_all(std::mem::take(&mut self.layers)).await
    }
}

async fn release_all(layers: Vec<Arc<dyn Settle>>) -> Result<(), StoreError> {
    let mut first = Ok(());
    for layer in layers.into_iter().rev() {
        if let Err(error) = layer.release().await {
            if first.is_ok() {
                first = Err(error);
            }
        }
    }
    first
}

impl Drop for Ack {
    fn drop(&mut self) {
        if self.layers.is_empty() {
            return;
        }
        let layers = std::mem::take(&mut self.layers);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(error) = release_all(layers).await {
                        tracing::warn!(%error, "releasing a dropped event failed; it comes again when its lease ends");
                    }
                });
            }
            Err(_) => {
                tracing::warn!("an event was dropped unsettled outside a runtime; it comes again when its lease ends")
            }
        }
    }
}

/// A desk event handed to the application, and its acknowledgement.
///
/// ```
/// # async fn handle(channel: &dyn deskwire_core::channel::Channel) -> Result<(), Box<dyn std::error::Error>> {
/// # async fn outbox(_: &deskwire_core::channel::DeskEvent) -> Result<(), std::io::Error> { Ok(()) }
/// for incoming in channel.poll().await?.events {
///     match outbox(&incoming.event).await {
///         Ok(()) => incoming.commit().await?, // recorded as seen only now
///         Err(_) => incoming.release().await?, // comes again at the next poll
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Incoming {
    /// What the desk did.
    pub event: DeskEvent,
    /// What to do once it is handled.
    pub ack: Ack,
}

impl Incoming {
    /// An event with nothing to acknowledge.
    pub fn new(event: DeskEvent) -> Self {
        Self {
            event,
            ack: Ack::none(),
        }
    }

    /// An event with its acknowledgement.
    pub fn with_ack(event: DeskEvent, ack: Ack) -> Self {
        Self { event, ack }
    }

    /// Adds a layer to the acknowledgement ([`Ack::on_settle`]).
    pub fn on_settle(mut self, layer: Arc<dyn Settle>) -> Self {
        self.ack = std::mem::take(&mut self.ack).on_settle(layer);
        self
    }

    /// [`Ack::commit`].
    pub async fn commit(self) -> Result<(), StoreError> {
        self.ack.commit().await
    }

    /// [`Ack::release`].
    pub async fn release(self) -> Result<(), StoreError> {
        self.ack.release().await
    }
}

impl From<DeskEvent> for Incoming {
    fn from(event: DeskEvent) -> Self {
        Self::new(event)
    }
}

/// Commits every event of `events` and hands them back: for callers that take a whole batch
/// at once (tests, a poller writing everything to one durable queue before it commits).
pub async fn commit_all(events: Vec<Incoming>) -> Result<Vec<DeskEvent>, StoreError> {
    let mut out = Vec::with_capacity(events.len());
    let mut first = Ok(());
    for Incoming { event, ack } in events {
        if let Err(error) = ack.commit().await {
            if first.is_ok() {
                first = Err(error);
            }
        }
        out.push(event);
    }
    first.map(|()| out)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[derive(Debug)]
    struct Log(&'static str, Arc<Mutex<Vec<String>>>, bool);

    #[async_trait::async_trait]
    impl Settle for Log {
        async fn commit(&self) -> Result<(), StoreError> {
            self.1.lock().unwrap().push(format!("commit {}", self.0));
            if self.2 {
                Err(StoreError::Failed("down".into()))
            } else {
                Ok(())
            }
        }
        async fn release(&self) -> Result<(), StoreError> {
            self.1.lock().unwrap().push(format!("release {}", self.0));
            if self.2 {
                Err(StoreError::Failed("down".into()))
            } else {
                Ok(())
            }
        }
    }

    fn ack(log: &Arc<Mutex<Vec<String>>>, failing: &[&'static str]) -> Ack {
        ["inner", "middle", "outer"].into_iter().fold(Ack::none(), |ack, name| {
            ack.on_settle(Arc::new(Log(name, Arc::clone(log), failing.contains(&name))))
        })
    }

    #[tokio::test]
    async fn commit_goes_outermost_first_and_a_failure_releases_the_rest() {
        let log = Arc::default();
        ack(&log, &[]).commit().await.unwrap();
        assert_eq!(*log.lock().unwrap(), ["commit outer", "commit middle", "commit inner"]);
        let log = Arc::default();
        assert!(ack(&log, &["middle"]).commit().await.is_err());
        assert_eq!(*log.lock().unwrap(), ["commit outer", "commit middle", "release inner"]);
    }

    #[tokio::test]
    async fn release_reaches_every_layer_even_past_a_failure() {
        let log = Arc::default();
        assert!(ack(&log, &["outer"]).release().await.is_err());
        assert_eq!(
            *log.lock().unwrap(),
            ["release outer", "release middle", "release inner"]
        );
    }

    #[tokio::test]
    async fn a_dropped_ack_is_released_once_and_a_settled_one_is_not_again() {
        let log = Arc::default();
        drop(ack(&log, &[]));
        for _ in 0..50 {
            if log.lock().unwrap().len() == 3 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(
            *log.lock().unwrap(),
            ["release outer", "release middle", "release inner"]
        );
        let log = Arc::default();
        ack(&log, &[]).commit().await.unwrap();
        tokio::task::yield_now().await;
        assert_eq!(log.lock().unwrap().len(), 3, "nothing released after a commit");
        assert!(Ack::none().is_empty() && !ack(&log, &[]).is_empty());
    }

    #[tokio::test]
    async fn commit_all_commits_each_and_keeps_the_order() {
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let events = ["a", "b"]
            .into_iter()
            .map(|name| {
                Incoming::new(DeskEvent::Other {
                    conversation: None,
                    kind: name.into(),
                    raw: serde_json::Value::Null,
                })
                .on_settle(Arc::new(Log(name, Arc::clone(&log), false)))
            })
            .collect();
        let got = commit_all(events).await.unwrap();
        assert!(
            matches!(&got[..], [DeskEvent::Other { kind: a, .. }, DeskEvent::Other { kind: b, .. }] if a == "a" && b == "b")
        );
        assert_eq!(*log.lock().unwrap(), ["commit a", "commit b"]);
    }
}
