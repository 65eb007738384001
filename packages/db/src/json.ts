import type { Prisma } from "./generated/prisma/client.js";

/**
 * Domain objects are plain JSON-safe data, but TypeScript cannot prove an interface has no
 * non-JSON members; this is the one place that assertion is made.
 */
export function toJson(value: unknown): Prisma.InputJsonValue {
  return value as Prisma.InputJsonValue;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lookups by a malformed id find nothing instead of failing the uuid cast in PostgreSQL. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
