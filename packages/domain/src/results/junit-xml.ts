import { XMLParser, XMLValidator } from "fast-xml-parser";
import { JUnitParseError } from "./junit-parse-error.js";

/**
 * One XML element as fast-xml-parser builds it with {@link readXmlTree}'s options: attributes
 * under `@`, text (CDATA included) under `#text`, and every child element name mapped to an
 * array, so a single `<testcase>` and many look the same.
 */
export interface XmlElement {
  "@"?: Record<string, string>;
  "#text"?: string;
  [child: string]: XmlElement[] | Record<string, string> | string | undefined;
}

/**
 * Largest JUnit input accepted, in characters (or bytes); the runner should check a file's size
 * before reading it.
 */
export const MAX_JUNIT_INPUT_CHARS = 32 * 1024 * 1024;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  attributesGroupName: "@",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  alwaysCreateTextNode: true,
  // Decodes numeric references (`&#10;` in pytest messages); without it they stay literal.
  htmlEntities: true,
  // DOCTYPE entities are capped so a hostile file cannot expand into gigabytes: only growth is
  // counted, so the many `&lt;`/`&quot;` of a large report never trip the limit. Entity values
  // that reference other entities are never expanded, which defuses "billion laughs".
  processEntities: { enabled: true, maxEntitySize: 4096, maxEntityCount: 64, maxExpandedLength: 1024 * 1024 },
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

/**
 * Validates `xml` and parses it into a tree. Validation runs first because the parser alone
 * accepts unclosed or mismatched tags silently, which would hide a truncated report.
 */
export function readXmlTree(xml: string | Uint8Array, source: string): XmlElement {
  if (xml.length > MAX_JUNIT_INPUT_CHARS) {
    throw new JUnitParseError(source, `file is larger than ${MAX_JUNIT_INPUT_CHARS} characters`);
  }
  const decoded = typeof xml === "string" ? xml : new TextDecoder().decode(xml);
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true) {
      const { msg, line, col } = valid.err;
      throw new JUnitParseError(source, `not well-formed XML at line ${line}, column ${col ?? "?"}: ${msg}`);
    }
    const tree = parser.parse(text) as XmlElement;
    // The validator lets `<a/><b/>` through (but not `<a/>\n<b/>`); one rule for both.
    if (rootElementCount(tree) > 1)
      throw new JUnitParseError(source, "not well-formed XML: more than one root element");
    return tree;
  } catch (error) {
    if (error instanceof JUnitParseError) throw error;
    throw new JUnitParseError(source, `unreadable XML: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function rootElementCount(tree: XmlElement): number {
  let count = 0;
  for (const [name, value] of Object.entries(tree)) {
    if (!name.startsWith("?") && Array.isArray(value)) count += value.length;
  }
  return count;
}

/** Child elements called `name`, in document order. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  const children = element[name];
  return Array.isArray(children) ? children : [];
}

/** An attribute's value, or undefined when absent. */
export function attribute(element: XmlElement, name: string): string | undefined {
  return element["@"]?.[name];
}

/** The element's own text (CDATA included), or "" when it has none. */
export function elementText(element: XmlElement): string {
  const text = element["#text"];
  return typeof text === "string" ? text : "";
}
