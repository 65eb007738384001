import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type Principal, requirePrincipal } from "@tstr/auth";
import { scopeSatisfies, ValidationError } from "@tstr/domain";
import {
  ApplyExecutorResponseSchema,
  type ControlService,
  DeleteExecutorResponseSchema,
  GetExecutorResponseSchema,
  ListExecutorsResponseSchema,
  ApplyTestResponse_Outcome as Outcome,
} from "@tstr/proto";
import { ForbiddenError, mapErrors } from "../errors.js";
import { executorFromProto, executorToProto } from "../mapping/executor-mapping.js";
import { callScope } from "../services/call-context.js";
import type { ExecutorCatalog } from "./executor-catalog.js";

const OUTCOME = { created: Outcome.CREATED, updated: Outcome.UPDATED, unchanged: Outcome.UNCHANGED } as const;

/**
 * ControlService handlers for executors. Get, List and Delete act in the call's namespace (request
 * field, else the `namespace` header, else "default"), which sees its own executors and the global
 * ones. ApplyExecutor takes the namespace from the executor message: empty means global. Writing a
 * global executor (apply or delete) needs the admin scope, as it changes every namespace.
 */
export function createExecutorHandlers(deps: {
  catalog: ExecutorCatalog;
}): Pick<ServiceImpl<typeof ControlService>, "applyExecutor" | "deleteExecutor" | "getExecutor" | "listExecutors"> {
  const { catalog } = deps;
  return {
    applyExecutor: (req, context) =>
      mapErrors(async () => {
        if (!req.executor) throw new ValidationError([{ path: "executor", message: "required" }]);
        const namespace = req.executor.namespace ? callScope(context, req.executor.namespace).namespace : undefined;
        if (namespace === undefined) requireAdmin(requirePrincipal(context), "apply", req.executor.name);
        const { record, outcome } = await catalog.apply(executorFromProto(req.executor, namespace), {
          dryRun: req.dryRun,
        });
        return create(ApplyExecutorResponseSchema, { executor: executorToProto(record), outcome: OUTCOME[outcome] });
      }),

    deleteExecutor: (req, context) =>
      mapErrors(async () => {
        const { principal, namespace } = callScope(context, req.namespace);
        const record = await catalog.find(namespace, req.name);
        if (record.spec.namespace === undefined && !record.builtin) requireAdmin(principal, "delete", req.name);
        await catalog.remove(record);
        return create(DeleteExecutorResponseSchema);
      }),

    getExecutor: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        return create(GetExecutorResponseSchema, {
          executor: executorToProto(await catalog.find(namespace, req.name)),
        });
      }),

    listExecutors: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const executors = await catalog.list(namespace);
        return create(ListExecutorsResponseSchema, { executors: executors.map(executorToProto) });
      }),
  };
}

/** Refuses a write of a global executor by a token without the admin scope, saying why. */
function requireAdmin(principal: Principal, action: "apply" | "delete", name: string): void {
  if (scopeSatisfies(principal.scopes, "admin")) return;
  throw new ForbiddenError(
    `token "${principal.name}" may not ${action} the global executor ${JSON.stringify(name)}: global executors are ` +
      `visible in every namespace, so writing one needs the admin scope (the token has ${
        principal.scopes.join(", ") || "no scopes"
      })${action === "apply" ? "; set executor.namespace to apply it to one namespace" : ""}`,
  );
}
