//! The option notice email: what the rule requires it to say, in the
//! buyer's language, with dates in the merchant's calendar.

use jiff::ToSpan;

use super::copy::{copy, long_date};
use super::{DelayReason, SentNotice};
use crate::email::Language;
use crate::email::templates::{Rendered, escape};

/// One notice about one order.
#[derive(Clone, Copy, Debug)]
pub struct DelayEmail<'a> {
    pub shop: &'a str,
    pub order: &'a str,
    pub notice: &'a SentNotice,
    /// The order page, where the buyer agrees or cancels.
    pub status_url: &'a str,
    pub discount_code: Option<&'a str>,
}

impl DelayEmail<'_> {
    /// The message in `language`: the revised date or why none can be
    /// given, the free choice between waiting and a full refund, what
    /// silence means, and the link to answer.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use upfront_shared::email::Language;
    /// use upfront_shared::order::{SentNotice, notice::DelayEmail};
    /// use upfront_shared::order::ftc::Notice;
    /// let notice = SentNotice {
    ///     number: 1, sent_at: "2026-12-01T10:00:00Z".parse().unwrap(), was_due: date(2026, 12, 10),
    ///     notice: Notice { revised: Some(date(2026, 12, 20)), renewed: false,
    ///         silence_consents_after: Some(date(2026, 12, 10)), cancel_on: None },
    ///     reason: None,
    /// };
    /// let email = DelayEmail { shop: "Acme <Tools>", order: "1001", notice: &notice,
    ///     status_url: "https://api.example/o/t", discount_code: Some("SORRY15") }.render(Language::En);
    /// assert_eq!(email.subject, "Your order 1001 from Acme <Tools> is delayed");
    /// assert!(email.text.contains("We now expect to ship it by December 20, 2026."));
    /// assert!(email.text.contains("by the end of December 10, 2026, we will take it that you agree"));
    /// assert!(email.html.contains("— Acme &lt;Tools&gt;") && !email.html.contains("<Tools>"));
    /// assert!(email.text.contains("SORRY15"));
    /// ```
    pub fn render(&self, language: Language) -> Rendered {
        let words = copy(language);
        let notice = &self.notice.notice;
        let date = |d| long_date(d, language);
        let subject = if notice.renewed {
            words.subject_renewed
        } else {
            words.subject_first
        }
        .replace("{order}", self.order)
        .replace("{shop}", self.shop);
        let situation = match notice.revised {
            Some(revised) => words.revised.replace("{revised}", &date(revised)),
            None => words.no_date.replace(
                "{reason}",
                match self.notice.reason {
                    Some(DelayReason::NoDelivery) => words.reason_delivery,
                    _ => words.reason_stock,
                },
            ),
        }
        .replace("{order}", self.order)
        .replace("{original}", &date(self.notice.was_due));
        let deadline = match (notice.silence_consents_after, notice.cancel_on) {
            (Some(after), _) => words.silence.replace("{date}", &date(after)),
            (None, Some(cancel_on)) => words
                .express
                .replace("{date}", &date(cancel_on.saturating_sub(1.day()))),
            (None, None) => String::new(),
        };
        let goodwill = self
            .discount_code
            .map(|code| words.goodwill.replace("{code}", code));
        let paragraphs: Vec<String> = [
            Some(words.greeting.to_owned()),
            Some(situation),
            Some(words.choice.to_owned()),
            Some(deadline).filter(|d| !d.is_empty()),
            goodwill,
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut text = paragraphs.join("\n\n");
        text.push_str(&format!(
            "\n\n{}: {}\n\n— {}\n",
            words.answer, self.status_url, self.shop
        ));
        let mut body = String::new();
        for p in &paragraphs {
            body.push_str(&format!("<p>{}</p>", escape(p)));
        }
        let html = format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <title>{title}</title></head>\
             <body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#111\">{body}\
             <p><a href=\"{url}\" style=\"display:inline-block;padding:10px 16px;\
             background:#111;color:#fff;text-decoration:none;border-radius:6px\">{answer}</a></p>\
             <p>— {shop}</p></body></html>",
            lang = language.tag(),
            title = escape(&subject),
            url = escape(self.status_url),
            answer = escape(words.answer),
            shop = escape(self.shop),
        );
        Rendered {
            subject,
            text,
            html,
        }
    }
}
