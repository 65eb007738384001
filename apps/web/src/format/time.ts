import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";

/** A protobuf timestamp as a Date, or undefined when unset. */
export function toDate(ts: Timestamp | undefined): Date | undefined {
  return ts ? timestampDate(ts) : undefined;
}

/** How long ago `date` was, relative to `now`: `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function relativeTime(date: Date | undefined, now: Date = new Date()): string {
  if (!date) return "—";
  const s = Math.round((now.getTime() - date.getTime()) / 1000);
  if (s < 0) return inFuture(-s);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

function inFuture(s: number): string {
  if (s < 60) return `in ${s} s`;
  if (s < 3600) return `in ${Math.floor(s / 60)} min`;
  if (s < 86400) return `in ${Math.floor(s / 3600)} h`;
  return `in ${Math.floor(s / 86400)} d`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Local date and time to the second: `2025-11-21 14:03:09`. */
export function formatDateTime(date: Date | undefined): string {
  if (!date) return "—";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatClock(date)}`;
}

/** Local time of day: `14:03:09`, with milliseconds when asked (`14:03:09.120`). */
export function formatClock(date: Date, millis = false): string {
  const base = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return millis ? `${base}.${pad(date.getMilliseconds(), 3)}` : base;
}

/** A short axis label for a chart bucket: hours for short spans, dates for long ones. */
export function formatAxisTime(date: Date, spanMs: number): string {
  if (spanMs <= 15 * 60_000) return formatClock(date);
  if (spanMs <= 2 * 86400_000) return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
