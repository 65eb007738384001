/** Values as node:util parseArgs returns them for a dynamic option set. */
export type RawFlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Typed access to parsed flag values. */
export interface ParsedFlags {
  string(name: string): string | undefined;
  strings(name: string): string[];
  boolean(name: string): boolean;
}

/** Wraps parseArgs values; a repeated single-valued flag yields its last value. */
export function parsedFlags(values: RawFlagValues): ParsedFlags {
  return {
    string(name) {
      const value = values[name];
      const last = Array.isArray(value) ? value.at(-1) : value;
      return typeof last === "string" ? last : undefined;
    },
    strings(name) {
      const value = values[name];
      return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
    },
    boolean(name) {
      return values[name] === true;
    },
  };
}
