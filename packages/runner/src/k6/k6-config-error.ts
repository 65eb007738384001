/**
 * A k6 run whose configuration cannot be turned into a k6 command line (an unknown executor
 * option, no script or several candidates). The run ends ERROR with this reason and the message
 * in its log: the workload never starts, since k6 would only fail later with a vaguer message.
 */
export class K6ConfigError extends Error {
  override readonly name = "K6ConfigError";
  readonly reason = "K6_CONFIG_INVALID";
}
