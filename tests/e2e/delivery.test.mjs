// Delivery promises on the real edge: a merchant writes its warehouses,
// cutoffs, holidays and lanes; every availability answer carries the windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACME, DEMO } from './edge.mjs';

const EDGE = process.env.EDGE_URL;
const send = (path, key, method = 'GET', body) => fetch(`${EDGE}${path}`, {
  method,
  headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
  body: body ? JSON.stringify(body) : undefined,
});

const CONFIG = {
  default_country: 'US',
  warehouses: [{
    id: 'reno', time_zone: 'America/Los_Angeles', cutoff: '15:00',
    handling_days: { min: 1, max: 2 }, holidays: ['2026-12-25', '2027-01-01'],
  }],
  methods: [
    { id: 'ground', label: 'Ground', lanes: [{ country: 'US', transit_days: { min: 3, max: 6 } }] },
    { id: 'air', label: 'Two-day air', lanes: [{ country: 'US', postal_prefix: '9', transit_days: { min: 1, max: 2 } }] },
  ],
};

test('a merchant without a delivery configuration promises no dates', async () => {
  const write = await send('/v1/inventory', ACME.secretKey, 'POST', { items: [{ sku: 'ACME-ANVIL', on_hand: 40 }] });
  assert.equal(write.status, 200);
  const body = await (await send('/v1/availability/ACME-ANVIL', ACME.publishableKey)).json();
  assert.equal(body.delivery, undefined);
  assert.deepEqual(body.delivery_options, []);
});

test('a bad configuration is refused whole, naming the value', async () => {
  const bad = structuredClone(CONFIG);
  bad.warehouses[0].time_zone = 'Mars/Olympus_Mons';
  const res = await send('/v1/delivery-config', ACME.secretKey, 'PUT', bad);
  assert.equal(res.status, 422);
  const { error } = await res.json();
  assert.equal(error.code, 'invalid_request');
  assert.equal(error.param, 'warehouses[0].time_zone');
  const body = await (await send('/v1/availability/ACME-ANVIL', ACME.publishableKey)).json();
  assert.deepEqual(body.delivery_options, [], 'nothing was stored');
  const publishable = await send('/v1/delivery-config', ACME.publishableKey, 'PUT', CONFIG);
  assert.equal((await publishable.json()).error.code, 'wrong_key_type');
});

test('after a configuration is written, every method that serves the address answers', async () => {
  const res = await send('/v1/delivery-config', ACME.secretKey, 'PUT', CONFIG);
  assert.equal(res.status, 200, await res.clone().text());
  const west = await (await send('/v1/availability/ACME-ANVIL?country=US&postal_code=94107', ACME.publishableKey)).json();
  assert.deepEqual(west.delivery_options.map((o) => o.method), ['air', 'ground'], 'soonest first');
  for (const option of west.delivery_options) {
    assert.ok(option.earliest <= option.most_likely && option.most_likely <= option.latest, JSON.stringify(option));
    assert.ok(Date.parse(option.order_by) > Date.now(), option.order_by);
    assert.deepEqual(option.shipments, [{ warehouse: 'reno', qty: 1 }]);
    assert.ok(Array.isArray(option.reasons));
    for (const day of [option.ship_date, option.earliest, option.latest]) {
      assert.ok(![0, 6].includes(new Date(`${day}T12:00:00Z`).getUTCDay()), `${day} is a weekend`);
    }
  }
  assert.deepEqual(west.delivery, {
    earliest: west.delivery_options[0].earliest,
    most_likely: west.delivery_options[0].most_likely,
    latest: west.delivery_options[0].latest,
  });
  // No air lane east of the Rockies; nothing at all to Japan.
  const east = await (await send('/v1/availability/ACME-ANVIL?country=US&postal_code=10001', ACME.publishableKey)).json();
  assert.deepEqual(east.delivery_options.map((o) => o.method), ['ground']);
  const japan = await (await send('/v1/availability/ACME-ANVIL?country=JP', ACME.publishableKey)).json();
  assert.deepEqual(japan.delivery_options, []);
  assert.equal(japan.delivery, undefined);
  // Asking for more than the warehouse holds, with nothing inbound: no date.
  const many = await (await send('/v1/availability/ACME-ANVIL?qty=41', ACME.publishableKey)).json();
  assert.deepEqual(many.delivery_options, []);
});

