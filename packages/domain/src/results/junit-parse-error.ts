/**
 * A JUnit file that cannot be read as a report: not well-formed XML, not JUnit, too large, or
 * an entity expansion over the limits. Carries the file name so a run's problem list can say
 * which of several `junit/*.xml` files was bad without failing the others.
 */
export class JUnitParseError extends Error {
  override readonly name = "JUnitParseError";

  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}
