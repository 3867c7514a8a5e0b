//! `open_enum!`: string enums that keep values they do not know.
//!
//! Providers add enum values without notice. Every enum that comes off the wire is therefore
//! "open": the documented variants plus a fallback variant that keeps the unknown string, so a
//! value decoded and encoded again is never lost or changed.

/// Declares an open string enum with serde support.
///
/// ```
/// deskwire_core::open_enum! {
///     /// Body format.
///     pub enum Format {
///         /// HTML.
///         Html = "html",
///         /// Plain text.
///         Text = "text",
///     }
///     /// A format this version does not know.
///     Unknown
/// }
/// assert_eq!(Format::from("text"), Format::Text);
/// assert_eq!(Format::from("markdown"), Format::Unknown("markdown".into()));
/// assert_eq!(serde_json::to_string(&Format::Unknown("md".into())).unwrap(), "\"md\"");
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
        $(#[$fmeta:meta])*
        $fallback:ident
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            $(#[$fmeta])*
            $fallback(::std::string::String),
        }

        impl $name {
            /// The wire text of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::$fallback(other) => other.as_str(),
                }
            }

            /// Whether this value is one this version of the crate knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::$fallback(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )+
                    other => Self::$fallback(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(text: ::std::string::String) -> Self {
                match Self::from(text.as_str()) {
                    Self::$fallback(_) => Self::$fallback(text),
                    known => known,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(text.into_owned()))
            }
        }
    };
}
