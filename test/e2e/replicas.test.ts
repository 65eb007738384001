import { Code, ConnectError } from "@connectrpc/connect";
import { ControlService, DataService, IdentityService } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { startServeProcess, type TstrProcess } from "./support/tstr-process.js";

// Several replicas on one database: migrations and the bootstrap token happen once, writes on one
// replica are visible on the other, and a revocation on one stops the token on all within 5 s.

const database = useTestDatabase({ empty: true });
const replicas: { proc: TstrProcess; url: string; bootstrapToken?: string }[] = [];

afterAll(() => Promise.all(replicas.map((r) => r.proc.stop())));

describe("three replicas on one fresh database", () => {
  it("start together, migrate once and issue exactly one bootstrap token", async () => {
    replicas.push(...(await Promise.all([0, 1, 2].map(() => startServeProcess(database.url)))));
    expect(replicas.filter((r) => r.bootstrapToken)).toHaveLength(1);
  }, 90_000);

  it("share tests and revocations", async () => {
    const admin = replicas.find((r) => r.bootstrapToken)?.bootstrapToken ?? "";
    const [a, b, c] = replicas.map((r) => r.url) as [string, string, string];
    await clientOf(ControlService, transportFor(a, { token: admin })).registerTest({
      name: "shared",
      runConfig: { containerImage: "busybox" },
    });
    const found = await clientOf(DataService, transportFor(b, { token: admin })).queryTests({});
    expect(found.tests.map((t) => t.name)).toEqual(["shared"]);

    const { id, token } = await issueToken(a, admin, ["data:read"]);
    const identityOnC = clientOf(IdentityService, transportFor(c, { token }));
    expect((await identityOnC.identity({})).accessToken?.id).toBe(id);
    const revokedAt = Date.now();
    await clientOf((await import("@tstr/proto")).AdminService, transportFor(b, { token: admin })).revokeAccessToken({
      id,
    });
    let refused: ConnectError | undefined;
    while (!refused && Date.now() - revokedAt < 5000) {
      refused = await identityOnC.identity({}).then(
        () => undefined,
        (e) => ConnectError.from(e),
      );
      if (!refused) await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused?.code).toBe(Code.Unauthenticated);
    expect(Date.now() - revokedAt).toBeLessThan(5000);
  });
});
