import { describe, expect, it } from "vitest";
import { k6SummaryPrompt } from "./k6-llm-prompt.js";
import { chatCompletionsUrl } from "./llm-client.js";

describe("chatCompletionsUrl", () => {
  it.each([
    ["http://127.0.0.1:11434", "http://127.0.0.1:11434/v1/chat/completions"],
    ["http://127.0.0.1:11434/", "http://127.0.0.1:11434/v1/chat/completions"],
    ["https://api.openai.com/v1", "https://api.openai.com/v1/chat/completions"],
    ["https://llm.example.com/openai/v1/", "https://llm.example.com/openai/v1/chat/completions"],
    ["https://x.example.com/v1/chat/completions", "https://x.example.com/v1/chat/completions"],
  ])("%s → %s", (endpoint, url) => {
    expect(chatCompletionsUrl(endpoint)).toBe(url);
  });
});

describe("k6SummaryPrompt", () => {
  it("keeps key and thresholded metrics, thresholds, failing checks and findings; leaves the rest out", () => {
    const prompt = k6SummaryPrompt(
      {
        verdict: "FAIL",
        reason: "THRESHOLDS",
        metrics: [
          { name: "http_req_duration", type: "trend", values: { avg: 12.3456, "p(95)": 40.123456 } },
          { name: "my_custom_trend", type: "trend", values: { avg: 1 } },
          { name: "login_time", type: "trend", values: { "p(99)": 900 } },
        ],
        thresholds: [{ metric: "login_time", expression: "p(99)<500", ok: false }],
        checks: [
          { group: "", name: "ok", passes: 10, fails: 0 },
          { group: "", name: "has token", passes: 7, fails: 3 },
        ],
        series: [],
        findings: [
          {
            kind: "rule",
            code: "HIGH_P95_LATENCY",
            severity: "warning",
            message: "slow",
            evidence: {},
            recommendation: "",
          },
        ],
        durationMs: 30_000,
        stats: {},
        shards: 2,
      },
      { testName: "checkout", labels: { env: "staging" } },
    );
    expect(prompt.user).toBe(
      [
        "Test: checkout (env=staging)",
        "Runners: 2; duration 30 s",
        "Verdict: FAIL (THRESHOLDS)",
        "Metrics (times in ms, data in bytes):",
        "- http_req_duration (trend): avg=12.35 p(95)=40.12",
        "- login_time (trend): p(99)=900",
        "Thresholds:",
        "- FAILED login_time: p(99)<500",
        "Checks: 17 passed, 3 failed",
        '- "has token": 3 failed, 7 passed',
        "Findings:",
        "- [warning] HIGH_P95_LATENCY: slow",
      ].join("\n"),
    );
    expect(prompt.system).toMatch(/k6 load test/);
  });
});
