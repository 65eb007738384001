import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { TestsRepository } from "@tstr/db";
import { namespaceAllowed, parseSelector, selectorMatches } from "@tstr/domain";
import {
	type DataService,
	GetTestResponseSchema,
	QueryTestsResponseSchema,
} from "@tstr/proto";
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
				const page = await tests.query({
					namespaces: req.allNamespaces ? "all" : [namespace],
					labelEquals: req.labels,
					nameContains: req.nameContains || undefined,
					ids: req.ids.length ? req.ids : undefined,
					pageSize,
					pageToken: req.pageToken || undefined,
					where: (record) =>
						selectorMatches(selector, record.spec.labels) &&
						namespaceAllowed(
							principal.namespaceSelectors,
							record.spec.namespace,
						),
				});
				return create(QueryTestsResponseSchema, {
					tests: page.tests.map(testToProto),
					nextPageToken: page.nextPageToken ?? "",
				});
			}),
	};
}
