import { type Duration, durationMs, type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";

/** A compact human duration: `850 ms`, `4.2 s`, `3 m 12 s`, `2 h 5 m`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} m`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A protobuf Duration as text, or `—` when unset. */
export function formatProtoDuration(duration: Duration | undefined): string {
  return duration ? formatDuration(durationMs(duration)) : "—";
}

/** Milliseconds between two timestamps; undefined when either is missing. */
export function elapsedMs(from: Timestamp | undefined, to: Timestamp | undefined): number | undefined {
  if (!from || !to) return undefined;
  return timestampDate(to).getTime() - timestampDate(from).getTime();
}

/** Milliseconds in a number with a unit, for k6 latencies: `12.9 ms`, `1.43 s`. */
export function formatLatency(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms === 0) return "0 ms";
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
