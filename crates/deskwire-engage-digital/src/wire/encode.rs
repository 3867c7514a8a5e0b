//! The request bodies the client signs most — messages, private messages, users — written key
//! by key with `deskwire_core::json_writer`, in the order and with the omissions of their
//! derived `Serialize`, so the bytes are the same (property tests in `tests/it/properties.rs`
//! compare both on generated values). Nested values without a hot path (attachments, context
//! data, structured content, dates) are still serialized by `serde_json`.
//!
//! A field added to one of these types must be added here too: the property tests fail until
//! it is, since they generate every field.

use deskwire_core::json_key;
use deskwire_core::json_writer::{Key, ObjectWriter};

use super::{Content, DateTime, Message, PrivateMessage, User};

type Result = serde_json::Result<()>;

/// `"key":date`: a date kept as text is a string; the others are formatted by their
/// `Serialize`.
fn date(object: &mut ObjectWriter<'_>, key: Key<'static>, value: &DateTime) -> Result {
    match value {
        DateTime::Other(text) => {
            object.str(key, text);
            Ok(())
        }
        other => object.serialize(key, other),
    }
}

fn opt_date(object: &mut ObjectWriter<'_>, key: Key<'static>, value: Option<&DateTime>) -> Result {
    value.map_or(Ok(()), |value| date(object, key, value))
}

impl User {
    /// Appends this user as JSON: the bytes of `serde_json::to_writer(out, self)`.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) -> Result {
        let mut object = ObjectWriter::new(out);
        object.str(json_key!("id"), &self.id);
        date(&mut object, json_key!("created_at"), &self.created_at)?;
        object.str(json_key!("screenname"), &self.screenname);
        opt_date(&mut object, json_key!("updated_at"), self.updated_at.as_ref())?;
        object.opt_str(json_key!("firstname"), self.firstname.as_deref());
        object.opt_str(json_key!("lastname"), self.lastname.as_deref());
        object.opt_str(json_key!("avatar_url"), self.avatar_url.as_deref());
        object.opt_str(json_key!("email"), self.email.as_deref());
        object.opt_str(json_key!("home_phone"), self.home_phone.as_deref());
        object.opt_str(json_key!("mobile_phone"), self.mobile_phone.as_deref());
        object.opt_bool(json_key!("puppetizable"), self.puppetizable);
        object.opt_str(json_key!("gender"), self.gender.as_ref().map(|g| g.as_str()));
        object.opt_serialize(json_key!("context_data"), self.context_data.as_ref())?;
        object.end();
        Ok(())
    }
}

impl Content {
    /// Writes the content's fields into an open object (a message or private message adds
    /// its own after them, as the derived flattening does).
    fn write_fields(&self, object: &mut ObjectWriter<'_>) -> Result {
        object.str(json_key!("id"), &self.id);
        self.author.write_json(object.key(json_key!("author")))?;
        object.opt_str(json_key!("body"), self.body.as_deref());
        object.opt_serialize(json_key!("attachments"), self.attachments.as_ref())?;
        object.opt_str_array(
            json_key!("actions"),
            self.actions.as_ref().map(|ops| ops.iter().map(|op| op.as_str())),
        );
        object.opt_str_array(
            json_key!("categories"),
            self.categories.as_ref().map(|c| c.iter().map(String::as_str)),
        );
        object.opt_serialize(json_key!("context_data"), self.context_data.as_ref())?;
        opt_date(object, json_key!("created_at"), self.created_at.as_ref())?;
        opt_date(object, json_key!("updated_at"), self.updated_at.as_ref())?;
        object.opt_str(json_key!("display_url"), self.display_url.as_deref());
        object.opt_str(json_key!("format"), self.format.as_ref().map(|f| f.as_str()));
        object.opt_str(json_key!("in_reply_to_id"), self.in_reply_to_id.as_deref());
        object.opt_str(json_key!("ip"), self.ip.as_deref());
        object.opt_str(json_key!("language"), self.language.as_deref());
        object.opt_serialize(json_key!("structured_content"), self.structured_content.as_ref())?;
        object.opt_serialize(json_key!("structured_reply"), self.structured_reply.as_ref())?;
        object.opt_str(json_key!("title"), self.title.as_deref());
        Ok(())
    }
}

impl Message {
    /// Appends this message as JSON: the bytes of `serde_json::to_writer(out, self)`.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) -> Result {
        let mut object = ObjectWriter::new(out);
        self.content.write_fields(&mut object)?;
        object.opt_str(json_key!("thread_id"), self.thread_id.as_deref());
        object.end();
        Ok(())
    }
}

