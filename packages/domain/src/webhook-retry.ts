/** How failed webhook deliveries are retried. */
export interface WebhookRetryPolicy {
  /** Wait after the first failed attempt; doubled after each further one. */
  baseMs: number;
  /** Longest wait between attempts. */
  capMs: number;
  /** A delivery still failing this long after it was created is given up (marked failed). */
  maxAgeMs: number;
}

/** One second doubling to ten minutes, for a day. */
export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = Object.freeze({
  baseMs: 1_000,
  capMs: 10 * 60_000,
  maxAgeMs: 24 * 3_600_000,
});

/**
 * The wait after `failedAttempts` (≥ 1) failed attempts: base × 2^(n−1), capped, with "equal
 * jitter" (half fixed, half random) so receivers coming back are not hit by every sender at once.
 * `random` is in [0, 1).
 */
export function webhookRetryDelayMs(failedAttempts: number, policy: WebhookRetryPolicy, random: number): number {
  const exponent = Math.min(Math.max(failedAttempts, 1) - 1, 52);
  const full = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.round(full / 2 + (full / 2) * random);
}

/** When to try a failed delivery again, or that it is given up. */
export type WebhookRetryDecision = { retryAt: Date } | { giveUp: true };

/** Decides the next attempt of a delivery created at `createdAt` that has just failed. */
export function nextWebhookAttempt(args: {
  createdAt: Date;
  now: Date;
  failedAttempts: number;
  policy: WebhookRetryPolicy;
  random: number;
}): WebhookRetryDecision {
  const retryAt = new Date(args.now.getTime() + webhookRetryDelayMs(args.failedAttempts, args.policy, args.random));
  if (retryAt.getTime() - args.createdAt.getTime() > args.policy.maxAgeMs) return { giveUp: true };
  return { retryAt };
}
