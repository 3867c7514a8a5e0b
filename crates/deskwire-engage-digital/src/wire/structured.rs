//! Structured content (`structured_content`): the four types the Channel SDK supports —
//! `select`, `rich_link`, `template`, `carousel` — plus any other type kept as raw JSON.
//!
//! Limits are checked by [`crate::validate`] before sending; this module only models the shapes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::SelfMut as _;

deskwire_core::open_enum! {
    /// Kind of a template or carousel button.
    pub enum ButtonType {
        /// Opens `url`.
        Url = "url",
        /// Sends `payload` back as the customer's answer.
        Reply = "reply",
    }
    /// Another kind, kept as sent.
    Unknown
}

/// One choice of a `select` (quick replies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SelectItem {
    /// Label, at most 80 characters.
    pub title: String,
    /// Payload returned in `structured_reply`, at most 1,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

impl SelectItem {
    /// A choice without payload.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            payload: None,
        }
    }
}

/// `select`: up to 13 quick-reply choices, usually sent with a `body` question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Select {
    /// The choices (1 to 13).
    pub items: Vec<SelectItem>,
}

/// `rich_link`: a link preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RichLink {
    /// Target, http or https, at most 2,048 characters.
    pub url: String,
    /// Link text, at most 80 characters (defaults to the host name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_text: Option<String>,
    /// Title, at most 350 characters.
    pub title: String,
    /// Subtitle, at most 1,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Engage Digital attachment id of the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<String>,
    /// Public URL of the image (jpg/png under 5 MB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_url: Option<String>,
}

impl RichLink {
    /// A rich link with its required fields.
    pub fn new(url: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            url_text: None,
            title: title.into(),
            subtitle: None,
            attachment_id: None,
            attachment_url: None,
        }
    }
}

/// A button of a template or carousel card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Button {
    /// `url` or `reply`.
    #[serde(rename = "type")]
    pub kind: ButtonType,
    /// Label, at most 80 characters.
    pub title: String,
    /// Reply payload (ignored for `url`), at most 1,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// Target of a `url` button (required there, ignored for `reply`), at most 2,048 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Button {
    /// A button that opens `url`.
    pub fn url(title: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            kind: ButtonType::Url,
            title: title.into(),
            payload: None,
            url: Some(url.into()),
        }
    }

    /// A button that answers with `payload`.
    pub fn reply(title: impl Into<String>, payload: impl Into<String>) -> Self {
        Self {
            kind: ButtonType::Reply,
            title: title.into(),
            payload: Some(payload.into()),
            url: None,
        }
    }
}

/// `template`: a card with up to 4 buttons; also the item type of a carousel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Template {
    /// Title, at most 350 characters (a carousel's first title is its fallback text).
    pub title: String,
    /// Subtitle, at most 1,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Link of the card, http or https, at most 2,048 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Link text, at most 80 characters (shown only with `url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_text: Option<String>,
    /// Engage Digital attachment id of the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<String>,
    /// Public URL of the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_url: Option<String>,
    /// Fallback attachment id (carousel items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_fallback_id: Option<String>,
    /// Buttons, at most 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Button>>,
}

impl Template {
    /// A card with its title only.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            subtitle: None,
            url: None,
            url_text: None,
            attachment_id: None,
            attachment_url: None,
            attachment_fallback_id: None,
            items: None,
        }
    }

    /// Adds a button.
    pub fn button(mut self, button: Button) -> Self {
        self.items.get_or_insert_with(Vec::new).push(button);
        self
    }
}

option_setters!(Template {
    subtitle: String,
    url: String,
    url_text: String,
    attachment_id: String,
    attachment_url: String,
    attachment_fallback_id: String,
});
option_setters!(RichLink {
    url_text: String,
    subtitle: String,
    attachment_id: String,
    attachment_url: String
});
option_setters!(SelectItem { payload: String });

/// `carousel`: up to 10 template cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Carousel {
    /// The cards (1 to 10).
    pub items: Vec<Template>,
}

