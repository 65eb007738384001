import { describe, expect, it } from "vitest";
import { runnerAccepts } from "./runner-acceptance.js";
import { selectorFromRegexMap } from "./selector-builders.js";
import { parseSelector } from "./selector-parser.js";

const selectors = (accept: string[], reject: string[] = []) => ({
  accept: accept.map(parseSelector),
  reject: reject.map(parseSelector),
});

describe("runnerAccepts", () => {
  const labels = { env: "prod", os: "linux", gpu: "true" };

  it.each([
    [[], [], true],
    [[""], [], true],
    [["env=prod"], [], true],
    [["env=dev"], [], false],
    [["env=dev", "os=linux"], [], true],
    [[], ["gpu"], false],
    [[], ["gpu=false"], true],
    [["os=linux"], ["env=prod"], false],
    [["os=linux"], ["env=dev", "os~=win.*"], true],
    [[], [""], false],
  ])("accept %j, reject %j → %s", (accept, reject, expected) => {
    expect(runnerAccepts(selectors(accept, reject), labels)).toBe(expected);
  });

  it("works with tstr-style regex maps", () => {
    const runner = {
      accept: [selectorFromRegexMap({ os: "linux|darwin" })],
      reject: [selectorFromRegexMap({ env: "prod" })],
    };
    expect(runnerAccepts(runner, { os: "darwin", env: "dev" })).toBe(true);
    expect(runnerAccepts(runner, { os: "darwin", env: "prod" })).toBe(false);
    expect(runnerAccepts(runner, { os: "windows", env: "dev" })).toBe(false);
  });
});
