import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatProblem } from "./definition-problem.js";
import { loadDefinitions } from "./load-definitions.js";

let cwd: string;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "tstr-defs-"));
  await mkdir(join(cwd, "tests/nested"), { recursive: true });
  await mkdir(join(cwd, "tests/.hidden"), { recursive: true });
  await writeFile(
    join(cwd, "tests/web.yaml"),
    "name: web-a\n---\nname: web-b\nrun_config: {timeout: 5 parsecs}\n---\n",
  );
  await writeFile(join(cwd, "tests/nested/api.json"), JSON.stringify([{ name: "api-a" }, { name: "api-b" }]));
  await writeFile(join(cwd, "tests/nested/notes.txt"), "not a definition");
  await writeFile(join(cwd, "tests/.hidden/skip.yaml"), "name: hidden");
  await writeFile(join(cwd, "tests/a.yml"), "name: first\nkind: Test\n");
  await writeFile(join(cwd, "broken.yaml"), "name: ok\n---\nname: [unclosed\n---\nname: third\n");
  await writeFile(join(cwd, "broken.json"), "{ nope");
  await writeFile(join(cwd, "dup.yaml"), "name: web-a\n");
  await writeFile(join(cwd, "other-ns.yaml"), "name: web-a\nnamespace: other\n");
});

async function load(paths: string[], readStdin?: () => Promise<string>) {
  const loaded = await loadDefinitions(paths, { cwd, defaultNamespace: "default", readStdin });
  return { ...loaded, problems: loaded.problems.map(formatProblem) };
}

describe("loadDefinitions", () => {
  it("walks directories recursively in sorted order and splits multi-document files", async () => {
    const { tests, problems } = await load(["tests"]);
    expect(tests.map((t) => `${t.file}#${t.index} ${t.request.name}`)).toEqual([
      "tests/a.yml#1 first",
      "tests/nested/api.json#1 api-a",
      "tests/nested/api.json#2 api-b",
      "tests/web.yaml#1 web-a",
    ]);
    expect(problems).toEqual(['tests/web.yaml (document 2): run_config.timeout: invalid duration "5 parsecs"']);
  });

  it("reports syntax errors per document and keeps reading the others", async () => {
    const { tests, problems } = await load(["broken.yaml", "broken.json"]);
    expect(tests.map((t) => t.request.name)).toEqual(["ok", "third"]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^broken\.yaml \(document 2\): invalid YAML: /);
    expect(problems[1]).toMatch(/^broken\.json: invalid JSON: /);
  });

  it("reports missing paths, empty directories and duplicate tests", async () => {
    await mkdir(join(cwd, "empty"), { recursive: true });
    const { problems } = await load(["missing.yaml", "empty", "tests/web.yaml", "dup.yaml", "other-ns.yaml"]);
    expect(problems).toEqual([
      "missing.yaml: no such file or directory",
      "empty: no .yaml, .yml or .json files found",
      'tests/web.yaml (document 2): run_config.timeout: invalid duration "5 parsecs"',
      'dup.yaml (document 1): name: test "default/web-a" is also defined in tests/web.yaml (document 1)',
    ]);
  });

  it("reads standard input for -f -", async () => {
    const { tests } = await load(["-"], async () => "name: from-stdin\n");
    expect(tests.map((t) => `${t.file} ${t.request.name}`)).toEqual(["<stdin> from-stdin"]);
    expect((await load(["-"])).problems[0]).toMatch(/^<stdin>: /);
  });
});