test('the demo store ships from Berlin with standard and express', async () => {
  const body = await (await send('/v1/availability/TEE-CLASSIC-M', DEMO.publishableKey)).json();
  assert.deepEqual(body.delivery_options.map((o) => o.method).sort(), ['express', 'standard']);
  const batch = await send('/v1/availability/batch', DEMO.publishableKey, 'POST', { items: [{ sku: 'TEE-CLASSIC-M' }], country: 'US' });
  const [result] = (await batch.json()).results;
  assert.deepEqual(result.availability.delivery_options.map((o) => o.method), ['standard']);
});

test('reported shipments teach the lane its real transit time', async () => {
  const day = 86_400_000;
  const now = Date.now();
  const items = Array.from({ length: 60 }, (_, i) => {
    const handedOff = now - (15 + (i % 30)) * day;
    return {
      shipment_id: `ship-${i}`, warehouse: 'reno', method: 'ground', country: 'US', postal_code: '94110',
      handed_off_at: new Date(handedOff).toISOString(), delivered_at: new Date(handedOff + 9 * day).toISOString(),
    };
  });
  const bad = await send('/v1/shipments', ACME.secretKey, 'POST', { items: [{ ...items[0], delivered_at: '2020-01-01T00:00:00Z' }] });
  assert.equal(bad.status, 422);
  assert.equal((await bad.json()).error.param, 'items[0].delivered_at');
  const res = await send('/v1/shipments', ACME.secretKey, 'POST', { items });
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(await res.json(), { recorded: 60 });
  const body = await (await send('/v1/availability/ACME-ANVIL?country=US&postal_code=94107', ACME.publishableKey)).json();
  const ground = body.delivery_options.find((o) => o.method === 'ground');
  assert.ok(ground.reasons.some((r) => r.code === 'learned_lane' && r.lane === 'reno>ground>US/941'), JSON.stringify(ground));
  const transitDays = (Date.parse(ground.latest) - Date.parse(ground.ship_date)) / day;
  assert.ok(transitDays >= 9, `configured 3-6 days, carriers took 9: ${JSON.stringify(ground)}`);
  // Another postal area has no parcels of its own: it borrows the warehouse's US-wide curve.
  const east = await (await send('/v1/availability/ACME-ANVIL?country=US&postal_code=10001', ACME.publishableKey)).json();
  const eastGround = east.delivery_options.find((o) => o.method === 'ground');
  assert.ok(eastGround.reasons.some((r) => r.code === 'learned_lane' && r.lane === 'reno>ground>US'), JSON.stringify(eastGround));
});

