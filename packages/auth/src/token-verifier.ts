import type { Principal } from "./principal.js";
import type { VerificationKey } from "./signing-key.js";
import { decodeToken, InvalidTokenError } from "./token-codec.js";

/** Where the verifier learns whether a token id is still active (not revoked, deleted or expired). */
export interface TokenStatusSource {
  isActive(tokenId: string): Promise<boolean>;
}

export interface TokenVerifierOptions {
  keyFor: (kid: string) => VerificationKey | undefined;
  status: TokenStatusSource;
  /** How long a token's revocation status is trusted; bounds how late a revocation bites. */
  statusTtlMs?: number;
  now?: () => Date;
}

/** Verifies bearer tokens: signature and expiry locally, revocation against the database. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/**
 * Creates a verifier that caches each token's revocation status for `statusTtlMs` (default 2 s),
 * so a revocation takes effect on every replica within that time without a query per request.
 */
const MAX_CACHED = 10_000;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const ttl = options.statusTtlMs ?? 2000;
  const now = options.now ?? (() => new Date());
  const cache = new Map<string, { revoked: boolean; checkedAt: number }>();

  const inFlight = new Map<string, Promise<boolean>>();

  async function isRevoked(tokenId: string): Promise<boolean> {
    const at = now().getTime();
    const cached = cache.get(tokenId);
    if (cached && at - cached.checkedAt < ttl) return cached.revoked;
    // Concurrent requests with the same token share one lookup.
    let lookup = inFlight.get(tokenId);
    if (!lookup) {
      lookup = options.status.isActive(tokenId).then((active) => {
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
        cache.set(tokenId, { revoked: !active, checkedAt: at });
        return !active;
      });
      inFlight.set(tokenId, lookup);
      lookup.finally(() => inFlight.delete(tokenId)).catch(() => {});
    }
    return lookup;
  }

  return {
    async verify(token) {
      const principal = await decodeToken(token, options.keyFor, now());
      if (await isRevoked(principal.tokenId)) {
        throw new InvalidTokenError(`token ${principal.tokenId} has been revoked (or no longer exists)`);
      }
      return principal;
    },
  };
}
