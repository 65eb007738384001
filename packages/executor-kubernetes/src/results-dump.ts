/** Name of the native sidecar that hands the results directory back through its log. */
export const RESULTS_CONTAINER = "tstr-results";
/** Where the sidecar sees the results emptyDir (read-only). */
export const RESULTS_MOUNT = "/tstr-results";

const BEGIN = "tstr-results-begin";
const END = "tstr-results-end";

/**
 * The sidecar's script (POSIX sh + busybox `find`, `wc`, `base64`, `sort`): it waits, and on
 * SIGTERM — which the kubelet sends native sidecars once the workload's container has exited, and
 * on pod deletion after it — prints every regular file under the results mount (symbolic links
 * are not followed) as `file <size> <base64 path>`, the base64 content and `end`, skipping files
 * once `maxBytes` would be exceeded, between begin/end markers, then exits 0.
 */
export function resultsDumpScript(maxBytes: number): string {
  return [
    "dump() {",
    `  echo ${BEGIN}`,
    `  cd ${RESULTS_MOUNT} 2>/dev/null && find . -type f | sort | {`,
    "    total=0",
    "    while IFS= read -r f; do",
    '      size=$(wc -c < "$f")',
    `      name=$(printf '%s' "\${f#./}" | base64 | tr -d '\\n')`,
    `      if [ $((total + size)) -le ${maxBytes} ]; then`,
    "        total=$((total + size))",
    '        echo "file $size $name"',
    '        base64 < "$f"',
    "        echo end",
    '      else echo "skipped $size $name"; fi',
    "    done",
    "  }",
    `  echo ${END}`,
    "}",
    "trap 'dump; exit 0' TERM INT",
    "echo tstr-results-ready",
    "while :; do sleep 1 & wait $!; done",
  ].join("\n");
}

/** What the sidecar printed: the files, and whether the dump was complete. */
export interface ResultsDump {
  files: Map<string, Uint8Array>;
  /** Files left out for the size budget (path and size). */
  skipped: { path: string; size: number }[];
  /** The end marker arrived: the dump is whole (a cut stream must be read again). */
  complete: boolean;
}

/** Parses the sidecar's log; a file whose decoded size differs from the announced one is dropped. */
export function parseResultsDump(log: string): ResultsDump {
  const dump: ResultsDump = { files: new Map(), skipped: [], complete: false };
  const lines = log.split("\n");
  let inside = false;
  let current: { path: string; size: number; base64: string[] } | undefined;
  for (const line of lines) {
    if (line === BEGIN) {
      inside = true;
      dump.files.clear();
      dump.skipped = [];
      continue;
    }
    if (!inside) continue;
    if (current) {
      if (line !== "end") {
        current.base64.push(line);
        continue;
      }
      const content = Buffer.from(current.base64.join(""), "base64");
      if (content.byteLength === current.size) dump.files.set(current.path, new Uint8Array(content));
      current = undefined;
      continue;
    }
    const entry = /^(file|skipped)\s+(\d+)\s+(\S+)$/.exec(line);
    if (entry) {
      const path = Buffer.from(entry[3]!, "base64").toString("utf8");
      if (entry[1] === "skipped") dump.skipped.push({ path, size: Number(entry[2]) });
      else current = { path, size: Number(entry[2]), base64: [] };
    } else if (line === END) {
      dump.complete = true;
      break;
    }
  }
  return dump;
}
