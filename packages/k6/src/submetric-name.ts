/** A submetric name split into its parent metric and the tags its samples must carry. */
export interface SubmetricName {
  parent: string;
  /** [key, value] pairs; a sample belongs to the submetric when every tag matches. */
  tags: [string, string][];
}

/**
 * Splits a k6 submetric name such as `http_req_duration{expected_response:true}` or
 * `http_reqs{name:"GET /x", status:200}`; returns undefined for a plain metric name. Values may be
 * quoted with `"`, `'` or a backtick, as k6 allows. Throws naming the name when it is malformed.
 */
export function parseSubmetricName(name: string): SubmetricName | undefined {
  const open = name.indexOf("{");
  if (open < 0) return undefined;
  const fail = (problem: string) => new Error(`submetric ${JSON.stringify(name)}: ${problem}`);
  if (!name.endsWith("}")) throw fail('expected "}" at the end');
  const parent = name.slice(0, open).trim();
  if (!parent) throw fail("expected a metric name before {");
  const tags: [string, string][] = [];
  for (const part of splitOutsideQuotes(name.slice(open + 1, -1))) {
    const colon = part.indexOf(":");
    if (colon < 0) throw fail(`expected key:value, got ${JSON.stringify(part.trim())}`);
    const key = part.slice(0, colon).trim();
    if (!key) throw fail(`empty tag key in ${JSON.stringify(part.trim())}`);
    tags.push([key, unquote(part.slice(colon + 1).trim())]);
  }
  if (tags.length === 0) throw fail("expected at least one key:value tag");
  return { parent, tags };
}

/** Splits on commas that are not inside quotes. */
function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let quote = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === ",") {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.filter((p) => p.trim() !== "");
}

function unquote(value: string): string {
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'" || first === "`") && value.endsWith(first)) {
    return value.slice(1, -1);
  }
  return value;
}
