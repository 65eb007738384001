import { randomUUID } from "node:crypto";
import type { TestSpec } from "@tstr/domain";
import { useTestDatabase } from "@tstr/testing";
import { describe, expect, it } from "vitest";
import { lockLiveTestIds } from "./lock-live-tests.js";
import { withPgTransaction } from "./runs/pg-transaction.js";
import { createTestsRepository } from "./tests-repo.js";

const t = useTestDatabase();

function spec(name: string): TestSpec {
  return {
    namespace: "locks",
    name,
    labels: {},
    runConfig: { image: "busybox", command: "true", args: [], env: {}, files: [] },
    retry: { maxAttempts: 1, on: ["RUNNER_LOST"], backoffMs: 0 },
    concurrencyPolicy: "allow",
    resources: {},
  };
}

/** Whether another session could lock the row now (NOWAIT fails while someone holds it). */
async function lockable(id: string): Promise<boolean> {
  return withPgTransaction(t.db.pool, async (other) => {
    try {
      await other.query("SELECT id FROM tests WHERE id = $1 FOR UPDATE NOWAIT", [id]);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "55P03") return false;
      throw error;
    }
  });
}

describe("lockLiveTestIds", () => {
  it("locks the live tests among the ids until the transaction ends, and returns their ids", async () => {
    const tests = createTestsRepository(t.db);
    const live = await tests.create(spec("live"));
    const archived = await tests.create(spec("archived"));
    await tests.archive(archived.id);
    const locked = await withPgTransaction(t.db.pool, async (client) => {
      const ids = await lockLiveTestIds(client, [archived.id, live.id, randomUUID(), "not-a-uuid"]);
      expect(await lockable(live.id)).toBe(false);
      expect(await lockable(archived.id)).toBe(true);
      return ids;
    });
    expect([...locked]).toEqual([live.id]);
    expect(await lockable(live.id)).toBe(true);
  });

  it("returns nothing for no ids", async () => {
    expect(await lockLiveTestIds(t.db.pool, [])).toEqual(new Set());
  });
});
