import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { type Health, HealthCheckResponseSchema, HealthCheckResponse_ServingStatus as Status } from "@tstr/proto/grpc";

/** Reports whether the server (service "") and each named service are serving. */
export interface HealthState {
  status(service: string): Status | undefined;
  services(): string[];
  /** Resolves when any status changes or the signal aborts. */
  changed(signal: AbortSignal): Promise<void>;
}

/** The standard grpc.health.v1 service over a HealthState. */
export function createHealthService(state: HealthState): ServiceImpl<typeof Health> {
  const check = (service: string) => {
    const status = state.status(service);
    if (status === undefined) throw new ConnectError(`unknown service "${service}"`, Code.NotFound);
    return create(HealthCheckResponseSchema, { status });
  };
  return {
    check: (req) => check(req.service),
    list: () => ({
      statuses: Object.fromEntries(state.services().map((s) => [s, check(s)])),
    }),
    async *watch(req, context) {
      let last: Status | undefined;
      while (!context.signal.aborted) {
        const status = state.status(req.service) ?? Status.SERVICE_UNKNOWN;
        if (status !== last) yield create(HealthCheckResponseSchema, { status });
        last = status;
        await state.changed(context.signal);
      }
    },
  };
}

/** A HealthState whose overall status flips to NOT_SERVING when shutdown begins. */
export function createServingHealth(serviceNames: string[]) {
  let serving = true;
  const waiters = new Set<() => void>();
  const state: HealthState = {
    status: (service) =>
      service === "" || serviceNames.includes(service) ? (serving ? Status.SERVING : Status.NOT_SERVING) : undefined,
    services: () => ["", ...serviceNames],
    changed: (signal) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        waiters.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      }),
  };
  return {
    state,
    isServing: () => serving,
    setServing(value: boolean) {
      serving = value;
      for (const wake of [...waiters]) wake();
    },
  };
}
