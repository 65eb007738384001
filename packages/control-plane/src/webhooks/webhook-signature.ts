import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HMAC-SHA256 signature of a webhook request: `sha256=<hex>` over `<timestamp>.<body>`, keyed with
 * the webhook's secret. The timestamp (Unix seconds, sent as `x-tstr-timestamp`) is signed too, so
 * a captured request cannot be replayed later with a new timestamp.
 */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver got: the raw body and the two headers. */
export interface SignedWebhookRequest {
  body: string;
  /** `x-tstr-timestamp` */
  timestamp: string;
  /** `x-tstr-signature` */
  signature: string;
}

/**
 * True when `request` was signed with `secret` no more than `toleranceSeconds` (default 300)
 * away from `now`. Compares in constant time. The README shows the same check for receivers.
 */
export function verifyWebhookSignature(
  secret: string,
  request: SignedWebhookRequest,
  opts: { now?: Date; toleranceSeconds?: number } = {},
): boolean {
  if (!/^\d{1,15}$/.test(request.timestamp)) return false;
  const timestamp = Number(request.timestamp);
  const nowSeconds = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, request.body));
  const given = Buffer.from(request.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
