/** The conventional exit code of a command stopped by Ctrl-C (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * A failure to report as `tstrctl: <message>` with an optional hint line. Exit code 1 means the
 * operation failed; 2 means the command line was wrong (then `usage` is printed as well); 130
 * means the user pressed Ctrl-C.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly options: { hint?: string; exitCode?: 1 | 2 | typeof INTERRUPTED_EXIT_CODE; usage?: string } = {},
  ) {
    super(message);
    this.name = "CliError";
  }

  get exitCode(): 1 | 2 | typeof INTERRUPTED_EXIT_CODE {
    return this.options.exitCode ?? 1;
  }
}

/** A command-line mistake (unknown command or flag, missing argument): exit 2 with usage. */
export function usageError(message: string, usage: string): CliError {
  return new CliError(message, { exitCode: 2, usage });
}
