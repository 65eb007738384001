import { create, createRegistry, type DescFile, type DescService, type Registry, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { reflectionV1, reflectionV1alpha } from "@tstr/proto/grpc";

type V1 = typeof reflectionV1;
type Request = reflectionV1.ServerReflectionRequest;

/**
 * gRPC server reflection (v1 and v1alpha) over a registry of the served files, so buf curl,
 * grpcurl and Postman can call the API without .proto files.
 */
export function createReflectionServices(services: readonly DescService[]) {
  const served = collectFiles(services);
  const serviceNames = services.map((s) => s.typeName);
  const answer = (req: Request) => answerRequest(served, serviceNames, req);
  const v1: ServiceImpl<V1["ServerReflection"]> = {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        yield create(reflectionV1.ServerReflectionResponseSchema, answer(req));
      }
    },
  };
  const v1alpha: ServiceImpl<typeof reflectionV1alpha.ServerReflection> = {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        // v1alpha is wire-identical to v1; the same answer serves both.
        yield create(reflectionV1alpha.ServerReflectionResponseSchema, answer(req as unknown as Request) as never);
      }
    },
  };
  return { v1, v1alpha };
}

/** The files behind the served services, by proto file name, plus a registry of their types. */
interface ServedFiles {
  byName: Map<string, DescFile>;
  types: Registry;
}

function collectFiles(services: readonly DescService[]): ServedFiles {
  const byName = new Map<string, DescFile>();
  for (const service of services) {
    for (const file of withDependencies(service.file)) byName.set(file.proto.name, file);
  }
  return { byName, types: createRegistry(...byName.values()) };
}

function answerRequest(served: ServedFiles, serviceNames: string[], req: Request) {
  const registry = served.types;
  const base = { validHost: req.host, originalRequest: req };
  const notFound = (what: string) => ({
    ...base,
    messageResponse: {
      case: "errorResponse" as const,
      value: { errorCode: 5, errorMessage: `${what} not found` },
    },
  });
  const files = (file: DescFile | undefined, what: string) =>
    file
      ? {
          ...base,
          messageResponse: {
            case: "fileDescriptorResponse" as const,
            value: {
              fileDescriptorProto: withDependencies(file).map((f) => toBinary(FileDescriptorProtoSchema, f.proto)),
            },
          },
        }
      : notFound(what);
  const request = req.messageRequest;
  switch (request.case) {
    case "listServices":
      return {
        ...base,
        messageResponse: {
          case: "listServicesResponse" as const,
          value: { service: serviceNames.map((name) => ({ name })) },
        },
      };
    case "fileByFilename":
      return files(served.byName.get(request.value), `file "${request.value}"`);
    case "fileContainingSymbol":
      return files(fileOfSymbol(registry, request.value), `symbol "${request.value}"`);
    case "fileContainingExtension": {
      const extendee = registry.getMessage(request.value.containingType);
      const ext = extendee && registry.getExtensionFor(extendee, request.value.extensionNumber);
      return files(ext?.file, `extension ${request.value.extensionNumber} of ${request.value.containingType}`);
    }
    case "allExtensionNumbersOfType": {
      const numbers: number[] = [];
      for (const type of registry) {
        if (type.kind === "extension" && type.extendee.typeName === request.value) numbers.push(type.number);
      }
      return {
        ...base,
        messageResponse: {
          case: "allExtensionNumbersResponse" as const,
          value: { baseTypeName: request.value, extensionNumber: numbers },
        },
      };
    }
    default:
      return notFound("request");
  }
}

/** A symbol may name a type, or a method or field inside one: strip trailing parts until found. */
function fileOfSymbol(registry: Registry, symbol: string): DescFile | undefined {
  const parts = symbol.split(".");
  while (parts.length > 0) {
    const found = registry.get(parts.join("."));
    if (found) return found.file;
    parts.pop();
  }
  return undefined;
}

function withDependencies(root: DescFile): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (file: DescFile) => {
    if (seen.has(file.proto.name)) return;
    seen.set(file.proto.name, file);
    for (const dep of file.dependencies) visit(dep);
  };
  visit(root);
  return [...seen.values()];
}
