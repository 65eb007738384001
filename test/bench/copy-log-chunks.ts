import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { type IngestResult, type LogWorkload, payloadFor } from "./log-workload.js";

/**
 * The baseline: each sender on its own connection runs one `COPY run_log_chunks … FROM STDIN`
 * (text format, bytea as `\\x` hex) with all of its chunks, for its own run, concurrently.
 */
export async function copyLogChunks(
  url: string,
  runIds: string[],
  workload: LogWorkload,
  payloads: Buffer[],
): Promise<IngestResult> {
  const clients = runIds.map(() => new pg.Client({ connectionString: url }));
  await Promise.all(clients.map((c) => c.connect()));
  let chunks = 0;
  let bytes = 0;
  const start = performance.now();
  const deadline = start + workload.budgetMs;
  try {
    async function* rows(sender: number, runId: string) {
      for (let seq = 1; seq <= workload.chunksPerSender && performance.now() < deadline; seq++) {
        const data = payloadFor(payloads, sender, seq);
        chunks++;
        bytes += data.length;
        yield `${runId}\t1\t${seq}\tstdout\t${new Date().toISOString()}\t\\\\x${data.toString("hex")}\n`;
      }
    }
    await Promise.all(
      clients.map((client, sender) =>
        pipeline(
          Readable.from(rows(sender, runIds[sender] ?? "")),
          client.query(copyFrom("COPY run_log_chunks (run_id, attempt, seq, stream, ts, data) FROM STDIN")),
        ),
      ),
    );
    return { chunks, bytes, seconds: (performance.now() - start) / 1000 };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
