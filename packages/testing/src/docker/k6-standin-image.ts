import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { access, chmod, constants, cp, readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { importBusyboxImage, SETUP_HINT, type TestImageDocker } from "./busybox-rootfs.js";
import { dockerSocketClient } from "./docker-socket-client.js";

/** The k6 stand-in image: busybox, `/bin/k6` = k6-standin.sh, the real k6 fixtures under /k6-fixtures. */
export const K6_STANDIN_IMAGE = "tstr-test/k6-standin:latest";

const REPO_ROOT = resolve(import.meta.dirname, "../../../..");
/** The recorded outputs of the real k6 (see /work/shared/fixtures/README.md), beside the repository. */
export const K6_FIXTURES_DIR = resolve(REPO_ROOT, "../shared/fixtures/k6");
const SCRIPT_PATH = join(import.meta.dirname, "k6-standin.sh");
const VERSION_VARIABLE = "TSTR_K6_STANDIN_VERSION";

/**
 * The stand-in's script (see the comment at its top): host tests with the process executor put it
 * on the PATH as `k6` and set K6_STANDIN_FIXTURES to {@link K6_FIXTURES_DIR}.
 */
export function k6StandinScript(): Promise<string> {
  return readFile(SCRIPT_PATH, "utf8");
}

/** Writes the stand-in as `<binDir>/k6` (executable); returns its path. */
export async function writeK6Standin(binDir: string): Promise<string> {
  const target = join(binDir, "k6");
  await writeFile(target, await k6StandinScript());
  await chmod(target, 0o755);
  return target;
}

/**
 * Returns {@link K6_STANDIN_IMAGE}, building it first when the engine lacks it or holds one built
 * from another script or other fixtures (the image carries a hash of both): k6 cannot be installed
 * here and no registry is reachable, so the Docker executor's k6 path is exercised with recorded
 * outputs of the real k6 instead. Fails with a clear message when the fixtures or Docker are missing.
 */
export async function ensureK6StandinImage(
  docker: TestImageDocker = dockerSocketClient(),
  busyboxPath = "/bin/busybox",
): Promise<string> {
  if (!existsSync(K6_FIXTURES_DIR)) {
    throw new Error(
      `the k6 fixtures are missing: expected real k6 outputs in ${K6_FIXTURES_DIR} (../shared/fixtures/k6 beside the repository)`,
    );
  }
  const version = await standinVersion();
  const present = await docker
    .getImage(K6_STANDIN_IMAGE)
    .inspect()
    .catch((err: { statusCode?: number; message?: string }) => {
      if (err.statusCode === 404) return undefined;
      throw new Error(`No Docker engine reachable (${err.message}); ${SETUP_HINT}`);
    });
  const env = (present as { Config?: { Env?: string[] } } | undefined)?.Config?.Env ?? [];
  if (env.includes(`${VERSION_VARIABLE}=${version}`)) return K6_STANDIN_IMAGE;
  await access(busyboxPath, constants.X_OK).catch(() => {
    throw new Error(`${busyboxPath} is missing, needed to build ${K6_STANDIN_IMAGE}; ${SETUP_HINT}`);
  });
  await importBusyboxImage(docker, K6_STANDIN_IMAGE, {
    busyboxPath,
    changes: ["ENV PATH=/bin", `ENV ${VERSION_VARIABLE}=${version}`, 'ENTRYPOINT ["k6"]'],
    async extend(rootfs) {
      await writeK6Standin(join(rootfs, "bin"));
      const target = join(rootfs, "k6-fixtures");
      await cp(K6_FIXTURES_DIR, target, { recursive: true });
      // The fixtures are read-only where they come from; the copy must stay removable.
      await chmod(target, 0o755);
      for (const entry of await readdir(target, { recursive: true, withFileTypes: true })) {
        await chmod(join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
      }
    },
  });
  return K6_STANDIN_IMAGE;
}

/** A hash of the script and every fixture file, so a changed stand-in is rebuilt. */
async function standinVersion(): Promise<string> {
  const hash = createHash("sha256").update(await k6StandinScript());
  const entries = await readdir(K6_FIXTURES_DIR, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  for (const file of files.sort()) hash.update(file.slice(K6_FIXTURES_DIR.length)).update(await readFile(file));
  return hash.digest("hex").slice(0, 16);
}
