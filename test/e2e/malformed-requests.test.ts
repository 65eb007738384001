import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken } from "./support/clients.js";
import { postConnect, postGrpcRaw } from "./support/raw-http.js";

// Bad input must never crash the server: each malformed request gets a clear error that names
// what was wrong, and the server keeps serving afterwards.

const database = useTestDatabase();
let plane: ControlPlane;
let admin: string;
let teamA: string;

const REGISTER = "tstr.control.v1.ControlService/RegisterTest";
const ISSUE = "tstr.admin.v1.AdminService/IssueAccessToken";
const QUERY = "tstr.data.v1.DataService/QueryTests";
const valid = { name: "ok", run_config: { container_image: "busybox" } };
const withConfig = (extra: Record<string, unknown>) => ({ ...valid, run_config: { ...valid.run_config, ...extra } });
const matrixOf = (keys: number, values: number) => ({
  labels: Object.fromEntries(
    Array.from({ length: keys }, (_, k) => [`k${k}`, { values: Array.from({ length: values }, (_, v) => `v${v}`) }]),
  ),
});

interface Case {
  name: string;
  rpc: string;
  body: unknown;
  /** Raw bytes sent instead of JSON. */
  raw?: Uint8Array | string;
  headers?: Record<string, string>;
  token?: () => string;
  code: string;
  says: string | RegExp;
}

const CASES: Case[] = [
  {
    name: "label key with spaces",
    rpc: REGISTER,
    body: { ...valid, labels: { "bad key!": "x" } },
    code: "invalid_argument",
    says: 'labels["bad key!"]',
  },
  {
    name: "label value over 63 characters",
    rpc: REGISTER,
    body: { ...valid, labels: { a: "x".repeat(64) } },
    code: "invalid_argument",
    says: 'labels["a"]',
  },
  {
    name: "a 1 MB test name",
    rpc: REGISTER,
    body: { ...valid, name: "n".repeat(1_000_000) },
    code: "invalid_argument",
    says: "name",
  },
  {
    name: "invalid cron expression",
    rpc: REGISTER,
    body: { ...valid, cron_schedule: "61 * * * *" },
    code: "invalid_argument",
    says: "cron_schedule",
  },
  {
    name: "unknown time zone",
    rpc: REGISTER,
    body: { ...valid, cron_schedule: "@hourly", timezone: "Mars/Olympus_Mons" },
    code: "invalid_argument",
    says: "timezone",
  },
  {
    name: "empty image",
    rpc: REGISTER,
    body: { name: "x", run_config: { container_image: "" } },
    code: "invalid_argument",
    says: "run_config.container_image",
  },
  { name: "missing run_config", rpc: REGISTER, body: { name: "x" }, code: "invalid_argument", says: "run_config" },
  {
    name: "matrix of 10^10 combinations",
    rpc: REGISTER,
    body: { ...valid, matrix: matrixOf(10, 10) },
    code: "invalid_argument",
    says: "matrix",
  },
  {
    name: "env name starting with a digit",
    rpc: REGISTER,
    body: withConfig({ env: { "1BAD": "x" } }),
    code: "invalid_argument",
    says: "run_config.env",
  },
  {
    name: "zero timeout",
    rpc: REGISTER,
    body: withConfig({ timeout: "0s" }),
    code: "invalid_argument",
    says: "run_config.timeout",
  },
  {
    name: "timeout of 100 years",
    rpc: REGISTER,
    body: withConfig({ timeout: "3153600000s" }),
    code: "invalid_argument",
    says: "run_config.timeout",
  },
  {
    name: "file path escaping the work dir",
    rpc: REGISTER,
    body: withConfig({ files: [{ path: "../etc/passwd", content: "" }] }),
    code: "invalid_argument",
    says: "run_config.files",
  },
  {
    name: "retry with 100 attempts",
    rpc: REGISTER,
    body: { ...valid, retry: { max_attempts: 100 } },
    code: "invalid_argument",
    says: "retry.max_attempts",
  },
  {
    name: "resource factor above 1",
    rpc: REGISTER,
    body: { ...valid, resources: { factor: 2 } },
    code: "invalid_argument",
    says: "resources.factor",
  },
  {
    name: "invalid namespace header",
    rpc: REGISTER,
    body: valid,
    headers: { namespace: "Bad_NS!" },
    code: "invalid_argument",
    says: "namespace",
  },
  {
    name: "unknown scope name",
    rpc: ISSUE,
    body: { name: "t", scope_names: ["superuser"] },
    code: "invalid_argument",
    says: "scope_names[0]",
  },
  {
    name: "unknown scope enum value",
    rpc: ISSUE,
    body: { name: "t", scopes: [99] },
    code: "invalid_argument",
    says: "scopes[0]",
  },
  { name: "token without scopes", rpc: ISSUE, body: { name: "t" }, code: "invalid_argument", says: "scopes" },
  {
    name: "invalid namespace selector regex",
    rpc: ISSUE,
    body: { name: "t", scope_names: ["admin"], namespace_selectors: ["(unclosed"] },
    code: "invalid_argument",
    says: "namespace_selectors[0]",
  },
  {
    name: "selector syntax error",
    rpc: QUERY,
    body: { selector: "tier in (a," },
    code: "invalid_argument",
    says: /position \d+/,
  },
  {
    name: "hostile regex in a selector",
    rpc: QUERY,
    body: { selector: `x~=${"(".repeat(3000)}` },
    code: "invalid_argument",
    says: "selector",
  },
  {
    name: "test id that is not a UUID",
    rpc: "tstr.data.v1.DataService/GetTest",
    body: { id: "'; DROP TABLE tests; --" },
    code: "invalid_argument",
    says: "id",
  },
  { name: "unknown JSON field", rpc: REGISTER, body: { ...valid, nope: 1 }, code: "invalid_argument", says: "nope" },
  { name: "wrong JSON type", rpc: REGISTER, body: { ...valid, name: 5 }, code: "invalid_argument", says: "name" },
  {
    name: "truncated JSON",
    rpc: REGISTER,
    body: null,
    raw: '{"name": "x", ',
    code: "invalid_argument",
    says: /json|JSON|parse/,
  },
  {
    name: "garbage protobuf bytes",
    rpc: REGISTER,
    body: null,
    raw: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    headers: { "content-type": "application/proto" },
    // connect-es reports binary decoding failures as internal, with the parser's reason.
    code: "internal",
    says: /^parse binary: /,
  },
  {
    name: "5 MB message over the 4 MiB cap",
    rpc: REGISTER,
    body: { ...valid, description: "d".repeat(5_000_000) },
    code: "resource_exhausted",
    says: /exceed|max|limit/i,
  },
  {
    name: "malformed bearer token",
    rpc: REGISTER,
    body: valid,
    token: () => "not-a-jwt",
    code: "unauthenticated",
    says: "malformed",
  },
  {
    name: "namespace outside the token's selectors",
    rpc: REGISTER,
    body: valid,
    headers: { namespace: "team-b" },
    token: () => teamA,
    code: "permission_denied",
    says: 'namespace "team-b"',
  },
];

