import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { bytesOf } from "./container-env.js";
import type { KubeObject, ObjectStore } from "./object-store.js";

/** A pod volume made real on the host: the directory bind-mounted wherever the pod mounts it. */
export interface HostVolume {
  hostPath: string;
  /** Created for this pod and removed with it (not hostPath / emulated PVC directories). */
  owned: boolean;
}

/**
 * Makes a pod's volumes real as host directories: emptyDir (world-writable, like the kubelet's),
 * configMap and secret (their keys, or the listed `items` with modes, written as files),
 * hostPath (as is), persistentVolumeClaim (a directory per claim under `root`, standing in for a
 * bound volume). A missing ConfigMap/Secret is the kubelet's mount failure: the pod waits.
 */
export async function prepareVolumes(
  pod: KubeObject,
  store: ObjectStore,
  root: string,
): Promise<{ volumes: Map<string, HostVolume> } | { waiting: string }> {
  const volumes = new Map<string, HostVolume>();
  const namespace = pod.metadata.namespace;
  for (const volume of pod.spec.volumes ?? []) {
    if (volume.emptyDir) {
      const dir = await mkdtemp(join(root, "empty-"));
      await chmod(dir, 0o777);
      volumes.set(volume.name, { hostPath: dir, owned: true });
    } else if (volume.configMap || volume.secret) {
      const source = volume.configMap ?? volume.secret;
      const name = volume.configMap ? source.name : source.secretName;
      const object = store.get(volume.configMap ? "configmaps" : "secrets", namespace, name);
      if (!object) {
        if (source.optional) continue;
        const what = volume.configMap ? "configmap" : "secret";
        return { waiting: `MountVolume.SetUp failed for volume "${volume.name}" : ${what} "${name}" not found` };
      }
      const dir = await mkdtemp(join(root, "projected-"));
      await writeProjectedFiles(dir, bytesOf(object), source.items, source.defaultMode ?? 0o644);
      volumes.set(volume.name, { hostPath: dir, owned: true });
    } else if (volume.hostPath) {
      if (volume.hostPath.type === "DirectoryOrCreate") await mkdir(volume.hostPath.path, { recursive: true });
      volumes.set(volume.name, { hostPath: volume.hostPath.path, owned: false });
    } else if (volume.persistentVolumeClaim) {
      const dir = join(root, "pvc", namespace ?? "", volume.persistentVolumeClaim.claimName);
      await mkdir(dir, { recursive: true });
      await chmod(dir, 0o777);
      volumes.set(volume.name, { hostPath: dir, owned: false });
    } else {
      return { waiting: `volume "${volume.name}": this emulator supports emptyDir, configMap, secret, hostPath, PVC` };
    }
  }
  return { volumes };
}

async function writeProjectedFiles(
  dir: string,
  entries: Record<string, Buffer>,
  items: { key: string; path: string; mode?: number }[] | undefined,
  defaultMode: number,
): Promise<void> {
  const files = items ?? Object.keys(entries).map((key) => ({ key, path: key, mode: undefined }));
  for (const item of files) {
    const content = entries[item.key];
    if (content === undefined) continue;
    const target = join(dir, item.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    await chmod(target, item.mode ?? defaultMode);
  }
}
