/**
 * Everything the CLI touches outside itself, so `runCli` runs the same in the binary and in tests.
 * `readStdin` (optional) enables `-f -`; `stdinIsTTY` stops it from waiting on a terminal.
 */
export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  homeDir: string;
  stdinIsTTY?: boolean;
  readStdin?: () => Promise<string>;
}
