import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseResultsDump, RESULTS_MOUNT, resultsDumpNotices, resultsDumpScript } from "./results-dump.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("parseResultsDump", () => {
  it("reads files between the markers, skipped ones listed", () => {
    const log = [
      "tstr-results-ready",
      "tstr-results-begin",
      `file 2 ${b64("a.txt")}`,
      b64("hi"),
      "end",
      `skipped 9000 ${b64("big.bin")}`,
      "tstr-results-end",
      "",
    ].join("\n");
    const dump = parseResultsDump(log);
    expect(dump.complete).toBe(true);
    expect([...dump.files].map(([path, content]) => [path, Buffer.from(content).toString()])).toEqual([
      ["a.txt", "hi"],
    ]);
    expect(dump.skipped).toEqual([{ path: "big.bin", size: 9000 }]);
  });

  it("gunzips gzfile entries and drops one that inflates past its announced size", () => {
    const packed = (text: string) => gzipSync(Buffer.from(text)).toString("base64");
    const log = (size: number) =>
      `tstr-results-begin\ngzfile ${size} ${b64("k6.ndjson")}\n${packed("{}\n{}\n")}\nend\ntstr-results-end\n`;
    expect(Buffer.from(parseResultsDump(log(6)).files.get("k6.ndjson")!).toString()).toBe("{}\n{}\n");
    expect(parseResultsDump(log(3)).files.size).toBe(0);
  });

  it("reports an incomplete dump as a notice", () => {
    const dump = parseResultsDump(`tstr-results-begin\nfile 2 ${b64("a")}\naGk=\nend\n`);
    expect(resultsDumpNotices(dump, 1000)).toEqual([
      "tstr: the results sidecar's dump was incomplete (it ended or timed out early): result files may be missing",
    ]);
  });

  it("is incomplete without the end marker, and drops a file whose size does not match", () => {
    expect(parseResultsDump(`tstr-results-begin\nfile 2 ${b64("a")}\naGk=\nend\n`).complete).toBe(false);
    const corrupt = parseResultsDump(`tstr-results-begin\nfile 5 ${b64("a")}\naGk=\nend\ntstr-results-end\n`);
    expect(corrupt.files.size).toBe(0);
  });

  it("round-trips a real directory through the sidecar script (host busybox sh)", async () => {
    const root = await mkdtemp(join(tmpdir(), "tstr-results-dump-"));
    try {
      await mkdir(join(root, "junit"));
      await writeFile(join(root, "junit", "a b.xml"), "<testsuite/>");
      await writeFile(join(root, "result.json"), '{"ok":true}');
      // Random bytes do not compress: over the budget. 20 kB of NDJSON-like text compresses well under it.
      await writeFile(join(root, "big.bin"), randomBytes(3000));
      const ndjson = Array.from({ length: 200 }, (_, i) => `{"metric":"http_req_duration","value":${i % 7}}`).join(
        "\n",
      );
      await writeFile(join(root, "metrics.ndjson"), ndjson);
      await symlink("/etc/passwd", join(root, "link"));
      const script = resultsDumpScript(1000)
        .replace(`cd ${RESULTS_MOUNT}`, `cd '${root}'`)
        .replace(/^while :.*$/m, "dump");
      const { stdout } = await promisify(execFile)("/bin/busybox", ["sh", "-c", script]);
      const dump = parseResultsDump(stdout);
      expect(dump.complete).toBe(true);
      expect([...dump.files.keys()].sort()).toEqual(["junit/a b.xml", "metrics.ndjson", "result.json"]);
      expect(Buffer.from(dump.files.get("metrics.ndjson")!).toString()).toBe(ndjson);
      expect(ndjson.length).toBeGreaterThan(1000);
      expect(dump.skipped).toEqual([{ path: "big.bin", size: 3000 }]);
      expect(resultsDumpNotices(dump, 1000)).toEqual([
        "tstr: results file big.bin (3000 bytes) was not collected: the results exceed the 1000-byte budget of the Kubernetes results sidecar (compressed)",
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
