// Every status phrase in every language, as Chromium renders it: with a
// date, with today and with tomorrow, and with counts 1, 2, 3, 5 and 21
// (one, two, few, many and 21's "one" again in Russian), compared with
// sentences written out here. Dates come from the browser's own Intl with
// the widget's options, so only the words around them are ours to check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { operatorToken } from './edge.mjs';
import { cjkFonts, launch, serveCjkFonts, shopPage, widgetText, SCREENSHOTS } from './browser.mjs';

const EDGE = process.env.EDGE_URL;
const COUNTS = [1, 2, 3, 5, 21];
const LANGUAGES = ['en', 'de', 'fr', 'es', 'ru', 'zh-CN', 'ja'];

/** Russian picks its form by the number: 1 and 21 "one", 2–4 "few", 5 "many". */
const ru = (n, one, few, many) => (n % 10 === 1 && n % 100 !== 11 ? one : n % 10 >= 2 && n % 10 <= 4 ? few : many);

/** The sentences, per language: `low(n)`, `only(n)` and the three dated phrases around `d`. */
const EXPECTED = {
  en: {
    today: 'today', tomorrow: 'tomorrow',
    low: (n) => `In stock — only ${n} left`, only: (n) => `Only ${n} available`,
    backorder: (d) => `Backordered — ships from ${d}`, preorder: (d) => `Preorder — releases ${d}`,
    out: (d) => `Out of stock — back around ${d}`,
  },
  de: {
    today: 'heute', tomorrow: 'morgen',
    low: (n) => `Auf Lager – nur noch ${n} Stück`, only: (n) => `Nur ${n} verfügbar`,
    backorder: (d) => `Im Zulauf – Versand ab ${d}`, preorder: (d) => `Vorbestellbar – Erscheinungstermin: ${d}`,
    out: (d) => `Ausverkauft – voraussichtlich wieder ab ${d}`,
  },
  fr: {
    today: 'aujourd’hui', tomorrow: 'demain',
    low: (n) => `En stock — plus que ${n} ${n === 1 ? 'exemplaire' : 'exemplaires'}`,
    only: (n) => `Seulement ${n} ${n === 1 ? 'disponible' : 'disponibles'}`,
    backorder: (d) => `En réapprovisionnement — expédition dès ${d}`, preorder: (d) => `Précommande — sortie ${d}`,
    out: (d) => `Rupture de stock — retour prévu ${d}`,
  },
  es: {
    today: 'hoy', tomorrow: 'mañana',
    low: (n) => (n === 1 ? 'En stock: solo queda 1' : `En stock: solo quedan ${n}`),
    only: (n) => `Solo ${n} ${n === 1 ? 'disponible' : 'disponibles'}`,
    backorder: (d) => `Bajo pedido: envío a partir de ${d}`, preorder: (d) => `Preventa: a la venta ${d}`,
    out: (d) => `Agotado: reposición prevista ${d}`,
  },
  ru: {
    today: 'сегодня', tomorrow: 'завтра',
    low: (n) => `В наличии — ${ru(n, 'осталась', 'осталось', 'осталось')} ${n} ${ru(n, 'штука', 'штуки', 'штук')}`,
    only: (n) => `${ru(n, 'Доступна', 'Доступно', 'Доступно')} только ${n} ${ru(n, 'штука', 'штуки', 'штук')}`,
    backorder: (d) => `Под заказ — отправим ${d}`, preorder: (d) => `Предзаказ — выход ${d}`,
    out: (d) => `Нет в наличии — поступление ориентировочно ${d}`,
  },
  'zh-CN': {
    today: '今天', tomorrow: '明天',
    low: (n) => `有货，仅剩${n}件`, only: (n) => `最多可购买${n}件`,
    backorder: (d) => `可预订，${d}起发货`, preorder: (d) => `预售，${d}发售`, out: (d) => `缺货，预计${d}到货`,
  },
  ja: {
    today: '本日', tomorrow: '明日',
    low: (n) => `在庫あり（残り${n}点）`, only: (n) => `在庫は${n}点のみ`,
    backorder: (d) => `お取り寄せ（${d}から発送）`, preorder: (d) => `予約受付中（${d}発売）`,
    out: (d) => `在庫切れ（${d}頃入荷予定）`,
  },
};

let browser;
let pk;
const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** A date the way the widget writes one that is neither today nor tomorrow. */
const FAR = 9;

before(async () => {
  browser = await launch();
  const res = await fetch(`${EDGE}/v1/operator/merchants`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${operatorToken()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id: `copy-${randomBytes(3).toString('hex')}`, display_name: 'Copy check',
      settings: { allowed_origins: [process.env.SHOP_URL], low_stock_threshold: 25 },
    }),
  });
  assert.equal(res.status, 201);
  const created = await res.json();
  pk = created.publishable_key.secret;
  const sk = created.secret_key.secret;
  const when = { today: 0, tomorrow: 1, date: FAR };
  const items = [
    ...COUNTS.map((n) => ({ sku: `LOW-${n}`, on_hand: n })),
    ...Object.entries(when).flatMap(([name, offset]) => [
      { sku: `BACK-${name}`, on_hand: 0, out_of_stock_policy: 'backorder', inbound: [{ qty: 50, arrives: day(offset) }] },
      { sku: `OUT-${name}`, on_hand: 0, inbound: [{ qty: 50, arrives: day(offset) }] },
    ]),
    // A preorder that releases today is no longer one: tomorrow and a date.
    { sku: 'PRE-tomorrow', on_hand: 10, preorder_release: day(1) },
    { sku: 'PRE-date', on_hand: 10, preorder_release: day(FAR) },
  ];
  const written = await fetch(`${EDGE}/v1/inventory`, {
    method: 'POST', headers: { Authorization: `Bearer ${sk}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ items }),
  });
  assert.equal(written.status, 200, await written.text());
  const config = await fetch(`${EDGE}/v1/delivery-config`, {
    method: 'PUT', headers: { Authorization: `Bearer ${sk}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      default_country: 'US',
      warehouses: [{ id: 'reno', time_zone: 'UTC', cutoff: '23:59', handling_days: { min: 1, max: 1 } }],
      methods: [{ id: 'ground', label: 'Ground', lanes: [{ country: 'US', transit_days: { min: 2, max: 4 } }] }],
    }),
  });
  assert.equal(config.status, 200, await config.text());
});
after(async () => { await browser?.close(); });

