import { describe, expect, it } from "vitest";
import { builtinExecutor } from "./builtin-executors.js";
import { applyExecutor, checkTestAgainstExecutor, entryFile, fileTypeAccepted } from "./executor-application.js";
import type { ExecutorSpec } from "./executor-spec.js";
import type { RunConfig } from "./run-config.js";

const config = (over: Partial<RunConfig> = {}): RunConfig => ({
  image: "",
  command: "",
  args: [],
  env: {},
  files: [],
  ...over,
});

const builtin = (name: string): ExecutorSpec => {
  const spec = builtinExecutor(name);
  if (!spec) throw new Error(`no built-in executor ${name}`);
  return spec;
};

const newman = builtin("newman");

describe("fileTypeAccepted", () => {
  it.each([
    ["api.postman_collection.json", [".json"], true],
    ["API.JSON", [".json"], true],
    ["login.cy.js", [".cy.js"], true],
    ["login.js", [".cy.js"], false],
    ["data.csv", [".json"], false],
    ["anything.bin", [], true],
  ] as const)("%s against %j → %s", (path, types, accepted) => {
    expect(fileTypeAccepted(path, types)).toBe(accepted);
  });
});

describe("checkTestAgainstExecutor", () => {
  it("names every file of a type the executor does not accept, with its field path", () => {
    const files = [
      { path: "collection.json", content: "{}" },
      { path: "notes.md", content: "" },
      { path: "run.sh", content: "" },
    ];
    expect(checkTestAgainstExecutor(config({ files }), newman)).toEqual([
      {
        path: "run_config.files[1].path",
        message: '"notes.md" is not a file type executor newman accepts (.json, .csv)',
      },
      {
        path: "run_config.files[2].path",
        message: '"run.sh" is not a file type executor newman accepts (.json, .csv)',
      },
    ]);
  });

  it("accepts any file for an executor without accepted types, but wants an image when it has none", () => {
    const generic = builtin("generic");
    expect(checkTestAgainstExecutor(config({ files: [{ path: "x.bin", content: "" }] }), generic)).toEqual([
      { path: "run_config.container_image", message: "is required: executor generic supplies no image" },
    ]);
    expect(checkTestAgainstExecutor(config({ image: "alpine" }), generic)).toEqual([]);
  });

  it("wants the entry file an executor runs, unless the test sets its own command", () => {
    expect(checkTestAgainstExecutor(config({ files: [{ path: "data.csv", content: "" }] }), newman)).toEqual([
      {
        path: "run_config.files",
        message: "executor newman runs a .json file of the test: add one (or set run_config.command)",
      },
    ]);
    expect(checkTestAgainstExecutor(config({ command: "newman", args: ["run", "https://x/c.json"] }), newman)).toEqual(
      [],
    );
  });

  it("lets k6 scripts open data files", () => {
    const files = ["script.js", "users.json", "ids.csv"].map((path) => ({ path, content: "" }));
    expect(checkTestAgainstExecutor(config({ files }), builtin("k6"))).toEqual([]);
  });
});

describe("applyExecutor", () => {
  it("runs newman on the collection with the JUnit reporter when the test gives only its files", () => {
    const files = [
      { path: "data.csv", content: "" },
      { path: "collection.json", content: "{}" },
      { path: "env.json", content: "{}" },
    ];
    expect(applyExecutor(config({ files }), newman)).toEqual({
      ...config({ files }),
      image: "postman/newman",
      command: "newman",
      args: [
        "run",
        "collection.json",
        "--reporters",
        "cli,junit",
        "--reporter-junit-export",
        "$(TSTR_RESULTS_DIR)/junit/newman.xml",
      ],
    });
    expect(entryFile(config({ files }), newman)).toBe("collection.json");
  });

  it("appends the test's args after the executor's, and keeps the test's image and env", () => {
    const applied = applyExecutor(
      config({
        image: "postman/newman:6",
        args: ["-e", "env.json"],
        env: { TOKEN: "t" },
        files: [
          { path: "c.json", content: "{}" },
          { path: "env.json", content: "{}" },
        ],
      }),
      { ...newman, env: { TOKEN: "default", NO_COLOR: "1" } },
    );
    expect(applied.image).toBe("postman/newman:6");
    expect(applied.args.slice(0, 2)).toEqual(["run", "c.json"]);
    expect(applied.args.slice(-2)).toEqual(["-e", "env.json"]);
    expect(applied.env).toEqual({ TOKEN: "t", NO_COLOR: "1" });
  });

  it("keeps a test's own command line whole", () => {
    const own = config({ command: "sh", args: ["-c", "newman run c.json"] });
    expect(applyExecutor(own, newman)).toEqual({ ...own, image: "postman/newman" });
  });

  it("puts the entry file where the executor says (JMeter's -t), and none for executors that discover tests", () => {
    const jmx = applyExecutor(config({ files: [{ path: "plan.jmx", content: "" }] }), builtin("jmeter"));
    expect(jmx.args.slice(-2)).toEqual(["-t", "plan.jmx"]);
    const py = applyExecutor(
      config({
        files: ["conftest.py", "test_a.py", "test_b.py"].map((path) => ({ path, content: "" })),
      }),
      builtin("pytest"),
    );
    expect(py.args).toEqual(["-m", "pytest", "--junitxml=$(TSTR_RESULTS_DIR)/junit/pytest.xml"]);
  });

  it("leaves k6 to the runner preset, and a generic test's own image and args as they are", () => {
    const k6 = config({ files: [{ path: "s.js", content: "" }] });
    expect(applyExecutor(k6, builtin("k6"))).toBe(k6);
    const generic = config({ image: "alpine", args: ["echo", "hi"] });
    expect(applyExecutor(generic, builtin("generic"))).toEqual(generic);
  });
});
