import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@tstr/db";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createSigningKeysRepository, type GeneratedSigningKey } from "./signing-keys-repo.js";

const t = useTestDatabase();
const replicas: Database[] = [];
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
});

function fakeKey(): GeneratedSigningKey {
  const kid = randomUUID();
  return {
    kid,
    alg: "EdDSA",
    privateJwk: { kty: "OKP", crv: "Ed25519", x: kid, d: "secret" },
    publicJwk: { kty: "OKP", crv: "Ed25519", x: kid },
  };
}

describe("signing keys repository", () => {
  it("makes replicas racing at startup agree on one key", async () => {
    let generated = 0;
    const generate = async () => {
      generated++;
      await new Promise((r) => setTimeout(r, 20));
      return fakeKey();
    };
    for (let i = 0; i < 5; i++) replicas.push(createDatabase(t.url, { max: 2 }));
    const keys = await Promise.all(
      replicas.map((db) => createSigningKeysRepository(db).getOrCreateActiveKey(generate)),
    );
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    expect(generated).toBe(1);
    expect(keys[0]?.privateJwk).toMatchObject({ d: "secret" });
  });

  it("keeps returning the stored key and never generates another", async () => {
    const repo = createSigningKeysRepository(t.db);
    const first = await repo.getOrCreateActiveKey(async () => fakeKey());
    const again = await repo.getOrCreateActiveKey(async () => {
      throw new Error("must not generate");
    });
    expect(again).toEqual(first);
  });

  it("lists public halves only, retired keys included", async () => {
    const repo = createSigningKeysRepository(t.db);
    const active = await repo.getOrCreateActiveKey(async () => fakeKey());
    await t.db.prisma.signingKey.update({ where: { kid: active.kid }, data: { retiredAt: new Date() } });
    const next = await repo.getOrCreateActiveKey(async () => fakeKey());
    expect(next.kid).not.toBe(active.kid);
    const listed = await repo.listPublicKeys();
    expect(listed.map((k) => k.kid).sort()).toEqual([active.kid, next.kid].sort());
    for (const key of listed) {
      expect(key).not.toHaveProperty("privateJwk");
      expect(key.publicJwk).not.toHaveProperty("d");
    }
    expect(listed.find((k) => k.kid === active.kid)?.retiredAt).toBeInstanceOf(Date);
  });
});
