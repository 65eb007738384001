import { describe, expect, it } from "vitest";
import { ConfigError } from "./config.js";
import { parseRunnerConfig } from "./runner-config.js";

const TOKEN = { TSTR_RUNNER_TOKEN: "tok" };

describe("tstr runner configuration", () => {
  it("has defaults for everything but the token", () => {
    expect(parseRunnerConfig([], TOKEN, "build-host")).toEqual({
      server: "http://127.0.0.1:7420",
      token: "tok",
      name: "build-host",
      labels: {},
      acceptSelectors: [],
      rejectSelectors: [],
      namespaceSelectors: [".*"],
      capacity: 1,
      executor: "docker",
      workDir: ".tstr/runner",
      dockerNetwork: "none",
      dispatch: "stream",
      drainTimeoutMs: 30_000,
      logLevel: "info",
    });
  });

  it("takes repeatable flags over the environment", () => {
    const config = parseRunnerConfig(
      [
        "--server=https://tstr.example.com/",
        "--name",
        "r1",
        "--label",
        "region=eu",
        "--label",
        "gpu=true",
        "--accept",
        "team=qa, tier in (web,api)",
        "--accept",
        "owner~=q.*",
        "--reject",
        "!stable",
        "--namespace-selector",
        "team-.*",
        "--capacity",
        "4",
        "--executor",
        "process",
        "--dispatch",
        "poll",
        "--drain-timeout",
        "1m30s",
      ],
      { ...TOKEN, TSTR_RUNNER_LABELS: "ignored=yes", TSTR_RUNNER_NAME: "from-env" },
    );
    expect(config).toMatchObject({
      server: "https://tstr.example.com",
      name: "r1",
      labels: { region: "eu", gpu: "true" },
      acceptSelectors: ["team=qa, tier in (web,api)", "owner~=q.*"],
      rejectSelectors: ["!stable"],
      namespaceSelectors: ["team-.*"],
      capacity: 4,
      executor: "process",
      dispatch: "poll",
      drainTimeoutMs: 90_000,
    });
  });

  it("falls back to the environment, TSTR_TOKEN included", () => {
    const config = parseRunnerConfig([], {
      TSTR_TOKEN: "shared",
      TSTR_ADDR: "http://tstr:7420",
      TSTR_RUNNER_NAME: "env-runner",
      TSTR_RUNNER_LABELS: "a=b, c=d",
      TSTR_RUNNER_ACCEPT: "x in (1,2);y=3",
      TSTR_RUNNER_CAPACITY: "2",
      TSTR_RUNNER_DRAIN_TIMEOUT: "5s",
    });
    expect(config).toMatchObject({
      token: "shared",
      server: "http://tstr:7420",
      name: "env-runner",
      labels: { a: "b", c: "d" },
      acceptSelectors: ["x in (1,2)", "y=3"],
      capacity: 2,
      drainTimeoutMs: 5_000,
    });
    expect(parseRunnerConfig([], { TSTR_TOKEN: "shared", TSTR_RUNNER_TOKEN: "own" }).token).toBe("own");
  });

  it.each([
    [[], {}, "--token: a runner token is required"],
    [["--server", "tstr:7420"], TOKEN, "--server: must be an http:// or https:// URL"],
    [["--accept", "team=qa", "--accept", "tier in (web"], TOKEN, '--accept #2 "tier in (web": '],
    [["--reject", "a=b,,"], TOKEN, "--reject #1"],
    [["--label", "novalue"], TOKEN, '--label "novalue": expected KEY=VALUE'],
    [["--label", "bad-=x"], TOKEN, '--label "bad-=x": key name part'],
    [["--namespace-selector", "(unclosed"], TOKEN, '--namespace-selector #1 "(unclosed"'],
    [["--capacity", "0"], TOKEN, "--capacity:"],
    [["--capacity", "1.5"], TOKEN, "--capacity: must be a whole number"],
    [["--executor", "podman"], TOKEN, "--executor:"],
    [["--dispatch", "push"], TOKEN, "--dispatch:"],
    [["--drain-timeout", "30"], TOKEN, "--drain-timeout: invalid duration"],
    [["--drain-timeout=-5s"], TOKEN, "--drain-timeout: must not be negative"],
    [["--frobnicate"], TOKEN, "--frobnicate"],
  ])("refuses %j with a message naming the flag", (argv, env, message) => {
    expect(() => parseRunnerConfig(argv as string[], env)).toThrow(ConfigError);
    expect(() => parseRunnerConfig(argv as string[], env)).toThrow(message);
  });

  it("names the position of a selector syntax error", () => {
    expect(() => parseRunnerConfig(["--accept", "team=qa, )"], TOKEN)).toThrow(/at position 9/);
  });
});
