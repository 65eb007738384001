/** What a drain benchmark is asked to do; the same for tstr and the pg-boss baseline. */
export interface DrainPlan {
  jobs: number;
  insertBatch: number;
  workers: number;
  poolMax: number;
  /** The timed drain stops here even if jobs are left (a guard for slow or shared machines). */
  budgetMs: number;
}

/** How a drain went. */
export interface DrainResult {
  /** Completed jobs as counted by SQL afterwards. */
  completed: number;
  seconds: number;
  errors: number;
  /** Claims that came back with nothing (pg-boss: fetch() of []; tstr: AcquireWork after its wait). */
  emptyClaims: number;
  /** ms from the start at which the 1st, 2nd, … completion was acknowledged to a worker. */
  completionTimes: number[];
}

/** Counts completions against the start of a timed drain and its budget. */
export function createDrainClock(plan: DrainPlan) {
  const start = performance.now();
  const completionTimes: number[] = [];
  let stopped = false;
  return {
    completionTimes,
    /** Records one completion; true once every job is done. */
    completed(): boolean {
      completionTimes.push(performance.now() - start);
      return completionTimes.length >= plan.jobs;
    },
    stop() {
      stopped = true;
    },
    /** Whether workers should stop: everything done, told to stop, or the budget spent. */
    get over(): boolean {
      return stopped || completionTimes.length >= plan.jobs || performance.now() - start > plan.budgetMs;
    },
    /** Seconds to the last completion (or the budget, when the drain was cut short by it). */
    seconds(): number {
      const last = completionTimes.at(-1) ?? 0;
      return (stopped || completionTimes.length >= plan.jobs ? last : Math.max(last, plan.budgetMs)) / 1000;
    },
  };
}

/** Completions per second over the first `count` completions (same backlog depth on both sides). */
export function rateOverFirst(result: DrainResult, count: number): number {
  const at = result.completionTimes[count - 1];
  return at ? (count / at) * 1000 : 0;
}
