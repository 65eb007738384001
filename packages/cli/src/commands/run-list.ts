import { create } from "@bufbuild/protobuf";
import { QueryRunsResponseSchema, type Run, Run_Result, RunStatus } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import type { ParsedFlags } from "../cli/parsed-flags.js";
import { CliError, usageError } from "../cli-error.js";
import { lookUpRunnerNames } from "../client/runner-names.js";
import { renderMessage } from "../output/output-format.js";
import { RUN_COLUMNS, runRow } from "../output/run-view.js";
import { renderTable } from "../output/table.js";
import { testReference } from "./test-reference.js";

const DEFAULT_LIMIT = 50;
const MAX_PAGE_SIZE = 1_000;

const STATUSES: Record<string, RunStatus> = {
  queued: RunStatus.QUEUED,
  assigned: RunStatus.ASSIGNED,
  running: RunStatus.RUNNING,
  cancelling: RunStatus.CANCELLING,
  finished: RunStatus.FINISHED,
};

const RESULTS: Record<string, Run_Result> = {
  pass: Run_Result.PASS,
  fail: Run_Result.FAIL,
  error: Run_Result.ERROR,
  cancelled: Run_Result.CANCELLED,
  timed_out: Run_Result.TIMED_OUT,
};

/** `tstrctl run list`: the newest runs first, filtered by test, status, result or matrix. */
export const runListCommand: CommandSpec = {
  path: ["run", "list"],
  summary: "List runs, newest first",
  synopsis: "run list [--test NAME|ID] [--status S…] [--result R…] [--matrix ID] [--limit N] [-o table|json|yaml]",
  options: {
    test: { type: "string" },
    status: { type: "string", multiple: true },
    result: { type: "string", multiple: true },
    matrix: { type: "string" },
    limit: { type: "string" },
  },
  flagHelp: [
    ["    --test NAME|ID", "only runs of this test"],
    ["    --status STATUS", `only runs in this state: ${Object.keys(STATUSES).join(", ")}; repeatable`],
    ["    --result RESULT", `only finished runs with this result: ${Object.keys(RESULTS).join(", ")}; repeatable`],
    ["    --matrix ID", "only the runs of one matrix expansion"],
    ["    --limit N", `at most N runs (default ${DEFAULT_LIMIT})`],
  ],
  output: true,
  args: { min: 0, max: 0 },
  async run({ flags, usage, clients, target, output, io }) {
    const statuses = parseChoices(flags, "status", STATUSES, usage);
    const results = parseChoices(flags, "result", RESULTS, usage);
    const limit = parseLimit(flags.string("limit"), usage);
    const { data } = await clients();
    const testIds = await resolveTestIds(flags.string("test"), (name) => data.getTest({ name }));
    const runs: Run[] = [];
    let pageToken = "";
    do {
      const response = await data.queryRuns({
        testIds,
        statuses,
        results,
        matrixId: flags.string("matrix") ?? "",
        pageSize: Math.min(limit - runs.length, MAX_PAGE_SIZE),
        pageToken,
      });
      runs.push(...response.runs.slice(0, limit - runs.length));
      if (response.nextPageToken && response.nextPageToken === pageToken) {
        throw new CliError("the server returned the same page token twice; stopping");
      }
      pageToken = response.nextPageToken;
    } while (pageToken && runs.length < limit);
    if (output !== "table") {
      io.stdout(renderMessage(QueryRunsResponseSchema, create(QueryRunsResponseSchema, { runs }), output));
    } else if (runs.length === 0) {
      io.stderr(`no runs found in namespace "${(await target()).namespace}"\n`);
    } else {
      const runners = await lookUpRunnerNames(
        data,
        runs.map((run) => run.runnerId),
      );
      io.stdout(
        renderTable(
          RUN_COLUMNS,
          runs.map((run) => runRow(run, runners)),
        ),
      );
    }
    return 0;
  },
};

/** Values of a repeatable flag that also takes comma-separated lists, mapped to proto enums. */
function parseChoices<T>(flags: ParsedFlags, name: string, choices: Record<string, T>, usage: string): T[] {
  const words = flags
    .strings(name)
    .flatMap((value) => value.split(","))
    .map((word) => word.trim().toLowerCase())
    .filter(Boolean);
  return words.map((word) => {
    const value = choices[word];
    if (value === undefined) {
      throw usageError(`--${name} ${JSON.stringify(word)}: use ${Object.keys(choices).join(", ")}`, usage);
    }
    return value;
  });
}

function parseLimit(text: string | undefined, usage: string): number {
  if (text === undefined) return DEFAULT_LIMIT;
  if (!/^[1-9]\d{0,6}$/.test(text))
    throw usageError(`--limit ${JSON.stringify(text)}: expected a positive number`, usage);
  return Number(text);
}

/** QueryRuns filters by test id; a name is looked up first (the server ignores ids it cannot parse). */
async function resolveTestIds(
  argument: string | undefined,
  getTest: (name: string) => Promise<{ test?: { id: string } }>,
): Promise<string[]> {
  if (argument === undefined) return [];
  const reference = testReference(argument);
  if (reference.id) return [reference.id];
  const { test } = await getTest(reference.name);
  if (!test?.id) throw new CliError(`test ${JSON.stringify(argument)} not found`);
  return [test.id];
}
