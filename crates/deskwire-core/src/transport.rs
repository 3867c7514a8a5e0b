//! HTTP transport settings shared by every provider client, and the mapping of transport
//! failures to [`TransportError`] (URL stripped, [`Delivery`](crate::Delivery) decided).

use std::time::{Duration, SystemTime};

use crate::error::{TransportError, TransportErrorKind};

/// Settings for the HTTP client a provider client builds. TLS is always rustls. (The base URL
/// is not a transport setting: it is [`ClientConfig::base_url`](crate::engine::ClientConfig),
/// set by every builder's `base_url`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportConfig {
    /// Time allowed to open the connection.
    pub connect_timeout: Duration,
    /// Time allowed for the whole request, answer included.
    pub timeout: Duration,
    /// `User-Agent` header sent with every request.
    pub user_agent: String,
}

impl Default for TransportConfig {
    /// 10 s to connect, 30 s per request, `deskwire/<version>`.
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            user_agent: concat!("deskwire/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl TransportConfig {
    /// Sets the whole-request `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the `user_agent`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds a `reqwest` client with these settings.
    pub fn build_client(&self) -> Result<reqwest::Client, TransportError> {
        reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(&self.user_agent)
            .build()
            .map_err(transport_error)
    }
}

/// Converts a `reqwest` error, dropping the URL from its text (`reqwest::Error::without_url`)
/// and keeping the causes, which carry the useful part ("connection refused", "dns error").
pub fn transport_error(error: reqwest::Error) -> TransportError {
    let kind = if error.is_builder() {
        TransportErrorKind::Build
    } else if error.is_connect() {
        TransportErrorKind::Connect
    } else if error.is_timeout() {
        TransportErrorKind::Timeout
    } else {
        TransportErrorKind::Interrupted
    };
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    TransportError::new(kind, message)
}

/// `base` (an http or https URL, with or without a trailing `/`) with `segments` appended, each
/// percent-encoded as one path segment. The error text says what is wrong with `base`.
///
/// ```
/// use deskwire_core::transport::endpoint_url;
/// let url = endpoint_url("https://x.example/proxy/", &["workspaces", "a b", "rake-direct"]).unwrap();
/// assert_eq!(url.as_str(), "https://x.example/proxy/workspaces/a%20b/rake-direct");
/// assert!(endpoint_url("ftp://x.example", &["a"]).is_err());
/// ```
pub fn endpoint_url(base: &str, segments: &[&str]) -> Result<url::Url, String> {
    let mut url = url::Url::parse(base).map_err(|e| format!("`{base}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{base}` is not an http(s) URL"));
    }
    url.path_segments_mut()
        .map_err(|()| format!("`{base}` cannot be a base URL"))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// What one HTTP attempt brought back: the status, a parsed `Retry-After`, the server's `Date`,
/// the whole body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The `Retry-After` delay, when the header is present and readable.
    pub retry_after: Option<Duration>,
    /// The server's clock (`Date` header), when present and readable: pollers take their next
    /// cursor from it rather than from the local clock.
    pub date: Option<SystemTime>,
    /// The body, read whole.
    pub body: bytes::Bytes,
}

/// Sends `request` and reads the whole answer. Any failure, sending or reading the body, is a
/// [`TransportError`] without the URL.
pub async fn execute(request: reqwest::RequestBuilder) -> Result<Answer, TransportError> {
    let response = request.send().await.map_err(transport_error)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    let date = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    let body = response.bytes().await.map_err(transport_error)?;
    Ok(Answer {
        status,
        retry_after,
        date,
        body,
    })
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (relative to `now`).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[tokio::test]
    async fn connect_failure_is_not_sent_and_hides_the_url() {
        let client = TransportConfig::default().build_client().unwrap();
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let err = client
            .get("http://127.0.0.1:1/x?token=SECRET-IN-URL")
            .send()
            .await
            .unwrap_err();
        let mapped = transport_error(err);
        assert_eq!(mapped.kind, TransportErrorKind::Connect);
        assert!(!mapped.message.contains("SECRET-IN-URL"), "{}", mapped.message);
        assert!(!mapped.to_string().contains("127.0.0.1:1/x"), "{mapped}");
        assert!(mapped.to_string().ends_with("nothing was sent"), "{mapped}");
    }
}
