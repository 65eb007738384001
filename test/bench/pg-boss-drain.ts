import pg from "pg";
import PgBoss from "pg-boss";
import { sleep } from "./bench-table.js";
import { createDrainClock, type DrainPlan, type DrainResult } from "./drain-clock.js";

const QUEUE = "bench-drain";

/**
 * The baseline claim: pg-boss 11 on an empty database. Jobs are inserted and the database analyzed
 * first (neither timed); then `workers` loops each fetch one job (one UPDATE … FOR UPDATE SKIP
 * LOCKED statement) and complete it, until no job is left.
 */
export async function drainWithPgBoss(url: string, plan: DrainPlan): Promise<DrainResult> {
  const boss = new PgBoss({ connectionString: url, max: plan.poolMax, schedule: false });
  let errors = 0;
  let emptyClaims = 0;
  boss.on("error", () => errors++);
  const counter = new pg.Pool({ connectionString: url, max: 2 });
  // An idle connection dropped by the server is replaced by the pool; it says nothing about the drain.
  counter.on("error", () => undefined);
  const count = async (states: string[]) =>
    Number(
      (
        await counter.query("SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND state::text = ANY($2)", [
          QUEUE,
          states,
        ])
      ).rows[0].n,
    );
  await boss.start();
  try {
    await boss.createQueue(QUEUE);
    for (let done = 0; done < plan.jobs; done += plan.insertBatch) {
      const size = Math.min(plan.insertBatch, plan.jobs - done);
      await boss.insert(
        QUEUE,
        Array.from({ length: size }, (_, i) => ({ name: QUEUE, data: { n: done + i } })),
      );
    }
    await counter.query("ANALYZE");
    const clock = createDrainClock(plan);
    const worker = async () => {
      while (!clock.over) {
        try {
          const jobs = await boss.fetch(QUEUE, { batchSize: 1 });
          if (jobs.length === 0) {
            emptyClaims++;
            // fetch() answers [] on its own errors too, so only SQL may say the queue is empty.
            if ((await count(["created", "retry"])) === 0) return;
            await sleep(5);
            continue;
          }
          for (const job of jobs) {
            await boss.complete(QUEUE, job.id);
            clock.completed();
          }
        } catch {
          errors++;
          await sleep(20);
        }
      }
    };
    await Promise.all(Array.from({ length: plan.workers }, worker));
    return {
      completed: await count(["completed"]),
      seconds: clock.seconds(),
      errors,
      emptyClaims,
      completionTimes: clock.completionTimes,
    };
  } finally {
    await boss.stop({ graceful: false, wait: true });
    await counter.end();
  }
}
