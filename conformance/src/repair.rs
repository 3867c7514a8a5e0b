//! The lenient pre-pass for documentation examples that are not strict JSON.
//!
//! Each repair has a name; [`repair`] returns the repaired text and the names of the repairs
//! that changed something, in the order they ran. Cases record that list in `case.toml` and the
//! harness compares it, so a silent change in this step is caught.
//!
//! The text is tokenized once (strings, punctuation, bare words, whitespace, comments), repairs
//! edit the token list, and the tokens are joined again. Nothing inside a string is ever touched.

/// A named repair, in the order they are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    /// ```` ```json ```` … ```` ``` ```` fences around the example.
    CodeFence,
    /// `// comment` to the end of the line.
    LineComments,
    /// `"key"?:` optional-field markers.
    OptionalKeyMarkers,
    /// `key:` without quotes.
    UnquotedKeys,
    /// Bare type names standing for values: `number`, `string`, `boolean`, `[number]`.
    Placeholders,
    /// `,` before `}` or `]`.
    TrailingCommas,
}

impl Repair {
    /// All repairs, in application order.
    pub const ALL: [Repair; 6] = [
        Repair::CodeFence,
        Repair::LineComments,
        Repair::OptionalKeyMarkers,
        Repair::UnquotedKeys,
        Repair::Placeholders,
        Repair::TrailingCommas,
    ];

    /// The name recorded in `case.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Repair::CodeFence => "code-fence",
            Repair::LineComments => "line-comments",
            Repair::OptionalKeyMarkers => "optional-key-markers",
            Repair::UnquotedKeys => "unquoted-keys",
            Repair::Placeholders => "placeholders",
            Repair::TrailingCommas => "trailing-commas",
        }
    }
}

/// The sample value a placeholder word is replaced with.
pub fn placeholder_value(word: &str) -> Option<&'static str> {
    match word {
        "number" | "integer" | "int" => Some("0"),
        "string" => Some("\"string\""),
        "boolean" | "bool" => Some("false"),
        _ => None,
    }
}

/// Output of [`repair`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// The repaired text.
    pub text: String,
    /// Names of the repairs that changed something.
    pub repairs: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Str(String),
    Punct(char),
    Word(String),
    Space(String),
    Comment(String),
}

impl Tok {
    fn raw(&self) -> String {
        match self {
            Tok::Str(s) | Tok::Word(s) | Tok::Space(s) | Tok::Comment(s) => s.clone(),
            Tok::Punct(c) => c.to_string(),
        }
    }

    fn is_blank(&self) -> bool {
        matches!(self, Tok::Space(_) | Tok::Comment(_))
    }
}

fn tokenize(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            toks.push(Tok::Str(chars[start..i].iter().collect()));
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            toks.push(Tok::Comment(chars[start..i].iter().collect()));
        } else if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            toks.push(Tok::Space(chars[start..i].iter().collect()));
        } else if "{}[]:,?".contains(c) {
            i += 1;
            toks.push(Tok::Punct(c));
        } else {
            while i < chars.len() && !chars[i].is_whitespace() && !"{}[]:,?\"".contains(chars[i]) {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'/') {
                    break;
                }
                i += 1;
            }
            toks.push(Tok::Word(chars[start..i].iter().collect()));
        }
    }
    toks
}

fn prev_solid(toks: &[Tok], i: usize) -> Option<&Tok> {
    toks[..i].iter().rev().find(|t| !t.is_blank())
}

fn next_solid(toks: &[Tok], i: usize) -> Option<&Tok> {
    toks[i + 1..].iter().find(|t| !t.is_blank())
}

fn strip_fences(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let is_fence = |l: &str| l.trim_start().starts_with("```");
    if !lines.iter().any(|l| is_fence(l)) {
        return None;
    }
    let kept: Vec<&str> = lines.into_iter().filter(|l| !is_fence(l)).collect();
    Some(kept.join("\n") + "\n")
}

