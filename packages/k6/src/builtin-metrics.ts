// k6's built-in metrics whose values are not plain numbers (k6 docs, "Built-in metrics").
const TIME = new Set([
  "http_req_duration",
  "http_req_blocked",
  "http_req_connecting",
  "http_req_tls_handshaking",
  "http_req_sending",
  "http_req_waiting",
  "http_req_receiving",
  "iteration_duration",
  "group_duration",
  "ws_connecting",
  "ws_session_duration",
  "ws_ping",
  "grpc_req_duration",
  "browser_http_req_duration",
  "browser_web_vital_fcp",
  "browser_web_vital_lcp",
  "browser_web_vital_inp",
  "browser_web_vital_fid",
  "browser_web_vital_ttfb",
]);
const DATA = new Set(["data_sent", "data_received", "browser_data_sent", "browser_data_received"]);

/**
 * k6's `contains` ("time" or "data") for a built-in metric or one of its submetrics, for sources
 * that do not say (the legacy summary export); undefined for other metrics.
 */
export function builtinContains(name: string): string | undefined {
  const base = name.split("{", 1)[0] ?? name;
  if (TIME.has(base)) return "time";
  if (DATA.has(base)) return "data";
  return undefined;
}
