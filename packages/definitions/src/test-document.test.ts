import { readFileSync } from "node:fs";
import { create, toJson } from "@bufbuild/protobuf";
import { ConcurrencyPolicy, RegisterTestRequestSchema, RetryPolicy_On } from "@tstr/proto";
import { describe, expect, it } from "vitest";
import { parseDocuments } from "./parse-documents.js";
import { parseTestDocument } from "./test-document.js";

const FIXTURES = "/work/shared/fixtures/tstr";

function parseYaml(text: string) {
  const [doc] = parseDocuments(text, "yaml").documents;
  return parseTestDocument(doc?.value, "default");
}

function requestOf(text: string) {
  const result = parseYaml(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.request;
}

function problemsOf(text: string) {
  const result = parseYaml(text);
  if (result.ok) throw new Error("expected problems");
  return result.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
}

describe("parseTestDocument on the original tstr request files", () => {
  it("reads register_test.json with its matrix and timeout", () => {
    const [doc] = parseDocuments(readFileSync(`${FIXTURES}/register_test.json`, "utf8"), "json").documents;
    const result = parseTestDocument(doc?.value, "default");
    expect(result.ok && result.request).toEqual(
      create(RegisterTestRequestSchema, {
        name: "test",
        namespace: "default",
        cronSchedule: "* * * * *",
        labels: { type: "integration", region: "nyc", network: "public" },
        matrix: {
          labels: {
            region: { values: ["nyc", "sfo", "lon", "blr", "sgp"] },
            network: { values: ["public", "private"] },
          },
        },
        runConfig: {
          containerImage: "busybox:latest",
          command: "ping",
          args: ["-c", "5", "google.ca"],
          env: { TZ: "America/Toronto" },
          timeout: { seconds: 15n },
        },
      }),
    );
  });

  it.each(["register_test.c1ce8bb.json", "register_test.e5619e5.json"])("reads %s", (file) => {
    const [doc] = parseDocuments(readFileSync(`${FIXTURES}/${file}`, "utf8"), "json").documents;
    const result = parseTestDocument(doc?.value, "team-a");
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.request).toMatchObject({
      name: "test",
      namespace: "team-a",
      labels: { label_1: "value_1", label_2: "value_3" },
      cronSchedule: "* * * * *",
      runConfig: { containerImage: "alpine:3", command: "date", args: ["--debug"], env: { TZ: "America/Toronto" } },
    });
    expect(result.request.runConfig?.timeout?.seconds).toBe(file.includes("e5619e5") ? 15n : undefined);
  });
});

