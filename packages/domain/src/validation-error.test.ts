import { describe, expect, it } from "vitest";
import { listItemPath, mapEntryPath, throwIfViolations, ValidationError } from "./validation-error.js";

describe("ValidationError", () => {
  it("joins every violation into its message", () => {
    const error = new ValidationError([
      { path: "name", message: "is required" },
      { path: 'labels["a b"]', message: "is invalid" },
    ]);
    expect(error.message).toBe('name: is required; labels["a b"]: is invalid');
    expect(error.violations).toHaveLength(2);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ValidationError");
  });

  it("throwIfViolations throws only when there are violations", () => {
    expect(() => throwIfViolations([])).not.toThrow();
    expect(() => throwIfViolations([{ path: "x", message: "bad" }])).toThrow(ValidationError);
  });

  it("builds map and list paths a client can read", () => {
    expect(mapEntryPath("labels", "app.kubernetes.io/name")).toBe('labels["app.kubernetes.io/name"]');
    expect(mapEntryPath("run_config.env", 'a"b')).toBe('run_config.env["a\\"b"]');
    expect(listItemPath("run_config.files", 2)).toBe("run_config.files[2]");
  });
});
