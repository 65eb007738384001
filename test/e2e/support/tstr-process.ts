import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const MAIN = path.join(ROOT, "apps/tstr/src/main.ts");

/** A real `tstr` process started from the workspace sources, with its output captured. */
export interface TstrProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Sends SIGTERM and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `tstr <args>` (through tsx) with extra environment. */
export function spawnTstr(args: string[], env: Record<string, string> = {}): TstrProcess {
  return spawnProcess(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, env });
}

/** Spawns any command with its output captured. */
export function spawnProcess(
  command: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string> },
): TstrProcess {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs `tstr <args>` to completion. */
export async function runTstr(args: string[], env: Record<string, string> = {}) {
  const proc = spawnTstr(args, env);
  const code = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** Waits until `probe` returns a value, or fails with the process output after `timeoutMs`. */
export async function waitFor<T>(proc: TstrProcess, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    if (proc.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tstr did not get ready:\n--- stdout\n${proc.stdout()}\n--- stderr\n${proc.stderr()}`);
}

/** Starts `tstr serve` on a free port and waits for its "serving" log line. */
export async function startServeProcess(databaseUrl: string, extraArgs: string[] = []) {
  const proc = spawnTstr(["serve", "--listen", "127.0.0.1:0", ...extraArgs], { DATABASE_URL: databaseUrl });
  const url = await waitFor(proc, () => {
    for (const line of proc.stderr().split("\n")) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === "serving") return entry.url;
    }
    return undefined;
  });
  const token = /^\s+(ey[\w-]+\.[\w-]+\.[\w-]+)\s*$/m.exec(proc.stderr())?.[1];
  return { proc, url: url as string, bootstrapToken: token };
}

/** Starts `tstr runner` against a server and waits until it is receiving work. */
export async function startRunnerProcess(server: string, token: string, args: string[]) {
  const proc = spawnTstr(["runner", "--server", server, "--token", token, "--log-level", "info", ...args]);
  await waitFor(proc, () => (/"msg":"running"/.test(proc.stderr()) ? true : undefined));
  return proc;
}

/** A loopback port that was free a moment ago (for processes that must come back on the same port). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}
