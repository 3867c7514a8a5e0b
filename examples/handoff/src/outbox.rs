//! The durable outbox of production mode (`--redis`): each agent answer is appended to a Redis
//! Stream (`XADD`) before its event is committed, so an answer the desk sent reaches the
//! customer side once a replica took it, whatever happens to that replica afterwards.
//!
//! One stream per tenant (here: per desk, `deskwire:outbox:<provider>`); each entry holds the
//! conversation's stored reference, the desk's message id, the text and the replica that
//! wrote it. A customer front end reads it with `XREAD` (the soak's driver does).

use deskwire_core::channel::DeskEvent;
use redis::aio::ConnectionManager;

/// Appends agent answers to a tenant's stream.
#[derive(Clone)]
pub struct Outbox {
    connection: ConnectionManager,
    stream: String,
    replica: String,
}

impl Outbox {
    /// The stream of `provider`'s desk on the Redis at `url`, written by `replica`.
    pub async fn connect(url: &str, provider: &str, replica: &str) -> redis::RedisResult<Self> {
        let connection = ConnectionManager::new(redis::Client::open(url)?).await?;
        Ok(Self {
            connection,
            stream: stream_of(provider),
            replica: replica.to_owned(),
        })
    }

    /// Takes `event`: an agent's message is appended to the stream (and only then is the
    /// event committed by the caller); any other event is taken as it is.
    pub async fn take(&self, event: &DeskEvent) -> redis::RedisResult<()> {
        let DeskEvent::Message(message) = event else {
            return Ok(());
        };
        let mut connection = self.connection.clone();
        redis::cmd("XADD")
            .arg(&self.stream)
            .arg("*")
            .arg("conversation")
            .arg(message.conversation().to_string())
            .arg("message")
            .arg(&message.id.id)
            .arg("text")
            .arg(&message.text)
            .arg("replica")
            .arg(&self.replica)
            .query_async::<String>(&mut connection)
            .await
            .map(|_| ())
    }
}

/// The stream of `provider`'s desk.
pub fn stream_of(provider: &str) -> String {
    format!("deskwire:outbox:{provider}")
}
