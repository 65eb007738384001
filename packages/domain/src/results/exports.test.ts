import { describe, expect, it } from "vitest";
import * as domain from "../index.js";

describe("@tstr/domain results entry points", () => {
  it("exports the result parsing API", () => {
    for (const name of [
      "parseJUnit",
      "JUnitParseError",
      "MAX_JUNIT_CASES",
      "createMarkerScanner",
      "extractMarkers",
      "parseResultJson",
      "mergeResultData",
      "decideOutcome",
      "runEnvironment",
      "labelEnvName",
      "truncateUtf8",
    ]) {
      expect(domain, name).toHaveProperty(name);
    }
  });
});
