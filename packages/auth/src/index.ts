export * from "./auth-interceptor.js";
export * from "./principal.js";
export * from "./signing-key.js";
export * from "./token-codec.js";
export * from "./token-verifier.js";
