import { ConnectError } from "@connectrpc/connect";
import type { ReportResultsRequest } from "@tstr/proto";
import { reducedResultsRequest } from "./results-payload.js";
import { describeError } from "./rpc-errors.js";
import type { RunReports } from "./run-reports.js";

/**
 * Sends an attempt's ReportResults without ever letting a refusal keep the run from finishing. A
 * refused request (too large, invalid: whatever reportResults neither retries nor turns into a
 * StaleAttemptError) is sent once more without its bulk (reducedResultsRequest); refused again, or
 * with no bulk to leave out, the results are dropped. Either way the caller goes on to FinishRun,
 * and `system` gets one line for the run's log naming the refusal. A stale attempt and an
 * abandoned run still reject.
 */
export async function deliverResults(
  reports: Pick<RunReports, "reportResults">,
  request: ReportResultsRequest,
  system: (line: string) => Promise<void>,
): Promise<void> {
  const refusal = await refusalOf(() => reports.reportResults(request));
  if (!refusal) return;
  const k6 = request.k6 !== undefined || request.k6Aggregate.length > 0;
  const what = k6 ? "the k6 report" : "the results";
  const without = `finished without ${k6 ? "it" : "them"}`;
  const reduced = reducedResultsRequest(request);
  if (!reduced) {
    await system(`tstr: the server refused ${what}: ${describeError(refusal)}; ${without}`);
    return;
  }
  const again = await refusalOf(() => reports.reportResults(reduced));
  if (!again) {
    await system(
      `tstr: the server refused ${what}: ${describeError(refusal)}; sent it again without the per-second series and the mergeable aggregate`,
    );
    return;
  }
  await system(
    `tstr: the server refused ${what}: ${describeError(refusal)}; ${without} (it also refused it without the per-second series and the mergeable aggregate: ${describeError(again)})`,
  );
}

/** The server's refusal of `send`, or undefined once it was accepted; anything else rejects. */
async function refusalOf(send: () => Promise<void>): Promise<ConnectError | undefined> {
  try {
    await send();
    return undefined;
  } catch (error) {
    if (error instanceof ConnectError) return error;
    throw error;
  }
}
