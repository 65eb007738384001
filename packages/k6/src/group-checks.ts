import type { JsonReader } from "./json-fields.js";
import type { CheckResult } from "./types.js";

/**
 * The checks of k6's `root_group` and all its nested groups, in document order (a group's own checks,
 * then its subgroups'). Each check's `group` is the path of the group it sits in (`""` for the root,
 * `::Main page::Assets` for nested ones). Accepts both k6 layouts: groups and checks as objects keyed
 * by name (summary export, older handleSummary) or as arrays (newer handleSummary).
 */
export function checksOfGroups(reader: JsonReader, rootGroup: unknown, rootPath: string): CheckResult[] {
  const checks: CheckResult[] = [];
  const pending: [unknown, string][] = [[rootGroup, rootPath]];
  while (pending.length > 0) {
    const [value, path] = pending.shift() as [unknown, string];
    const group = reader.object(value, path);
    const groupPath = reader.optionalString(group.path, `${path}.path`) ?? "";
    for (const [checkPath, item] of reader.members(group.checks, `${path}.checks`)) {
      const check = reader.object(item, checkPath);
      checks.push({
        group: groupPath,
        name: reader.string(check.name, `${checkPath}.name`),
        passes: reader.number(check.passes, `${checkPath}.passes`),
        fails: reader.number(check.fails, `${checkPath}.fails`),
      });
    }
    // Depth first, document order: subgroups go to the front of the queue.
    pending.unshift(...reader.members(group.groups, `${path}.groups`).map(([p, g]): [unknown, string] => [g, p]));
  }
  return checks;
}
