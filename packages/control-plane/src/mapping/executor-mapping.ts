import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ExecutorRecord } from "@tstr/db";
import type { ExecutorSpec, ResultParser } from "@tstr/domain";
import { type Executor, Executor_ResultParser, ExecutorSchema } from "@tstr/proto";

const PARSER_TO_DOMAIN: Partial<Record<Executor_ResultParser, ResultParser>> = {
  [Executor_ResultParser.JUNIT]: "JUNIT",
  [Executor_ResultParser.K6_SUMMARY]: "K6_SUMMARY",
  [Executor_ResultParser.K6_NDJSON]: "K6_NDJSON",
  [Executor_ResultParser.RESULT_JSON]: "RESULT_JSON",
};
const PARSER_TO_PROTO: Record<ResultParser, Executor_ResultParser> = {
  JUNIT: Executor_ResultParser.JUNIT,
  K6_SUMMARY: Executor_ResultParser.K6_SUMMARY,
  K6_NDJSON: Executor_ResultParser.K6_NDJSON,
  RESULT_JSON: Executor_ResultParser.RESULT_JSON,
};

/**
 * Builds the domain spec of an executor from its wire form, in `namespace` (undefined = global; the
 * caller decides it from the message and the token). No validation here: `validateExecutorSpec`
 * reports problems with proto field paths — a result parser the domain has no name for
 * (UNSPECIFIED, an unknown number) is passed on as its enum name so that it is reported there,
 * together with everything else. Empty optional strings mean "none".
 */
export function executorFromProto(executor: Executor, namespace: string | undefined): ExecutorSpec {
  return {
    ...(namespace === undefined ? {} : { namespace }),
    name: executor.name,
    ...(executor.description ? { description: executor.description } : {}),
    image: executor.image,
    command: [...executor.command],
    args: [...executor.args],
    acceptedFileTypes: [...executor.acceptedFileTypes],
    env: { ...executor.env },
    resultParsers: executor.resultParsers.map(
      (parser) => PARSER_TO_DOMAIN[parser] ?? (`${Executor_ResultParser[parser] ?? parser}` as ResultParser),
    ),
    ...(executor.junitPath ? { junitPath: executor.junitPath } : {}),
    ...(executor.icon ? { icon: executor.icon } : {}),
  };
}

/** The wire form of a stored executor; a global one has an empty namespace. */
export function executorToProto(record: ExecutorRecord): Executor {
  const { spec } = record;
  return create(ExecutorSchema, {
    id: record.id,
    namespace: spec.namespace ?? "",
    name: spec.name,
    description: spec.description ?? "",
    image: spec.image,
    command: spec.command,
    args: spec.args,
    acceptedFileTypes: spec.acceptedFileTypes,
    env: spec.env,
    resultParsers: spec.resultParsers.map((p) => PARSER_TO_PROTO[p]),
    junitPath: spec.junitPath ?? "",
    icon: spec.icon ?? "",
    builtin: record.builtin,
    createdAt: timestampFromDate(record.createdAt),
    updatedAt: timestampFromDate(record.updatedAt),
    source: record.source ?? "",
  });
}
