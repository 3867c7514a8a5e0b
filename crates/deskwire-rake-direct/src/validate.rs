//! Checks run before anything is sent. Rake documents no limits, so these only refuse what
//! cannot be meant: empty messages, a new session that would close at once (timeout 0), a
//! return webhook that is not an http(s) URL, an empty sender object, a contact without a value.
//! Errors name the JSON field.

use deskwire_core::check::{http_url, non_empty};
use deskwire_core::{ValidationError, ValidationProblem};

use crate::wire::{Contact, EntityId, OpenSession, Outbound, PlatformId, RakeDirectRequest, Sender, SessionWith};

type Check = Result<(), ValidationError>;

fn fail(field: &str, problem: ValidationProblem) -> Check {
    Err(ValidationError::new(field, problem))
}

/// Validates a request.
pub fn request(request: &RakeDirectRequest) -> Check {
    match request {
        RakeDirectRequest::Outbound(o) => outbound(o),
        RakeDirectRequest::Post(p) => {
            non_empty("message", &p.message)?;
            sender(p.from.as_ref())
        }
        RakeDirectRequest::Open(o) => open(o),
        RakeDirectRequest::Close(c) => match &c.message {
            Some(message) => non_empty("message", message),
            None => Ok(()),
        },
    }
}

fn outbound(o: &Outbound) -> Check {
    non_empty("message", &o.message)?;
    platforms(&o.platforms)?;
    contact(&o.to)?;
    timeout(o.timeout_secs)?;
    sender(o.from.as_ref())
}

fn open(o: &OpenSession) -> Check {
    // Rake calls this URL back: an absolute http(s) URL with a host.
    http_url("returnWebhookUrl", &o.webhook.url)?;
    if o.webhook.secret.expose().is_empty() {
        return fail("returnWebhookSecret", ValidationProblem::Empty);
    }
    non_empty("message", &o.message)?;
    if let SessionWith::Customer {
        platforms: p,
        contact: c,
    } = &o.with
    {
        platforms(p)?;
        contact(c)?;
    }
    timeout(o.timeout_secs)?;
    sender(o.from.as_ref())
}

fn platforms(platforms: &[PlatformId]) -> Check {
    if platforms.is_empty() {
        return fail("platformIds", ValidationProblem::Empty);
    }
    Ok(())
}

fn timeout(secs: u64) -> Check {
    if secs == 0 {
        return fail(
            "session.timeout",
            ValidationProblem::Invalid("0 closes a session; a new session needs at least 1 second".into()),
        );
    }
    Ok(())
}

fn contact(c: &Contact) -> Check {
    match c {
        Contact::PhoneNumber(number) => {
            let digits = number.strip_prefix('+').unwrap_or(number);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return fail(
                    "secondaryEntity.phoneNumber",
                    ValidationProblem::Invalid("digits only, as in `123456789012`".into()),
                );
            }
            Ok(())
        }
        Contact::EntityId(EntityId::Text(id)) => non_empty("secondaryEntity.entityId", id),
        Contact::EntityId(EntityId::Number(_)) => Ok(()),
        Contact::Email(email) => {
            if !email.contains('@') {
                return fail(
                    "secondaryEntity.email",
                    ValidationProblem::Invalid("not an email address".into()),
                );
            }
            Ok(())
        }
    }
}

fn sender(s: Option<&Sender>) -> Check {
    match s {
        Some(s) if *s == Sender::default() => fail(
            "initiatingEntity",
            ValidationProblem::Invalid("empty; leave it out to send on behalf of the workspace".into()),
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{CloseSession, PostToSession, ReturnWebhook};
    use deskwire_core::Secret;

    fn field(r: impl Into<RakeDirectRequest>) -> Option<String> {
        request(&r.into()).err().map(|e| e.field)
    }

    #[test]
    fn each_rule_names_its_field() {
        let sms = |to: Contact| Outbound::transactional(PlatformId::Sms, to, "hi");
        assert_eq!(field(sms(Contact::phone("123456789012"))), None);
        assert_eq!(field(sms(Contact::phone("+4420"))), None);
        assert_eq!(
            field(sms(Contact::phone("12 34"))).as_deref(),
            Some("secondaryEntity.phoneNumber")
        );
        assert_eq!(
            field(sms(Contact::email("nobody"))).as_deref(),
            Some("secondaryEntity.email")
        );
        assert_eq!(
            field(sms(Contact::entity(""))).as_deref(),
            Some("secondaryEntity.entityId")
        );
        assert_eq!(
            field(Outbound::transactional(PlatformId::Sms, Contact::phone("1"), " ")).as_deref(),
            Some("message")
        );
        let mut none = sms(Contact::phone("1"));
        none.platforms.clear();
        assert_eq!(field(none).as_deref(), Some("platformIds"));
        assert_eq!(
            field(Outbound::new(PlatformId::Sms, Contact::phone("1"), "hi", 0)).as_deref(),
            Some("session.timeout")
        );
        assert_eq!(
            field(PostToSession::new(1, "x").from(Sender::default())).as_deref(),
            Some("initiatingEntity")
        );
        let hook = |url: &str, secret: &str| ReturnWebhook::new(url, Secret::new(secret));
        assert_eq!(
            field(OpenSession::widget(hook("ftp://x", "s"), "hi", 60)).as_deref(),
            Some("returnWebhookUrl")
        );
        assert_eq!(
            field(OpenSession::widget(hook("<webhookUrl>", "s"), "hi", 60)).as_deref(),
            Some("returnWebhookUrl")
        );
        assert_eq!(
            field(OpenSession::widget(hook("https://x.example", ""), "hi", 60)).as_deref(),
            Some("returnWebhookSecret")
        );
        assert_eq!(
            field(OpenSession::widget(hook("https://x.example", "s"), "hi", 60)),
            None
        );
        assert_eq!(field(CloseSession::new(1)), None);
        assert_eq!(field(CloseSession::new(1).with_message("")).as_deref(), Some("message"));
    }
}
