import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";
import { createFakeRunsApi, fakeRunner } from "../test-support/fake-runs-api.js";

const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";
const at = (iso: string) => timestampFromDate(new Date(iso));

const fake = createFakeRunsApi();
let server: FakeApiServer;

beforeAll(async () => {
  server = await startFakeApiServer((router) => fake.routes(router));
  fake.runners.push(
    fakeRunner({
      id: B,
      name: "zeta",
      online: false,
      capacity: 1,
      version: "0.1.0",
      lastHeartbeatAt: at("2025-01-01T00:00:00Z"),
    }),
    fakeRunner({
      id: A,
      name: "alpha",
      online: true,
      capacity: 4,
      activeRunIds: ["r-1", "r-2"],
      labels: { location: "eu", arch: "amd64" },
      acceptSelectors: ["team=web,tier in (smoke,e2e)", "team=api"],
      rejectSelectors: ["flaky"],
      executors: ["docker", "process"],
      namespaceSelectors: ["team-.*"],
      version: "0.2.0",
      registeredAt: at("2024-12-31T00:00:00Z"),
      lastHeartbeatAt: at("2025-01-02T03:04:05Z"),
    }),
  );
});

afterAll(() => server.close());

async function cli(...args: string[]) {
  const io = captureIo({ env: { TSTR_ADDR: server.addr } });
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

describe("tstrctl runner list", () => {
  it("prints runners sorted by name", async () => {
    const result = await cli("runner", "list");
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        "NAME    ID                                     ONLINE   CAPACITY   ACTIVE   LABELS                   ACCEPT                                   REJECT   VERSION   LAST-HEARTBEAT",
        `alpha   ${A}   yes      4          2        arch=amd64,location=eu   team=web,tier in (smoke,e2e); team=api   flaky    0.2.0     2025-01-02T03:04:05Z`,
        `zeta    ${B}   no       1          0        -                        -                                        -        0.1.0     2025-01-01T00:00:00Z`,
        "",
      ].join("\n"),
    );
  });

  it("prints QueryRunnersResponse as YAML", async () => {
    expect((await cli("runner", "list", "-o", "yaml")).out).toContain("name: alpha\n");
  });
});

describe("tstrctl runner get", () => {
  const details = [
    "Name:            alpha",
    `ID:              ${A}`,
    "Online:          yes",
    "Version:         0.2.0",
    "Capacity:        4",
    "Active runs:     r-1",
    "                 r-2",
    "Labels:          arch=amd64,location=eu",
    "Accepts:         team=web,tier in (smoke,e2e)",
    "                 team=api",
    "Rejects:         flaky",
    "Executors:       docker, process",
    "Namespaces:      team-.*",
    "Registered:      2024-12-31T00:00:00Z",
    "Last heartbeat:  2025-01-02T03:04:05Z",
    "",
  ].join("\n");

  it("shows a runner by id with GetRunner", async () => {
    expect(await cli("runner", "get", A)).toEqual({ code: 0, out: details, err: "" });
    expect(server.calls.at(-1)).toMatchObject({ method: "GetRunner", message: { id: A } });
  });

  it("finds a runner by name", async () => {
    expect((await cli("runner", "get", "alpha")).out).toBe(details);
    expect(JSON.parse((await cli("runner", "get", "zeta", "-o", "json")).out)).toMatchObject({ runner: { id: B } });
  });

  it("fails for an unknown runner", async () => {
    expect(await cli("runner", "get", "nobody")).toEqual({
      code: 1,
      out: "",
      err: 'tstrctl: runner "nobody" not found\n',
    });
    expect((await cli("runner", "get", "cccccccc-0000-4000-8000-000000000003")).err).toBe(
      'tstrctl: runner "cccccccc-0000-4000-8000-000000000003" not found\n',
    );
  });
});
