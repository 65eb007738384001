import { ControlService, DataService, Run_Result } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "../e2e/support/clients.js";
import { waitForRun } from "../e2e/support/runs.js";
import { type Browser, hasHorizontalOverflow, launchChromium } from "./support/chromium.js";
import { type Stack, startStack } from "./support/stack.js";

// The core flow in a real Chromium against a real `tstr serve` and `tstr runner`: sign in, run a
// test and watch its log arrive live until PASS, cancel a run, survive a server crash mid-run.

const database = useTestDatabase();
let stack: Stack;
let browser: Browser;
const control = () => clientOf(ControlService, transportFor(stack.url, { token: stack.adminToken }));
const data = () => clientOf(DataService, transportFor(stack.url, { token: stack.adminToken }));

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(database.url, { runner: true }), launchChromium()]);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A new tab, signed in with `token`, on the dashboard. */
async function signedIn(token = stack.adminToken, viewport?: { width: number; height: number }) {
  const page = await browser.newPage(viewport);
  await page.goto(stack.url);
  await page.getByLabel("Access token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  return page;
}

const logTexts = (page: Page, stream: string) =>
  page.locator(`[data-testid=log-lines] [data-stream=${stream}] .log-text`).allTextContents();

async function register(name: string, script: string, extra: Record<string, unknown> = {}) {
  await control().registerTest({
    name,
    labels: { team: "web" },
    runConfig: { containerImage: "busybox", command: "sh", args: ["-c", script], ...extra },
  });
}

describe("signing in", () => {
  it("refuses a wrong token with a clear message, then accepts the bootstrap token", async () => {
    const page = await browser.newPage();
    await page.goto(stack.url);
    await page.getByLabel("Access token").fill("not-a-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("The server rejected this token");
    await page.getByLabel("Access token").fill(stack.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await page.getByLabel("Namespace").inputValue()).toBe("default");
    expect(await page.getByText("bootstrap-admin").count()).toBe(1);
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it("sends a revoked token back to sign-in, saying why", async () => {
    const reader = await issueToken(stack.url, stack.adminToken, ["data:read"]);
    const page = await signedIn(reader.token);
    expect(await page.getByRole("link", { name: "Tokens" }).count(), "Tokens is for admins only").toBe(0);
    await clientOf(
      (await import("@tstr/proto")).AdminService,
      transportFor(stack.url, { token: stack.adminToken }),
    ).revokeAccessToken({ id: reader.id });
    // The server caches token status for up to 2 s; the dashboard refreshes every few seconds.
    await page.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/not accepted.*Sign in again/s);
    await page.close();
  });
});

describe("running a test from the UI", () => {
  it("runs now and shows the log live, stdout and stderr apart, until PASS, without a reload", async () => {
    await register("slow-lines", "for i in 1 2 3 4 5; do echo line $i; echo err $i >&2; sleep 0.5; done");
    const page = await signedIn();
    await page.getByRole("link", { name: "Tests", exact: true }).click();
    await page.getByRole("link", { name: "slow-lines" }).click();
    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split("/").at(-1) ?? "";

    // Live: the first line is on screen while the run is still going.
    await page.locator("[data-stream=stdout]", { hasText: "line 1" }).waitFor();
    const early = await logTexts(page, "stdout");
    expect(early).not.toContain("line 5");
    expect(
      (await data().getRun({ id: runId })).run?.finishedAt,
      "run still running when line 1 showed",
    ).toBeUndefined();

    await page.locator("h1 [data-status=PASS]").waitFor({ timeout: 20_000 });
    expect(await logTexts(page, "stdout")).toEqual(["line 1", "line 2", "line 3", "line 4", "line 5"]);
    expect(await logTexts(page, "stderr")).toEqual(["err 1", "err 2", "err 3", "err 4", "err 5"]);
    const colour = (stream: string) =>
      page.evaluate(`getComputedStyle(document.querySelector("[data-stream=${stream}] .log-text")).color`);
    expect(await colour("stderr")).not.toBe(await colour("stdout"));
    expect(await page.locator("[data-stream=stderr] .log-tag").first().textContent()).toBe("err");
    await page.locator("[data-tail=ended]").waitFor();

    // Search filters and highlights.
    await page.getByPlaceholder("Search log…").fill("line 3");
    await expect.poll(() => logTexts(page, "stdout")).toEqual(["line 3"]);
    expect(await page.locator("[data-testid=log-lines] mark").textContent()).toBe("line 3");
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it("cancels a long run from the UI, which ends CANCELLED", async () => {
    await register("long", "echo started; sleep 60", { gracePeriod: { seconds: 1n, nanos: 0 } });
    const runId = (await control().scheduleRun({ testName: "long" })).runs[0]?.id ?? "";
    const page = await signedIn();
    await page.goto(`${stack.url}/#/runs/${runId}`);
    await page.locator("[data-stream=stdout]", { hasText: "started" }).waitFor({ timeout: 20_000 });
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.locator("h1 [data-status=CANCELLED]").waitFor({ timeout: 15_000 });
    expect((await data().getRun({ id: runId })).run?.result).toBe(Run_Result.CANCELLED);
    expect(await page.getByRole("button", { name: "Cancel run" }).count()).toBe(0);
    await page.close();
  });

  it("resumes the log after the server crashes mid-run, without duplicating or losing lines", async () => {
    await register("ticks", 'for i in $(seq 1 16); do echo "tick $i"; sleep 0.4; done');
    const runId = (await control().scheduleRun({ testName: "ticks" })).runs[0]?.id ?? "";
    const page = await signedIn();
    await page.goto(`${stack.url}/#/runs/${runId}`);
    await page.locator("[data-stream=stdout]", { hasText: "tick 2" }).waitFor({ timeout: 20_000 });
    await stack.killServer();
    await page.locator("[data-tail=reconnecting]").waitFor({ timeout: 10_000 });
    await stack.startServer();
    await page.locator("h1 [data-status=PASS]").waitFor({ timeout: 30_000 });
    await page.locator("[data-tail=ended]").waitFor();
    expect(await logTexts(page, "stdout")).toEqual(Array.from({ length: 16 }, (_, i) => `tick ${i + 1}`));
    await page.close();
  }, 60_000);
});

describe("pages", () => {
  it("the dashboard counts the runs by result", async () => {
    await register("fails", "echo nope; exit 2");
    const failed = (await control().scheduleRun({ testName: "fails" })).runs[0]?.id ?? "";
    await waitForRun(data(), failed);
    const page = await signedIn();
    // slow-lines and ticks passed, fails failed, long was cancelled.
    await expect.poll(() => page.locator("[data-count=pass]").textContent()).toBe("2");
    expect(await page.locator("[data-count=fail]").textContent()).toBe("1");
    expect(await page.locator("[data-count=cancelled]").textContent()).toBe("1");
    expect(await page.getByTestId("stat-runs").textContent()).toContain("4");
    await expect.poll(() => page.getByTestId("stat-runners").textContent()).toContain("1 / 1");
    await page.locator("[data-run-id]").first().waitFor();
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it("a phone-sized screen shows every main page without horizontal scrolling", async () => {
    const page = await signedIn(stack.adminToken, { width: 390, height: 844 });
    const runId = (await data().queryRuns({ pageSize: 1 })).runs[0]?.id ?? "";
    const testId = (await data().getTest({ name: "slow-lines" })).test?.id ?? "";
    for (const hash of ["#/", "#/tests", `#/tests/${testId}`, `#/runs/${runId}`, "#/runners", "#/tokens"]) {
      await page.goto(`${stack.url}/${hash}`);
      await page.locator("main h1").first().waitFor();
      await page.waitForLoadState("networkidle").catch(() => {});
      expect(await hasHorizontalOverflow(page), `${hash} overflows at 390 px`).toBe(false);
    }
    await page.close();
  });
});
