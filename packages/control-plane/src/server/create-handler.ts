import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, Interceptor, ServiceImpl } from "@connectrpc/connect";
import { type ConnectNodeAdapterOptions, connectNodeAdapter } from "@connectrpc/connect-node";

type NodeHandlerFn = NonNullable<ConnectNodeAdapterOptions["fallback"]>;

import { Health, reflectionV1, reflectionV1alpha } from "@tstr/proto/grpc";
import { createHealthService, type HealthState } from "./health-service.js";
import { createReflectionServices } from "./reflection-service.js";

/** A tstr service and its (possibly partial) implementation; missing RPCs answer Unimplemented. */
export interface ServiceBinding<S extends DescService = DescService> {
  service: S;
  impl: Partial<ServiceImpl<S>>;
}

export interface HandlerOptions {
  bindings: ServiceBinding[];
  interceptors: Interceptor[];
  health: HealthState;
  /** Largest accepted request message; larger ones are refused with ResourceExhausted. */
  readMaxBytes: number;
  shutdownSignal: AbortSignal;
  /** Plain HTTP routes (/healthz, the UI later) for paths that are not RPCs. */
  fallback: NodeHandlerFn;
}

/**
 * One Node request handler for every protocol Connect speaks (Connect JSON and binary, gRPC,
 * gRPC-Web), plus gRPC health and reflection.
 */
export function createRequestHandler(options: HandlerOptions) {
  const reflection = createReflectionServices([...options.bindings.map((b) => b.service), Health]);
  return connectNodeAdapter({
    routes(router: ConnectRouter) {
      for (const { service, impl } of options.bindings) router.service(service, impl as never);
      router.service(Health, createHealthService(options.health));
      router.service(reflectionV1.ServerReflection, reflection.v1);
      router.service(reflectionV1alpha.ServerReflection, reflection.v1alpha);
    },
    interceptors: options.interceptors,
    readMaxBytes: options.readMaxBytes,
    // A misspelt field must be an error, not silently dropped.
    jsonOptions: { ignoreUnknownFields: false },
    shutdownSignal: options.shutdownSignal,
    fallback: options.fallback,
  });
}
