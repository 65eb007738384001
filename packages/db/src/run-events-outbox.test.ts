import { DEFAULT_RETRY, type FanOutPlan, type RunState } from "@tstr/domain";
import { useTestDatabase } from "@tstr/testing";
import pg from "pg";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { countPendingRunEvents, fanOutRunEvents, type OutboxBatch, RUN_EVENT_CHANNEL } from "./run-events-outbox.js";
import { withPgTransaction } from "./runs/pg-transaction.js";
import { createRunsRepository } from "./runs/runs-repo.js";

// The runs outbox against real PostgreSQL: the trigger records every status change whatever
// writes it, and a fan-out pass turns rows into deliveries and health in one transaction.

const t = useTestDatabase();
const LEASE = new Date(Date.now() + 60_000);
const RUNNER = "00000000-0000-4000-8000-00000000aaaa";

beforeAll(async () => {
  await t.db.pool.query("INSERT INTO runners (id, name) VALUES ($1, 'outbox-runner')", [RUNNER]);
  // Only namespaces with a webhook are recorded.
  await t.db.pool.query(
    "INSERT INTO webhooks (namespace, name, url, events, secret) VALUES ('ns', 'listener', 'http://127.0.0.1:9/', '{run.queued}', 'x')",
  );
});
beforeEach(async () => {
  await t.db.pool.query("DELETE FROM run_events");
});

async function queueRun(labels: Record<string, string> = {}, testId?: string, namespace = "ns") {
  const [run] = await createRunsRepository(t.db.pool).insertQueued([
    {
      namespace,
      testName: "checkout",
      ...(testId ? { testId } : {}),
      labels,
      runConfig: { image: "busybox", command: "true", args: [], env: {}, files: [] },
      trigger: "manual",
      retry: DEFAULT_RETRY,
    },
  ]);
  if (!run) throw new Error("no run queued");
  return run.id;
}

async function write(runId: string, state: RunState) {
  await withPgTransaction(t.db.pool, (client) => createRunsRepository(t.db.pool).writeState(runId, state, {}, client));
}

async function outbox() {
  const { rows } = await t.db.pool.query(
    "SELECT run_id, event, status, result, result_reason, attempt FROM run_events ORDER BY id",
  );
  return rows.map(
    (r) =>
      `${r.event} ${r.status} attempt=${r.attempt}${r.result ? ` ${r.result}` : ""}${r.result_reason ? ` (${r.result_reason})` : ""}`,
  );
}

