/**
 * Everything the CLI touches outside itself, so `runCli` runs the same in the binary and in tests.
 * `readStdin` (optional) enables `-f -`; `stdinIsTTY` stops it from waiting on a terminal.
 */
export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
  /**
   * Raw bytes to standard output and error, for run logs (which need not be UTF-8). Without them,
   * log bytes are decoded as UTF-8 (split characters are kept whole) and passed to stdout/stderr.
   */
  stdoutBytes?(bytes: Uint8Array): void;
  stderrBytes?(bytes: Uint8Array): void;
  /**
   * Subscribes to Ctrl-C (SIGINT) while a command waits on a run; returns the unsubscribe function.
   * Commands use it to stop waiting without cancelling the run. Without it, Ctrl-C just ends the
   * process (which does not cancel the run either, but prints no way to resume).
   */
  onInterrupt?(listener: () => void): () => void;
  env: Record<string, string | undefined>;
  cwd: string;
  homeDir: string;
  stdinIsTTY?: boolean;
  readStdin?: () => Promise<string>;
}
