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

async function fail(runId: string, attempt: number, result = Run_Result.FAIL) {
  await runner.api.startRun({ runId, attempt });
  await runner.api.finishRun({ runId, attempt, result, exitCode: 1 });
}

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
    await fail(runId, 1);
    const requeued = (await data().getRun({ id: runId })).run;
    expect(requeued?.status).toBe(RunStatus.QUEUED);
    expect(requeued?.resultReason).toBe("RETRY_AFTER_FAIL");

    // Not claimable during the backoff...
    const releasedAt = Date.now();
    expect(await take(300)).toBeUndefined();
    // ...and claimable after it.
    let second = await take(3000);
    while (!second && Date.now() - releasedAt < 5000) second = await take(1000);
    expect(second?.attempt).toBe(2);
    expect(Date.now() - releasedAt).toBeGreaterThanOrEqual(900);
    await fail(runId, 2);

    let third = await take(3000);
    while (!third && Date.now() - releasedAt < 8000) third = await take(1000);
    expect(third?.attempt).toBe(3);
    await fail(runId, 3);

    const final = (await data().getRun({ id: runId })).run;
    expect(final?.status).toBe(RunStatus.FINISHED);
    expect(final?.result).toBe(Run_Result.FAIL);
    expect(final?.attempt).toBe(3);
    expect(final?.attempts.map((a) => a.result)).toEqual([Run_Result.FAIL, Run_Result.FAIL, Run_Result.FAIL]);
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
