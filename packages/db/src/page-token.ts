/** A page token that does not decode; edges map it to InvalidArgument. */
export class InvalidPageTokenError extends Error {
  override readonly name = "InvalidPageTokenError";
  constructor() {
    super("invalid page token");
  }
}

/**
 * Encodes the sort key of the last row of a page. Opaque to clients (base64url JSON), so the
 * key's shape can change without an API change; keyset paging stays stable under inserts.
 */
export function encodePageToken(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** Decodes a token made by {@link encodePageToken} for a key of `length` strings. */
export function decodePageToken(token: string, length: number): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (Array.isArray(key) && key.length === length && key.every((k) => typeof k === "string")) return key;
  } catch {
    // Falls through to the error below: any malformed token is the same client mistake.
  }
  throw new InvalidPageTokenError();
}
