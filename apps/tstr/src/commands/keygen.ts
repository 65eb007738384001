import { readFile } from "node:fs/promises";
import { generateSigningKey, type StoredSigningKey } from "@tstr/auth";

export const KEYGEN_USAGE = `usage: tstr keygen > signing-key.json

  Prints a new Ed25519 token signing key as JSON. Give the same file to every replica with
  --signing-key-file (env TSTR_SIGNING_KEY_FILE) to manage the key yourself, e.g. from a secret.
`;

/** `tstr keygen`: a fresh signing key on stdout. */
export async function keygenCommand(): Promise<void> {
  process.stdout.write(`${JSON.stringify(await generateSigningKey(), null, 2)}\n`);
}

/** Reads a key written by `tstr keygen`, naming the file and the problem when it is not one. */
export async function readSigningKeyFile(file: string): Promise<StoredSigningKey> {
  let parsed: Partial<StoredSigningKey>;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`--signing-key-file ${file}: ${(error as Error).message}`);
  }
  if (
    typeof parsed.kid !== "string" ||
    typeof parsed.alg !== "string" ||
    !parsed.privateJwk?.d ||
    !parsed.publicJwk?.x
  ) {
    throw new Error(
      `--signing-key-file ${file}: not a key from \`tstr keygen\` (needs kid, alg, privateJwk, publicJwk)`,
    );
  }
  return parsed as StoredSigningKey;
}
