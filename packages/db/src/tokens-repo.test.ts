import { randomUUID } from "node:crypto";
import { useTestDatabase } from "@tstr/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { createTokensRepository, type TokensRepository } from "./tokens-repo.js";

const t = useTestDatabase();
let repo: TokensRepository;
beforeAll(() => {
  repo = createTokensRepository(t.db);
});

const now = new Date("2030-06-01T12:00:00.000Z");
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

describe("tokens repository", () => {
  it("records a token and reads it back by jti", async () => {
    const id = randomUUID();
    const runnerId = randomUUID();
    const issuedBy = randomUUID();
    const inserted = await repo.insert({
      id,
      name: "runner-a",
      scopes: ["runner"],
      namespaceSelectors: ["team-*"],
      runnerId,
      issuedAt: now,
      expiresAt: minutes(60),
      issuedBy,
    });
    expect(inserted).toEqual({
      id,
      name: "runner-a",
      scopes: ["runner"],
      namespaceSelectors: ["team-*"],
      runnerId,
      issuedAt: now,
      expiresAt: minutes(60),
      issuedBy,
    });
    expect(await repo.getById(id)).toEqual(inserted);
    expect(await repo.getById(randomUUID())).toBeUndefined();
    expect(await repo.getById("garbage")).toBeUndefined();
  });

  it("tells active, expired, revoked and unknown tokens apart", async () => {
    const active = await repo.insert({ id: randomUUID(), name: "a", scopes: ["admin"], namespaceSelectors: [] });
    const expiring = await repo.insert({
      id: randomUUID(),
      name: "e",
      scopes: ["data:read"],
      namespaceSelectors: [],
      expiresAt: minutes(1),
    });
    expect(await repo.statusById(active.id, now)).toBe("active");
    expect(await repo.statusById(expiring.id, now)).toBe("active");
    expect(await repo.statusById(expiring.id, minutes(1))).toBe("expired");
    expect(await repo.revoke(expiring.id, now)).toBe(true);
    expect(await repo.statusById(expiring.id, minutes(5))).toBe("revoked");
    expect(await repo.statusById(randomUUID(), now)).toBe("unknown");
    expect(await repo.statusById("nope", now)).toBe("unknown");
  });

  it("revokes once and reports whether anything changed", async () => {
    const token = await repo.insert({ id: randomUUID(), name: "r", scopes: ["admin"], namespaceSelectors: [] });
    expect(await repo.revoke(token.id, minutes(2))).toBe(true);
    expect(await repo.revoke(token.id, minutes(3))).toBe(false);
    expect((await repo.getById(token.id))?.revokedAt).toEqual(minutes(2));
    expect(await repo.revoke(randomUUID(), now)).toBe(false);
  });

  it("lists revocations since a point in time, inclusive and oldest first", async () => {
    const ids = await Promise.all(
      [10, 11, 12].map(async (m) => {
        const token = await repo.insert({ id: randomUUID(), name: `s${m}`, scopes: [], namespaceSelectors: [] });
        await repo.revoke(token.id, minutes(m));
        return token.id;
      }),
    );
    expect(await repo.revokedSince(minutes(11))).toEqual([
      { id: ids[1], revokedAt: minutes(11) },
      { id: ids[2], revokedAt: minutes(12) },
    ]);
    expect(await repo.revokedSince(minutes(13))).toEqual([]);
  });
});

describe("tokens repository list", () => {
  const d = useTestDatabase();
  it("hides expired and revoked tokens unless asked, newest first", async () => {
    const list = createTokensRepository(d.db);
    const mk = (name: string, issuedAt: Date, expiresAt?: Date) =>
      list.insert({ id: randomUUID(), name, scopes: ["admin"], namespaceSelectors: [], issuedAt, expiresAt });
    await mk("old", minutes(-30));
    await mk("expired", minutes(-20), minutes(-1));
    const revoked = await mk("revoked", minutes(-10));
    await list.revoke(revoked.id, minutes(-5));
    await mk("new", minutes(-1), minutes(60));
    const names = async (opts: { includeExpired: boolean; includeRevoked: boolean }) =>
      (await list.list({ ...opts, now })).map((x) => x.name);
    expect(await names({ includeExpired: false, includeRevoked: false })).toEqual(["new", "old"]);
    expect(await names({ includeExpired: true, includeRevoked: false })).toEqual(["new", "expired", "old"]);
    expect(await names({ includeExpired: false, includeRevoked: true })).toEqual(["new", "revoked", "old"]);
    expect(await names({ includeExpired: true, includeRevoked: true })).toEqual(["new", "revoked", "expired", "old"]);
  });
});
