import { describe, expect, it } from "vitest";
import { type K6RunConfig, k6CommandLine } from "./k6-command-line.js";
import { K6ConfigError } from "./k6-config-error.js";

const OUTPUTS = [
  "--summary-export",
  "$(TSTR_RESULTS_DIR)/k6-summary.json",
  "--out",
  "json=$(TSTR_RESULTS_DIR)/k6.ndjson",
];

const config = (over: Partial<K6RunConfig> = {}): K6RunConfig => ({
  image: "",
  command: "",
  args: [],
  files: [{ path: "smoke.js" }],
  executorOptions: {},
  ...over,
});

describe("k6CommandLine", () => {
  it("runs the only .js file with grafana/k6 and always writes both outputs", () => {
    expect(k6CommandLine(config({ files: [{ path: "data.json" }, { path: "smoke.js" }] }))).toEqual({
      image: "grafana/k6",
      command: ["k6", "run", "smoke.js", ...OUTPUTS],
    });
  });

  it("keeps the test's own image, command and args", () => {
    expect(
      k6CommandLine(config({ image: "grafana/k6:1.2.0", command: "/usr/bin/k6", args: ["run", "-q", "a.js"] })),
    ).toEqual({ image: "grafana/k6:1.2.0", command: ["/usr/bin/k6", "run", "-q", "a.js", ...OUTPUTS] });
  });

  it("maps every executor option to its flags, in a fixed order", () => {
    const { command } = k6CommandLine(
      config({
        executorOptions: {
          tags: "env=staging, team=qa",
          summary_trend_stats: "avg,p(95),p(99.9)",
          rps: "50",
          stages: "30s:10,1m:20,10s:0",
          iterations: "100",
          duration: "1m30s",
          vus: "10",
        },
      }),
    );
    expect(command).toEqual([
      "k6",
      "run",
      "smoke.js",
      ...["--vus", "10", "--duration", "1m30s", "--iterations", "100"],
      ...["--stage", "30s:10", "--stage", "1m:20", "--stage", "10s:0", "--rps", "50"],
      ...["--tag", "env=staging", "--tag", "team=qa", "--summary-trend-stats", "avg,p(95),p(99.9)"],
      ...OUTPUTS,
    ]);
  });

  it("runs executor_options.script, which may be a path in the image or a URL", () => {
    const files = [{ path: "a.js" }, { path: "lib/b.js" }];
    expect(k6CommandLine(config({ files, executorOptions: { script: "a.js" } })).command.slice(0, 3)).toEqual([
      "k6",
      "run",
      "a.js",
    ]);
    expect(k6CommandLine(config({ files: [], executorOptions: { script: "/scripts/x.js" } })).command[2]).toBe(
      "/scripts/x.js",
    );
  });

  it("gives a shard its execution segment and the run's whole segment sequence", () => {
    const { command } = k6CommandLine(config({ shard: { index: 1, count: 3 } }));
    expect(command).toEqual([
      "k6",
      "run",
      "smoke.js",
      ...["--execution-segment", "1/3:2/3", "--execution-segment-sequence", "0,1/3,2/3,1"],
      ...OUTPUTS,
    ]);
    expect(k6CommandLine(config({ shard: { index: 0, count: 1 } })).command).not.toContain("--execution-segment");
  });

  it("splits rps over the shards, whole numbers that add up to the run's total", () => {
    const rpsOf = (rps: string, index: number, count: number) => {
      const { command } = k6CommandLine(config({ executorOptions: { rps }, shard: { index, count } }));
      return command[command.indexOf("--rps") + 1];
    };
    expect([0, 1, 2].map((index) => rpsOf("10", index, 3))).toEqual(["4", "3", "3"]);
    expect([0, 1].map((index) => rpsOf("50", index, 2))).toEqual(["25", "25"]);
    expect([0, 1, 2].map((index) => rpsOf("3", index, 3))).toEqual(["1", "1", "1"]);
    expect(rpsOf("7", 0, 1)).toBe("7");
  });

  it("refuses an rps lower than the shard count, which would leave a shard unlimited", () => {
    const run = () => k6CommandLine(config({ executorOptions: { rps: "2" }, shard: { index: 2, count: 3 } }));
    expect(run).toThrow(K6ConfigError);
    expect(run).toThrow(
      /executor_options\["rps"\]: 2 requests per second cannot be split over 3 shards .*set rps to at least 3/,
    );
  });

  it.each<[string, Partial<K6RunConfig>, RegExp]>([
    [
      "several scripts",
      { files: [{ path: "a.js" }, { path: "b.js" }] },
      /2 \.js files \(a\.js, b\.js\).*executor_options\.script/,
    ],
    ["no script", { files: [{ path: "data.csv" }] }, /needs a script: add one \.js file/],
    [
      "an unknown option",
      { executorOptions: { vu: "10" } },
      /executor_options\["vu"\]: unknown k6 option; known options are script, vus, duration, iterations, stages, rps, tags, summary_trend_stats/,
    ],
    [
      "a bad vus",
      { executorOptions: { vus: "ten" } },
      /executor_options\["vus"\]: must be a positive whole number, got "ten"/,
    ],
    [
      "a bad stage",
      { executorOptions: { stages: "30s:10,1m" } },
      /executor_options\["stages"\]: entry "1m" is not a stage/,
    ],
    ["a bad tag", { executorOptions: { tags: "team" } }, /executor_options\["tags"\]: entry "team" is not a tag/],
    ["an empty duration", { executorOptions: { duration: " " } }, /executor_options\["duration"\]: must not be empty/],
    ["script and args", { args: ["run", "a.js"], executorOptions: { script: "b.js" } }, /both say what to run/],
  ])("refuses %s with a reason naming the field", (_, over, message) => {
    const build = () => k6CommandLine(config(over));
    expect(build).toThrow(K6ConfigError);
    expect(build).toThrow(message);
  });
});
