import { create } from "@bufbuild/protobuf";
import { QueryTestsResponseSchema, type Test } from "@tstr/proto";
import type { CommandSpec } from "../cli/command-spec.js";
import { parseLabelFlags } from "../cli/label-flags.js";
import { CliError } from "../cli-error.js";
import { renderMessage } from "../output/output-format.js";
import { renderTable } from "../output/table.js";
import { TEST_COLUMNS, testRow } from "../output/test-view.js";

const PAGE_SIZE = 100;
const MAX_PAGES = 10_000;

/** `tstrctl test list`: every matching test, following pages until the server has no more. */
export const testListCommand: CommandSpec = {
  path: ["test", "list"],
  summary: "List tests, filtered by labels or a selector",
  synopsis: "test list [-l KEY=VALUE…] [--selector EXPR] [--all-namespaces] [-o table|json|yaml]",
  options: {
    label: { type: "string", short: "l", multiple: true },
    selector: { type: "string" },
    "all-namespaces": { type: "boolean", short: "A" },
  },
  flagHelp: [
    ["-l, --label KEY=VALUE", "only tests with this label; repeatable"],
    ["    --selector EXPR", 'a selector, e.g. "team=web,tier in (smoke,e2e),!flaky"'],
    ["-A, --all-namespaces", "every namespace the token may read"],
  ],
  output: true,
  args: { min: 0, max: 0 },
  async run({ flags, usage, clients, target, output, io }) {
    const labels = parseLabelFlags(flags.strings("label"), usage);
    const { data } = await clients();
    const tests: Test[] = [];
    const seenTokens = new Set<string>();
    let pageToken = "";
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await data.queryTests({
        labels,
        selector: flags.string("selector") ?? "",
        allNamespaces: flags.boolean("all-namespaces"),
        pageSize: PAGE_SIZE,
        pageToken,
      });
      tests.push(...response.tests);
      pageToken = response.nextPageToken;
      if (!pageToken) break;
      if (seenTokens.has(pageToken)) throw new CliError("the server returned the same page token twice; stopping");
      seenTokens.add(pageToken);
    }
    if (output !== "table") {
      io.stdout(renderMessage(QueryTestsResponseSchema, create(QueryTestsResponseSchema, { tests }), output));
    } else if (tests.length === 0) {
      const where = flags.boolean("all-namespaces") ? "any namespace" : `namespace "${(await target()).namespace}"`;
      io.stderr(`no tests found in ${where}\n`);
    } else {
      io.stdout(renderTable(TEST_COLUMNS, tests.map(testRow)));
    }
    return 0;
  },
};
