import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  AccessToken_Scope,
  AccessTokenSchema,
  AdminService,
  GetAccessTokenResponseSchema,
  IdentityResponseSchema,
  IdentityService,
  IssueAccessTokenResponseSchema,
  ListAccessTokensResponseSchema,
  RevokeAccessTokenResponseSchema,
} from "@tstr/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";

const at = (iso: string) => timestampFromDate(new Date(iso));

function token(id: string, extra: MessageInitShape<typeof AccessTokenSchema> = {}) {
  return create(AccessTokenSchema, {
    id,
    name: `${id}-name`,
    scopeNames: ["control:read", "data:read"],
    namespaceSelectors: ["team-.*"],
    expiresAt: at("2026-01-01T00:00:00Z"),
    ...extra,
  });
}

let server: FakeApiServer;

beforeAll(async () => {
  server = await startFakeApiServer((router) => {
    router.service(AdminService, {
      issueAccessToken: (req) => {
        if (!req.scopeNames.includes("admin") && req.name === "denied") {
          throw new ConnectError('token "ci" lacks scope "admin" required by IssueAccessToken', Code.PermissionDenied);
        }
        return create(IssueAccessTokenResponseSchema, {
          accessToken: { ...token("tok-new"), name: req.name, scopeNames: req.scopeNames, token: "eyJhbGciOi.secret" },
        });
      },
      listAccessTokens: (req) =>
        create(ListAccessTokensResponseSchema, {
          accessTokens: [
            token("tok-1"),
            ...(req.includeRevoked ? [token("tok-2", { revokedAt: at("2025-06-01T00:00:00Z") })] : []),
          ],
        }),
      getAccessToken: (req) =>
        create(GetAccessTokenResponseSchema, {
          accessToken: {
            ...token(req.id),
            scopeNames: [],
            scopes: [AccessToken_Scope.ADMIN, AccessToken_Scope.CONTROL],
          },
        }),
      revokeAccessToken: () => create(RevokeAccessTokenResponseSchema, {}),
    });
    router.service(IdentityService, {
      identity: () =>
        create(IdentityResponseSchema, {
          accessToken: { ...token("tok-me"), issuedAt: at("2025-01-01T00:00:00Z") },
          accessibleNamespaces: ["team-a", "team-b"],
        }),
    });
  });
});

afterAll(() => server.close());

async function cli(...args: string[]) {
  const io = captureIo({ env: { TSTR_ADDR: server.addr, TSTR_TOKEN: "admin-token" } });
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

describe("tstrctl token", () => {
  it("issue prints only the token on stdout and warns on stderr", async () => {
    const result = await cli(
      "token",
      "issue",
      "--name",
      "ci",
      "--scope",
      "control:read,data:read",
      "--scope",
      "runner",
      "--namespace-selector",
      "team-.*",
      "--valid-for",
      "24h",
    );
    expect(result).toEqual({
      code: 0,
      out: "eyJhbGciOi.secret\n",
      err: 'tstrctl: warning: token "ci" (id tok-new, expires 2026-01-01T00:00:00Z) is shown only once; store it now\n',
    });
    expect(server.calls.at(-1)?.message).toMatchObject({
      name: "ci",
      scopeNames: ["control:read", "data:read", "runner"],
      namespaceSelectors: ["team-.*"],
      validDuration: { seconds: 86400n, nanos: 0 },
    });
  });

  it("issue -o json prints the whole AccessToken", async () => {
    const result = await cli(
      "token",
      "issue",
      "--name",
      "ci",
      "--scope",
      "admin",
      "--namespace-selector",
      ".*",
      "-o",
      "json",
    );
    expect(JSON.parse(result.out)).toMatchObject({
      id: "tok-new",
      name: "ci",
      token: "eyJhbGciOi.secret",
      scopeNames: ["admin"],
    });
  });

  it("issue checks its flags before calling", async () => {
    const calls = server.calls.length;
    expect((await cli("token", "issue", "--scope", "admin")).err).toMatch(/^tstrctl: --name is required\n/);
    expect((await cli("token", "issue", "--name", "x", "--scope", "root")).err).toMatch(
      /^tstrctl: unknown scope "root" \(use admin/,
    );
    expect(
      (
        await cli(
          "token",
          "issue",
          "--name",
          "x",
          "--scope",
          "admin",
          "--namespace-selector",
          ".*",
          "--valid-for",
          "1 day",
        )
      ).err,
    ).toMatch(/^tstrctl: --valid-for: invalid duration "1 day"\n/);
    expect(
      (
        await cli(
          "token",
          "issue",
          "--name",
          "x",
          "--scope",
          "admin",
          "--namespace-selector",
          ".*",
          "--valid-for",
          "1 day",
        )
      ).code,
    ).toBe(2);
    expect((await cli("token", "issue", "--name", "x", "--scope", "admin")).err).toMatch(
      /^tstrctl: at least one --namespace-selector is required/,
    );
    expect(server.calls.length).toBe(calls);
  });

  it("passes on PermissionDenied messages, which name the missing scope", async () => {
    expect(await cli("token", "issue", "--name", "denied", "--scope", "runner", "--namespace-selector", ".*")).toEqual({
      code: 1,
      out: "",
      err: 'tstrctl: token "ci" lacks scope "admin" required by IssueAccessToken\n',
    });
  });

  it("list prints a table; --all asks for revoked and expired tokens", async () => {
    expect((await cli("token", "list")).out).toBe(
      [
        "ID      NAME         SCOPES                   NAMESPACES   EXPIRES                REVOKED",
        "tok-1   tok-1-name   control:read,data:read   team-.*      2026-01-01T00:00:00Z   -",
        "",
      ].join("\n"),
    );
    const all = await cli("token", "list", "--all");
    expect(server.calls.at(-1)?.message).toMatchObject({ includeExpired: true, includeRevoked: true });
    expect(all.out.split("\n")[2]).toMatch(/^tok-2 .* 2025-06-01T00:00:00Z$/);
  });

  it("get shows scopes from the enum when the server sends no names; revoke confirms", async () => {
    expect((await cli("token", "get", "tok-9")).out.split("\n")[1]).toMatch(
      /^tok-9 +tok-9-name +admin,control:write +/,
    );
    expect(await cli("token", "revoke", "tok-9")).toEqual({ code: 0, out: "token/tok-9 revoked\n", err: "" });
    expect(server.calls.at(-1)).toMatchObject({ method: "RevokeAccessToken", message: { id: "tok-9" } });
  });
});

describe("tstrctl identity", () => {
  it("shows the token, its scopes and namespaces", async () => {
    const result = await cli("identity");
    expect(result.out).toBe(
      [
        `Server:               ${server.addr}`,
        "Token:                tok-me-name (tok-me)",
        "Scopes:               control:read, data:read",
        "Namespace selectors:  team-.*",
        "Namespaces:           team-a, team-b",
        "Issued:               2025-01-01T00:00:00Z",
        "Expires:              2026-01-01T00:00:00Z",
        "",
      ].join("\n"),
    );
    expect(server.calls.at(-1)).toMatchObject({ method: "Identity", authorization: "Bearer admin-token" });
  });

  it("prints IdentityResponse as YAML", async () => {
    expect((await cli("identity", "-o", "yaml")).out).toContain("accessibleNamespaces:\n  - team-a\n  - team-b\n");
  });
});
