import { describe, expect, it } from "vitest";
import * as domain from "./index.js";

describe("@tstr/domain entry point", () => {
  it("exports the agreed API", () => {
    const names = [
      "ValidationError",
      "validateLabelKey",
      "validateLabelValue",
      "validateLabels",
      "formatLabels",
      "parseLabelAssignments",
      "parseSelector",
      "SelectorSyntaxError",
      "selectorMatches",
      "selectorFromRegexMap",
      "formatSelector",
      "runnerAccepts",
      "validateNamespace",
      "namespaceAllowed",
      "validateCron",
      "nextFireTimes",
      "parseDuration",
      "formatDuration",
      "expandMatrix",
      "matrixSize",
      "validateTestSpec",
      "DEFAULT_LIMITS",
      "DEFAULT_RETRY",
      "DEFAULT_TIMEOUT_MS",
      "ALL_SCOPES",
      "parseScope",
      "scopeSatisfies",
      "transition",
      "IllegalTransitionError",
    ];
    for (const name of names) expect(domain, name).toHaveProperty(name);
  });
});
