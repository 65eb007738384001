import { createRunsRepository, type NewRun } from "@tstr/db";
import { Run_Result } from "@tstr/proto";
import pg from "pg";
import { startBenchPlane, withBenchPostgres } from "./bench-env.js";
import { type BenchRunner, registerBenchRunners } from "./bench-runners.js";
import { fmt, printTable, sleep } from "./bench-table.js";
import { createDrainClock, type DrainPlan, type DrainResult, rateOverFirst } from "./drain-clock.js";
import { drainWithPgBoss } from "./pg-boss-drain.js";

const PLAN: DrainPlan = { jobs: 10_000, insertBatch: 1_000, workers: 50, poolMax: 10, budgetMs: 40_000 };
const TARGET_RATIO = 0.5;

const benchRun = (): NewRun => ({
  namespace: "default",
  testName: "drain",
  labels: {},
  runConfig: { image: "busybox", command: "true", args: [], env: {}, files: [], timeoutMs: 60_000 },
  trigger: "manual",
  retry: { maxAttempts: 1, on: [], backoffMs: 0 },
});

/**
 * Dispatch throughput: 10,000 queued runs drained by 50 simulated runners over the real API
 * (AcquireWork then FinishRun), against the same claim-and-complete done by pg-boss 11, each on a
 * fresh database of the same PostgreSQL server, with the same pool size.
 */
export async function dispatchThroughputBench(): Promise<void> {
  await withBenchPostgres(async (postgres) => {
    const tstr = await drainWithTstr(await postgres.migratedDatabase());
    const boss = await drainWithPgBoss(await postgres.emptyDatabase(), PLAN);
    const common = Math.min(tstr.completionTimes.length, boss.completionTimes.length);
    const ratio = rateOverFirst(tstr, common) / rateOverFirst(boss, common);
    const row = (name: string, r: DrainResult) => [
      name,
      fmt(r.completed),
      fmt(r.seconds, 2),
      fmt(r.completed / r.seconds),
      fmt(rateOverFirst(r, common)),
      String(r.errors),
      fmt(r.emptyClaims),
    ];
    printTable(
      `Dispatch throughput: ${fmt(PLAN.jobs)} queued runs drained by ${PLAN.workers} concurrent workers, ` +
        `one claim + one completion per loop (budget ${PLAN.budgetMs / 1000} s each)`,
      [
        { title: "name", width: 66, left: true },
        { title: "done", width: 7 },
        { title: "seconds", width: 8 },
        { title: "per s", width: 7 },
        { title: `per s, first ${fmt(common)}`, width: 18 },
        { title: "errors", width: 6 },
        { title: "empty claims", width: 12 },
      ],
      [
        row("baseline: pg-boss 11.1.2 fetch(batchSize 1) + complete", boss),
        row("tstr: AcquireWork(free_slots 1, wait 1s) + FinishRun(PASS), gRPC", tstr),
      ],
    );
    console.log(
      `  pools: tstr server pg pool max ${PLAN.poolMax} (the default), pg-boss max ${PLAN.poolMax}; queueing and ` +
        "ANALYZE not timed; a fresh database each on the same server; server, simulated runners and pg-boss " +
        "share this Node.js process",
    );
    const over = common < PLAN.jobs ? ` (over the first ${fmt(common)} completions each: a drain hit its budget)` : "";
    console.log(
      `  ratio tstr / pg-boss = ${fmt(ratio, 2)}${over}; target >= ${TARGET_RATIO}: ` +
        `${ratio >= TARGET_RATIO ? "MET" : "NOT MET"}`,
    );
  });
}

/** Queues the runs (insertQueued, then ANALYZE as autovacuum soon would) and drains them until SQL counts all FINISHED. */
async function drainWithTstr(url: string): Promise<DrainResult> {
  const bench = await startBenchPlane(url);
  const counter = new pg.Pool({ connectionString: url, max: 1 });
  // An idle connection dropped by the server is replaced by the pool; it says nothing about dispatch.
  counter.on("error", () => undefined);
  const finishedBySql = async () =>
    Number((await counter.query("SELECT count(*) AS n FROM runs WHERE status = 'FINISHED'")).rows[0].n);
  try {
    const runners = await registerBenchRunners(bench.plane.url, bench.adminToken, PLAN.workers, {
      prefix: "drain",
      capacity: 1,
    });
    const repo = createRunsRepository(bench.db.pool);
    for (let done = 0; done < PLAN.jobs; done += PLAN.insertBatch) {
      await repo.insertQueued(Array.from({ length: Math.min(PLAN.insertBatch, PLAN.jobs - done) }, benchRun));
    }
    await counter.query("ANALYZE");
    const clock = createDrainClock(PLAN);
    let errors = 0;
    let emptyClaims = 0;
    const drain = async (runner: BenchRunner) => {
      while (!clock.over) {
        try {
          const work = await runner.api.acquireWork({ runnerId: runner.id, freeSlots: 1, wait: { seconds: 1n } });
          if (work.assignments.length === 0) emptyClaims++;
          for (const a of work.assignments) {
            await runner.api.finishRun({ runId: a.run?.id ?? "", attempt: a.attempt, result: Run_Result.PASS });
            clock.completed();
          }
        } catch {
          errors++;
          await sleep(20);
        }
      }
    };
    const watchSql = async () => {
      while (!clock.over) {
        await sleep(200);
        if ((await finishedBySql()) >= PLAN.jobs) clock.stop();
      }
    };
    await Promise.all([watchSql(), ...runners.map(drain)]);
    return {
      completed: await finishedBySql(),
      seconds: clock.seconds(),
      errors,
      emptyClaims,
      completionTimes: clock.completionTimes,
    };
  } finally {
    await counter.end();
    await bench.stop();
  }
}
