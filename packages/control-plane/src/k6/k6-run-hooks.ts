import type { RunRecord } from "@tstr/db";
import type { ReportResultsRequest } from "@tstr/proto";

/** What the run lifecycle and result ingest call for k6 runs. */
export interface K6RunHooks {
  /** Checks and stores the k6 part of a ReportResults; a malformed one throws a ValidationError, storing nothing. */
  ingest(run: RunRecord, req: ReportResultsRequest): Promise<void>;
  /** After a run finished (committed): merges its shard group when it was the last shard. Never throws. */
  onRunFinished(run: RunRecord): Promise<void>;
}
