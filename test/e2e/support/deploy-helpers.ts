// Shared helpers of the deploy/ tests: typed access to parsed YAML, the environment names the tstr
// binary documents reading, and image pinning.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { runCli } from "@tstr/cli";
import { SERVE_USAGE } from "../../../apps/tstr/src/config.js";
import { RUNNER_USAGE } from "../../../apps/tstr/src/runner-config.js";

export const ROOT = path.resolve(import.meta.dirname, "../../..");
export const MAIN = path.join(ROOT, "apps/tstr/src/main.ts");
export const run = promisify(execFile);

export type Obj = Record<string, unknown>;
export const obj = (value: unknown): Obj =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {};
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
export const strings = (value: unknown): string[] => list(value).map(String);
export const read = (file: string) => readFile(path.join(ROOT, file), "utf8");

/** Environment variable names a usage text documents: "(env A" and "(env A or B", possibly wrapped. */
export function envNamesIn(usage: string): Set<string> {
  const names = new Set<string>();
  for (const match of usage.matchAll(/\benv\s+([A-Z][A-Z0-9_]+(?:\s+or\s+[A-Z][A-Z0-9_]+)*)/g)) {
    for (const name of match[1]?.split(/\s+or\s+/) ?? []) names.add(name);
  }
  return names;
}
/** What each tstr command documents reading, from its own --help text. */
export const ENV_READ_BY: Record<string, Set<string>> = {
  serve: envNamesIn(SERVE_USAGE),
  runner: envNamesIn(RUNNER_USAGE),
};
/** Adds what tstrctl documents reading (from its --help) to ENV_READ_BY; call in beforeAll. */
export async function loadCtlEnvNames(): Promise<void> {
  let help = "";
  const io = { stdout: (s: string) => (help += s), stderr: () => {}, env: {}, cwd: ROOT, homeDir: os.tmpdir() };
  await runCli(["--help"], io);
  ENV_READ_BY.ctl = envNamesIn(help);
}

/** The exit code of `node -e SCRIPT`. */
export const nodeExitCode = (script: string) =>
  run(process.execPath, ["-e", script]).then(
    () => 0,
    (error: { code?: number }) => error.code ?? -1,
  );

/** True when `name:tag` (or `@digest`) names a fixed version. */
export function pinned(image: string): boolean {
  if (image.includes("@sha256:")) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== "latest" && !tag.includes("$");
}
