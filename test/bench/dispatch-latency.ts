import { Run_Result } from "@tstr/proto";
import pg from "pg";
import { startBenchPlane, withBenchPostgres } from "./bench-env.js";
import { type BenchRunner, registerBenchRunners, registerBenchTest } from "./bench-runners.js";
import { type Distribution, distributionOf, fmt, printTable, sleep } from "./bench-table.js";

const WARMUP = 30;
const COUNT = 300;
const RUNNERS = 4;
/** An arrival slower than this counts as missed (and is left out of the percentiles). */
const ARRIVAL_TIMEOUT_MS = 5_000;
/** Each half of the benchmark stops early past this, whatever the count. */
const PHASE_BUDGET_MS = 50_000;
const TARGET_P99_MS = 50;

/** When something keyed by an id arrived, plus whatever came with it. */
interface Arrival {
  at: number;
  runner?: string;
  /** The FinishRun that makes the runner idle again; resolves to an error message or undefined. */
  finished?: Promise<string | undefined>;
}

interface Sampled {
  samples: number[];
  missed: number;
}

/**
 * Queued→assigned latency with idle runners: ScheduleRun of one run until its assignment arrives on
 * one of 4 open ReceiveWork streams (gRPC over h2c), against a bare PostgreSQL NOTIFY→LISTEN round
 * trip on the same database, the mechanism that wakes the dispatchers.
 */
export async function dispatchLatencyBench(): Promise<void> {
  await withBenchPostgres(async (postgres) => {
    const url = await postgres.migratedDatabase();
    const baseline = await notifyRoundTrips(url);
    const { sampled, responses, perRunner } = await pushedDispatch(url);
    const base = distributionOf(baseline.samples);
    const tstr = distributionOf(sampled.samples);
    const scheduleCall = distributionOf(responses);
    const row = (name: string, d: Distribution, missed: number) => [
      name,
      String(d.count),
      String(missed),
      ...[d.p50, d.p90, d.p99, d.max].map((v) => fmt(v, 2)),
      fmt(d.p99 / base.p99, 1),
    ];
    printTable(
      `Dispatch latency: queued→assigned, ${RUNNERS} idle runners (capacity 1) on ReceiveWork over gRPC h2c; ` +
        `${COUNT} samples after ${WARMUP} warm-up, one run at a time`,
      [
        { title: "name", width: 52, left: true },
        { title: "n", width: 5 },
        { title: "missed", width: 6 },
        { title: "p50 ms", width: 8 },
        { title: "p90 ms", width: 8 },
        { title: "p99 ms", width: 8 },
        { title: "max ms", width: 8 },
        { title: "x base p99", width: 10 },
      ],
      [
        row("baseline: pg NOTIFY → LISTEN client (same database)", base, baseline.missed),
        row("tstr: ScheduleRun → assignment on a ReceiveWork", tstr, sampled.missed),
        row("  (part) ScheduleRun call → its response", scheduleCall, 0),
      ],
    );
    console.log(`  assignments per runner: ${[...perRunner.entries()].map(([n, c]) => `${n}=${c}`).join(", ")}`);
    console.log(
      `  ratio p99 / baseline p99 = ${fmt(tstr.p99 / base.p99, 1)}; target p99 < ${TARGET_P99_MS} ms: ` +
        `${tstr.p99 < TARGET_P99_MS && sampled.missed === 0 ? "MET" : "NOT MET"} (p99 ${fmt(tstr.p99, 2)} ms)`,
    );
  });
}

/** A dedicated client LISTENs, another sends NOTIFY; time from sending until the listener has it. */
async function notifyRoundTrips(url: string): Promise<Sampled> {
  const listener = new pg.Client({ connectionString: url });
  const sender = new pg.Client({ connectionString: url });
  await Promise.all([listener.connect(), sender.connect()]);
  try {
    await listener.query("LISTEN tstr_bench_latency");
    const arrivals = createArrivals();
    listener.on("notification", (n) => arrivals.arrived(n.payload ?? "", { at: performance.now() }));
    return await sampleLatencies(async (i) => {
      const start = performance.now();
      const sent = sender.query("SELECT pg_notify('tstr_bench_latency', $1)", [String(i)]);
      const arrival = await arrivals.waitFor(String(i), ARRIVAL_TIMEOUT_MS);
      await sent;
      return arrival ? arrival.at - start : undefined;
    });
  } finally {
    await Promise.all([listener.end(), sender.end()]);
  }
}

