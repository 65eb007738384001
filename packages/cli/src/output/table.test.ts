import { describe, expect, it } from "vitest";
import { renderDetails, renderTable } from "./table.js";

describe("renderTable", () => {
  it("aligns columns, fills empty cells with '-' and leaves no trailing spaces", () => {
    expect(
      renderTable(
        ["NAME", "LABELS", "IMAGE"],
        [
          ["web", "team=web", "busybox:1.36"],
          ["a-longer-name", "", "alpine"],
        ],
      ),
    ).toBe(
      [
        "NAME            LABELS     IMAGE",
        "web             team=web   busybox:1.36",
        "a-longer-name   -          alpine",
        "",
      ].join("\n"),
    );
  });

  it("prints only the header for no rows", () => {
    expect(renderTable(["ID", "NAME"], [])).toBe("ID   NAME\n");
  });
});

describe("renderDetails", () => {
  it("aligns values, indents continuation lines and skips empty values", () => {
    expect(
      renderDetails([
        ["Name", "web"],
        ["Description", ""],
        ["Next runs", "2025-01-01T00:00:00Z\n2025-01-01T00:05:00Z"],
      ]),
    ).toBe(["Name:       web", "Next runs:  2025-01-01T00:00:00Z", "            2025-01-01T00:05:00Z", ""].join("\n"));
  });
});
