import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, describe, expect, it } from "vitest";
import { postConnect } from "./support/raw-http.js";
import { spawnProcess, waitFor } from "./support/tstr-process.js";

// `pnpm build` output: one file that runs with plain node, from a folder with no node_modules.

const run = promisify(execFile);
const BUILD = path.resolve(import.meta.dirname, "../../apps/tstr/build.mjs");
const database = useTestDatabase();
let dir = "";
let stop: (() => Promise<unknown>) | undefined;

afterAll(async () => {
  await stop?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the single-file build", () => {
  it("serves, migrates and answers RPCs with nothing but the bundle on disk", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "tstr-bundle-"));
    const bundle = path.join(dir, "tstr.mjs");
    await run(process.execPath, [BUILD, bundle]);
    const migrate = await run(process.execPath, [bundle, "migrate"], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: database.url },
    });
    expect(migrate.stdout).toMatch(/applied|up to date/);

    const proc = spawnProcess(process.execPath, [bundle, "serve", "--listen", "127.0.0.1:0"], {
      cwd: dir,
      env: { DATABASE_URL: database.url },
    });
    stop = proc.stop;
    const url = await waitFor(proc, () => /"msg":"serving".*?"url":"([^"]+)"/.exec(proc.stderr())?.[1]);
    const token = /^\s+(ey[\w-]+\.[\w-]+\.[\w-]+)\s*$/m.exec(proc.stderr())?.[1] ?? "";
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const identity = await postConnect(url, "tstr.identity.v1.IdentityService/Identity", "{}", {
      authorization: `Bearer ${token}`,
    });
    expect(identity.body).toMatchObject({ accessToken: { name: "bootstrap-admin" } });
    expect(await proc.stop()).toBe(0);
  }, 120_000);
});
