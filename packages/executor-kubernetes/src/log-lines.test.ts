import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLineSplitter, createLogDeduper, type LogLine, nanosOf, parseLogLine } from "./log-lines.js";

const line = (stamp: string, text: string) => parseLogLine(Buffer.from(`${stamp} ${text}`), true);
const text = (lines: LogLine[]) => lines.map((l) => `${l.timestamp}|${l.content.toString()}|${l.newline}`);

describe("log lines", () => {
  it("parses kubelet timestamps with any number of fraction digits", () => {
    expect(nanosOf("2026-01-02T03:04:05Z")).toBe(1767323045000000000n);
    expect(nanosOf("2026-01-02T03:04:05.5Z")).toBe(1767323045500000000n);
    expect(nanosOf("2026-01-02T03:04:05.123456789Z")).toBe(1767323045123456789n);
    expect(nanosOf("not a time")).toBe(-1n);
    expect(parseLogLine(Buffer.from("no timestamp here"), true)).toMatchObject({ timestamp: "", nanos: -1n });
  });

  it("splits lines across reads; the rest is flushed as a last line or discarded", () => {
    const splitter = createLineSplitter();
    const stream = "2026-01-02T03:04:05.1Z one\n2026-01-02T03:04:05.2Z tw";
    expect(text(splitter.push(Buffer.from(stream.slice(0, 10))))).toEqual([]);
    expect(text(splitter.push(Buffer.from(stream.slice(10))))).toEqual(["2026-01-02T03:04:05.1Z|one|true"]);
    expect(text(splitter.push(Buffer.from("o")))).toEqual([]);
    expect(text(splitter.flush())).toEqual(["2026-01-02T03:04:05.2Z|two|false"]);
    splitter.push(Buffer.from("2026-01-02T03:04:06Z fragm"));
    splitter.discard();
    expect(splitter.flush()).toEqual([]);
  });
});

describe("createLogDeduper", () => {
  it("resumes one second before the newest line's second, at whole seconds", () => {
    const dedupe = createLogDeduper();
    expect(dedupe.resumeSince()).toBeUndefined();
    dedupe.admit(line("2026-01-02T03:04:05.9Z", "a"));
    expect(dedupe.resumeSince()).toBe("2026-01-02T03:04:04Z");
  });

  it("drops replayed lines and keeps lines that really repeat", () => {
    const dedupe = createLogDeduper();
    const first = [
      line("2026-01-02T03:04:05.1Z", "x"),
      line("2026-01-02T03:04:05.1Z", "x"),
      line("2026-01-02T03:04:05.2Z", "y"),
    ];
    expect(first.map((l) => dedupe.admit(l))).toEqual([true, true, true]);
    dedupe.startStream();
    const replay = [...first, line("2026-01-02T03:04:05.1Z", "x"), line("2026-01-02T03:04:05.3Z", "z")];
    expect(replay.map((l) => dedupe.admit(l))).toEqual([false, false, false, true, true]);
  });

  it("remembers only the resume window's lines, however long a healthy stream runs", () => {
    const dedupe = createLogDeduper();
    const start = Date.UTC(2026, 0, 2, 3, 4, 5);
    const stamp = (i: number) => new Date(start + i * 10).toISOString();
    for (let i = 0; i < 500; i++) expect(dedupe.admit(line(stamp(i), `early ${i}`))).toBe(true);
    dedupe.startStream();
    // A replay of the last second, then a long stream of new lines (100 per second for 200 s).
    for (let i = 400; i < 500; i++) expect(dedupe.admit(line(stamp(i), `early ${i}`))).toBe(false);
    for (let i = 500; i < 20_500; i++) expect(dedupe.admit(line(stamp(i), `line ${i}`))).toBe(true);
    expect(dedupe.remembered()).toBeLessThan(500);
  });

  it("delivers every line exactly once whatever the stream is cut into (property)", () => {
    const lines = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.constantFrom("a", "b", "c")), { maxLength: 40 });
    fc.assert(
      fc.property(lines, fc.array(fc.nat(), { maxLength: 4 }), (raw, cuts) => {
        let clock = 0;
        const all = raw.map(([step, content]) => {
          clock += step * 300;
          const stamp = new Date(Date.UTC(2026, 0, 2, 3, 4, 5) + clock).toISOString();
          return line(stamp, content);
        });
        const dedupe = createLogDeduper();
        const delivered: LogLine[] = [];
        let position = 0;
        for (const cut of [...cuts.map((c) => c % (all.length + 1)), all.length]) {
          const since = dedupe.resumeSince();
          const sinceNanos = since ? nanosOf(since) : -1n;
          dedupe.startStream();
          // The server replays every line at or after sinceTime, then continues.
          const replayFrom = all.findIndex((l) => l.nanos >= sinceNanos);
          const end = Math.max(position, cut);
          for (const l of all.slice(replayFrom === -1 ? position : Math.min(replayFrom, position), end)) {
            if (dedupe.admit(l)) delivered.push(l);
          }
          position = end;
        }
        expect(text(delivered)).toEqual(text(all));
      }),
    );
  });
});
