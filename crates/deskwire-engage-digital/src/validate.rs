//! The documented limits, checked before any byte is sent.
//!
//! Each check returns a [`ValidationError`] whose `field` is the JSON path of the offending
//! value (`params.structured_content.items[1].title`), so the caller knows exactly what to fix.
//! Sources: the [Send API page](https://github.com/ringcentral/engage-digital-api-docs/blob/95ff4ddccb59a3acb0f906533e46597ffaf8dae6/docs/sdks/source-sdk/send-api.md) (20 MiB), [`objects.md`](https://github.com/ringcentral/engage-digital-api-docs/blob/95ff4ddccb59a3acb0f906533e46597ffaf8dae6/docs/sdks/source-sdk/objects.md)
//! (body length, required fields) and [`structured-messages.md`](https://github.com/ringcentral/engage-digital-api-docs/blob/95ff4ddccb59a3acb0f906533e46597ffaf8dae6/docs/sdks/source-sdk/structured-messages.md)
//! (item counts, string lengths, URL schemes).

use deskwire_core::{ValidationError, ValidationProblem};

use crate::wire::{
    Attachment, Button, ButtonType, Content, MarkAsRead, Message, PrivateMessage, StructuredContent, Template, Thread,
    TypingTarget, User,
};

/// Largest request body the Send API accepts, in bytes (`Invalid request size (max: 20971520 bytes)`).
pub const MAX_REQUEST_BYTES: usize = 20_971_520;
/// Longest `body` of a message, private message or thread, in characters ("max 20k").
pub const MAX_BODY_CHARS: usize = 20_000;
/// Most choices in a `select`.
pub const MAX_SELECT_ITEMS: usize = 13;
/// Most cards in a `carousel`.
pub const MAX_CAROUSEL_ITEMS: usize = 10;
/// Most buttons on a template or carousel card.
pub const MAX_BUTTONS: usize = 4;
const MAX_LABEL: usize = 80;
const MAX_TITLE: usize = 350;
const MAX_SUBTITLE: usize = 1_000;
const MAX_PAYLOAD: usize = 1_000;
const MAX_URL: usize = 2_048;

type Check = Result<(), ValidationError>;

/// A field path, built only when a check fails: the happy path allocates nothing.
trait Field {
    fn path(&self) -> String;
}

impl Field for &str {
    fn path(&self) -> String {
        (*self).to_owned()
    }
}

impl Field for String {
    fn path(&self) -> String {
        self.clone()
    }
}

impl<F: Fn() -> String> Field for F {
    fn path(&self) -> String {
        self()
    }
}

fn fail(field: impl Field, problem: ValidationProblem) -> Check {
    Err(ValidationError::new(field.path(), problem))
}

fn max_chars(field: impl Field, value: &str, max: usize) -> Check {
    // Cheap bound first: a string can't have more chars than bytes.
    if value.len() <= max {
        return Ok(());
    }
    let actual = value.chars().count();
    if actual > max {
        return fail(field, ValidationProblem::TooLong { max, actual });
    }
    Ok(())
}

/// Hands a [`Field`] to core's checks, which turn it into a `String` only when they fail:
/// building `params.author.id` for every valid message was half the cost of validating it.
struct Lazy<F>(F);

impl<F: Field> From<Lazy<F>> for String {
    fn from(field: Lazy<F>) -> String {
        field.0.path()
    }
}

fn non_empty(field: impl Field, value: &str) -> Check {
    deskwire_core::check::non_empty(Lazy(field), value)
}

fn label(field: impl Field + Copy, value: &str, max: usize) -> Check {
    non_empty(field, value)?;
    max_chars(field, value, max)
}

fn optional(field: impl Field, value: Option<&String>, max: usize) -> Check {
    value.map_or(Ok(()), |v| max_chars(field, v, max))
}

fn http_url(field: impl Field + Copy, value: &str) -> Check {
    non_empty(field, value)?;
    max_chars(field, value, MAX_URL)?;
    deskwire_core::check::http_url(Lazy(field), value)
}

fn optional_url(field: impl Field + Copy, value: Option<&String>) -> Check {
    value.map_or(Ok(()), |v| http_url(field, v))
}

