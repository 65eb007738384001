import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";

/** "k=v,k2=v2" with keys sorted; empty for no labels. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(",");
}

/** RFC 3339 in UTC to the second ("2025-01-02T03:04:05Z"); empty when unset. */
export function formatTimestamp(timestamp: Timestamp | undefined): string {
  if (!timestamp) return "";
  return timestampDate(timestamp)
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z");
}

/** A command line as a shell would need it typed: arguments quoted only where necessary. */
export function formatCommand(command: string, args: readonly string[]): string {
  return [command, ...args]
    .filter((part, i) => i > 0 || part !== "")
    .map(shellQuote)
    .join(" ");
}

function shellQuote(word: string): string {
  if (word !== "" && /^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Seconds of a Duration as Go-style text ("1m30s"); empty when unset. */
export function formatDuration(duration: { seconds: bigint; nanos: number } | undefined): string {
  if (!duration) return "";
  let seconds = Number(duration.seconds) + duration.nanos / 1e9;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const secondsText = Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3).replace(/0+$/, "");
  const parts = [
    hours ? `${hours}h` : "",
    minutes ? `${minutes}m` : "",
    seconds || (!hours && !minutes) ? `${secondsText}s` : "",
  ];
  return parts.join("");
}
