import { create, type DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { ALL_SCOPES, scopeSatisfies } from "@tstr/domain";
import { methodRequirement, TSTR_SERVICES } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken, transportFor } from "./support/clients.js";

// Generated from the proto descriptors: every RPC of every tstr service is called with a token of
// each scope, with no token, and with a token that has no scope; the server must accept or refuse
// exactly as the RPC's `required_scope` option declares. A new RPC is covered without editing this.

const database = useTestDatabase();
let plane: ControlPlane;
const tokens = new Map<string, string>();

beforeAll(async () => {
  plane = await startControlPlane({ db: database.db, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
  const admin = plane.bootstrapToken ?? "";
  for (const scope of ALL_SCOPES) tokens.set(scope, (await issueToken(plane.url, admin, [scope])).token);
});
afterAll(() => plane?.stop());

const methods = TSTR_SERVICES.flatMap((service) => service.methods);

describe.each(methods.map((m) => [`${m.parent.typeName}/${m.name}`, m] as const))("%s", (_name, method) => {
  const requirement = methodRequirement(method);

  it("declares a required scope", () => {
    expect(requirement.kind).not.toBe("undeclared");
  });

  it("refuses a call without a token", async () => {
    const error = await callExpectingError(method, undefined);
    expect(error?.code).toBe(Code.Unauthenticated);
  });

  it.each(ALL_SCOPES)("with a %s token: accepted only if the declared scope allows it", async (scope) => {
    const allowed =
      requirement.kind === "authenticated" ||
      (requirement.kind === "scope" && scopeSatisfies([scope], requirement.scope));
    const error = await callExpectingError(method, tokens.get(scope));
    if (allowed) {
      // Past the scope check; a handler may still refuse for its own reasons (e.g. the runner
      // protocol wants a runner-bound token), but never with the interceptor's scope refusal.
      expect(error?.code).not.toBe(Code.Unauthenticated);
      expect(error?.rawMessage ?? "").not.toContain("needs scope");
    } else {
      expect(error?.code).toBe(Code.PermissionDenied);
      expect(error?.rawMessage).toContain(requirement.kind === "scope" ? `needs scope "${requirement.scope}"` : "");
    }
  });
});

/** Calls any method with an empty request; returns the error it failed with (or undefined). */
async function callExpectingError(method: DescMethod, token: string | undefined): Promise<ConnectError | undefined> {
  const client = createClient(method.parent, transportFor(plane.url, { token })) as unknown as Record<
    string,
    (input: unknown, options?: { signal?: AbortSignal; timeoutMs?: number }) => unknown
  >;
  const call = client[method.localName];
  if (!call) throw new Error(`no client method for ${method.name}`);
  const controller = new AbortController();
  const options = { signal: controller.signal, timeoutMs: 5000 };
  try {
    switch (method.methodKind) {
      case "unary":
        await call(create(method.input), options);
        break;
      case "server_streaming":
        for await (const _ of call(create(method.input), options) as AsyncIterable<unknown>) break;
        break;
      case "client_streaming":
        await call((async function* () {})(), options);
        break;
      default:
        throw new Error(`unexpected method kind ${method.methodKind}`);
    }
    return undefined;
  } catch (error) {
    return ConnectError.from(error);
  } finally {
    controller.abort();
  }
}