fn count(field: impl Field, len: usize, max: usize) -> Check {
    if len == 0 {
        return fail(field, ValidationProblem::Empty);
    }
    if len > max {
        return fail(field, ValidationProblem::TooMany { max, actual: len });
    }
    Ok(())
}

/// Checks the size of an encoded request body.
pub fn request_size(bytes: usize) -> Check {
    if bytes > MAX_REQUEST_BYTES {
        return fail(
            "request body",
            ValidationProblem::TooLarge {
                max_bytes: MAX_REQUEST_BYTES,
                actual_bytes: bytes,
            },
        );
    }
    Ok(())
}

pub(crate) fn user(u: &User) -> Check {
    user_at("params", u)
}

fn user_at(path: &str, u: &User) -> Check {
    non_empty(|| format!("{path}.id"), &u.id)?;
    non_empty(|| format!("{path}.screenname"), &u.screenname)
}

fn attachment(path: &str, a: &Attachment) -> Check {
    match (&a.url, &a.content) {
        (Some(_), Some(_)) => fail(
            path,
            ValidationProblem::Invalid("give either `url` or `content`, not both".into()),
        ),
        (None, None) => fail(path, ValidationProblem::Invalid("needs `url` or `content`".into())),
        (Some(u), None) => non_empty(|| format!("{path}.url"), u),
        (None, Some(_)) => match &a.filename {
            Some(name) => non_empty(|| format!("{path}.filename"), name),
            None => fail(|| format!("{path}.filename"), ValidationProblem::Missing),
        },
    }
}

fn content(c: &Content) -> Check {
    non_empty("params.id", &c.id)?;
    user_at("params.author", &c.author)?;
    let attachments = c.attachments.as_deref().unwrap_or_default();
    match &c.body {
        Some(body) => max_chars("params.body", body, MAX_BODY_CHARS)?,
        None if attachments.is_empty() => {
            return fail(
                "params.body",
                ValidationProblem::Invalid("a body or at least one attachment is required".into()),
            )
        }
        None => {}
    }
    for (i, a) in attachments.iter().enumerate() {
        attachment(&format!("params.attachments[{i}]"), a)?;
    }
    if let Some(sc) = &c.structured_content {
        structured_content("params.structured_content", sc)?;
    }
    Ok(())
}

pub(crate) fn message(m: &Message) -> Check {
    if let Some(thread) = &m.thread_id {
        non_empty("params.thread_id", thread)?;
    }
    content(&m.content)
}

pub(crate) fn private_message(m: &PrivateMessage) -> Check {
    content(&m.content)?;
    user_at("params.recipient", &m.recipient)
}

pub(crate) fn thread(t: &Thread) -> Check {
    non_empty("params.id", &t.id)?;
    if let Some(author) = &t.author {
        user_at("params.author", author)?;
    }
    optional("params.body", t.body.as_ref(), MAX_BODY_CHARS)
}

pub(crate) fn mark_as_read(m: &MarkAsRead) -> Check {
    non_empty("params.id", &m.id)
}

/// `thread_id` or `in_reply_to_id` is required (`preview`, required for `typing.start`, may be
/// empty: the customer may have cleared the box).
pub(crate) fn typing_target(t: &TypingTarget) -> Check {
    match (&t.thread_id, &t.in_reply_to_id) {
        (None, None) => fail(
            "params.thread_id",
            ValidationProblem::Invalid("`thread_id` or `in_reply_to_id` is required".into()),
        ),
        (Some(id), _) => non_empty("params.thread_id", id),
        (None, Some(id)) => non_empty("params.in_reply_to_id", id),
    }
}

