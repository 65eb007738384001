import { randomUUID } from "node:crypto";
import type { Principal } from "@tstr/auth";
import { encodeToken, type SigningKey } from "@tstr/auth";
import type { AccessTokenRecord, TokensRepository } from "@tstr/db";
import { isUuid, type Scope, scopeSatisfies, ValidationError, validateNamespaceSelector } from "@tstr/domain";
import { ForbiddenError, NotFoundError } from "../errors.js";

/**
 * A token may only hand on what its issuer has: no scope the issuer lacks, and (unless the issuer
 * covers every namespace) only namespace selectors the issuer itself holds.
 */
function assertWithinIssuer(input: IssueTokenInput, issuer: Principal): void {
  const missing = input.scopes.filter((scope) => !scopeSatisfies(issuer.scopes, scope as Scope));
  if (missing.length) {
    throw new ForbiddenError(`token "${issuer.name}" cannot grant scopes it does not have: ${missing.join(", ")}`);
  }
  const everywhere = issuer.namespaceSelectors.some((s) => s === "*" || s === ".*");
  const wider = input.namespaceSelectors.filter((s) => !everywhere && !issuer.namespaceSelectors.includes(s));
  if (wider.length) {
    throw new ForbiddenError(
      `token "${issuer.name}" cannot grant namespace selectors beyond its own (${issuer.namespaceSelectors.join(", ")}): ${wider.join(", ")}`,
    );
  }
}

export interface IssueTokenInput {
  name: string;
  scopes: Scope[];
  namespaceSelectors: string[];
  validForMs?: number;
  runnerId?: string;
  /** The caller issuing the token; the new token may not exceed its rights. */
  issuer?: Principal;
}

/** Issues, lists and revokes access tokens; the JWT is returned once and never stored. */
export interface TokenService {
  issue(input: IssueTokenInput): Promise<{ record: AccessTokenRecord; token: string }>;
  get(id: string): Promise<AccessTokenRecord>;
  list(opts: { includeExpired: boolean; includeRevoked: boolean }): Promise<AccessTokenRecord[]>;
  revoke(id: string): Promise<AccessTokenRecord>;
}

const MAX_VALIDITY_MS = 10 * 365 * 24 * 3600 * 1000;

export function createTokenService(deps: { tokens: TokensRepository; key: SigningKey; now: () => Date }): TokenService {
  const { tokens, key, now } = deps;
  const get = async (id: string) => {
    const record = isUuid(id) ? await tokens.getById(id) : undefined;
    if (!record) throw new NotFoundError(`access token "${id}" not found`);
    return record;
  };
  return {
    async issue(input) {
      validateIssue(input);
      if (input.issuer) assertWithinIssuer(input, input.issuer);
      const issuedAt = now();
      const expiresAt = input.validForMs ? new Date(issuedAt.getTime() + input.validForMs) : undefined;
      const id = randomUUID();
      const record = await tokens.insert({
        id,
        name: input.name,
        scopes: input.scopes,
        namespaceSelectors: input.namespaceSelectors,
        runnerId: input.runnerId,
        expiresAt,
        issuedBy: input.issuer?.tokenId,
        issuedAt,
      });
      const token = await encodeToken(
        {
          tokenId: id,
          name: input.name,
          scopes: input.scopes,
          namespaceSelectors: input.namespaceSelectors,
          runnerId: input.runnerId,
          issuedAt,
          expiresAt,
        },
        key,
      );
      return { record, token };
    },
    get,
    list: (opts) => tokens.list({ ...opts, now: now() }),
    async revoke(id) {
      await get(id);
      await tokens.revoke(id, now());
      return get(id);
    },
  };
}

function validateIssue(input: IssueTokenInput) {
  const problems: { path: string; message: string }[] = [];
  if (!input.name.trim() || input.name.length > 200) {
    problems.push({ path: "name", message: "must be 1 to 200 characters" });
  }
  if (input.scopes.length === 0)
    problems.push({
      path: "scopes",
      message: "at least one scope is required",
    });
  if (input.validForMs !== undefined && (input.validForMs <= 0 || input.validForMs > MAX_VALIDITY_MS)) {
    problems.push({
      path: "valid_duration",
      message: "must be positive and at most 10 years",
    });
  }
  if (input.namespaceSelectors.length === 0) {
    problems.push({
      path: "namespace_selectors",
      message: 'at least one is required (e.g. "default", "team-.*", or ".*" for every namespace)',
    });
  }
  input.namespaceSelectors.forEach((selector, i) => {
    const problem = selector ? validateNamespaceSelector(selector) : "must not be empty";
    if (problem) problems.push({ path: `namespace_selectors[${i}]`, message: problem });
  });
  if (problems.length) throw new ValidationError(problems);
}
