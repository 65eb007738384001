import { type CliIo, runCli } from "@tstr/cli";
import { type ControlPlane, type ControlPlaneOptions, silentLogger, startControlPlane } from "@tstr/control-plane";
import { ControlService, Run_Result, RunnerService, type WebhookDelivery, WebhookEvent } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { type Received, type Receiver, signatureValid, startReceiver } from "./support/webhook-receiver.js";

// Webhooks against a real control plane, PostgreSQL and node:http receivers on loopback: signed
// run events for runs driven by hand over the runner API, filters, health changes, a receiver that
// is down for a while (retried, none lost, order per test kept) and a control plane restarted
// while deliveries are pending. Short retry settings keep it fast.

const database = useTestDatabase();
const SECRET = "whsec-e2e-0123456789abcdef";
const OPTIONS: ControlPlaneOptions = {
  host: "127.0.0.1",
  port: 0,
  cron: false,
  drainDelayMs: 0,
  webhooks: { retryBaseMs: 50, retryCapMs: 300, pollMs: 50, attemptTimeoutMs: 2_000 },
};

let plane: ControlPlane;
let admin: string;
let runnerId: string;
let runnerToken: string;
let receiver: Receiver;
const received: Received[] = [];

const control = (namespace?: string) => clientOf(ControlService, transportFor(plane.url, { token: admin, namespace }));
const runnerApi = () => clientOf(RunnerService, transportFor(plane.url, { token: runnerToken }));

/** Polls `probe` until it returns something, failing with `what` after `timeoutMs`. */
async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const at = (path: string) => received.filter((r) => r.path === path);

/** Schedules a run of `testName` and drives it to `result` as a runner would; returns its id. */
async function runTo(testName: string, result: Run_Result): Promise<string> {
  const { runs } = await control().scheduleRun({ testName });
  const runId = runs[0]?.id ?? "";
  const work = await runnerApi().acquireWork({ runnerId, freeSlots: 1, wait: { seconds: 5n, nanos: 0 } });
  expect(work.assignments.map((a) => a.run?.id)).toEqual([runId]);
  await runnerApi().startRun({ runId, attempt: 1 });
  await runnerApi().finishRun({ runId, attempt: 1, result, exitCode: result === Run_Result.PASS ? 0 : 1 });
  return runId;
}

async function applyWebhook(
  name: string,
  fields: { events: WebhookEvent[]; selector?: string; results?: Run_Result[] },
) {
  const { webhook } = await control().applyWebhook({
    webhook: {
      name,
      url: receiver.url(`/hooks/${name}`),
      events: fields.events,
      testSelector: fields.selector ?? "",
      results: fields.results ?? [],
      secret: SECRET,
      enabled: true,
    },
  });
  return webhook?.id ?? "";
}

async function deliveriesOf(webhookId: string): Promise<WebhookDelivery[]> {
  return (await control().listWebhookDeliveries({ webhookId, limit: 100 })).deliveries;
}

async function ctl(...args: string[]) {
  const io = { out: "", err: "" };
  const cliIo: CliIo = {
    stdout: (s) => {
      io.out += s;
    },
    stderr: (s) => {
      io.err += s;
    },
    env: { TSTR_ADDR: plane.url, TSTR_TOKEN: admin, TSTR_NAMESPACE: "default", HOOK_SECRET: SECRET },
    cwd: process.cwd(),
    homeDir: "/nonexistent-tstr-home",
  };
  const code = await runCli(args, cliIo);
  return { code, ...io };
}

beforeAll(async () => {
  receiver = await startReceiver(received, SECRET);
  plane = await startControlPlane({ db: database.db, logger: silentLogger }, OPTIONS);
  admin = plane.bootstrapToken ?? "";
  const registration = (await issueToken(plane.url, admin, ["runner"])).token;
  const reg = await clientOf(RunnerService, transportFor(plane.url, { token: registration })).registerRunner({
    name: "hooked",
    capacity: 1,
  });
  runnerId = reg.runner?.id ?? "";
  runnerToken = reg.runnerToken;
  const runConfig = { containerImage: "busybox", command: "true" };
  for (const [name, tier] of [
    ["checkout", "example"],
    ["other", "none"],
    ["flappy", "health"],
    ["alpha", "downtime"],
    ["beta", "downtime"],
    ...Array.from({ length: 6 }, (_, i) => [`slow-${i}`, "slow"] as const),
  ] as const) {
    await control().registerTest({ name, labels: { tier }, runConfig });
  }
});
afterAll(async () => {
  await plane?.stop();
  await receiver?.close();
});

