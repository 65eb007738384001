/**
 * Field order of the payload as documented. Payloads are stored as jsonb, which keeps keys in its
 * own order; receivers do not care, people reading them do.
 */
const KEY_ORDER = [
  "id",
  "event",
  "occurredAt",
  "namespace",
  "test",
  "run",
  "previousHealth",
  "health",
  "name",
  "labels",
  "status",
  "result",
  "reason",
  "attempt",
  "trigger",
  "external",
  "runNumber",
  "scheduledAt",
  "startedAt",
  "finishedAt",
];
const RANK = new Map(KEY_ORDER.map((key, i) => [key, i]));

/** The stored payload as JSON text with its fields in the documented order (labels as they are). */
export function orderedPayloadJson(payload: unknown): string {
  return JSON.stringify(payload, (key, value) => {
    if (key === "labels" || !value || typeof value !== "object" || Array.isArray(value)) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    entries.sort(([a], [b]) => (RANK.get(a) ?? KEY_ORDER.length) - (RANK.get(b) ?? KEY_ORDER.length));
    return Object.fromEntries(entries);
  });
}
