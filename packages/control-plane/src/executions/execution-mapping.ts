import { create } from "@bufbuild/protobuf";
import { type Duration, durationFromMs } from "@bufbuild/protobuf/wkt";
import type { ExecutionMetadata, ExecutionMetadataInput } from "@tstr/domain";
import { ExecutionMetadataSchema, type ExecutionMetadata as ProtoExecutionMetadata } from "@tstr/proto";

/** The domain form of registration metadata from the wire (validation happens in the domain). */
export function executionMetadataFromProto(metadata: ProtoExecutionMetadata | undefined): ExecutionMetadataInput {
  const text = (value: string | undefined) => (value ? value : undefined);
  return {
    test: metadata?.test ?? "",
    repo: text(metadata?.repo),
    stream: text(metadata?.stream),
    type: text(metadata?.type),
    environment: text(metadata?.environment),
    triggeredBy: text(metadata?.triggeredBy),
    dashboardUrl: text(metadata?.dashboardUrl),
    location: text(metadata?.location),
    factor: metadata?.factor ?? 0,
    timeoutMs: metadata?.timeout ? exactMs(metadata.timeout) : 0,
  };
}

/** Milliseconds without rounding, so a 5 ns timeout is refused as too short rather than read as unset. */
function exactMs(duration: Duration): number {
  return Number(duration.seconds) * 1000 + duration.nanos / 1e6;
}

/** The wire form of stored execution metadata. */
export function executionMetadataToProto(metadata: ExecutionMetadata): ProtoExecutionMetadata {
  return create(ExecutionMetadataSchema, {
    test: metadata.test,
    repo: metadata.repo ?? "",
    stream: metadata.stream ?? "",
    type: metadata.type ?? "",
    environment: metadata.environment ?? "",
    triggeredBy: metadata.triggeredBy ?? "",
    dashboardUrl: metadata.dashboardUrl ?? "",
    location: metadata.location ?? "",
    factor: metadata.factor ?? 0,
    timeout: durationFromMs(metadata.timeoutMs),
  });
}
