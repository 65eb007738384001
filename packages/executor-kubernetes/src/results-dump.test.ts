import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseResultsDump, RESULTS_MOUNT, resultsDumpScript } from "./results-dump.js";

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
      await writeFile(join(root, "big.bin"), Buffer.alloc(3000, 1));
      await symlink("/etc/passwd", join(root, "link"));
      const script = resultsDumpScript(1000)
        .replace(`cd ${RESULTS_MOUNT}`, `cd '${root}'`)
        .replace(/^while :.*$/m, "dump");
      const { stdout } = await promisify(execFile)("/bin/busybox", ["sh", "-c", script]);
      const dump = parseResultsDump(stdout);
      expect(dump.complete).toBe(true);
      expect([...dump.files.keys()].sort()).toEqual(["junit/a b.xml", "result.json"]);
      expect(dump.skipped).toEqual([{ path: "big.bin", size: 3000 }]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
