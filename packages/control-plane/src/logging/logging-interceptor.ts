import { ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "./logger.js";

/** Logs every RPC with its outcome and duration; server-side failures at error level. */
export function createLoggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const rpc = `${req.method.parent.typeName}/${req.method.name}`;
    try {
      const res = await next(req);
      logger.debug("rpc", { rpc, code: "ok", ms: elapsed(started) });
      return res;
    } catch (error) {
      const connectError = ConnectError.from(error);
      const internal = connectError.code === 13 || connectError.code === 2;
      (internal ? logger.error : logger.info)("rpc failed", {
        rpc,
        code: connectError.code,
        error: internal ? error : connectError.rawMessage,
        ms: elapsed(started),
      });
      throw error;
    }
  };
}

function elapsed(started: number) {
  return Math.round((performance.now() - started) * 10) / 10;
}
