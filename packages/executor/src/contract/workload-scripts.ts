/**
 * The workloads the contract runs. Only POSIX sh and busybox applets, so the same scripts run on a
 * host's /bin/sh (process backend) and in the busybox test image (container backends).
 */
export const workloadScripts = {
  interleavedOutput: (lines: number) =>
    `i=1; while [ $i -le ${lines} ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done`,
  printEnvironment: [
    'printf "%s\\n" "$GREETING" "$TSTR_RUN_ID" "$TSTR_RESULTS_DIR"',
    'test -d "$TSTR_RESULTS_DIR" && test -w "$TSTR_RESULTS_DIR" && echo writable',
  ].join("\n"),
  writeResults: [
    'mkdir -p "$TSTR_RESULTS_DIR/junit"',
    `printf '{"ok":true}' > "$TSTR_RESULTS_DIR/result.json"`,
    `printf '<testsuite name="a"/>' > "$TSTR_RESULTS_DIR/junit/a.xml"`,
    'head -c 5000 /dev/zero > "$TSTR_RESULTS_DIR/big.bin"',
  ].join("\n"),
  /** Exits 0 on SIGTERM; "ready" tells the test the trap is in place. */
  gracefulOnTerm: "trap 'echo terminating; exit 0' TERM\necho ready\nwhile true; do sleep 0.1; done",
  /** Ignores SIGTERM (children inherit the ignored disposition), so only SIGKILL ends it. */
  ignoresTerm: "trap '' TERM\necho ready\nwhile true; do sleep 0.1; done",
  sleepLong: "sleep 300",
} as const;

/** A script placed with spec.files: reads a data file beside it, relative to the working dir. */
export const greetScript = '#!/bin/sh\necho "greeting $1 from $(cat data/name.txt)"\n';
