//! Compact JSON written straight into a byte buffer, with the same bytes `serde_json`'s compact
//! serializer writes, for the few bodies on a hot path whose keys are known ahead (a request
//! being signed, an answer being signed).
//!
//! Why not `serde_json` alone: its serializer escapes every key and every string one byte and
//! one `io::Write` call at a time, which on a short body costs about as much as a SHA-512
//! block. Here a key is written as it is, and a string is checked for the three things JSON
//! escapes (`"`, `\`, control characters) in one pass and then copied whole; a string that
//! needs escaping, and every value that is not a string, goes through `serde_json`, so the
//! output never differs (property tests compare both, byte for byte).
//!
//! ```
//! use deskwire_core::json_writer::ObjectWriter;
//!
//! let mut out = Vec::new();
//! let mut object = ObjectWriter::new(&mut out);
//! object.str("id", "890");
//! object.opt_str("title", None);
//! object.serialize("tags", &["a\"b"]).unwrap();
//! object.end();
//! assert_eq!(out, br#"{"id":"890","tags":["a\"b"]}"#);
//! ```

use serde::Serialize;

/// Whether `serde_json` would escape anything in `text`: a quote, a backslash or a control
/// character below U+0020 (it writes every other character, U+007F and non-ASCII included, as
/// it is).
#[inline]
pub fn needs_escape(text: &str) -> bool {
    // One table load per byte, folded without an early exit (no branch per byte).
    text.bytes().fold(false, |found, b| found | ESCAPED[usize::from(b)])
}

/// The bytes `serde_json` escapes.
static ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Appends `text` as a JSON string: the bytes of `serde_json::to_writer(out, text)`.
#[inline]
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    if needs_escape(text) {
        write_escaped(out, text);
    } else {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

#[cold]
fn write_escaped(out: &mut Vec<u8>, text: &str) {
    // Writing a `str` into a `Vec` cannot fail.
    let _ = serde_json::to_writer(out, text);
}

/// Appends `values` as a JSON array of strings.
pub fn write_str_array<'a>(out: &mut Vec<u8>, values: impl IntoIterator<Item = &'a str>) {
    out.push(b'[');
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, value);
    }
    out.push(b']');
}

/// An object key: a name known when compiling, kept as `,"name":` so that writing it is one
/// copy ([`json_key!`](crate::json_key) makes one, and refuses at compile time a name that JSON
/// would escape), or any text (`&str` converts), escaped as a string is.
#[derive(Debug, Clone, Copy)]
pub struct Key<'k>(KeyRepr<'k>);

#[derive(Debug, Clone, Copy)]
enum KeyRepr<'k> {
    /// `,"name":`, separator included, checked by [`Key::quoted`].
    Quoted(&'static str),
    Text(&'k str),
}

impl<'k> From<&'k str> for Key<'k> {
    fn from(text: &'k str) -> Self {
        Self(KeyRepr::Text(text))
    }
}

impl Key<'static> {
    /// The key `name`, written as `quoted`, which must be `,"name":`: what
    /// [`json_key!`](crate::json_key) expands to, inside a `const` block so that a name
    /// needing escapes, or a `quoted` that is not that name, fails to compile.
    #[doc(hidden)]
    pub const fn quoted(name: &'static str, quoted: &'static str) -> Self {
        let (name, written) = (name.as_bytes(), quoted.as_bytes());
        assert!(written.len() == name.len() + 4, "not the key's written form");
        assert!(written[0] == b',' && written[1] == b'"', "not the key's written form");
        let end = written.len();
        assert!(
            written[end - 2] == b'"' && written[end - 1] == b':',
            "not the key's written form"
        );
        let mut i = 0;
        while i < name.len() {
            let b = name[i];
            assert!(
                b >= 0x20 && b != b'"' && b != b'\\',
                "a json_key! name must need no escaping"
            );
            assert!(written[i + 2] == b, "not the key's written form");
            i += 1;
        }
        Self(KeyRepr::Quoted(quoted))
    }
}

/// A [`Key`] known when compiling: `json_key!("id")` is written `"id":` in one copy.
///
/// ```
/// use deskwire_core::{json_key, json_writer::ObjectWriter};
///
/// let mut out = Vec::new();
/// let mut object = ObjectWriter::new(&mut out);
/// object.str(json_key!("id"), "890");
/// object.str("body", "hi");
/// object.end();
/// assert_eq!(out, br#"{"id":"890","body":"hi"}"#);
/// ```
///
/// A name JSON would escape does not compile:
///
/// ```compile_fail
/// let _ = deskwire_core::json_key!("say \"hi\"");
/// ```
///
/// Nor does a written form that is not the name's:
///
/// ```compile_fail
/// let _ = const { deskwire_core::json_writer::Key::quoted("id", "") };
/// ```
#[macro_export]
macro_rules! json_key {
    ($name:literal) => {
        const { $crate::json_writer::Key::quoted($name, concat!(",\"", $name, "\":")) }
    };
}

