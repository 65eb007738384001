import { describe, expect, it } from "vitest";
import { generateSigningKey, loadSigningKey } from "./signing-key.js";
import { decodeToken, encodeToken, InvalidTokenError, type TokenClaims } from "./token-codec.js";
import { createTokenVerifier } from "./token-verifier.js";

const claims = (over: Partial<TokenClaims> = {}): TokenClaims => ({
  tokenId: "0b8f9a5e-6a40-4c6e-9a55-2f9d5c3e2a11",
  name: "ci",
  scopes: ["control:write"],
  namespaceSelectors: ["team-.*"],
  issuedAt: new Date("2026-01-01T00:00:00Z"),
  ...over,
});

describe("token codec", async () => {
  const key = await loadSigningKey(await generateSigningKey());
  const other = await loadSigningKey(await generateSigningKey());
  const keyFor = (kid: string) => (kid === key.kid ? key : undefined);
  const now = new Date("2026-01-01T00:00:10Z");

  it("round-trips the claims", async () => {
    const principal = await decodeToken(await encodeToken(claims({ runnerId: "r1" }), key), keyFor, now);
    expect(principal).toEqual({
      tokenId: claims().tokenId,
      name: "ci",
      scopes: ["control:write"],
      namespaceSelectors: ["team-.*"],
      runnerId: "r1",
    });
  });

  it.each([
    [
      "a tampered payload",
      async () => {
        const [h, , s] = (await encodeToken(claims(), key)).split(".");
        const forged = Buffer.from(JSON.stringify({ scp: ["admin"], jti: "x", iss: "tstr" })).toString("base64url");
        return `${h}.${forged}.${s}`;
      },
      "signature is invalid",
    ],
    ["a token signed by an unknown key", async () => encodeToken(claims(), other), "unknown key"],
    [
      "an expired token",
      async () => encodeToken(claims({ expiresAt: new Date("2026-01-01T00:00:05Z") }), key),
      "expired",
    ],
    ["garbage", async () => "not.a.jwt", "malformed"],
  ])("refuses %s", async (_name, make, message) => {
    await expect(decodeToken(await make(), keyFor, now)).rejects.toThrow(InvalidTokenError);
    await expect(decodeToken(await make(), keyFor, now)).rejects.toThrow(message);
  });
});

describe("token verifier", async () => {
  const key = await loadSigningKey(await generateSigningKey());
  it("trusts a cached status for the TTL, then sees the revocation", async () => {
    let clock = new Date("2026-01-01T00:00:00Z").getTime();
    let active = true;
    let lookups = 0;
    const verifier = createTokenVerifier({
      keyFor: () => key,
      status: {
        isActive: async () => {
          lookups++;
          return active;
        },
      },
      statusTtlMs: 2000,
      now: () => new Date(clock),
    });
    const token = await encodeToken(claims({ issuedAt: new Date(clock) }), key);
    await verifier.verify(token);
    active = false;
    clock += 1000;
    await expect(verifier.verify(token)).resolves.toMatchObject({ name: "ci" });
    expect(lookups).toBe(1);
    clock += 1500;
    await expect(verifier.verify(token)).rejects.toThrow("revoked");
    expect(lookups).toBe(2);
  });
});
