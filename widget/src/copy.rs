//! What the widget says, per language. `{}` marks where a count, date,
//! duration or postal code goes. In the browser, numbers, dates and
//! durations are formatted by `Intl` (`widget/src/intl.rs`), never here;
//! the edge's server-rendered widget (`shared/src/fragment.rs`, which
//! compiles this file as `upfront_shared::copy`) uses the same phrases.
//!
//! Each language is a natural phrasing, not a word-for-word translation of
//! the English source in `../shared/design/widget.md`.

/// A phrase that depends on a count, by CLDR plural category (the answer
/// of `Intl.PluralRules.select`). `few` and `many` fall back to `other`.
pub struct Plural {
    pub one: &'static str,
    pub few: &'static str,
    pub many: &'static str,
    pub other: &'static str,
}

impl Plural {
    const fn same(text: &'static str) -> Self {
        Self {
            one: text,
            few: text,
            many: text,
            other: text,
        }
    }

    const fn one_other(one: &'static str, other: &'static str) -> Self {
        Self {
            one,
            few: other,
            many: other,
            other,
        }
    }

    /// The phrase for a CLDR plural category.
    pub fn pick(&self, category: &str) -> &'static str {
        match category {
            "one" => self.one,
            "few" => self.few,
            "many" => self.many,
            _ => self.other,
        }
    }
}

/// Every phrase of the widget in one language.
pub struct Copy {
    pub in_stock: &'static str,
    pub low_stock: Plural,
    pub only_available: Plural,
    pub backorder: &'static str,
    pub backorder_from: &'static str,
    pub preorder: &'static str,
    pub preorder_releases: &'static str,
    pub out_of_stock: &'static str,
    pub out_of_stock_back: &'static str,
    pub discontinued: &'static str,
    pub confirming: &'static str,
    pub get_it: &'static str,
    pub get_it_after_release: &'static str,
    pub order_within: &'static str,
    pub deliver_to: &'static str,
    pub add_postal_code: &'static str,
    pub postal_code: &'static str,
    pub save: &'static str,
    pub check_postal_code: &'static str,
    pub notify_me: &'static str,
    pub email: &'static str,
    pub consent: &'static str,
    pub notify_submit: &'static str,
    pub notified: &'static str,
    pub failed: &'static str,
    /// Shown before a merchant notice to screen readers, with the
    /// language's own separator: French puts a narrow no-break space before
    /// the colon, Chinese and Japanese write a full-width colon.
    pub notice: &'static str,
    /// The words a dated phrase takes for today and tomorrow. Every dated
    /// phrase reads right with a date and with either word in its slot: no
    /// article or case-governing preposition before it ("à partir du demain").
    pub today: &'static str,
    pub tomorrow: &'static str,
    /// Joins the two ends of a date range written as two single dates, for
    /// languages whose `formatRange` switches style (zh "11/26周四至11/30周一"
    /// beside "11月26日周四"); `None` keeps the locale's own range.
    pub range_join: Option<&'static str>,
}

const EN: Copy = Copy {
    in_stock: "In stock",
    low_stock: Plural::same("In stock — only {} left"),
    only_available: Plural::same("Only {} available"),
    backorder: "Backordered",
    backorder_from: "Backordered — ships from {}",
    preorder: "Preorder",
    preorder_releases: "Preorder — releases {}",
    out_of_stock: "Out of stock",
    out_of_stock_back: "Out of stock — back around {}",
    discontinued: "No longer available",
    confirming: "Confirming availability…",
    get_it: "Get it {}",
    get_it_after_release: "Get it {} after release",
    order_within: "Order within {}",
    deliver_to: "Deliver to {}",
    add_postal_code: "Add postal code",
    postal_code: "Postal code",
    save: "Save",
    check_postal_code: "Check the postal code, e.g. {}",
    notify_me: "Notify me when it's back",
    email: "Email",
    consent: "We'll email you once when it's back.",
    notify_submit: "Notify me",
    notified: "We'll let you know",
    failed: "That didn't work. Please try again.",
    notice: "Notice: ",
    today: "today",
    tomorrow: "tomorrow",
    range_join: None,
};

