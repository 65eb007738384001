import { Cron } from "croner";
import { ValidationError } from "./validation-error.js";

/** Longest accepted cron expression; real ones are far shorter. */
export const MAX_CRON_LENGTH = 256;
/** Most fire times {@link nextFireTimes} computes in one call. */
export const MAX_FIRE_TIMES = 1000;
/** The zone an empty time zone stands for, as in the proto (`timezone`: UTC when empty). */
export const DEFAULT_TIMEZONE = "UTC";

const NICKNAMES = new Set(["@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight"]);
// Fixed, so that checking whether a pattern can ever fire does not depend on the clock.
const NEVER_FIRES_PROBE = new Date(Date.UTC(2000, 0, 1));

/**
 * Checks a time zone name against the runtime's IANA database (Intl; no I/O). Empty means UTC.
 * Returns a reason, or undefined when it is valid.
 */
export function validateTimezone(timezone: string): string | undefined {
  if (timezone === "") return undefined;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: timezone });
    return undefined;
  } catch {
    return `unknown time zone ${JSON.stringify(timezone)}; use an IANA name such as UTC or Europe/Berlin`;
  }
}

/**
 * Checks a cron schedule at registration time, so a bad one is a clear error instead of a
 * scheduler crash loop: 5 fields (minute precision) or 6 (seconds first), or one of
 * `@hourly @daily @weekly @monthly @yearly @annually @midnight`, in a valid time zone, and able
 * to fire at all (`0 0 30 2 *` never does). Returns a reason, or undefined when it is valid.
 */
export function validateCron(expression: string, timezone: string): string | undefined {
  const key = `${timezone}\u0000${expression}`;
  if (key.length > MAX_CACHED_KEY) return checkCron(expression, timezone);
  if (verdicts.has(key)) return verdicts.get(key);
  const verdict = checkCron(expression, timezone);
  remember(verdicts, key, verdict);
  return verdict;
}

function checkCron(expression: string, timezone: string): string | undefined {
  const zoneProblem = validateTimezone(timezone);
  if (zoneProblem !== undefined) return zoneProblem;
  if (expression.length > MAX_CRON_LENGTH) return `must be at most ${MAX_CRON_LENGTH} characters`;
  const trimmed = expression.trim();
  if (trimmed === "") return "is required";
  if (trimmed.startsWith("@") && !NICKNAMES.has(trimmed.toLowerCase())) {
    return `unknown nickname ${JSON.stringify(trimmed)}; use one of ${[...NICKNAMES].join(", ")}`;
  }
  try {
    const next = withCron(trimmed, timezone, (cron) => cron.nextRun(NEVER_FIRES_PROBE));
    return next === null ? "never fires" : undefined;
  } catch (error) {
    return describeCronError(error);
  }
}

/**
 * The next `count` times a schedule fires strictly after `after`, in order. Pure: the clock is
 * passed in and no timer is ever started. Daylight-saving changes follow croner: a fixed-time
 * job whose local time falls in a spring-forward gap fires at the end of the gap, and fires once
 * when the local time repeats in autumn. Throws a ValidationError for an invalid schedule.
 */
export function nextFireTimes(expression: string, timezone: string, after: Date, count: number): Date[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_FIRE_TIMES) {
    throw new RangeError(`count must be an integer from 0 to ${MAX_FIRE_TIMES}, got ${count}`);
  }
  const problem = validateCron(expression, timezone);
  if (problem !== undefined) {
    const path = validateTimezone(timezone) === undefined ? "cron_schedule" : "timezone";
    throw new ValidationError([{ path, message: problem }]);
  }
  return withCron(expression.trim(), timezone, (cron) => cron.nextRuns(count, after));
}

/**
 * The latest time a schedule fired at or before `at`, or undefined if it never did. Pure, like
 * {@link nextFireTimes}; throws a ValidationError for an invalid schedule.
 */
export function lastFireTimeAtOrBefore(expression: string, timezone: string, at: Date): Date | undefined {
  const problem = validateCron(expression, timezone);
  if (problem !== undefined) throw new ValidationError([{ path: "cron_schedule", message: problem }]);
  // previousRuns is strictly before its reference: one millisecond later includes `at` itself.
  const [last] = withCron(expression.trim(), timezone, (cron) => cron.previousRuns(1, new Date(at.getTime() + 1)));
  return last;
}

function withCron<T>(expression: string, timezone: string, use: (cron: Cron) => T): T {
  return use(cronFor(expression, timezone));
}

/**
 * Parsed schedules, most recently used last. A paused croner instance without a callback never
 * starts a timer and its next/previous-run maths takes the reference time as an argument, so one
 * instance per (expression, time zone) can serve every caller; the cron loop plans thousands of
 * ticks a second and parsing (and Intl time-zone setup) dominated its cost.
 */
const parsed = new Map<string, Cron>();
const verdicts = new Map<string, string | undefined>();
const CACHE_LIMIT = 2048;
// Oversized input is refused by checkCron and never cached, so the caches stay small.
const MAX_CACHED_KEY = 512;

function cronFor(expression: string, timezone: string): Cron {
  const key = `${timezone}\u0000${expression}`;
  const hit = parsed.get(key);
  if (hit) {
    parsed.delete(key);
    parsed.set(key, hit);
    return hit;
  }
  const cron = new Cron(expression, {
    timezone: timezone === "" ? DEFAULT_TIMEZONE : timezone,
    paused: true,
    mode: "5-or-6-parts",
  });
  remember(parsed, key, cron);
  return cron;
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  cache.set(key, value);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
}

function describeCronError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^CronPattern: /, "");
}
