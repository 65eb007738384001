import type { Prisma } from "./generated/prisma/client.js";

/**
 * Domain objects are plain JSON-safe data, but TypeScript cannot prove an interface has no
 * non-JSON members; this is the one place that assertion is made.
 */
export function toJson(value: unknown): Prisma.InputJsonValue {
  return value as Prisma.InputJsonValue;
}
