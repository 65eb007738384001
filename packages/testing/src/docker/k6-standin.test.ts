import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { K6_FIXTURES_DIR, writeK6Standin } from "./k6-standin-image.js";

// The stand-in's script on the host's /bin/sh (the image runs the same script on busybox).

let dir = "";
let k6 = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tstr-k6-standin-"));
  k6 = await writeK6Standin(dir);
  await writeFile(join(dir, "smoke.js"), "export default function () {}\n");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const SUMMARY = "habiba2811_k6-practice-app_groups_thresholds.json";
const FAILED = "sweet-poision_rate-limiter_heavy_custom-rates_threshold-failed.json";
const NDJSON = "kirilly_k6-load-template_k6-results.ndjson";

async function standin(args: string[], env: Record<string, string>) {
  const out = { summary: join(dir, `${crypto.randomUUID()}.json`), ndjson: join(dir, `${crypto.randomUUID()}.ndjson`) };
  const outputs = ["--summary-export", out.summary, "--out", `json=${out.ndjson}`];
  const run = await promisify(execFile)(k6, [...args, ...outputs], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", K6_STANDIN_FIXTURES: K6_FIXTURES_DIR, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  const read = (path: string) => readFile(path, "utf8").catch(() => undefined);
  return { ...run, summary: await read(out.summary), ndjson: await read(out.ndjson) };
}

const fixture = (kind: string, name: string) => readFile(join(K6_FIXTURES_DIR, kind, name), "utf8");

describe("k6 stand-in script", () => {
  it("copies the chosen fixtures to where k6 writes its outputs and exits as told", async () => {
    const run = await standin(["run", "smoke.js", "--vus", "2"], {
      K6_STANDIN_SUMMARY: FAILED,
      K6_STANDIN_EXIT: "99",
      K6_STANDIN_PRINT_ENV: "BASE_URL",
      BASE_URL: "http://target",
    });
    expect(run.code).toBe(99);
    expect(run.summary).toBe(await fixture("summary-export", FAILED));
    expect(run.ndjson).toBeUndefined();
    expect(run.stdout).toContain("script: smoke.js (30 bytes)");
    expect(run.stdout).toContain("options: --vus 2");
    expect(run.stdout).toContain("env: BASE_URL=http://target");
    expect(run.stderr).toContain("thresholds on metrics have been crossed");
  });

  it("picks per-shard fixtures and exit codes by the shard's execution segment", async () => {
    const env = { K6_STANDIN_SUMMARY: SUMMARY, K6_STANDIN_NDJSON_2: NDJSON, K6_STANDIN_EXIT_2: "99" };
    const shard = (segment: string) =>
      standin(["run", "smoke.js", "--execution-segment", segment, "--execution-segment-sequence", "0,1/3,2/3,1"], env);
    const [first, last] = await Promise.all([shard("0:1/3"), shard("2/3:1")]);
    expect([first.code, last.code]).toEqual([0, 99]);
    expect(first.ndjson).toBeUndefined();
    expect(last.ndjson).toBe(await fixture("ndjson", NDJSON));
    expect(first.summary).toBe(last.summary);
    expect(last.stdout).toContain("segment: 2/3:1 of 0,1/3,2/3,1 (shard 2)");
  });

  it.each([
    [
      "a fixture that does not exist",
      ["run", "smoke.js"],
      { K6_STANDIN_NDJSON: "nope.ndjson" },
      /no fixture named nope\.ndjson/,
    ],
    ["a script that is not there", ["run", "missing.js"], {}, /script missing\.js not found/],
    ["another k6 command", ["version"], {}, /only 'k6 run' is supported/],
  ])("exits 2 on %s", async (_, args, env, message) => {
    const run = await standin(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
