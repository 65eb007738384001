import { Code, ConnectError } from "@connectrpc/connect";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { AdminService, ControlService, DataService, IdentityService } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";

// Test definitions through the API: register, field-mask updates, get by id or name, query by
// namespace, labels and selector with paging, delete; and token expiry and listing.

const database = useTestDatabase();
let plane: ControlPlane;
let admin: string;
const control = (namespace?: string) => clientOf(ControlService, transportFor(plane.url, { token: admin, namespace }));
const data = (namespace?: string) => clientOf(DataService, transportFor(plane.url, { token: admin, namespace }));

beforeAll(async () => {
  plane = await startControlPlane({ db: database.db, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
  admin = plane.bootstrapToken ?? "";
});
afterAll(() => plane?.stop());

describe("tests CRUD", () => {
  it("updates only the fields named in the field mask", async () => {
    const { test } = await control().registerTest({
      name: "masked",
      labels: { team: "web" },
      cronSchedule: "0 * * * *",
      runConfig: { containerImage: "busybox", command: "echo", args: ["a"] },
    });
    const id = test?.id ?? "";
    const updated = await control().updateTest({
      id,
      fieldMask: { paths: ["labels", "run_config.args"] },
      labels: { team: "api" },
      runConfig: { containerImage: "IGNORED", args: ["b"] },
      cronSchedule: "IGNORED",
    });
    expect(updated.test?.labels).toEqual({ team: "api" });
    expect(updated.test?.runConfig?.args).toEqual(["b"]);
    expect(updated.test?.runConfig?.containerImage).toBe("busybox");
    expect(updated.test?.cronSchedule).toBe("0 * * * *");
    expect(updated.test?.runConfigVersion).toBe(2);
  });

  it("without a mask, changes the fields the request sets (tstr style)", async () => {
    const { test } = await data().getTest({ name: "masked" });
    const updated = await control().updateTest({ id: test?.id, description: "now described" });
    expect(updated.test?.description).toBe("now described");
    expect(updated.test?.labels).toEqual({ team: "api" });
  });

  it("pauses a schedule and shows no next fire times while paused", async () => {
    const { test } = await data().getTest({ name: "masked" });
    await control().updateTest({ id: test?.id, fieldMask: { paths: ["schedule_paused"] }, schedulePaused: true });
    const paused = await data().getTest({ name: "masked" });
    expect(paused.test?.schedulePaused).toBe(true);
    expect(paused.nextFireTimes).toEqual([]);
    expect(paused.test?.nextRunAt).toBeUndefined();
  });

  it("refuses an update that would make the test invalid, naming the field", async () => {
    const { test } = await data().getTest({ name: "masked" });
    const error = await control()
      .updateTest({ id: test?.id, fieldMask: { paths: ["cron_schedule"] }, cronSchedule: "every tuesday" })
      .catch((e) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toContain("cron_schedule");
  });

  it("keeps namespaces apart: the namespace header selects, other namespaces see nothing", async () => {
    await control("team-a").registerTest({ name: "same-name", runConfig: { containerImage: "busybox" } });
    await control("team-b").registerTest({ name: "same-name", runConfig: { containerImage: "alpine" } });
    const a = await data("team-a").getTest({ name: "same-name" });
    const b = await data("team-b").getTest({ name: "same-name" });
    expect(a.test?.runConfig?.containerImage).toBe("busybox");
    expect(b.test?.runConfig?.containerImage).toBe("alpine");
    await expect(data("team-b").getTest({ id: a.test?.id })).rejects.toThrow(/not found in namespace "team-b"/);
  });

  it("pages through a query with a selector, without gaps or repeats", async () => {
    for (let i = 0; i < 25; i++) {
      await control("paging").registerTest({
        name: `t-${String(i).padStart(2, "0")}`,
        labels: { tier: i % 2 ? "smoke" : "e2e", shard: String(i % 5) },
        runConfig: { containerImage: "busybox" },
      });
    }
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await data("paging").queryTests({
        selector: "tier in (smoke,e2e),shard!=0",
        pageSize: 4,
        pageToken,
      });
      seen.push(...page.tests.map((t) => t.name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toHaveLength(20);
    expect(new Set(seen).size).toBe(20);
    const exact = await data("paging").queryTests({ labels: { tier: "smoke", shard: "1" } });
    expect(exact.tests.map((t) => t.name)).toEqual(["t-01", "t-11", "t-21"]);
  });

  it("deletes by id or name; the name can then be registered again", async () => {
    const { test } = await control("del").registerTest({ name: "gone", runConfig: { containerImage: "busybox" } });
    await control("del").deleteTest({ id: test?.id });
    await expect(data("del").getTest({ name: "gone" })).rejects.toThrow(/not found/);
    await control("del").registerTest({ name: "gone", runConfig: { containerImage: "busybox" } });
    await control("del").deleteTest({ name: "gone" });
    await expect(control("del").deleteTest({ name: "gone" })).rejects.toThrow(/not found/);
  });

  it("applies idempotently: created, unchanged, updated", async () => {
    const body = { name: "applied", runConfig: { containerImage: "busybox" } };
    expect((await control().applyTest({ test: body })).outcome).toBe(1);
    expect((await control().applyTest({ test: body })).outcome).toBe(3);
    expect((await control().applyTest({ test: { ...body, labels: { x: "y" } } })).outcome).toBe(2);
  });
});

describe("tokens", () => {
  it("stops accepting a token once it expires", async () => {
    const admin = clientOf(AdminService, transportFor(plane.url, { token: plane.bootstrapToken ?? "" }));
    const { accessToken } = await admin.issueAccessToken({
      name: "short-lived",
      scopeNames: ["data:read"],
      namespaceSelectors: [".*"],
      validDuration: { seconds: 1n, nanos: 0 },
    });
    const identity = clientOf(IdentityService, transportFor(plane.url, { token: accessToken?.token }));
    expect((await identity.identity({})).accessToken?.name).toBe("short-lived");
    await new Promise((r) => setTimeout(r, 1500));
    await expect(identity.identity({})).rejects.toThrow(/expired/);
  });

  it("lists, gets and revokes tokens; revoked ones only when asked", async () => {
    const adminClient = clientOf(AdminService, transportFor(plane.url, { token: plane.bootstrapToken ?? "" }));
    const { id } = await issueToken(plane.url, plane.bootstrapToken ?? "", ["runner"]);
    expect((await adminClient.getAccessToken({ id })).accessToken?.scopeNames).toEqual(["runner"]);
    await adminClient.revokeAccessToken({ id });
    const active = await adminClient.listAccessTokens({});
    expect(active.accessTokens.map((t) => t.id)).not.toContain(id);
    const all = await adminClient.listAccessTokens({ includeRevoked: true, includeExpired: true });
    expect(all.accessTokens.find((t) => t.id === id)?.revokedAt).toBeDefined();
    expect(all.accessTokens.every((t) => t.token === "")).toBe(true);
  });
});

describe("namespace isolation", () => {
  it("refuses to update or delete a test of another namespace by id", async () => {
    const { test } = await control("iso-a").registerTest({ name: "private", runConfig: { containerImage: "busybox" } });
    await expect(control("iso-b").updateTest({ id: test?.id, description: "hijacked" })).rejects.toThrow(/not found/);
    await expect(control("iso-b").deleteTest({ id: test?.id })).rejects.toThrow(/not found/);
    expect((await data("iso-a").getTest({ id: test?.id })).test?.description).toBe("");
  });

  it("all_namespaces shows a limited token only its namespaces, and page tokens reveal nothing else", async () => {
    for (const ns of ["lim-a", "lim-b"]) {
      for (let i = 0; i < 3; i++) {
        await control(ns).registerTest({ name: `${ns}-${i}`, runConfig: { containerImage: "busybox" } });
      }
    }
    const { token } = await issueToken(plane.url, admin, ["data:read"], ["lim-a"]);
    const limited = clientOf(DataService, transportFor(plane.url, { token }));
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await limited.queryTests({ allNamespaces: true, pageSize: 2, pageToken });
      seen.push(...page.tests.map((t) => t.name));
      pageToken = page.nextPageToken;
      expect(Buffer.from(pageToken, "base64url").toString()).not.toContain("lim-b");
    } while (pageToken);
    expect(seen).toEqual(["lim-a-0", "lim-a-1", "lim-a-2"]);
  });
});

describe("token issuance cannot escalate", () => {
  it("refuses scopes or namespaces beyond the issuer's own", async () => {
    const { token } = await issueToken(plane.url, admin, ["admin"], ["team-a"]);
    const limitedAdmin = clientOf(AdminService, transportFor(plane.url, { token }));
    await expect(
      limitedAdmin.issueAccessToken({ name: "wider", scopeNames: ["admin"], namespaceSelectors: [".*"] }),
    ).rejects.toThrow(/cannot grant namespace selectors beyond its own/);
    const narrower = await limitedAdmin.issueAccessToken({
      name: "narrower",
      scopeNames: ["data:read"],
      namespaceSelectors: ["team-a"],
    });
    expect(narrower.accessToken?.scopeNames).toEqual(["data:read"]);
  });
});
