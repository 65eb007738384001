/** One line of a pod log requested with `timestamps=true`. */
export interface LogLine {
  /** The RFC 3339 timestamp the kubelet put in front ("" when the line had none). */
  timestamp: string;
  /** Nanoseconds since the epoch of `timestamp` (-1 when there was none). */
  nanos: bigint;
  /** The line as the workload wrote it, without the timestamp and the newline. */
  content: Buffer;
  /** False only for a last line the workload ended without a newline. */
  newline: boolean;
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Nanoseconds since the epoch of an RFC 3339 time with up to nine fraction digits; -1 if it is not one. */
export function nanosOf(stamp: string): bigint {
  const match = STAMP.exec(stamp);
  const millis = match ? Date.parse(`${match[1]}${match[3]}`) : Number.NaN;
  if (!match || Number.isNaN(millis)) return -1n;
  return BigInt(millis) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** Splits a `timestamps=true` log line into its timestamp and content. */
export function parseLogLine(raw: Buffer, newline: boolean): LogLine {
  const space = raw.indexOf(0x20);
  const timestamp = space === -1 ? "" : raw.subarray(0, space).toString("latin1");
  const nanos = timestamp ? nanosOf(timestamp) : -1n;
  if (nanos < 0n) return { timestamp: "", nanos: -1n, content: raw, newline };
  return { timestamp, nanos, content: raw.subarray(space + 1), newline };
}

/**
 * Cuts a log stream into lines, which may straddle reads anywhere. What is left after the last
 * newline stays pending: at a clean end of a complete read it is a real last line without a
 * newline (`flush`), after a broken stream it is a fragment to drop (`discard`).
 */
export function createLineSplitter() {
  let pending = Buffer.alloc(0) as Buffer;
  return {
    push(bytes: Buffer): LogLine[] {
      pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
      const lines: LogLine[] = [];
      let start = 0;
      for (let newline = pending.indexOf(0x0a); newline !== -1; newline = pending.indexOf(0x0a, start)) {
        lines.push(parseLogLine(pending.subarray(start, newline), true));
        start = newline + 1;
      }
      pending = pending.subarray(start);
      return lines;
    },
    flush(): LogLine[] {
      const rest = pending;
      pending = Buffer.alloc(0);
      return rest.length > 0 ? [parseLogLine(rest, false)] : [];
    },
    discard(): void {
      pending = Buffer.alloc(0);
    },
  };
}

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * Exactly-once delivery of log lines across resumed streams. A stream that broke is re-requested
 * with `sinceTime` one second before the start of the second of the newest line seen (whole
 * seconds, the precision every API server accepts; the extra second covers stdout/stderr lines
 * whose timestamps are slightly out of order). Lines from then on are remembered as
 * timestamp+content with a count, so a replayed line is dropped while a line that legitimately
 * repeats (same content, same nanosecond) is still delivered as often as it was written. Only lines
 * up to the newest one seen when a stream started can be replays: later ones are not counted, so
 * memory stays within the window however long a healthy stream runs.
 */
export function createLogDeduper() {
  const seen = new Map<string, { nanos: bigint; count: number }>();
  /** Per stream: how often each line up to `replayUntil` came again (a replay or a real repeat). */
  let replayed = new Map<string, number>();
  /** The newest line seen when the current stream started: a later line cannot be a replay. */
  let replayUntil = -1n;
  let newest = -1n;

  const windowStart = () => (newest / NANOS_PER_SECOND - 1n) * NANOS_PER_SECOND;

  return {
    /** A new stream begins: its lines are matched against what was seen before. */
    startStream(): void {
      replayed = new Map();
      replayUntil = newest;
    },
    /** Whether the line is new (deliver it) rather than a replay of one already delivered. */
    admit(line: LogLine): boolean {
      if (line.nanos < 0n) return true;
      const key = `${line.timestamp} ${line.content.toString("latin1")}`;
      const entry = seen.get(key);
      if (line.nanos <= replayUntil) {
        const already = replayed.get(key) ?? 0;
        replayed.set(key, already + 1);
        if (entry && already < entry.count) return false;
      }
      if (entry) entry.count++;
      else seen.set(key, { nanos: line.nanos, count: 1 });
      if (line.nanos / NANOS_PER_SECOND > newest / NANOS_PER_SECOND) {
        newest = line.nanos;
        const start = windowStart();
        for (const [stale, { nanos }] of seen) if (nanos < start) seen.delete(stale);
      } else if (line.nanos > newest) newest = line.nanos;
      return true;
    },
    /** How many lines are remembered for deduplication (bounded by the resume window). */
    remembered(): number {
      return seen.size + replayed.size;
    },
    /** The `sinceTime` for the next request; undefined before any line (read from the start). */
    resumeSince(): string | undefined {
      if (newest < 0n) return undefined;
      const seconds = Number(windowStart() / NANOS_PER_SECOND);
      return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    },
  };
}
