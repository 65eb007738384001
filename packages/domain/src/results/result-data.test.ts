import { describe, expect, it } from "vitest";
import {
  MAX_RESULT_DATA_DEPTH,
  MAX_RESULT_DATA_KEYS,
  MAX_RESULT_JSON_BYTES,
  mergeResultData,
  parseResultJson,
} from "./result-data.js";
import { MAX_RESULT_TEXT_BYTES, TRUNCATION_SUFFIX } from "./truncate-text.js";

describe("parseResultJson", () => {
  it("flattens nested objects and arrays into dotted and indexed keys", () => {
    const text = `{${JSON.stringify({
      status: "ok",
      latency: { p95: 120.5, p99: 300 },
      runs: [{ ok: true }, { ok: false, errors: ["timeout", null] }],
      empty: {},
      none: [],
    }).slice(1, -1)}, "big": 12345678901234567890}`;
    expect(parseResultJson(text)).toEqual({
      data: {
        status: "ok",
        "latency.p95": "120.5",
        "latency.p99": "300",
        "runs[0].ok": "true",
        "runs[1].ok": "false",
        "runs[1].errors[0]": "timeout",
        "runs[1].errors[1]": "null",
        empty: "{}",
        none: "[]",
        big: "12345678901234567000",
      },
      problems: [],
    });
  });

  it("keeps keys in document order and strings exactly", () => {
    const { data } = parseResultJson('{"b": " spaced ", "a": "line\\nbreak", "c": "1"}');
    expect(Object.entries(data)).toEqual([
      ["b", " spaced "],
      ["a", "line\nbreak"],
      ["c", "1"],
    ]);
  });

  it("lets a later key win when flattening makes two keys equal", () => {
    expect(parseResultJson('{"a.b": "first", "a": {"b": "second"}}').data).toEqual({ "a.b": "second" });
  });

  it("flattens an empty key as written", () => {
    expect(parseResultJson('{"": {"x": 1}, "y": {"": 2}}').data).toEqual({ ".x": "1", "y.": "2" });
  });

  it("treats __proto__ as an ordinary key", () => {
    const { data } = parseResultJson('{"__proto__": {"polluted": "yes"}}');
    expect(data).toEqual({ "__proto__.polluted": "yes" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["", /not valid JSON/],
    ["{", /not valid JSON/],
    ["{'a': 1}", /not valid JSON/],
    ["[1, 2]", /must hold a JSON object, not an array/],
    ['"text"', /not a string/],
    ["42", /not a number/],
    ["null", /not null/],
  ])("reports %j as a problem with empty data", (text, problem) => {
    const parsed = parseResultJson(text);
    expect(parsed.data).toEqual({});
    expect(parsed.problems).toEqual([expect.stringMatching(problem)]);
  });

  it("accepts a byte order mark", () => {
    expect(parseResultJson('\uFEFF{"a": 1}').data).toEqual({ a: "1" });
  });

  it("refuses input over 1 MiB, counted in UTF-8 bytes", () => {
    const tooBig = `{"a": "${"é".repeat(MAX_RESULT_JSON_BYTES / 2)}"}`;
    expect(tooBig.length).toBeLessThan(MAX_RESULT_JSON_BYTES);
    expect(parseResultJson(tooBig)).toEqual({
      data: {},
      problems: [expect.stringMatching(/larger than 1048576 bytes/)],
    });
  });

  it("keeps 1,000 keys and says the rest were dropped", () => {
    const wide = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i]));
    const parsed = parseResultJson(JSON.stringify({ wide }));
    expect(Object.keys(parsed.data)).toHaveLength(MAX_RESULT_DATA_KEYS);
    expect(parsed.data["wide.k999"]).toBe("999");
    expect(parsed.problems).toEqual([`more than ${MAX_RESULT_DATA_KEYS} keys; the rest were dropped`]);
  });

  it("truncates values over 64 KiB and says which", () => {
    const parsed = parseResultJson(JSON.stringify({ log: "x".repeat(MAX_RESULT_TEXT_BYTES + 1), ok: "y" }));
    expect(parsed.data.log?.endsWith(TRUNCATION_SUFFIX)).toBe(true);
    expect(parsed.data.ok).toBe("y");
    expect(parsed.problems).toEqual(["values over 64 KiB were truncated: log"]);
  });

  it("drops values nested too deeply without overflowing the stack", () => {
    const deep = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    const parsed = parseResultJson(`{"ok": 1, "deep": ${deep}}`);
    expect(parsed.data).toEqual({ ok: "1" });
    expect(parsed.problems).toEqual([
      `values nested over ${MAX_RESULT_DATA_DEPTH} levels were dropped: deep${".a".repeat(MAX_RESULT_DATA_DEPTH - 1)}`,
    ]);
    const shallowEnough = parseResultJson(
      `{"x": ${'{"a":'.repeat(MAX_RESULT_DATA_DEPTH - 1)}1${"}".repeat(MAX_RESULT_DATA_DEPTH - 1)}}`,
    );
    expect(shallowEnough.problems).toEqual([]);
  });
});

describe("mergeResultData", () => {
  it("lets later sources win", () => {
    expect(mergeResultData({ a: "1", b: "1" }, { b: "2", c: "2" }, {}, { c: "3" })).toEqual({ a: "1", b: "2", c: "3" });
  });

  it("returns an empty object for no sources", () => {
    expect(mergeResultData()).toEqual({});
  });

  it("caps new keys at 1,000 but still lets later sources override kept ones", () => {
    const first = Object.fromEntries(Array.from({ length: MAX_RESULT_DATA_KEYS }, (_, i) => [`k${i}`, "old"]));
    const merged = mergeResultData(first, { k0: "new", extra: "dropped" });
    expect(Object.keys(merged)).toHaveLength(MAX_RESULT_DATA_KEYS);
    expect(merged.k0).toBe("new");
    expect(merged).not.toHaveProperty("extra");
  });

  it("keeps a __proto__ key as data", () => {
    const merged = mergeResultData(JSON.parse('{"__proto__": "x"}') as Record<string, string>);
    expect(Object.keys(merged)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});