const DE: Copy = Copy {
    in_stock: "Auf Lager",
    low_stock: Plural::same("Auf Lager – nur noch {} Stück"),
    only_available: Plural::same("Nur {} verfügbar"),
    backorder: "Im Zulauf",
    backorder_from: "Im Zulauf – Versand ab {}",
    preorder: "Vorbestellbar",
    preorder_releases: "Vorbestellbar – Erscheinungstermin: {}",
    out_of_stock: "Ausverkauft",
    out_of_stock_back: "Ausverkauft – voraussichtlich wieder ab {}",
    discontinued: "Nicht mehr erhältlich",
    confirming: "Verfügbarkeit wird geprüft\u{A0}…",
    get_it: "Lieferung {}",
    get_it_after_release: "Lieferung {} nach Erscheinen",
    order_within: "Bestellung innerhalb von {}",
    deliver_to: "Lieferung nach {}",
    add_postal_code: "PLZ angeben",
    postal_code: "Postleitzahl",
    save: "Speichern",
    check_postal_code: "Bitte PLZ prüfen, z. B. {}",
    notify_me: "Benachrichtigen, wenn wieder verfügbar",
    email: "E-Mail",
    consent: "Wir schreiben Ihnen einmal, sobald der Artikel wieder verfügbar ist.",
    notify_submit: "Benachrichtigen",
    notified: "Wir sagen Ihnen Bescheid",
    failed: "Das hat nicht geklappt. Bitte erneut versuchen.",
    notice: "Hinweis: ",
    today: "heute",
    tomorrow: "morgen",
    range_join: None,
};

const FR: Copy = Copy {
    in_stock: "En stock",
    low_stock: Plural::one_other(
        "En stock — plus que {} exemplaire",
        "En stock — plus que {} exemplaires",
    ),
    only_available: Plural::one_other("Seulement {} disponible", "Seulement {} disponibles"),
    backorder: "En réapprovisionnement",
    backorder_from: "En réapprovisionnement — expédition dès {}",
    preorder: "Précommande",
    preorder_releases: "Précommande — sortie {}",
    out_of_stock: "Rupture de stock",
    out_of_stock_back: "Rupture de stock — retour prévu {}",
    discontinued: "Plus disponible",
    confirming: "Vérification de la disponibilité…",
    get_it: "Livraison {}",
    get_it_after_release: "Livraison {} après la sortie",
    order_within: "Commandez dans les {}",
    deliver_to: "Livraison à {}",
    add_postal_code: "Indiquer le code postal",
    postal_code: "Code postal",
    save: "Enregistrer",
    check_postal_code: "Vérifiez le code postal, par ex. {}",
    notify_me: "M’avertir du retour en stock",
    email: "Adresse e-mail",
    consent: "Nous vous écrirons une seule fois, dès son retour.",
    notify_submit: "M’avertir",
    notified: "Nous vous préviendrons",
    failed: "Une erreur s’est produite. Veuillez réessayer.",
    notice: "Information\u{202F}: ",
    today: "aujourd’hui",
    tomorrow: "demain",
    range_join: None,
};

const ES: Copy = Copy {
    in_stock: "En stock",
    low_stock: Plural::one_other("En stock: solo queda {}", "En stock: solo quedan {}"),
    only_available: Plural::one_other("Solo {} disponible", "Solo {} disponibles"),
    backorder: "Bajo pedido",
    backorder_from: "Bajo pedido: envío a partir de {}",
    preorder: "Preventa",
    preorder_releases: "Preventa: a la venta {}",
    out_of_stock: "Agotado",
    out_of_stock_back: "Agotado: reposición prevista {}",
    discontinued: "Ya no está disponible",
    confirming: "Confirmando disponibilidad…",
    get_it: "Entrega: {}",
    get_it_after_release: "Entrega tras el lanzamiento: {}",
    order_within: "Pide en {}",
    deliver_to: "Envío a {}",
    add_postal_code: "Añadir código postal",
    postal_code: "Código postal",
    save: "Guardar",
    check_postal_code: "Revisa el código postal, p. ej. {}",
    notify_me: "Avísame cuando vuelva",
    email: "Correo electrónico",
    consent: "Te escribiremos una sola vez, cuando vuelva.",
    notify_submit: "Avisarme",
    notified: "Te avisaremos",
    failed: "No se ha podido enviar. Inténtalo de nuevo.",
    notice: "Aviso: ",
    today: "hoy",
    tomorrow: "mañana",
    range_join: None,
};

