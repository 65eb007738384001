import { createDatabase, type Database } from "@tstr/db";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createServerStateRepository } from "./server-state-repo.js";

const t = useTestDatabase();
const replicas: Database[] = [];
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
});

describe("server state repository", () => {
  it("lets exactly one of many concurrent replicas claim a key", async () => {
    for (let i = 0; i < 6; i++) replicas.push(createDatabase(t.url, { max: 2 }));
    const results = await Promise.all(
      replicas.flatMap((db) => [1, 2].map(() => createServerStateRepository(db).claimOnce("bootstrap"))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const repo = createServerStateRepository(t.db);
    expect(await repo.claimOnce("bootstrap")).toBe(false);
    expect(await repo.get("bootstrap")).toBe(true);
  });

  it("stores the claimant's value and leaves it alone on later claims", async () => {
    const repo = createServerStateRepository(t.db);
    expect(await repo.claimOnce("owner", { replica: "a" })).toBe(true);
    expect(await repo.claimOnce("owner", { replica: "b" })).toBe(false);
    expect(await repo.get("owner")).toEqual({ replica: "a" });
  });

  it("gets and sets JSON values, null included", async () => {
    const repo = createServerStateRepository(t.db);
    expect(await repo.get("missing")).toBeUndefined();
    await repo.set("k", { a: [1, 2] });
    expect(await repo.get("k")).toEqual({ a: [1, 2] });
    await repo.set("k", "text");
    expect(await repo.get("k")).toBe("text");
    await repo.set("k", null);
    expect(await repo.get("k")).toBeNull();
  });
});
