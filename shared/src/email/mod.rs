//! Email to shoppers: one module for every message Upfront sends.
//!
//! - [`templates`]: the localized messages, text and HTML, every
//!   merchant-supplied value escaped;
//! - [`mime`]: the RFC 5322 message the `send_email` binding takes whole,
//!   so every header (`List-Unsubscribe`, `Reply-To`, `Message-ID`) is ours;
//! - [`caps`]: the frequency caps on anything not strictly transactional;
//! - [`unsubscribe`]: addresses as hashes, and the signed one-click link;
//! - [`records`]: the log and suppression list a merchant reads back.
//!
//! Pure like the rest of `shared`: the edge decides when to send and keeps
//! the record (`edge/src/store/mail.rs`).

pub mod caps;
pub mod mime;
pub mod records;
pub mod templates;
pub mod unsubscribe;

use serde::{Deserialize, Serialize};

/// The languages a shopper can be written to in: the widget's seven.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    De,
    Fr,
    Es,
    Ru,
    Zh,
    Ja,
}

impl Language {
    /// The language of a BCP 47 tag as the shopper's page gave it; English
    /// for any other, and for Traditional Chinese (our Chinese is
    /// Simplified), as the widget does.
    ///
    /// ```
    /// use upfront_shared::email::Language;
    /// assert_eq!(Language::of(Some("ru-RU")), Language::Ru);
    /// assert_eq!(Language::of(Some("zh-Hans-TW")), Language::Zh);
    /// assert_eq!(Language::of(Some("zh-TW")), Language::En);
    /// assert_eq!(Language::of(None), Language::En);
    /// ```
    pub fn of(tag: Option<&str>) -> Self {
        let Some(tag) = tag else { return Self::En };
        let lower = tag.to_ascii_lowercase();
        let mut parts = lower.split(['-', '_']);
        match parts.next().unwrap_or_default() {
            "de" => Self::De,
            "fr" => Self::Fr,
            "es" => Self::Es,
            "ru" => Self::Ru,
            "ja" => Self::Ja,
            "zh" => {
                let rest: Vec<&str> = parts.collect();
                let traditional = !rest.contains(&"hans")
                    && (rest.contains(&"hant")
                        || rest.iter().any(|p| ["tw", "hk", "mo"].contains(p)));
                if traditional { Self::En } else { Self::Zh }
            }
            _ => Self::En,
        }
    }

    /// The tag for `Content-Language` and `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
            Self::Es => "es",
            Self::Ru => "ru",
            Self::Zh => "zh-Hans",
            Self::Ja => "ja",
        }
    }

    pub const ALL: [Language; 7] = [
        Self::En,
        Self::De,
        Self::Fr,
        Self::Es,
        Self::Ru,
        Self::Zh,
        Self::Ja,
    ];
}
