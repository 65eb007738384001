// Writes PNGs of the main pages to docs/screenshots/ from a real server with realistic data:
//   pnpm exec tsx test/browser/screenshots.ts
// Starts a throwaway PostgreSQL, `tstr serve`, a process runner, applies the examples, runs them a
// few times (plus a k6 report built from real k6 output), then drives Chromium. Not part of `pnpm test`.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { ControlService, DataService, Run_Result } from "@tstr/proto";
import { createEmptyDatabase, startPostgres } from "@tstr/testing";
import type { Page } from "playwright-core";
import { clientOf, issueToken, transportFor } from "../e2e/support/clients.js";
import { aggregateLines, fixtureLines, handRunner, k6Results } from "../e2e/support/k6-reports.js";
import { waitForRun } from "../e2e/support/runs.js";
import { runTstr } from "../e2e/support/tstr-process.js";
import { launchChromium } from "./support/chromium.js";
import { startStack } from "./support/stack.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const OUT = path.join(ROOT, "docs/screenshots");
const K6_FIXTURES = [
  "r00tsh_golang-api-test_k6_results.ndjson",
  "rodolfodpk_desafio-votacao_k6-results.first2000lines.ndjson",
];

const CHECKOUT_SCRIPT = `
echo "checkout-api smoke: target https://checkout.internal (run $TSTR_RUN_ID)"
for step in "GET /health" "POST /cart" "POST /cart/items" "POST /checkout" "GET /orders/latest"; do
  sleep 0.15; echo "✓ $step 200 (\${#step}3 ms)"
done
echo "warning: /checkout answered in 410 ms (budget 500 ms)" >&2
mkdir -p "$TSTR_RESULTS_DIR/junit"
echo '{"requests": 5, "slowest_ms": 410, "environment": "staging"}' > "$TSTR_RESULTS_DIR/result.json"
cat > "$TSTR_RESULTS_DIR/junit/checkout.xml" <<XML
<testsuite name="checkout" tests="3"><testcase classname="checkout.cart" name="adds an item" time="0.21"/><testcase classname="checkout.cart" name="removes an item" time="0.18"/><testcase classname="checkout.pay" name="pays by card" time="0.41"/></testsuite>
XML
if [ "$TSTR_LABEL_MODE" = fail ]; then echo "✗ POST /checkout 502 Bad Gateway" >&2; exit 1; fi
echo "all 5 steps passed"
`;

