import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// One configuration for the whole workspace: unit tests beside the code, end-to-end tests under
// test/e2e. A single PostgreSQL server is started for the run; each test file clones a template.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("..", import.meta.url)),
    include: [
      "packages/*/src/**/*.test.ts",
      "apps/*/src/**/*.test.ts",
      "test/e2e/**/*.test.ts",
      "test/browser/**/*.test.ts",
    ],
    globalSetup: [fileURLToPath(new URL("../packages/testing/src/vitest-global-setup.ts", import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", "json"],
    outputFile: { json: ".tstr/test-results.json" },
  },
});
