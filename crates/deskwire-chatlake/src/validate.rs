//! Checks run before anything is sent, with the server's own limits: message content length
//! and attachment count, interactive content rules, E.164 phone numbers, attribute sizes,
//! webhook URLs, and status updates whose `external_error` the server would drop.

use deskwire_core::{ValidationError, ValidationProblem};
use serde_json::{Map, Value};

use crate::wire::{
    check_attributes, ContactUpdate, MessageStatus, NewApiInbox, NewContact, NewConversation, NewMessage, StatusUpdate,
    MAX_ATTACHMENTS, MAX_CONTENT_CHARS,
};

/// Longest string value of a conversation attribute.
pub const MAX_ATTRIBUTE_CHARS: usize = 1500;
/// Largest integer value of a conversation attribute.
pub const MAX_ATTRIBUTE_INT: i64 = 9_999_999_999;
/// Longest `webhook_url`.
pub const MAX_URL_CHARS: usize = 2048;

fn invalid(field: impl Into<String>, why: impl Into<String>) -> ValidationError {
    ValidationError::new(field, ValidationProblem::Invalid(why.into()))
}

/// A message: content ≤ 150,000 characters, ≤ 15 attachments, interactive content by the
/// server's rules.
pub fn message(message: &NewMessage) -> Result<(), ValidationError> {
    if let Some(content) = &message.content {
        let chars = content.chars().count();
        if chars > MAX_CONTENT_CHARS {
            return Err(ValidationError::new(
                "content",
                ValidationProblem::TooLong {
                    max: MAX_CONTENT_CHARS,
                    actual: chars,
                },
            ));
        }
    }
    if message.attachments.len() > MAX_ATTACHMENTS {
        return Err(ValidationError::new(
            "attachments",
            ValidationProblem::TooMany {
                max: MAX_ATTACHMENTS,
                actual: message.attachments.len(),
            },
        ));
    }
    if let Some(content_type) = &message.content_type {
        check_attributes(content_type, message.content_attributes.as_ref())?;
    }
    Ok(())
}

/// `+` then 2 to 15 digits, the first not 0: E.164 itself. The server is more lenient (see
/// [`phone_number`]); this is for callers who want the strict form.
pub fn is_e164(phone: &str) -> bool {
    phone.strip_prefix('+').is_some_and(is_e164_digits)
}

