import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhookBody, verifyWebhookSignature } from "./webhook-signature.js";

// A fixed vector, computed independently with: printf '1700000000.{"id":"e-1"}' |
// openssl dgst -sha256 -hmac 'whsec-0123456789abcdef'
const SECRET = "whsec-0123456789abcdef";
const BODY = '{"id":"e-1"}';
const VECTOR = "sha256=87e28c62e44d1a102628320ee372a22da5bdb2d6d547e01e6d259e7f4ded335f";
const NOW = new Date(1_700_000_000_000);

describe("signWebhookBody", () => {
  it("is HMAC-SHA256 of <timestamp>.<body> in hex", () => {
    const expected = createHmac("sha256", SECRET).update(`1700000000.${BODY}`).digest("hex");
    expect(signWebhookBody(SECRET, 1_700_000_000, BODY)).toBe(`sha256=${expected}`);
  });

  it("matches the known vector", () => {
    expect(signWebhookBody(SECRET, 1_700_000_000, BODY)).toBe(VECTOR);
  });
});

describe("verifyWebhookSignature", () => {
  const signed = { body: BODY, timestamp: "1700000000", signature: signWebhookBody(SECRET, 1_700_000_000, BODY) };

  it.each([
    ["the signed request", signed, SECRET, NOW, true],
    ["four minutes later", signed, SECRET, new Date(NOW.getTime() + 240_000), true],
    ["another secret", signed, "whsec-somebody-else", NOW, false],
    ["a changed body", { ...signed, body: '{"id":"e-2"}' }, SECRET, NOW, false],
    ["a changed timestamp", { ...signed, timestamp: "1700000001" }, SECRET, NOW, false],
    ["a truncated signature", { ...signed, signature: signed.signature.slice(0, -1) }, SECRET, NOW, false],
    ["a non-numeric timestamp", { ...signed, timestamp: "soon" }, SECRET, NOW, false],
    ["a replay ten minutes later", signed, SECRET, new Date(NOW.getTime() + 600_000), false],
  ])("%s → %s", (_name, request, secret, now, valid) => {
    expect(verifyWebhookSignature(secret, request, { now })).toBe(valid);
  });
});