test('order times teach a warehouse its handling, and late parcels move the promise\'s level', async () => {
  const day = 86_400_000;
  const now = Date.now();
  const iso = (ms) => new Date(ms).toISOString();
  const shipment = (id, ordered, transit) => ({
    shipment_id: id, warehouse: 'reno', method: 'ground', country: 'US', postal_code: '94110',
    ordered_at: iso(ordered), handed_off_at: iso(ordered + 4 * day),
    ...(transit === undefined ? {} : { delivered_at: iso(ordered + (4 + transit) * day) }),
  });
  const forecast = async () => {
    const res = await send('/v1/delivery-forecast', ACME.secretKey);
    assert.equal(res.status, 200, await res.clone().text());
    return res.json();
  };
  const bad = await send('/v1/shipments', ACME.secretKey, 'POST', {
    items: [{ ...shipment('late-order', now - 10 * day, 9), ordered_at: iso(now) }],
  });
  assert.equal(bad.status, 422);
  assert.equal((await bad.json()).error.param, 'items[0].ordered_at');
  const before = await forecast();
  assert.deepEqual(before.warehouses, [{ warehouse: 'reno', learned: false }], JSON.stringify(before));
  // Fifty orders handed to the carrier 4 days after they were placed.
  const learned = Array.from({ length: 50 }, (_, i) => shipment(`handled-${i}`, now - (26 + (i % 20)) * day, 9));
  assert.equal((await send('/v1/shipments', ACME.secretKey, 'POST', { items: learned })).status, 200);
  const handling = await forecast();
  assert.deepEqual(handling.warehouses.map((w) => [w.warehouse, w.learned, w.median_days]), [['reno', true, 4]]);
  assert.equal(handling.recent_promises, 0, 'no promise was made from a learned forecast before');
  const body = await (await send('/v1/availability/ACME-ANVIL?country=US&postal_code=94107', ACME.publishableKey)).json();
  const ground = body.delivery_options.find((o) => o.method === 'ground');
  const today = Date.parse(new Date().toISOString().slice(0, 10));
  assert.ok((Date.parse(ground.ship_date) - today) / day >= 3, `configured 1-2 days, the warehouse takes 4: ${JSON.stringify(ground)}`);
  // A hundred more leave the warehouse: each keeps the curve it was
  // promised on; while they are out they only say "later than so many days".
  const late = Array.from({ length: 100 }, (_, i) => shipment(`late-${i}`, now - (15 + (i % 5)) * day));
  assert.equal((await send('/v1/shipments', ACME.secretKey, 'POST', { items: late })).status, 200);
  const out = await forecast();
  assert.equal(out.recent_promises, 100, JSON.stringify(out));
  assert.equal(out.recent_delivered, 0);
  // They arrive 14 days after the order (yesterday or before), past all of
  // their 13-day curves:
  // promises are now read further up the learned curves than the target.
  const arrived = late.map((s) => ({ ...s, delivered_at: iso(Date.parse(s.ordered_at) + 14 * day) }));
  assert.equal((await send('/v1/shipments', ACME.secretKey, 'POST', { items: arrived })).status, 200);
  const after = await forecast();
  assert.equal(after.recent_delivered, 100, JSON.stringify(after));
  assert.ok(after.levels.latest > after.on_time_target + 0.03, JSON.stringify(after));
});

test('delay notices: in force for the SKU, in the shopper\'s locale, text kept as text', async () => {
  const now = Date.now();
  const notice = {
    id: 'storm', extra_days: 2,
    starts_at: new Date(now - 3_600_000).toISOString(), ends_at: new Date(now + 86_400_000).toISOString(),
    message: 'Storm <img src=x onerror=alert(1)> in the Sierra', messages: { de: 'Sturm in der Sierra', ru: 'Шторм в Сьерре' },
  };
  const config = { ...CONFIG, delay_notices: [notice, { ...notice, id: 'other', skus: ['ACME-ROCKET'], messages: {} }] };
  try {
    const put = await send('/v1/delivery-config', ACME.secretKey, 'PUT', config);
    assert.equal(put.status, 200, await put.clone().text());
    const ask = async (locale) => (await send(`/v1/availability/ACME-ANVIL?country=US&locale=${locale}`, ACME.publishableKey)).json();
    const german = await ask('de-DE');
    assert.deepEqual(german.notices.map((n) => [n.id, n.message, n.extra_days]), [['storm', 'Sturm in der Sierra', 2]]);
    assert.equal((await ask('ru')).notices[0].message, 'Шторм в Сьерре');
    assert.equal((await ask('fr')).notices[0].message, notice.message, 'unknown locale: the default text, verbatim');
    const reason = german.delivery_options[0].reasons.find((r) => r.code === 'delay_notice');
    assert.deepEqual(reason, { code: 'delay_notice', id: 'storm', extra_days: 2, message: 'Sturm in der Sierra' });
    const bad = await send('/v1/delivery-config', ACME.secretKey, 'PUT', { ...config, delay_notices: [{ ...notice, messages: { 'not a tag': 'x' } }] });
    assert.equal(bad.status, 422);
    assert.equal((await bad.json()).error.param, 'delay_notices[0].messages');
  } finally {
    await send('/v1/delivery-config', ACME.secretKey, 'PUT', CONFIG);
  }
});
