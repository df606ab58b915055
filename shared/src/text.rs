//! Validated free text: what people type into the register, checked once at the boundary.

use serde::{Deserialize, Serialize};

/// A line of text (a name, a role, a hospital): 1 to 200 characters, no line breaks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
#[serde(try_from = "String", into = "String")]
pub struct ShortText(String);

/// Words as someone said or wrote them (notes, views, findings): 1 to 20,000 characters; line
/// breaks kept, other control characters refused. Never trimmed inside, so a person's own words stay theirs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
#[serde(try_from = "String", into = "String")]
pub struct LongText(String);

pub const SHORT_TEXT_MAX: usize = 200;
pub const LONG_TEXT_MAX: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("must be on one line")]
    LineBreak,
    #[error("contains a control character")]
    ControlCharacter,
}

impl TextError {
    /// What to tell someone who typed it: `empty` when nothing was entered, else "{what} {problem}"
    /// ("Who asked is longer than 200 characters").
    pub fn message(&self, empty: &str, what: &str) -> String {
        match self {
            TextError::Empty => empty.to_string(),
            other => format!("{what} {other}"),
        }
    }
}

/// Who asked for something nothing undoes (closing an account, withdrawing consent, an erasure, taking
/// someone off the register) and why, as its confirmation page records them. `who_empty` is said when
/// nobody is named; `why_empty`, when given, makes the reason required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoAsked {
    pub asked_by: ShortText,
    pub reason: Option<LongText>,
}

impl WhoAsked {
    /// From what was typed, or what to fix, field by field (`asked_by`, `reason`).
    pub fn parse(
        asked_by: &str,
        who_empty: &str,
        reason: &str,
        why_empty: Option<&str>,
    ) -> Result<WhoAsked, crate::ValidationErrors> {
        let mut errors = crate::ValidationErrors::new();
        let who =
            ShortText::parse(asked_by).map_err(|e| errors.add("asked_by", e.message(who_empty, "Who asked"))).ok();
        let why = match (reason.trim(), why_empty) {
            ("", None) => None,
            (_, empty) => {
                LongText::parse(reason).map_err(|e| errors.add("reason", e.message(empty.unwrap_or(""), "Why"))).ok()
            }
        };
        match who {
            Some(asked_by) if errors.is_empty() => Ok(WhoAsked { asked_by, reason: why }),
            _ => Err(errors),
        }
    }

    /// As the audit trail keeps it: "Asked by Sam Lee, team manager: left the team".
    pub fn audit_reason(&self) -> String {
        match &self.reason {
            Some(why) => format!("Asked by {}: {}", self.asked_by.as_str(), why.as_str()),
            None => format!("Asked by {}", self.asked_by.as_str()),
        }
    }
}

/// A control character no one types: anything but a line break or a tab (NUL, escape, bell...).
pub fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// Whether `text` holds a control character other than those `allowed`: what
/// `text.chars().any(|c| c.is_control() && !allowed(c))` says, read byte by byte (every person's text
/// is checked whenever the register is read: 10,000 people's stories at once). Control characters
/// (Unicode's Cc) are U+0000 to U+001F, U+007F, and U+0080 to U+009F, which UTF-8 writes as 0xC2 then
/// 0x80 to 0x9F.
fn has_control(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| match *b {
        0x00..=0x1F => !allowed(*b),
        0x7F => true,
        0xC2 => bytes.get(i + 1).is_some_and(|next| (0x80..=0x9F).contains(next)),
        _ => false,
    })
}

/// Whether `text` is longer than `max` characters (its bytes first: a character is at least one).
fn longer_than(text: &str, max: usize) -> bool {
    text.len() > max && text.chars().count() > max
}

/// Where in a JSON value a string holds a stray control character: the path to it (`panel.chair`,
/// `attendees.0.name`), `""` for the value itself.
pub fn stray_control_in(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => s.chars().any(is_stray_control).then(String::new),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, v)| stray_control_in(v).map(|path| join_path(&i.to_string(), &path)))
        }
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.chars().any(is_stray_control) {
                Some(String::new())
            } else {
                stray_control_in(v).map(|path| join_path(k, &path))
            }
        }),
        _ => None,
    }
}

fn join_path(head: &str, rest: &str) -> String {
    if rest.is_empty() { head.to_string() } else { format!("{head}.{rest}") }
}

/// The message for a field holding one.
pub const STRAY_CONTROL_MESSAGE: &str =
    "This contains a hidden control character (such as a NUL) that cannot be stored: retype it";

/// A cell for a spreadsheet: text that a spreadsheet would run as a formula (starting `=`, `+`, `-`,
/// `@`, a tab or a carriage return) is given a leading apostrophe, so opening an export never runs
/// anything (OWASP, "CSV injection").
pub fn spreadsheet_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