/// Writes one JSON object, key by key, into a buffer: `{` on creation, `}` on
/// [`end`](Self::end). Keys are written in the order given and never checked for duplicates,
/// as a derived `Serialize` does.
#[derive(Debug)]
pub struct ObjectWriter<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> ObjectWriter<'a> {
    /// Opens an object at the end of `out`.
    #[inline]
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, empty: true }
    }

    /// Writes the separator and `"key":`, and returns the buffer for the value, which the
    /// caller must then write (exactly one JSON value).
    #[inline]
    pub fn key<'k>(&mut self, key: impl Into<Key<'k>>) -> &mut Vec<u8> {
        let first = std::mem::replace(&mut self.empty, false);
        match key.into().0 {
            KeyRepr::Quoted(quoted) => {
                let quoted = if first { &quoted[1..] } else { quoted };
                self.out.extend_from_slice(quoted.as_bytes());
            }
            KeyRepr::Text(text) => {
                if !first {
                    self.out.push(b',');
                }
                write_str(self.out, text);
                self.out.push(b':');
            }
        }
        self.out
    }

    /// `"key":"value"`.
    #[inline]
    pub fn str<'k>(&mut self, key: impl Into<Key<'k>>, value: &str) {
        write_str(self.key(key), value);
    }

    /// `"key":"value"` when there is a value; nothing otherwise (`skip_serializing_if =
    /// "Option::is_none"`).
    #[inline]
    pub fn opt_str<'k>(&mut self, key: impl Into<Key<'k>>, value: Option<&str>) {
        if let Some(value) = value {
            self.str(key, value);
        }
    }

    /// `"key":[...]` of strings when there is a list; nothing otherwise.
    pub fn opt_str_array<'k, 'v>(
        &mut self,
        key: impl Into<Key<'k>>,
        values: Option<impl IntoIterator<Item = &'v str>>,
    ) {
        if let Some(values) = values {
            write_str_array(self.key(key), values);
        }
    }

    /// `"key":true` or `"key":false` when there is a value; nothing otherwise.
    #[inline]
    pub fn opt_bool<'k>(&mut self, key: impl Into<Key<'k>>, value: Option<bool>) {
        if let Some(value) = value {
            let text: &[u8] = if value { b"true" } else { b"false" };
            self.key(key).extend_from_slice(text);
        }
    }

    /// `"key":` and `value` as `serde_json` serializes it.
    pub fn serialize<'k, T: Serialize + ?Sized>(
        &mut self,
        key: impl Into<Key<'k>>,
        value: &T,
    ) -> serde_json::Result<()> {
        serde_json::to_writer(self.key(key), value)
    }

    /// [`serialize`](Self::serialize) when there is a value; nothing otherwise.
    pub fn opt_serialize<'k, T: Serialize>(
        &mut self,
        key: impl Into<Key<'k>>,
        value: Option<&T>,
    ) -> serde_json::Result<()> {
        match value {
            Some(value) => self.serialize(key, value),
            None => Ok(()),
        }
    }

    /// Closes the object.
    #[inline]
    pub fn end(self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written(text: &str) -> Vec<u8> {
        let mut out = b"kept".to_vec();
        write_str(&mut out, text);
        assert_eq!(&out[..4], b"kept");
        out.split_off(4)
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in [
            "",
            "plain",
            "a\"b",
            "back\\slash",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "tab\there",
            "é✓😀",
            "</script>",
        ] {
            assert_eq!(written(text), serde_json::to_vec(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn only_quotes_backslashes_and_control_characters_need_escaping() {
        assert!(!needs_escape("Awesome post ! é \u{7f} /"));
        for text in ["\"", "\\", "\u{0}", "\n", "\u{1f}", "long text with one \" inside"] {
            assert!(needs_escape(text), "{text:?}");
        }
    }

    #[test]
    fn an_object_writes_its_keys_in_order_with_separators() {
        let mut out = Vec::new();
        let mut object = ObjectWriter::new(&mut out);
        object.opt_str(crate::json_key!("skipped"), None);
        object.str(crate::json_key!("a"), "1");
        object.opt_bool("b", Some(false));
        object.opt_bool("c", None);
        object.opt_str_array(crate::json_key!("d"), Some(["x", "y\n"]));
        object.opt_str_array("e", None::<[&str; 0]>);
        object.opt_serialize("f", Some(&3)).unwrap();
        object.opt_serialize("g", None::<&u8>).unwrap();
        object.serialize("h\"", &serde_json::json!({"k": null})).unwrap();
        object.end();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":"1","b":false,"d":["x","y\n"],"f":3,"h\"":{"k":null}}"#
        );
        let mut empty = Vec::new();
        ObjectWriter::new(&mut empty).end();
        assert_eq!(empty, b"{}");

        // A quoted key first, then text, then quoted again.
        let mut out = Vec::new();
        let mut object = ObjectWriter::new(&mut out);
        object.str(crate::json_key!("q"), "1");
        object.str("t\u{1}", "2");
        object.str(crate::json_key!("é ✓"), "3");
        object.end();
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"q":"1","t\u0001":"2","é ✓":"3"}"#);
    }

    proptest! {
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(text in any::<String>()) {
            prop_assert_eq!(written(&text), serde_json::to_vec(&text).unwrap());
        }

        #[test]
        fn one_character_to_escape_is_found_anywhere(
            before in "[a-z !é😀\u{7f}\u{80}]{0,20}",
            special in prop::sample::select(vec!['"', '\\', '\u{0}', '\u{1f}', '\n']),
            after in "[a-z !é😀\u{7f}]{0,20}",
        ) {
            let plain = format!("{before}{after}");
            prop_assert!(!needs_escape(&plain));
            let text = format!("{before}{special}{after}");
            prop_assert!(needs_escape(&text));
            prop_assert_eq!(written(&text), serde_json::to_vec(&text).unwrap());
        }

        #[test]
        fn any_ascii_string(text in "[\\x00-\\x7f]{0,40}") {
            prop_assert_eq!(written(&text), serde_json::to_vec(&text).unwrap());
        }
    }
}