async function main() {
  const postgres = await startPostgres();
  const databaseUrl = postgres.url(await createEmptyDatabase(postgres.adminUrl));
  const stack = await startStack(databaseUrl, { runner: true });
  const browser = await launchChromium();
  try {
    const env = { TSTR_ADDR: stack.url, TSTR_TOKEN: stack.adminToken };
    for (const file of ["hello.yaml", "smoke.yaml", "suites.yaml"]) {
      const applied = await runTstr(["ctl", "apply", "-f", path.join(ROOT, "packages/cli/examples", file)], env);
      if (applied.code !== 0) throw new Error(`apply ${file}: ${applied.stderr}`);
    }
    const { runId, k6RunId } = await seed(stack.url, stack.adminToken);
    await mkdir(OUT, { recursive: true });
    const shot = async (page: Page, name: string, fullPage = false) => {
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
      process.stdout.write(`wrote docs/screenshots/${name}.png\n`);
    };

    const page = await browser.newPage({ width: 1366, height: 768 });
    await page.goto(stack.url);
    await page.getByLabel("Access token").fill("eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9");
    await shot(page, "sign-in");
    await page.getByLabel("Access token").fill(stack.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("[data-run-id]").first().waitFor();
    await shot(page, "dashboard");
    await page.goto(`${stack.url}/#/tests`);
    await page.locator("[data-test-name]").first().waitFor();
    await shot(page, "tests");
    const checkout = (await data(stack).getTest({ name: "checkout-api" })).test?.id;
    await page.goto(`${stack.url}/#/tests/${checkout}`);
    await page.locator("path.line").first().waitFor();
    await shot(page, "test-detail", true);
    await page.goto(`${stack.url}/#/runs/${runId}`);
    await page.locator("[data-tail=ended]").waitFor();
    await page.getByTestId("test-cases").waitFor();
    await shot(page, "run-detail", true);
    await page.goto(`${stack.url}/#/runs/${k6RunId}`);
    await page.getByTestId("k6-latency-chart").waitFor();
    await page.getByRole("region", { name: "k6 report" }).scrollIntoViewIfNeeded();
    await shot(page, "k6-report", true);
    await page.goto(`${stack.url}/#/runners`);
    await page.locator("[data-runner]").first().waitFor();
    await shot(page, "runners");
    await page.goto(`${stack.url}/#/suites`);
    await page.locator("[data-suite]").first().waitFor();
    await shot(page, "suites");
    await page.goto(`${stack.url}/#/tokens`);
    await page.locator("[data-token]").first().waitFor();
    await shot(page, "tokens");

    const phone = await browser.newPage({ width: 390, height: 844 });
    await phone.goto(stack.url);
    await phone.getByLabel("Access token").fill(stack.adminToken);
    await phone.getByRole("button", { name: "Sign in" }).click();
    await phone.getByRole("heading", { name: "Dashboard" }).waitFor();
    await phone.goto(`${stack.url}/#/runs/${runId}`);
    await phone.locator("[data-tail=ended]").waitFor();
    await shot(phone, "phone-run-detail");
  } finally {
    await browser.close();
    await stack.stop();
    await postgres.stop();
  }
}

const data = (stack: { url: string; adminToken: string }) =>
  clientOf(DataService, transportFor(stack.url, { token: stack.adminToken }));

/** Tests with history: passing and failing checkout runs, hello, the matrix, and two k6 reports. */
async function seed(url: string, admin: string) {
  const control = clientOf(ControlService, transportFor(url, { token: admin }));
  const dataApi = clientOf(DataService, transportFor(url, { token: admin }));
  await control.registerTest({
    name: "checkout-api",
    description: "Smoke test of the checkout API on staging.",
    labels: { team: "payments", tier: "smoke", env: "staging" },
    cronSchedule: "*/15 8-20 * * 1-5",
    timezone: "Europe/Berlin",
    runConfig: { containerImage: "busybox:1.36", command: "sh", args: ["-c", CHECKOUT_SCRIPT] },
    matrix: { labels: { region: { values: ["eu-west", "us-east"] } } },
  });
  await control.registerTest({
    name: "vote-api-load",
    description: "k6 load test of the voting API: 30 VUs for 60 s.",
    labels: { team: "core", tier: "load", kind: "k6" },
    executor: "k6",
    runConfig: { containerImage: "grafana/k6:0.52.0", command: "k6" },
  });
  let runId = "";
  for (const mode of ["pass", "pass", "fail", "pass", "pass", "pass", "fail", "pass"]) {
    const { runs } = await control.scheduleRun({ testName: "checkout-api", labels: { mode } });
    for (const run of runs) await waitForRun(dataApi, run.id);
    if (mode === "pass") runId = runs[0]?.id ?? runId;
  }
  for (const name of ["hello", "failing", "hello", "busybox-echo"]) {
    const { runs } = await control.scheduleRun({ testName: name });
    for (const run of runs) await waitForRun(dataApi, run.id);
  }
  await control.runSuite({ suiteName: "tier-example" });
  const registration = (await issueToken(url, admin, ["runner"])).token;
  const runner = await handRunner(url, registration, "k6-runner-eu", "kind=k6");
  let k6RunId = "";
  for (const file of K6_FIXTURES) {
    const result = aggregateLines(fixtureLines(file), {
      http_req_duration: ["p(95)<200"],
      http_req_failed: ["rate<0.05"],
    });
    const id = (await control.scheduleRun({ testName: "vote-api-load" })).runs[0]?.id ?? "";
    const attempt = (await runner.take(1)).get(id) ?? 1;
    await runner.start(id, attempt);
    await runner.report(k6Results(id, attempt, result));
    const ok = result.summary.thresholds.every((t) => t.ok);
    await runner.finish(id, attempt, ok ? Run_Result.PASS : Run_Result.FAIL, ok ? "" : "THRESHOLDS");
    k6RunId = id;
  }
  // One run in flight, so the dashboard and runners page show work in progress.
  await control.registerTest({
    name: "soak-test",
    labels: { team: "core", tier: "soak" },
    runConfig: {
      containerImage: "busybox:1.36",
      command: "sh",
      args: ["-c", "while true; do echo soak; sleep 1; done"],
    },
  });
  await control.scheduleRun({ testName: "soak-test" });
  await issueToken(url, admin, ["data:read"], ["default"]);
  return { runId, k6RunId };
}

await main();
