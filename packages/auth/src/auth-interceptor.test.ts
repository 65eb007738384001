import { create, createFileRegistry, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createAuthInterceptor } from "./auth-interceptor.js";
import type { TokenVerifier } from "./token-verifier.js";

// A method without the `required_scope` option must be refused even for an admin token: the
// interceptor fails closed rather than trusting a forgotten declaration.

const file = create(FileDescriptorProtoSchema, {
  name: "undeclared.proto",
  package: "example.v1",
  syntax: "proto3",
  messageType: [{ name: "Empty" }],
  service: [
    {
      name: "OpenService",
      method: [{ name: "Open", inputType: ".example.v1.Empty", outputType: ".example.v1.Empty" }],
    },
  ],
});
const service = createFileRegistry(file, () => undefined).getService("example.v1.OpenService") as DescService;
const method = service.methods[0];

const adminVerifier: TokenVerifier = {
  verify: async () => ({ tokenId: "t", name: "admin", scopes: ["admin"], namespaceSelectors: [".*"] }),
};

describe("auth interceptor", () => {
  it("refuses an RPC that declares no required scope, even for admin", async () => {
    const interceptor = createAuthInterceptor(adminVerifier);
    let reached = false;
    const next = async () => {
      reached = true;
      return {} as never;
    };
    const request = {
      method,
      service,
      header: new Headers({ authorization: "Bearer x" }),
      contextValues: createContextValues(),
    } as never;
    const error = await interceptor(next)(request).catch((e) => ConnectError.from(e));
    expect(reached).toBe(false);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.PermissionDenied);
    expect((error as ConnectError).rawMessage).toBe(
      "example.v1.OpenService/Open declares no required scope and is refused",
    );
  });
});
