import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, runTstr, spawnTstr, type TstrProcess, waitFor } from "../e2e/support/tstr-process.js";
import { type Browser, launchChromium } from "./support/chromium.js";
import { buildWebUi } from "./support/stack.js";

// The README's quick start, in a browser: `tstr dev` (embedded PostgreSQL, server, local runner)
// prints a web UI address and an admin token; a user opens the one, signs in with the other,
// starts the hello example and watches it finish live.

const EXAMPLE = path.resolve(import.meta.dirname, "../../packages/cli/examples/hello.yaml");
let dataDir = "";
let dev: TstrProcess | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await dev?.stop("SIGINT");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("the quick start in a browser", () => {
  it("opens the printed URL, signs in with the printed token, runs hello and watches it pass live", async () => {
    await buildWebUi();
    dataDir = await mkdtemp(path.join(os.tmpdir(), "tstr-dev-ui-"));
    const args = ["--data-dir", dataDir, "--pg-port", String(await freePort()), "--listen", "127.0.0.1:0"];
    const proc = spawnTstr(["dev", ...args, "--runner-executor", "process"]);
    dev = proc;
    const [printed, launched] = await Promise.all([
      waitFor(
        proc,
        () => {
          const ui = /Web UI\s+(http:\/\/\S+)/.exec(proc.stdout())?.[1];
          const token = /Admin token\s+(\S+)/.exec(proc.stdout())?.[1];
          return ui && token ? { ui, token } : undefined;
        },
        120_000,
      ),
      launchChromium(),
    ]);
    browser = launched;
    const api = printed.ui.replace(/\/$/, "");
    const applied = await runTstr(["ctl", "apply", "-f", EXAMPLE], { TSTR_ADDR: api, TSTR_TOKEN: printed.token });
    expect(applied.code, applied.stderr).toBe(0);

    const page = await browser.newPage();
    await page.goto(printed.ui);
    await page.getByLabel("Access token").fill(printed.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.getByRole("link", { name: "Tests", exact: true }).click();
    await page.getByRole("link", { name: "hello", exact: true }).click();
    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/);
    // hello prints its steps 0.2 s apart; they arrive while the run is going, then it passes.
    await page.locator("[data-stream=stdout]", { hasText: "step 1" }).waitFor({ timeout: 30_000 });
    await page.locator("h1 [data-status=PASS]").waitFor({ timeout: 30_000 });
    const stdout = await page.locator("[data-testid=log-lines] [data-stream=stdout] .log-text").allTextContents();
    expect(stdout.filter((line) => line.startsWith("step"))).toEqual(["step 1", "step 2", "step 3"]);
    expect(await page.locator("[data-stream=stderr]", { hasText: "a warning on stderr" }).count()).toBe(1);
    // hello's JUnit case is collected and shown.
    await page.getByText("says hello").waitFor();
    expect(page.problems).toEqual([]);
  }, 240_000);
});
