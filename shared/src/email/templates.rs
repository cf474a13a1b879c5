//! The messages, in the widget's seven languages. Each renders to a
//! subject, plain text and HTML; every value that comes from a merchant
//! or a page (shop name, product name, URL) is HTML-escaped in the HTML
//! part, and none can exceed the limits checked at sign-up.

use super::Language;

/// The longest product name a sign-up may carry (characters).
pub const MAX_PRODUCT_NAME: usize = 200;
/// The longest product page URL a sign-up may carry (bytes).
pub const MAX_PAGE_URL: usize = 2048;

/// A rendered message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a back-in-stock message says.
#[derive(Clone, Copy, Debug)]
pub struct BackInStock<'a> {
    pub shop: &'a str,
    /// The product's name as the page gave it, else its SKU.
    pub product: &'a str,
    /// The product page, when the sign-up came from one.
    pub page_url: Option<&'a str>,
    pub unsubscribe_url: &'a str,
}

struct Copy {
    subject: &'static str,
    lead: &'static str,
    view: &'static str,
    why: &'static str,
    unsubscribe: &'static str,
}

fn copy(language: Language) -> &'static Copy {
    match language {
        Language::En => &Copy {
            subject: "Back in stock: {product}",
            lead: "Good news: {product} is back in stock at {shop}.",
            view: "View it",
            why: "You asked us to email you once when it was back. This is that email; we will not write about it again.",
            unsubscribe: "Unsubscribe from {shop}'s stock alerts",
        },
        Language::De => &Copy {
            subject: "Wieder verfügbar: {product}",
            lead: "Gute Nachricht: {product} ist bei {shop} wieder verfügbar.",
            view: "Zum Artikel",
            why: "Sie wollten einmal benachrichtigt werden, sobald der Artikel wieder da ist. Das ist diese Nachricht; wir schreiben Ihnen dazu nicht noch einmal.",
            unsubscribe: "Benachrichtigungen von {shop} abbestellen",
        },
        Language::Fr => &Copy {
            subject: "De retour en stock : {product}",
            lead: "Bonne nouvelle : {product} est de retour en stock chez {shop}.",
            view: "Voir le produit",
            why: "Vous nous avez demandé de vous prévenir une fois, à son retour. Voici ce message ; nous ne vous écrirons plus à ce sujet.",
            unsubscribe: "Se désabonner des alertes de {shop}",
        },
        Language::Es => &Copy {
            subject: "De nuevo disponible: {product}",
            lead: "Buenas noticias: {product} vuelve a estar disponible en {shop}.",
            view: "Ver el producto",
            why: "Nos pediste que te avisáramos una vez cuando volviera. Este es ese aviso; no te volveremos a escribir sobre ello.",
            unsubscribe: "Darse de baja de los avisos de {shop}",
        },
        Language::Ru => &Copy {
            subject: "Снова в наличии: {product}",
            lead: "Хорошая новость: «{product}» снова в наличии в магазине {shop}.",
            view: "Посмотреть товар",
            why: "Вы просили один раз сообщить, когда товар появится. Это то самое письмо; больше мы о нём писать не будем.",
            unsubscribe: "Отписаться от уведомлений магазина {shop}",
        },
        Language::Zh => &Copy {
            subject: "到货通知：{product}",
            lead: "好消息：{product} 已在 {shop} 重新到货。",
            view: "查看商品",
            why: "您曾要求在商品到货时通知您一次。这就是那封邮件，我们不会再就此商品给您发邮件。",
            unsubscribe: "退订 {shop} 的到货通知",
        },
        Language::Ja => &Copy {
            subject: "再入荷のお知らせ：{product}",
            lead: "{shop}で{product}が再入荷しました。",
            view: "商品を見る",
            why: "再入荷時に一度だけお知らせするようご依頼いただきました。本メールがそのお知らせです。この商品について再度ご連絡することはありません。",
            unsubscribe: "{shop}の入荷通知を停止する",
        },
    }
}