const RU: Copy = Copy {
    in_stock: "В наличии",
    low_stock: Plural {
        one: "В наличии — осталась {} штука",
        few: "В наличии — осталось {} штуки",
        many: "В наличии — осталось {} штук",
        other: "В наличии — осталось {} штуки",
    },
    only_available: Plural {
        one: "Доступна только {} штука",
        few: "Доступно только {} штуки",
        many: "Доступно только {} штук",
        other: "Доступно только {} штуки",
    },
    backorder: "Под заказ",
    backorder_from: "Под заказ — отправим {}",
    preorder: "Предзаказ",
    preorder_releases: "Предзаказ — выход {}",
    out_of_stock: "Нет в наличии",
    out_of_stock_back: "Нет в наличии — поступление ориентировочно {}",
    discontinued: "Снят с продажи",
    confirming: "Уточняем наличие…",
    get_it: "Доставка {}",
    get_it_after_release: "Доставка {} после выхода",
    order_within: "Закажите в течение {}",
    deliver_to: "Доставка по индексу {}",
    add_postal_code: "Указать индекс",
    postal_code: "Почтовый индекс",
    save: "Сохранить",
    check_postal_code: "Проверьте индекс (например, {})",
    notify_me: "Сообщить о поступлении",
    email: "Эл. почта",
    consent: "Мы напишем вам один раз, когда товар появится.",
    notify_submit: "Сообщить",
    notified: "Мы сообщим вам",
    failed: "Не получилось. Попробуйте ещё раз.",
    notice: "Примечание: ",
    today: "сегодня",
    tomorrow: "завтра",
    range_join: None,
};

const ZH: Copy = Copy {
    in_stock: "有货",
    low_stock: Plural::same("有货，仅剩{}件"),
    only_available: Plural::same("最多可购买{}件"),
    backorder: "可预订",
    backorder_from: "可预订，{}起发货",
    preorder: "预售",
    preorder_releases: "预售，{}发售",
    out_of_stock: "缺货",
    out_of_stock_back: "缺货，预计{}到货",
    discontinued: "已停售",
    confirming: "正在确认库存……",
    get_it: "预计{}送达",
    get_it_after_release: "发售后预计{}送达",
    order_within: "{}内下单",
    deliver_to: "配送至{}",
    add_postal_code: "填写邮编",
    postal_code: "邮政编码",
    save: "保存",
    check_postal_code: "请输入正确的邮编，例如{}",
    notify_me: "到货通知",
    email: "电子邮箱",
    consent: "到货后我们只会给您发送一封邮件。",
    notify_submit: "通知我",
    notified: "到货后我们会通知您",
    failed: "提交失败，请重试。",
    notice: "提示：",
    today: "今天",
    tomorrow: "明天",
    range_join: Some("至"),
};

const JA: Copy = Copy {
    in_stock: "在庫あり",
    low_stock: Plural::same("在庫あり（残り{}点）"),
    only_available: Plural::same("在庫は{}点のみ"),
    backorder: "お取り寄せ",
    backorder_from: "お取り寄せ（{}から発送）",
    preorder: "予約受付中",
    preorder_releases: "予約受付中（{}発売）",
    out_of_stock: "在庫切れ",
    out_of_stock_back: "在庫切れ（{}頃入荷予定）",
    discontinued: "販売終了",
    confirming: "在庫を確認しています…",
    get_it: "お届け予定：{}",
    get_it_after_release: "発売後のお届け予定：{}",
    order_within: "ご注文締切まであと{}",
    deliver_to: "お届け先 {}",
    add_postal_code: "郵便番号を入力",
    postal_code: "郵便番号",
    save: "保存",
    check_postal_code: "郵便番号をご確認ください（例：{}）",
    notify_me: "入荷お知らせを受け取る",
    email: "メールアドレス",
    consent: "入荷時に一度だけメールでお知らせします。",
    notify_submit: "通知を受け取る",
    notified: "入荷したらお知らせします",
    failed: "送信できませんでした。もう一度お試しください。",
    notice: "お知らせ：",
    today: "本日",
    tomorrow: "明日",
    range_join: Some("～"),
};

/// The copy for a BCP 47 tag, and the tag `Intl` should format with: the
/// page's own tag when its language is supported (so `de-AT` keeps Austrian
/// dates), otherwise English throughout, so one sentence never mixes two
/// languages.
pub fn for_locale(tag: &str) -> (&'static Copy, &str) {
    let language = tag.split(['-', '_']).next().unwrap_or_default();
    let copy = match language.to_ascii_lowercase().as_str() {
        "en" => &EN,
        "de" => &DE,
        "fr" => &FR,
        "es" => &ES,
        "ru" => &RU,
        // Our Chinese copy is Simplified: a Traditional page reads English
        // as a whole rather than Simplified words around Traditional dates.
        "zh" if is_traditional_chinese(tag) => return (&EN, "en"),
        "zh" => &ZH,
        "ja" => &JA,
        _ => return (&EN, "en"),
    };
    (copy, tag)
}

