import { access, constants } from "node:fs/promises";
import { request } from "node:http";
import { importBusyboxImage, SETUP_HINT, type TestImageDocker } from "./busybox-rootfs.js";

export type { TestImageDocker } from "./busybox-rootfs.js";

/** The image Docker-backed tests run: busybox applets only, built locally (no registry here). */
export const TEST_IMAGE = "tstr-test/busybox:latest";
export const DOCKER_SOCKET = "/var/run/docker.sock";

/** Whether a Docker engine answers `/_ping` on the socket (within two seconds). */
export function dockerAvailable(socketPath = DOCKER_SOCKET): Promise<boolean> {
  return new Promise((resolve) => {
    const ping = request({ socketPath, path: "/_ping", timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    ping.on("timeout", () => ping.destroy());
    ping.on("error", () => resolve(false));
    ping.end();
  });
}

/**
 * Returns the test image's name, importing it from the host's busybox-static first if the engine
 * lacks it. Tests call this in beforeAll and fail (never skip) with a hint when Docker or busybox
 * is missing: CI installs both, so a missing engine is a broken setup, not an optional feature.
 */
export async function ensureTestImage(docker: TestImageDocker, busyboxPath = "/bin/busybox"): Promise<string> {
  try {
    await docker.getImage(TEST_IMAGE).inspect();
    return TEST_IMAGE;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) {
      throw new Error(`No Docker engine reachable (${(err as Error).message}); ${SETUP_HINT}`);
    }
  }
  await access(busyboxPath, constants.X_OK).catch(() => {
    throw new Error(`${busyboxPath} is missing, needed to build ${TEST_IMAGE}; ${SETUP_HINT}`);
  });
  await importBusyboxImage(docker, TEST_IMAGE, { busyboxPath, changes: ["ENV PATH=/bin", 'CMD ["sh"]'] });
  return TEST_IMAGE;
}
