import { isUuid } from "@tstr/domain";
import type { Prisma } from "./generated/prisma/client.js";
import { decodePageToken, encodePageToken, InvalidPageTokenError } from "./page-token.js";
import type { TestRecord } from "./types.js";

/** Filters and paging for listing tests. */
export interface TestQuery {
  /** Namespaces to search; "all" (or omitted) searches every namespace, [] matches nothing. */
  namespaces?: string[] | "all";
  /** Every listed label must be present with exactly this value. */
  labelEquals?: Record<string, string>;
  /** Only these ids (invalid ids match nothing). */
  ids?: string[];
  /** Case-sensitive substring of the test name. */
  nameContains?: string;
  includeArchived?: boolean;
  /** 1..1000; 0 or less means the default of 100. */
  pageSize: number;
  pageToken?: string;
}

/** One page of tests; `nextPageToken` is absent on the last page. */
export interface TestPage {
  tests: TestRecord[];
  nextPageToken?: string;
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/**
 * Translates a query into Prisma find arguments with keyset paging on (namespace, name, id):
 * pages never skip or repeat rows when tests are added or removed between requests. Fetches
 * one extra row to learn whether another page exists.
 */
export function testQueryToFindArgs(query: TestQuery) {
  const size = query.pageSize > 0 ? Math.min(Math.trunc(query.pageSize), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  const and: Prisma.TestWhereInput[] = [];
  if (!query.includeArchived) and.push({ archivedAt: null });
  if (Array.isArray(query.namespaces)) and.push({ namespace: { in: query.namespaces } });
  if (query.ids) and.push({ id: { in: query.ids.filter(isUuid) } });
  for (const [key, value] of Object.entries(query.labelEquals ?? {})) {
    and.push({ labels: { path: [key], equals: value } });
  }
  // Prisma passes `contains` to LIKE unescaped; a literal substring must not act as a pattern.
  if (query.nameContains) and.push({ name: { contains: query.nameContains.replace(/[\\%_]/g, "\\$&") } });
  if (query.pageToken) {
    const [namespace = "", name = "", id = ""] = decodePageToken(query.pageToken, 3);
    if (!isUuid(id)) throw new InvalidPageTokenError();
    and.push({
      OR: [{ namespace: { gt: namespace } }, { namespace, name: { gt: name } }, { namespace, name, id: { gt: id } }],
    });
  }
  return {
    where: { AND: and },
    orderBy: [{ namespace: "asc" }, { name: "asc" }, { id: "asc" }],
    take: size + 1,
  } satisfies Prisma.TestFindManyArgs;
}

/** Cuts the extra row off and turns the last kept row into the next page token. */
export function toTestPage(rows: TestRecord[], size: number): TestPage {
  if (rows.length <= size) return { tests: rows };
  const tests = rows.slice(0, size);
  const last = tests[tests.length - 1];
  return last ? { tests, nextPageToken: encodePageToken([last.spec.namespace, last.spec.name, last.id]) } : { tests };
}
