import { ControlService, Run_Result } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "../e2e/support/clients.js";
import { aggregateLines, fixtureLines, handRunner, k6Results } from "../e2e/support/k6-reports.js";
import { type Browser, hasHorizontalOverflow, launchChromium } from "./support/chromium.js";
import { type Stack, startStack } from "./support/stack.js";

// A k6 run's report page in a real Chromium: the report is real k6 output (a shared fixture)
// aggregated by @tstr/k6 and sent through the runner API, as a runner does after `k6 run`.

const FAILING = "rodolfodpk_desafio-votacao_k6-results.first2000lines.ndjson"; // p(95) 123 ms, 19.7 % errors
const THRESHOLDS = { http_req_duration: ["p(95)<500"], http_req_failed: ["rate<0.01"] };

const database = useTestDatabase();
let stack: Stack;
let browser: Browser;
let runId = "";

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(database.url), launchChromium()]);
  const control = clientOf(ControlService, transportFor(stack.url, { token: stack.adminToken }));
  await control.registerTest({
    name: "vote-load",
    labels: { kind: "k6" },
    executor: "k6",
    runConfig: { containerImage: "grafana/k6", command: "k6" },
  });
  const registration = (await issueToken(stack.url, stack.adminToken, ["runner"])).token;
  const runner = await handRunner(stack.url, registration, "k6-hand", "kind=k6");
  runId = (await control.scheduleRun({ testName: "vote-load" })).runs[0]?.id ?? "";
  const attempt = (await runner.take(1)).get(runId) ?? 0;
  expect(attempt, "the hand runner took the k6 run").toBe(1);
  await runner.start(runId, attempt);
  await runner.report(k6Results(runId, attempt, aggregateLines(fixtureLines(FAILING), THRESHOLDS)));
  await runner.finish(runId, attempt, Run_Result.FAIL, "THRESHOLDS");
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

it("shows the summary, thresholds, latency and throughput charts and findings of a k6 run", async () => {
  const page = await browser.newPage();
  await page.goto(stack.url);
  await page.getByLabel("Access token").fill(stack.adminToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.goto(`${stack.url}/#/runs/${runId}`);
  const report = page.getByRole("region", { name: "k6 report" });
  await report.waitFor();
  expect(await page.locator("h1 [data-status=FAIL]").count()).toBe(1);

  // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator; innerText keeps the spaces between cards.
  const summary = await report.getByTestId("k6-summary").innerText();
  expect(summary).toMatch(/Requests\s+[\d,]+/);
  expect(summary).toMatch(/Errors\s+19\.\d+ %/);
  expect(summary).toMatch(/Latency p95\s+\d+(\.\d+)? ms/);

  const thresholds = report.getByTestId("k6-thresholds").locator("tbody tr");
  expect(await thresholds.allInnerTexts()).toEqual([
    expect.stringMatching(/passed\s+http_req_duration\s+p\(95\)<500/),
    expect.stringMatching(/failed\s+http_req_failed\s+rate<0.01/),
    // The script's own thresholds, recorded in the k6 output.
    expect.stringMatching(/passed\s+http_req_failed\s+rate<0.25/),
    expect.stringMatching(/passed\s+smoke_test_success\s+rate>0.99/),
  ]);

  for (const chart of ["k6-latency-chart", "k6-throughput-chart"]) {
    const lines = report.getByTestId(chart).locator("path.line");
    expect(await lines.count(), chart).toBeGreaterThanOrEqual(2);
    expect(
      (await lines.first().getAttribute("d"))?.split("L").length,
      `${chart} has a point per second`,
    ).toBeGreaterThan(5);
  }
  // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator; innerText keeps the spaces between words.
  expect(await report.getByTestId("k6-findings").innerText()).toMatch(/CRITICAL\s+rule\s+19\.7 % of HTTP requests/);
  expect(page.problems).toEqual([]);

  await page.setViewportSize({ width: 390, height: 844 });
  expect(await hasHorizontalOverflow(page), "the k6 report overflows at 390 px").toBe(false);
  await page.close();
});
