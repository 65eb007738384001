import { gunzipSync } from "node:zlib";

/** Name of the native sidecar that hands the results directory back through its log. */
export const RESULTS_CONTAINER = "tstr-results";
/** Where the sidecar sees the results emptyDir (read-only). */
export const RESULTS_MOUNT = "/tstr-results";

const BEGIN = "tstr-results-begin";
const END = "tstr-results-end";

/**
 * The sidecar's script (POSIX sh + busybox `find`, `wc`, `gzip`, `base64`, `sort`): it waits, and
 * on SIGTERM — which the kubelet sends native sidecars once the workload's container has exited,
 * and on pod deletion after it — prints every regular file under the results mount (symbolic
 * links are not followed) as `gzfile <size> <base64 path>`, its gzip-compressed content in base64
 * and `end`, between begin/end markers, then exits 0. `maxBytes` bounds the compressed total
 * (what goes through the log): a file that would exceed it is listed as `skipped <size> <path>`.
 */
export function resultsDumpScript(maxBytes: number): string {
  return [
    "dump() {",
    `  echo ${BEGIN}`,
    `  cd ${RESULTS_MOUNT} 2>/dev/null && find . -type f | sort | {`,
    "    total=0",
    "    while IFS= read -r f; do",
    '      size=$(wc -c < "$f")',
    '      packed=$(gzip -c < "$f" | wc -c)',
    `      name=$(printf '%s' "\${f#./}" | base64 | tr -d '\\n')`,
    `      if [ $((total + packed)) -le ${maxBytes} ]; then`,
    "        total=$((total + packed))",
    '        echo "gzfile $size $name"',
    '        gzip -c < "$f" | base64',
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

interface Entry {
  path: string;
  size: number;
  gzip: boolean;
  base64: string[];
}

/** An entry's content; undefined when it does not decompress to at most its announced size. */
function decode(entry: Entry): Buffer | undefined {
  const bytes = Buffer.from(entry.base64.join(""), "base64");
  if (!entry.gzip) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: Math.max(1, entry.size) });
  } catch {
    return undefined;
  }
}

/**
 * What a dump left out, as lines for the run's log: files skipped for the size budget, and a dump
 * cut short (some files may be missing). Empty when everything came back.
 */
export function resultsDumpNotices(dump: ResultsDump, maxBytes: number): string[] {
  const notices = dump.skipped.map(
    ({ path, size }) =>
      `tstr: results file ${path} (${size} bytes) was not collected: the results exceed the ${maxBytes}-byte budget of the Kubernetes results sidecar (compressed)`,
  );
  if (!dump.complete) {
    notices.push(
      "tstr: the results sidecar's dump was incomplete (it ended or timed out early): result files may be missing",
    );
  }
  return notices;
}

/** What the sidecar printed: the files, and whether the dump was complete. */
export interface ResultsDump {
  files: Map<string, Uint8Array>;
  /** Files left out for the size budget (path and size). */
  skipped: { path: string; size: number }[];
  /** The end marker arrived: the dump is whole (a cut stream must be read again). */
  complete: boolean;
}

/**
 * Parses the sidecar's log (`gzfile` entries are gunzipped; plain `file` entries, from an older
 * sidecar, are taken as they are); a file whose decoded size differs from the announced one is
 * dropped.
 */
export function parseResultsDump(log: string): ResultsDump {
  const dump: ResultsDump = { files: new Map(), skipped: [], complete: false };
  const lines = log.split("\n");
  let inside = false;
  let current: Entry | undefined;
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
      const content = decode(current);
      if (content?.byteLength === current.size) dump.files.set(current.path, new Uint8Array(content));
      current = undefined;
      continue;
    }
    const entry = /^(file|gzfile|skipped)\s+(\d+)\s+(\S+)$/.exec(line);
    if (entry) {
      const path = Buffer.from(entry[3]!, "base64").toString("utf8");
      if (entry[1] === "skipped") dump.skipped.push({ path, size: Number(entry[2]) });
      else current = { path, size: Number(entry[2]), gzip: entry[1] === "gzfile", base64: [] };
    } else if (line === END) {
      dump.complete = true;
      break;
    }
  }
  return dump;
}
