import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { ConcurrencyPolicy, ControlService, DataService, Run_Result, RunnerService, RunStatus } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";

// Concurrency policies on runs a runner already holds: `replace` cancels a running run (which
// ends CANCELLED with reason REPLACED, whatever the runner reports), `forbid` refuses while one
// runs. Driven through the runner API as a runner would.

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
  const reg = await runnerClient(registration).registerRunner({ name: "holder", capacity: 4 });
  runner = { id: reg.runner?.id ?? "", api: runnerClient(reg.runnerToken) };
});
afterAll(() => plane?.stop());

async function startOne(testName: string) {
  const [run] = (await control().scheduleRun({ testName })).runs;
  const work = await runner.api.acquireWork({ runnerId: runner.id, freeSlots: 1, wait: { seconds: 2n, nanos: 0 } });
  const assignment = work.assignments.find((a) => a.run?.id === run?.id);
  expect(assignment).toBeDefined();
  await runner.api.startRun({ runId: run?.id ?? "", attempt: assignment?.attempt ?? 0 });
  return run?.id ?? "";
}

describe("concurrency policies on running runs", () => {
  it("replace: cancels the running run, which ends CANCELLED with reason REPLACED", async () => {
    await control().registerTest({
      name: "replaceable",
      runConfig: { containerImage: "busybox", command: "sleep" },
      concurrencyPolicy: ConcurrencyPolicy.REPLACE,
    });
    const first = await startOne("replaceable");
    const second = await control().scheduleRun({ testName: "replaceable" });
    expect(second.runs).toHaveLength(1);
    const cancelling = (await data().getRun({ id: first })).run;
    expect(cancelling?.status).toBe(RunStatus.CANCELLING);

    // The runner hears of the cancel with its reason, stops the workload and reports CANCELLED.
    const heartbeat = await runner.api.heartbeat({ runnerId: runner.id, runs: [{ runId: first, attempt: 1 }] });
    expect(heartbeat.cancellations.map((c) => [c.runId, c.reason])).toEqual([[first, "REPLACED"]]);
    await runner.api.finishRun({ runId: first, attempt: 1, result: Run_Result.CANCELLED, reason: "SIGTERM" });
    const ended = (await data().getRun({ id: first })).run;
    expect(ended?.result).toBe(Run_Result.CANCELLED);
    expect(ended?.resultReason).toBe("REPLACED");
    expect((await data().getRun({ id: second.runs[0]?.id ?? "" })).run?.status).toBe(RunStatus.QUEUED);
    await control().cancelRun({ runId: second.runs[0]?.id ?? "" });
  });

  it("forbid: refuses a new run while one is running, and allows it once it finished", async () => {
    await control().registerTest({
      name: "exclusive",
      runConfig: { containerImage: "busybox", command: "sleep" },
      concurrencyPolicy: ConcurrencyPolicy.FORBID,
    });
    const first = await startOne("exclusive");
    const refused = await control().scheduleRun({ testName: "exclusive" });
    expect(refused.runs).toHaveLength(0);
    expect(refused.skippedReason).toContain(first);
    await runner.api.finishRun({ runId: first, attempt: 1, result: Run_Result.PASS });
    const allowed = await control().scheduleRun({ testName: "exclusive" });
    expect(allowed.runs).toHaveLength(1);
    expect(allowed.skippedReason).toBe("");
  });
});
