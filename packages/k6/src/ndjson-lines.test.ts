import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forEachLine } from "./ndjson-lines.js";
import { chunksOf } from "./test-support.js";

async function linesOf(source: AsyncIterable<string | Uint8Array>, maxLineLength?: number) {
  const lines: string[] = [];
  let overlong = 0;
  const count = await forEachLine(source, (l) => lines.push(l), {
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
    onOverlong: () => overlong++,
  });
  return { lines, count, overlong };
}

describe("forEachLine", () => {
  it("returns the lines of any text however the bytes are cut, multi-byte characters included", async () => {
    const line = fc
      .string({ unit: fc.constantFrom("a", "é", "😀", "{", '"', " ", "\r") })
      .filter((l) => !l.endsWith("\r"));
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 20 }),
        fc.integer({ min: 1, max: 17 }),
        fc.boolean(),
        async (lines, size, crlf) => {
          const text = lines.map((l) => `${l}${crlf ? "\r\n" : "\n"}`).join("");
          const result = await linesOf(chunksOf(text, size));
          expect(result.lines).toEqual(lines);
          expect(result.count).toBe(lines.length);
        },
      ),
    );
  });

  it("takes string chunks and a last line without a newline", async () => {
    async function* strings() {
      yield '{"a":';
      yield '1}\n{"b"';
      yield ":2}";
    }
    expect((await linesOf(strings())).lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("drops lines longer than the limit as they stream, and counts them", async () => {
    const long = "x".repeat(100);
    const text = `short\n${long}\nok\n${long}`;
    for (const size of [1, 7, 64, 1000]) {
      const result = await linesOf(chunksOf(text, size), 50);
      expect(result).toEqual({ lines: ["short", "ok"], count: 4, overlong: 2 });
    }
  });
});
