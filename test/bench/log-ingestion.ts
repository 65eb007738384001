import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createRunLogsRepository, createRunsRepository, type NewRun, type RunLogsRepository } from "@tstr/db";
import { type Assignment, LogChunkSchema, LogStream } from "@tstr/proto";
import pg from "pg";
import { startBenchPlane, withBenchPostgres } from "./bench-env.js";
import { type BenchRunner, registerBenchRunners, registerBenchTest } from "./bench-runners.js";
import { fmt, printTable } from "./bench-table.js";
import { copyLogChunks } from "./copy-log-chunks.js";
import { type IngestResult, type LogWorkload, logPayloads, payloadFor } from "./log-workload.js";

const WORKLOAD: LogWorkload = {
  senders: 8,
  chunksPerSender: 200,
  linesPerChunk: 500,
  lineBytes: 100,
  budgetMs: 40_000,
};
const TARGET_RATIO = 0.3;
const GIB = 1024 ** 3;

/**
 * Log ingestion: lines/s through AppendLogs (one chunk per call, 8 runs sending concurrently over
 * gRPC) against raw COPY of the same chunks and bytes into the same table, for other runs.
 */
export async function logIngestionBench(): Promise<void> {
  await withBenchPostgres(async (postgres) => {
    const url = await postgres.migratedDatabase();
    const payloads = logPayloads(WORKLOAD);
    const bench = await startBenchPlane(url, { logCapBytes: GIB });
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    admin.on("error", () => undefined);
    try {
      // Sender runs first: runs queued before them would be the ones the runners are given.
      const held = await startedRuns(bench.plane.url, bench.adminToken);
      const otherRuns = async () =>
        (await createRunsRepository(admin).insertQueued(Array.from({ length: WORKLOAD.senders }, otherRun))).map(
          (r) => r.id,
        );
      const copyRuns = await otherRuns();
      const directRuns = await otherRuns();
      await admin.query("CHECKPOINT");
      const copy = await copyLogChunks(url, copyRuns, WORKLOAD, payloads);
      await admin.query("CHECKPOINT");
      const direct = await appendThroughRepository(createRunLogsRepository(bench.db.pool), directRuns, payloads);
      await admin.query("CHECKPOINT");
      const append = await appendLogs(held, payloads);
      const stored = await admin.query(
        "SELECT count(*) AS n, sum(octet_length(data)) AS b FROM run_log_chunks WHERE run_id = ANY($1::uuid[])",
        [held.map((h) => h.runId)],
      );
      printResults(copy, direct, append, { chunks: Number(stored.rows[0].n), bytes: Number(stored.rows[0].b) });
    } finally {
      await admin.end();
      await bench.stop();
    }
  });
}

const otherRun = (): NewRun => ({
  namespace: "default",
  testName: "not-via-the-api",
  labels: {},
  runConfig: { image: "busybox", command: "true", args: [], env: {}, files: [] },
  trigger: "manual",
  retry: { maxAttempts: 1, on: [], backoffMs: 0 },
});

interface HeldRun {
  runner: BenchRunner;
  runId: string;
  attempt: number;
}

/** One run per sender, scheduled, assigned (AcquireWork) and started through the API. */
async function startedRuns(url: string, adminToken: string): Promise<HeldRun[]> {
  const control = await registerBenchTest(url, adminToken, "logs");
  const runners = await registerBenchRunners(url, adminToken, WORKLOAD.senders, { prefix: "logs", capacity: 1 });
  for (let i = 0; i < WORKLOAD.senders; i++) await control.scheduleRun({ testName: "logs" });
  return Promise.all(
    runners.map(async (runner) => {
      // A claim racing another one may find every queued run locked by it and come back empty.
      let a: Assignment | undefined;
      for (let tries = 0; !a?.run && tries < 10; tries++) {
        a = (await runner.api.acquireWork({ runnerId: runner.id, freeSlots: 1, wait: { seconds: 2n } })).assignments[0];
      }
      if (!a?.run) throw new Error(`${runner.name} got no run to send logs for`);
      await runner.api.startRun({ runId: a.run.id, attempt: a.attempt });
      return { runner, runId: a.run.id, attempt: a.attempt };
    }),
  );
}

