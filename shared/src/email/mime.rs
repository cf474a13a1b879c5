//! The message as the `send_email` binding takes it: RFC 5322 headers and a
//! `multipart/alternative` body (plain text, then HTML), both UTF-8 in
//! base64. Building it here, not in the binding's structured form, keeps
//! every header ours and lets the same bytes be tested natively.
//!
//! Header injection cannot happen: addresses come validated (no CR, LF,
//! quotes or spaces), display names and the subject are always
//! RFC 2047-encoded, and the unsubscribe URL is checked for plain URL
//! characters.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::Language;

/// One message, ready to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// The display name shown as the sender (the merchant's name).
    pub from_name: String,
    pub from_address: String,
    pub to: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Without angle brackets: `id@domain`. Derived from the message's
    /// idempotency key, so a retried send carries the same one.
    pub message_id: String,
    pub date: Timestamp,
    pub language: Language,
    /// RFC 8058 one-click unsubscribe: set for every message that is not
    /// strictly transactional.
    pub unsubscribe_url: Option<String>,
}

impl Email {
    /// The full message, CRLF line ends.
    ///
    /// ```
    /// use upfront_shared::email::{Language, mime::Email};
    /// let email = Email {
    ///     from_name: "Läden & Co".into(), from_address: "notify@upfront.example".into(),
    ///     to: "ada@example.com".into(), reply_to: Some("help@shop.example".into()),
    ///     subject: "Снова в наличии".into(), text: "hi".into(), html: "<p>hi</p>".into(),
    ///     message_id: "em_1@upfront.example".into(), date: "2026-12-01T10:00:00Z".parse().unwrap(),
    ///     language: Language::Ru, unsubscribe_url: Some("https://api.example/v1/unsubscribe/t".into()),
    /// };
    /// let raw = email.render();
    /// assert!(raw.contains("\r\nList-Unsubscribe: <https://api.example/v1/unsubscribe/t>\r\n"));
    /// assert!(raw.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    /// assert!(raw.starts_with("From: =?UTF-8?B?"));
    /// ```
    pub fn render(&self) -> String {
        let boundary = format!(
            "upfront-{}",
            &hex(&Sha256::digest(self.message_id.as_bytes()))[..24]
        );
        let mut headers = vec![
            format!(
                "From: {} <{}>",
                encode_word(&self.from_name),
                self.from_address
            ),
            format!("To: <{}>", self.to),
        ];
        if let Some(reply_to) = &self.reply_to {
            headers.push(format!("Reply-To: <{reply_to}>"));
        }
        headers.push(format!("Subject: {}", encode_word(&self.subject)));
        headers.push(format!(
            "Date: {}",
            self.date.strftime("%a, %d %b %Y %H:%M:%S +0000")
        ));
        headers.push(format!("Message-ID: <{}>", self.message_id));
        headers.push(format!("Content-Language: {}", self.language.tag()));
        if let Some(url) = self.unsubscribe_url.as_deref().filter(|u| is_plain_url(u)) {
            headers.push(format!("List-Unsubscribe: <{url}>"));
            headers.push("List-Unsubscribe-Post: List-Unsubscribe=One-Click".into());
        }
        headers.push("MIME-Version: 1.0".into());
        headers.push(format!(
            "Content-Type: multipart/alternative;\r\n boundary=\"{boundary}\""
        ));
        let mut out = headers.join("\r\n");
        out.push_str("\r\n\r\n");
        for (kind, body) in [("plain", &self.text), ("html", &self.html)] {
            out.push_str(&format!(
                "--{boundary}\r\nContent-Type: text/{kind}; charset=utf-8\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                base64_lines(body.as_bytes())
            ));
        }
        out.push_str(&format!("--{boundary}--\r\n"));
        out
    }
}

/// An RFC 2047 encoded word (or several, folded) for any text: plain ASCII
/// would need quoting rules of its own, so everything is encoded alike.
fn encode_word(text: &str) -> String {
    // 39 bytes of UTF-8 make 52 of base64: with `=?UTF-8?B?…?=` and the
    // header name, each line stays under 78.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars().filter(|c| !c.is_control()) {
        if chunk.len() + c.len_utf8() > 39 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    words.push(chunk);
    words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", STANDARD.encode(w)))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// Base64 in lines of 76 characters, as RFC 2045 asks.
fn base64_lines(bytes: &[u8]) -> String {
    let encoded = STANDARD.encode(bytes);
    encoded
        .as_bytes()
        .chunks(76)
        .map(|line| std::str::from_utf8(line).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn is_plain_url(url: &str) -> bool {
    url.starts_with("http")
        && url
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email {
            from_name: "Shop".into(),
            from_address: "notify@upfront.example".into(),
            to: "ada@example.com".into(),
            reply_to: None,
            subject: "Hello".into(),
            text: "x".repeat(200),
            html: "<p>x</p>".into(),
            message_id: "em_1@upfront.example".into(),
            date: "2026-12-01T10:00:00Z".parse().expect("a test value"),
            language: Language::En,
            unsubscribe_url: None,
        }
    }

    fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
        let head = raw.split("\r\n\r\n").next()?;
        head.split("\r\n")
            .find_map(|line| line.strip_prefix(&format!("{name}: ")))
    }

    #[test]
    fn transactional_mail_has_no_unsubscribe_headers() {
        let raw = email().render();
        assert_eq!(header(&raw, "List-Unsubscribe"), None);
        assert_eq!(header(&raw, "Reply-To"), None);
        assert_eq!(
            header(&raw, "Date"),
            Some("Tue, 01 Dec 2026 10:00:00 +0000")
        );
        assert_eq!(header(&raw, "Message-ID"), Some("<em_1@upfront.example>"));
    }

    #[test]
    fn bodies_are_base64_lines_of_76() {
        let raw = email().render();
        let body = raw.split("\r\n\r\n").nth(2).expect("a text part");
        let first = body.split("\r\n").next().expect("a test value");
        assert_eq!(first.len(), 76);
        let joined: String = body
            .split("\r\n--")
            .next()
            .expect("a test value")
            .split("\r\n")
            .collect();
        assert_eq!(
            STANDARD.decode(joined).expect("a test value"),
            "x".repeat(200).as_bytes()
        );
    }

    #[test]
    fn no_text_can_add_a_header() {
        let mut evil = email();
        evil.from_name = "Shop\r\nBcc: all@example.com".into();
        evil.subject = "Hi\nBcc: all@example.com".into();
        evil.unsubscribe_url = Some("https://x.example/\r\nBcc: all@example.com".into());
        let raw = evil.render();
        let head = raw.split("\r\n\r\n").next().expect("a test value");
        assert!(!head.contains("Bcc"), "{head}");
        assert!(!head.contains("List-Unsubscribe"));
    }

    #[test]
    fn long_subjects_fold_into_short_lines() {
        let mut long = email();
        long.subject = "Снова в наличии: ".repeat(10);
        let raw = long.render();
        let head = raw.split("\r\n\r\n").next().expect("a test value");
        assert!(head.split("\r\n").all(|line| line.len() <= 78), "{head}");
    }
}
