import { constants } from "node:fs";
import { lstat, open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ResultFile } from "./executor.js";
import { workloadFilePath } from "./workload-file-path.js";

/**
 * Reads the regular files under a host results directory, sorted by relative path, taking each
 * file that still fits in `maxBytes` and skipping the ones that do not, so one huge artefact
 * cannot push `result.json` or the JUnit reports out. A missing directory yields no files.
 * Symbolic links are not followed: the workload must not make the runner read host files.
 */
export async function readResultsDir(root: string, maxBytes: number): Promise<ResultFile[]> {
  const files: ResultFile[] = [];
  let budget = maxBytes;
  for (const path of await listFiles(root, "")) {
    const absolute = join(root, path);
    const info = await lstat(absolute).catch(() => undefined);
    if (!info?.isFile() || info.size > budget) continue;
    const content = await readFile(absolute);
    if (content.byteLength > budget) continue;
    budget -= content.byteLength;
    files.push({ path, content: new Uint8Array(content.buffer, content.byteOffset, content.byteLength) });
  }
  return files;
}

async function listFiles(root: string, prefix: string): Promise<string[]> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT" || err.code === "ENOTDIR") return [];
    throw err;
  });
  const paths: string[] = [];
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) paths.push(...(await listFiles(root, path)));
    else if (entry.isFile()) paths.push(path);
  }
  return paths.sort();
}

/**
 * Opens `path` (relative, checked like spec.files paths) under a host results directory as a byte
 * stream, without following a symbolic link at its last component; undefined when it is missing or
 * not a regular file. For large outputs the runner must not read whole (k6's NDJSON).
 */
export async function openResultFile(root: string, path: string): Promise<AsyncIterable<Uint8Array> | undefined> {
  const file = await open(join(root, ...workloadFilePath(path)), constants.O_RDONLY | constants.O_NOFOLLOW).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT" || err.code === "ELOOP" || err.code === "ENOTDIR") return undefined;
      throw err;
    },
  );
  if (!file) return undefined;
  if (!(await file.stat()).isFile()) {
    await file.close();
    return undefined;
  }
  return file.createReadStream();
}