/** Every sender sends its chunks in order, one AppendLogs call each, all senders at once. */
async function appendLogs(held: HeldRun[], payloads: Buffer[]): Promise<IngestResult> {
  let chunks = 0;
  let bytes = 0;
  const start = performance.now();
  const deadline = start + WORKLOAD.budgetMs;
  await Promise.all(
    held.map(async ({ runner, runId, attempt }, sender) => {
      for (let seq = 1; seq <= WORKLOAD.chunksPerSender && performance.now() < deadline; seq++) {
        const data = payloadFor(payloads, sender, seq);
        const chunk = create(LogChunkSchema, {
          runId,
          attempt,
          seq: BigInt(seq),
          stream: LogStream.STDOUT,
          time: timestampFromDate(new Date()),
          data,
        });
        const res = await runner.api.appendLogs({ chunks: [chunk] });
        if (res.stored !== 1 || res.truncated)
          throw new Error(
            `chunk ${seq} of ${runId} not stored whole: ${JSON.stringify({ stored: res.stored, truncated: res.truncated })}`,
          );
        chunks++;
        bytes += data.length;
      }
    }),
  );
  return { chunks, bytes, seconds: (performance.now() - start) / 1000 };
}

/**
 * The server's own storage path without the RPC: RunLogsRepository.append on the server's pool,
 * one chunk per call, so the table can tell the database path from the RPC and auth overhead.
 */
async function appendThroughRepository(
  logs: RunLogsRepository,
  runIds: string[],
  payloads: Buffer[],
): Promise<IngestResult> {
  let chunks = 0;
  let bytes = 0;
  const start = performance.now();
  const deadline = start + WORKLOAD.budgetMs;
  await Promise.all(
    runIds.map(async (runId, sender) => {
      for (let seq = 1; seq <= WORKLOAD.chunksPerSender && performance.now() < deadline; seq++) {
        const data = payloadFor(payloads, sender, seq);
        await logs.append(runId, [{ runId, attempt: 1, seq, stream: "stdout", time: new Date(), data }], GIB);
        chunks++;
        bytes += data.length;
      }
    }),
  );
  return { chunks, bytes, seconds: (performance.now() - start) / 1000 };
}

function printResults(
  copy: IngestResult,
  direct: IngestResult,
  append: IngestResult,
  stored: { chunks: number; bytes: number },
): void {
  const lines = (r: IngestResult) => r.chunks * WORKLOAD.linesPerChunk;
  const linesPerSecond = (r: IngestResult) => lines(r) / r.seconds;
  const ratio = linesPerSecond(append) / linesPerSecond(copy);
  const row = (name: string, r: IngestResult) => [
    name,
    fmt(r.chunks),
    fmt(lines(r)),
    fmt(r.bytes / 1e6, 1),
    fmt(r.seconds, 2),
    fmt(linesPerSecond(r)),
    fmt(r.bytes / 1e6 / r.seconds, 1),
    fmt(linesPerSecond(r) / linesPerSecond(copy), 2),
  ];
  const w = WORKLOAD;
  printTable(
    `Log ingestion: ${w.senders} concurrent senders × ${w.chunksPerSender} chunks × ${w.linesPerChunk} lines × ` +
      `${w.lineBytes} bytes (${fmt((w.senders * w.chunksPerSender * w.linesPerChunk * w.lineBytes) / 1e6)} MB, ` +
      `budget ${w.budgetMs / 1000} s each) into run_log_chunks`,
    [
      { title: "name", width: 62, left: true },
      { title: "chunks", width: 6 },
      { title: "lines", width: 9 },
      { title: "MB", width: 6 },
      { title: "seconds", width: 7 },
      { title: "lines/s", width: 9 },
      { title: "MB/s", width: 6 },
      { title: "x baseline", width: 10 },
    ],
    [
      row("baseline: COPY FROM STDIN, text, bytea \\x hex, 1 per sender", copy),
      row("tstr: AppendLogs, 1 chunk per call, gRPC, log cap 1 GiB", append),
      row("  (part) RunLogsRepository.append, 1 chunk per call, no RPC", direct),
    ],
  );
  console.log(
    `  stored by AppendLogs (SQL): ${fmt(stored.chunks)} chunks, ${fmt(stored.bytes / 1e6, 1)} MB; ` +
      "order: COPY, repository, AppendLogs, with a CHECKPOINT before each; same database and table",
  );
  console.log(
    `  ratio AppendLogs / COPY (lines/s) = ${fmt(ratio, 2)}; target >= ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? "MET" : "NOT MET"}`,
  );
}
