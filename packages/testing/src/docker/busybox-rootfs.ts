import { execFile, spawn } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/** The part of a Dockerode client the image builders use (so @tstr/testing needs no dockerode). */
export interface TestImageDocker {
  getImage(name: string): { inspect(): Promise<unknown> };
  importImage(file: NodeJS.ReadableStream, options: object): Promise<NodeJS.ReadableStream>;
}

export const SETUP_HINT = "run `bash .ci/ensure-docker.sh` (installs docker.io + busybox-static, starts dockerd)";

/**
 * Builds `image` (`repo:tag`) with `docker import` from a busybox root filesystem, after `extend`
 * has added its own files to the rootfs. `changes` are Dockerfile instructions (ENV, CMD,
 * ENTRYPOINT). No registry is needed: the base is the host's busybox-static.
 */
export async function importBusyboxImage(
  docker: TestImageDocker,
  image: string,
  options: { busyboxPath: string; changes: string[]; extend?: (rootfs: string) => Promise<void> },
): Promise<void> {
  const rootfs = await mkdtemp(join(tmpdir(), "tstr-busybox-rootfs-"));
  try {
    await writeBusyboxRootfs(rootfs, options.busyboxPath);
    await options.extend?.(rootfs);
    const tar = spawn("tar", ["-C", rootfs, "-c", "."], { stdio: ["ignore", "pipe", "inherit"] });
    const tarExit = new Promise<number | null>((resolve) => tar.once("close", resolve));
    const [repo, tag = "latest"] = image.split(":");
    const progress = await docker.importImage(tar.stdout, { repo, tag, changes: options.changes });
    let answer = "";
    for await (const chunk of progress) answer += chunk.toString();
    if ((await tarExit) !== 0) throw new Error(`tar of the rootfs of ${image} failed; ${SETUP_HINT}`);
    if (answer.includes('"error"')) throw new Error(`importing ${image} failed: ${answer}`);
    await docker.getImage(image).inspect();
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