/// Checks structured content against the Channel SDK's documented types and limits.
pub fn structured_content(path: &str, sc: &StructuredContent) -> Check {
    match sc {
        StructuredContent::Select(select) => {
            count(|| format!("{path}.items"), select.items.len(), MAX_SELECT_ITEMS)?;
            for (i, item) in select.items.iter().enumerate() {
                label(|| format!("{path}.items[{i}].title"), &item.title, MAX_LABEL)?;
                optional(
                    || format!("{path}.items[{i}].payload"),
                    item.payload.as_ref(),
                    MAX_PAYLOAD,
                )?;
            }
            Ok(())
        }
        StructuredContent::RichLink(link) => {
            http_url(|| format!("{path}.url"), &link.url)?;
            optional(|| format!("{path}.url_text"), link.url_text.as_ref(), MAX_LABEL)?;
            label(|| format!("{path}.title"), &link.title, MAX_TITLE)?;
            optional(|| format!("{path}.subtitle"), link.subtitle.as_ref(), MAX_SUBTITLE)?;
            optional_url(|| format!("{path}.attachment_url"), link.attachment_url.as_ref())
        }
        StructuredContent::Template(template) => card(path, template),
        StructuredContent::Carousel(carousel) => {
            count(|| format!("{path}.items"), carousel.items.len(), MAX_CAROUSEL_ITEMS)?;
            for (i, item) in carousel.items.iter().enumerate() {
                card(&format!("{path}.items[{i}]"), item)?;
            }
            Ok(())
        }
        StructuredContent::Unknown(map) => match map.get("type") {
            None => fail(|| format!("{path}.type"), ValidationProblem::Missing),
            Some(other) => fail(
                format!("{path}.type"),
                ValidationProblem::Invalid(format!(
                    "{other} is not one of the types the Channel SDK supports (select, rich_link, template, carousel)"
                )),
            ),
        },
    }
}

fn card(path: &str, t: &Template) -> Check {
    label(|| format!("{path}.title"), &t.title, MAX_TITLE)?;
    optional(|| format!("{path}.subtitle"), t.subtitle.as_ref(), MAX_SUBTITLE)?;
    optional_url(|| format!("{path}.url"), t.url.as_ref())?;
    optional(|| format!("{path}.url_text"), t.url_text.as_ref(), MAX_LABEL)?;
    optional_url(|| format!("{path}.attachment_url"), t.attachment_url.as_ref())?;
    if let Some(buttons) = &t.items {
        if buttons.len() > MAX_BUTTONS {
            return fail(
                || format!("{path}.items"),
                ValidationProblem::TooMany {
                    max: MAX_BUTTONS,
                    actual: buttons.len(),
                },
            );
        }
        for (i, b) in buttons.iter().enumerate() {
            button(&format!("{path}.items[{i}]"), b)?;
        }
    }
    Ok(())
}

