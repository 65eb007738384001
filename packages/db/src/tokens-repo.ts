import type { Scope } from "@tstr/domain";
import { isUuid } from "@tstr/domain";
import type { Database } from "./client.js";
import type { DbClient } from "./db-client.js";
import type { AccessToken } from "./generated/prisma/client.js";
import type { AccessTokenRecord, TokenStatus } from "./types.js";

/** What is recorded when a token is minted; `id` is the JWT's jti. */
export interface NewAccessToken {
  id: string;
  name: string;
  scopes: Scope[];
  namespaceSelectors: string[];
  runnerId?: string;
  /** Defaults to the database clock; pass the JWT's iat to keep them identical. */
  issuedAt?: Date;
  expiresAt?: Date;
  issuedBy?: string;
}

/** Issued tokens by jti. Every method takes an optional transaction client last. */
export interface TokensRepository {
  insert(token: NewAccessToken, tx?: DbClient): Promise<AccessTokenRecord>;
  getById(id: string, tx?: DbClient): Promise<AccessTokenRecord | undefined>;
  /** Newest first; revoked and expired tokens only when asked for. */
  list(
    opts: { includeExpired: boolean; includeRevoked: boolean; now: Date },
    tx?: DbClient,
  ): Promise<AccessTokenRecord[]>;
  /** Revokes a token; false when it does not exist or was already revoked. */
  revoke(id: string, now: Date, tx?: DbClient): Promise<boolean>;
  /**
   * Tokens revoked at or after `since`, oldest first: verifiers poll this to refresh their
   * revocation cache (inclusive, so a revocation in the same millisecond is never missed).
   */
  revokedSince(since: Date, tx?: DbClient): Promise<{ id: string; revokedAt: Date }[]>;
  /** Whether a jti may be honoured at `now`; revocation wins over expiry. */
  statusById(id: string, now: Date, tx?: DbClient): Promise<TokenStatus>;
}

/** Builds the access-token repository over a database. */
export function createTokensRepository(db: Database): TokensRepository {
  return {
    async insert(token, tx) {
      const row = await (tx ?? db.prisma).accessToken.create({
        data: {
          id: token.id,
          name: token.name,
          scopes: token.scopes,
          namespaceSelectors: token.namespaceSelectors,
          runnerId: token.runnerId ?? null,
          expiresAt: token.expiresAt ?? null,
          issuedBy: token.issuedBy ?? null,
          ...(token.issuedAt ? { issuedAt: token.issuedAt } : {}),
        },
      });
      return tokenRowToRecord(row);
    },

    async getById(id, tx) {
      if (!isUuid(id)) return undefined;
      const row = await (tx ?? db.prisma).accessToken.findUnique({ where: { id } });
      return row ? tokenRowToRecord(row) : undefined;
    },

    async list({ includeExpired, includeRevoked, now }, tx) {
      const rows = await (tx ?? db.prisma).accessToken.findMany({
        where: {
          ...(includeRevoked ? {} : { revokedAt: null }),
          ...(includeExpired ? {} : { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }),
        },
        orderBy: [{ issuedAt: "desc" }, { id: "asc" }],
      });
      return rows.map(tokenRowToRecord);
    },

    async revoke(id, now, tx) {
      if (!isUuid(id)) return false;
      const { count } = await (tx ?? db.prisma).accessToken.updateMany({
        where: { id, revokedAt: null },
        data: { revokedAt: now },
      });
      return count > 0;
    },

    async revokedSince(since, tx) {
      const rows = await (tx ?? db.prisma).accessToken.findMany({
        where: { revokedAt: { gte: since } },
        select: { id: true, revokedAt: true },
        orderBy: { revokedAt: "asc" },
      });
      return rows.flatMap((r) => (r.revokedAt ? [{ id: r.id, revokedAt: r.revokedAt }] : []));
    },

    async statusById(id, now, tx) {
      if (!isUuid(id)) return "unknown";
      const row = await (tx ?? db.prisma).accessToken.findUnique({
        where: { id },
        select: { revokedAt: true, expiresAt: true },
      });
      if (!row) return "unknown";
      if (row.revokedAt) return "revoked";
      if (row.expiresAt && row.expiresAt <= now) return "expired";
      return "active";
    },
  };
}

function tokenRowToRecord(row: AccessToken): AccessTokenRecord {
  const record: AccessTokenRecord = {
    id: row.id,
    name: row.name,
    scopes: row.scopes as Scope[],
    namespaceSelectors: row.namespaceSelectors,
    issuedAt: row.issuedAt,
  };
  if (row.runnerId) record.runnerId = row.runnerId;
  if (row.expiresAt) record.expiresAt = row.expiresAt;
  if (row.revokedAt) record.revokedAt = row.revokedAt;
  if (row.issuedBy) record.issuedBy = row.issuedBy;
  return record;
}
