import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { queryRuns, type RunRecord } from "@tstr/db";
import { isUuid, selectorMatches, ValidationError } from "@tstr/domain";
import {
  ApplySuiteResponseSchema,
  type ControlService,
  type DataService,
  DeleteSuiteResponseSchema,
  GetMatrixSummaryResponseSchema,
  GetSuiteResponseSchema,
  GetSuiteRunResponseSchema,
  ApplyTestResponse_Outcome as Outcome,
  QuerySuitesResponseSchema,
  RunSuiteResponseSchema,
} from "@tstr/proto";
import type pg from "pg";
import { mapErrors, NotFoundError } from "../errors.js";
import { runToProto } from "../mapping/run-mapping.js";
import { parseSelectorField } from "../mapping/selector-field.js";
import { suiteFromProto, suiteRunToProto, suiteToProto } from "../mapping/suite-mapping.js";
import { testToProto } from "../mapping/test-mapping.js";
import { loadMatrixSummaries } from "../runs/matrix-summaries.js";
import { callScope } from "../services/call-context.js";
import type { SuiteCatalog } from "./suite-catalog.js";
import type { SuiteRunReader } from "./suite-run-reader.js";
import type { SuiteRunner } from "./suite-runner.js";

const OUTCOME = { created: Outcome.CREATED, updated: Outcome.UPDATED, unchanged: Outcome.UNCHANGED } as const;
/** Suite runs GetSuite shows. */
const RECENT_SUITE_RUNS = 10;

export interface SuiteHandlerDeps {
  pool: pg.Pool;
  catalog: SuiteCatalog;
  runner: SuiteRunner;
  reader: SuiteRunReader;
}

/** ControlService handlers for suites: declare, delete, run. */
export function createSuiteControlHandlers(
  deps: SuiteHandlerDeps,
): Pick<ServiceImpl<typeof ControlService>, "applySuite" | "deleteSuite" | "runSuite"> {
  const { catalog } = deps;
  return {
    applySuite: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.suite?.namespace);
        if (!req.suite) throw new ValidationError([{ path: "suite", message: "required" }]);
        const { record, outcome } = await catalog.apply(suiteFromProto(req.suite, namespace), { dryRun: req.dryRun });
        return create(ApplySuiteResponseSchema, { suite: suiteToProto(record), outcome: OUTCOME[outcome] });
      }),

    deleteSuite: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        await catalog.remove(await catalog.find(namespace, { id: req.id, name: req.name }));
        return create(DeleteSuiteResponseSchema);
      }),

    runSuite: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        if (!req.suiteId && !req.suiteName) {
          throw new ValidationError([{ path: "suite_id", message: "a suite_id or a suite_name is required" }]);
        }
        if (req.suiteId && !isUuid(req.suiteId)) {
          throw new ValidationError([{ path: "suite_id", message: `"${req.suiteId}" is not a UUID` }]);
        }
        const suite = await catalog.find(namespace, { id: req.suiteId, name: req.suiteName });
        const outcome = await deps.runner.run(suite, { labels: req.labels });
        return create(RunSuiteResponseSchema, {
          suiteRun: suiteRunToProto(outcome.suiteRun),
          runs: outcome.runs.map((r) => runToProto(r)),
        });
      }),
  };
}

/** DataService handlers for suites, suite runs and matrix summaries. */
export function createSuiteDataHandlers(
  deps: SuiteHandlerDeps,
): Pick<ServiceImpl<typeof DataService>, "getSuite" | "querySuites" | "getSuiteRun" | "getMatrixSummary"> {
  const { catalog, reader } = deps;
  return {
    getSuite: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const suite = await catalog.find(namespace, { id: req.id, name: req.name });
        const [recent, members] = await Promise.all([reader.recent(suite, RECENT_SUITE_RUNS), catalog.members(suite)]);
        return create(GetSuiteResponseSchema, {
          suite: suiteToProto(suite),
          recentRuns: recent.map(suiteRunToProto),
          members: members.map(testToProto),
        });
      }),

    querySuites: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const selector = parseSelectorField(req.selector, "selector");
        const suites = await catalog.list([namespace]);
        return create(QuerySuitesResponseSchema, {
          suites: suites.filter((s) => selectorMatches(selector, s.spec.labels)).map(suiteToProto),
        });
      }),

    getSuiteRun: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        if (!isUuid(req.id)) throw new ValidationError([{ path: "id", message: `"${req.id}" is not a UUID` }]);
        const view = await reader.find(namespace, req.id);
        const runs = await runsOfSuiteRun(deps.pool, namespace, view.record.id);
        return create(GetSuiteRunResponseSchema, {
          suiteRun: suiteRunToProto(view),
          runs: runs.map((r) => runToProto(r)),
        });
      }),

    getMatrixSummary: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        if (!isUuid(req.matrixId)) {
          throw new ValidationError([{ path: "matrix_id", message: `"${req.matrixId}" is not a UUID` }]);
        }
        const [summary] = await loadMatrixSummaries(deps.pool, namespace, [req.matrixId]);
        if (!summary) throw new NotFoundError(`matrix "${req.matrixId}" not found in namespace "${namespace}"`);
        return create(GetMatrixSummaryResponseSchema, { summary });
      }),
  };
}

/** Every run of a suite run, oldest first (as its run_ids). */
async function runsOfSuiteRun(pool: pg.Pool, namespace: string, suiteRunId: string): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  let pageToken: string | undefined;
  do {
    const page = await queryRuns(pool, { namespaces: [namespace], suiteRunId, pageSize: 1000, pageToken });
    runs.push(...page.runs);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return runs.reverse();
}