/// `zh-TW`, `zh-HK`, `zh-MO` or any `zh-Hant…`, unless the tag says
/// `Hans` (Simplified) outright.
fn is_traditional_chinese(tag: &str) -> bool {
    let mut traditional = false;
    for subtag in tag.split(['-', '_']).skip(1) {
        if subtag.eq_ignore_ascii_case("hans") {
            return false;
        }
        traditional |= subtag.eq_ignore_ascii_case("hant")
            || ["tw", "hk", "mo"]
                .iter()
                .any(|region| subtag.eq_ignore_ascii_case(region));
    }
    traditional
}

/// The parts of `template` around its `{}`, for rendering the value in
/// bold between them. A template without `{}` is all `before`.
pub fn split(template: &'static str) -> (&'static str, &'static str) {
    // A `char` pattern: a `&str` one links the two-way string searcher.
    match template.split_once('{') {
        Some((before, after)) => (before, after.strip_prefix('}').unwrap_or(after)),
        None => (template, ""),
    }
}

/// `template` with its `{}` replaced by `value`.
pub fn fill(template: &'static str, value: &str) -> String {
    let (before, after) = split(template);
    [before, value, after].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&Copy; 7] = [&EN, &DE, &FR, &ES, &RU, &ZH, &JA];

    #[test]
    fn supported_languages_keep_the_page_tag() {
        assert_eq!(for_locale("de-AT").1, "de-AT");
        assert_eq!(for_locale("zh-CN").0.in_stock, "有货");
        assert_eq!(for_locale("ja").0.in_stock, "在庫あり");
        assert_eq!(for_locale("RU").0.in_stock, "В наличии");
    }

    #[test]
    fn unsupported_languages_fall_back_to_english_dates_too() {
        let (copy, tag) = for_locale("pt-BR");
        assert_eq!(copy.in_stock, "In stock");
        assert_eq!(tag, "en");
        assert_eq!(for_locale("").1, "en");
    }

    #[test]
    fn traditional_chinese_reads_english_whole_never_mixed() {
        for tag in ["zh-TW", "zh-HK", "zh-MO", "zh-Hant", "zh-Hant-CN", "zh_tw"] {
            assert_eq!(for_locale(tag).0.in_stock, "In stock", "{tag}");
            assert_eq!(for_locale(tag).1, "en", "{tag}");
        }
        for tag in ["zh", "zh-CN", "zh-SG", "zh-Hans", "zh-Hans-HK"] {
            assert_eq!(for_locale(tag).0.in_stock, "有货", "{tag}");
            assert_eq!(for_locale(tag).1, tag, "{tag}");
        }
    }

    #[test]
    fn russian_counts_take_three_forms() {
        // Intl.PluralRules("ru") answers one for 1 and 21, few for 3, many for 5.
        assert_eq!(
            fill(RU.low_stock.pick("few"), "3"),
            "В наличии — осталось 3 штуки"
        );
        assert_eq!(
            fill(RU.low_stock.pick("many"), "5"),
            "В наличии — осталось 5 штук"
        );
        assert_eq!(
            fill(RU.low_stock.pick("one"), "21"),
            "В наличии — осталась 21 штука"
        );
    }

    #[test]
    fn every_value_phrase_has_exactly_one_slot() {
        for copy in ALL {
            let plurals = [&copy.low_stock, &copy.only_available]
                .into_iter()
                .flat_map(|p| [p.one, p.few, p.many, p.other]);
            let dated = [
                copy.backorder_from,
                copy.preorder_releases,
                copy.out_of_stock_back,
                copy.get_it,
                copy.get_it_after_release,
                copy.order_within,
                copy.deliver_to,
                copy.check_postal_code,
            ];
            for phrase in plurals.chain(dated) {
                assert_eq!(phrase.matches("{}").count(), 1, "{phrase}");
            }
            for plain in [copy.in_stock, copy.confirming, copy.notified, copy.consent] {
                assert!(!plain.contains("{}"), "{plain}");
            }
        }
    }

    #[test]
    fn split_puts_the_value_between() {
        assert_eq!(
            split("In stock — only {} left"),
            ("In stock — only ", " left")
        );
        assert_eq!(split("In stock"), ("In stock", ""));
    }
}
