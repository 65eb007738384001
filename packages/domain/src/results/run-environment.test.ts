import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labelsArbitrary } from "../test-support.js";
import { labelEnvName, type RunEnvironmentInput, runEnvironment } from "./run-environment.js";

const base: RunEnvironmentInput = {
  runId: "run-123",
  testName: "checkout-flow",
  attempt: 2,
  labels: {},
  resultsDir: "/tstr/results",
  namespace: "team-a",
  userEnv: {},
};

describe("labelEnvName", () => {
  it.each([
    ["app", "TSTR_LABEL_APP"],
    ["app.kubernetes.io/name", "TSTR_LABEL_APP_KUBERNETES_IO_NAME"],
    ["Env-Tier_2", "TSTR_LABEL_ENV_TIER_2"],
    ["é", "TSTR_LABEL__"],
  ])("%s → %s", (key, name) => {
    expect(labelEnvName(key)).toBe(name);
  });
});

describe("runEnvironment", () => {
  it("sets tstr's variables and one per label", () => {
    expect(runEnvironment({ ...base, labels: { browser: "firefox", "tstr.dev/os": "linux" } })).toEqual({
      TSTR_LABEL_BROWSER: "firefox",
      TSTR_LABEL_TSTR_DEV_OS: "linux",
      TSTR_RUN_ID: "run-123",
      TSTR_TEST_NAME: "checkout-flow",
      TSTR_ATTEMPT: "2",
      TSTR_NAMESPACE: "team-a",
      TSTR_RESULTS_DIR: "/tstr/results",
    });
  });

  it("keeps the test's env, but tstr's variables win over it", () => {
    const env = runEnvironment({
      ...base,
      labels: { app: "shop" },
      userEnv: { BASE_URL: "http://shop", TSTR_RUN_ID: "forged", TSTR_LABEL_APP: "forged", TSTR_CUSTOM: "mine" },
    });
    expect(env).toMatchObject({
      BASE_URL: "http://shop",
      TSTR_RUN_ID: "run-123",
      TSTR_LABEL_APP: "shop",
      TSTR_CUSTOM: "mine",
    });
  });

  it("resolves colliding label keys by key order, whatever order they arrive in", () => {
    const expected = { TSTR_LABEL_A_B: "from a.b" };
    expect(runEnvironment({ ...base, labels: { "a.b": "from a.b", "a-b": "from a-b" } })).toMatchObject(expected);
    expect(runEnvironment({ ...base, labels: { "a-b": "from a-b", "a.b": "from a.b" } })).toMatchObject(expected);
    expect(runEnvironment({ ...base, labels: { A_b: "upper", a_b: "lower" } })).toMatchObject({
      TSTR_LABEL_A_B: "lower",
    });
  });

  it("exposes every label under a variable holding its value", () => {
    fc.assert(
      fc.property(labelsArbitrary, (labels) => {
        const env = runEnvironment({ ...base, labels });
        const names = new Set(Object.keys(labels).map(labelEnvName));
        expect(
          Object.keys(env)
            .filter((name) => name.startsWith("TSTR_LABEL_"))
            .sort(),
        ).toEqual([...names].sort());
        for (const name of Object.keys(env)) expect(name).toMatch(/^[A-Z0-9_]+$/);
      }),
    );
  });
});
