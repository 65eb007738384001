import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServeProcess, type TstrProcess } from "./support/tstr-process.js";

// The real binary: `tstr serve` as a process, called with buf curl over gRPC, gRPC-Web and
// Connect (discovering the API through server reflection), and with plain curl JSON; then
// restarted on the same database without losing anything.

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const BUF = path.join(ROOT, "node_modules/.bin/buf");
const database = useTestDatabase();
let server: { proc: TstrProcess; url: string; bootstrapToken?: string };
let token: string;

async function bufCurl(protocol: "grpc" | "grpcweb" | "connect", rpc: string, data: object) {
  const args = [
    "curl",
    "--protocol",
    protocol,
    "--header",
    `Authorization: Bearer ${token}`,
    "--data",
    JSON.stringify(data),
  ];
  if (protocol === "grpc") args.push("--http2-prior-knowledge");
  const { stdout } = await run(BUF, [...args, `${server.url}/${rpc}`], { cwd: ROOT });
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function curl(args: string[]) {
  const { stdout } = await run("curl", ["-sS", "--fail-with-body", ...args]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  server = await startServeProcess(database.url);
  token = server.bootstrapToken ?? "";
}, 60_000);
afterAll(() => server?.proc.stop());

describe("tstr serve as a process", () => {
  it("prints a bootstrap admin token on the first start", () => {
    expect(token).toMatch(/^ey/);
  });

  it("answers GET /healthz and grpc.health.v1 without a token", async () => {
    expect(await curl([`${server.url}/healthz`])).toEqual({ status: "ok" });
    const { stdout } = await run(BUF, [
      "curl",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      `${server.url}/grpc.health.v1.Health/Check`,
    ]);
    expect(JSON.parse(stdout)).toEqual({ status: "SERVING" });
  });

  it.each(["grpc", "grpcweb", "connect"] as const)("serves buf curl over %s using reflection", async (protocol) => {
    const name = `buf-${protocol}`;
    const registered = await bufCurl(protocol, "tstr.control.v1.ControlService/RegisterTest", {
      name,
      labels: { via: protocol },
      run_config: { container_image: "busybox", command: "true" },
    });
    expect(registered).toMatchObject({ test: { name, namespace: "default", labels: { via: protocol } } });
    const identity = await bufCurl(protocol, "tstr.identity.v1.IdentityService/Identity", {});
    expect(identity).toMatchObject({ accessToken: { name: "bootstrap-admin", scopeNames: ["admin"] } });
  });

  it("lists services through reflection", async () => {
    const { stdout } = await run(BUF, ["curl", "--http2-prior-knowledge", "--list-services", server.url]);
    expect(stdout.split("\n")).toEqual(
      expect.arrayContaining(["tstr.control.v1.ControlService", "tstr.data.v1.DataService", "grpc.health.v1.Health"]),
    );
  });

  it("serves plain curl JSON (POST) and Connect GET for side-effect-free RPCs", async () => {
    const auth = ["-H", `Authorization: Bearer ${token}`];
    const posted = await curl([
      ...auth,
      "-H",
      "Content-Type: application/json",
      "-d",
      JSON.stringify({ name: "curl-test", run_config: { container_image: "busybox" } }),
      `${server.url}/tstr.control.v1.ControlService/RegisterTest`,
    ]);
    expect(posted).toMatchObject({ test: { name: "curl-test" } });
    const message = encodeURIComponent(JSON.stringify({ nameContains: "curl" }));
    const got = await curl([
      ...auth,
      `${server.url}/tstr.data.v1.DataService/QueryTests?encoding=json&message=${message}`,
    ]);
    expect((got.tests as { name: string }[]).map((t) => t.name)).toEqual(["curl-test"]);
  });

  it("refuses calls without a token with a message that says how to authenticate", async () => {
    const { stdout } = await run("curl", [
      "-sS",
      "-H",
      "Content-Type: application/json",
      "-d",
      "{}",
      `${server.url}/tstr.data.v1.DataService/QueryTests`,
    ]);
    expect(JSON.parse(stdout)).toEqual({
      code: "unauthenticated",
      message: expect.stringContaining("Authorization: Bearer"),
    });
  });

  it("restarts on the same database without losing tests or tokens, and issues no second bootstrap token", async () => {
    expect(await server.proc.stop()).toBe(0);
    server = await startServeProcess(database.url);
    expect(server.bootstrapToken).toBeUndefined();
    const got = await bufCurl("connect", "tstr.data.v1.DataService/QueryTests", {});
    expect((got.tests as { name: string }[]).map((t) => t.name).sort()).toEqual([
      "buf-connect",
      "buf-grpc",
      "buf-grpcweb",
      "curl-test",
    ]);
  });
});
