import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { ValidationError } from "@tstr/domain";
import {
  ApplyTestResponseSchema,
  type ControlService,
  DeleteTestResponseSchema,
  ApplyTestResponse_Outcome as Outcome,
  RegisterTestResponseSchema,
  UpdateTestResponseSchema,
} from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { testSpecFromFields, testToProto } from "../mapping/test-mapping.js";
import { applyTestUpdate } from "../mapping/test-update.js";
import type { TestCatalog } from "../tests/test-catalog.js";
import { callScope } from "./call-context.js";

const OUTCOME = {
  created: Outcome.CREATED,
  updated: Outcome.UPDATED,
  unchanged: Outcome.UNCHANGED,
} as const;

/** ControlService handlers for test definitions (runs, suites, executors and sync have their own). */
export function createControlHandlers(deps: { catalog: TestCatalog }): Partial<ServiceImpl<typeof ControlService>> {
  const { catalog } = deps;
  return {
    registerTest: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const record = await catalog.register(testSpecFromFields(req, namespace));
        return create(RegisterTestResponseSchema, {
          test: testToProto(record),
        });
      }),
    applyTest: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.test?.namespace);
        if (!req.test) throw new ValidationError([{ path: "test", message: "required" }]);
        const { record, outcome } = await catalog.apply(testSpecFromFields(req.test, namespace), {
          dryRun: req.dryRun,
        });
        return create(ApplyTestResponseSchema, {
          test: testToProto(record),
          outcome: OUTCOME[outcome],
        });
      }),
    updateTest: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const existing = await catalog.find(namespace, { id: req.id });
        const record = await catalog.update(existing, applyTestUpdate(testToProto(existing), req));
        return create(UpdateTestResponseSchema, { test: testToProto(record) });
      }),
    deleteTest: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        await catalog.remove(await catalog.find(namespace, { id: req.id, name: req.name }));
        return create(DeleteTestResponseSchema);
      }),
  };
}
