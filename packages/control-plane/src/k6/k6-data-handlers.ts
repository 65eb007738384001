import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type K6ReportsRepository, k6Statistics, type RunsRepository, searchK6Runs } from "@tstr/db";
import { type FieldViolation, isUuid, selectorMatches, ValidationError } from "@tstr/domain";
import {
  type DataService,
  GetK6ReportResponseSchema,
  K6StatisticsResponseSchema,
  SearchK6RunsResponseSchema,
} from "@tstr/proto";
import type pg from "pg";
import { mapErrors, NotFoundError } from "../errors.js";
import { k6DigestToProto, k6ReportToProto } from "../mapping/k6-mapping.js";
import { parseSelectorField } from "../mapping/selector-field.js";
import { callScope } from "../services/call-context.js";

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1_000;
/** With a selector (matched here, not in SQL), this many of the newest k6 runs are looked at. */
const SELECTOR_SCAN = 5_000;
const MAX_DAYS = 366;

/** DataService handlers for k6 reports: one run's report, search, statistics. */
export function createK6DataHandlers(deps: {
  pool: pg.Pool;
  runs: RunsRepository;
  reports: K6ReportsRepository;
  now: () => Date;
}): Partial<ServiceImpl<typeof DataService>> {
  const { runs, reports } = deps;
  return {
    getK6Report: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const run = isUuid(req.runId) ? await runs.getById(req.runId) : undefined;
        if (!run || run.namespace !== namespace) {
          throw new NotFoundError(`run "${req.runId}" not found in namespace "${namespace}"`);
        }
        // A shard is shown with its group's merged report once there is one.
        const group = run.shardGroupId && run.shardCount > 1 ? await reports.groupReport(run.shardGroupId) : undefined;
        if (group) {
          return create(GetK6ReportResponseSchema, {
            report: k6ReportToProto(group, { runId: run.id, attempt: run.attempt }),
          });
        }
        const own = await reports.latestRunReport(run.id);
        if (!own) throw new NotFoundError(`run "${run.id}" has no k6 report`);
        return create(GetK6ReportResponseSchema, {
          report: k6ReportToProto(own, { runId: run.id, attempt: own.attempt }),
        });
      }),

    searchK6Runs: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const selector = parseSelectorField(req.selector, "selector");
        const violations: FieldViolation[] = [];
        if (req.testId && !isUuid(req.testId)) violations.push({ path: "test_id", message: "must be a UUID" });
        if (!Number.isFinite(req.minErrorRate) || req.minErrorRate < 0 || req.minErrorRate > 1) {
          violations.push({ path: "min_error_rate", message: "must be between 0 and 1" });
        }
        if (!Number.isFinite(req.maxP95Ms) || req.maxP95Ms < 0) {
          violations.push({ path: "max_p95_ms", message: "must be a number ≥ 0 (0 = no bound)" });
        }
        if (violations.length) throw new ValidationError(violations);
        const limit = Math.min(req.limit || DEFAULT_LIMIT, MAX_LIMIT);
        const digests = await searchK6Runs(deps.pool, {
          namespace,
          testId: req.testId || undefined,
          anomaliesOnly: req.anomaliesOnly,
          minErrorRate: req.minErrorRate > 0 ? req.minErrorRate : undefined,
          maxP95Ms: req.maxP95Ms > 0 ? req.maxP95Ms : undefined,
          after: req.after ? timestampDate(req.after) : undefined,
          before: req.before ? timestampDate(req.before) : undefined,
          limit: req.selector ? SELECTOR_SCAN : limit,
        });
        const shown = digests.filter((d) => selectorMatches(selector, d.labels)).slice(0, limit);
        return create(SearchK6RunsResponseSchema, { runs: shown.map(k6DigestToProto) });
      }),

    k6Statistics: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        if (req.days > MAX_DAYS) throw new ValidationError([{ path: "days", message: `at most ${MAX_DAYS}` }]);
        const days = req.days || 7;
        const stats = await k6Statistics(deps.pool, {
          namespace,
          since: new Date(deps.now().getTime() - days * DAY_MS),
        });
        const rate = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
        return create(K6StatisticsResponseSchema, {
          runs: stats.runs,
          anomalyRate: rate(stats.anomalous, stats.runs),
          findingsBySeverity: stats.findingsBySeverity,
          tests: stats.tests.map((t) => ({
            testId: t.testId ?? "",
            testName: t.testName,
            runs: t.runs,
            anomalyRate: rate(t.anomalous, t.runs),
            p95MsFirst: t.p95First ?? 0,
            p95MsLast: t.p95Last ?? 0,
          })),
        });
      }),
  };
}
