import { type LogChunk, LogStream } from "@tstr/proto";
import type { CliIo } from "../cli-io.js";

/** Prints log chunks of one run to the terminal. */
export interface LogSink {
  write(chunk: LogChunk): void;
  /** Prints a line of tstrctl's own to stderr, starting a new line if output left one open. */
  note(line: string): void;
  /** Flushes a character split at the very end of the output. */
  finish(): void;
}

const NEWLINE = 0x0a;
const SYSTEM_PREFIX = "tstr: ";

/**
 * Writes a run's stdout chunks to stdout and its stderr chunks to stderr byte for byte, so
 * `tstrctl … > out.txt` captures exactly what the workload printed. System chunks (tstr's own
 * notes, already "tstr: …" lines) go to stderr on a line of their own, and a new attempt is
 * announced there too.
 */
export function createLogSink(io: CliIo): LogSink {
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  /** Whether the last byte printed (on either stream) ended a line; notes start on a fresh one. */
  let atLineStart = true;
  let attempt: number | undefined;

  const emit = (target: "stdout" | "stderr", bytes: Uint8Array) => {
    if (bytes.length === 0) return;
    const raw = target === "stdout" ? io.stdoutBytes : io.stderrBytes;
    if (raw) raw.call(io, bytes);
    else io[target](decoders[target].decode(bytes, { stream: true }));
    atLineStart = bytes[bytes.length - 1] === NEWLINE;
  };
  const note = (line: string) => {
    const text = `${atLineStart ? "" : "\n"}${line}`;
    if (text === "") return;
    if (io.stderrBytes) io.stderrBytes(new TextEncoder().encode(text));
    else io.stderr(text);
    atLineStart = true;
  };

  return {
    write(chunk) {
      if (attempt !== undefined && chunk.attempt !== attempt)
        note(`${SYSTEM_PREFIX}--- attempt ${chunk.attempt} ---\n`);
      attempt = chunk.attempt;
      if (chunk.stream === LogStream.STDERR) emit("stderr", chunk.data);
      else if (chunk.stream === LogStream.SYSTEM) note(systemText(chunk.data));
      else emit("stdout", chunk.data);
    },
    note,
    finish() {
      for (const target of ["stdout", "stderr"] as const) {
        const rest = decoders[target].decode();
        if (rest) io[target](rest);
      }
    },
  };
}

/** The lines of a system chunk, each marked as tstr's (the runner already does) and ended. */
function systemText(data: Uint8Array): string {
  const text = new TextDecoder().decode(data).replace(/^\n+/, "");
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  return (
    lines.map((line) => (line === "" || line.startsWith(SYSTEM_PREFIX) ? line : SYSTEM_PREFIX + line)).join("\n") + "\n"
  );
}
