//! The buyer's order page: status, the date it ships by, every notice
//! sent, and the buttons to agree or cancel while a notice waits. Plain
//! HTML forms: it works without JavaScript, and opening it changes nothing
//! (mail scanners open every link); only a button's `POST` does.

use super::copy::{copy, long_date};
use super::ftc::Stage;
use super::{Order, OrderStatus};
use crate::email::Language;
use crate::email::templates::escape;

/// What the buyer just did, shown above the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Consented,
    Cancelled,
    /// The answer was to a notice a later one replaced.
    Superseded,
}

/// One page view.
#[derive(Clone, Copy, Debug)]
pub struct OrderPage<'a> {
    pub shop: &'a str,
    pub order: &'a Order,
    pub language: Language,
    pub outcome: Option<Outcome>,
}

impl OrderPage<'_> {
    /// The whole document.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use upfront_shared::email::Language;
    /// use upfront_shared::order::{Order, OrderStatus, PromiseSource, page::OrderPage};
    /// use upfront_shared::order::ftc::{Obligation, PaymentKind};
    /// let order = Order {
    ///     id: "1001".into(), status: OrderStatus::AwaitingShipment, lines: vec![], destination: None,
    ///     email: "ada@example.com".into(), locale: None, promise_source: PromiseSource::Stated, promised: vec![],
    ///     obligation: Obligation::new(date(2026, 12, 10), PaymentKind::Card), notices: vec![],
    ///     shipments: vec![], delay_discount_code: None,
    ///     created: "2026-12-01T10:00:00Z".parse().unwrap(), status_url: "https://x/o/t".into(),
    /// };
    /// let html = OrderPage { shop: "Acme", order: &order, language: Language::En, outcome: None }.render();
    /// assert!(html.contains("<h1>Order 1001</h1>"));
    /// assert!(html.contains("Ships by December 10, 2026"));
    /// assert!(!html.contains("<form"), "no buttons while nothing is asked");
    /// ```
    pub fn render(&self) -> String {
        let words = copy(self.language);
        let order = self.order;
        let date = |d| long_date(d, self.language);
        let title = words.title.replace("{order}", &order.id);
        let status = match OrderStatus::of_order(order) {
            OrderStatus::AwaitingShipment => words.status_awaiting,
            OrderStatus::AwaitingAnswer => words.status_waiting_answer,
            OrderStatus::Delayed => words.status_delayed,
            OrderStatus::Shipped => words.status_shipped,
            OrderStatus::Delivered => words.status_delivered,
            OrderStatus::RefundDue => words.status_refund_due,
            OrderStatus::Refunded => words.status_refunded,
        };
        let mut body = format!(
            "<header><p class=\"shop\">{}</p><h1>{}</h1></header><main>",
            escape(self.shop),
            escape(&title)
        );
        if let Some(outcome) = self.outcome {
            let text = match (outcome, &order.obligation.stage) {
                (Outcome::Consented, _) => words.consented.to_owned(),
                (Outcome::Cancelled, Stage::Cancelled(c)) => {
                    words.cancelled.replace("{date}", &date(c.refund_by))
                }
                (Outcome::Cancelled, _) => words.status_refund_due.to_owned(),
                (Outcome::Superseded, _) => words.superseded.to_owned(),
            };
            body.push_str(&format!(
                "<p role=\"status\" class=\"outcome\">{}</p>",
                escape(&text)
            ));
        }
        body.push_str(&format!(
            "<p class=\"status\"><strong>{}</strong></p>",
            escape(status)
        ));
        if order.status.open() {
            let ships = match order.obligation.due() {
                Some(d) => words.ships_by.replace("{date}", &date(d)),
                None => words.no_ship_date.to_owned(),
            };
            body.push_str(&format!("<p>{}</p>", escape(&ships)));
        }
        for shipment in &order.shipments {
            let line = words
                .tracking
                .replace("{carrier}", &shipment.carrier)
                .replace("{tracking}", &shipment.tracking);
            body.push_str(&format!("<p>{}</p>", escape(&line)));
        }
        let number = order.obligation.notices;
        if let Stage::Noticed(notice) = &order.obligation.stage {
            body.push_str(&format!("<p>{}</p>", escape(words.choice)));
            let deadline = match (notice.silence_consents_after, notice.cancel_on) {
                (Some(after), _) => words.silence.replace("{date}", &date(after)),
                (None, Some(cancel_on)) => words.express.replace(
                    "{date}",
                    &date(cancel_on.saturating_sub(jiff::ToSpan::day(1))),
                ),
                (None, None) => String::new(),
            };
            if !deadline.is_empty() {
                body.push_str(&format!("<p>{}</p>", escape(&deadline)));
            }
        }
        if order.obligation.awaiting_answer() || order.obligation.buyer_may_cancel() {
            body.push_str("<div class=\"answer\">");
            if order.obligation.awaiting_answer() {
                body.push_str(&button("consent", number, words.consent_button, true));
            }
            body.push_str(&button("cancel", number, words.cancel_button, false));
            body.push_str("</div>");
        }
        if !order.notices.is_empty() {
            body.push_str(&format!("<h2>{}</h2><ol>", escape(words.notices_heading)));
            for sent in &order.notices {
                let situation = match sent.notice.revised {
                    Some(revised) => words.revised.replace("{revised}", &date(revised)),
                    None => words.no_date.replace(
                        "{reason}",
                        match sent.reason {
                            Some(super::DelayReason::NoDelivery) => words.reason_delivery,
                            _ => words.reason_stock,
                        },
                    ),
                }
                .replace("{order}", &order.id)
                .replace("{original}", &date(sent.was_due));
                let sent_on = words.notice_sent.replace(
                    "{date}",
                    &date(
                        sent.sent_at
                            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                            .date(),
                    ),
                );
                body.push_str(&format!(
                    "<li><p>{}</p><p class=\"muted\">{}</p></li>",
                    escape(&situation),
                    escape(&sent_on)
                ));
            }
            body.push_str("</ol>");
        }
        body.push_str("</main>");
        format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <meta name=\"robots\" content=\"noindex\">\
             <title>{title}</title><style>{STYLE}</style></head><body>{body}</body></html>",
            lang = self.language.tag(),
            title = escape(&title),
        )
    }
}

/// A form with one button; `notice` ties the answer to the notice the
/// buyer read, so an answer to a replaced one is refused.
fn button(answer: &str, notice: u32, label: &str, primary: bool) -> String {
    format!(
        "<form method=\"post\"><input type=\"hidden\" name=\"answer\" value=\"{answer}\">\
         <input type=\"hidden\" name=\"notice\" value=\"{notice}\">\
         <button type=\"submit\" class=\"{}\">{}</button></form>",
        if primary { "primary" } else { "secondary" },
        escape(label)
    )
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;color:#111;background:#fff;\
max-width:36rem;margin:2rem auto;padding:0 1rem}h1{font-size:1.5rem;margin:.2rem 0 1rem}\
.shop,.muted{color:#444;margin:0}.outcome{background:#eef6ee;border-left:4px solid #1a7f37;\
padding:.5rem .75rem}.answer{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}\
form{margin:0}button{font:inherit;padding:.6rem 1rem;border-radius:6px;cursor:pointer;\
min-height:44px}.primary{background:#111;color:#fff;border:2px solid #111}\
.secondary{background:#fff;color:#111;border:2px solid #111}\
button:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}ol{padding-left:1.25rem}";
