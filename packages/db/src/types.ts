import type { Scope, SuiteSpec, TestSpec } from "@tstr/domain";

/** A stored test: the domain spec plus what the database adds to it. */
export interface TestRecord {
  id: string;
  spec: TestSpec;
  /** Bumped whenever run_config changes, so runs can say which definition they ran. */
  runConfigVersion: number;
  registeredAt: Date;
  updatedAt: Date;
  archivedAt?: Date;
  nextRunAt?: Date;
  /** Owner of the definition, e.g. `sync:<dir>` for folder-synced tests. */
  source?: string;
}

/** A stored suite: the domain spec plus what the database adds to it. */
export interface SuiteRecord {
  id: string;
  spec: SuiteSpec;
  /** Owner of the definition, e.g. `sync:<dir>` for folder-synced suites. */
  source?: string;
  createdAt: Date;
  updatedAt: Date;
  archivedAt?: Date;
}

/**
 * Database-side facts written together with a test spec. On update, an omitted field keeps
 * its stored value and null clears it.
 */
export interface TestWriteMeta {
  source?: string | null;
  /** Next cron fire time, computed by the caller with the domain's cron maths. */
  nextRunAt?: Date | null;
}

/** An issued token as recorded by jti; the JWT itself is never stored. */
export interface AccessTokenRecord {
  id: string;
  name: string;
  scopes: Scope[];
  namespaceSelectors: string[];
  runnerId?: string;
  issuedAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
  issuedBy?: string;
}

/** Whether a token's jti may still be honoured. */
export type TokenStatus = "active" | "revoked" | "expired" | "unknown";

/** A JWK as produced by jose's exportJWK: an open JSON object. */
export type Jwk = Record<string, unknown>;

/** A token signing key pair. */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  privateJwk: Jwk;
  publicJwk: Jwk;
  createdAt: Date;
  retiredAt?: Date;
}

/** The public half of a signing key, for verifiers and a JWKS document. */
export type PublicSigningKey = Omit<SigningKeyRecord, "privateJwk">;