fn is_e164_digits(digits: &str) -> bool {
    (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

/// What the server's contact validation accepts as a phone number: a blank value (that is how
/// a number is cleared), or any text that **ends** in `+`, a digit 1–9 and 1 to 14 more
/// digits. Chatwoot's pattern `/\+[1-9]\d{1,14}\z/` is anchored at the end only, so
/// `tel:+15550001` passes too (chatwoot/chatwoot `app/models/contact.rb`, tag v4.13.0).
pub fn is_accepted_phone(phone: &str) -> bool {
    if phone.chars().all(char::is_whitespace) {
        return true;
    }
    // Only the last `+` can start a match: digits alone follow it up to the end.
    phone.rsplit_once('+').is_some_and(|(_, digits)| is_e164_digits(digits))
}

/// A phone number, when given, must be one the server accepts ([`is_accepted_phone`]).
pub fn phone_number(field: &str, phone: Option<&str>) -> Result<(), ValidationError> {
    match phone {
        Some(p) if !is_accepted_phone(p) => Err(invalid(
            field,
            format!("`{p}` does not end in an E.164 number (`+` and up to 15 digits); send \"\" to clear it"),
        )),
        _ => Ok(()),
    }
}

/// A new contact.
pub fn new_contact(contact: &NewContact) -> Result<(), ValidationError> {
    phone_number("phone_number", contact.phone_number.as_deref())
}

/// A contact update.
pub fn contact_update(update: &ContactUpdate) -> Result<(), ValidationError> {
    phone_number("phone_number", update.phone_number.as_deref())
}

/// Conversation attributes: strings ≤ 1500 characters, integers ≤ 9,999,999,999.
pub fn attributes(field: &str, attributes: &Map<String, Value>) -> Result<(), ValidationError> {
    for (key, value) in attributes {
        match value {
            Value::String(s) if s.chars().count() > MAX_ATTRIBUTE_CHARS => {
                return Err(ValidationError::new(
                    format!("{field}.{key}"),
                    ValidationProblem::TooLong {
                        max: MAX_ATTRIBUTE_CHARS,
                        actual: s.chars().count(),
                    },
                ))
            }
            Value::Number(n)
                if n.as_i64().is_some_and(|i| i > MAX_ATTRIBUTE_INT) || n.is_u64() && n.as_i64().is_none() =>
            {
                return Err(invalid(
                    format!("{field}.{key}"),
                    format!("{n} is larger than {MAX_ATTRIBUTE_INT}"),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// A new conversation: it must name a session (`source_id`) or an inbox and a contact, and a
/// `source_id` it names must not be blank.
///
/// A blank `source_id` is never what the server accepts: chatwoot/chatwoot
/// `app/controllers/api/v1/accounts/conversations_controller.rb#contact_inbox` (read at
/// noktuaio/chatwoot 87eef33) builds no contact inbox for it (`ContactInboxBuilder#perform` only
/// creates one when `source_id.present?`) and then looks one up by that `source_id`, so the
/// answer is 404 — even with `inbox_id` and `contact_id` beside it.
pub fn new_conversation(conversation: &NewConversation) -> Result<(), ValidationError> {
    if conversation.source_id.as_deref().is_some_and(|s| s.trim().is_empty()) {
        return Err(ValidationError::new("source_id", ValidationProblem::Empty));
    }
    if conversation.source_id.is_none() && (conversation.inbox_id.is_none() || conversation.contact_id.is_none()) {
        return Err(invalid(
            "source_id",
            "give the contact's source_id, or both inbox_id and contact_id",
        ));
    }
    if let Some(a) = &conversation.custom_attributes {
        attributes("custom_attributes", a)?;
    }
    if let Some(a) = &conversation.additional_attributes {
        attributes("additional_attributes", a)?;
    }
    Ok(())
}

/// A message status update: `external_error` only with `failed`, where the server keeps it.
pub fn status_update(update: &StatusUpdate) -> Result<(), ValidationError> {
    if update.external_error.is_some() && update.status != MessageStatus::Failed {
        return Err(invalid(
            "external_error",
            "kept by the server only with status `failed`; it would be dropped",
        ));
    }
    Ok(())
}

/// An API inbox's `webhook_url`: at most 2048 characters — the only check the server makes
/// (chatwoot/chatwoot `app/models/channel/api.rb`, tag v4.13.0). Anything else it accepts
/// (a blank value switches the webhook off), so nothing else is refused here.
pub fn webhook_url(field: &str, url: &str) -> Result<(), ValidationError> {
    let chars = url.chars().count();
    if chars > MAX_URL_CHARS {
        return Err(ValidationError::new(
            field,
            ValidationProblem::TooLong {
                max: MAX_URL_CHARS,
                actual: chars,
            },
        ));
    }
    Ok(())
}

/// A new API inbox.
pub fn new_api_inbox(inbox: &NewApiInbox) -> Result<(), ValidationError> {
    if inbox.name.trim().is_empty() {
        return Err(ValidationError::new("name", ValidationProblem::Empty));
    }
    match &inbox.webhook_url {
        Some(url) => webhook_url("channel.webhook_url", url),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{MessageType, Upload};
    use serde_json::json;

    #[test]
    fn content_length_counts_characters_not_bytes() {
        let at_limit = NewMessage::incoming("é".repeat(MAX_CONTENT_CHARS));
        message(&at_limit).unwrap();
        let over = NewMessage::incoming("a".repeat(MAX_CONTENT_CHARS + 1));
        assert_eq!(
            message(&over).unwrap_err().to_string(),
            "invalid `content`: 150001 characters, at most 150000 allowed; nothing was sent"
        );
    }

    #[test]
    fn at_most_fifteen_attachments() {
        let mut m = NewMessage {
            message_type: Some(MessageType::Incoming),
            ..NewMessage::default()
        };
        for i in 0..MAX_ATTACHMENTS {
            m = m.attach(Upload::new(format!("{i}.txt"), "text/plain", "x"));
        }
        message(&m).unwrap();
        m = m.attach(Upload::new("16.txt", "text/plain", "x"));
        assert_eq!(
            message(&m).unwrap_err().problem,
            ValidationProblem::TooMany { max: 15, actual: 16 }
        );
    }

    #[test]
    fn phone_numbers() {
        for ok in ["+15550001", "+12", "+123456789012345"] {
            assert!(is_e164(ok), "{ok}");
            assert!(is_accepted_phone(ok), "{ok}");
        }
        for bad in [
            "15550001",
            "+0123",
            "+1",
            "+1234567890123456",
            "+1 555",
            "",
            "tel:+15550001",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
        // The server's pattern is anchored at the end only, and blank clears the number.
        for accepted in ["", "  ", "tel:+15550001", "x+12", "+1+15550001", "ab+123456789012345"] {
            assert!(is_accepted_phone(accepted), "{accepted:?}");
            phone_number("phone_number", Some(accepted)).unwrap();
        }
        for refused in [
            "15550001",
            "+0123",
            "+1",
            "+1234567890123456",
            "+1 555",
            "+15550001 ",
            "+١٢٣",
            "+15550001+",
        ] {
            assert!(!is_accepted_phone(refused), "{refused:?}");
        }
        let c = NewContact::in_inbox(1).phone_number("555-0001");
        assert_eq!(new_contact(&c).unwrap_err().field, "phone_number");
        new_contact(&NewContact::in_inbox(1).phone_number("")).unwrap();
    }

    #[test]
    fn conversation_rules() {
        assert!(new_conversation(&NewConversation::default()).is_err());
        new_conversation(&NewConversation::for_session(2, "s")).unwrap();
        let mut c = NewConversation {
            inbox_id: Some(2),
            contact_id: Some(1),
            ..Default::default()
        };
        new_conversation(&c).unwrap();
        c.custom_attributes = json!({"n": 10_000_000_000u64}).as_object().cloned();
        assert_eq!(new_conversation(&c).unwrap_err().field, "custom_attributes.n");
        c.custom_attributes = json!({"s": "x".repeat(1501)}).as_object().cloned();
        assert!(matches!(
            new_conversation(&c).unwrap_err().problem,
            ValidationProblem::TooLong {
                max: 1500,
                actual: 1501
            }
        ));
    }

    #[test]
    fn status_and_urls() {
        status_update(&StatusUpdate::failed("bounced")).unwrap();
        let mut u = StatusUpdate::new(MessageStatus::Read);
        status_update(&u).unwrap();
        u.external_error = Some("x".into());
        assert!(status_update(&u).is_err());
        webhook_url("u", "https://hooks.example/x").unwrap();
        // Only the length is the server's business.
        webhook_url("u", "ftp://x").unwrap();
        webhook_url("u", "").unwrap();
        let at_limit = format!("https://x/{}", "é".repeat(MAX_URL_CHARS - 10));
        webhook_url("u", &at_limit).unwrap();
        assert_eq!(
            webhook_url("u", &format!("{at_limit}a")).unwrap_err().problem,
            ValidationProblem::TooLong {
                max: 2048,
                actual: 2049
            }
        );
        assert!(new_api_inbox(&NewApiInbox::new(" ")).is_err());
    }
}