/** Runners hold ReceiveWork open; each iteration schedules one run and waits for its assignment. */
async function pushedDispatch(url: string) {
  const bench = await startBenchPlane(url);
  const stop = new AbortController();
  try {
    const control = await registerBenchTest(bench.plane.url, bench.adminToken, "latency");
    const runners = await registerBenchRunners(bench.plane.url, bench.adminToken, RUNNERS, {
      prefix: "latency",
      capacity: 1,
    });
    const arrivals = createArrivals();
    const perRunner = new Map(runners.map((r) => [r.name, 0]));
    const streams = runners.map((runner) =>
      consumeAssignments(runner, stop.signal, (runId, arrival) => {
        perRunner.set(runner.name, (perRunner.get(runner.name) ?? 0) + 1);
        arrivals.arrived(runId, arrival);
      }),
    );
    await sleep(500);
    let finishErrors = 0;
    const responses: number[] = [];
    const sampled = await sampleLatencies(async (i) => {
      const start = performance.now();
      const { runs } = await control.scheduleRun({ testName: "latency" });
      if (i >= WARMUP) responses.push(performance.now() - start);
      const arrival = await arrivals.waitFor(runs[0]?.id ?? "", ARRIVAL_TIMEOUT_MS);
      if (await arrival?.finished) finishErrors++;
      return arrival ? arrival.at - start : undefined;
    });
    stop.abort();
    const streamErrors = (await Promise.all(streams)).filter((e) => e !== undefined);
    if (finishErrors || streamErrors.length) {
      console.log(`  warning: ${finishErrors} FinishRun errors; stream errors: ${streamErrors.join("; ") || "none"}`);
    }
    return { sampled, responses, perRunner };
  } finally {
    stop.abort();
    await bench.stop();
  }
}

/** Reads one runner's work stream; every assignment is reported and finished (PASS) at once. */
async function consumeAssignments(
  runner: BenchRunner,
  signal: AbortSignal,
  onAssignment: (runId: string, arrival: Arrival) => void,
): Promise<string | undefined> {
  try {
    for await (const res of runner.api.receiveWork({ runnerId: runner.id }, { signal })) {
      if (res.event.case !== "assignment") continue;
      const at = performance.now();
      const runId = res.event.value.run?.id ?? "";
      const finished = runner.api.finishRun({ runId, attempt: res.event.value.attempt, result: Run_Result.PASS }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      onAssignment(runId, { at, runner: runner.name, finished });
    }
    return undefined;
  } catch (error) {
    return signal.aborted ? undefined : `${runner.name}: ${(error as Error).message}`;
  }
}

/** Matches arrivals to waiters by id, whichever comes first. */
function createArrivals() {
  const early = new Map<string, Arrival>();
  const waiting = new Map<string, (arrival: Arrival) => void>();
  return {
    arrived(id: string, arrival: Arrival) {
      const wake = waiting.get(id);
      if (wake) wake(arrival);
      else early.set(id, arrival);
    },
    waitFor(id: string, timeoutMs: number): Promise<Arrival | undefined> {
      const arrival = early.get(id);
      if (arrival) {
        early.delete(id);
        return Promise.resolve(arrival);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve(undefined);
        }, timeoutMs);
        waiting.set(id, (a) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(a);
        });
      });
    },
  };
}

/** Runs `once` WARMUP + COUNT times in sequence (within the phase budget); undefined = missed. */
async function sampleLatencies(once: (i: number) => Promise<number | undefined>): Promise<Sampled> {
  const samples: number[] = [];
  let missed = 0;
  const deadline = performance.now() + PHASE_BUDGET_MS;
  for (let i = 0; i < WARMUP + COUNT && performance.now() < deadline; i++) {
    const latency = await once(i);
    if (i < WARMUP) continue;
    if (latency === undefined) missed++;
    else samples.push(latency);
  }
  return { samples, missed };
}