describe("webhook delivery", () => {
  it("sends signed run.queued, run.started and run.finished events, in order", async () => {
    await applyWebhook("lifecycle", {
      events: [WebhookEvent.RUN_QUEUED, WebhookEvent.RUN_STARTED, WebhookEvent.RUN_FINISHED],
      selector: "tier=example",
    });
    const runId = await runTo("checkout", Run_Result.PASS);
    const events = await eventually("three lifecycle events", () => {
      const mine = at("/hooks/lifecycle").filter((r) => r.payload.run.id === runId);
      return mine.length >= 3 ? mine : undefined;
    });
    expect(events.map((e) => [e.event, e.payload.event, e.payload.run.status])).toEqual([
      ["run.queued", "run.queued", "QUEUED"],
      ["run.started", "run.started", "RUNNING"],
      ["run.finished", "run.finished", "FINISHED"],
    ]);
    for (const event of events) {
      expect(event).toMatchObject({ verified: true, contentType: "application/json", userAgent: "tstr-webhooks" });
      expect(event.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    }
    const finished = events[2]?.payload;
    expect(Object.keys(finished)).toEqual(["id", "event", "occurredAt", "namespace", "test", "run"]);
    expect(finished).toMatchObject({
      namespace: "default",
      test: { name: "checkout", labels: { tier: "example" } },
      run: { id: runId, result: "PASS", attempt: 1, trigger: "manual", external: false },
    });
    expect(finished.test.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(finished.run.finishedAt)).toBeGreaterThanOrEqual(Date.parse(finished.run.startedAt));
    // A receiver holding another secret, or a body changed on the way, fails the check.
    const [first] = events;
    if (!first) throw new Error("no event");
    expect(signatureValid("whsec-not-the-secret!", first.timestamp, first.body, first.signature)).toBe(false);
    expect(signatureValid(SECRET, first.timestamp, first.body.replace("QUEUED", "PASS"), first.signature)).toBe(false);
  });

  it("sends only what the selector and results filters let through", async () => {
    const id = await applyWebhook("failures", {
      events: [WebhookEvent.RUN_FINISHED],
      selector: "tier=example",
      results: [Run_Result.FAIL],
    });
    await runTo("other", Run_Result.FAIL);
    await runTo("checkout", Run_Result.PASS);
    const failed = await runTo("checkout", Run_Result.FAIL);
    const [only] = await eventually("the failure", () =>
      at("/hooks/failures").length ? at("/hooks/failures") : undefined,
    );
    expect(only?.payload.run).toMatchObject({ id: failed, result: "FAIL" });
    // Fan-out keeps outbox order, so the earlier runs were judged before this delivery existed.
    expect((await deliveriesOf(id)).map((d) => d.runId)).toEqual([failed]);
  });

  it("keeps delivering to a prompt receiver while another webhook's receiver never answers", async () => {
    const { createServer } = await import("node:http");
    const silent = createServer(() => {}); // accepts every request and never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const events = [WebhookEvent.RUN_FINISHED];
      const stalled = await applyWebhook("stalled", { events, selector: "tier=slow" });
      await control().applyWebhook({
        webhook: { name: "stalled", url: `http://127.0.0.1:${port}/hook`, events, testSelector: "tier=slow" },
      });
      await applyWebhook("prompt", { events, selector: "tier=slow" });
      // Six tests: six deliveries per webhook that may go at once (order is kept per test).
      const finishedAt = new Map<string, number>();
      for (let i = 0; i < 6; i++) {
        const runId = await runTo(`slow-${i}`, Run_Result.PASS);
        finishedAt.set(runId, Date.now());
      }
      await eventually("six prompt deliveries", () => (at("/hooks/prompt").length === 6 ? true : undefined));
      // Attempts to the silent receiver time out after 2 s; the prompt ones must not wait for them.
      const delays = at("/hooks/prompt").map((r) => r.arrivedAt - (finishedAt.get(r.payload.run.id) ?? 0));
      expect(Math.max(...delays), `delays ${delays.join(", ")} ms`).toBeLessThan(1000);
      await control().deleteWebhook({ id: stalled });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("sends became_failing and became_passing once per change over PASS, FAIL, FAIL, PASS", async () => {
    const id = await applyWebhook("health", {
      events: [WebhookEvent.TEST_BECAME_FAILING, WebhookEvent.TEST_BECAME_PASSING],
      selector: "tier=health",
    });
    const runs = [];
    for (const result of [Run_Result.PASS, Run_Result.FAIL, Run_Result.FAIL, Run_Result.PASS]) {
      runs.push(await runTo("flappy", result));
    }
    const events = await eventually("two health changes", () =>
      at("/hooks/health").length >= 2 ? at("/hooks/health") : undefined,
    );
    expect(events.map((e) => [e.event, e.payload.run.id, e.payload.previousHealth, e.payload.health])).toEqual([
      ["test.became_failing", runs[1], "PASSING", "FAILING"],
      ["test.became_passing", runs[3], "FAILING", "PASSING"],
    ]);
    expect(events.every((e) => e.verified)).toBe(true);
    expect(await deliveriesOf(id)).toHaveLength(2);
  });

  it("retries while the receiver is down and delivers everything, in order per test, when it is back", async () => {
    const apply = await ctl(
      "webhook",
      "apply",
      "downtime",
      "--url",
      receiver.url("/hooks/downtime"),
      "--event",
      "run.finished",
      "--selector",
      "tier=downtime",
      "--secret-env",
      "HOOK_SECRET",
    );
    expect(apply, apply.err).toMatchObject({ code: 0, out: "webhook default/downtime applied\n" });
    const id = (await control().listWebhooks({})).webhooks.find((w) => w.name === "downtime")?.id ?? "";
    const port = receiver.port;
    await receiver.close();

    const order: Record<string, string[]> = { alpha: [], beta: [] };
    for (const [test, result] of [
      ["alpha", Run_Result.PASS],
      ["beta", Run_Result.FAIL],
      ["alpha", Run_Result.FAIL],
      ["beta", Run_Result.PASS],
      ["alpha", Run_Result.PASS],
      ["beta", Run_Result.ERROR],
    ] as const) {
      order[test]?.push(await runTo(test, result));
    }
    // Each test's first delivery is retried while the others wait behind it.
    await eventually("retries of both tests' first deliveries", async () => {
      const log = await deliveriesOf(id);
      return log.length === 6 && log.filter((d) => d.attempts >= 2).length >= 2 ? log : undefined;
    });
    expect((await deliveriesOf(id)).some((d) => d.delivered)).toBe(false);

    receiver = await startReceiver(received, SECRET, port);
    const all = await eventually("all six deliveries", () =>
      at("/hooks/downtime").length >= 6 ? at("/hooks/downtime") : undefined,
    );
    expect(all).toHaveLength(6);
    expect(new Set(all.map((r) => r.deliveryId)).size).toBe(6);
    expect(all.every((r) => r.verified)).toBe(true);
    for (const test of ["alpha", "beta"]) {
      expect(all.filter((r) => r.payload.test.name === test).map((r) => r.payload.run.id)).toEqual(order[test]);
    }
    const log = await eventually("every delivery recorded as delivered", async () => {
      const deliveries = await deliveriesOf(id);
      return deliveries.every((d) => d.delivered) ? deliveries : undefined;
    });
    expect(Math.max(...log.map((d) => d.attempts))).toBeGreaterThan(1);
    expect(log.every((d) => d.lastStatusCode === 204 && d.deliveredAt && !d.nextAttemptAt)).toBe(true);

    const table = await ctl("webhook", "deliveries", "downtime");
    expect(table.code, table.err).toBe(0);
    const [header, ...rows] = table.out.trimEnd().split("\n");
    expect(header).toMatch(/^CREATED +EVENT +TEST +RUN +ATTEMPTS +LAST RESULT +STATE$/);
    expect(rows).toHaveLength(6);
    expect(
      rows.every((row) => / run\.finished +(alpha|beta) +[0-9a-f-]{36} +\d+ +204 +delivered \S+Z$/.test(row)),
    ).toBe(true);
    const attempts = rows.map((row) => Number(/[0-9a-f-]{36} +(\d+) /.exec(row)?.[1]));
    expect(Math.max(...attempts)).toBeGreaterThan(1);
  }, 20_000);

  it("loses nothing pending when the control plane restarts", async () => {
    const id = (await control().listWebhooks({})).webhooks.find((w) => w.name === "downtime")?.id ?? "";
    const port = receiver.port;
    await receiver.close();
    const before = at("/hooks/downtime").length;
    const runs = [await runTo("alpha", Run_Result.FAIL), await runTo("beta", Run_Result.PASS)];
    await eventually("two pending deliveries tried at least once", async () => {
      const pending = (await deliveriesOf(id)).filter((d) => !d.delivered);
      return pending.length === 2 && pending.every((d) => d.attempts >= 1) ? pending : undefined;
    });
    await plane.stop();

    receiver = await startReceiver(received, SECRET, port);
    plane = await startControlPlane({ db: database.db, logger: silentLogger }, OPTIONS);
    const after = await eventually("the two deliveries after the restart", () =>
      at("/hooks/downtime").length >= before + 2 ? at("/hooks/downtime").slice(before) : undefined,
    );
    expect(after.map((r) => r.payload.run.id).sort()).toEqual([...runs].sort());
    expect(after.every((r) => r.verified)).toBe(true);
  }, 20_000);
});
