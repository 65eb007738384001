import { execFile, spawn } from "node:child_process";
import { access, chmod, constants, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/** The image Docker-backed tests run: busybox applets only, built locally (no registry here). */
export const TEST_IMAGE = "tstr-test/busybox:latest";
export const DOCKER_SOCKET = "/var/run/docker.sock";
const SETUP_HINT = "run `bash .ci/ensure-docker.sh` (installs docker.io + busybox-static, starts dockerd)";

/** The part of a Dockerode client this module uses (so @tstr/testing needs no dockerode). */
export interface TestImageDocker {
  getImage(name: string): { inspect(): Promise<unknown> };
  importImage(file: NodeJS.ReadableStream, options: object): Promise<NodeJS.ReadableStream>;
}

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
  const rootfs = await mkdtemp(join(tmpdir(), "tstr-busybox-rootfs-"));
  try {
    await writeBusyboxRootfs(rootfs, busyboxPath);
    const tar = spawn("tar", ["-C", rootfs, "-c", "."], { stdio: ["ignore", "pipe", "inherit"] });
    const tarExit = new Promise<number | null>((resolve) => tar.once("close", resolve));
    const progress = await docker.importImage(tar.stdout, {
      repo: TEST_IMAGE.split(":")[0],
      tag: "latest",
      changes: ["ENV PATH=/bin", 'CMD ["sh"]'],
    });
    let answer = "";
    for await (const chunk of progress) answer += chunk.toString();
    if ((await tarExit) !== 0) throw new Error(`tar of the busybox rootfs failed; ${SETUP_HINT}`);
    if (answer.includes('"error"')) throw new Error(`importing ${TEST_IMAGE} failed: ${answer}`);
    await docker.getImage(TEST_IMAGE).inspect();
    return TEST_IMAGE;
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

/** A minimal root filesystem: busybox, a relative symlink per applet, /tmp, root's passwd entry. */
async function writeBusyboxRootfs(rootfs: string, busyboxPath: string): Promise<void> {
  for (const dir of ["bin", "etc", "root", "tmp"]) await mkdir(join(rootfs, dir));
  await chmod(join(rootfs, "tmp"), 0o1777);
  await copyFile(busyboxPath, join(rootfs, "bin", "busybox"));
  await chmod(join(rootfs, "bin", "busybox"), 0o755);
  const { stdout } = await promisify(execFile)(busyboxPath, ["--list"]);
  for (const applet of stdout.split("\n").filter((name) => name && name !== "busybox")) {
    await symlink("busybox", join(rootfs, "bin", applet));
  }
  await writeFile(join(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  await writeFile(join(rootfs, "etc", "group"), "root:x:0:\n");
}
