import { DEFAULT_MATRIX_CAP } from "./matrix.js";

/**
 * Size and range limits on test definitions. They keep one definition from exhausting memory,
 * the database or a container's argument list, and turn absurd values into clear errors.
 * Byte limits count UTF-8 bytes.
 */
export interface TestSpecLimits {
  maxNameLength: number;
  maxDescriptionLength: number;
  maxLabels: number;
  maxImageLength: number;
  /** For the command and for each argument. */
  maxArgBytes: number;
  maxArgs: number;
  /** For the command and all arguments together. */
  maxCommandLineBytes: number;
  maxEnvEntries: number;
  maxEnvNameLength: number;
  maxEnvValueBytes: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  maxGracePeriodMs: number;
  maxFiles: number;
  maxFileBytes: number;
  maxFilesTotalBytes: number;
  maxPathLength: number;
  matrixCap: number;
  maxAttempts: number;
  maxBackoffMs: number;
}

const KIB = 1024;
const MIB = 1024 * KIB;

/** The limits the server applies unless configured otherwise. */
export const DEFAULT_LIMITS: Readonly<TestSpecLimits> = Object.freeze({
  maxNameLength: 200,
  maxDescriptionLength: 4096,
  maxLabels: 64,
  maxImageLength: 512,
  maxArgBytes: 64 * KIB,
  maxArgs: 1000,
  maxCommandLineBytes: 1 * MIB,
  maxEnvEntries: 1000,
  maxEnvNameLength: 256,
  maxEnvValueBytes: 64 * KIB,
  minTimeoutMs: 1000,
  maxTimeoutMs: 7 * 24 * 3_600_000,
  maxGracePeriodMs: 10 * 60_000,
  maxFiles: 100,
  maxFileBytes: 1 * MIB,
  maxFilesTotalBytes: 4 * MIB,
  maxPathLength: 4096,
  matrixCap: DEFAULT_MATRIX_CAP,
  maxAttempts: 10,
  maxBackoffMs: 3_600_000,
});

/** Timeout of a run whose test sets none: long enough for a load test, short enough to notice. */
export const DEFAULT_TIMEOUT_MS = 30 * 60_000;
