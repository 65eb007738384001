import { ValidationError } from "./validation-error.js";

const NANOS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const NANOS_PER_MS = 1_000_000n;
// Go's time.Duration limit; beyond it a duration is certainly a typo.
const MAX_NANOS = 2n ** 63n - 1n;
const COMPONENT = /(\d*)(?:\.(\d*))?([^\d.]*)/y;
const EXPECTED = 'expected a Go-style duration such as "15s", "1m30s", "2h" or "500ms"';

/**
 * Parses a Go-style duration (`15s`, `1m30s`, `1.5h`, `500ms`, `-2m`; units ns, us/µs, ms, s, m, h)
 * into milliseconds, matching what tstr and its Go clients accept. Sub-millisecond units give a
 * fractional result. Throws a ValidationError at `path` on anything else.
 */
export function parseDuration(text: string, path = "duration"): number {
  const nanos = parseNanos(text);
  if (typeof nanos === "string") {
    throw new ValidationError([{ path, message: `invalid duration ${JSON.stringify(text)}: ${nanos}` }]);
  }
  const whole = nanos / NANOS_PER_MS;
  return Number(whole) + Number(nanos - whole * NANOS_PER_MS) / 1e6;
}

/**
 * Formats milliseconds as the shortest Go-style duration that parses back to the same value
 * (`90_000` → `1m30s`, `3_600_000` → `1h`, `500` → `500ms`, `0` → `0s`), for messages and CLI
 * output that users can paste back into a flag.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`cannot format ${ms} as a duration`);
  const whole = Math.trunc(ms);
  let nanos = BigInt(whole) * NANOS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
  const sign = nanos < 0n ? "-" : "";
  if (nanos < 0n) nanos = -nanos;
  if (nanos === 0n) return "0s";
  if (nanos < 1_000n) return `${sign}${nanos}ns`;
  if (nanos < 1_000_000n) return `${sign}${decimal(nanos, 1_000n)}us`;
  if (nanos < 1_000_000_000n) return `${sign}${decimal(nanos, NANOS_PER_MS)}ms`;
  const hours = nanos / 3_600_000_000_000n;
  const minutes = (nanos / 60_000_000_000n) % 60n;
  const seconds = nanos % 60_000_000_000n;
  const parts = [hours > 0n ? `${hours}h` : "", minutes > 0n ? `${minutes}m` : ""];
  if (seconds > 0n) parts.push(`${decimal(seconds, 1_000_000_000n)}s`);
  return sign + parts.join("");
}

function parseNanos(text: string): bigint | string {
  let rest = text;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") return EXPECTED;
  let total = 0n;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < rest.length) {
    const match = COMPONENT.exec(rest);
    const [, integer = "", fraction, unit = ""] = match ?? [];
    if (integer === "" && (fraction === undefined || fraction === "")) return EXPECTED;
    const perUnit = NANOS_PER_UNIT[unit];
    if (perUnit === undefined) return unit === "" ? "missing unit" : `unknown unit ${JSON.stringify(unit)}`;
    total += BigInt(integer || "0") * perUnit;
    if (fraction) total += (BigInt(fraction) * perUnit) / 10n ** BigInt(fraction.length);
    if (total > MAX_NANOS) return "too large";
  }
  return negative ? -total : total;
}

function decimal(value: bigint, unit: bigint): string {
  const integer = value / unit;
  const remainder = value % unit;
  if (remainder === 0n) return `${integer}`;
  const digits = unit.toString().length - 1;
  return `${integer}.${remainder.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}