impl BackInStock<'_> {
    /// The message in `language`.
    ///
    /// ```
    /// use upfront_shared::email::{Language, templates::BackInStock};
    /// let message = BackInStock {
    ///     shop: "Tom & Jerry's", product: "Lamp <XL>", page_url: None,
    ///     unsubscribe_url: "https://api.example/u",
    /// }.render(Language::En);
    /// assert_eq!(message.subject, "Back in stock: Lamp <XL>");
    /// assert!(message.html.contains("Lamp &lt;XL&gt; is back in stock at Tom &amp; Jerry&#39;s."));
    /// assert!(message.text.contains("Lamp <XL> is back in stock at Tom & Jerry's."));
    /// ```
    pub fn render(&self, language: Language) -> Rendered {
        let copy = copy(language);
        let plain = |template: &str| {
            template
                .replace("{shop}", self.shop)
                .replace("{product}", self.product)
        };
        let escaped = |template: &str| {
            escape(template)
                .replace("{shop}", &escape(self.shop))
                .replace("{product}", &escape(self.product))
        };
        let mut text = format!("{}\n\n", plain(copy.lead));
        if let Some(url) = self.page_url {
            text.push_str(&format!("{}: {url}\n\n", copy.view));
        }
        text.push_str(&format!(
            "{}\n\n{}: {}\n",
            copy.why,
            plain(copy.unsubscribe),
            self.unsubscribe_url
        ));
        let view = self
            .page_url
            .map(|url| {
                format!(
                    "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;\
                     background:#111;color:#fff;text-decoration:none;border-radius:6px\">{}</a></p>",
                    escape(url),
                    escape(copy.view)
                )
            })
            .unwrap_or_default();
        let html = format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <title>{title}</title></head>\
             <body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#111\">\
             <p>{lead}</p>{view}<p style=\"color:#555;font-size:14px\">{why}</p>\
             <p style=\"font-size:13px\"><a href=\"{unsubscribe_url}\" style=\"color:#555\">{unsubscribe}</a></p>\
             </body></html>",
            lang = language.tag(),
            title = escaped(copy.subject),
            lead = escaped(copy.lead),
            why = escape(copy.why),
            unsubscribe_url = escape(self.unsubscribe_url),
            unsubscribe = escaped(copy.unsubscribe),
        );
        Rendered {
            subject: plain(copy.subject),
            text,
            html,
        }
    }
}

/// What the merchant is told when Upfront stops sending to one of its
/// webhook endpoints. Transactional, to the merchant's own address, in
/// English (the dashboard's language).
#[derive(Clone, Copy, Debug)]
pub struct EndpointDisabled<'a> {
    pub shop: &'a str,
    pub url: &'a str,
    pub endpoint_id: &'a str,
}

impl EndpointDisabled<'_> {
    pub fn render(&self) -> Rendered {
        let text = format!(
            "Upfront has stopped sending webhooks to {url} (endpoint {id}) for {shop}: \
             every delivery to it failed for three days.\n\n\
             Nothing is lost: each delivery is kept in the endpoint's log \
             (GET /v1/webhook-endpoints/{id}/deliveries). Fix the endpoint, register it \
             again, and redeliver what it missed \
             (POST /v1/webhook-deliveries/{{delivery_id}}/redeliver).\n",
            url = self.url,
            id = self.endpoint_id,
            shop = self.shop,
        );
        let html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"></head>\
             <body style=\"font-family:system-ui,sans-serif;line-height:1.5\">{}</body></html>",
            text.split("\n\n")
                .map(|p| format!("<p>{}</p>", escape(p.trim())))
                .collect::<String>()
        );
        Rendered {
            subject: format!("Webhook endpoint disabled: {}", self.url),
            text,
            html,
        }
    }
}

/// HTML-escapes text for element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(language: Language) -> Rendered {
        BackInStock {
            shop: "Acme",
            product: "Desk Lamp",
            page_url: Some("https://shop.example/lamp?a=1&b=2"),
            unsubscribe_url: "https://api.example/v1/unsubscribe/t",
        }
        .render(language)
    }

    #[test]
    fn every_language_names_the_product_and_shop_and_links_out() {
        for language in Language::ALL {
            let m = message(language);
            for part in [&m.text, &m.html] {
                assert!(part.contains("Desk Lamp"), "{language:?}");
                assert!(part.contains("Acme"), "{language:?}");
                assert!(part.contains("https://api.example/v1/unsubscribe/t"));
            }
            assert!(m.subject.contains("Desk Lamp"));
            assert!(m.text.contains("https://shop.example/lamp?a=1&b=2"));
            assert!(m.html.contains("https://shop.example/lamp?a=1&amp;b=2"));
            assert!(m.html.contains(&format!("lang=\"{}\"", language.tag())));
            assert!(
                !m.text.contains('{'),
                "an unfilled placeholder: {language:?}"
            );
        }
        assert!(message(Language::Ru).subject.starts_with("Снова в наличии"));
    }

    #[test]
    fn no_value_can_open_a_tag_in_the_html() {
        let m = BackInStock {
            shop: "<script>alert(1)</script>",
            product: "\"><img src=x onerror=alert(1)>",
            page_url: Some("javascript:\"><b>"),
            unsubscribe_url: "https://api.example/u",
        }
        .render(Language::De);
        assert!(!m.html.contains("<script"));
        assert!(!m.html.contains("<img"));
        assert!(!m.html.contains("<b>"));
    }
}
