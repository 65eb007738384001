import { describe, expect, it } from "vitest";
import { parseSubmetricName } from "./submetric-name.js";

describe("parseSubmetricName", () => {
  it("splits a submetric into its parent and tags, unquoting values", () => {
    expect(parseSubmetricName("http_req_duration")).toBeUndefined();
    expect(parseSubmetricName("http_req_duration{expected_response:true}")).toEqual({
      parent: "http_req_duration",
      tags: [["expected_response", "true"]],
    });
    expect(parseSubmetricName(`http_reqs{name:"GET /a, b", status: 200, scenario:'x',group:\`::g\`}`)).toEqual({
      parent: "http_reqs",
      tags: [
        ["name", "GET /a, b"],
        ["status", "200"],
        ["scenario", "x"],
        ["group", "::g"],
      ],
    });
  });

  it.each([
    ["http_reqs{status:200", 'submetric "http_reqs{status:200": expected "}" at the end'],
    ["{status:200}", "expected a metric name before {"],
    ["http_reqs{}", "expected at least one key:value tag"],
    ["http_reqs{status}", 'expected key:value, got "status"'],
    ["http_reqs{:200}", 'empty tag key in ":200"'],
  ])("refuses %j", (name, message) => {
    expect(() => parseSubmetricName(name)).toThrow(message);
  });
});
