//! Interactive content: typed items for `input_select`, `cards`, `form` and `article`, and
//! [`check_attributes`], the server's own rules for `content_attributes`, applied before sending.
//!
//! The rules are those of Chatwoot's `ContentAttributeValidator`
//! (`app/models/concerns/content_attribute_validator.rb` in chatwoot/chatwoot): for the four
//! types, `items` must be a non-empty array of objects whose keys are all allowed; every card
//! needs a non-empty `actions` array whose keys are allowed too. Other content types are not
//! checked by the server, so they are not checked here.

use deskwire_core::{ValidationError, ValidationProblem};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::enums::ContentType;

/// Item keys the server allows for `input_select`.
pub const SELECT_ITEM_KEYS: &[&str] = &["title", "value"];
/// Item keys the server allows for `cards`.
pub const CARD_ITEM_KEYS: &[&str] = &["title", "description", "media_url", "actions"];
/// Action keys the server allows on a card.
pub const CARD_ACTION_KEYS: &[&str] = &["text", "type", "payload", "uri"];
/// Item keys the server allows for `form`.
pub const FORM_ITEM_KEYS: &[&str] = &[
    "type",
    "placeholder",
    "label",
    "name",
    "options",
    "default",
    "required",
    "pattern",
    "title",
    "pattern_error",
];
/// Item keys the server allows for `article`.
pub const ARTICLE_ITEM_KEYS: &[&str] = &["title", "description", "link"];

/// One option of an `input_select`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectOption {
    /// Shown to the contact.
    pub title: String,
    /// Sent back when picked.
    pub value: String,
}

/// An action on a card. The documented types are `link` (with `uri`) and `postback` (with
/// `payload`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CardAction {
    /// `link` or `postback`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Button text.
    pub text: String,
    /// Postback payload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// Link target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

impl CardAction {
    /// A button that opens `uri`.
    pub fn link(text: impl Into<String>, uri: impl Into<String>) -> Self {
        Self {
            kind: "link".into(),
            text: text.into(),
            payload: None,
            uri: Some(uri.into()),
        }
    }

    /// A button that posts `payload` back.
    pub fn postback(text: impl Into<String>, payload: impl Into<String>) -> Self {
        Self {
            kind: "postback".into(),
            text: text.into(),
            payload: Some(payload.into()),
            uri: None,
        }
    }
}

/// A card. The server requires at least one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// Title.
    pub title: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Image URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
    /// Buttons (at least one).
    pub actions: Vec<CardAction>,
}

/// An option of a `select` form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOption {
    /// Shown.
    pub label: String,
    /// Submitted.
    pub value: String,
}

/// A form field. Documented types: `text`, `text_area`, `email`, `select`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FormField {
    /// Field name in the submitted values.
    pub name: String,
    /// Field type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Placeholder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Default value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Regular expression the value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Message when `pattern` does not match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern_error: Option<String>,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Choices of a `select`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<FormOption>>,
}

impl FormField {
    /// A field of type `kind` named `name`.
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: kind.into(),
            label: None,
            placeholder: None,
            default: None,
            required: None,
            pattern: None,
            pattern_error: None,
            title: None,
            options: None,
        }
    }

    /// Sets the label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

/// An article link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleItem {
    /// Title.
    pub title: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// URL.
    pub link: String,
}

/// Interactive content for [`NewMessage::interactive`](super::NewMessage::interactive).
///
/// ```
/// use deskwire_chatlake::wire::{Card, CardAction, Interactive};
/// let cards = Interactive::Cards(vec![Card {
///     title: "Sweater".into(),
///     description: Some("Red, wool".into()),
///     media_url: None,
///     actions: vec![CardAction::postback("Add to cart", "ITEM_SELECTED")],
/// }]);
/// assert_eq!(cards.content_type().as_str(), "cards");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interactive {
    /// `input_select`.
    InputSelect(Vec<SelectOption>),
    /// `cards`.
    Cards(Vec<Card>),
    /// `form`.
    Form(Vec<FormField>),
    /// `article`.
    Article(Vec<ArticleItem>),
}

impl Interactive {
    /// Its `content_type`.
    pub fn content_type(&self) -> ContentType {
        match self {
            Self::InputSelect(_) => ContentType::InputSelect,
            Self::Cards(_) => ContentType::Cards,
            Self::Form(_) => ContentType::Form,
            Self::Article(_) => ContentType::Article,
        }
    }

    /// Its `content_attributes`: `{"items": [...]}`.
    pub fn to_attributes(&self) -> Map<String, Value> {
        let items = match self {
            Self::InputSelect(items) => serde_json::to_value(items),
            Self::Cards(items) => serde_json::to_value(items),
            Self::Form(items) => serde_json::to_value(items),
            Self::Article(items) => serde_json::to_value(items),
        }
        .unwrap_or_else(|_| unreachable!("plain structs of strings always serialize"));
        let mut map = Map::new();
        map.insert("items".into(), items);
        map
    }
}

