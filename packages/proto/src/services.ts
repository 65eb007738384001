import type { DescService } from "@bufbuild/protobuf";
import { AdminService } from "./gen/tstr/admin/v1/admin_pb.js";
import { ControlService } from "./gen/tstr/control/v1/control_pb.js";
import { DataService } from "./gen/tstr/data/v1/data_pb.js";
import { IdentityService } from "./gen/tstr/identity/v1/identity_pb.js";
import { RunnerService } from "./gen/tstr/runner/v1/runner_pb.js";

/** Every tstr service, in the order the server registers them. */
export const TSTR_SERVICES: readonly DescService[] = [
  ControlService,
  DataService,
  RunnerService,
  AdminService,
  IdentityService,
];
