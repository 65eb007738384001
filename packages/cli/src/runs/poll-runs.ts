import type { Client } from "@connectrpc/connect";
import { type DataService, type Run, RunStatus } from "@tstr/proto";
import { isTransientCallError } from "../client/describe-error.js";
import { sleep } from "./sleep.js";

const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 2_000;
const GIVE_UP_AFTER_MS = 60_000;
const MAX_PAGE_SIZE = 1_000;

/** Polls GetRun until the run has finished; undefined when the signal aborts first. */
export async function pollUntilFinished(
  data: Client<typeof DataService>,
  id: string,
  signal: AbortSignal,
): Promise<Run | undefined> {
  let result: Run | undefined;
  await pollLoop(signal, async () => {
    const { run } = await data.getRun({ id }, { signal });
    if (run?.status === RunStatus.FINISHED) result = run;
    return result !== undefined;
  });
  return result;
}

/** The latest state of several runs once all have finished, or when the wait was stopped. */
export interface RunsWaitResult {
  runs: Run[];
  /** True when the signal aborted before every run finished. */
  stopped: boolean;
}

/**
 * Polls QueryRuns (one call for all unfinished runs, by id) until every run has finished, calling
 * `onFinished` once per run as it does. Runs keep their order.
 */
export async function pollUntilAllFinished(
  data: Client<typeof DataService>,
  runs: readonly Run[],
  options: { signal: AbortSignal; onFinished(run: Run): void },
): Promise<RunsWaitResult> {
  const { signal } = options;
  const latest = new Map(runs.map((run) => [run.id, run]));
  const pending = new Set(runs.filter((run) => run.status !== RunStatus.FINISHED).map((run) => run.id));
  await pollLoop(signal, async () => {
    for (const run of await queryRunsById(data, [...pending], signal)) {
      if (!pending.has(run.id)) continue;
      latest.set(run.id, run);
      if (run.status !== RunStatus.FINISHED) continue;
      pending.delete(run.id);
      options.onFinished(run);
    }
    return pending.size === 0;
  });
  return { runs: runs.map((run) => latest.get(run.id) ?? run), stopped: pending.size > 0 };
}

async function queryRunsById(data: Client<typeof DataService>, ids: string[], signal: AbortSignal): Promise<Run[]> {
  const found: Run[] = [];
  let pageToken = "";
  do {
    const response = await data.queryRuns(
      { ids, pageSize: Math.min(ids.length, MAX_PAGE_SIZE), pageToken },
      { signal },
    );
    found.push(...response.runs);
    if (response.nextPageToken === pageToken) break;
    pageToken = response.nextPageToken;
  } while (pageToken);
  return found;
}

/**
 * Calls `poll` until it returns true or the signal aborts, waiting longer between calls (up to 2 s)
 * as the wait goes on. Transient failures (a server restart) are retried for up to a minute.
 */
async function pollLoop(signal: AbortSignal, poll: () => Promise<boolean>): Promise<void> {
  let delay = FIRST_POLL_MS;
  let failingSince: number | undefined;
  while (!signal.aborted) {
    try {
      if (await poll()) return;
      failingSince = undefined;
    } catch (error) {
      if (signal.aborted) return;
      if (!isTransientCallError(error)) throw error;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > GIVE_UP_AFTER_MS) throw error;
    }
    await sleep(delay, signal);
    delay = Math.min(MAX_POLL_MS, delay * 2);
  }
}
