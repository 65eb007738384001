import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { ControlService, DataService, RetryPolicy_On, Run_Result, RunnerService, RunStatus } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";

// A test's retry policy: which outcomes are retried, how many attempts, and the backoff before a
// retried run can be taken again. Driven through the runner API as a runner would.

const database = useTestDatabase();
let plane: ControlPlane;
let admin: string;
let runner: { id: string; api: ReturnType<typeof runnerClient> };

const control = () => clientOf(ControlService, transportFor(plane.url, { token: admin }));
const data = () => clientOf(DataService, transportFor(plane.url, { token: admin }));
const runnerClient = (token: string) => clientOf(RunnerService, transportFor(plane.url, { token }));

beforeAll(async () => {
  plane = await startControlPlane(
    { db: database.db, logger: silentLogger },
    { host: "127.0.0.1", port: 0, cron: false },
  );
  admin = plane.bootstrapToken ?? "";
  const registration = (await issueToken(plane.url, admin, ["runner"], [".*"])).token;
  const reg = await runnerClient(registration).registerRunner({ name: "retrier", capacity: 1 });
  runner = { id: reg.runner?.id ?? "", api: runnerClient(reg.runnerToken) };
});
afterAll(() => plane?.stop());

async function take(waitMs: number) {
  const work = await runner.api.acquireWork({
    runnerId: runner.id,
    freeSlots: 1,
    wait: { seconds: BigInt(Math.floor(waitMs / 1000)), nanos: (waitMs % 1000) * 1_000_000 },
  });
  return work.assignments[0];
}

/**
 * Starts an attempt and reports it failed. Returns the time (epoch ms) just before the failure was
 * sent: the control plane runs in this process and PostgreSQL on this host, so it is on their clock
 * and no later than the moment the server released the run and started its backoff.
 */
async function fail(runId: string, attempt: number, result = Run_Result.FAIL): Promise<number> {
  await runner.api.startRun({ runId, attempt });
  const reportedAt = Date.now();
  await runner.api.finishRun({ runId, attempt, result, exitCode: 1 });
  return reportedAt;
}

/**
 * Takes the given attempt of a run, polling until it is offered or `withinMs` have passed. A long
 * poll claims when it begins (and on news), not when a backoff ends, so short polls make the
 * claim follow the end of the backoff closely: a backoff shorter than the policy's shows.
 */
async function takeAttempt(runId: string, attempt: number, withinMs: number) {
  const deadline = Date.now() + withinMs;
  let work = await take(100);
  while (!work && Date.now() < deadline) work = await take(100);
  expect(work?.run?.id).toBe(runId);
  expect(work?.attempt).toBe(attempt);
}

const BACKOFF_MS = 1000;
const epochMs = (t: { seconds: bigint; nanos: number } | undefined) =>
  t ? Number(t.seconds) * 1000 + t.nanos / 1e6 : Number.NaN;

describe("retry policy", () => {
  it("retries a failing test after its backoff, up to max attempts, keeping every attempt", async () => {
    await control().registerTest({
      name: "flaky",
      runConfig: { containerImage: "busybox", command: "false" },
      retry: { maxAttempts: 3, on: [RetryPolicy_On.FAIL], backoff: { seconds: 1n, nanos: 0 } },
    });
    const [run] = (await control().scheduleRun({ testName: "flaky" })).runs;
    const runId = run?.id ?? "";

    const first = await take(1000);
    expect(first?.run?.id).toBe(runId);
    const firstFailedAt = await fail(runId, 1);
    const requeued = (await data().getRun({ id: runId })).run;
    expect(requeued?.status).toBe(RunStatus.QUEUED);
    expect(requeued?.resultReason).toBe("RETRY_AFTER_FAIL");

    // Claimable again after the backoff (when each attempt was assigned is checked below, from
    // the server's own timestamps, so a slow call here cannot make the check pass or fail).
    await takeAttempt(runId, 2, 6000);
    const secondFailedAt = await fail(runId, 2);
    await takeAttempt(runId, 3, 6000);
    await fail(runId, 3);

    const final = (await data().getRun({ id: runId })).run;
    expect(final?.status).toBe(RunStatus.FINISHED);
    expect(final?.result).toBe(Run_Result.FAIL);
    expect(final?.attempt).toBe(3);
    expect(final?.attempts.map((a) => a.result)).toEqual([Run_Result.FAIL, Run_Result.FAIL, Run_Result.FAIL]);
    expect(final?.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);

    // Not claimable during the backoff: each retry was assigned (the claim's time in PostgreSQL) at
    // least the backoff after its failure was reported. Exact, with no allowance for slow calls:
    // the server can only have started the backoff after the report was sent.
    const [a1, a2, a3] = final?.attempts ?? [];
    expect(epochMs(a2?.assignedAt) - firstFailedAt, "attempt 2 assigned after the backoff").toBeGreaterThanOrEqual(
      BACKOFF_MS,
    );
    expect(epochMs(a3?.assignedAt) - secondFailedAt, "attempt 3 assigned after the backoff").toBeGreaterThanOrEqual(
      BACKOFF_MS,
    );
    expect(epochMs(a1?.finishedAt)).toBeGreaterThanOrEqual(firstFailedAt);
    expect(epochMs(a2?.assignedAt)).toBeGreaterThan(epochMs(a1?.finishedAt));
    expect(epochMs(a2?.finishedAt)).toBeGreaterThanOrEqual(secondFailedAt);
    expect(epochMs(a3?.assignedAt)).toBeGreaterThan(epochMs(a2?.finishedAt));
  }, 20_000);

  it("does not retry outcomes the policy does not list", async () => {
    await control().registerTest({
      name: "errors-once",
      runConfig: { containerImage: "busybox", command: "false" },
      retry: { maxAttempts: 3, on: [RetryPolicy_On.FAIL] },
    });
    const [run] = (await control().scheduleRun({ testName: "errors-once" })).runs;
    const assignment = await take(1000);
    expect(assignment?.run?.id).toBe(run?.id);
    await fail(run?.id ?? "", 1, Run_Result.ERROR);
    const final = (await data().getRun({ id: run?.id ?? "" })).run;
    expect(final?.status).toBe(RunStatus.FINISHED);
    expect(final?.result).toBe(Run_Result.ERROR);
    expect(final?.attempt).toBe(1);
  });
});
