// Posts an alert's JSON to a webhook: a timeout per attempt, a bounded number of attempts with
// exponential backoff, no redirects followed. Hand-written on node:http(s) rather than fetch because
// the SSRF guard must see the address actually connected to: `lookup` is called for the connection
// itself, so a name that resolves (or re-resolves, DNS rebinding) to a private address is refused.
//
// SSRF: rule editors are the name's owner or an administrator, but a webhook still lets web reach
// whatever it can reach (the database, viz, cloud metadata at 169.254.169.254). So by default
// loopback, private, link-local, CGNAT and unique-local addresses are refused; an operator who runs
// the receiver inside the network sets ALERT_WEBHOOK_ALLOW_PRIVATE=1 (or lists hosts in
// ALERT_WEBHOOK_HOSTS, which then are the only ones allowed).
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface WebhookOptions {
  /** Per attempt, connection to answer (default 5 s). */
  readonly timeoutMs: number;
  /** Delays before the 2nd, 3rd, … attempt: their count + 1 is the number of attempts. */
  readonly retryDelaysMs: readonly number[];
  /** Whether private and loopback addresses may be posted to. */
  readonly allowPrivate: boolean;
  /** When not empty, the only host names allowed (lower case). */
  readonly allowedHosts: readonly string[];
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = Object.freeze({
  timeoutMs: 5000,
  retryDelaysMs: [1000, 4000, 16000],
  allowPrivate: false,
  allowedHosts: [],
});

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** Whether an IP address is loopback, private, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const v4 = mapped?.[1];
    if (v4 !== undefined) return PRIVATE.check(v4, 'ipv4');
    return PRIVATE.check(address, 'ipv6');
  }
  return PRIVATE.check(address, 'ipv4');
}

export class WebhookRefused extends Error {}

/** Why this URL may not be posted to before any connection (scheme, host list, literal private address), or null. */
export function refusal(url: URL, opts: Pick<WebhookOptions, 'allowPrivate' | 'allowedHosts'>): string | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${url.protocol} is not http or https`;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (opts.allowedHosts.length && !opts.allowedHosts.includes(host)) return `${host} is not in ALERT_WEBHOOK_HOSTS`;
  if (!opts.allowPrivate && isPrivateAddress(host))
    return `${host} is a private or loopback address (ALERT_WEBHOOK_ALLOW_PRIVATE=1 allows it)`;
  if (!opts.allowPrivate && host === 'localhost')
    return 'localhost is a loopback address (ALERT_WEBHOOK_ALLOW_PRIVATE=1 allows it)';
  return null;
}

/** dns.lookup that refuses private answers (every address, as `all` may be asked). */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) {
      callback(err, '', 0);
      return;
    }
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) {
      callback(new WebhookRefused(`${hostname} resolves to ${bad.address}, a private or loopback address`), '', 0);
      return;
    }
    const first = addresses[0];
    if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    else if (first) callback(null, first.address, first.family);
    else callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
  });
};

/** One POST; resolves with the status code, rejects on a network error, a refusal or the timeout. */
export function postOnce(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: WebhookOptions,
): Promise<number> {
  const u = new URL(url);
  const why = refusal(u, opts);
  if (why) return Promise.reject(new WebhookRefused(why));
  const options: RequestOptions = {
    method: 'POST',
    timeout: opts.timeoutMs,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'enchilada-alerts',
      ...headers,
    },
    ...(opts.allowPrivate ? {} : { lookup: guardedLookup }),
  };
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    // The whole exchange, not only the idle socket, is bounded.
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface Delivery {
  readonly sent: boolean;
  readonly attempts: number;
  readonly error: string | null;
}

/**
 * Posts until a 2xx, at most retryDelaysMs.length + 1 times. A refused address is not retried, nor a
 * 4xx other than 408 and 429 (the receiver will not change its mind).
 */
export async function deliver(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: WebhookOptions,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<Delivery> {
  let error: string | null = null;
  const max = opts.retryDelaysMs.length + 1;
  for (let attempt = 1; attempt <= max; attempt++) {
    try {
      const status = await postOnce(url, body, headers, opts);
      if (status >= 200 && status < 300) return { sent: true, attempts: attempt, error: null };
      error = `the webhook answered ${status}`;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429)
        return { sent: false, attempts: attempt, error };
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      if (err instanceof WebhookRefused) return { sent: false, attempts: attempt, error };
    }
    if (attempt < max) await sleep(opts.retryDelaysMs[attempt - 1] ?? 0);
  }
  return { sent: false, attempts: max, error };
}