const widget = (sku, locale, qty) => `<div><upfront-availability sku="${sku}" key="${pk}" locale="${locale}" country="US"${qty ? ` qty="${qty}"` : ''} data-id="${sku}${qty ? `-q${qty}` : ''}"></upfront-availability></div>`;

for (const locale of LANGUAGES) {
  test(`${locale}: every status phrase with a date, today and tomorrow, and counts 1, 2, 3, 5, 21`, async () => {
    const expected = EXPECTED[locale];
    const dated = [['BACK', 'backorder'], ['OUT', 'out']];
    const widgets = [
      ...COUNTS.map((n) => widget(`LOW-${n}`, locale)),
      ...COUNTS.map((n) => widget(`LOW-${n}`, locale, n + 1)),
      ...dated.flatMap(([prefix]) => ['today', 'tomorrow', 'date'].map((w) => widget(`${prefix}-${w}`, locale))),
      widget('PRE-tomorrow', locale), widget('PRE-date', locale),
    ].join('');
    const context = await browser.newContext({ locale, timezoneId: 'UTC', viewport: { width: 520, height: 2400 } });
    await serveCjkFonts(context);
    const fonts = cjkFonts(locale);
    const { page, errors } = await shopPage(browser, {
      widgets, locale, context, head: fonts.head, bodyStyle: `font: 16px/1.4 sans-serif; font-family: sans-serif, ${fonts.family}; margin: 24px`,
    });
    const status = async (id) => (await widgetText(page, null, `upfront-availability[data-id="${id}"]`)).status;
    // The date the widget shows for `offset` days ahead, in this locale, by Chromium's Intl.
    const far = await page.evaluate(({ tag, iso, withYear }) => new Intl.DateTimeFormat(tag, {
      weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC', ...(withYear ? { year: 'numeric' } : {}),
    }).format(new Date(`${iso}T00:00:00Z`)), { tag: locale, iso: day(FAR), withYear: day(FAR).slice(0, 4) !== day(0).slice(0, 4) });
    const words = { today: expected.today, tomorrow: expected.tomorrow, date: far };
    const want = {};
    const got = {};
    for (const n of COUNTS) {
      want[`LOW-${n}`] = expected.low(n);
      want[`LOW-${n}-q${n + 1}`] = expected.only(n);
    }
    for (const [prefix, phrase] of dated) {
      for (const w of ['today', 'tomorrow', 'date']) want[`${prefix}-${w}`] = expected[phrase](words[w]);
    }
    want['PRE-tomorrow'] = expected.preorder(words.tomorrow);
    want['PRE-date'] = expected.preorder(words.date);
    for (const id of Object.keys(want)) got[id] = await status(id);
    assert.deepEqual(got, want);
    // A date range is written in the style of single dates (zh/ja: not "11/26周四至11/30周一").
    const promise = (await widgetText(page, null, 'upfront-availability[data-id="LOW-21"]')).promise;
    assert.doesNotMatch(promise, /\d+\/\d+/, promise);
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: `${SCREENSHOTS}/copy-${locale}.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await page.context().close();
  });
}

test('the demo page in all seven languages (screenshots in test-results/)', async () => {
  const english = {};
  for (const locale of LANGUAGES) {
    const context = await browser.newContext({ locale, timezoneId: 'UTC', viewport: { width: 1100, height: 1400 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The demo page says `lang="en"`; a shop in another language says its own.
    await serveCjkFonts(page);
    const fonts = cjkFonts(locale);
    await page.route(`${EDGE}/demo/`, async (route) => {
      const response = await route.fetch();
      const html = (await response.text())
        .replace('<html lang="en">', `<html lang="${locale}">`)
        .replace('</head>', `${fonts.head}<style>:root { font-family: system-ui, sans-serif, ${fonts.family} }</style></head>`);
      route.fulfill({ response, body: html });
    });
    await page.goto(`${EDGE}/demo/`);
    const hero = await widgetText(page, 'MUG-STONEWARE', '#hero');
    const discontinued = await widgetText(page, 'CHAIR-LOUNGE-OAK');
    if (locale === 'en') Object.assign(english, { hero, discontinued });
    else assert.notEqual(discontinued.status, english.discontinued.status, `${locale} reads English`);
    assert.ok(hero.status && hero.promise, `${locale}: ${JSON.stringify(hero)}`);
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: `${SCREENSHOTS}/demo-${locale}.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  }
});
