import { randomBytes } from "node:crypto";

/** The shape of a log ingestion workload: senders × chunks × lines × bytes per line. */
export interface LogWorkload {
  senders: number;
  chunksPerSender: number;
  linesPerChunk: number;
  /** Including the trailing newline. */
  lineBytes: number;
  /** Each side stops sending here even if chunks are left. */
  budgetMs: number;
}

/** What one side managed to store. */
export interface IngestResult {
  chunks: number;
  bytes: number;
  seconds: number;
}

const DISTINCT_CHUNKS = 16;

/**
 * Chunk payloads: `linesPerChunk` lines of `lineBytes` printable bytes (a line number, then
 * base64 of random bytes, so PostgreSQL's TOAST compression gains little, as with real output).
 * A few distinct payloads are reused; both sides send exactly the same bytes.
 */
export function logPayloads(workload: LogWorkload): Buffer[] {
  return Array.from({ length: DISTINCT_CHUNKS }, (_, c) => {
    const lines: string[] = [];
    for (let i = 0; i < workload.linesPerChunk; i++) {
      const prefix = `${String(c).padStart(2, "0")}:${String(i).padStart(6, "0")} `;
      const filler = randomBytes(workload.lineBytes).toString("base64");
      lines.push(`${prefix}${filler}`.slice(0, workload.lineBytes - 1));
    }
    return Buffer.from(`${lines.join("\n")}\n`);
  });
}

/** Payload of a sender's chunk `seq` (1-based). */
export const payloadFor = (payloads: Buffer[], sender: number, seq: number): Buffer =>
  payloads[(sender * 7 + seq) % payloads.length] as Buffer;
