import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type Principal, requirePrincipal } from "@tstr/auth";
import type { TestsRepository } from "@tstr/db";
import { selectorMatches } from "@tstr/domain";
import { type DataService, GetTestResponseSchema, QueryTestsResponseSchema } from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { parseSelectorField } from "../mapping/selector-field.js";
import { testToProto } from "../mapping/test-mapping.js";
import type { SuiteCatalog } from "../suites/suite-catalog.js";
import { testIdsInSuites } from "../suites/suite-member-filter.js";
import type { TestCatalog } from "../tests/test-catalog.js";
import { callScope } from "./call-context.js";

/** DataService handlers for tests (runs, runners, suites and k6 reports have their own). */
export function createDataHandlers(deps: {
  catalog: TestCatalog;
  tests: TestsRepository;
  /** Resolves QueryTests' test_suite_ids. */
  suites: SuiteCatalog;
  /** Namespaces holding tests that the caller's token may see. */
  visibleNamespaces: (principal: Principal) => Promise<string[]>;
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
        const namespaces = req.allNamespaces
          ? await deps.visibleNamespaces(requirePrincipal(context))
          : [callScope(context, req.namespace).namespace];
        const selector = parseSelectorField(req.selector, "selector");
        const ids = req.testSuiteIds.length
          ? await testIdsInSuites(deps.suites, namespaces, req.testSuiteIds, req.ids)
          : req.ids;
        const page = await tests.query({
          namespaces,
          ids: ids.length || req.testSuiteIds.length ? ids : undefined,
          labelEquals: req.labels,
          nameContains: req.nameContains || undefined,
          pageSize: req.pageSize,
          pageToken: req.pageToken || undefined,
        });
        // The selector applies per page (it is richer than SQL): a page may hold fewer than
        // page_size tests; callers continue while next_page_token is set.
        const visible = page.tests.filter((record) => selectorMatches(selector, record.spec.labels));
        return create(QueryTestsResponseSchema, {
          tests: visible.map(testToProto),
          nextPageToken: page.nextPageToken ?? "",
        });
      }),
  };
}
