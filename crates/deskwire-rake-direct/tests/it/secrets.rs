//! The workspace secret is in the body and nowhere else.

use std::io::Write;
use std::sync::{Arc, Mutex};

use deskwire_rake_direct::wire::{Contact, Outbound, PlatformId};
use tracing_subscriber::fmt::MakeWriter;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, SECRET};

#[derive(Debug, Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_secret_travels_in_the_body_and_nowhere_else() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // Rake refuses and, worst case, echoes the request back.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(400).set_body_string(format!(r#"{{"error":"bad request","secret":"{SECRET}"}}"#)),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let request = Outbound::transactional(PlatformId::Sms, Contact::phone("123456789012"), "Hi").into();
    let prepared = client.prepare(&request).unwrap();
    let err = client.send_prepared(&prepared).await.unwrap_err();

    let received = server.received_requests().await.unwrap();
    let wire = &received[0];
    let body: serde_json::Value = serde_json::from_slice(&wire.body).unwrap();
    assert_eq!(body["secret"], SECRET, "the secret is in the body");
    for (name, value) in wire.headers.iter() {
        assert!(
            !value.as_bytes().windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "header {name}"
        );
    }
    assert!(!wire.url.as_str().contains(SECRET));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("rake_direct.send"), "the span is traced: {logs}");
    assert!(
        err.to_string().contains(r#""secret":"***""#),
        "the echoed secret is masked: {err}"
    );
    for text in [
        logs.as_str(),
        &err.to_string(),
        &format!("{err:?}"),
        &format!("{client:?}"),
        &format!("{prepared:?}"),
        &format!("{request:?}"),
    ] {
        assert!(!text.contains(SECRET), "secret leaked into: {text}");
    }
}