fn button(path: &str, b: &Button) -> Check {
    label(|| format!("{path}.title"), &b.title, MAX_LABEL)?;
    match &b.kind {
        ButtonType::Url => match &b.url {
            Some(url) => http_url(|| format!("{path}.url"), url),
            None => fail(|| format!("{path}.url"), ValidationProblem::Missing),
        },
        ButtonType::Reply => optional(|| format!("{path}.payload"), b.payload.as_ref(), MAX_PAYLOAD),
        ButtonType::Unknown(kind) => fail(
            || format!("{path}.type"),
            ValidationProblem::Invalid(format!("`{kind}` is not `url` or `reply`")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{SelectItem, SendParams, TypingStart};

    fn author() -> User {
        User::new("1", "Bot", "2021-05-13T01:23:25Z").puppetizable(true)
    }

    fn msg(sc: StructuredContent) -> Message {
        Message::new("890", "42", author())
            .body("What do you wish?")
            .structured_content(sc)
    }

    fn err(m: &Message) -> ValidationError {
        m.validate().unwrap_err()
    }

    #[test]
    fn select_limits() {
        let items = (0..14).map(|i| SelectItem::new(format!("o{i}")));
        let e = err(&msg(StructuredContent::select(items)));
        assert_eq!(e.field, "params.structured_content.items");
        assert_eq!(e.problem, ValidationProblem::TooMany { max: 13, actual: 14 });

        let e = err(&msg(StructuredContent::select([
            SelectItem::new("ok"),
            SelectItem::new("x".repeat(81)),
        ])));
        assert_eq!(e.field, "params.structured_content.items[1].title");
        assert_eq!(e.problem, ValidationProblem::TooLong { max: 80, actual: 81 });

        let e = err(&msg(StructuredContent::select([])));
        assert_eq!(e.problem, ValidationProblem::Empty);

        // 80 multi-byte characters are within the limit: limits count characters, not bytes.
        assert!(msg(StructuredContent::select([SelectItem::new("é".repeat(80))]))
            .validate()
            .is_ok());
    }

    #[test]
    fn carousel_and_button_limits() {
        let card = || Template::new("Card").button(Button::reply("Yes", "Y"));
        assert!(msg(StructuredContent::carousel((0..10).map(|_| card())))
            .validate()
            .is_ok());
        let e = err(&msg(StructuredContent::carousel((0..11).map(|_| card()))));
        assert_eq!(
            (e.field.as_str(), e.problem),
            (
                "params.structured_content.items",
                ValidationProblem::TooMany { max: 10, actual: 11 }
            )
        );

        let five = (0..5).fold(Template::new("Card"), |t, i| {
            t.button(Button::reply(format!("b{i}"), "p"))
        });
        let e = err(&msg(StructuredContent::carousel([card(), five])));
        assert_eq!(e.field, "params.structured_content.items[1].items");

        let bad_url = Template::new("Card").button(Button::url("Go", "github://x"));
        let e = err(&msg(StructuredContent::Template(bad_url)));
        assert_eq!(e.field, "params.structured_content.items[0].url");
        assert_eq!(
            e.problem,
            ValidationProblem::Invalid("must be an http or https URL".into())
        );
    }

    #[test]
    fn rich_link_limits() {
        let ok = crate::wire::RichLink::new("https://example.com", "Example");
        assert!(msg(StructuredContent::RichLink(ok.clone())).validate().is_ok());
        let e = err(&msg(StructuredContent::RichLink(ok.clone().subtitle("s".repeat(1001)))));
        assert_eq!(e.field, "params.structured_content.subtitle");
        let long = format!("https://example.com/{}", "a".repeat(2048));
        let e = err(&msg(StructuredContent::RichLink(crate::wire::RichLink::new(long, "t"))));
        assert_eq!(e.field, "params.structured_content.url");
    }

    #[test]
    fn missing_or_unsupported_type() {
        let e = err(&msg(StructuredContent::Unknown(serde_json::Map::new())));
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("params.structured_content.type", ValidationProblem::Missing)
        );
        let mut map = serde_json::Map::new();
        map.insert("type".into(), "list".into());
        let e = err(&msg(StructuredContent::Unknown(map)));
        assert_eq!(e.field, "params.structured_content.type");
    }

    #[test]
    fn body_or_attachment_required_and_body_limit() {
        let e = Message::new("1", "2", author()).validate().unwrap_err();
        assert_eq!(e.field, "params.body");
        assert!(Message::new("1", "2", author())
            .attachment(Attachment::from_url("https://x/y.png"))
            .validate()
            .is_ok());
        let e = Message::new("1", "2", author())
            .body("b".repeat(20_001))
            .validate()
            .unwrap_err();
        assert_eq!(
            e.problem,
            ValidationProblem::TooLong {
                max: 20_000,
                actual: 20_001
            }
        );
        let inline = Attachment {
            filename: None,
            ..Attachment::inline(b"x", "a.txt")
        };
        let e = Message::new("1", "2", author())
            .attachment(inline)
            .validate()
            .unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("params.attachments[0].filename", ValidationProblem::Missing)
        );
    }

    #[test]
    fn typing_needs_a_target() {
        let e = TypingStart::new(TypingTarget::default(), "hi").validate().unwrap_err();
        assert_eq!(e.field, "params.thread_id");
        assert!(TypingStart::new(TypingTarget::reply_to("890"), "").validate().is_ok());
    }

    #[test]
    fn request_size_limit_is_inclusive() {
        assert!(request_size(MAX_REQUEST_BYTES).is_ok());
        let e = request_size(MAX_REQUEST_BYTES + 1).unwrap_err();
        assert_eq!(
            e.problem,
            ValidationProblem::TooLarge {
                max_bytes: 20_971_520,
                actual_bytes: 20_971_521
            }
        );
        assert_eq!(
            e.to_string(),
            "invalid `request body`: request is 20971521 bytes, at most 20971520 bytes allowed; nothing was sent"
        );
    }
}
