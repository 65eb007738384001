import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`); TSTR_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.TSTR_CHROMIUM ?? "/usr/bin/chromium";

// Without these, Chromium on a closed network stalls on updates, sync, QUIC probes and the GPU.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A headless Chromium with a fresh profile; `close` removes the profile. */
export interface Browser {
  context: BrowserContext;
  /** A new tab (own sessionStorage) at a laptop size, recording console errors and CSP violations. */
  newPage(viewport?: { width: number; height: number }): Promise<Page & { problems: string[] }>;
  close(): Promise<void>;
}

/**
 * Launches Chromium through playwright-core. Fails (never skips) when Chromium is missing, saying
 * how to install it.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. Install it with ` +
        "`apt-get install -y chromium` (or run .ci/ensure-chromium.sh), or set TSTR_CHROMIUM to its path.",
    );
  }
  const profile = await mkdtemp(path.join(os.tmpdir(), "tstr-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1366, height: 768 },
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async newPage(viewport = { width: 1366, height: 768 }) {
      const page = (await context.newPage()) as Page & { problems: string[] };
      await page.setViewportSize(viewport);
      page.problems = [];
      page.on("console", (msg) => {
        if (msg.type() === "error" && !/net::ERR_|Failed to load resource|ERR_CONNECTION/.test(msg.text())) {
          page.problems.push(msg.text());
        }
      });
      page.on("pageerror", (error) => page.problems.push(`page error: ${error.message}`));
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** True when the page is wider than its viewport (a horizontal scrollbar on the whole page). */
export async function hasHorizontalOverflow(page: Page): Promise<boolean> {
  return page.evaluate("document.documentElement.scrollWidth > window.innerWidth") as Promise<boolean>;
}