impl PrivateMessage {
    /// Appends this private message as JSON: the bytes of `serde_json::to_writer(out, self)`.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) -> Result {
        let mut object = ObjectWriter::new(out);
        self.content.write_fields(&mut object)?;
        self.recipient.write_json(object.key(json_key!("recipient")))?;
        object.end();
        Ok(())
    }
}

/// What a params type without a writer of its own appends: `serde_json`'s bytes.
pub(crate) fn serialized<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result {
    serde_json::to_writer(out, value)
}

#[cfg(test)]
mod tests {
    //! Every field set, written as struct literals without `..`: a field added to one of these
    //! types stops this module compiling until the writer above is given it too.

    use serde_json::json;

    use super::super::{Attachment, Format, Gender, Operation, StructuredContent, StructuredReply};
    use super::*;

    fn user(tag: &str, created_at: DateTime) -> User {
        User {
            id: format!("{tag}-1"),
            created_at,
            screenname: format!("{tag} \"Doe\"\n"),
            updated_at: Some(DateTime::EpochMillis(1_700_000_000_000)),
            firstname: Some("Jo".into()),
            lastname: Some("Ë\\".into()),
            avatar_url: Some("https://example.com/a.png".into()),
            email: Some("jo@example.com".into()),
            home_phone: Some("+33 1".into()),
            mobile_phone: Some("+33 6".into()),
            puppetizable: Some(true),
            gender: Some(Gender::Unknown("other".into())),
            context_data: Some(json!({"plan": ["gold"], "x-y": "z"}).as_object().unwrap().clone()),
        }
    }

    fn content(tag: &str) -> Content {
        Content {
            id: format!("{tag}-890"),
            author: user("author", DateTime::parse("2012-10-01T17:18:40Z")),
            body: Some("Awesome <b>post</b> !\u{1}".into()),
            attachments: Some(vec![Attachment::inline(b"\x00\x01", "a.bin")]),
            actions: Some(vec![Operation::Reply, Operation::from("spam")]),
            categories: Some(vec!["VIP".into(), "é\t".into()]),
            context_data: Some(json!({"k": "v"}).as_object().unwrap().clone()),
            created_at: Some(DateTime::parse("2012-02-10")),
            updated_at: Some(DateTime::Other("06/11/2017".into())),
            display_url: Some("https://example.com/p/1".into()),
            format: Some(Format::Text),
            in_reply_to_id: Some("889".into()),
            ip: Some("192.0.2.1".into()),
            language: Some("fr".into()),
            structured_content: Some(StructuredContent::select([super::super::SelectItem::new("Yes")])),
            structured_reply: Some(StructuredReply { payload: "yes".into() }),
            title: Some("Title".into()),
        }
    }

    fn written(write: impl Fn(&mut Vec<u8>) -> Result) -> String {
        let mut out = b"kept".to_vec();
        write(&mut out).unwrap();
        assert_eq!(&out[..4], b"kept");
        String::from_utf8(out.split_off(4)).unwrap()
    }

    #[test]
    fn every_field_is_written_as_serde_writes_it() {
        let customer = user("customer", DateTime::Other("06/11/2017".into()));
        assert_eq!(
            written(|o| customer.write_json(o)),
            serde_json::to_string(&customer).unwrap()
        );

        let message = Message {
            content: content("m"),
            thread_id: Some("42".into()),
        };
        assert_eq!(
            written(|o| message.write_json(o)),
            serde_json::to_string(&message).unwrap()
        );

        let private = PrivateMessage {
            content: content("p"),
            recipient: user("recipient", DateTime::EpochMillis(0)),
        };
        assert_eq!(
            written(|o| private.write_json(o)),
            serde_json::to_string(&private).unwrap()
        );
    }

    #[test]
    fn unset_fields_are_left_out() {
        let author = User::new("666", "John Doe", "06/11/2017");
        let message = Message::new("890", "42", author.clone())
            .body("Awesome post !")
            .format(Format::Text);
        assert_eq!(
            written(|o| message.write_json(o)),
            r#"{"id":"890","author":{"id":"666","created_at":"06/11/2017","screenname":"John Doe"},"body":"Awesome post !","format":"text","thread_id":"42"}"#
        );
        let unthreaded = Message::unthreaded("1", author);
        assert_eq!(
            written(|o| unthreaded.write_json(o)),
            serde_json::to_string(&unthreaded).unwrap()
        );
    }
}
