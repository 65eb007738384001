import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { ExecutionCompletion, ExecutionsRepository } from "@tstr/db";
import {
  DEFAULT_LIMITS,
  resolveExecutionMetadata,
  throwIfViolations,
  validateCancelReason,
  validateExecutionCompletion,
  validateExecutionMetadata,
  validateLabels,
} from "@tstr/domain";
import {
  CancelExecutionResponseSchema,
  CompleteExecutionResponseSchema,
  type ControlService,
  RegisterExecutionResponseSchema,
} from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { RESULT_FROM_PROTO, runToProto } from "../mapping/run-mapping.js";
import { callScope } from "../services/call-context.js";
import { executionErrorToConnect } from "./execution-errors.js";
import { executionMetadataFromProto } from "./execution-mapping.js";

/**
 * ControlService handlers for external executions: register (admitted against its location's
 * capacity), complete and cancel, in the call's namespace (request field, else the `namespace`
 * header, else "default").
 */
export function createExecutionHandlers(deps: {
  executions: ExecutionsRepository;
  now: () => Date;
}): Pick<ServiceImpl<typeof ControlService>, "registerExecution" | "completeExecution" | "cancelExecution"> {
  const { executions } = deps;
  /** Runs a handler body in the call's scope, mapping refusals to their wire codes. */
  const inScope = <T>(context: HandlerContext, namespace: string, body: (namespace: string) => Promise<T>) =>
    mapErrors(async () => {
      const scope = callScope(context, namespace);
      try {
        return await body(scope.namespace);
      } catch (error) {
        throw executionErrorToConnect(error, { ...scope, now: deps.now() });
      }
    });

  return {
    registerExecution: (req, context) =>
      inScope(context, req.namespace, async (namespace) => {
        const input = executionMetadataFromProto(req.metadata);
        const labelCount = Object.keys(req.labels).length;
        throwIfViolations([
          ...validateExecutionMetadata(input),
          ...validateLabels(req.labels, "labels"),
          ...(labelCount > DEFAULT_LIMITS.maxLabels
            ? [{ path: "labels", message: `must have at most ${DEFAULT_LIMITS.maxLabels} entries, not ${labelCount}` }]
            : []),
        ]);
        const run = await executions.register({
          namespace,
          metadata: resolveExecutionMetadata(input),
          labels: { ...req.labels },
        });
        return create(RegisterExecutionResponseSchema, { run: runToProto(run) });
      }),

    completeExecution: (req, context) =>
      inScope(context, req.namespace, async (namespace) => {
        const result = RESULT_FROM_PROTO[req.result];
        throwIfViolations(validateExecutionCompletion(result, req.resultData));
        const run = await executions.complete(namespace, req.runId, {
          result: result as ExecutionCompletion["result"],
          resultData: { ...req.resultData },
        });
        return create(CompleteExecutionResponseSchema, { run: runToProto(run) });
      }),

    cancelExecution: (req, context) =>
      inScope(context, req.namespace, async (namespace) => {
        throwIfViolations(validateCancelReason(req.reason));
        const run = await executions.cancel(namespace, req.runId, req.reason.trim() || undefined);
        return create(CancelExecutionResponseSchema, { run: runToProto(run) });
      }),
  };
}
