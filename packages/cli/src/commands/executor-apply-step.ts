import type { JsonObject } from "@bufbuild/protobuf";
import { toJson } from "@bufbuild/protobuf";
import type { ExecutorDefinition } from "@tstr/definitions";
import { ApplyExecutorResponseSchema } from "@tstr/proto";
import type { ApiClients } from "../client/api-clients.js";
import type { ApplyStep } from "./apply-definitions.js";

/**
 * The ApplyExecutor call of one executor document. An empty namespace is a global executor (the
 * server wants an admin token for it); `--dry-run` is the server's dry run (validated, nothing
 * written).
 */
export function executorStep(control: ApiClients["control"], { file, index, executor }: ExecutorDefinition): ApplyStep {
  return {
    file,
    index,
    ref: executor.namespace ? `executor/${executor.namespace}/${executor.name}` : `executor/${executor.name}`,
    async send(dryRun) {
      const headers = executor.namespace ? { namespace: executor.namespace } : undefined;
      const response = await control.applyExecutor({ executor, dryRun }, { headers });
      const json: JsonObject = { kind: "Executor", ...(toJson(ApplyExecutorResponseSchema, response) as JsonObject) };
      return { outcome: response.outcome, json };
    },
  };
}
