import { Code, ConnectError } from "@connectrpc/connect";
import { Run_Result } from "@tstr/proto";
import { describe, expect, it } from "vitest";
import { issueToken } from "./support/clients.js";
import {
  activeAt,
  admin,
  control,
  data,
  failure,
  register,
  sleep,
  startRunner,
  url,
  useExecutionPlanes,
} from "./support/execution-planes.js";

// The factor rule of external executions against two real control-plane replicas: refusals that
// name what runs at the location, tstr's own factored runs counted, capacity freed on complete
// and cancel, and concurrent registrations (also racing runner claims) that never over-admit.

useExecutionPlanes();

describe("capacity factors of external executions", () => {
  it("refuses an execution that does not fit, naming what runs there, and frees capacity on complete and cancel", async () => {
    const limited = (await issueToken(url(), admin, ["control:write", "data:read"], ["cap"])).token;
    const first = (await register("cap", { test: "perf-a", location: "lab-x", factor: 0.5 })).run;
    await register("cap-other", { test: "secret-test", location: "lab-x", factor: 0.3 });
    const full = await failure(register("cap", { test: "perf-b", location: "lab-x", factor: 0.4 }, { token: limited }));
    expect(full.code).toBe(Code.ResourceExhausted);
    expect(full.rawMessage).toMatch(
      /^location "lab-x" is full: 0\.8 of 1 in use by #1 perf-a \(0\.5, external, since \d\d:\d\dZ\), a run of another namespace \(0\.3, since \d\d:\d\dZ\); this execution needs 0\.4$/,
    );
    // A token that sees both namespaces is told the other one's test too.
    const named = await failure(register("cap", { test: "perf-b", location: "lab-x", factor: 0.4 }));
    expect(named.rawMessage).toContain("#1 cap-other/secret-test (0.3, external");
    expect((await data().queryRuns({ namespace: "cap" })).runs).toHaveLength(1);

    await control().completeExecution({ namespace: "cap", runId: first?.id ?? "", result: Run_Result.PASS });
    const admitted = (await register("cap", { test: "perf-b", location: "lab-x", factor: 0.4 }, { token: limited }))
      .run;
    expect(admitted?.runNumber).toBe(2n);
    expect(await activeAt("lab-x")).toEqual({ runs: 2, used: 0.7 });
    await failure(register("cap", { location: "lab-x", factor: 0.5 }));
    await control().cancelExecution({ namespace: "cap", runId: admitted?.id ?? "", reason: "job aborted" });
    const cancelled = await data().getRun({ namespace: "cap", id: admitted?.id ?? "" });
    expect(cancelled.run).toMatchObject({ result: Run_Result.CANCELLED, resultReason: "job aborted" });
    await register("cap", { location: "lab-x", factor: 0.5 });
  });

  it("counts tstr's own factored runs at the location, and wakes a waiting runner when an execution ends", async () => {
    await control().registerTest({
      name: "soak",
      namespace: "mix",
      labels: { case: "mix" },
      runConfig: { containerImage: "busybox", command: "true" },
      resources: { factor: 0.6 },
    });
    await control().registerTest({
      name: "heavy",
      namespace: "mix",
      labels: { case: "mix" },
      runConfig: { containerImage: "busybox", command: "true" },
      resources: { factor: 0.7 },
    });
    const runner = await startRunner("mix-runner", "lab-mix", "mix");
    const soak = (await control().scheduleRun({ namespace: "mix", testName: "soak" })).runs[0];
    const work = await runner.api.acquireWork({ runnerId: runner.id, freeSlots: 3, wait: { seconds: 2n } });
    expect(work.assignments.map((a) => a.run?.id)).toEqual([soak?.id]);
    await runner.api.startRun({ runId: soak?.id ?? "", attempt: 1 });

    const full = await failure(register("mix", { test: "ext", location: "lab-mix", factor: 0.5 }));
    expect(full.rawMessage).toMatch(
      new RegExp(
        `is full: 0\\.6 of 1 in use by soak \\(0\\.6, run ${soak?.id.slice(0, 8)}, since .+\\); this execution needs 0\\.5$`,
      ),
    );
    const ext = (await register("mix", { test: "ext", location: "lab-mix", factor: 0.4 })).run;
    await runner.api.finishRun({ runId: soak?.id ?? "", attempt: 1, result: Run_Result.PASS });

    // 0.4 (external) + 0.7 does not fit: the heavy run waits for the execution to end.
    const heavy = (await control().scheduleRun({ namespace: "mix", testName: "heavy" })).runs[0];
    const none = await runner.api.acquireWork({
      runnerId: runner.id,
      freeSlots: 3,
      wait: { seconds: 0n, nanos: 300_000_000 },
    });
    expect(none.assignments).toEqual([]);
    const waiting = runner.api.acquireWork({ runnerId: runner.id, freeSlots: 3, wait: { seconds: 8n } });
    await sleep(300);
    const completedAt = Date.now();
    await control().completeExecution({ namespace: "mix", runId: ext?.id ?? "", result: Run_Result.PASS });
    const woken = await waiting;
    expect(woken.assignments.map((a) => a.run?.id)).toEqual([heavy?.id]);
    expect(Date.now() - completedAt, "the waiting runner was woken, not left to its 8 s poll").toBeLessThan(5_000);
  });
});