beforeAll(async () => {
  plane = await startControlPlane({ db: database.db, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
  admin = plane.bootstrapToken ?? "";
  teamA = (await issueToken(plane.url, admin, ["control:write"], ["team-a"])).token;
});
afterAll(() => plane?.stop());

describe("malformed requests", () => {
  it("has at least 20 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const body = c.raw ?? JSON.stringify(c.body);
    const answer = await postConnect(plane.url, c.rpc, body, {
      authorization: `Bearer ${c.token ? c.token() : admin}`,
      ...c.headers,
    });
    expect(answer.body.code, JSON.stringify(answer.body).slice(0, 300)).toBe(c.code);
    if (typeof c.says === "string") expect(answer.body.message).toContain(c.says);
    else expect(answer.body.message).toMatch(c.says);
    expect(answer.body.message?.length ?? 0).toBeLessThan(2000);
  });

  it("garbage gRPC frames get a gRPC error status", async () => {
    const frame = new Uint8Array([0, 0, 0, 0, 4, 0xff, 0xfe, 0xfd, 0xfc]);
    const answer = await postGrpcRaw(plane.url, REGISTER, frame, { authorization: `Bearer ${admin}` });
    expect([3, 13]).toContain(answer.grpcStatus);
  });

  it("a frame length beyond the body is refused", async () => {
    const frame = new Uint8Array([0, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3]);
    const answer = await postGrpcRaw(plane.url, REGISTER, frame, { authorization: `Bearer ${admin}` });
    expect(answer.grpcStatus).toBeGreaterThan(0);
  });

  it("a duplicate test name is refused as already existing", async () => {
    const headers = { authorization: `Bearer ${admin}` };
    const body = JSON.stringify({ ...valid, name: "dup" });
    expect((await postConnect(plane.url, REGISTER, body, headers)).status).toBe(200);
    const second = await postConnect(plane.url, REGISTER, body, headers);
    expect(second.body.code).toBe("already_exists");
    expect(second.body.message).toContain("dup");
  });

  it("keeps serving after all of it", async () => {
    const health = await fetch(`${plane.url}/healthz`);
    expect(health.status).toBe(200);
    const identity = await postConnect(plane.url, "tstr.identity.v1.IdentityService/Identity", "{}", {
      authorization: `Bearer ${admin}`,
    });
    expect(identity.status).toBe(200);
    expect(identity.body).toHaveProperty("accessToken");
  });
});
