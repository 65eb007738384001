import { expect, it } from "vitest";
import { type ContractContext, within } from "./contract-subject.js";
import { linesOf } from "./output-collector.js";
import { workloadScripts } from "./workload-scripts.js";

/** Stopping, removing, failed and aborted starts, orphan cleanup and concurrent starts. */
export function describeLifecycleContract(context: ContractContext): void {
  it("stop(grace) sends SIGTERM first: a workload that traps it exits 0 within the grace", async () => {
    const run = await context.start(context.spec(workloadScripts.gracefulOnTerm));
    await run.output.waitForStdout("ready");
    const began = Date.now();
    await within(10_000, run.handle.stop(10_000), "stop");
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(await run.handle.wait()).toEqual({ exitCode: 0, stopped: true });
    await run.output.ended;
    expect(run.output.stdout()).toContain("terminating");
  });

  it("stop(grace) SIGKILLs a workload that ignores SIGTERM once the grace is over", async () => {
    const run = await context.start(context.spec(workloadScripts.ignoresTerm));
    await run.output.waitForStdout("ready");
    const began = Date.now();
    await within(10_000, run.handle.stop(1_000), "stop");
    const elapsed = Date.now() - began;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3_000);
    const exit = await run.handle.wait();
    expect(exit.stopped).toBe(true);
    expect(exit.exitCode).not.toBe(0);
  });

  it("stop after the workload ended changes nothing", async () => {
    const run = await context.start(context.spec("exit 0"));
    expect(await run.handle.wait()).toEqual({ exitCode: 0 });
    await within(3_000, run.handle.stop(1_000), "stop");
    expect(await run.handle.wait()).toEqual({ exitCode: 0 });
  });

  it("remove() is idempotent and leaves nothing behind", async () => {
    const run = await context.start(context.spec("echo done"));
    await run.handle.wait();
    await run.handle.remove();
    await run.handle.remove();
    expect(await context.leftovers(run.spec)).toEqual([]);
  });

  it("remove() ends a workload that is still running", async () => {
    const run = await context.start(context.spec(workloadScripts.sleepLong));
    await within(5_000, run.handle.remove(), "remove");
    await within(5_000, run.handle.wait(), "wait after remove");
    await within(5_000, run.output.ended, "output end after remove");
    expect(await context.leftovers(run.spec)).toEqual([]);
  });

  it("an aborted start rejects and leaves nothing behind", async () => {
    const spec = context.spec("exit 0");
    const start = context.subject().executor.start(spec, AbortSignal.abort());
    await expect(start).rejects.toThrow();
    expect(await context.leftovers(spec)).toEqual([]);
  });

  it("cleanupOrphans() reclaims what an earlier runner left and spares its own runs", async () => {
    const subject = context.subject();
    const earlier = await subject.earlierRunner();
    const orphanSpec = context.spec(workloadScripts.sleepLong);
    const orphan = await earlier.start(orphanSpec, new AbortController().signal);
    const own = await context.start(context.spec(workloadScripts.sleepLong));
    try {
      expect(await subject.executor.cleanupOrphans()).toBe(1);
      await within(10_000, orphan.wait(), "orphan to end");
      expect(await context.leftovers(orphanSpec)).toEqual([]);
      if (subject.leftovers) expect(await context.leftovers(own.spec)).not.toEqual([]);
      expect(await subject.executor.cleanupOrphans()).toBe(0);
    } finally {
      await orphan.remove();
      await own.handle.remove();
    }
  });

  it("five concurrent starts do not interfere", async () => {
    const runs = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => context.start(context.spec(`echo "run ${i}"; echo "err ${i}" >&2; exit ${i}`))),
    );
    const exits = await Promise.all(runs.map((run) => run.handle.wait()));
    expect(exits.map((exit) => exit.exitCode)).toEqual([1, 2, 3, 4, 5]);
    for (const [index, run] of runs.entries()) {
      await run.output.ended;
      if (context.subject().mergedStreams) {
        expect(linesOf(run.output.stdout()).sort()).toEqual([`err ${index + 1}`, `run ${index + 1}`]);
        continue;
      }
      expect(run.output.stdout()).toBe(`run ${index + 1}\n`);
      expect(run.output.stderr()).toBe(`err ${index + 1}\n`);
    }
    await Promise.all(runs.map((run) => run.handle.remove()));
    for (const run of runs) expect(await context.leftovers(run.spec)).toEqual([]);
  });
}