impl ShortText {
    pub fn parse(text: &str) -> Result<Self, TextError> {
        let text = text.trim();
        if text.is_empty() {
            Err(TextError::Empty)
        } else if longer_than(text, SHORT_TEXT_MAX) {
            Err(TextError::TooLong(SHORT_TEXT_MAX))
        } else if text.contains(['\n', '\r']) {
            Err(TextError::LineBreak)
        } else if has_control(text, |_| false) {
            Err(TextError::ControlCharacter)
        } else {
            Ok(Self(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A text written in this crate's source (a checklist question). Tests check each one parses.
    pub(crate) fn constant(text: &'static str) -> Self {
        Self(text.to_owned())
    }
}

impl LongText {
    /// Two people's words as one answer (a merge of two records of one thing): the first, a blank line,
    /// the second. Never drops words, so it may be longer than [`LONG_TEXT_MAX`]: the form it is shown
    /// in checks it again when saved.
    pub(crate) fn joined(first: &LongText, second: &LongText) -> LongText {
        Self(format!("{}\n\n{}", first.0, second.0))
    }

    pub fn parse(text: &str) -> Result<Self, TextError> {
        if text.trim().is_empty() {
            Err(TextError::Empty)
        } else if longer_than(text, LONG_TEXT_MAX) {
            Err(TextError::TooLong(LONG_TEXT_MAX))
        } else if has_control(text, |b| matches!(b, b'\n' | b'\r' | b'\t')) {
            Err(TextError::ControlCharacter)
        } else {
            Ok(Self(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_conversions {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $t {
            type Error = TextError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$t> for String {
            fn from(value: $t) -> Self {
                value.0
            }
        }
    )*};
}
text_conversions!(ShortText, LongText);

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_for_spreadsheets_and_other_text_kept() {
        for formula in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_cell(formula), format!("'{formula}"));
        }
        for plain in ["Sam Parent", "", "2026-11-25", "a=b"] {
            assert_eq!(spreadsheet_cell(plain), plain);
        }
    }

    #[test]
    fn stray_control_characters_are_found_wherever_they_are() {
        let value = serde_json::json!({ "panel": { "chair": "Dr\u{0}Chair" }, "attendees": [{ "name": "ok\nfine" }] });
        assert_eq!(stray_control_in(&value).as_deref(), Some("panel.chair"));
        let list = serde_json::json!({ "attendees": [{ "name": "ok" }, { "name": "esc\u{1b}" }] });
        assert_eq!(stray_control_in(&list).as_deref(), Some("attendees.1.name"));
        assert_eq!(stray_control_in(&serde_json::json!({ "notes": "line\r\nbreak\ttab" })), None);
    }

    #[test]
    fn short_text_is_one_trimmed_line() {
        assert_eq!(ShortText::parse("  Ward 3 ").map(|t| t.to_string()), Ok("Ward 3".into()));
        assert_eq!(ShortText::parse("a\nb"), Err(TextError::LineBreak));
        assert_eq!(ShortText::parse(" "), Err(TextError::Empty));
        assert_eq!(ShortText::parse(&"x".repeat(201)), Err(TextError::TooLong(200)));
    }

    proptest::proptest! {
        /// The byte-by-byte checks say what the character-by-character rules say, for any text
        /// (control characters of both ranges, line breaks, tabs and letters of every width).
        #[test]
        fn text_checks_read_by_bytes_agree_with_the_rules_by_character(
            text in "[\\x00-\\x{A0}\\n\\t\\ra-zé€😀 ]{0,40}",
            max in 0usize..30,
        ) {
            proptest::prop_assert_eq!(has_control(&text, |_| false), text.chars().any(char::is_control));
            proptest::prop_assert_eq!(
                has_control(&text, |b| matches!(b, b'\n' | b'\r' | b'\t')),
                text.chars().any(is_stray_control)
            );
            proptest::prop_assert_eq!(longer_than(&text, max), text.chars().count() > max);
        }
    }

    #[test]
    fn long_text_keeps_a_persons_own_words_exactly() {
        let words = "  I don't like the noise.\n\nI want to go home.  ";
        assert_eq!(LongText::parse(words).map(|t| t.to_string()), Ok(words.to_string()));
        assert_eq!(LongText::parse("bell\u{7}"), Err(TextError::ControlCharacter));
        assert!(serde_json::from_str::<LongText>("\"  \"").is_err());
    }

    #[test]
    fn who_asked_is_required_and_why_when_the_page_says_so() {
        let optional = WhoAsked::parse("Sam Parent, his mother", "Say who asked", "  ", None);
        assert_eq!(optional.as_ref().map(|w| w.reason.is_none()), Ok(true));
        assert_eq!(optional.map(|w| w.audit_reason()), Ok("Asked by Sam Parent, his mother".to_string()));
        let errors = WhoAsked::parse(" ", "Say who asked", "", Some("Say why")).err().unwrap_or_default();
        assert_eq!(
            (errors.message_for("asked_by"), errors.message_for("reason")),
            (Some("Say who asked"), Some("Say why"))
        );
        let long = "x".repeat(201);
        let errors = WhoAsked::parse(&long, "Say who asked", "fine", Some("Say why")).err().unwrap_or_default();
        assert!(errors.message_for("asked_by").is_some_and(|m| m.starts_with("Who asked")), "{errors}");
        let asked = WhoAsked::parse("Jo", "-", "Moving away", Some("-")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(asked.audit_reason(), "Asked by Jo: Moving away");
    }

    #[test]
    fn an_erasure_needs_who_asked_and_why_and_says_it_cannot_be_undone() {
        let request = |asked_by: &str, reason: &str| crate::api::ErasureRequest {
            asked_by: asked_by.into(),
            reason: reason.into(),
        };
        let errors = request("", "").validate().err().unwrap_or_default();
        assert!(errors.message_for("asked_by").is_some() && errors.message_for("reason").is_some(), "{errors}");
        assert!(request("His mother", "A letter").validate().is_ok());
        assert!(crate::api::ErasureRequest::EFFECTS.iter().any(|e| e.contains("cannot be undone")));
        let effects = crate::Person::leaving_effects(crate::period::Period::Months(12));
        assert!(effects[1].contains("12 months after the day they leave"), "{effects:?}");
    }
}
