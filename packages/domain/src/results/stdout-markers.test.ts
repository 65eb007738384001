import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMarkerScanner, extractMarkers, MAX_MARKERS, type Marker } from "./stdout-markers.js";
import { MAX_RESULT_TEXT_BYTES, TRUNCATION_SUFFIX } from "./truncate-text.js";

const marker = (body: string) => `\x1c\x1e${body}\x1e\x1c`;
// START, then a body containing neither START nor END, then END; built from code points
// because the linter rightly distrusts control characters written into regex literals.
const [FS, RS] = [String.fromCharCode(0x1c), String.fromCharCode(0x1e)];
const referencePattern = new RegExp(`${FS}${RS}((?:(?!${FS}${RS}|${RS}${FS})[\\s\\S])*)${RS}${FS}`, "g");

function scanInPieces(text: string, cuts: number[]): Marker[] {
  const scanner = createMarkerScanner();
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const found: Marker[] = [];
  let from = 0;
  for (const point of [...points, text.length]) {
    found.push(...scanner.push(text.slice(from, point)));
    from = point;
  }
  return [...found, ...scanner.end()];
}

describe("extractMarkers", () => {
  it("reads markers between ordinary output, trimming keys and values", () => {
    const text = `starting\n${marker(" status : ok ")}log line ${marker("latency_ms:12.5")}\n${marker("url: http://x:8080/a ")}`;
    expect(extractMarkers(text)).toEqual([{ status: "ok" }, { latency_ms: "12.5" }, { url: "http://x:8080/a" }]);
  });

  it("keeps an empty value and values with colons", () => {
    expect(extractMarkers(marker("k:") + marker("t: 12:30:00"))).toEqual([{ k: "" }, { t: "12:30:00" }]);
  });

  it.each([
    ["no colon", marker("just text")],
    ["empty key", marker("  : v")],
    ["over-long key", marker(`${"k".repeat(257)}:v`)],
    ["never closed", "\x1c\x1e key:v"],
    ["close without open", "key:v\x1e\x1c"],
    ["reversed", "\x1e\x1c key:v \x1c\x1e"],
  ])("ignores a malformed marker: %s", (_label, text) => {
    expect(extractMarkers(text)).toEqual([]);
  });

  it("restarts at a second start sequence, so a stray one does not hide the next marker", () => {
    expect(extractMarkers(`\x1c\x1e garbage ${marker("k:v")}`)).toEqual([{ k: "v" }]);
  });

  it("keeps a __proto__ key as an ordinary entry", () => {
    const [found] = extractMarkers(marker("__proto__: x"));
    expect(Object.keys(found ?? {})).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(found)).toBe(Object.prototype);
  });

  it("reads at most 1,000 markers", () => {
    expect(extractMarkers(marker("k:v").repeat(MAX_MARKERS + 5))).toHaveLength(MAX_MARKERS);
  });

  it("truncates a value over 64 KiB", () => {
    const [found] = extractMarkers(marker(`big:${"x".repeat(MAX_RESULT_TEXT_BYTES * 3)}`));
    expect(found?.big?.endsWith(TRUNCATION_SUFFIX)).toBe(true);
    expect(found?.big?.length).toBeLessThanOrEqual(MAX_RESULT_TEXT_BYTES);
  });
});

describe("createMarkerScanner", () => {
  it("finds a marker split inside its delimiters", () => {
    const scanner = createMarkerScanner();
    expect(scanner.push("out \x1c")).toEqual([]);
    expect(scanner.push("\x1e ke")).toEqual([]);
    expect(scanner.push("y:val \x1e")).toEqual([]);
    expect(scanner.push("\x1c more \x1c\x1ea:1\x1e\x1c\x1c\x1eb:2\x1e\x1c")).toEqual([
      { key: "val" },
      { a: "1" },
      { b: "2" },
    ]);
    expect(scanner.end()).toEqual([]);
  });

  it("keeps memory bounded while a huge marker streams in, and still reports it", () => {
    const scanner = createMarkerScanner();
    scanner.push("\x1c\x1ebig:");
    for (let i = 0; i < 100; i++) expect(scanner.push("y".repeat(10_000))).toEqual([]);
    const [found] = scanner.push("\x1e\x1c");
    expect(found?.big?.endsWith(TRUNCATION_SUFFIX)).toBe(true);
  });

  it("yields the same markers however the text is split", () => {
    const piece = fc.constantFrom("\x1c", "\x1e", "\x1c\x1e", "\x1e\x1c", "k", ":", " ", "v", "\n", "😀");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
        const text = pieces.join("");
        expect(scanInPieces(text, cuts)).toEqual(extractMarkers(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with a regular-expression reference on small texts", () => {
    const reference = (text: string): Marker[] =>
      [...text.matchAll(referencePattern)].flatMap(([, body = ""]) => {
        const colon = body.indexOf(":");
        const key = body.slice(0, colon).trim();
        return colon < 0 || key === "" ? [] : [{ [key]: body.slice(colon + 1).trim() }];
      });
    const piece = fc.constantFrom("\x1c", "\x1e", "k", ":", " ", "v");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join("");
        expect(extractMarkers(text)).toEqual(reference(text));
      }),
      { numRuns: 3000 },
    );
  });
});
