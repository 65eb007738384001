import { readFileSync } from "node:fs";

/** A uid/gid pair to spawn PostgreSQL under. */
export interface ProcessIdentity {
  uid: number;
  gid: number;
}

const NOBODY: ProcessIdentity = { uid: 65534, gid: 65534 };

/**
 * PostgreSQL refuses to run as root, and CI runs as root. Rather than creating a system user
 * (which mutates the host), the server runs as `nobody`, which every Debian-like system has.
 * Returns undefined when we are not root and can simply run it as ourselves.
 */
export function unprivilegedIdentity(userName = "nobody"): ProcessIdentity | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  try {
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , uid, gid] = line.split(":");
      if (name === userName && uid && gid) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // No readable passwd file: fall back to the conventional ids below.
  }
  if (userName === "nobody") return NOBODY;
  throw new Error(`user ${userName} does not exist`);
}
