import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ControlService, DataService, IdentityService, Run_Result } from "@tstr/proto";
import { afterAll, describe, expect, it } from "vitest";
import { clientOf, transportFor } from "./support/clients.js";
import { waitForRun } from "./support/runs.js";
import { spawnTstr, type TstrProcess, waitFor } from "./support/tstr-process.js";

// The README's first command: `tstr dev` brings up an embedded PostgreSQL and the server, prints a
// URL and an admin token, and a second start reuses the data (same token, same tests).

let dataDir = "";
let current: TstrProcess | undefined;

afterAll(async () => {
  await current?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startDev(pgPort: number) {
  current = spawnTstr([
    "dev",
    "--data-dir",
    dataDir,
    "--pg-port",
    String(pgPort),
    "--listen",
    "127.0.0.1:0",
    "--runner-executor",
    "process",
  ]);
  const proc = current;
  return waitFor(
    proc,
    () => {
      const url = /URL\s+(http:\/\/\S+)/.exec(proc.stdout())?.[1];
      const token = /Admin token\s+(\S+)/.exec(proc.stdout())?.[1];
      return url && token ? { url, token } : undefined;
    },
    120_000,
  );
}

describe("tstr dev", () => {
  it("starts from nothing, prints URL and token, and keeps data across restarts", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "tstr-dev-"));
    const pgPort = await freePort();
    const first = await startDev(pgPort);
    const identity = await clientOf(IdentityService, transportFor(first.url, { token: first.token })).identity({});
    expect(identity.accessToken?.scopeNames).toEqual(["admin"]);
    const control = clientOf(ControlService, transportFor(first.url, { token: first.token }));
    await control.registerTest({
      name: "kept",
      runConfig: { containerImage: "busybox", command: "echo", args: ["hi from dev"] },
    });
    // The local runner is there and runs it.
    const { runs } = await control.scheduleRun({ testName: "kept" });
    const run = await waitForRun(
      clientOf(DataService, transportFor(first.url, { token: first.token })),
      runs[0]?.id ?? "",
    );
    expect(run.result).toBe(Run_Result.PASS);
    expect(await current?.stop("SIGINT")).toBe(0);

    const second = await startDev(pgPort);
    expect(second.token).toBe(first.token);
    const tests = await clientOf(DataService, transportFor(second.url, { token: second.token })).queryTests({});
    expect(tests.tests.map((t) => t.name)).toEqual(["kept"]);
    expect(await current?.stop("SIGINT")).toBe(0);
  }, 240_000);
});
