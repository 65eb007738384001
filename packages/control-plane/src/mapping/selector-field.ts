import { parseSelector, type Selector, ValidationError } from "@tstr/domain";

/** Parses a selector from a request field; a syntax error names the field and the position. */
export function parseSelectorField(text: string, path: string): Selector {
  try {
    return parseSelector(text);
  } catch (error) {
    if (error instanceof Error && error.name === "SelectorSyntaxError") {
      throw new ValidationError([{ path, message: error.message }]);
    }
    throw error;
  }
}
