import os from "node:os";
import type { CliIo } from "@tstr/cli";

/** The real process streams and environment, for runCli. */
export function cliIo(): CliIo {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    homeDir: os.homedir(),
    stdinIsTTY: process.stdin.isTTY,
    stdoutBytes: (bytes) => process.stdout.write(bytes),
    stderrBytes: (bytes) => process.stderr.write(bytes),
    onInterrupt: (listener) => {
      process.once("SIGINT", listener);
      return () => process.off("SIGINT", listener);
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}
