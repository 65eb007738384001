import { create } from "@bufbuild/protobuf";
import { type Queryable, tallyRunsByMatrix } from "@tstr/db";
import { summarizeRunCounts } from "@tstr/domain";
import { type MatrixSummary, MatrixSummarySchema } from "@tstr/proto";

/**
 * Whether each matrix expansion passed, computed over ALL runs of each matrix in `namespace`
 * (not only those a page of QueryRuns shows), in the order of first appearance in `matrixIds`.
 * Matrices without runs in the namespace are left out.
 */
export async function loadMatrixSummaries(
  pool: Queryable,
  namespace: string,
  matrixIds: Iterable<string | undefined>,
): Promise<MatrixSummary[]> {
  const ids = [...new Set([...matrixIds].filter((id): id is string => !!id))];
  const tallies = await tallyRunsByMatrix(pool, ids, [namespace]);
  return ids.flatMap((id) => {
    const tally = tallies.get(id);
    if (!tally) return [];
    const summary = summarizeRunCounts(tally);
    return [
      create(MatrixSummarySchema, {
        matrixId: id,
        testId: tally.testId ?? "",
        total: summary.total,
        passed: summary.passed,
        failed: summary.failed,
        pending: summary.pending,
        allPassed: summary.allPassed,
        runIds: tally.runIds,
      }),
    ];
  });
}