describe("parseTestDocument conveniences", () => {
  it("accepts kind, apiVersion, schedule, Go durations, text files, short enums and plain matrix lists", () => {
    const request = requestOf(`
apiVersion: tstr.dev/v1
kind: Test
name: web
namespace: team-a
schedule: "*/5 * * * *"
timezone: Europe/Paris
labels: {team: web, port: 8080}
matrix:
  labels: {os: [linux, windows]}
  exclude: [{os: windows}]
concurrency_policy: forbid
retry: {max_attempts: 3, on: [RUNNER_LOST, error], backoff: 1m30s}
run_config:
  container_image: busybox:1.36
  command: sh
  args: [-c, ./check.sh]
  env: {GO_VERSION: 1.20, DEBUG: true}
  timeout: 2h
  grace_period: 500ms
  files:
    - path: check.sh
      content: |
        echo ok
`);
    expect(toJson(RegisterTestRequestSchema, request)).toEqual({
      name: "web",
      namespace: "team-a",
      cronSchedule: "*/5 * * * *",
      timezone: "Europe/Paris",
      labels: { team: "web", port: "8080" },
      matrix: { labels: { os: { values: ["linux", "windows"] } }, exclude: [{ labels: { os: "windows" } }] },
      concurrencyPolicy: "CONCURRENCY_POLICY_FORBID",
      retry: { maxAttempts: 3, on: ["ON_RUNNER_LOST", "ON_ERROR"], backoff: "90s" },
      run_config: {
        containerImage: "busybox:1.36",
        command: "sh",
        args: ["-c", "./check.sh"],
        env: { GO_VERSION: "1.20", DEBUG: "true" },
        timeout: "7200s",
        gracePeriod: "0.500s",
        files: [{ path: "check.sh", content: Buffer.from("echo ok\n").toString("base64") }],
      },
    });
    expect(request.concurrencyPolicy).toBe(ConcurrencyPolicy.FORBID);
    expect(request.retry?.on).toEqual([RetryPolicy_On.RUNNER_LOST, RetryPolicy_On.ERROR]);
  });

  it("accepts lowerCamel keys, full enum names and base64 file contents", () => {
    const request = requestOf(`
name: camel
cronSchedule: "0 3 * * *"
concurrencyPolicy: CONCURRENCY_POLICY_REPLACE
runConfig: {containerImage: busybox, files: [{path: a.bin, contentBase64: AAEC}], workingDir: /w}
`);
    expect(request.runConfig?.containerImage).toBe("busybox");
    expect(request.runConfig?.workingDir).toBe("/w");
    expect(request.runConfig?.files[0]?.content).toEqual(new Uint8Array([0, 1, 2]));
    expect(request.concurrencyPolicy).toBe(ConcurrencyPolicy.REPLACE);
  });

  it("keeps the document's namespace over the default", () => {
    expect(requestOf("name: a\nnamespace: other").namespace).toBe("other");
    expect(requestOf("name: a").namespace).toBe("default");
  });
});

describe("parseTestDocument problems", () => {
  it("names every bad field with its path", () => {
    expect(
      problemsOf(`
name: web
run_config:
  timeout: 5 parsecs
  grace_period: 30
  contaner_image: busybox
  args: [1, {a: b}]
  env: {A: [x]}
concurrency_policy: sometimes
retry: {max_attempts: many, on: [NEVER]}
labels: {"app.io/x": {a: 1}}
matrix: {labels: {os: linux}}
`),
    ).toEqual([
      'run_config.timeout: invalid duration "5 parsecs"',
      'run_config.grace_period: invalid duration 30: add a unit, e.g. "30s"',
      'run_config.contaner_image: unknown field (did you mean "container_image"?)',
      "run_config.args[1]: expected string, got object",
      "run_config.env.A: expected string, got Array(1)",
      'concurrency_policy: invalid value "sometimes" (expected one of allow, forbid, replace)',
      'retry.max_attempts: expected number (uint32), got "many"',
      'retry.on[0]: invalid value "NEVER" (expected one of runner_lost, error, fail)',
      'labels["app.io/x"]: expected string, got object',
      'matrix.labels.os: expected a mapping, got the string "linux"',
    ]);
  });

  it("requires a name and refuses other kinds and non-mappings", () => {
    expect(problemsOf("labels: {a: b}")).toEqual(["name: required"]);
    expect(problemsOf("kind: Suite\nname: s")).toEqual([
      'kind: unsupported kind "Suite" (only kind: Test can be applied)',
    ]);
    expect(problemsOf("just text")).toEqual(['expected a mapping of test fields, got the string "just text"']);
    expect(problemsOf("name: a\nschedule: '* * * * *'\ncron_schedule: '* * * * *'")).toEqual([
      "schedule: given together with cron_schedule; use one of them",
    ]);
    expect(problemsOf("name: a\nrun_config: {}\nrunConfig: {}")).toEqual([
      'run_config: given twice (as "run_config" and "runConfig")',
    ]);
  });

  it("names the second member of a oneof set twice, with its list index", () => {
    const text = [
      "name: a",
      "run_config:",
      "  kubernetes:",
      "    volumes:",
      "      - {name: ok, mount_path: /ok, secret: s}",
      "      - {name: both, mount_path: /both, config_map: c, secret: s}",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      "run_config.kubernetes.volumes[1].secret: given together with config_map; set only one of config_map, secret, persistent_volume_claim, host_path",
    ]);
  });
});
