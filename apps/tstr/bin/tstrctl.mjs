#!/usr/bin/env node
// Runs the bundled build when present (pnpm build), else the TypeScript sources through tsx.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/tstr.mjs", import.meta.url);
if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
