import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIo } from "../cli-io.js";

/** A CliIo whose output is collected, with a fresh home directory (so no real config is read). */
export interface CapturedIo extends CliIo {
  out: string;
  err: string;
}

/** Creates a capturing CliIo; `env` replaces the environment entirely. */
export function captureIo(overrides: Partial<CliIo> = {}): CapturedIo {
  const home = mkdtempSync(join(tmpdir(), "tstr-cli-home-"));
  const io: CapturedIo = {
    out: "",
    err: "",
    stdout: (s) => {
      io.out += s;
    },
    stderr: (s) => {
      io.err += s;
    },
    env: {},
    cwd: home,
    homeDir: home,
    ...overrides,
  };
  return io;
}
