import type { Database } from "./client.js";
import type { DbClient } from "./db-client.js";
import type { SigningKey } from "./generated/prisma/client.js";
import { toJson } from "./json.js";
import { inTransaction } from "./transaction.js";
import type { Jwk, PublicSigningKey, SigningKeyRecord } from "./types.js";

/** Key material produced by the caller (jose lives in @tstr/auth, not here). */
export interface GeneratedSigningKey {
  kid: string;
  alg: string;
  privateJwk: Jwk;
  publicJwk: Jwk;
}

/** Token signing keys shared by every replica. */
export interface SigningKeysRepository {
  /**
   * The newest unretired key, generating and storing one if there is none. Replicas starting
   * together serialise on an advisory lock, so they all end up signing with the same key.
   */
  getOrCreateActiveKey(generate: () => Promise<GeneratedSigningKey>, tx?: DbClient): Promise<SigningKeyRecord>;
  /** Every key's public half, retired ones included, for verifying older tokens and JWKS. */
  listPublicKeys(tx?: DbClient): Promise<PublicSigningKey[]>;
}

// Arbitrary, but distinct from the migration lock.
const SIGNING_KEY_LOCK = 72707370;

/** Builds the signing-key repository over a database. */
export function createSigningKeysRepository(db: Database): SigningKeysRepository {
  return {
    getOrCreateActiveKey(generate, tx) {
      return inTransaction(tx ?? db.prisma, async (t) => {
        await t.$executeRaw`SELECT pg_advisory_xact_lock(${SIGNING_KEY_LOCK})`;
        const active = await t.signingKey.findFirst({
          where: { retiredAt: null },
          orderBy: [{ createdAt: "desc" }, { kid: "asc" }],
        });
        if (active) return signingKeyRowToRecord(active);
        const key = await generate();
        const row = await t.signingKey.create({
          data: { kid: key.kid, alg: key.alg, privateJwk: toJson(key.privateJwk), publicJwk: toJson(key.publicJwk) },
        });
        return signingKeyRowToRecord(row);
      });
    },

    async listPublicKeys(tx) {
      const rows = await (tx ?? db.prisma).signingKey.findMany({
        omit: { privateJwk: true },
        orderBy: [{ createdAt: "desc" }, { kid: "asc" }],
      });
      return rows.map(({ kid, alg, publicJwk, createdAt, retiredAt }) => ({
        kid,
        alg,
        publicJwk: publicJwk as Jwk,
        createdAt,
        ...(retiredAt ? { retiredAt } : {}),
      }));
    },
  };
}

function signingKeyRowToRecord(row: SigningKey): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    privateJwk: row.privateJwk as Jwk,
    publicJwk: row.publicJwk as Jwk,
    createdAt: row.createdAt,
    ...(row.retiredAt ? { retiredAt: row.retiredAt } : {}),
  };
}
