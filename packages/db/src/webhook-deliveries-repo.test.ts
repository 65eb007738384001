import { useTestDatabase } from "@tstr/testing";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWebhookDeliveriesRepository, type WebhookDeliveriesRepository } from "./webhook-deliveries-repo.js";

// The send queue against real PostgreSQL: claims in order per webhook and test, leases, retries,
// giving up, concurrent claims, and the log's listing, expiry and pruning.

const t = useTestDatabase();
let repo: WebhookDeliveriesRepository;
let hook = "";
let runId = "";
let testA = "";
let testB = "";
const LEASE_MS = 60_000;

beforeAll(async () => {
  repo = createWebhookDeliveriesRepository(t.db.pool);
  const test = (name: string) =>
    t.db.prisma.test.create({ data: { namespace: "ns", name, runConfig: {}, retry: {} } }).then((r) => r.id);
  testA = await test("a");
  testB = await test("b");
  runId = (await t.db.prisma.run.create({ data: { namespace: "ns", testName: "a", runConfig: {}, trigger: "manual" } }))
    .id;
});

beforeEach(async () => {
  await t.db.pool.query("DELETE FROM webhooks");
  const { rows } = await t.db.pool.query(
    `INSERT INTO webhooks (namespace, name, url, events, secret)
     VALUES ('ns', 'h', 'http://127.0.0.1:1/hook', '{run.finished}', 'the-secret-the-secret') RETURNING id`,
  );
  hook = rows[0].id;
});

/** Adds deliveries in order; returns their ids by label. */
async function add(...items: [label: string, testId: string | null][]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const [label, testId] of items) {
    const { rows } = await t.db.pool.query(
      `INSERT INTO webhook_deliveries (webhook_id, event, run_id, test_id, payload)
       VALUES ($1, 'run.finished', $2, $3, $4) RETURNING id`,
      [hook, runId, testId, JSON.stringify({ label })],
    );
    ids[label] = rows[0].id;
  }
  return ids;
}

const labels = (claimed: { payload: unknown }[]) => claimed.map((c) => (c.payload as { label: string }).label);
const soon = () => new Date(Date.now() - 1);

describe("webhook deliveries", () => {
  it("claims the oldest delivery of each test, holding later ones until it is delivered", async () => {
    const ids = await add(["a1", testA], ["b1", testB], ["a2", testA], ["n1", null], ["n2", null]);
    const first = await repo.claimDue(10, LEASE_MS);
    expect(labels(first)).toEqual(["a1", "b1", "n1"]);
    expect(first[0]).toMatchObject({
      webhookId: hook,
      event: "run.finished",
      attempts: 1,
      url: "http://127.0.0.1:1/hook",
      secret: "the-secret-the-secret",
    });
    // Leased: nobody claims them again, and what follows them waits.
    expect(await repo.claimDue(10, LEASE_MS)).toEqual([]);

    await repo.markFailedAttempt(ids.a1 ?? "", 1, { statusCode: 503, error: "HTTP 503", retryAt: soon() });
    const retried = await repo.claimDue(10, LEASE_MS);
    expect(labels(retried)).toEqual(["a1"]);
    expect(retried[0]?.attempts).toBe(2);

    await repo.markDelivered(ids.a1 ?? "", 200);
    await repo.markDelivered(ids.n1 ?? "", 204);
    expect(labels(await repo.claimDue(10, LEASE_MS))).toEqual(["a2", "n2"]);
  });

  it("lets only the current claim record a failure, and gives up without a retry time", async () => {
    const ids = await add(["a1", testA], ["a2", testA]);
    await repo.claimDue(10, LEASE_MS);
    await repo.markFailedAttempt(ids.a1 ?? "", 7, { error: "stale", retryAt: soon() });
    expect((await repo.list(hook, { limit: 10 }))[1]).toMatchObject({ state: "pending", attempts: 1 });
    expect((await repo.list(hook, { limit: 10 }))[1]?.lastError).toBeUndefined();

    await repo.markFailedAttempt(ids.a1 ?? "", 1, { error: "connect ECONNREFUSED 127.0.0.1:1" });
    const [later, failed] = await repo.list(hook, { limit: 10 });
    expect(failed).toMatchObject({ state: "failed", attempts: 1, lastError: "connect ECONNREFUSED 127.0.0.1:1" });
    expect(failed?.nextAttemptAt).toBeUndefined();
    // A failed delivery no longer holds the test's later ones.
    expect(labels(await repo.claimDue(10, LEASE_MS))).toEqual(["a2"]);
    expect(later?.id).toBe(ids.a2);
  });

  it("does not send for disabled webhooks", async () => {
    await add(["a1", testA]);
    await t.db.pool.query("UPDATE webhooks SET enabled = false");
    expect(await repo.claimDue(10, LEASE_MS)).toEqual([]);
    await t.db.pool.query("UPDATE webhooks SET enabled = true");
    expect(labels(await repo.claimDue(10, LEASE_MS))).toEqual(["a1"]);
  });

  it("never hands one delivery to two concurrent claims", async () => {
    const tests = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.db.prisma.test.create({ data: { namespace: "ns", name: `c${i}`, runConfig: {}, retry: {} } }),
      ),
    );
    await add(...tests.map((test, i) => [`c${i}`, test.id] as [string, string]));
    const claims = await Promise.all(Array.from({ length: 5 }, () => repo.claimDue(6, LEASE_MS)));
    const claimed = claims.flatMap(labels);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(20);
  });

  it("retries a delivery whose sender died once its lease is over", async () => {
    await add(["a1", testA]);
    expect(await repo.claimDue(10, 50)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const again = await repo.claimDue(10, LEASE_MS);
    expect(again.map((c) => c.attempts)).toEqual([2]);
  });

  it("lists newest first with a limit and a since, then expires and prunes", async () => {
    const ids = await add(["a1", testA], ["b1", testB], ["a2", testA]);
    await t.db.pool.query("UPDATE webhook_deliveries SET created_at = now() - interval '2 hours' WHERE id = $1", [
      ids.a1,
    ]);
    expect((await repo.list(hook, { limit: 2 })).map((d) => d.id)).toEqual([ids.a2, ids.b1]);
    const recent = await repo.list(hook, { limit: 10, since: new Date(Date.now() - 3_600_000) });
    expect(recent.map((d) => d.id)).toEqual([ids.a2, ids.b1]);
    expect(await repo.list("not-a-uuid", { limit: 10 })).toEqual([]);

    expect(await repo.expire(new Date(Date.now() - 3_600_000), "expired after 1h")).toBe(1);
    const expired = (await repo.list(hook, { limit: 10 })).at(-1);
    expect(expired).toMatchObject({ id: ids.a1, state: "failed", lastError: "expired after 1h" });

    await repo.markDelivered(ids.b1 ?? "", 200);
    expect(await repo.prune(new Date(Date.now() + 1_000))).toBe(2); // a1 (failed) and b1 (delivered)
    expect((await repo.list(hook, { limit: 10 })).map((d) => d.id)).toEqual([ids.a2]);
  });
});
