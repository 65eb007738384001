import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { RegisterTestRequestSchema, SuiteSchema } from "@tstr/proto";
import { describe, expect, it } from "vitest";
import { decodeProblem } from "./proto-json-value.js";

/** The error protobuf-es throws decoding `json` as `schema` (fails the test if it decodes). */
function decodeError(schema: Parameters<typeof fromJson>[0], json: unknown): unknown {
  try {
    fromJson(schema, json as JsonValue);
  } catch (error) {
    return error;
  }
  throw new Error("expected the decode to fail");
}

describe("decodeProblem", () => {
  it("names a top-level field of the document", () => {
    const error = decodeError(SuiteSchema, { name: "s", labels: { a: 1 } });
    expect(decodeProblem(SuiteSchema, error)).toEqual({ path: "labels", message: "expected string, got 1" });
  });

  it("names a nested field by its field names, a list by its field", () => {
    const error = decodeError(RegisterTestRequestSchema, {
      name: "a",
      run_config: { kubernetes: { volumes: [{ config_map: "c", secret: "s" }] } },
    });
    expect(decodeProblem(RegisterTestRequestSchema, error)).toEqual({
      path: "run_config.kubernetes.volumes.source",
      message: "oneof set multiple times by config_map and secret",
    });
  });

  it("falls back to the document when no field is to blame", () => {
    expect(decodeProblem(SuiteSchema, new Error("something else"))).toEqual({ path: "", message: "something else" });
  });
});
