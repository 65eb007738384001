import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { useTestDatabase } from "@tstr/testing";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "./migrate.js";

const execFileAsync = promisify(execFile);
const t = useTestDatabase({ empty: true });
let outDir: string | undefined;
afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

// The server ships as one esbuild file; Prisma's query compiler (wasm) and the migrations
// must travel inside it. CommonJS dependencies (pg) need `require` in an ESM bundle.
const ENTRY = `
import { applyMigrations, createDatabase } from "./index.js";
const db = createDatabase(process.argv[2]);
const { applied } = await applyMigrations(db.pool);
const tests = await db.prisma.test.count();
await db.close();
console.log(JSON.stringify({ applied, tests }));
`;

describe("single-file bundle", () => {
  it("migrates and queries with nothing but the bundle on disk", async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "tstr-db-bundle-"));
    const outfile = path.join(outDir, "server.mjs");
    await build({
      stdin: { contents: ENTRY, resolveDir: path.dirname(fileURLToPath(import.meta.url)), loader: "ts" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      outfile,
      logLevel: "error",
      banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    });
    const { stdout } = await execFileAsync(process.execPath, [outfile, t.url], { cwd: outDir });
    expect(JSON.parse(stdout)).toEqual({ applied: MIGRATIONS.map((m) => m.name), tests: 0 });
  }, 60_000);
});
