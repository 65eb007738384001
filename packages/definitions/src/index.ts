// Public API of @tstr/definitions: declarative test, suite and executor documents (YAML/JSON) to API requests.
export { closestName } from "./closest-name.js";
export {
  DEFINITION_KINDS,
  type DefinitionDocumentOptions,
  type DefinitionDocumentResult,
  type DefinitionKind,
  parseDefinitionDocument,
} from "./definition-document.js";
export { type DefinitionProblem, documentLabel, formatProblem } from "./definition-problem.js";
export { type ExecutorDocumentResult, parseExecutorDocument } from "./executor-document.js";
export { convertDuration, type DurationConversion, formatProtoDuration, parseGoDuration } from "./go-duration.js";
export { loadDefinitions } from "./load-definitions.js";
export {
  type DefinitionText,
  type ExecutorDefinition,
  type ParsedDefinitions,
  parseDefinitionTexts,
  type SuiteDefinition,
  type TestDefinition,
} from "./parse-definition-texts.js";
export { type ParsedDocument, type ParsedFile, parseDocuments } from "./parse-documents.js";
export {
  type DefinitionSources,
  readDefinitionFolder,
  readDefinitionSources,
  type SourceOptions,
} from "./read-definition-sources.js";
export { parseSuiteDocument, type SuiteDocumentResult } from "./suite-document.js";
export { parseTestDocument, type TestDocumentResult } from "./test-document.js";
