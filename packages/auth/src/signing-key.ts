import { randomUUID } from "node:crypto";
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";

/** The JWS algorithm tstr signs tokens with (Ed25519). */
export const TOKEN_ALG = "EdDSA";

/** A signing key as stored: JWKs, so every replica can load the same key from the database. */
export interface StoredSigningKey {
  kid: string;
  alg: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A key ready to sign and verify with. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** The public half of a key: enough to verify tokens it signed. */
export type VerificationKey = Pick<SigningKey, "kid" | "publicKey">;

/** Loads the public half of a stored key (keys of other replicas or earlier configurations). */
export async function loadVerificationKey(key: { kid: string; alg: string; publicJwk: JWK }): Promise<VerificationKey> {
  return { kid: key.kid, publicKey: (await importJWK(key.publicJwk, key.alg)) as CryptoKey };
}

/** Makes a fresh Ed25519 key pair in its storable form. */
export async function generateSigningKey(): Promise<StoredSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALG, {
    crv: "Ed25519",
    extractable: true,
  });
  return {
    kid: randomUUID(),
    alg: TOKEN_ALG,
    privateJwk: await exportJWK(privateKey),
    publicJwk: await exportJWK(publicKey),
  };
}

/** Turns a stored key into usable crypto keys. */
export async function loadSigningKey(stored: StoredSigningKey): Promise<SigningKey> {
  const privateKey = await importJWK(stored.privateJwk, stored.alg);
  const publicKey = await importJWK(stored.publicJwk, stored.alg);
  if (!(privateKey instanceof Object) || privateKey instanceof Uint8Array) {
    throw new Error(`signing key ${stored.kid} is not an asymmetric key`);
  }
  return { kid: stored.kid, privateKey, publicKey: publicKey as CryptoKey };
}
