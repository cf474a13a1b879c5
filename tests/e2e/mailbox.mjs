// The local mail path: under `wrangler dev` the `send_email` binding writes
// each message whole to a .eml file and logs its path (Miniflare's email
// simulation). This reads those messages back as a recipient would see
// them: headers unfolded and decoded, each MIME part decoded.
import { existsSync, readFileSync } from 'node:fs';

/** Every message the edge logged so far, parsed. */
export function sentMessages(logPath) {
  const log = readFileSync(logPath, 'utf8');
  const paths = [...new Set(log.match(/\/\S+\.eml\b/g) ?? [])];
  return paths.filter((p) => existsSync(p)).map((p) => ({ path: p, ...parseMessage(readFileSync(p, 'utf8')) }));
}

/** Messages to `address`, once there are at least `count` (or fails after `ms`). */
export async function mailTo(logPath, address, count = 1, ms = 20_000) {
  const start = Date.now();
  for (;;) {
    const mail = sentMessages(logPath).filter((m) => m.headers.to === `<${address}>`);
    if (mail.length >= count) return mail;
    if (Date.now() - start > ms) throw new Error(`${count} message(s) to ${address}: ${mail.length} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** RFC 5322 + MIME, as far as Upfront's messages need: headers by lower-case name, parts by type. */
export function parseMessage(raw) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers = parseHeaders(head);
  const boundary = /boundary="([^"]+)"/.exec(headers['content-type'] ?? '')?.[1];
  const parts = {};
  if (boundary) {
    const body = rest.join('\r\n\r\n');
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const [partHead, ...partBody] = chunk.replace(/^\r\n/, '').split('\r\n\r\n');
      const h = parseHeaders(partHead);
      const type = (h['content-type'] ?? '').split(';')[0];
      const content = partBody.join('\r\n\r\n');
      parts[type] = /base64/i.test(h['content-transfer-encoding'] ?? '')
        ? Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8')
        : content;
    }
  }
  return { raw, headers, text: parts['text/plain'], html: parts['text/html'] };
}

function parseHeaders(head) {
  const headers = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  return headers;
}

/** RFC 2047 encoded words (B and Q), adjacent words joined. */
function decodeWords(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, text) => (enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')));
}