describe("the runs outbox trigger", () => {
  it("records nothing for a namespace without webhooks", async () => {
    const runId = await queueRun({}, undefined, "quiet");
    await write(runId, { status: "ASSIGNED", attempt: 1, runnerId: RUNNER, leaseUntil: LEASE });
    await write(runId, { status: "RUNNING", attempt: 1, runnerId: RUNNER, leaseUntil: LEASE });
    expect(await outbox()).toEqual([]);
  });

  it("records every run of a bulk insert, in queue order, with one statement", async () => {
    const repo = createRunsRepository(t.db.pool);
    const base = {
      testName: "bulk",
      labels: {},
      runConfig: { image: "busybox", command: "true", args: [], env: {}, files: [] },
      trigger: "cron" as const,
      retry: DEFAULT_RETRY,
    };
    const runs = await repo.insertQueued([
      ...Array.from({ length: 50 }, () => ({ ...base, namespace: "ns" })),
      { ...base, namespace: "quiet" },
    ]);
    const { rows } = await t.db.pool.query("SELECT run_id FROM run_events ORDER BY id");
    const recorded = rows.map((r) => r.run_id);
    // Queue order is (scheduled_at, id); one insert shares scheduled_at, so by id.
    const queueOrder = runs
      .filter((r) => r.namespace === "ns")
      .map((r) => r.id)
      .sort();
    expect(recorded).toEqual(queueOrder);
    expect(await outbox()).toEqual(Array.from({ length: 50 }, () => "run.queued QUEUED attempt=0"));
  });

  it("records queued, started, finished and a retry's re-queue, and nothing for other changes", async () => {
    const runId = await queueRun();
    const held = { runnerId: RUNNER, leaseUntil: LEASE };
    await write(runId, { status: "ASSIGNED", attempt: 1, ...held });
    await write(runId, { status: "ASSIGNED", attempt: 1, ...held }); // a lease renewal: same status
    await write(runId, { status: "RUNNING", attempt: 1, ...held });
    await write(runId, { status: "QUEUED", attempt: 1, reason: "RETRY_AFTER_FAIL" });
    await write(runId, { status: "ASSIGNED", attempt: 2, ...held });
    await write(runId, { status: "RUNNING", attempt: 2, ...held });
    await write(runId, { status: "CANCELLING", attempt: 2, ...held });
    await write(runId, { status: "FINISHED", attempt: 2, result: "CANCELLED", reason: "USER" });
    expect(await outbox()).toEqual([
      "run.queued QUEUED attempt=0",
      "run.started RUNNING attempt=1",
      "run.queued QUEUED attempt=1 (RETRY_AFTER_FAIL)",
      "run.started RUNNING attempt=2",
      "run.finished FINISHED attempt=2 CANCELLED (USER)",
    ]);
  });

  it("sees runs written by any SQL, e.g. inserted already running or finished", async () => {
    await t.db.pool.query(
      `INSERT INTO runs (namespace, test_name, run_config, trigger, status, external)
       VALUES ('ns', 'ext', '{}', 'external', 'RUNNING', true)`,
    );
    await t.db.pool.query(
      `INSERT INTO runs (namespace, test_name, run_config, trigger, status, result)
       VALUES ('ns', 'done', '{}', 'external', 'FINISHED', 'PASS'), ('ns', 'held', '{}', 'manual', 'ASSIGNED', NULL)`,
    );
    expect(await outbox()).toEqual(["run.started RUNNING attempt=0", "run.finished FINISHED attempt=0 PASS"]);
  });

  it("records nothing when the transaction rolls back", async () => {
    const client = await t.db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        "INSERT INTO runs (namespace, test_name, run_config, trigger) VALUES ('ns', 'gone', '{}', 'manual')",
      );
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    expect(await countPendingRunEvents(t.db.pool)).toBe(0);
  });

  it("notifies the channel on commit", async () => {
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    try {
      const heard = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${RUN_EVENT_CHANNEL} notification within 5 s`)), 5_000);
        listener.on("notification", (msg) => {
          clearTimeout(timer);
          resolve(msg.channel);
        });
      });
      await listener.query(`LISTEN ${RUN_EVENT_CHANNEL}`);
      await queueRun();
      expect(await heard).toBe(RUN_EVENT_CHANNEL);
    } finally {
      await listener.end();
    }
  });
});

describe("fanOutRunEvents", () => {
  const WEBHOOK = "00000000-0000-4000-8000-000000000001";
  let TEST = "";

  beforeAll(async () => {
    const test = await t.db.prisma.test.create({
      data: { namespace: "ns", name: "checkout", runConfig: {}, retry: {} },
    });
    TEST = test.id;
  });

  beforeEach(async () => {
    await t.db.pool.query("DELETE FROM webhooks");
    await t.db.pool.query("DELETE FROM test_health");
    await t.db.pool.query(
      `INSERT INTO webhooks (id, namespace, name, url, events, test_selector, results, secret)
       VALUES ($1, 'ns', 'all', 'http://127.0.0.1:1/', '{run.finished}', 'tier=example', '{FAIL}', 'x'),
              (gen_random_uuid(), 'ns', 'off', 'http://127.0.0.1:1/', '{run.finished}', '', '{}', 'x')`,
      [WEBHOOK],
    );
    await t.db.pool.query("UPDATE webhooks SET enabled = false WHERE name = 'off'");
  });

  it("hands the planner events in id order with their runs, the enabled webhooks and stored health", async () => {
    const first = await queueRun({ tier: "example" }, TEST);
    await write(first, { status: "FINISHED", attempt: 0, result: "ERROR", reason: "NO_RUNNER" });
    await t.db.pool.query(
      "INSERT INTO test_health (test_id, labels_key, health, last_run_id) VALUES ($1, md5('{\"tier\": \"example\"}'), 'PASSING', $2)",
      [TEST, first],
    );
    let seen: OutboxBatch | undefined;
    const result = await fanOutRunEvents(t.db.pool, (batch) => {
      seen = batch;
      return { deliveries: [], health: [] };
    });
    expect(result).toEqual({ events: 2, deliveries: 0, more: false });
    expect(seen?.events.map((e) => [e.event, e.run?.status, e.run?.result, e.run?.testId])).toEqual([
      ["run.queued", "QUEUED", undefined, TEST],
      ["run.finished", "FINISHED", "ERROR", TEST],
    ]);
    expect(seen?.events[1]?.run).toMatchObject({ labels: { tier: "example" }, reason: "NO_RUNNER", trigger: "manual" });
    expect(seen?.webhooks).toEqual([
      { id: WEBHOOK, namespace: "ns", events: ["run.finished"], testSelector: "tier=example", results: ["FAIL"] },
    ]);
    expect([...(seen?.health.values() ?? [])]).toEqual(["PASSING"]);
    expect(await countPendingRunEvents(t.db.pool)).toBe(0);
  });

  it("writes planned deliveries in plan order and health, and deletes the rows it read", async () => {
    const runs = [await queueRun({}, TEST), await queueRun({}, TEST)];
    const plan = (batch: OutboxBatch): FanOutPlan => ({
      deliveries: batch.events.map((e, i) => ({
        webhookId: WEBHOOK,
        event: e.event,
        runId: e.run?.id ?? "",
        testId: TEST,
        payload: { n: i } as never,
      })),
      health: [{ testId: TEST, labelsKey: "k", health: "FAILING", runId: runs[1] ?? "" }],
    });
    expect(await fanOutRunEvents(t.db.pool, plan, 1)).toEqual({ events: 1, deliveries: 1, more: true });
    expect(await fanOutRunEvents(t.db.pool, plan, 10)).toEqual({ events: 1, deliveries: 1, more: false });
    expect(await fanOutRunEvents(t.db.pool, plan, 10)).toEqual({ events: 0, deliveries: 0, more: false });
    const { rows } = await t.db.pool.query(
      "SELECT run_id, state, payload, next_attempt_at IS NOT NULL AS due FROM webhook_deliveries ORDER BY seq",
    );
    expect(rows).toEqual([
      { run_id: runs[0], state: "pending", payload: { n: 0 }, due: true },
      { run_id: runs[1], state: "pending", payload: { n: 0 }, due: true },
    ]);
    const health = await t.db.pool.query("SELECT test_id, labels_key, health, last_run_id FROM test_health");
    expect(health.rows).toEqual([{ test_id: TEST, labels_key: "k", health: "FAILING", last_run_id: runs[1] }]);
  });

  it("keeps the rows when the pass fails, and lets one replica at a time fan out", async () => {
    await queueRun();
    await expect(
      fanOutRunEvents(t.db.pool, () => {
        throw new Error("planner broke");
      }),
    ).rejects.toThrow("planner broke");
    expect(await countPendingRunEvents(t.db.pool)).toBe(1);

    const holder = await t.db.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock(hashtextextended('tstr:webhook-fanout', 0))");
      expect(await fanOutRunEvents(t.db.pool, () => ({ deliveries: [], health: [] }))).toBeUndefined();
      await holder.query("COMMIT");
    } finally {
      holder.release();
    }
    expect(await fanOutRunEvents(t.db.pool, () => ({ deliveries: [], health: [] }))).toMatchObject({ events: 1 });
  });

  it("drops events of runs that no longer exist", async () => {
    const runId = await queueRun();
    await t.db.pool.query("DELETE FROM runs WHERE id = $1", [runId]);
    let seen: OutboxBatch | undefined;
    await fanOutRunEvents(t.db.pool, (batch) => {
      seen = batch;
      return { deliveries: [], health: [] };
    });
    expect(seen?.events.map((e) => e.event)).toEqual(["run.queued"]);
    expect(seen?.events[0]).not.toHaveProperty("run");
    expect(await countPendingRunEvents(t.db.pool)).toBe(0);
  });
});
