import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  DataService,
  GetTestResponseSchema,
  IdentityResponseSchema,
  IdentityService,
  QueryTestsResponseSchema,
} from "@tstr/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedAddr, type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";
import { createApiClients } from "./api-clients.js";
import { describeError } from "./describe-error.js";

let server: FakeApiServer;

beforeAll(async () => {
  server = await startFakeApiServer((router) => {
    router.service(IdentityService, {
      identity: () => create(IdentityResponseSchema, { accessibleNamespaces: ["default"] }),
    });
    router.service(DataService, {
      getTest: () => create(GetTestResponseSchema, {}),
      queryTests: (req) => {
        if (req.selector === "bad") throw new ConnectError('selector: unexpected ")" at 3', Code.InvalidArgument);
        if (req.selector === "forbidden") throw new ConnectError('scope "data:read" required', Code.PermissionDenied);
        if (req.selector === "unauthenticated") throw new ConnectError("token expired", Code.Unauthenticated);
        return create(QueryTestsResponseSchema, {});
      },
    });
  });
});

afterAll(() => server.close());

describe("createApiClients", () => {
  it("sends the bearer token and the namespace as header and request field", async () => {
    const clients = createApiClients({ addr: server.addr, token: "secret", namespace: "team-a" });
    await clients.data.getTest({ name: "web" });
    expect(server.calls.at(-1)).toMatchObject({
      method: "GetTest",
      authorization: "Bearer secret",
      namespace: "team-a",
      message: { name: "web", namespace: "team-a" },
    });
  });

  it("keeps a namespace the request names and lets a call override the header", async () => {
    const clients = createApiClients({ addr: server.addr, namespace: "team-a" });
    await clients.data.getTest({ name: "web", namespace: "explicit" });
    expect(server.calls.at(-1)).toMatchObject({
      authorization: null,
      namespace: "team-a",
      message: { namespace: "explicit" },
    });
    await clients.data.getTest({ name: "web" }, { headers: { namespace: "per-call" } });
    expect(server.calls.at(-1)).toMatchObject({ namespace: "per-call", message: { namespace: "per-call" } });
  });

  it("leaves messages without a namespace field alone", async () => {
    await createApiClients({ addr: server.addr, namespace: "team-a" }).identity.identity({});
    expect(server.calls.at(-1)).toMatchObject({ method: "Identity", namespace: "team-a" });
  });
});

describe("describeError on real calls", () => {
  async function failure(selector: string, addr = server.addr, token?: string) {
    const clients = createApiClients({ addr, ...(token ? { token } : {}) });
    return clients.data.queryTests({ selector }).then(
      () => {
        throw new Error("expected a failure");
      },
      (error: unknown) => describeError(error, { addr, hadToken: token !== undefined }),
    );
  }

  it("passes InvalidArgument and PermissionDenied messages through", async () => {
    expect(await failure("bad")).toEqual({ message: 'selector: unexpected ")" at 3' });
    expect(await failure("forbidden")).toEqual({ message: 'scope "data:read" required' });
  });

  it("points at --token and TSTR_TOKEN when unauthenticated", async () => {
    expect(await failure("unauthenticated")).toMatchObject({
      message: "not authenticated: no token given",
      hint: expect.stringContaining("--token or set TSTR_TOKEN"),
    });
    expect((await failure("unauthenticated", server.addr, "t")).message).toBe("not authenticated: token expired");
  });

  it("says the server cannot be reached when nothing listens", async () => {
    const addr = await closedAddr();
    expect(await failure("", addr)).toEqual({
      message: `cannot reach ${addr}: is tstr running? (tstr dev starts one)`,
      hint: expect.stringContaining("ECONNREFUSED"),
    });
  });

  it("says when the address serves something other than the tstr API", async () => {
    const clients = createApiClients({ addr: `${server.addr}/elsewhere` });
    const report = await clients.identity.identity({}).catch((error: unknown) => describeError(error, { addr: "X" }));
    expect(report).toMatchObject({ message: expect.stringContaining("X does not serve the tstr API") });
  });
});
