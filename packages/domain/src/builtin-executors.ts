import type { ExecutorSpec } from "./executor-spec.js";

/**
 * The executors every tstr server provides: global (visible in every namespace), kept equal to
 * this list at every start of the control plane, and never changed or deleted over the API or by
 * a sync. Their names are reserved: no namespace or global executor may take one.
 *
 * Args and env values refer to the results directory as `$(TSTR_RESULTS_DIR)`, Kubernetes'
 * syntax for variable references in a container's command, args and env. Kubernetes expands it
 * itself; the runner expands it the same way for Docker and process runs. A test naming an executor
 * gets its image, command and args, then its own args (see applyExecutor); `$(TSTR_ENTRY_FILE)` is
 * the test's first file of the executor's first accepted type (the collection, the plan, the
 * script); executors without it discover the test's files themselves. JUnit reports go under
 * `junit/`, where the runner collects them. Images carry no tag (latest); a test pins a version by
 * setting its own image.
 */
export const BUILTIN_EXECUTORS: readonly ExecutorSpec[] = Object.freeze<ExecutorSpec[]>([
  {
    name: "k6",
    description: "Grafana k6 load tests: `k6 run` with the end-of-test summary and every metric point exported",
    image: "grafana/k6",
    command: ["k6", "run"],
    args: ["--summary-export=$(TSTR_RESULTS_DIR)/k6-summary.json", "--out", "json=$(TSTR_RESULTS_DIR)/k6.ndjson"],
    // The script (the runner runs the one .js file) and the data files it opens (SharedArray, open()).
    acceptedFileTypes: [".js", ".json", ".csv", ".txt"],
    env: {},
    resultParsers: ["K6_SUMMARY", "K6_NDJSON"],
    icon: "k6",
  },
  {
    name: "newman",
    description: "Postman collections run with Newman, reporting JUnit",
    image: "postman/newman",
    command: ["newman", "run"],
    args: [
      "$(TSTR_ENTRY_FILE)",
      "--reporters",
      "cli,junit",
      "--reporter-junit-export",
      "$(TSTR_RESULTS_DIR)/junit/newman.xml",
    ],
    // The collection first; environments (.json) and iteration data (.csv) beside it.
    acceptedFileTypes: [".json", ".csv"],
    env: {},
    resultParsers: ["JUNIT"],
    junitPath: "junit/newman.xml",
    icon: "postman",
  },
  {
    name: "playwright",
    description: "Playwright Test browser tests (`npx playwright test`), reporting JUnit",
    image: "mcr.microsoft.com/playwright",
    command: ["npx", "playwright", "test"],
    args: ["--reporter=junit"],
    acceptedFileTypes: [".ts", ".js", ".mjs", ".json"],
    env: { PLAYWRIGHT_JUNIT_OUTPUT_NAME: "$(TSTR_RESULTS_DIR)/junit/playwright.xml" },
    resultParsers: ["JUNIT"],
    junitPath: "junit/playwright.xml",
    icon: "playwright",
  },
  {
    name: "cypress",
    description: "Cypress end-to-end tests (`cypress run`), one JUnit report per spec",
    image: "cypress/included",
    command: ["cypress", "run"],
    args: ["--reporter", "junit", "--reporter-options", "mochaFile=$(TSTR_RESULTS_DIR)/junit/cypress-[hash].xml"],
    acceptedFileTypes: [".js", ".ts", ".json"],
    env: {},
    resultParsers: ["JUNIT"],
    junitPath: "junit",
    icon: "cypress",
  },
  {
    name: "jmeter",
    description:
      "Apache JMeter test plans in non-GUI mode; the sample log (JTL) and the HTML dashboard are written to the results directory",
    image: "justb4/jmeter",
    command: ["jmeter", "-n"],
    args: [
      "-l",
      "$(TSTR_RESULTS_DIR)/jmeter.jtl",
      "-e",
      "-o",
      "$(TSTR_RESULTS_DIR)/jmeter-report",
      "-t",
      "$(TSTR_ENTRY_FILE)",
    ],
    acceptedFileTypes: [".jmx", ".csv", ".properties"],
    env: {},
    resultParsers: ["RESULT_JSON"],
    icon: "jmeter",
  },
  {
    name: "artillery",
    description: "Artillery load tests; the JSON report is the run's result data",
    image: "artilleryio/artillery",
    command: ["artillery", "run"],
    args: ["--output", "$(TSTR_RESULTS_DIR)/result.json", "$(TSTR_ENTRY_FILE)"],
    acceptedFileTypes: [".yml", ".yaml", ".json", ".csv", ".js"],
    env: {},
    resultParsers: ["RESULT_JSON"],
    icon: "artillery",
  },
  {
    name: "pytest",
    description:
      "pytest suites, reporting JUnit. The default python image has no pytest: tests set an image that has it (and their requirements)",
    image: "python:3-slim",
    command: ["python", "-m", "pytest"],
    args: ["--junitxml=$(TSTR_RESULTS_DIR)/junit/pytest.xml"],
    acceptedFileTypes: [".py", ".txt", ".ini", ".cfg", ".toml", ".json"],
    env: {},
    resultParsers: ["JUNIT"],
    junitPath: "junit/pytest.xml",
    icon: "python",
  },
  {
    name: "generic",
    description:
      "Any container: the test supplies image and command; result.json and junit/*.xml in the results directory are read",
    image: "",
    command: [],
    args: [],
    acceptedFileTypes: [],
    env: {},
    resultParsers: ["JUNIT", "RESULT_JSON"],
    junitPath: "junit",
    icon: "container",
  },
]);

/** The built-in executor of this name, if there is one. */
export function builtinExecutor(name: string): ExecutorSpec | undefined {
  return BUILTIN_EXECUTORS.find((e) => e.name === name);
}
