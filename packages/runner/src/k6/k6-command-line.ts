import { RESULTS_DIR_REFERENCE } from "@tstr/executor";
import { executionSegmentFlags } from "./execution-segment.js";
import { K6ConfigError } from "./k6-config-error.js";
import { k6OptionFlags } from "./k6-option-flags.js";

/** The run executor name that makes a run a k6 run. */
export const K6_EXECUTOR = "k6";
/** The image a k6 test runs when it names none. */
export const K6_DEFAULT_IMAGE = "grafana/k6";
/** What k6 writes into the results directory: `--summary-export` and `--out json=`. */
export const K6_SUMMARY_FILE = "k6-summary.json";
export const K6_NDJSON_FILE = "k6.ndjson";

/** The parts of a k6 test's run config the command line is built from. */
export interface K6RunConfig {
  image: string;
  command: string;
  args: readonly string[];
  files: readonly { path: string }[];
  executorOptions: Readonly<Record<string, string>>;
  /** Set for a distributed run: this run's shard (0-based) of `count`. */
  shard?: { index: number; count: number };
}

/** Image and full command line (program first) of a k6 workload. */
export interface K6CommandLine {
  image: string;
  command: string[];
}

/**
 * The k6 preset: image `grafana/k6` and program `k6` unless the test sets its own; when the test
 * gives no args, `run <script>` with the script from `executor_options.script` or else the test's
 * only `.js` file. Then the option flags (a shard's with its share of `rps`, which k6 does not split
 * across execution segments), the execution segment of a shard, and always the two
 * outputs tstr reads (`--summary-export` and `--out json=` into the results directory, named by
 * `$(TSTR_RESULTS_DIR)`, which each executor expands to the directory the workload sees).
 * Throws K6ConfigError when it cannot tell what to run or an option is unknown or malformed.
 */
export function k6CommandLine(config: K6RunConfig): K6CommandLine {
  const script = config.executorOptions.script?.trim();
  if (script !== undefined && config.args.length > 0) {
    throw new K6ConfigError(
      `run_config.executor_options["script"] and run_config.args both say what to run; set only one (args: ${config.args.join(" ")})`,
    );
  }
  const runArgs = config.args.length > 0 ? [...config.args] : ["run", script || onlyScriptFile(config.files)];
  const shardFlags = config.shard && config.shard.count > 1 ? segmentFlags(config.shard.index, config.shard.count) : [];
  return {
    image: config.image || K6_DEFAULT_IMAGE,
    command: [
      config.command || "k6",
      ...runArgs,
      ...k6OptionFlags(config.executorOptions, config.shard),
      ...shardFlags,
      "--summary-export",
      `${RESULTS_DIR_REFERENCE}/${K6_SUMMARY_FILE}`,
      "--out",
      `json=${RESULTS_DIR_REFERENCE}/${K6_NDJSON_FILE}`,
    ],
  };
}

function onlyScriptFile(files: readonly { path: string }[]): string {
  const scripts = files.map((file) => file.path).filter((path) => path.endsWith(".js"));
  if (scripts.length === 1) return scripts[0] as string;
  if (scripts.length === 0) {
    throw new K6ConfigError(
      "run_config.files: a k6 test needs a script: add one .js file, set run_config.executor_options.script, or set run_config.args",
    );
  }
  throw new K6ConfigError(
    `run_config.files: ${scripts.length} .js files (${scripts.join(", ")}); set run_config.executor_options.script to the one k6 should run`,
  );
}

function segmentFlags(index: number, count: number): string[] {
  try {
    const { segment, sequence } = executionSegmentFlags(index, count);
    return ["--execution-segment", segment, "--execution-segment-sequence", sequence];
  } catch (error) {
    throw new K6ConfigError(`shard_index: ${(error as Error).message}`);
  }
}