describe("concurrent registrations", () => {
  // How these were shown to fail without the location lock: with the pg_advisory_xact_lock line
  // of admit() (packages/db/src/executions-repo.ts) removed, three runs admitted 7, 11 and 11 of the
  // 20 registrations in the first round (each transaction summed the location before the others'
  // inserts committed), and the mixed test ended with 9 or 10 runs holding a location that fits 3
  // (some claimed by runners, the rest registered). With the lock: exactly 3, every round.
  it("admits exactly as many as fit when 20 arrive at once on two replicas, round after round", async () => {
    for (let round = 0; round < 4; round++) {
      const location = `lab-race-${round}`;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          register(`race-${i % 3}`, { test: `t${i}`, location, factor: 0.3 }, { replica: i % 2 }),
        ),
      );
      const admitted = outcomes.filter((o) => o.status === "fulfilled");
      const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [ConnectError.from(o.reason)] : []));
      expect(admitted, `round ${round}`).toHaveLength(3);
      expect(
        refused.every((e) => e.code === Code.ResourceExhausted && e.rawMessage.includes(`"${location}" is full`)),
      ).toBe(true);
      expect(await activeAt(location)).toEqual({ runs: 3, used: 0.3 * 3 });
    }
  }, 20_000);

  it("never over-admits when external registrations race tstr runners claiming factored runs", async () => {
    for (let round = 0; round < 3; round++) {
      const location = `lab-mixed-${round}`;
      const namespace = `mixed-${round}`;
      await control().registerTest({
        name: "load",
        namespace,
        labels: { case: `mixed-${round}` },
        runConfig: { containerImage: "busybox", command: "true" },
        resources: { factor: 0.3 },
      });
      for (let i = 0; i < 6; i++) await control().scheduleRun({ namespace, testName: "load" });
      const runners = await Promise.all(
        [0, 1, 2].map((i) => startRunner(`mixed-${round}-${i}`, location, `mixed-${round}`, i % 2)),
      );
      const claims = runners.map((r) => r.api.acquireWork({ runnerId: r.id, freeSlots: 3, wait: { seconds: 0n } }));
      const registrations = Array.from({ length: 10 }, (_, i) =>
        register(namespace, { test: `ext-${i}`, location, factor: 0.3 }, { replica: i % 2 }),
      );
      const [claimed, registered] = await Promise.all([Promise.all(claims), Promise.allSettled(registrations)]);
      const assigned = claimed.flatMap((c) => c.assignments).length;
      const admitted = registered.filter((o) => o.status === "fulfilled").length;
      expect(assigned + admitted, `round ${round}: ${assigned} claimed, ${admitted} registered`).toBe(3);
      const active = await activeAt(location);
      expect(active.runs).toBe(3);
      expect(active.used).toBeLessThanOrEqual(1 + 1e-9);
    }
  }, 20_000);
});
