import { type Client, ConnectError } from "@connectrpc/connect";
import type { DataService, Run } from "@tstr/proto";
import { RunStatus } from "@tstr/proto";

/** Polls GetRun until `done` holds (default: finished) or the time is up. */
export async function waitForRun(
  data: Client<typeof DataService>,
  runId: string,
  done: (run: Run) => boolean = (run) => run.status === RunStatus.FINISHED,
  timeoutMs = 30_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  let last: Run | undefined;
  while (Date.now() < deadline) {
    last = (
      await data.getRun({ id: runId }).catch((e) => {
        if (ConnectError.from(e).code === 14) return { run: last };
        throw e;
      })
    ).run;
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `run ${runId} did not get there in ${timeoutMs} ms; last status ${last?.status}, result ${last?.result}`,
  );
}

/** The whole stored log of a run, as text per stream. */
export async function runLogText(data: Client<typeof DataService>, runId: string) {
  const out = { stdout: "", stderr: "", system: "" };
  let cursor = { attempt: 0, seq: 0n };
  for (;;) {
    const page = await data.getRunLogs({ runId, attempt: cursor.attempt, afterSeq: cursor.seq, limit: 1000 });
    for (const chunk of page.chunks) {
      const text = Buffer.from(chunk.data).toString();
      if (chunk.stream === 1) out.stdout += text;
      else if (chunk.stream === 2) out.stderr += text;
      else out.system += text;
      cursor = { attempt: chunk.attempt, seq: chunk.seq };
    }
    if (!page.more) return out;
  }
}
