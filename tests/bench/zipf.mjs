// The realistic read benchmark's traffic (tests/bench/run.mjs, `zipfTraffic`):
// requests as shoppers' widgets make them, drawn once from a seeded
// generator so every run replays the same mix. Each line is a path, then
// a tab and the shopper's address (`CF-Connecting-IP`), as `load --mix` reads.

/** 100,000 requests for the publishable key `pk` over `count` SKUs named by `sku(i)`. */
export function zipfMix(pk, sku, count) {
  const SKUS = count;
  // A seeded generator: every run replays the same traffic.
  let seed = 42;
  const random = () => { // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const cdf = [];
  let total = 0;
  for (let r = 1; r <= SKUS; r++) { total += 1 / r ** 1.1; cdf.push(total); }
  const zipf = () => {
    const u = random() * total;
    let lo = 0;
    let hi = SKUS - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid] < u) lo = mid + 1; else hi = mid; }
    return sku(lo);
  };
  const postal = Array.from({ length: 300 }, (_, i) => String(10115 + i * 293).padStart(5, '0'));
  const lines = [];
  for (let n = 0; n < 100_000; n++) {
    const where = random();
    let query = `key=${pk}&locale=${random() < 0.5 ? 'en-US' : 'de-DE'}`;
    const q = random();
    if (q > 0.95) query += '&qty=3'; else if (q > 0.85) query += '&qty=2';
    if (where < 0.3) query += `&country=DE&postal_code=${postal[Math.floor(random() * postal.length)]}`;
    else if (where < 0.6) query += '&country=DE';
    else if (where < 0.7) query += '&country=AT';
    let path;
    if (random() < 0.1) {
      const size = 20 + Math.floor(random() * 81);
      const skus = new Set();
      while (skus.size < size) skus.add(zipf());
      path = `/v1/availability?skus=${[...skus].join(',')}&${query}`;
    } else {
      path = `/v1/availability/${zipf()}?${query}`;
    }
    const client = `10.${Math.floor(random() * 80)}.${Math.floor(random() * 250)}.${1 + Math.floor(random() * 250)}`;
    lines.push(`${path}\tCF-Connecting-IP: ${client}`);
  }
  return lines;
}
