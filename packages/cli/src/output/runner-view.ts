import type { Runner } from "@tstr/proto";
import { formatLabels, formatTimestamp } from "./format-values.js";

/** Columns of `runner list`. */
export const RUNNER_COLUMNS = [
  "NAME",
  "ID",
  "ONLINE",
  "CAPACITY",
  "ACTIVE",
  "LABELS",
  "ACCEPT",
  "REJECT",
  "VERSION",
  "LAST-HEARTBEAT",
] as const;

/** One table row per runner. Selectors contain commas, so a list of them is joined with "; ". */
export function runnerRow(runner: Runner): string[] {
  return [
    runner.name,
    runner.id,
    formatOnline(runner),
    String(runner.capacity),
    String(runner.activeRunIds.length),
    formatLabels(runner.labels),
    runner.acceptSelectors.join("; "),
    runner.rejectSelectors.join("; "),
    runner.version,
    formatTimestamp(runner.lastHeartbeatAt),
  ];
}

/** The `runner get` view. */
export function runnerDetails(runner: Runner): [string, string][] {
  return [
    ["Name", runner.name],
    ["ID", runner.id],
    ["Online", formatOnline(runner)],
    ["Version", runner.version],
    ["Capacity", String(runner.capacity)],
    ["Active runs", runner.activeRunIds.length ? runner.activeRunIds.join("\n") : "none"],
    ["Labels", formatLabels(runner.labels) || "none"],
    ["Accepts", runner.acceptSelectors.join("\n") || "everything"],
    ["Rejects", runner.rejectSelectors.join("\n") || "nothing"],
    ["Executors", runner.executors.join(", ")],
    ["Namespaces", runner.namespaceSelectors.join(", ")],
    ["Registered", formatTimestamp(runner.registeredAt)],
    ["Last heartbeat", formatTimestamp(runner.lastHeartbeatAt) || "never"],
  ];
}

function formatOnline(runner: Runner): string {
  if (!runner.online) return "no";
  return runner.draining ? "draining" : "yes";
}