/// Checks `content_attributes` for `content_type` with the server's rules (see the module
/// docs). `attributes` may be absent; the error names the offending field.
pub fn check_attributes(
    content_type: &ContentType,
    attributes: Option<&Map<String, Value>>,
) -> Result<(), ValidationError> {
    let allowed = match content_type {
        ContentType::InputSelect => SELECT_ITEM_KEYS,
        ContentType::Cards => CARD_ITEM_KEYS,
        ContentType::Form => FORM_ITEM_KEYS,
        ContentType::Article => ARTICLE_ITEM_KEYS,
        _ => return Ok(()),
    };
    let invalid = |field: String, why: String| Err(ValidationError::new(field, ValidationProblem::Invalid(why)));
    let items = match attributes.and_then(|a| a.get("items")) {
        None | Some(Value::Null) => {
            return invalid(
                "content_attributes.items".into(),
                format!("`{content_type}` needs at least one item"),
            )
        }
        Some(Value::Array(items)) if items.is_empty() => {
            return invalid(
                "content_attributes.items".into(),
                format!("`{content_type}` needs at least one item"),
            )
        }
        Some(Value::Array(items)) => items,
        Some(_) => return invalid("content_attributes.items".into(), "must be an array of objects".into()),
    };
    for (i, item) in items.iter().enumerate() {
        let Some(item) = item.as_object() else {
            return invalid(format!("content_attributes.items[{i}]"), "must be an object".into());
        };
        if let Some(key) = item.keys().find(|k| !allowed.contains(&k.as_str())) {
            return invalid(
                format!("content_attributes.items[{i}].{key}"),
                format!("not a `{content_type}` item key; allowed: {}", allowed.join(", ")),
            );
        }
        if *content_type != ContentType::Cards {
            continue;
        }
        let actions = match item.get("actions") {
            Some(Value::Array(actions)) if !actions.is_empty() => actions,
            _ => {
                return invalid(
                    format!("content_attributes.items[{i}].actions"),
                    "every card needs at least one action".into(),
                )
            }
        };
        for (j, action) in actions.iter().enumerate() {
            let Some(action) = action.as_object() else {
                return invalid(
                    format!("content_attributes.items[{i}].actions[{j}]"),
                    "must be an object".into(),
                );
            };
            if let Some(key) = action.keys().find(|k| !CARD_ACTION_KEYS.contains(&k.as_str())) {
                return invalid(
                    format!("content_attributes.items[{i}].actions[{j}].{key}"),
                    format!("not a card action key; allowed: {}", CARD_ACTION_KEYS.join(", ")),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(content_type: &str, attributes: Value) -> Result<(), String> {
        check_attributes(&ContentType::from(content_type), attributes.as_object()).map_err(|e| e.to_string())
    }

    #[test]
    fn documented_examples_pass() {
        check(
            "input_select",
            json!({"items":[{"title":"Option1","value":"Option 1"}]}),
        )
        .unwrap();
        check(
            "cards",
            json!({"items":[{"media_url":"https://x/y.png","title":"T","description":"D","actions":[
                {"type":"link","text":"View More","uri":"https://x"},
                {"type":"postback","text":"Add to cart","payload":"ITEM_SELECTED"}]}]}),
        )
        .unwrap();
        check(
            "form",
            json!({"items":[{"name":"email","type":"email","label":"Email","placeholder":"p","default":"d"},
                {"name":"select","type":"select","label":"L","options":[{"label":"🌯 Burito","value":"Burito"}]}]}),
        )
        .unwrap();
        check(
            "article",
            json!({"items":[{"title":"T","description":"D","link":"https://x"}]}),
        )
        .unwrap();
        check("text", json!({})).unwrap();
        check("input_email", json!({"anything": 1})).unwrap();
    }

    #[test]
    fn each_rule_has_its_error() {
        assert_eq!(
            check("cards", json!({})).unwrap_err(),
            "invalid `content_attributes.items`: `cards` needs at least one item; nothing was sent"
        );
        assert!(check("form", json!({"items": []}))
            .unwrap_err()
            .contains("at least one item"));
        assert!(check("article", json!({"items": "x"}))
            .unwrap_err()
            .contains("array of objects"));
        assert!(check("input_select", json!({"items": [1]}))
            .unwrap_err()
            .contains("items[0]`: must be an object"));
        assert_eq!(
            check("input_select", json!({"items":[{"title":"a","value":"b","colour":"red"}]})).unwrap_err(),
            "invalid `content_attributes.items[0].colour`: not a `input_select` item key; allowed: title, value; nothing was sent"
        );
        assert!(check("cards", json!({"items":[{"title":"a"}]}))
            .unwrap_err()
            .contains("items[0].actions`: every card"));
        assert!(check("cards", json!({"items":[{"title":"a","actions":[]}]}))
            .unwrap_err()
            .contains("every card"));
        assert!(check(
            "cards",
            json!({"items":[{"title":"a","actions":[{"type":"link","url":"x"}]}]})
        )
        .unwrap_err()
        .contains("actions[0].url"));
    }

    #[test]
    fn typed_content_passes_the_rules() {
        let all = [
            Interactive::InputSelect(vec![SelectOption {
                title: "A".into(),
                value: "a".into(),
            }]),
            Interactive::Cards(vec![Card {
                title: "T".into(),
                description: None,
                media_url: None,
                actions: vec![CardAction::link("More", "https://x"), CardAction::postback("Buy", "B")],
            }]),
            Interactive::Form(vec![FormField::new("email", "email").label("Email")]),
            Interactive::Article(vec![ArticleItem {
                title: "T".into(),
                description: None,
                link: "https://x".into(),
            }]),
        ];
        for content in all {
            check_attributes(&content.content_type(), Some(&content.to_attributes())).unwrap();
        }
        // A typed card without actions is still refused.
        let bare = Interactive::Cards(vec![Card {
            title: "T".into(),
            description: None,
            media_url: None,
            actions: vec![],
        }]);
        assert!(check_attributes(&bare.content_type(), Some(&bare.to_attributes())).is_err());
    }
}
