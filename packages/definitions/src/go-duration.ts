const NANOS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const NANOS_PER_SECOND = 1_000_000_000n;
/** google.protobuf.Duration's documented range: ±10,000 years. */
const MAX_SECONDS = 315_576_000_000n;

/**
 * Parses a Go-style duration ("1m30s", "2h", "500ms", "1.5s", "0") into nanoseconds, or returns
 * undefined when the text is not one. Proto JSON durations ("90s", "0.5s") are valid Go durations,
 * so both spellings are accepted. BigInt keeps sub-second fractions exact.
 */
export function parseGoDuration(text: string): bigint | undefined {
  const match = /^([-+]?)(.*)$/s.exec(text.trim());
  const body = match?.[2] ?? "";
  if (body === "0") return 0n;
  if (body === "") return undefined;
  const part = /(\d*)(?:\.(\d*))?([a-zµμ]+)/gy;
  let total = 0n;
  let consumed = 0;
  for (let m = part.exec(body); m; m = part.exec(body)) {
    const [, whole = "", fraction = "", unit = ""] = m;
    const perUnit = NANOS_PER_UNIT[unit];
    if (!perUnit || (whole === "" && fraction === "")) return undefined;
    const digits = fraction.slice(0, 18);
    const scale = 10n ** BigInt(digits.length);
    total += BigInt(whole || "0") * perUnit + (BigInt(digits || "0") * perUnit) / scale;
    consumed = part.lastIndex;
  }
  if (consumed !== body.length) return undefined;
  return match?.[1] === "-" ? -total : total;
}

/** Formats nanoseconds as a proto JSON duration: whole seconds plus 3, 6 or 9 fraction digits. */
export function formatProtoDuration(nanos: bigint): string {
  const sign = nanos < 0n ? "-" : "";
  const abs = nanos < 0n ? -nanos : nanos;
  const seconds = abs / NANOS_PER_SECOND;
  const fraction = abs % NANOS_PER_SECOND;
  if (fraction === 0n) return `${sign}${seconds}s`;
  let digits = fraction.toString().padStart(9, "0");
  while (digits.endsWith("000")) digits = digits.slice(0, -3);
  return `${sign}${seconds}.${digits}s`;
}

/** Outcome of converting a user-written duration for a proto Duration field. */
export type DurationConversion = { ok: true; json: string; nanos: bigint } | { ok: false; message: string };

/**
 * Converts a duration as written in a definition file or flag into proto JSON ("90s"), refusing
 * negative values, bare numbers (the unit would be a guess) and values outside Duration's range.
 */
export function convertDuration(value: unknown): DurationConversion {
  if (typeof value === "number") {
    return { ok: false, message: `invalid duration ${value}: add a unit, e.g. "${value}s"` };
  }
  if (typeof value !== "string") return { ok: false, message: `expected a duration string such as "1m30s"` };
  const nanos = parseGoDuration(value);
  if (nanos === undefined) return { ok: false, message: `invalid duration ${JSON.stringify(value)}` };
  if (nanos < 0n) return { ok: false, message: `invalid duration ${JSON.stringify(value)}: must not be negative` };
  if (nanos / NANOS_PER_SECOND > MAX_SECONDS) {
    return { ok: false, message: `invalid duration ${JSON.stringify(value)}: out of range` };
  }
  return { ok: true, json: formatProtoDuration(nanos), nanos };
}
