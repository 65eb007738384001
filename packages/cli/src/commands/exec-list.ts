import { create } from "@bufbuild/protobuf";
import { QueryRunsResponseSchema, type Run, RunStatus } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { CliError, usageError } from "../cli-error.js";
import { renderMessage } from "../output/output-format.js";
import { renderTable } from "../output/table.js";
import { EXECUTION_COLUMNS, executionRow } from "./exec-view.js";

const DEFAULT_LIMIT = 50;
const MAX_PAGE_SIZE = 1_000;
/** How many executions a --location filter looks through before it stops (it filters here). */
const MAX_SCANNED = 20_000;

/** `tstrctl exec list`: external executions, newest first, by stream, location or still running. */
export const execListCommand: CommandSpec = {
  path: ["exec", "list"],
  summary: "List external executions, newest first",
  synopsis: "exec list [--stream PATTERN] [--location L] [--running] [--limit N] [-o table|json|yaml]",
  description: [
    "Lists the executions registered from outside tstr. --stream matches the stream ignoring case, with",
    "% as a wildcard (`release/%`); every other character, `_` included, matches itself.",
  ].join("\n"),
  options: {
    stream: { type: "string" },
    location: { type: "string" },
    running: { type: "boolean" },
    limit: { type: "string" },
  },
  flagHelp: [
    ["    --stream PATTERN", 'only executions of matching streams, e.g. "release/%"'],
    ["    --location L", "only executions at this location"],
    ["    --running", "only executions still running"],
    ["    --limit N", `at most N executions (default ${DEFAULT_LIMIT})`],
  ],
  output: true,
  args: { min: 0, max: 0 },
  async run({ flags, usage, clients, target, output, io }) {
    const limit = parseLimit(flags.string("limit"), usage);
    const location = flags.string("location");
    const { data } = await clients();
    const runs: Run[] = [];
    let pageToken = "";
    let scanned = 0;
    do {
      const response = await data.queryRuns({
        external: true,
        stream: flags.string("stream") ?? "",
        statuses: flags.boolean("running") ? [RunStatus.RUNNING] : [],
        pageSize: location === undefined ? Math.min(limit - runs.length, MAX_PAGE_SIZE) : MAX_PAGE_SIZE,
        pageToken,
      });
      scanned += response.runs.length;
      const shown = location === undefined ? response.runs : response.runs.filter((r) => r.location === location);
      runs.push(...shown.slice(0, limit - runs.length));
      if (response.nextPageToken && response.nextPageToken === pageToken) {
        throw new CliError("the server returned the same page token twice; stopping");
      }
      pageToken = response.nextPageToken;
    } while (pageToken && runs.length < limit && scanned < MAX_SCANNED);
    if (output !== "table") {
      io.stdout(renderMessage(QueryRunsResponseSchema, create(QueryRunsResponseSchema, { runs }), output));
    } else if (runs.length === 0) {
      io.stderr(`no external executions found in namespace "${(await target()).namespace}"\n`);
    } else {
      io.stdout(renderTable(EXECUTION_COLUMNS, runs.map(executionRow)));
    }
    return 0;
  },
};

function parseLimit(text: string | undefined, usage: string): number {
  if (text === undefined) return DEFAULT_LIMIT;
  if (!/^[1-9]\d{0,6}$/.test(text))
    throw usageError(`--limit ${JSON.stringify(text)}: expected a positive number`, usage);
  return Number(text);
}
