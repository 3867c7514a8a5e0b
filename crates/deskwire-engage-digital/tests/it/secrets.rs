//! The access token never reaches logs, errors or `Debug` output.

use std::io::Write;
use std::sync::{Arc, Mutex};

use deskwire_engage_digital::wire::MarkAsRead;
use tracing_subscriber::fmt::MakeWriter;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, TOKEN};

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
async fn token_is_absent_from_traces_errors_and_debug() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.send(&MarkAsRead::new("890")).await.unwrap_err();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("engage_digital.send"), "the span is traced: {logs}");
    assert!(logs.contains("status.mark_as_read"));
    for text in [
        logs.as_str(),
        &err.to_string(),
        &format!("{err:?}"),
        &format!("{client:?}"),
    ] {
        assert!(!text.contains(TOKEN), "token leaked into: {text}");
    }
}
