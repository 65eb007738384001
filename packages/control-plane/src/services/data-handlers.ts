import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { TestsRepository } from "@tstr/db";
import { namespaceAllowed, parseSelector, selectorMatches } from "@tstr/domain";
import { type DataService, GetTestResponseSchema, QueryTestsResponseSchema } from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { testToProto } from "../mapping/test-mapping.js";
import type { TestCatalog } from "../tests/test-catalog.js";
import { callScope } from "./call-context.js";

const MAX_PAGE = 500;

/** DataService handlers for tests; run, runner and k6 reads arrive with later work. */
export function createDataHandlers(deps: {
  catalog: TestCatalog;
  tests: TestsRepository;
}): Partial<ServiceImpl<typeof DataService>> {
  const { catalog, tests } = deps;
  return {
    getTest: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const record = await catalog.find(namespace, {
          id: req.id,
          name: req.name,
        });
        return create(GetTestResponseSchema, {
          test: testToProto(record),
          nextFireTimes: catalog.upcoming(record, 5).map(timestampFromDate),
        });
      }),
    queryTests: (req, context) =>
      mapErrors(async () => {
        const { principal, namespace } = callScope(context, req.namespace);
        const selector = parseSelector(req.selector);
        const pageSize = Math.min(req.pageSize || 100, MAX_PAGE);
        const ids = new Set(req.ids);
        const page = await tests.query({
          namespaces: req.allNamespaces ? "all" : [namespace],
          labelEquals: req.labels,
          nameContains: req.nameContains || undefined,
          pageSize,
          pageToken: req.pageToken || undefined,
        });
        // Selector, id and namespace-access filters apply per page: a page may hold fewer than
        // page_size tests; callers continue while next_page_token is set.
        const visible = page.tests.filter(
          (record) =>
            (ids.size === 0 || ids.has(record.id)) &&
            selectorMatches(selector, record.spec.labels) &&
            namespaceAllowed(principal.namespaceSelectors, record.spec.namespace),
        );
        return create(QueryTestsResponseSchema, {
          tests: visible.map(testToProto),
          nextPageToken: page.nextPageToken ?? "",
        });
      }),
  };
}
