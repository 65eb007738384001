import fc from "fast-check";
import type { Labels } from "./labels.js";

// Shared generators and helpers for the domain tests; not exported from the package index.

const alnum = fc.constantFrom(..."abcxyzABZ019");
const inner = fc.constantFrom(..."abz09-_.");

/** A valid label name part or non-empty value. */
export const labelNameArbitrary: fc.Arbitrary<string> = fc
  .tuple(alnum, fc.array(inner, { maxLength: 6 }), alnum)
  .map(([first, middle, last]) => `${first}${middle.join("")}${last}`)
  .filter((name) => name.length <= 63);

/** A valid label key, sometimes with a DNS prefix. */
export const labelKeyArbitrary: fc.Arbitrary<string> = fc.oneof(
  labelNameArbitrary,
  fc
    .tuple(fc.constantFrom("example.com", "tstr.dev", "a1"), labelNameArbitrary)
    .map(([prefix, name]) => `${prefix}/${name}`),
);

/** A valid label value, including the empty value. */
export const labelValueArbitrary: fc.Arbitrary<string> = fc.oneof(fc.constant(""), labelNameArbitrary);

/** A valid label map. */
export const labelsArbitrary: fc.Arbitrary<Labels> = fc.dictionary(labelKeyArbitrary, labelValueArbitrary, {
  maxKeys: 6,
  noNullPrototype: true,
});

/** Runs `fn` and returns what it throws, failing the test unless it is an instance of `type`. */
export function catchError<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}
