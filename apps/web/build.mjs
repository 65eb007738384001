// Builds the web UI into dist/: index.html (never cached) and content-hashed assets/app-<hash>.js
// (+ source map) and assets/app-<hash>.css (cached forever). Safe to run concurrently and
// repeatedly: files are written under temporary names and renamed into place, and the same
// sources give the same file names.
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#2563eb"/><path d="M9 10h14M16 10v13" stroke="#fff" stroke-width="3.5" stroke-linecap="round"/></svg>
`;

const root = import.meta.dirname;
const dist = path.join(root, "dist");
const assets = path.join(dist, "assets");
const staging = path.join(dist, `.staging-${process.pid}-${Date.now()}`);

await mkdir(assets, { recursive: true });
try {
  const result = await build({
    entryPoints: { app: path.join(root, "src/main.tsx") },
    outdir: staging,
    entryNames: "[name]-[hash]",
    bundle: true,
    minify: true,
    sourcemap: "linked",
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
  const script = outputs.find((f) => f.endsWith(".js"));
  const style = outputs.find((f) => f.endsWith(".css"));
  if (!script || !style) throw new Error(`apps/web/build.mjs: expected a .js and a .css output, got ${outputs}`);
  await writeFile(path.join(staging, "favicon.svg"), FAVICON);
  await writeFile(path.join(staging, "index.html"), indexHtml(script, style));
  const keep = new Set([...outputs, "favicon.svg"]);
  for (const file of keep) await rename(path.join(staging, file), path.join(assets, file));
  await rename(path.join(staging, "index.html"), path.join(dist, "index.html"));
  for (const old of await readdir(assets)) {
    if (!keep.has(old)) await rm(path.join(assets, old), { force: true });
  }
  process.stdout.write(`built ${path.relative(process.cwd(), dist) || "."}: assets/${script}, assets/${style}\n`);
} finally {
  await rm(staging, { recursive: true, force: true });
}

function indexHtml(script, style) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>tstr</title>
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/${style}">
<script type="module" src="assets/${script}"></script>
</head>
<body>
<div id="app"><noscript>The tstr web UI needs JavaScript.</noscript></div>
</body>
</html>
`;
}
