import { type IncomingMessage, request } from "node:http";

/** A failed Engine API call, with Docker's status code and message. */
export class DockerEngineError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Just the Docker Engine API calls the emulated kubelet needs, over the unix socket (so
 * @tstr/testing needs no dockerode): images, container create/start/wait/kill/remove, and logs.
 */
export function createDockerEngine(socketPath: string) {
  function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          socketPath,
          method,
          path,
          headers: payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {},
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
          response.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  async function checked(method: string, path: string, body?: unknown, ok: number[] = []): Promise<string> {
    const { status, text } = await call(method, path, body);
    if (status >= 300 && !ok.includes(status)) throw new DockerEngineError(status, messageOf(text));
    return text;
  }

  return {
    async imageExists(name: string): Promise<boolean> {
      const { status, text } = await call("GET", `/images/${encodeURIComponent(name)}/json`);
      if (status === 404) return false;
      if (status !== 200) throw new DockerEngineError(status, messageOf(text));
      return true;
    },
    async createContainer(options: object): Promise<string> {
      return (JSON.parse(await checked("POST", "/containers/create", options)) as { Id: string }).Id;
    },
    startContainer: async (id: string) => void (await checked("POST", `/containers/${id}/start`, undefined, [304])),
    /** Resolves with the exit status once the (started) container has stopped. */
    async waitContainer(id: string): Promise<number> {
      return (JSON.parse(await checked("POST", `/containers/${id}/wait`)) as { StatusCode: number }).StatusCode;
    },
    /** Sends a signal; a container that is gone or not running is fine. */
    async killContainer(id: string, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
      await checked("POST", `/containers/${id}/kill?signal=${signal}`, undefined, [404, 409]);
    },
    removeContainer: async (id: string) =>
      void (await checked("DELETE", `/containers/${id}?force=1&v=1`, undefined, [404, 409])),
    async listContainers(labelFilter: string): Promise<{ Id: string; Labels: Record<string, string> }[]> {
      const filters = encodeURIComponent(JSON.stringify({ label: [labelFilter] }));
      return JSON.parse(await checked("GET", `/containers/json?all=1&filters=${filters}`));
    },
    /**
     * The container's multiplexed stdout+stderr log stream with Docker's RFC 3339 timestamps,
     * from `sinceSeconds` (whole seconds, inclusive), following it while the container runs.
     */
    logs(id: string, options: { follow: boolean; sinceSeconds?: number }): Promise<IncomingMessage> {
      const query = new URLSearchParams({
        stdout: "1",
        stderr: "1",
        timestamps: "1",
        follow: options.follow ? "1" : "0",
      });
      if (options.sinceSeconds !== undefined) query.set("since", String(options.sinceSeconds));
      return new Promise((resolve, reject) => {
        const req = request({ socketPath, method: "GET", path: `/containers/${id}/logs?${query}` }, (response) => {
          if (response.statusCode === 200) return resolve(response);
          let text = "";
          response.on("data", (chunk) => (text += chunk));
          response.on("end", () => reject(new DockerEngineError(response.statusCode ?? 0, messageOf(text))));
        });
        req.on("error", reject);
        req.end();
      });
    },
  };
}

export type DockerEngine = ReturnType<typeof createDockerEngine>;

function messageOf(text: string): string {
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text;
  }
}

/**
 * Splits Docker's multiplexed log stream (8-byte headers: stream type, then big-endian size) into
 * payloads, which may straddle reads anywhere.
 */
export function createFrameSplitter(onFrame: (payload: Buffer) => void) {
  let pending: Buffer = Buffer.alloc(0);
  return (bytes: Buffer) => {
    pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const type = pending[0];
      const payload = pending.subarray(8, 8 + size);
      pending = pending.subarray(8 + size);
      if ((type === 1 || type === 2) && size > 0) onFrame(payload);
    }
  };
}