/// The `structured_content` of a message or private message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StructuredContent {
    /// Quick replies.
    Select(Select),
    /// Link preview.
    RichLink(RichLink),
    /// Card with buttons.
    Template(Template),
    /// Horizontally scrolling cards.
    Carousel(Carousel),
    /// Any other (or missing) `type`, kept as the whole JSON object. The Channel SDK supports
    /// only the four types above, so validation refuses to send this; it exists so decoding
    /// never loses data.
    Unknown(Map<String, Value>),
}

impl StructuredContent {
    /// A `select` with these choices.
    pub fn select(items: impl IntoIterator<Item = SelectItem>) -> Self {
        Self::Select(Select {
            items: items.into_iter().collect(),
        })
    }

    /// A `carousel` of these cards.
    pub fn carousel(items: impl IntoIterator<Item = Template>) -> Self {
        Self::Carousel(Carousel {
            items: items.into_iter().collect(),
        })
    }

    /// The wire `type`, if any.
    pub fn type_name(&self) -> Option<&str> {
        match self {
            Self::Select(_) => Some("select"),
            Self::RichLink(_) => Some("rich_link"),
            Self::Template(_) => Some("template"),
            Self::Carousel(_) => Some("carousel"),
            Self::Unknown(map) => map.get("type").and_then(Value::as_str),
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum KnownRef<'a> {
    Select(&'a Select),
    RichLink(&'a RichLink),
    Template(&'a Template),
    Carousel(&'a Carousel),
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Known {
    Select(Select),
    RichLink(RichLink),
    Template(Template),
    Carousel(Carousel),
}

impl Serialize for StructuredContent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Select(v) => KnownRef::Select(v).serialize(serializer),
            Self::RichLink(v) => KnownRef::RichLink(v).serialize(serializer),
            Self::Template(v) => KnownRef::Template(v).serialize(serializer),
            Self::Carousel(v) => KnownRef::Carousel(v).serialize(serializer),
            Self::Unknown(map) => map.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for StructuredContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        let known = matches!(
            map.get("type").and_then(Value::as_str),
            Some("select" | "rich_link" | "template" | "carousel")
        );
        if !known {
            return Ok(Self::Unknown(map));
        }
        // A known type whose fields do not fit the model (Engage Digital adds or renames one) is
        // kept whole rather than refused: decoding a content must never lose it.
        let known = match Known::deserialize(&Value::Object(map.clone())) {
            Ok(known) => known,
            Err(_) => return Ok(Self::Unknown(map)),
        };
        Ok(match known {
            Known::Select(v) => Self::Select(v),
            Known::RichLink(v) => Self::RichLink(v),
            Known::Template(v) => Self::Template(v),
            Known::Carousel(v) => Self::Carousel(v),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn docs_select_example_round_trips() {
        let doc = json!({"type":"select","items":[{"title":"Option 1","payload":"first_option"},{"title":"Option 3"}]});
        let sc: StructuredContent = serde_json::from_value(doc.clone()).unwrap();
        assert_eq!(
            sc,
            StructuredContent::select([
                SelectItem::new("Option 1").payload("first_option"),
                SelectItem::new("Option 3")
            ])
        );
        assert_eq!(serde_json::to_value(&sc).unwrap(), doc);
    }

    #[test]
    fn unknown_missing_and_misshapen_types_are_kept() {
        for doc in [
            json!({"type":"list","items":[1]}),
            json!({"items":[]}),
            json!({"type":"select","items":"not a list"}),
        ] {
            let sc: StructuredContent = serde_json::from_value(doc.clone()).unwrap();
            assert!(matches!(sc, StructuredContent::Unknown(_)));
            assert_eq!(serde_json::to_value(&sc).unwrap(), doc);
        }
    }

    #[test]
    fn template_with_buttons_encodes_type_first() {
        let sc = StructuredContent::Template(
            Template::new("Shoes")
                .button(Button::url("Buy", "https://example.com/buy"))
                .button(Button::reply("More", "MORE")),
        );
        assert_eq!(
            serde_json::to_string(&sc).unwrap(),
            r#"{"type":"template","title":"Shoes","items":[{"type":"url","title":"Buy","url":"https://example.com/buy"},{"type":"reply","title":"More","payload":"MORE"}]}"#
        );
    }
}
