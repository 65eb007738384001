import { DEFAULT_FILE_MODE, type ExecutionSpec, workloadFilePath } from "@tstr/executor";
import { pack } from "tar-stream";

/**
 * A tar of spec.files relative to the working directory, for `putArchive` before the container
 * starts. Docker creates the WorkingDir itself at create time, so the archive holds only the
 * files and their subdirectories: never an entry for the working dir, whose owner and mode in the
 * image must not change. Entries are owned by root, as `docker cp` would make them.
 */
export async function filesArchive(files: ExecutionSpec["files"]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
  const finished = new Promise<void>((resolve, reject) => {
    archive.on("end", resolve);
    archive.on("error", reject);
  });
  const directories = new Set<string>();
  for (const file of files) {
    const segments = workloadFilePath(file.path);
    for (let depth = 1; depth < segments.length; depth++) {
      const dir = segments.slice(0, depth).join("/");
      if (directories.has(dir)) continue;
      directories.add(dir);
      archive.entry({ name: `${dir}/`, type: "directory", mode: 0o755, uid: 0, gid: 0 });
    }
    archive.entry(
      { name: segments.join("/"), mode: file.mode ?? DEFAULT_FILE_MODE, uid: 0, gid: 0 },
      Buffer.from(file.content),
    );
  }
  archive.finalize();
  await finished;
  return Buffer.concat(chunks);
}
