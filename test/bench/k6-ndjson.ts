import { once } from "node:events";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { aggregateNdjson, forEachLine } from "@tstr/k6";
import { fmt, printTable } from "./bench-table.js";

const FIXTURE = path.resolve(
  import.meta.dirname,
  "../../../shared/fixtures/k6/ndjson/r00tsh_golang-api-test_k6_results.ndjson",
);
const TARGET_BYTES = 100 * 1024 * 1024;
const ROUNDS = 3;
const TARGET_RATIO = 0.5;

interface Timing {
  points: number;
  seconds: number;
}

/**
 * k6 NDJSON: points/s of `aggregateNdjson` (per-metric HdrHistograms, submetrics, checks and the
 * per-second series) against a baseline that reads the same file with the same line reader and
 * only `JSON.parse`s every line. The file (≥ 100 MB, in a temp dir, deleted afterwards) repeats a
 * real k6 run's Point lines back to back with shifted times: a long run at that run's own pace.
 * Each rate is the best of {@link ROUNDS} rounds, the two alternating.
 */
export async function k6NdjsonBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "tstr-k6-bench-"));
  try {
    const file = path.join(dir, "k6-results.ndjson");
    const { points, seconds: runSeconds } = await writeRepeatedRun(file);
    const bytes = statSync(file).size;
    let baseline: Timing | undefined;
    let aggregate: Timing | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      baseline = fastest(baseline, await timeParseOnly(file));
      aggregate = fastest(aggregate, await timeAggregate(file));
    }
    const row = (name: string, t: Timing) => {
      const rate = t.points / t.seconds;
      return [
        name,
        fmt(t.points),
        fmt(t.seconds, 2),
        fmt(rate),
        fmt(bytes / t.seconds / 1024 / 1024, 0),
        fmt(rate / ((baseline as Timing).points / (baseline as Timing).seconds), 2),
      ];
    };
    printTable(
      `k6 NDJSON: ${fmt(bytes / 1024 / 1024)} MB, ${fmt(points)} points over ${fmt(runSeconds)} s of run time (best of ${ROUNDS})`,
      [
        { title: "name", width: 58, left: true },
        { title: "points", width: 10 },
        { title: "s", width: 6 },
        { title: "points/s", width: 10 },
        { title: "MB/s", width: 5 },
        { title: "x baseline", width: 10 },
      ],
      [
        row("baseline: same line reader, JSON.parse of every line", baseline as Timing),
        row("aggregateNdjson: histograms, submetrics, per-second series", aggregate as Timing),
      ],
    );
    const ratio =
      (aggregate as Timing).points /
      (aggregate as Timing).seconds /
      ((baseline as Timing).points / (baseline as Timing).seconds);
    console.log(`  target: ≥ ${TARGET_RATIO} x baseline — ${ratio >= TARGET_RATIO ? "met" : "NOT met"}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fastest = (a: Timing | undefined, b: Timing) => (a === undefined || b.seconds < a.seconds ? b : a);

async function timeParseOnly(file: string): Promise<Timing> {
  let points = 0;
  const start = performance.now();
  await forEachLine(createReadStream(file), (line) => {
    if (line && JSON.parse(line).type === "Point") points++;
  });
  return { points, seconds: (performance.now() - start) / 1000 };
}

async function timeAggregate(file: string): Promise<Timing> {
  const start = performance.now();
  const result = await aggregateNdjson(createReadStream(file));
  const seconds = (performance.now() - start) / 1000;
  if (result.problemCount > 0) throw new Error(`the generated file has problems: ${result.problems.join("; ")}`);
  return { points: result.points, seconds };
}

/**
 * Writes the fixture's Metric lines once, then its Point lines again and again, each copy shifted
 * by the fixture's span (whole seconds) so time keeps moving forward, until the file is ≥ 100 MB.
 */
async function writeRepeatedRun(file: string): Promise<{ points: number; seconds: number }> {
  const lines = readFileSync(FIXTURE, "utf8").split("\n").filter(Boolean);
  const metrics = lines.filter((l) => l.includes('"type":"Metric"'));
  const pointLines = lines.filter((l) => l.includes('"type":"Point"'));
  const times = pointLines.map((l) => Date.parse(timeOf(l)));
  const span = Math.ceil((Math.max(...times) - Math.min(...times)) / 1000) + 1;
  const out = createWriteStream(file);
  out.write(`${metrics.join("\n")}\n`);
  let written = 0;
  let points = 0;
  let copy = 0;
  while (written < TARGET_BYTES) {
    const chunk = `${pointLines.map((l) => withShiftedTime(l, copy * span)).join("\n")}\n`;
    if (!out.write(chunk)) await once(out, "drain");
    written += chunk.length;
    points += pointLines.length;
    copy++;
  }
  out.end();
  await finished(out);
  return { points, seconds: copy * span };
}

const TIME = /"time":"([^"]+)"/;
const timeOf = (line: string) => TIME.exec(line)?.[1] ?? "";

/** The line with its RFC 3339 time moved `seconds` later, keeping its fraction and zone as k6 wrote them. */
function withShiftedTime(line: string, seconds: number): string {
  const time = timeOf(line);
  const wall = Date.UTC(
    Number(time.slice(0, 4)),
    Number(time.slice(5, 7)) - 1,
    Number(time.slice(8, 10)),
    Number(time.slice(11, 13)),
    Number(time.slice(14, 16)),
    Number(time.slice(17, 19)) + seconds,
  );
  return line.replace(time, `${new Date(wall).toISOString().slice(0, 19)}${time.slice(19)}`);
}
