import type { ScopeName } from "@tstr/proto";
import { errors, jwtVerify, SignJWT } from "jose";
import type { Principal } from "./principal.js";
import { type SigningKey, TOKEN_ALG, type VerificationKey } from "./signing-key.js";

const ISSUER = "tstr";

/** What a token says about its holder; `jti` is the access_tokens row id. */
export interface TokenClaims {
  tokenId: string;
  name: string;
  scopes: ScopeName[];
  namespaceSelectors: string[];
  runnerId?: string;
  issuedAt: Date;
  expiresAt?: Date;
}

/** Signs claims into a compact JWT. */
export async function encodeToken(claims: TokenClaims, key: SigningKey): Promise<string> {
  const jwt = new SignJWT({
    scp: claims.scopes,
    ns: claims.namespaceSelectors,
    ...(claims.runnerId ? { rid: claims.runnerId } : {}),
  })
    .setProtectedHeader({ alg: TOKEN_ALG, kid: key.kid, typ: "JWT" })
    .setIssuer(ISSUER)
    .setSubject(claims.name)
    .setJti(claims.tokenId)
    .setIssuedAt(Math.floor(claims.issuedAt.getTime() / 1000));
  if (claims.expiresAt) jwt.setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000));
  return jwt.sign(key.privateKey);
}

/** Why a bearer token was not accepted; the message is safe to show the caller. */
export class InvalidTokenError extends Error {}

/**
 * Checks signature, issuer and expiry, and returns the principal the token describes. Revocation
 * is not checked here (it needs the database); see createTokenVerifier.
 */
export async function decodeToken(
  token: string,
  keyFor: (kid: string) => VerificationKey | undefined,
  now: Date,
): Promise<Principal> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? keyFor(header.kid) : undefined;
        if (!key) throw new InvalidTokenError("token was signed by an unknown key");
        return key.publicKey;
      },
      { issuer: ISSUER, algorithms: [TOKEN_ALG], currentDate: now },
    );
    if (typeof payload.jti !== "string" || !Array.isArray(payload.scp)) {
      throw new InvalidTokenError("token lacks tstr claims");
    }
    return {
      tokenId: payload.jti,
      name: payload.sub ?? "",
      scopes: payload.scp as ScopeName[],
      namespaceSelectors: Array.isArray(payload.ns) ? (payload.ns as string[]) : [],
      ...(typeof payload.rid === "string" ? { runnerId: payload.rid } : {}),
      ...(payload.exp ? { expiresAt: new Date(payload.exp * 1000) } : {}),
    };
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    if (error instanceof errors.JWTExpired) throw new InvalidTokenError("token has expired");
    throw new InvalidTokenError("token is malformed or its signature is invalid");
  }
}
