import type { ExecutionHandle, OutputChunk } from "../executor.js";

/** What a contract test saw on a workload's output. */
export interface CollectedOutput {
  readonly chunks: OutputChunk[];
  stdout(): string;
  stderr(): string;
  /** Resolves once `text` has appeared on stdout (e.g. "ready" after a trap is installed). */
  waitForStdout(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves when the output iterable has ended. */
  readonly ended: Promise<void>;
}

/** Starts reading a handle's output in the background, decoding each stream separately. */
export function collectOutput(handle: ExecutionHandle): CollectedOutput {
  const chunks: OutputChunk[] = [];
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  const text = { stdout: "", stderr: "" };
  const watchers = new Set<() => void>();

  const ended = (async () => {
    for await (const chunk of handle.output()) {
      chunks.push(chunk);
      text[chunk.stream] += decoders[chunk.stream].decode(chunk.data, { stream: true });
      for (const watcher of watchers) watcher();
    }
    for (const watcher of watchers) watcher();
  })();

  return {
    chunks,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    ended,
    waitForStdout(needle, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`"${needle}" did not appear on stdout within ${timeoutMs} ms: ${text.stdout}`));
        }, timeoutMs);
        function check() {
          if (!text.stdout.includes(needle)) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        }
        watchers.add(check);
        check();
      });
    },
  };
}

/** Splits collected text into lines, without the empty string after the final newline. */
export function linesOf(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