fn apply(repair: Repair, toks: &mut Vec<Tok>) -> bool {
    let before = toks.clone();
    match repair {
        Repair::CodeFence => {}
        Repair::LineComments => toks.retain(|t| !matches!(t, Tok::Comment(_))),
        Repair::OptionalKeyMarkers => {
            let mut i = 0;
            while i < toks.len() {
                let marker = toks[i] == Tok::Punct('?')
                    && matches!(prev_solid(toks, i), Some(Tok::Str(_)) | Some(Tok::Word(_)))
                    && next_solid(toks, i) == Some(&Tok::Punct(':'));
                if marker {
                    toks.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        Repair::UnquotedKeys => {
            for i in 0..toks.len() {
                if let Tok::Word(w) = &toks[i] {
                    let key_position = matches!(prev_solid(toks, i), Some(Tok::Punct('{' | ',')))
                        && matches!(next_solid(toks, i), Some(Tok::Punct(':' | '?')));
                    if key_position {
                        toks[i] = Tok::Str(format!("\"{w}\""));
                    }
                }
            }
        }
        Repair::Placeholders => {
            for i in 0..toks.len() {
                if let Tok::Word(w) = &toks[i] {
                    let value_position = matches!(prev_solid(toks, i), Some(Tok::Punct(':' | '[' | ',')))
                        && !matches!(next_solid(toks, i), Some(Tok::Punct(':')));
                    if let (true, Some(v)) = (value_position, placeholder_value(w)) {
                        toks[i] = Tok::Word(v.to_owned());
                    }
                }
            }
        }
        Repair::TrailingCommas => {
            let mut i = 0;
            while i < toks.len() {
                if toks[i] == Tok::Punct(',') && matches!(next_solid(toks, i), Some(Tok::Punct('}' | ']'))) {
                    toks.remove(i);
                } else {
                    i += 1;
                }
            }
        }
    }
    *toks != before
}

/// Applies every repair that changes something and says which did.
pub fn repair(text: &str) -> Repaired {
    let mut repairs = Vec::new();
    let text = match strip_fences(text) {
        Some(stripped) => {
            repairs.push(Repair::CodeFence.name());
            stripped
        }
        None => text.to_owned(),
    };
    let mut toks = tokenize(&text);
    for r in Repair::ALL.into_iter().skip(1) {
        if apply(r, &mut toks) {
            repairs.push(r.name());
        }
    }
    Repaired {
        text: toks.iter().map(Tok::raw).collect(),
        repairs,
    }
}

/// Repairs, then parses strictly.
pub fn repair_and_parse(text: &str) -> Result<(serde_json::Value, Vec<&'static str>), String> {
    let repaired = repair(text);
    match serde_json::from_str(&repaired.text) {
        Ok(value) => Ok((value, repaired.repairs)),
        Err(e) => Err(format!("not JSON even after repairs {:?}: {e}", repaired.repairs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(text: &str) -> (serde_json::Value, Vec<&'static str>) {
        repair_and_parse(text).unwrap()
    }

    #[test]
    fn strict_json_needs_no_repair() {
        assert_eq!(
            ok(r#"{"a": [1, "x,}"], "b": {"c": null}}"#),
            (json!({"a":[1,"x,}"],"b":{"c":null}}), vec![])
        );
    }

    #[test]
    fn each_repair_is_named() {
        assert_eq!(ok("{\"a\": 1, // one\n}").1, ["line-comments", "trailing-commas"]);
        assert_eq!(
            ok(r#"{"initiatingEntity"?: "x"}"#),
            (json!({"initiatingEntity": "x"}), vec!["optional-key-markers"])
        );
        assert_eq!(
            ok(r#"{platformIds: [1]}"#),
            (json!({"platformIds": [1]}), vec!["unquoted-keys"])
        );
        assert_eq!(
            ok(r#"{"n": number, "ids": [number], "s": string}"#),
            (json!({"n": 0, "ids": [0], "s": "string"}), vec!["placeholders"])
        );
        assert_eq!(ok("```json\n{\"a\": 1}\n```\n"), (json!({"a": 1}), vec!["code-fence"]));
    }

    #[test]
    fn strings_are_never_touched() {
        let text = r#"{"url": "https://x//y", "q": "a?: b, }", "w": "number"}"#;
        assert_eq!(ok(text), (serde_json::from_str(text).unwrap(), vec![]));
    }

    #[test]
    fn combined_rake_style_example() {
        let text = "{\n  platformIds: [number],\n  \"initiatingEntity\"?: \"x\",\n  \"n\": number,\n}";
        let (v, repairs) = ok(text);
        assert_eq!(v, json!({"platformIds": [0], "initiatingEntity": "x", "n": 0}));
        assert_eq!(
            repairs,
            [
                "optional-key-markers",
                "unquoted-keys",
                "placeholders",
                "trailing-commas"
            ]
        );
    }

    #[test]
    fn unrepairable_text_is_an_error_not_a_panic() {
        assert!(repair_and_parse("ok").is_err());
        assert!(repair_and_parse("{\"unterminated").is_err());
        assert!(repair_and_parse("").is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "[{}\\[\\]:,?\"a-z0-9 /\\n\\\\]{0,64}") {
            let _ = repair_and_parse(&text);
        }
    }
}
