import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type Dockerode from "dockerode";
import { containerLabelKeys } from "./container-labels.js";
import { ignoringGone } from "./docker-api-errors.js";

/**
 * Removes containers labelled with this runner id, and results dirs under the runner's dir, that
 * this executor did not start: leftovers of an earlier process of the same runner that crashed or
 * was killed. Run at startup; the containers of live handles (`active`) are never touched.
 * Returns how many runs were reclaimed (a container and its dir count once).
 */
export async function cleanupDockerOrphans(
  docker: Dockerode,
  runnerId: string,
  runnerDir: string,
  active: ReadonlySet<string>,
): Promise<number> {
  const reclaimed = new Set<string>();
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${containerLabelKeys.runnerId}=${runnerId}`] },
  });
  for (const info of containers) {
    const name = info.Names[0]?.replace(/^\//, "") ?? info.Id;
    if (active.has(name)) continue;
    await ignoringGone(() => docker.getContainer(info.Id).remove({ force: true, v: true }));
    reclaimed.add(name);
  }
  for (const name of await readdir(runnerDir).catch(() => [])) {
    if (active.has(name)) continue;
    await rm(join(runnerDir, name), { recursive: true, force: true, maxRetries: 3 });
    reclaimed.add(name);
  }
  return reclaimed.size;
}
