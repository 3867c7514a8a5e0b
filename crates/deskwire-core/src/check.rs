//! Checks every provider crate runs before sending, written once.

use crate::error::{ValidationError, ValidationProblem};

/// `value` must hold something besides whitespace.
///
/// ```
/// use deskwire_core::check::non_empty;
/// assert!(non_empty("text", "hi").is_ok());
/// assert_eq!(non_empty("text", " \n").unwrap_err().to_string(), "invalid `text`: must not be empty; nothing was sent");
/// ```
pub fn non_empty(field: impl Into<String>, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, ValidationProblem::Empty));
    }
    Ok(())
}

/// `value` must be an absolute `http` or `https` URL with a host. Nothing more is asked (no
/// character rules, no length): a client-side check must not refuse what a provider accepts,
/// and providers document the scheme only.
///
/// ```
/// use deskwire_core::check::http_url;
/// assert!(http_url("url", "https://example.com/a b?c=é").is_ok());
/// assert!(http_url("url", "HTTP://example.com").is_ok());
/// for bad in ["ftp://example.com", "https://", "example.com", "https:///x", ""] {
///     assert!(http_url("url", bad).is_err(), "{bad}");
/// }
/// ```
pub fn http_url(field: impl Into<String>, value: &str) -> Result<(), ValidationError> {
    let value = value.trim();
    let rest = ["https://", "http://"].iter().find_map(|scheme| {
        value
            .get(..scheme.len())
            .filter(|prefix| prefix.eq_ignore_ascii_case(scheme))
            .map(|_| &value[scheme.len()..])
    });
    let problem = match rest {
        None => "must be an http or https URL",
        Some(rest) if rest.split(['/', '?', '#']).next().is_none_or(str::is_empty) => "the URL has no host",
        Some(_) => return Ok(()),
    };
    Err(ValidationError::new(field, ValidationProblem::Invalid(problem.into())))
}
